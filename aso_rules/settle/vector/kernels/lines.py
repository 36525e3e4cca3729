"""The per-line checks (docs/semantics.md 3.1-3.3 rules 1-2 and section 5): ``prepare`` denies or
prices every line independently, in the reference engine's order, and ``std_periods`` finishes
the short-term disability benefits whose periods recur across absences.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

from aso_rules.settle.vector.columns import NODAY
from aso_rules.settle.vector.kernels.arithmetic import LINE_CHUNKS, round_div
from aso_rules.settle.vector.kernels.days import add_months_day
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
    NO_EARNINGS,
    NO_REASON,
    NOT_COVERED,
    NOT_ENROLLED,
    PAID,
    T_CAT_PRICE,
    T_CLASS_REASON,
    T_DENY_REASON,
    T_EXCLUSION_REASON,
    T_KIND,
    T_PCT_DEN,
    T_PCT_NUM,
    T_SCHEDULE,
    T_UNPRICED_REASON,
    T_WAITING_MONTHS,
    UNPRICED,
    WAITING,
)


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
