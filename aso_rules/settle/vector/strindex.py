"""Exact string lookup at column speed: a hash table over an Arrow string array, built once.

On entry: the strings to index (an Arrow string array of distinct values, e.g. the enrolled member
ids) and, per lookup, an Arrow string array of queries. On exit: per query the position of the
equal string in the index, or -1 (absent or null). Strings are compared byte for byte (UTF-8), so
equality is Python ``str`` equality. The table is built once per index and probed by a compiled
loop, so a batch of claims is resolved without a Python object per row or per distinct value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numba import njit, prange

I64 = npt.NDArray[np.int64]

_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)


def _parts(arr: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """(offsets, bytes, valid) of a string array: ``bytes[offsets[i]:offsets[i + 1]]`` is string i."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise TypeError(f"expected strings, not {arr.type}")
    n = len(arr)
    buffers = arr.buffers()
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    if arr.null_count:
        valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
    else:
        valid = np.ones(n, dtype=np.bool_)
    return offsets, data, valid


@njit(cache=True)
def _hashes(offsets: Any, data: Any) -> Any:  # pragma: no cover - compiled
    n = len(offsets) - 1
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        h = _FNV_OFFSET
        for j in range(offsets[i], offsets[i + 1]):
            h = (h ^ np.uint64(data[j])) * _FNV_PRIME
        out[i] = h
    return out


@njit(cache=True)
def _same(a_off: Any, a_data: Any, i: Any, b_off: Any, b_data: Any, j: Any) -> bool:  # pragma: no cover
    lo_a, hi_a = a_off[i], a_off[i + 1]
    lo_b, hi_b = b_off[j], b_off[j + 1]
    if hi_a - lo_a != hi_b - lo_b:
        return False
    for k in range(hi_a - lo_a):  # noqa: SIM110 - numba compiles loops, not generators
        if a_data[lo_a + k] != b_data[lo_b + k]:
            return False
    return True


_LOW = np.uint64(0xFFFFFFFF)
_HIGH = np.uint64(32)


@njit(cache=True)
def _build(offsets: Any, data: Any, hashes: Any, valid: Any, size: int) -> Any:  # pragma: no cover
    """Open addressing (linear probing). A slot packs the high half of its string's hash (a tag
    that rejects almost every other string without touching it) and its position + 1; 0 is empty.
    A repeated string keeps its first position."""
    table = np.zeros(size, dtype=np.uint64)
    mask = np.uint64(size - 1)
    for i in range(len(hashes)):
        if not valid[i]:
            continue
        h = hashes[i]
        tag = (h >> _HIGH) << _HIGH
        slot = h & mask
        while True:
            entry = table[slot]
            if entry == 0:
                table[slot] = tag | np.uint64(i + 1)
                break
            k = np.int64(entry & _LOW) - 1
            if (entry >> _HIGH) << _HIGH == tag and _same(offsets, data, k, offsets, data, i):
                break
            slot = (slot + np.uint64(1)) & mask
    return table


@njit(cache=True, parallel=True)
def _probe(
    table: Any, offsets: Any, data: Any, q_off: Any, q_data: Any, q_valid: Any
) -> Any:  # pragma: no cover - compiled
    n = len(q_off) - 1
    out = np.full(n, -1, dtype=np.int64)
    mask = np.uint64(len(table) - 1)
    for i in prange(n):
        if not q_valid[i]:
            continue
        h = _FNV_OFFSET
        for j in range(q_off[i], q_off[i + 1]):
            h = (h ^ np.uint64(q_data[j])) * _FNV_PRIME
        tag = (h >> _HIGH) << _HIGH
        slot = h & mask
        while True:
            entry = table[slot]
            if entry == 0:
                break
            k = np.int64(entry & _LOW) - 1
            if (entry >> _HIGH) << _HIGH == tag and _same(offsets, data, k, q_off, q_data, i):
                out[i] = k
                break
            slot = (slot + np.uint64(1)) & mask
    return out


class StringIndex:
    """Positions of strings in ``values`` (the first, for a repeated string); see the module docstring."""

    def __init__(self, values: pa.Array) -> None:
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            values = values.cast(pa.string())
        self._values = values  # keeps the buffers the arrays below view
        if len(values) >= (1 << 32) - 1:
            raise ValueError("a string index holds fewer than 2^32 - 1 strings")
        self._offsets, self._data, valid = _parts(values)
        size = 1
        while size < 2 * len(values) + 1:
            size *= 2
        self._table = _build(self._offsets, self._data, _hashes(self._offsets, self._data), valid, size)

    def __len__(self) -> int:
        return len(self._values)

    def find(self, queries: pa.Array) -> I64:
        """Per query, the position of the equal string in the index, or -1 (absent or null)."""
        if not (pa.types.is_string(queries.type) or pa.types.is_large_string(queries.type)):
            queries = queries.cast(pa.string())
        q_off, q_data, q_valid = _parts(queries)
        out: I64 = _probe(self._table, self._offsets, self._data, q_off, q_data, q_valid)
        return out
