"""The vector engine's compiled loops (numba): adjudication, specific and aggregate stop-loss.

On entry: integer-cent columns already in the orders the reference engine uses (``order`` lists line
indices in processing order; stop-loss loops get lines in ascending (paid, claim_id)) and the
integer plan tables of ``plan.py``. On exit: the output arrays passed in are filled in place.

Plan parameters are always arguments, never module globals (PERFORMANCE.md trap 3: numba's
``cache=True`` would freeze a global). Cents are int64 throughout (trap 4). Rounding is the integer
form of ``round_money(x * num / den, mode)``: exact for half-up and half-even (trap 1, 2).
Accumulators are flat arrays indexed by (person, owner or limit key, period); a person's keys never
cross families, so the loop is the reference engine's, line for line.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

BIG = np.int64(1) << np.int64(62)  # "no limit": larger than any sum of cents


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


@njit(cache=True)
def adjudicate(
    order: Any,
    active: Any,
    member: Any,
    family: Any,
    is_family: Any,
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
) -> None:
    ded_m = np.zeros(max(n_members * n_owners * n_periods, 1), dtype=np.int64)
    oop_m = np.zeros(max(n_members * n_owners * n_periods, 1), dtype=np.int64)
    ded_f = np.zeros(max(n_families * n_owners * n_periods, 1), dtype=np.int64)
    oop_f = np.zeros(max(n_families * n_owners * n_periods, 1), dtype=np.int64)
    visits = np.zeros(max(n_members * n_vkeys * n_periods, 1), dtype=np.int64)
    dollars = np.zeros(max(n_members * n_dkeys * n_periods, 1), dtype=np.int64)
    life = n_periods - 1
    used_d = np.zeros(8, dtype=np.int64)
    slot_d = np.zeros(8, dtype=np.int64)
    for j in range(order.shape[0]):
        i = order[j]
        if not active[i]:
            continue
        k = term[i]
        m = member[i]
        f = family[i]
        y = period[i]
        a = allowed[i]
        # visit limits (3.3 rule 3), in order
        denied = False
        nv = t[k, 30]
        for v in range(nv):
            pv = life if lim[k, 2, v] == 1 else y
            slot = (m * n_vkeys + lim[k, 0, v]) * n_periods + pv
            if visits[slot] >= lim[k, 1, v]:
                out_status[i] = 1
                out_reason[i] = lim[k, 3, v]
                denied = True
                break
        if denied:
            continue
        nd = t[k, 31]
        for v in range(nd):
            pv = life if lim[k, 6, v] == 1 else y
            slot = (m * n_dkeys + lim[k, 4, v]) * n_periods + pv
            slot_d[v] = slot
            used_d[v] = dollars[slot]
            if dollars[slot] >= lim[k, 5, v]:
                out_status[i] = 1
                out_reason[i] = lim[k, 7, v]
                denied = True
                break
        if denied:
            continue
        # cost sharing (3.4)
        fam = is_family[i]
        dk_m = (m * n_owners + t[k, 18]) * n_periods + y
        dk_f = (f * n_owners + t[k, 18]) * n_periods + y
        ok_m = (m * n_owners + t[k, 19]) * n_periods + y
        ok_f = (f * n_owners + t[k, 19]) * n_periods + y
        dm = ded_m[dk_m]
        df = ded_f[dk_f]
        om = oop_m[ok_m]
        of = oop_f[ok_f]
        # deductible remaining
        ded_rem = 0
        if t[k, 29] == 1:
            ind = t[k, 20]
            fm = t[k, 21]
            if ind < 0 and fm < 0:
                ded_rem = 0
            else:
                if not fam:
                    rem = ind - dm if ind >= 0 else fm - df
                elif t[k, 22] == 1:
                    rem = fm - df if fm >= 0 else ind - dm
                else:
                    r1 = ind - dm if ind >= 0 else BIG
                    r2 = fm - df if fm >= 0 else BIG
                    rem = min(r1, r2)
                ded_rem = rem if rem > 0 else 0
        # out-of-pocket remaining
        oind = t[k, 23]
        ofam = t[k, 24]
        ocap = t[k, 26]
        if not fam:
            if oind >= 0:
                orem = oind - om
            elif ofam >= 0:
                orem = ofam - of
            else:
                orem = BIG
        elif t[k, 25] == 1:
            r1 = ofam - of if ofam >= 0 else BIG
            r2 = ocap - om if ocap >= 0 else BIG
            orem = min(r1, r2)
            if ofam < 0 and ocap < 0 and oind >= 0:
                orem = oind - om
        else:
            r1 = oind - om if oind >= 0 else BIG
            r2 = ofam - of if ofam >= 0 else BIG
            orem = min(r1, r2)
        if orem < 0:
            orem = 0
        # the steps
        rem = a
        cp = 0
        credit = 0
        dd = 0
        ci = 0
        for s in range(3):
            step = t[k, 15 + s]
            if step == 0:
                cp = min(t[k, 9], rem)
                if t[k, 13] == 1:
                    cp = min(cp, orem)
                    orem -= cp
                rem -= cp
                if t[k, 14] == 1:
                    credit = min(cp, ded_rem)
                    ded_rem -= credit
            elif step == 1:
                if t[k, 10] == 1:
                    dd = min(rem, ded_rem, orem)
                    rem -= dd
                    orem -= dd
                    ded_rem -= dd
            elif step == 2:
                num = t[k, 11]
                if num != 0:
                    den = t[k, 12]
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
            avail = lim[k, 5, v] - used_d[v]
            if plan > avail:
                over += plan - avail
                plan = avail
        # accumulators (3.6)
        to_ded = credit + dd
        if to_ded != 0:
            ded_m[dk_m] = dm + to_ded
            ded_f[dk_f] = df + to_ded
        to_oop = (cp if t[k, 13] == 1 else 0) + dd + ci
        if to_oop != 0:
            oop_m[ok_m] = om + to_oop
            oop_f[ok_f] = of + to_oop
        for v in range(nv):
            pv = life if lim[k, 2, v] == 1 else y
            visits[(m * n_vkeys + lim[k, 0, v]) * n_periods + pv] += 1
        for v in range(nd):
            dollars[slot_d[v]] = used_d[v] + plan
        out_status[i] = 0
        out_reason[i] = -1
        out_copay[i] = cp
        out_ded[i] = dd
        out_coins[i] = ci
        out_over[i] = over
        out_plan[i] = plan


@njit(cache=True)
def specific(
    order: Any,
    eligible: Any,
    claimant: Any,
    plan: Any,
    sd_of: Any,  # per claimant: deductible in cents, -1 = excluded (never reimbursed)
    n_claimants: int,
    asd: int,
    pct_num: int,
    pct_den: int,
    maximum: int,  # -1 = none
    half_even: bool,
    out_share: Any,
    out_absorbed: Any,
    spent: Any,
    seen: Any,
    absorbed_by: Any,
    reimbursed: Any,
) -> None:
    """One specific tier (DOMAIN.md 6.3) in stop-loss order; per-claimant totals filled in place."""
    excess_x = np.zeros(max(n_claimants, 1), dtype=np.int64)
    asd_left = asd
    for j in range(order.shape[0]):
        i = order[j]
        if not eligible[i]:
            continue
        m = claimant[i]
        sd = sd_of[m]
        before = spent[m]
        after = before + plan[i]
        spent[m] = after
        seen[m] = True
        if sd < 0 or after <= sd:
            continue
        r_before = reimbursed[m]
        over_before = before - sd if before > sd else 0
        excess_line = after - sd - over_before
        absorbed = min(excess_line, asd_left)
        asd_left -= absorbed
        out_absorbed[i] = absorbed
        absorbed_by[m] += absorbed
        excess_x[m] += excess_line - absorbed
        x = excess_x[m]
        r = x if pct_num == pct_den else round_div(x, pct_num, pct_den, half_even)
        if maximum >= 0 and r > maximum:
            r = maximum
        reimbursed[m] = r
        out_share[i] = r - r_before


@njit(cache=True)
def aggregate(
    order: Any,
    eligible: Any,
    in_specific: Any,
    claimant: Any,
    plan: Any,
    cap_of: Any,  # per claimant: cap in cents, -1 = uncapped
    net: bool,
    spec_share: Any,
    asd_counts: bool,
    absorbed: Any,
    n_claimants: int,
    out_contribution: Any,
) -> None:
    """Each eligible line's contribution to the aggregate's eligible claims G (DOMAIN.md 7.2)."""
    spent = np.zeros(max(n_claimants, 1), dtype=np.int64)
    for j in range(order.shape[0]):
        i = order[j]
        if not eligible[i]:
            continue
        if not in_specific[i]:
            out_contribution[i] = plan[i]
            continue
        if net:
            out_contribution[i] = plan[i] - spec_share[i]
            continue
        m = claimant[i]
        cap = cap_of[m]
        before = spent[m]
        after = before + plan[i]
        spent[m] = after
        if cap < 0:
            counted = after - before
        else:
            counted = min(after, cap) - min(before, cap)
        if asd_counts:
            counted += absorbed[i]
        out_contribution[i] = counted
