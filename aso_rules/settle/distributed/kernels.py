"""The distributed engine's compiled loops (numba): a process-independent string hash, and within one
family bucket a specific tier's excess events, stop-loss eligibility, the aggregate's family-local
contributions and exact group sums.

On entry: Arrow string buffers as numpy views (``offsets`` as int64, ``data`` as uint8), or a
bucket's integer-cent columns with the lines in stop-loss order (ascending (paid, claim_id), ties in
processing order). On exit: the output arrays passed in are filled in place.

Plan parameters (deductibles, lasers) are arguments, never module globals (PERFORMANCE.md trap 3);
cents are int64 throughout (trap 4).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


@njit(cache=True)
def fnv1a(offsets: Any, data: Any, out: Any) -> None:
    """64-bit FNV-1a of each string ``data[offsets[i]:offsets[i + 1]]``: the same in every process
    and on every machine (Python's ``hash`` of a ``str`` is salted per process)."""
    for i in range(out.shape[0]):
        h = FNV_OFFSET
        for j in range(offsets[i], offsets[i + 1]):
            h = (h ^ np.uint64(data[j])) * FNV_PRIME
        out[i] = h


@njit(cache=True)
def tier_events(
    order: Any,
    eligible: Any,
    claimant: Any,
    plan: Any,
    sd_of: Any,  # per claimant: deductible in cents, -1 = excluded by a laser (never reimbursed)
    spent: Any,
    listed: Any,
    out_event: Any,
    out_excess: Any,
) -> None:
    """One specific tier over one bucket without the aggregating specific deductible (DOMAIN.md 6.3).

    Each claimant's eligible spend in stop-loss order; a line whose running spend ends above its
    claimant's deductible is an *excess event*, with its excess ``after - SD - max(0, before - SD)``.
    ``listed`` marks claimants summary.json may show: one with an event or excluded by a laser.
    """
    for j in range(order.shape[0]):
        i = order[j]
        if not eligible[i]:
            continue
        m = claimant[i]
        sd = sd_of[m]
        before = spent[m]
        after = before + plan[i]
        spent[m] = after
        if sd < 0:
            listed[m] = True
            continue
        if after <= sd:
            continue
        listed[m] = True
        out_event[i] = True
        out_excess[i] = after - sd - (before - sd if before > sd else 0)


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
def group_sum(keys: Any, values: Any, mask: Any, n_groups: int) -> Any:
    """Exact int64 sums of ``values`` by ``keys`` over the lines where ``mask`` holds."""
    out = np.zeros(max(n_groups, 1), dtype=np.int64)
    for i in range(keys.shape[0]):
        if mask[i]:
            out[keys[i]] += values[i]
    return out
