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
        counted = after - before if cap < 0 else min(after, cap) - min(before, cap)
        if asd_counts:
            counted += absorbed[i]
        out_contribution[i] = counted


@njit(cache=True)
def counting_sort(keys: Any, n_keys: int, perm: Any) -> Any:
    """``perm`` stably re-ordered by ``keys[perm]`` (keys in 0..n_keys-1): O(n + n_keys)."""
    counts = np.zeros(n_keys + 1, dtype=np.int64)
    for j in range(perm.shape[0]):
        counts[keys[perm[j]] + 1] += 1
    for k in range(n_keys):
        counts[k + 1] += counts[k]
    out = np.empty_like(perm)
    for j in range(perm.shape[0]):
        i = perm[j]
        k = keys[i]
        out[counts[k]] = i
        counts[k] += 1
    return out


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

# reason codes the Python side formats (must match engine.py)
_NOT_ENROLLED = -2
_NOT_COVERED = -3
_UNPRICED = -4
_WAITING = -5
_NO_EARNINGS = -6
_DIS_DATES = -7
_NODAY = -(1 << 40)


@njit(cache=True)
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
    """DOMAIN.md 3.1-3.3 rules 1-2 and section 5 (STD) for every line, in the reference's order:
    excluded line, enrolment, eligibility, STD benefit, repricing, excluded category, unpriced,
    dental class, waiting period. Lines left ``active`` go to ``adjudicate``."""
    n = term.shape[0]
    for i in range(n):
        k = term[i]
        inc = incurred[i]
        out_year[i] = year_of_day[inc - day0]
        out_active[i] = False
        out_repriced[i] = -1
        out_allowed[i] = 0
        out_plan[i] = 0
        out_status[i] = 1
        if skip[i] == 1:
            continue
        kind = t[k, 0]
        if kind == 4:
            out_reason[i] = t[k, 2]
            continue
        m = member[i]
        if m < 0:
            out_reason[i] = _NOT_ENROLLED
            continue
        if inc < m_start[m] or inc > m_end[m]:
            out_reason[i] = _NOT_COVERED
            continue
        if kind == 2:  # STD
            start = abs_start[i]
            if start == _NODAY:
                start = inc
            end = abs_end[i]
            if end == _NODAY or end < start:
                out_reason[i] = _DIS_DATES
                continue
            w = weekly[i] if weekly[i] > 0 else m_weekly[m]
            num = dis[k, 0]
            den = dis[k, 1]
            if w < 0 and m_annual[m] >= 0:
                wk = round_div(m_annual[m], num, den * 52, half_even)
            elif w >= 0:
                wk = round_div(w, num, den, half_even)
            else:
                out_reason[i] = _NO_EARNINGS
                continue
            if dis[k, 2] >= 0 and wk > dis[k, 2]:
                wk = dis[k, 2]
            days = end - start + 1
            ep = dis[k, 4] if cause[i] == 2 else dis[k, 3]
            cap = dis[k, 5]
            if cap < 0:
                payable = days - ep
            elif dis[k, 6] == 1:
                payable = (days if days < cap else cap) - ep
            else:
                payable = days - ep
                if payable > cap:
                    payable = cap
            if payable < 0:
                payable = 0
            benefit = round_div(wk * payable, 1, 7, half_even) if payable > 0 else 0
            out_status[i] = 0
            out_reason[i] = -1
            out_allowed[i] = benefit
            out_plan[i] = benefit
            continue
        # repricing (3.2)
        price = -1
        if given[i] >= 0:
            price = given[i]
        else:
            sched = t[k, 6]
            if sched >= 0:
                c = code[i]
                found = False
                if c >= 0:
                    amount = code_price[sched, c]
                    if amount >= 0:
                        price = amount * units[i]
                        found = True
                if not found and t[k, 7] >= 0:
                    price = t[k, 7] * units[i]
                    found = True
                if not found and t[k, 28] > 0:
                    price = round_div(billed[i], t[k, 27], t[k, 28], half_even)
                    found = True
                if found and lesser_of and price > billed[i]:
                    price = billed[i]
        if t[k, 3] >= 0:  # excluded category
            out_reason[i] = t[k, 3]
            out_repriced[i] = price
            continue
        if price < 0:
            out_reason[i] = t[k, 8] if t[k, 8] >= 0 else _UNPRICED
            continue
        if kind == 1:  # dental class, waiting period
            if t[k, 4] >= 0:
                out_reason[i] = t[k, 4]
                out_repriced[i] = price
                continue
            if t[k, 5] > 0 and inc < add_months_day(m_start[m], t[k, 5]):
                out_reason[i] = _WAITING
                out_repriced[i] = price
                continue
        out_allowed[i] = price
        out_active[i] = True


@njit(cache=True)
def group_sum(keys: Any, values: Any, mask: Any, n_groups: int) -> Any:
    """Exact int64 sums of ``values`` by ``keys`` over the lines where ``mask`` holds."""
    out = np.zeros(max(n_groups, 1), dtype=np.int64)
    for i in range(keys.shape[0]):
        if mask[i]:
            out[keys[i]] += values[i]
    return out


@njit(cache=True)
def in_contract(
    status: Any,
    line: Any,
    covered_line: Any,  # bool per line code
    incurred: Any,
    paid: Any,
    member: Any,
    m_start: Any,
    m_end: Any,
    inc_from: int,
    inc_to: int,
    paid_from: int,
    paid_to: int,
    out: Any,
) -> None:
    """``stoploss.contract_flags``: paid, a covered line, both dates in their windows, person covered."""
    for i in range(status.shape[0]):
        m = member[i]
        inc = incurred[i]
        out[i] = (
            status[i] == 0
            and covered_line[line[i]]
            and inc_from <= inc <= inc_to
            and paid_from <= paid[i] <= paid_to
            and m >= 0
            and m_start[m] <= inc <= m_end[m]
        )
