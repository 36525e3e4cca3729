"""Single-pass scans over a column: its span, the positions of non-zero or equal values, whether it
is the identity or holds distinct values, the lines of special reasons, flag bits and static codes."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange


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
