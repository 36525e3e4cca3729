"""The distributed engine's compiled loops (numba): a process-independent string hash and exact
group sums (a bucket's stop-loss lines go through the vector engine's own pass).

On entry: Arrow string buffers as numpy views (``offsets`` as int64, ``data`` as uint8), or int64
cents with int64 group keys. On exit: the outputs are filled in place or returned.

Cents are int64 throughout (docs/performance.md trap 4).
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
def group_sum(keys: Any, values: Any, mask: Any, n_groups: int) -> Any:
    """Exact int64 sums of ``values`` by ``keys`` over the lines where ``mask`` holds."""
    out = np.zeros(max(n_groups, 1), dtype=np.int64)
    for i in range(keys.shape[0]):
        if mask[i]:
            out[keys[i]] += values[i]
    return out
