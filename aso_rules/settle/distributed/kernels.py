"""The distributed engine's compiled loops (numba): a process-independent string hash and a specific
tier's excess events within one family bucket.

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
