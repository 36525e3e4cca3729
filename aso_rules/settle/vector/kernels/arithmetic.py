"""Integer arithmetic the kernels share: exact rounding of a fraction of cents, the "no limit"
sentinel, and gathering one column of a block of lines."""

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


@njit(cache=True, inline="always")
def gather(out: Any, values: Any, at: Any, n: int) -> None:
    """``out[:n] = values[at[:n]]``: one column of a block, in a loop of its own."""
    for q in range(n):
        out[q] = values[at[q]]


LINE_CHUNKS = 8  # chunks of lines the per-line passes (``prepare``, sums, term keys) spread over the threads
BLOCK = 1 << 16  # lines gathered, settled and scattered at a time (a few MB of buffers a thread)
