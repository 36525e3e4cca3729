"""Specific and aggregate stop-loss by family (docs/semantics.md 6.2, 6.3, 7.2): what stays inside
one claimant in one parallel pass over the lines grouped by family (``stoploss_lines``), what
crosses claimants (the aggregating specific deductible) over the few event lines in stop-loss
order (``specific_events``), and the aggregate's monthly sums (``month_sums``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

from aso_rules.settle.vector.kernels.arithmetic import LINE_CHUNKS, gather, round_div
from aso_rules.settle.vector.layout import W_INCURRED_FROM, W_INCURRED_TO, W_PAID_FROM, W_PAID_TO


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
    windows: Any,  # int64[n_contracts, 4]: columns ``W_*`` (``plan.WINDOW_COLUMNS``)
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
        gather(g_s, status, g_i, nb)
        gather(g_w, claimant, g_i, nb)
        gather(g_li, line, g_i, nb)
        gather(g_inc, incurred, g_i, nb)
        gather(g_p, paid, g_i, nb)
        gather(g_a, plan, g_i, nb)
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
                if (
                    inc < windows[t, W_INCURRED_FROM]
                    or inc > windows[t, W_INCURRED_TO]
                    or p < windows[t, W_PAID_FROM]
                    or p > windows[t, W_PAID_TO]
                ):
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
