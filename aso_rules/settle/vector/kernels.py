"""The vector engine's compiled loops (numba): line checks (``prepare``), STD periods, adjudication
with accumulators, specific and aggregate stop-loss, counting sorts and exact sums for fees, the
summary, monthly enrollment and reason codes.

On entry: integer columns (any integer dtype; the loops promote to int64) already in the orders the
reference engine uses (``order`` lists line indices in processing order or grouped by family with
each family's lines in processing order; ``specific_events`` gets its few lines in ascending (paid,
claim_id)) and the integer plan tables of ``plan.py``. On exit: the output arrays passed in are
filled in place, or the sums are returned.

Plan parameters are always arguments, never module globals (docs/performance.md trap 3: numba's
``cache=True`` would freeze a global). Cents are int64 throughout (trap 4). Rounding is the integer
form of ``round_money(x * num / den, mode)``: exact for half-up and half-even (trap 1, 2).
Accumulators and stop-loss claimants are flat arrays indexed by person (and owner or limit key,
period); a person never crosses families, so chunks of whole families run in parallel and the
loops are the reference engine's, line for line.

The orders are stable counting sorts: ``counting_sort`` (one pass, one write stream per key),
``bucket_sort`` / ``bucket_rows`` (the same in parallel parts with per-part counts) and, for the
many keys of the family order, ``group_order`` / ``family_day_order`` (buckets of consecutive
keys first, then each bucket in cache); every one equals the single stable counting sort.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import get_num_threads, njit, prange

from aso_rules.settle.vector.columns import NODAY
from aso_rules.settle.vector.layout import (
    D_DURATION,
    D_EP_ACCIDENT,
    D_EP_ILLNESS,
    D_MAX_INCLUDES_EP,
    D_PCT_DEN,
    D_PCT_NUM,
    D_WEEKLY_MAX,
    DENIED,
    DIS_DATES,
    L_DOLLAR_AMOUNT,
    L_DOLLAR_KEY,
    L_DOLLAR_LIFE,
    L_DOLLAR_REASON,
    L_VISIT_AMOUNT,
    L_VISIT_KEY,
    L_VISIT_LIFE,
    L_VISIT_REASON,
    NO_EARNINGS,
    NO_REASON,
    NOT_COVERED,
    NOT_ENROLLED,
    PAID,
    T_CAT_PRICE,
    T_CLASS_REASON,
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
    T_DENY_REASON,
    T_EXCLUSION_REASON,
    T_KIND,
    T_N_DOLLARS,
    T_N_VISITS,
    T_NEEDS_DED,
    T_OOP_AGG,
    T_OOP_CAP,
    T_OOP_FAM,
    T_OOP_IND,
    T_OOP_OWNER,
    T_PCT_DEN,
    T_PCT_NUM,
    T_SCHEDULE,
    T_STEP0,
    T_STEP1,
    T_STEP2,
    T_UNPRICED_REASON,
    T_WAITING_MONTHS,
    UNPRICED,
    WAITING,
)

BIG = np.int64(1) << np.int64(62)  # "no limit": larger than any sum of cents
GROUP_BUCKET_BITS = 8  # ``group_order`` sorts into about 2**8 buckets of consecutive keys first


@njit(cache=True, inline="always")
def round_div(x: int, num: int, den: int, half_even: bool) -> int:
    """round(x * num / den) to an integer, ties half-up (away from zero) or half-even."""
    p = x * num
    neg = p < 0
    if neg:
        p = -p
    q = p // den
    r2 = 2 * (p - q * den)
    if r2 > den or (r2 == den and (not half_even or q % 2 == 1)):
        q += 1
    return -q if neg else q


@njit(cache=True, inline="always")
def _gather(out: Any, values: Any, at: Any, n: int) -> None:
    """``out[:n] = values[at[:n]]``: one column of a block, in a loop of its own."""
    for q in range(n):
        out[q] = values[at[q]]


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


BLOCK = 1 << 16  # lines gathered, settled and scattered at a time (a few MB of buffers a thread)


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
        _gather(g_on, active, g_i, nb)
        _gather(g_k, term, g_i, nb)
        _gather(g_m, member, g_i, nb)
        _gather(g_y, period, g_i, nb)
        _gather(g_a, allowed, g_i, nb)
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


@njit(cache=True)
def counting_sort(keys: Any, lo: int, n_keys: int, perm: Any) -> Any:
    """``perm`` stably re-ordered by ``keys[perm] - lo`` (in 0..n_keys-1): O(n + n_keys)."""
    counts = np.zeros(n_keys + 1, dtype=np.int64)
    for j in range(perm.shape[0]):
        counts[keys[perm[j]] - lo + 1] += 1
    for k in range(n_keys):
        counts[k + 1] += counts[k]
    out = np.empty_like(perm)
    for j in range(perm.shape[0]):
        i = perm[j]
        k = keys[i] - lo
        out[counts[k]] = i
        counts[k] += 1
    return out


@njit(cache=True)
def _part(n: int, p: int, parts: int) -> tuple[int, int]:
    """Part ``p`` of ``parts`` near-equal parts of ``range(n)``."""
    return (n * p) // parts, (n * (p + 1)) // parts


@njit(cache=True)
def _part_starts(at: Any) -> Any:
    """Per-part bucket counts ``at[part, bucket]`` turned in place into where each part's lines of
    each bucket start (buckets in order, parts in order within a bucket); returns where each
    bucket starts (``n_buckets + 1`` limits)."""
    parts, n_buckets = at.shape
    starts = np.empty(n_buckets + 1, dtype=np.int64)
    s = 0
    for k in range(n_buckets):
        starts[k] = s
        for p in range(parts):
            c = at[p, k]
            at[p, k] = s
            s += c
    starts[n_buckets] = s
    return starts


@njit(cache=True, parallel=True)
def bucket_sort(keys: Any, lo: int, shift: int, n_buckets: int, perm: Any, parts: int) -> tuple[Any, Any]:
    """``perm`` stably re-ordered by bucket ``(keys[perm] - lo) >> shift`` (in 0..n_buckets-1), and
    where each bucket starts (``n_buckets + 1`` limits). The same result as ``counting_sort`` on the
    bucket numbers, in ``parts`` parallel parts (``threads()``): each counts, then places, its own
    part of ``perm`` (per-part counts keep equal buckets in ``perm``'s order)."""
    n = perm.shape[0]
    parts = max(min(parts, n), 1)
    at = np.zeros((parts, n_buckets), dtype=np.int64)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for j in range(a, b):
            at[p, (keys[perm[j]] - lo) >> shift] += 1
    starts = _part_starts(at)
    out = np.empty_like(perm)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for j in range(a, b):
            i = perm[j]
            k = (keys[i] - lo) >> shift
            out[at[p, k]] = i
            at[p, k] += 1
    return out, starts


@njit(cache=True, parallel=True)
def bucket_rows(keys: Any, lo: int, n_keys: int, parts: int, out: Any) -> None:
    """The lines ``0..n-1`` stably sorted by ``keys - lo`` (in 0..n_keys-1) into ``out``:
    ``bucket_sort`` of the identity order without reading one (each part reads its keys in
    order)."""
    n = keys.shape[0]
    parts = max(min(parts, n), 1)
    at = np.zeros((parts, n_keys), dtype=np.int64)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for i in range(a, b):
            at[p, keys[i] - lo] += 1
    _part_starts(at)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for i in range(a, b):
            k = keys[i] - lo
            out[at[p, k]] = i
            at[p, k] += 1


@njit(cache=True, parallel=True)
def _group_buckets(keys: Any, n_keys: int, shift: int, bucketed: Any, starts: Any) -> Any:
    """Each bucket of ``bucketed`` (keys ``k << shift`` up to ``(k + 1) << shift``) stably sorted
    by key in place; buckets run in parallel, each with its counts and lines in cache. Returns
    each key's end in the order."""
    ends = np.empty(n_keys, dtype=np.int64)
    width = 1 << shift
    for k in prange(starts.shape[0] - 1):
        s = starts[k]
        m = starts[k + 1] - s
        k0 = k << shift
        n_local = max(min(n_keys - k0, width), 0)
        lines = bucketed[s : s + m].copy()
        local = np.empty(m, dtype=np.int32)  # key - k0 of each line of the bucket: < width
        counts = np.zeros(n_local + 1, dtype=np.int64)
        for j in range(m):
            x = keys[lines[j]] - k0
            local[j] = x
            counts[x + 1] += 1
        counts[0] = s
        for x in range(n_local):
            counts[x + 1] += counts[x]
            ends[k0 + x] = counts[x + 1]
        for j in range(m):
            x = local[j]
            bucketed[counts[x]] = lines[j]
            counts[x] += 1
    return ends


@njit(cache=True, parallel=True)
def family_day_order(
    family: Any,
    first: Any,
    lo: int,
    n_days: int,
    n_families: int,
    shift: int,
    day_bits: int,
    parts: int,
    out: Any,
) -> Any:
    """Lines grouped by family, each family's lines by (``first - lo``, line), written to ``out``;
    returns each family's end in it. One parallel pass over the lines in input order puts each
    line in its bucket of ``2**shift`` consecutive families, which is already the bucket's final
    range of ``out``; then each bucket, in parallel and in cache, packs its lines as ``line <<
    (day_bits + shift) | day << shift | family % 2**shift`` and sorts them by day, then by family.
    No temporary as long as the lines (a fresh one would cost a page fault per 4 KiB, trap 6).
    Needs ``first - lo`` in 0..n_days-1 < 2**day_bits, and the line, day and family bits within 63."""
    n = family.shape[0]
    parts = max(min(parts, n), 1)
    n_buckets = ((max(n_families, 1) - 1) >> shift) + 1
    at = np.zeros((parts, n_buckets), dtype=np.int64)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for i in range(a, b):
            at[p, family[i] >> shift] += 1
    starts = _part_starts(at)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for i in range(a, b):
            k = family[i] >> shift
            out[at[p, k]] = i
            at[p, k] += 1
    low = (np.int64(1) << shift) - 1
    days = (np.int64(1) << day_bits) - 1
    line_at = day_bits + shift
    ends = np.empty(n_families, dtype=np.int64)
    width = 1 << shift
    for k in prange(n_buckets):
        s = starts[k]
        m = starts[k + 1] - s
        k0 = k << shift
        n_local = max(min(n_families - k0, width), 0)
        packed = np.empty(m, dtype=np.int64)
        by_day = np.empty(m, dtype=np.int64)
        counts = np.zeros(n_days + 1, dtype=np.int64)
        for j in range(m):
            row = np.int64(out[s + j])
            d = np.int64(first[row]) - lo
            packed[j] = (row << line_at) | (d << shift) | (np.int64(family[row]) & low)
            counts[d + 1] += 1
        for x in range(n_days):
            counts[x + 1] += counts[x]
        for j in range(m):
            v = packed[j]
            d = (v >> shift) & days
            by_day[counts[d]] = v
            counts[d] += 1
        at_fam = np.zeros(n_local + 1, dtype=np.int64)
        for j in range(m):
            at_fam[(by_day[j] & low) + 1] += 1
        at_fam[0] = s
        for x in range(n_local):
            at_fam[x + 1] += at_fam[x]
            ends[k0 + x] = at_fam[x + 1]
        for j in range(m):
            v = by_day[j]
            x = v & low
            out[at_fam[x]] = v >> line_at
            at_fam[x] += 1
    return ends


def threads() -> int:
    """The threads numba's parallel loops use (a run-time setting: not read inside a cached kernel)."""
    return int(get_num_threads())


def group_order(keys: Any, n_keys: int, perm: Any) -> tuple[Any, Any]:
    """``perm`` stably re-ordered by ``keys[perm]`` (in 0..n_keys-1), exactly ``counting_sort(keys,
    0, n_keys, perm)``, and the end of each key's run in it (``n_keys`` entries, ascending).

    With many keys (families) a single counting sort writes one scattered stream per key; here one
    parallel pass sorts ``perm`` into a few hundred buckets of consecutive keys (few streams), then
    each bucket is sorted by key on its own, in parallel, within the cache."""
    shift = max(int(n_keys - 1).bit_length() - GROUP_BUCKET_BITS, 0)
    n_buckets = ((max(n_keys, 1) - 1) >> shift) + 1
    bucketed, starts = bucket_sort(keys, 0, shift, n_buckets, perm, threads())
    return bucketed, _group_buckets(keys, n_keys, shift, bucketed, starts)


@njit(cache=True)
def _span(values: Any) -> tuple[int, int]:
    lo = values[0]
    hi = values[0]
    for i in range(1, values.shape[0]):
        v = values[i]
        if v < lo:
            lo = v
        elif v > hi:
            hi = v
    return lo, hi


def span(values: Any) -> tuple[int, int]:
    """The least and the greatest of ``values`` (at least one), in one pass."""
    lo, hi = _span(values)
    return int(lo), int(hi)


@njit(cache=True)
def flat_nonzero(values: Any) -> Any:
    """``np.flatnonzero(values)`` in two compiled passes (count, then fill): several times faster
    than numpy's on long columns with few such lines (stop-loss events)."""
    c = 0
    for i in range(values.shape[0]):
        if values[i] != 0:
            c += 1
    out = np.empty(c, dtype=np.int64)
    c = 0
    for i in range(values.shape[0]):
        if values[i] != 0:
            out[c] = i
            c += 1
    return out


@njit(cache=True)
def flat_equal(values: Any, value: int) -> Any:
    """``np.flatnonzero(values == value)`` without the mask: two compiled passes."""
    c = 0
    for i in range(values.shape[0]):
        if values[i] == value:
            c += 1
    out = np.empty(c, dtype=np.int64)
    c = 0
    for i in range(values.shape[0]):
        if values[i] == value:
            out[c] = i
            c += 1
    return out


@njit(cache=True)
def is_identity(values: Any) -> bool:
    """Whether ``values[i] == i`` for every ``i``."""
    for i in range(values.shape[0]):  # noqa: SIM110 (a compiled loop, not a generator)
        if values[i] != i:
            return False
    return True


# --------------------------------------------------------------------------- calendar in integers


@njit(cache=True, inline="always")
def civil(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day number (days since 1970-01-01), proleptic Gregorian."""
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    if m <= 2:
        y += 1
    return y, m, d


@njit(cache=True, inline="always")
def day_of(y: int, m: int, d: int) -> int:
    """The day number of a (year, month, day)."""
    if m <= 2:
        y -= 1
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit(cache=True, inline="always")
def add_months_day(days: int, months: int) -> int:
    """``order.add_months``: whole calendar months, a day past the month's end becomes its last."""
    y, m, d = civil(days)
    index = y * 12 + (m - 1) + months
    ny = index // 12
    nm = index % 12 + 1
    first = day_of(ny, nm, 1)
    nxt = day_of(ny + 1, 1, 1) if nm == 12 else day_of(ny, nm + 1, 1)
    last = nxt - first
    return first + (d if d < last else last) - 1


# --------------------------------------------------------------------------- the fused line loop

LINE_CHUNKS = 8  # chunks of lines the per-line passes (``prepare``, sums, term keys) spread over the threads


@njit(cache=True, parallel=True)
def prepare(
    term: Any,
    member: Any,
    incurred: Any,
    billed: Any,
    given: Any,
    code: Any,
    units: Any,
    weekly: Any,
    abs_start: Any,
    abs_end: Any,
    cause: Any,
    skip: Any,
    t: Any,
    dis: Any,  # int64[n_terms, 7]: pct_num pct_den maximum ep_illness ep_accident cap includes_ep
    code_price: Any,  # int64[n_schedules, n_codes]
    m_start: Any,
    m_end: Any,
    m_weekly: Any,
    m_annual: Any,
    lesser_of: bool,
    half_even: bool,
    day0: int,
    year_of_day: Any,  # plan year of each day from day0 (a table: no division per line)
    out_status: Any,
    out_reason: Any,
    out_allowed: Any,
    out_plan: Any,
    out_repriced: Any,
    out_year: Any,
    out_active: Any,
) -> None:
    """docs/semantics.md 3.1-3.3 rules 1-2 and section 5 (STD) for every line, in the reference's order:
    excluded line, enrolment, eligibility, STD benefit, repricing, excluded category, unpriced,
    dental class, waiting period. Lines left ``active`` go to ``adjudicate``. Every line is
    independent of the others: chunks of lines run in parallel."""
    n = term.shape[0]
    for c in prange(LINE_CHUNKS):
        _prepare_range(
            (n * c) // LINE_CHUNKS, (n * (c + 1)) // LINE_CHUNKS, term, member, incurred, billed,
            given, code, units, weekly, abs_start, abs_end, cause, skip, t, dis, code_price, m_start,
            m_end, m_weekly, m_annual, lesser_of, half_even, day0, year_of_day, out_status, out_reason,
            out_allowed, out_plan, out_repriced, out_year, out_active,
        )  # fmt: skip


@njit(cache=True)
def _prepare_range(
    lo: int,
    hi: int,
    term: Any,
    member: Any,
    incurred: Any,
    billed: Any,
    given: Any,
    code: Any,
    units: Any,
    weekly: Any,
    abs_start: Any,
    abs_end: Any,
    cause: Any,
    skip: Any,
    t: Any,
    dis: Any,  # int64[n_terms, 7]: pct_num pct_den maximum ep_illness ep_accident cap includes_ep
    code_price: Any,  # int64[n_schedules, n_codes]
    m_start: Any,
    m_end: Any,
    m_weekly: Any,
    m_annual: Any,
    lesser_of: bool,
    half_even: bool,
    day0: int,
    year_of_day: Any,  # plan year of each day from day0 (a table: no division per line)
    out_status: Any,
    out_reason: Any,
    out_allowed: Any,
    out_plan: Any,
    out_repriced: Any,
    out_year: Any,
    out_active: Any,
) -> None:
    for i in range(lo, hi):
        k = term[i]
        inc = incurred[i]
        out_year[i] = year_of_day[inc - day0]
        out_active[i] = False
        out_repriced[i] = -1
        out_allowed[i] = 0
        out_plan[i] = 0
        out_status[i] = DENIED
        if skip[i] == 1:
            continue
        kind = t[k, T_KIND]
        if kind == 4:
            out_reason[i] = t[k, T_DENY_REASON]
            continue
        m = member[i]
        if m < 0:
            out_reason[i] = NOT_ENROLLED
            continue
        if inc < m_start[m] or inc > m_end[m]:
            out_reason[i] = NOT_COVERED
            continue
        if kind == 2:  # STD
            start = abs_start[i]
            if start == NODAY:
                start = inc
            end = abs_end[i]
            if end == NODAY or end < start:
                out_reason[i] = DIS_DATES
                continue
            w = weekly[i] if weekly[i] > 0 else m_weekly[m]
            num = dis[k, D_PCT_NUM]
            den = dis[k, D_PCT_DEN]
            if w < 0 and m_annual[m] >= 0:
                wk = round_div(m_annual[m], num, den * 52, half_even)
            elif w >= 0:
                wk = round_div(w, num, den, half_even)
            else:
                out_reason[i] = NO_EARNINGS
                continue
            if dis[k, D_WEEKLY_MAX] >= 0 and wk > dis[k, D_WEEKLY_MAX]:
                wk = dis[k, D_WEEKLY_MAX]
            # the benefit depends on earlier absences of the same period: ``std_periods`` finishes it
            out_status[i] = PAID
            out_reason[i] = NO_REASON
            out_plan[i] = wk
            out_repriced[i] = -2
            continue
        # repricing (3.2)
        price = -1
        if given[i] >= 0:
            price = given[i]
        else:
            sched = t[k, T_SCHEDULE]
            if sched >= 0:
                c = code[i]
                found = False
                if c >= 0:
                    amount = code_price[sched, c]
                    if amount >= 0:
                        price = amount * units[i]
                        found = True
                if not found and t[k, T_CAT_PRICE] >= 0:
                    price = t[k, T_CAT_PRICE] * units[i]
                    found = True
                if not found and t[k, T_PCT_DEN] > 0:
                    price = round_div(billed[i], t[k, T_PCT_NUM], t[k, T_PCT_DEN], half_even)
                    found = True
                if found and lesser_of and price > billed[i]:
                    price = billed[i]
        if t[k, T_EXCLUSION_REASON] >= 0:  # excluded category
            out_reason[i] = t[k, T_EXCLUSION_REASON]
            out_repriced[i] = price
            continue
        if price < 0:
            out_reason[i] = t[k, T_UNPRICED_REASON] if t[k, T_UNPRICED_REASON] >= 0 else UNPRICED
            continue
        if kind == 1:  # dental class, waiting period
            if t[k, T_CLASS_REASON] >= 0:
                out_reason[i] = t[k, T_CLASS_REASON]
                out_repriced[i] = price
                continue
            if t[k, T_WAITING_MONTHS] > 0 and inc < add_months_day(m_start[m], t[k, T_WAITING_MONTHS]):
                out_reason[i] = WAITING
                out_repriced[i] = price
                continue
        out_allowed[i] = price
        out_status[i] = PAID  # unless a limit in ``adjudicate`` denies it
        out_reason[i] = NO_REASON
        out_active[i] = True


@njit(cache=True)
def add_months_many(days: Any, months: Any) -> Any:
    """``add_months_day`` over arrays."""
    out = np.empty_like(days)
    for i in range(days.shape[0]):
        out[i] = add_months_day(days[i], months[i])
    return out


@njit(cache=True)
def std_periods(
    order: Any,  # the STD lines ``prepare`` left pending (weekly benefit in ``plan``), processing order
    keys: Any,  # per line of ``order``: its (member, line) pair as an index below ``n_keys``
    n_keys: int,
    term: Any,
    incurred: Any,
    abs_start: Any,
    abs_end: Any,
    cause: Any,
    dis: Any,
    half_even: bool,
    out_allowed: Any,
    out_plan: Any,
    out_repriced: Any,
) -> None:
    """STD benefits with recurrence (docs/semantics.md 5.1, ``disability.std_benefit``): an absence that
    starts 1-14 days after the member's previous absence on the same line (same cause kind) continues
    its period: the elimination period left and the maximum duration are the period's."""
    size = max(n_keys, 1)
    last_end = np.full(size, NODAY, dtype=np.int64)
    last_accident = np.zeros(size, dtype=np.bool_)
    period_ep = np.zeros(size, dtype=np.int64)
    days_so_far = np.zeros(size, dtype=np.int64)
    payable_so_far = np.zeros(size, dtype=np.int64)
    for j in range(order.shape[0]):
        i = order[j]
        k = term[i]
        key = keys[j]
        start = abs_start[i]
        if start == NODAY:
            start = incurred[i]
        end = abs_end[i]
        accident = cause[i] == 2
        gap = start - last_end[key]
        continues = last_end[key] != NODAY and last_accident[key] == accident and 0 < gap <= 14
        days = end - start + 1
        if continues:
            days_before = days_so_far[key]
            payable_before = payable_so_far[key]
            ep = period_ep[key] - days_before
            if ep < 0:
                ep = 0
        else:
            days_before = 0
            payable_before = 0
            ep = dis[k, D_EP_ACCIDENT] if accident else dis[k, D_EP_ILLNESS]
        cap = dis[k, D_DURATION]
        if cap < 0:
            payable = days - ep
        elif dis[k, D_MAX_INCLUDES_EP] == 1:
            room = cap - days_before
            payable = (days if days < room else room) - ep
        else:
            payable = days - ep
            room = cap - payable_before
            if payable > room:
                payable = room
        if payable < 0:
            payable = 0
        wk = out_plan[i]
        benefit = round_div(wk * payable, 1, 7, half_even) if payable > 0 else 0
        out_allowed[i] = benefit
        out_plan[i] = benefit
        out_repriced[i] = -1
        if not continues:
            period_ep[key] = dis[k, D_EP_ACCIDENT] if accident else dis[k, D_EP_ILLNESS]
            days_so_far[key] = 0
            payable_so_far[key] = 0
        last_end[key] = end
        last_accident[key] = accident
        days_so_far[key] += days
        payable_so_far[key] += payable


# --------------------------------------------------------------------------- stop-loss by family


@njit(cache=True, parallel=True)
def stoploss_lines(
    order: Any,  # lines grouped by claimant family, each family's lines in stop-loss order
    bounds: Any,  # chunk limits in ``order``, each at a family boundary (chunks run in parallel)
    block: int,  # lines per block (``BLOCK``)
    status: Any,
    line: Any,
    incurred: Any,
    paid: Any,
    plan: Any,
    claimant: Any,
    covered: Any,  # bool[n_contracts, n_line_codes]: the specific tiers, then the aggregate if any
    windows: Any,  # int64[n_contracts, 4]: incurred from, incurred to, paid from, paid to
    deductible: Any,  # int64[n_tiers, n_claimants]: each claimant's deductible, -1 = excluded
    cap: Any,  # int64[n_claimants]: the aggregate's cap per claimant, -1 = uncapped
    in_spec: Any,  # bool per line code: the aggregate caps these lines (the lowest tier's covers)
    net: bool,  # the aggregate counts claims net of specific
    flags: Any,  # uint8[(n_contracts + 7) // 8, n]: bit t % 8 of row t // 8 = eligible for contract t
    spent: Any,  # int64[n_tiers, n_claimants]
    seen: Any,  # bool[n_tiers, n_claimants]
    event: Any,  # int8[n_tiers, n]: 1 where the line changes its claimant's excess over the deductible
    excess: Any,  # int64[n_tiers, n]: that change (event lines; negative for a void or recovery)
    agg_spent: Any,  # int64[n_claimants]
    contribution: Any,  # int64[n]: the aggregate contribution before ASD / net-of-specific parts
) -> None:
    """What stays inside one claimant of specific and aggregate stop-loss (docs/semantics.md 6.2, 6.3, 7.2)
    for every paid line of ``order``, each claimant's lines in stop-loss order: eligibility,
    running spend, the line's excess over the claimant's deductible and its capped aggregate
    contribution. What crosses claimants (the aggregating specific deductible) is left to
    ``specific_events``. A paid line's member is enrolled and covered on its incurred date
    (``prepare`` denies the others): only the contracts' lines and windows are checked here.
    ``flags`` and ``contribution`` are written for every line of ``order`` (0 where not eligible).

    Claimants never cross families, so chunks of whole families run on separate threads with the
    same results as one thread. Lines go ``BLOCK`` at a time, gathered and scattered one column
    per pass, as in ``adjudicate``."""
    for c in prange(bounds.shape[0] - 1):
        _stoploss_range(
            order, bounds[c], bounds[c + 1], block, status, line, incurred, paid, plan, claimant, covered,
            windows, deductible, cap, in_spec, net, flags, spent, seen, event, excess, agg_spent,
            contribution,
        )  # fmt: skip


@njit(cache=True)
def _stoploss_range(
    order: Any,
    lo: int,
    hi: int,
    block: int,
    status: Any,
    line: Any,
    incurred: Any,
    paid: Any,
    plan: Any,
    claimant: Any,
    covered: Any,
    windows: Any,
    deductible: Any,
    cap: Any,
    in_spec: Any,
    net: bool,
    flags: Any,
    spent: Any,
    seen: Any,
    event: Any,
    excess: Any,
    agg_spent: Any,
    contribution: Any,
) -> None:
    """``order[lo:hi]`` in blocks (see ``stoploss_lines``)."""
    n_rows = flags.shape[0]
    n_tiers = deductible.shape[0]
    n_contracts = covered.shape[0]
    with_agg = contribution.shape[0] == status.shape[0]
    size = max(min(block, hi - lo), 1)
    g_i = np.empty(size, dtype=np.int64)
    g_s = np.empty(size, dtype=np.int8)
    g_w = np.empty(size, dtype=np.int64)
    g_li = np.empty(size, dtype=np.int64)
    g_inc = np.empty(size, dtype=np.int64)
    g_p = np.empty(size, dtype=np.int64)
    g_a = np.empty(size, dtype=np.int64)
    r_flags = np.zeros((n_rows, size), dtype=np.uint8)
    r_con = np.zeros(size, dtype=np.int64)
    for b0 in range(lo, hi, block):
        nb = min(b0 + block, hi) - b0
        for q in range(nb):
            g_i[q] = order[b0 + q]
        _gather(g_s, status, g_i, nb)
        _gather(g_w, claimant, g_i, nb)
        _gather(g_li, line, g_i, nb)
        _gather(g_inc, incurred, g_i, nb)
        _gather(g_p, paid, g_i, nb)
        _gather(g_a, plan, g_i, nb)
        for q in range(nb):
            for r in range(n_rows):
                r_flags[r, q] = 0
            r_con[q] = 0
            if g_s[q] != 0:
                continue
            li = g_li[q]
            inc = g_inc[q]
            p = g_p[q]
            a = g_a[q]
            who = g_w[q]
            for t in range(n_contracts):
                if not covered[t, li]:
                    continue
                if inc < windows[t, 0] or inc > windows[t, 1] or p < windows[t, 2] or p > windows[t, 3]:
                    continue
                r_flags[t >> 3, q] |= np.uint8(1 << (t & 7))
                if t < n_tiers:
                    sd = deductible[t, who]
                    before = spent[t, who]
                    after = before + a
                    spent[t, who] = after
                    seen[t, who] = True
                    if sd < 0:
                        continue
                    # the line's change of the claimant's excess: 0 below the deductible, negative
                    # only for the signed lines of adjudicated settlement (a void, a recovery)
                    ex = (after - sd if after > sd else 0) - (before - sd if before > sd else 0)
                    if ex == 0:
                        continue
                    i = g_i[q]
                    event[t, i] = 1
                    excess[t, i] = ex
                elif net or not in_spec[li]:
                    r_con[q] = a
                else:
                    limit = cap[who]
                    before = agg_spent[who]
                    after = before + a
                    agg_spent[who] = after
                    r_con[q] = a if limit < 0 else min(after, limit) - min(before, limit)
        for r in range(n_rows):
            for q in range(nb):
                flags[r, g_i[q]] = r_flags[r, q]
        if with_agg:
            for q in range(nb):
                contribution[g_i[q]] = r_con[q]


@njit(cache=True)
def specific_events(
    events: Any,  # the lines with excess over their claimant's deductible, in stop-loss order
    claimant: Any,
    excess: Any,  # per line: its excess over the deductible (``stoploss_lines``)
    n_claimants: int,
    asd: int,
    pct_num: int,
    pct_den: int,
    maximum: int,  # -1 = none
    half_even: bool,
    out_share: Any,  # per event (aligned with ``events``)
    out_absorbed: Any,  # per event
    absorbed_by: Any,
    reimbursed: Any,
) -> None:
    """The chronological part of one specific tier (docs/semantics.md 6.3, ``ExcessAllocator``): the
    aggregating specific deductible absorbs the first excess across claimants, then each claimant's
    remaining excess is reimbursed at the percentage, capped at the maximum. Shares and absorptions
    are written per event, not per line: every other line's are 0.

    A negative excess (a void or a downward adjustment of adjudicated settlement) takes back the
    claimant's last dollars first: its reimbursable excess, then what the ASD absorbed of it (which
    the ASD regains); its share and absorption come out negative."""
    excess_x = np.zeros(max(n_claimants, 1), dtype=np.int64)
    asd_left = asd
    for j in range(events.shape[0]):
        i = events[j]
        m = claimant[i]
        e = excess[i]
        if e < 0:
            back = -e
            from_excess = min(back, excess_x[m])
            regained = min(back - from_excess, absorbed_by[m])
            excess_x[m] -= from_excess
            absorbed_by[m] -= regained
            asd_left += regained
            out_absorbed[j] = -regained
        else:
            absorbed = min(e, asd_left)
            asd_left -= absorbed
            out_absorbed[j] = absorbed
            absorbed_by[m] += absorbed
            excess_x[m] += e - absorbed
        x = excess_x[m]
        r = x if pct_num == pct_den else round_div(x, pct_num, pct_den, half_even)
        if maximum >= 0 and r > maximum:
            r = maximum
        out_share[j] = r - reimbursed[m]
        reimbursed[m] = r


@njit(cache=True, parallel=True)
def month_sums(paid: Any, mask: Any, values: Any, day0: int, month_of_day: Any, n_months: int) -> Any:
    """Exact int64 sums of ``values`` by month (``month_of_day[paid - day0]``; -1 = none) where
    ``mask`` holds; the last entry is the sum over every masked line. Chunks of lines run in
    parallel, each into its own row."""
    n = paid.shape[0]
    chunks = LINE_CHUNKS
    part = np.zeros((chunks, n_months + 1), dtype=np.int64)
    for c in prange(chunks):
        for i in range((n * c) // chunks, (n * (c + 1)) // chunks):
            if mask[i]:
                v = values[i]
                part[c, n_months] += v
                k = month_of_day[paid[i] - day0]
                if k >= 0:
                    part[c, k] += v
    out = np.zeros(n_months + 1, dtype=np.int64)
    for c in range(chunks):
        for k in range(n_months + 1):
            out[k] += part[c, k]
    return out


# --------------------------------------------------------------------------- sums for fees and the summary

# columns of ``line_sums``' outputs
ACT_COUNTED, ACT_PLAN, ACT_SAVINGS, ACT_LINES, ACT_PAID = 0, 1, 2, 3, 4
BY_LINES, BY_BILLED, BY_ALLOWED, BY_MEMBER, BY_PLAN = 0, 1, 2, 3, 4


@njit(cache=True, parallel=True)
def line_sums(
    chunks: int,
    paid: Any,
    line: Any,
    status: Any,
    billed: Any,
    allowed: Any,
    copay: Any,
    deductible: Any,
    coinsurance: Any,
    over_max: Any,
    plan: Any,
    day0: int,
    month_of_day: Any,  # month index (from the first paid month) of each day from ``day0``
    n_months: int,
    n_lines: int,
    counts_denied: bool,
) -> tuple[Any, Any]:
    """One pass over every line: by (paid month, line) the lines counted for per-claim fees, plan
    paid and savings of paid lines, lines and paid lines (``ACT_*`` columns); by line the lines,
    billed, allowed, member paid and plan paid (``BY_*`` columns). Exact int64 sums; chunks of
    lines run in parallel, each into its own rows, added up at the end."""
    n = paid.shape[0]
    size = max(n_months * n_lines, 1)
    act = np.zeros((chunks, size, 5), dtype=np.int64)
    by = np.zeros((chunks, max(n_lines, 1), 5), dtype=np.int64)
    for c in prange(chunks):
        lo = (n * c) // chunks
        hi = (n * (c + 1)) // chunks
        for i in range(lo, hi):
            li = line[i]
            key = month_of_day[paid[i] - day0] * n_lines + li
            ok = status[i] == PAID
            p = plan[i]
            a = allowed[i]
            act[c, key, ACT_LINES] += 1
            if ok or counts_denied:
                act[c, key, ACT_COUNTED] += 1
            if ok:
                act[c, key, ACT_PAID] += 1
                act[c, key, ACT_PLAN] += p
                act[c, key, ACT_SAVINGS] += billed[i] - a
            by[c, li, BY_LINES] += 1
            by[c, li, BY_BILLED] += billed[i]
            by[c, li, BY_ALLOWED] += a
            by[c, li, BY_MEMBER] += copay[i] + deductible[i] + coinsurance[i] + over_max[i]
            by[c, li, BY_PLAN] += p
    return act.sum(axis=0), by.sum(axis=0)


@njit(cache=True)
def all_distinct(values: Any, n_values: int) -> bool:
    """Whether no value (in 0..n_values-1) occurs twice."""
    marks = np.zeros(max(n_values, 1), dtype=np.bool_)
    for i in range(values.shape[0]):
        v = values[i]
        if marks[v]:
            return False
        marks[v] = True
    return True


@njit(cache=True)
def reason_lines(reason: Any, first: int, second: int) -> tuple[Any, Any, Any]:
    """The lines whose reason is ``first``, ``second``, or another special (< -1) one, ascending."""
    n1 = n2 = n3 = 0
    for i in range(reason.shape[0]):
        r = reason[i]
        if r < -1:
            if r == first:
                n1 += 1
            elif r == second:
                n2 += 1
            else:
                n3 += 1
    a = np.empty(n1, dtype=np.int64)
    b = np.empty(n2, dtype=np.int64)
    c = np.empty(n3, dtype=np.int64)
    n1 = n2 = n3 = 0
    for i in range(reason.shape[0]):
        r = reason[i]
        if r < -1:
            if r == first:
                a[n1] = i
                n1 += 1
            elif r == second:
                b[n2] = i
                n2 += 1
            else:
                c[n3] = i
                n3 += 1
    return a, b, c


@njit(cache=True, parallel=True)
def flag_bit(flags: Any, bit: int) -> Any:
    """Whether bit ``bit`` of each flag byte is set."""
    out = np.empty(flags.shape[0], dtype=np.bool_)
    mask = np.uint8(1 << bit)
    for i in prange(flags.shape[0]):
        out[i] = (flags[i] & mask) != 0
    return out


@njit(cache=True, parallel=True)
def static_codes(reason: Any, other: int) -> Any:
    """Each line's static reason (>= 0) as it is, ``other`` for every other line."""
    out = np.empty(reason.shape[0], dtype=np.int32)
    for i in prange(reason.shape[0]):
        r = reason[i]
        out[i] = r if r >= 0 else other
    return out


@njit(cache=True, parallel=True)
def month_counts(
    firsts: Any,  # day number of each month's first day
    family: Any,
    tier: Any,
    is_employee: Any,
    start: Any,
    end: Any,
    n_families: int,
    n_tiers: int,
) -> tuple[Any, Any, Any]:
    """Per month: families by tier, members by their family's tier, and members covered on the
    month's first day. A family's tier is its covered employee's, else its first covered member's
    (input order). Months run in parallel."""
    n_months = firsts.shape[0]
    families = np.zeros((n_months, max(n_tiers, 1)), dtype=np.int64)
    members = np.zeros((n_months, max(n_tiers, 1)), dtype=np.int64)
    covered = np.zeros(n_months, dtype=np.int64)
    for k in prange(n_months):
        d = firsts[k]
        tier_of = np.full(max(n_families, 1), -1, dtype=np.int64)
        for i in range(family.shape[0]):
            if start[i] <= d and end[i] >= d:
                f = family[i]
                if is_employee[i] or tier_of[f] < 0:
                    tier_of[f] = tier[i]
        for f in range(n_families):
            if tier_of[f] >= 0:
                families[k, tier_of[f]] += 1
        for i in range(family.shape[0]):
            if start[i] <= d and end[i] >= d:
                members[k, tier_of[family[i]]] += 1
                covered[k] += 1
    return families, members, covered


@njit(cache=True, parallel=True)
def term_index(line: Any, network: Any, category: Any, n_cat: int, size: int) -> tuple[Any, Any]:
    """Each line's (line, network, category) key ``(line * 2 + network) * n_cat + category`` as an
    index into the keys present (ascending), and how many lines have each of the ``size`` keys
    (present: more than none). Chunks of lines run in parallel, each counting into its own row."""
    n = line.shape[0]
    out = np.empty(n, dtype=np.int32)  # the keys present: a few dozen
    chunks = LINE_CHUNKS
    part = np.zeros((chunks, max(size, 1)), dtype=np.int64)
    for c in prange(chunks):
        for i in range((n * c) // chunks, (n * (c + 1)) // chunks):
            part[c, (np.int64(line[i]) * 2 + network[i]) * n_cat + category[i]] += 1
    counts = np.zeros(max(size, 1), dtype=np.int64)
    for c in range(chunks):
        for key in range(size):
            counts[key] += part[c, key]
    lut = np.empty(max(size, 1), dtype=np.int64)
    k = 0
    for key in range(size):
        lut[key] = k
        if counts[key]:
            k += 1
    for i in prange(n):
        out[i] = lut[(np.int64(line[i]) * 2 + network[i]) * n_cat + category[i]]
    return out, counts
