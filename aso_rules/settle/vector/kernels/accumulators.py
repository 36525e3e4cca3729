"""Adjudication with accumulators (docs/semantics.md 3.3-3.6): visit limits, dollar maximums, cost
sharing and the deductible, out-of-pocket, visit and dollar accumulators, family by family.

On entry: the lines ``prepare`` left active, grouped by family in processing order, and the term
and limit tables of ``plan.py``. On exit: status, reason and the cost-sharing columns filled in
place. Accumulators are flat arrays indexed by person (and owner or limit key, period); a person
never crosses families, so chunks of whole families run in parallel and the loop is the reference
engine's, line for line.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

from aso_rules.settle.vector.kernels.arithmetic import BIG, gather, round_div
from aso_rules.settle.vector.layout import (
    DENIED,
    L_DOLLAR_AMOUNT,
    L_DOLLAR_KEY,
    L_DOLLAR_LIFE,
    L_DOLLAR_REASON,
    L_VISIT_AMOUNT,
    L_VISIT_KEY,
    L_VISIT_LIFE,
    L_VISIT_REASON,
    T_COINS_DEN,
    T_COINS_NUM,
    T_COPAY,
    T_CP_DED,
    T_CP_OOP,
    T_DED_AGG,
    T_DED_APPLIES,
    T_DED_FAM,
    T_DED_IND,
    T_DED_OWNER,
    T_N_DOLLARS,
    T_N_VISITS,
    T_NEEDS_DED,
    T_OOP_AGG,
    T_OOP_CAP,
    T_OOP_FAM,
    T_OOP_IND,
    T_OOP_OWNER,
    T_STEP0,
    T_STEP1,
    T_STEP2,
)


@njit(cache=True, inline="always")
def _oop_room(t: Any, k: int, fam: bool, om: int, of: int) -> int:
    """What is left of the out-of-pocket maximum of term ``k`` for a person with ``om`` and a family
    with ``of`` already counted (docs/semantics.md 3.4): individual coverage counts the person's, family
    coverage the family's (aggregate mode: with the per-person cap) or the lesser of both."""
    oind = t[k, T_OOP_IND]
    ofam = t[k, T_OOP_FAM]
    ocap = t[k, T_OOP_CAP]
    if not fam:
        if oind >= 0:
            orem = oind - om
        elif ofam >= 0:
            orem = ofam - of
        else:
            orem = BIG
    elif t[k, T_OOP_AGG] == 1:
        r1 = ofam - of if ofam >= 0 else BIG
        r2 = ocap - om if ocap >= 0 else BIG
        orem = min(r1, r2)
        if ofam < 0 and ocap < 0 and oind >= 0:
            orem = oind - om
    else:
        r1 = oind - om if oind >= 0 else BIG
        r2 = ofam - of if ofam >= 0 else BIG
        orem = min(r1, r2)
    return orem if orem > 0 else 0


@njit(cache=True, parallel=True)
def adjudicate(
    order: Any,
    bounds: Any,  # chunk limits in ``order``, each at a family boundary (chunks run in parallel)
    block: int,  # lines per block (``BLOCK``; an argument so that tests can make it small)
    active: Any,
    member: Any,
    m_family: Any,  # per member: its accumulator family (an active line's member is enrolled)
    is_family: Any,  # per member: family coverage (any tier but the individual one)
    period: Any,
    n_periods: int,
    term: Any,
    allowed: Any,
    t: Any,  # int64[n_terms, N_COLS] term table (column order: TERM_COLUMNS)
    lim: Any,  # int64[n_terms, 8, MAX_LIMITS] limit table (LIMIT_COLUMNS)
    n_members: int,
    n_families: int,
    n_owners: int,
    n_vkeys: int,
    n_dkeys: int,
    half_even: bool,
    plan_side: bool,
    out_status: Any,
    out_reason: Any,
    out_copay: Any,
    out_ded: Any,
    out_coins: Any,
    out_over: Any,
    out_plan: Any,
    out_repriced: Any,
) -> None:
    """Visit limits, dollar maximums, cost sharing and accumulators (docs/semantics.md 3.3-3.6) for the
    ``active`` lines, family by family. Families never share an accumulator slot, so chunks of whole
    families run on separate threads with the same results as one thread.

    Lines are taken ``BLOCK`` at a time: their inputs are gathered into contiguous buffers one
    column per pass, settled from the buffers in order, and the results scattered back one column
    per pass. A pass that touches one column keeps few memory pages in play at once; a loop that
    touched every column of every line at scattered places missed the translation cache on most
    lines (on a virtual machine, whose pages are effectively small, it cost twice as much)."""
    ded_m = np.zeros(max(n_members * n_owners * n_periods, 1), dtype=np.int64)
    oop_m = np.zeros(max(n_members * n_owners * n_periods, 1), dtype=np.int64)
    ded_f = np.zeros(max(n_families * n_owners * n_periods, 1), dtype=np.int64)
    oop_f = np.zeros(max(n_families * n_owners * n_periods, 1), dtype=np.int64)
    visits = np.zeros(max(n_members * n_vkeys * n_periods, 1), dtype=np.int64)
    dollars = np.zeros(max(n_members * n_dkeys * n_periods, 1), dtype=np.int64)
    simple = np.zeros(t.shape[0], dtype=np.bool_)
    for k in range(t.shape[0]):
        simple[k] = (
            t[k, T_N_VISITS] == 0
            and t[k, T_N_DOLLARS] == 0
            and t[k, T_DED_APPLIES] == 0
            and t[k, T_COINS_NUM] == 0
            and t[k, T_CP_DED] == 0
            and (t[k, T_STEP0] == 0 or t[k, T_STEP1] == 0 or t[k, T_STEP2] == 0)
        )
    for c in prange(bounds.shape[0] - 1):
        _adjudicate_range(
            order, bounds[c], bounds[c + 1], block, active, member, m_family, is_family, period, n_periods,
            term, allowed, t, simple, lim, n_owners, n_vkeys, n_dkeys, half_even, plan_side, ded_m, oop_m,
            ded_f, oop_f, visits, dollars, out_status, out_reason, out_copay, out_ded, out_coins, out_over,
            out_plan, out_repriced,
        )  # fmt: skip


@njit(cache=True)
def _adjudicate_range(
    order: Any,
    lo: int,
    hi: int,
    block: int,
    active: Any,
    member: Any,
    m_family: Any,
    is_family: Any,
    period: Any,
    n_periods: int,
    term: Any,
    allowed: Any,
    t: Any,
    simple: Any,  # per term: copay only (the fast path)
    lim: Any,
    n_owners: int,
    n_vkeys: int,
    n_dkeys: int,
    half_even: bool,
    plan_side: bool,
    ded_m: Any,
    oop_m: Any,
    ded_f: Any,
    oop_f: Any,
    visits: Any,
    dollars: Any,
    out_status: Any,
    out_reason: Any,
    out_copay: Any,
    out_ded: Any,
    out_coins: Any,
    out_over: Any,
    out_plan: Any,
    out_repriced: Any,
) -> None:
    """``order[lo:hi]`` in blocks (see ``adjudicate``)."""
    life = n_periods - 1
    used_d = np.zeros(8, dtype=np.int64)
    slot_d = np.zeros(8, dtype=np.int64)
    size = max(min(block, hi - lo), 1)
    g_i = np.empty(size, dtype=np.int64)
    g_on = np.empty(size, dtype=np.bool_)
    g_k = np.empty(size, dtype=np.int64)
    g_m = np.empty(size, dtype=np.int64)
    g_y = np.empty(size, dtype=np.int64)
    g_a = np.empty(size, dtype=np.int64)
    r_cp = np.empty(size, dtype=np.int64)
    r_dd = np.empty(size, dtype=np.int64)
    r_ci = np.empty(size, dtype=np.int64)
    r_over = np.empty(size, dtype=np.int64)
    r_plan = np.empty(size, dtype=np.int64)
    r_live = np.empty(size, dtype=np.bool_)  # paid by the loop (not inactive, not denied by a limit)
    for b0 in range(lo, hi, block):
        nb = min(b0 + block, hi) - b0
        for q in range(nb):
            g_i[q] = order[b0 + q]
        gather(g_on, active, g_i, nb)
        gather(g_k, term, g_i, nb)
        gather(g_m, member, g_i, nb)
        gather(g_y, period, g_i, nb)
        gather(g_a, allowed, g_i, nb)
        for q in range(nb):
            i = g_i[q]
            r_cp[q] = 0
            r_dd[q] = 0
            r_ci[q] = 0
            r_over[q] = 0
            live = bool(g_on[q])
            nv = 0
            nd = 0
            k = g_k[q]
            m = g_m[q]
            f = m_family[m] if live else 0
            y = g_y[q]
            a = g_a[q]
            if live and simple[k]:
                # a copay and nothing else: only the out-of-pocket maximum can cap it
                cp = t[k, T_COPAY]
                if cp > a:
                    cp = a
                if t[k, T_CP_OOP] == 1 and cp > 0:
                    ok_m = (m * n_owners + t[k, T_OOP_OWNER]) * n_periods + y
                    ok_f = (f * n_owners + t[k, T_OOP_OWNER]) * n_periods + y
                    om = oop_m[ok_m]
                    of = oop_f[ok_f]
                    orem = _oop_room(t, k, is_family[m], om, of)
                    if cp > orem:
                        cp = orem
                    if cp != 0:
                        oop_m[ok_m] = om + cp
                        oop_f[ok_f] = of + cp
                r_cp[q] = cp
                r_plan[q] = a - cp
                r_live[q] = True
                continue
            if live:
                # visit limits (3.3 rule 3), in order
                nv = t[k, T_N_VISITS]
                for v in range(nv):
                    pv = life if lim[k, L_VISIT_LIFE, v] == 1 else y
                    slot = (m * n_vkeys + lim[k, L_VISIT_KEY, v]) * n_periods + pv
                    if visits[slot] >= lim[k, L_VISIT_AMOUNT, v]:
                        out_status[i] = DENIED
                        out_reason[i] = lim[k, L_VISIT_REASON, v]
                        out_repriced[i] = a
                        allowed[i] = 0
                        live = False
                        break
            if live:
                nd = t[k, T_N_DOLLARS]
                for v in range(nd):
                    pv = life if lim[k, L_DOLLAR_LIFE, v] == 1 else y
                    slot = (m * n_dkeys + lim[k, L_DOLLAR_KEY, v]) * n_periods + pv
                    slot_d[v] = slot
                    used_d[v] = dollars[slot]
                    if dollars[slot] >= lim[k, L_DOLLAR_AMOUNT, v]:
                        out_status[i] = DENIED
                        out_reason[i] = lim[k, L_DOLLAR_REASON, v]
                        out_repriced[i] = a
                        allowed[i] = 0
                        live = False
                        break
            if live:
                # cost sharing (3.4)
                fam = is_family[m]
                dk_m = (m * n_owners + t[k, T_DED_OWNER]) * n_periods + y
                dk_f = (f * n_owners + t[k, T_DED_OWNER]) * n_periods + y
                ok_m = (m * n_owners + t[k, T_OOP_OWNER]) * n_periods + y
                ok_f = (f * n_owners + t[k, T_OOP_OWNER]) * n_periods + y
                dm = ded_m[dk_m]
                df = ded_f[dk_f]
                om = oop_m[ok_m]
                of = oop_f[ok_f]
                # deductible remaining
                ded_rem = 0
                if t[k, T_NEEDS_DED] == 1:
                    ind = t[k, T_DED_IND]
                    fm = t[k, T_DED_FAM]
                    if ind < 0 and fm < 0:
                        ded_rem = 0
                    else:
                        if not fam:
                            rem = ind - dm if ind >= 0 else fm - df
                        elif t[k, T_DED_AGG] == 1:
                            rem = fm - df if fm >= 0 else ind - dm
                        else:
                            r1 = ind - dm if ind >= 0 else BIG
                            r2 = fm - df if fm >= 0 else BIG
                            rem = min(r1, r2)
                        ded_rem = rem if rem > 0 else 0
                orem = _oop_room(t, k, fam, om, of)
                # the steps
                rem = a
                cp = 0
                credit = 0
                dd = 0
                ci = 0
                for s in range(3):
                    step = t[k, T_STEP0 + s]
                    if step == 0:
                        cp = min(t[k, T_COPAY], rem)
                        if t[k, T_CP_OOP] == 1:
                            cp = min(cp, orem)
                            orem -= cp
                        rem -= cp
                        if t[k, T_CP_DED] == 1:
                            credit = min(cp, ded_rem)
                            ded_rem -= credit
                    elif step == 1:
                        if t[k, T_DED_APPLIES] == 1:
                            dd = min(rem, ded_rem, orem)
                            rem -= dd
                            orem -= dd
                            ded_rem -= dd
                    elif step == 2:
                        num = t[k, T_COINS_NUM]
                        if num != 0:
                            den = t[k, T_COINS_DEN]
                            if plan_side:
                                c = rem - round_div(rem, den - num, den, half_even)
                            else:
                                c = round_div(rem, num, den, half_even)
                            ci = min(c, orem)
                            rem -= ci
                            orem -= ci
                plan = a - cp - dd - ci
                # dollar maximums on plan payments (3.5)
                over = 0
                for v in range(nd):
                    avail = lim[k, L_DOLLAR_AMOUNT, v] - used_d[v]
                    if plan > avail:
                        over += plan - avail
                        plan = avail
                # accumulators (3.6)
                to_ded = credit + dd
                if to_ded != 0:
                    ded_m[dk_m] = dm + to_ded
                    ded_f[dk_f] = df + to_ded
                to_oop = (cp if t[k, T_CP_OOP] == 1 else 0) + dd + ci
                if to_oop != 0:
                    oop_m[ok_m] = om + to_oop
                    oop_f[ok_f] = of + to_oop
                for v in range(nv):
                    pv = life if lim[k, L_VISIT_LIFE, v] == 1 else y
                    visits[(m * n_vkeys + lim[k, L_VISIT_KEY, v]) * n_periods + pv] += 1
                for v in range(nd):
                    dollars[slot_d[v]] = used_d[v] + plan
                r_cp[q] = cp
                r_dd[q] = dd
                r_ci[q] = ci
                r_over[q] = over
                r_plan[q] = plan

            r_live[q] = live
        for q in range(nb):
            out_copay[g_i[q]] = r_cp[q]
        # deductibles, coinsurance and amounts over a maximum are mostly 0 (as allocated)
        for q in range(nb):
            if r_dd[q] != 0:
                out_ded[g_i[q]] = r_dd[q]
        for q in range(nb):
            if r_ci[q] != 0:
                out_coins[g_i[q]] = r_ci[q]
        for q in range(nb):
            if r_over[q] != 0:
                out_over[g_i[q]] = r_over[q]
        for q in range(nb):
            if r_live[q]:
                out_plan[g_i[q]] = r_plan[q]
