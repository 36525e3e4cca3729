"""The kernels' orders: stable counting sorts of line indices by an integer key.

``counting_sort`` (one pass, one write stream per key), ``bucket_sort`` / ``bucket_rows`` (the same
in parallel parts with per-part counts) and, for the many keys of the family order,
``group_order`` / ``family_day_order`` (buckets of consecutive keys first, then each bucket in
cache); every one equals the single stable counting sort.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import get_num_threads, njit, prange

GROUP_BUCKET_BITS = 8  # ``group_order`` sorts into about 2**8 buckets of consecutive keys first


@njit(cache=True)
def counting_sort(keys: Any, lo: int, n_keys: int, perm: Any) -> Any:
    """``perm`` stably re-ordered by ``keys[perm] - lo`` (in 0..n_keys-1): O(n + n_keys)."""
    counts = np.zeros(n_keys + 1, dtype=np.int64)
    for j in range(perm.shape[0]):
        counts[keys[perm[j]] - lo + 1] += 1
    for k in range(n_keys):
        counts[k + 1] += counts[k]
    out = np.empty_like(perm)
    for j in range(perm.shape[0]):
        i = perm[j]
        k = keys[i] - lo
        out[counts[k]] = i
        counts[k] += 1
    return out


@njit(cache=True)
def _part(n: int, p: int, parts: int) -> tuple[int, int]:
    """Part ``p`` of ``parts`` near-equal parts of ``range(n)``."""
    return (n * p) // parts, (n * (p + 1)) // parts


@njit(cache=True)
def _part_starts(at: Any) -> Any:
    """Per-part bucket counts ``at[part, bucket]`` turned in place into where each part's lines of
    each bucket start (buckets in order, parts in order within a bucket); returns where each
    bucket starts (``n_buckets + 1`` limits)."""
    parts, n_buckets = at.shape
    starts = np.empty(n_buckets + 1, dtype=np.int64)
    s = 0
    for k in range(n_buckets):
        starts[k] = s
        for p in range(parts):
            c = at[p, k]
            at[p, k] = s
            s += c
    starts[n_buckets] = s
    return starts


@njit(cache=True, parallel=True)
def bucket_sort(keys: Any, lo: int, shift: int, n_buckets: int, perm: Any, parts: int) -> tuple[Any, Any]:
    """``perm`` stably re-ordered by bucket ``(keys[perm] - lo) >> shift`` (in 0..n_buckets-1), and
    where each bucket starts (``n_buckets + 1`` limits). The same result as ``counting_sort`` on the
    bucket numbers, in ``parts`` parallel parts (``threads()``): each counts, then places, its own
    part of ``perm`` (per-part counts keep equal buckets in ``perm``'s order)."""
    n = perm.shape[0]
    parts = max(min(parts, n), 1)
    at = np.zeros((parts, n_buckets), dtype=np.int64)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for j in range(a, b):
            at[p, (keys[perm[j]] - lo) >> shift] += 1
    starts = _part_starts(at)
    out = np.empty_like(perm)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for j in range(a, b):
            i = perm[j]
            k = (keys[i] - lo) >> shift
            out[at[p, k]] = i
            at[p, k] += 1
    return out, starts


@njit(cache=True, parallel=True)
def bucket_rows(keys: Any, lo: int, n_keys: int, parts: int, out: Any) -> None:
    """The lines ``0..n-1`` stably sorted by ``keys - lo`` (in 0..n_keys-1) into ``out``:
    ``bucket_sort`` of the identity order without reading one (each part reads its keys in
    order)."""
    n = keys.shape[0]
    parts = max(min(parts, n), 1)
    at = np.zeros((parts, n_keys), dtype=np.int64)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for i in range(a, b):
            at[p, keys[i] - lo] += 1
    _part_starts(at)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for i in range(a, b):
            k = keys[i] - lo
            out[at[p, k]] = i
            at[p, k] += 1


@njit(cache=True, parallel=True)
def _group_buckets(keys: Any, n_keys: int, shift: int, bucketed: Any, starts: Any) -> Any:
    """Each bucket of ``bucketed`` (keys ``k << shift`` up to ``(k + 1) << shift``) stably sorted
    by key in place; buckets run in parallel, each with its counts and lines in cache. Returns
    each key's end in the order."""
    ends = np.empty(n_keys, dtype=np.int64)
    width = 1 << shift
    for k in prange(starts.shape[0] - 1):
        s = starts[k]
        m = starts[k + 1] - s
        k0 = k << shift
        n_local = max(min(n_keys - k0, width), 0)
        lines = bucketed[s : s + m].copy()
        local = np.empty(m, dtype=np.int32)  # key - k0 of each line of the bucket: < width
        counts = np.zeros(n_local + 1, dtype=np.int64)
        for j in range(m):
            x = keys[lines[j]] - k0
            local[j] = x
            counts[x + 1] += 1
        counts[0] = s
        for x in range(n_local):
            counts[x + 1] += counts[x]
            ends[k0 + x] = counts[x + 1]
        for j in range(m):
            x = local[j]
            bucketed[counts[x]] = lines[j]
            counts[x] += 1
    return ends


@njit(cache=True, parallel=True)
def family_day_order(
    family: Any,
    first: Any,
    lo: int,
    n_days: int,
    n_families: int,
    shift: int,
    day_bits: int,
    parts: int,
    out: Any,
) -> Any:
    """Lines grouped by family, each family's lines by (``first - lo``, line), written to ``out``;
    returns each family's end in it. One parallel pass over the lines in input order puts each
    line in its bucket of ``2**shift`` consecutive families, which is already the bucket's final
    range of ``out``; then each bucket, in parallel and in cache, packs its lines as ``line <<
    (day_bits + shift) | day << shift | family % 2**shift`` and sorts them by day, then by family.
    No temporary as long as the lines (a fresh one would cost a page fault per 4 KiB, trap 6).
    Needs ``first - lo`` in 0..n_days-1 < 2**day_bits, and the line, day and family bits within 63."""
    n = family.shape[0]
    parts = max(min(parts, n), 1)
    n_buckets = ((max(n_families, 1) - 1) >> shift) + 1
    at = np.zeros((parts, n_buckets), dtype=np.int64)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for i in range(a, b):
            at[p, family[i] >> shift] += 1
    starts = _part_starts(at)
    for p in prange(parts):
        a, b = _part(n, p, parts)
        for i in range(a, b):
            k = family[i] >> shift
            out[at[p, k]] = i
            at[p, k] += 1
    low = (np.int64(1) << shift) - 1
    days = (np.int64(1) << day_bits) - 1
    line_at = day_bits + shift
    ends = np.empty(n_families, dtype=np.int64)
    width = 1 << shift
    for k in prange(n_buckets):
        s = starts[k]
        m = starts[k + 1] - s
        k0 = k << shift
        n_local = max(min(n_families - k0, width), 0)
        packed = np.empty(m, dtype=np.int64)
        by_day = np.empty(m, dtype=np.int64)
        counts = np.zeros(n_days + 1, dtype=np.int64)
        for j in range(m):
            row = np.int64(out[s + j])
            d = np.int64(first[row]) - lo
            packed[j] = (row << line_at) | (d << shift) | (np.int64(family[row]) & low)
            counts[d + 1] += 1
        for x in range(n_days):
            counts[x + 1] += counts[x]
        for j in range(m):
            v = packed[j]
            d = (v >> shift) & days
            by_day[counts[d]] = v
            counts[d] += 1
        at_fam = np.zeros(n_local + 1, dtype=np.int64)
        for j in range(m):
            at_fam[(by_day[j] & low) + 1] += 1
        at_fam[0] = s
        for x in range(n_local):
            at_fam[x + 1] += at_fam[x]
            ends[k0 + x] = at_fam[x + 1]
        for j in range(m):
            v = by_day[j]
            x = v & low
            out[at_fam[x]] = v >> line_at
            at_fam[x] += 1
    return ends


def threads() -> int:
    """The threads numba's parallel loops use (a run-time setting: not read inside a cached kernel)."""
    return int(get_num_threads())


def group_order(keys: Any, n_keys: int, perm: Any) -> tuple[Any, Any]:
    """``perm`` stably re-ordered by ``keys[perm]`` (in 0..n_keys-1), exactly ``counting_sort(keys,
    0, n_keys, perm)``, and the end of each key's run in it (``n_keys`` entries, ascending).

    With many keys (families) a single counting sort writes one scattered stream per key; here one
    parallel pass sorts ``perm`` into a few hundred buckets of consecutive keys (few streams), then
    each bucket is sorted by key on its own, in parallel, within the cache."""
    shift = max(int(n_keys - 1).bit_length() - GROUP_BUCKET_BITS, 0)
    n_buckets = ((max(n_keys, 1) - 1) >> shift) + 1
    bucketed, starts = bucket_sort(keys, 0, shift, n_buckets, perm, threads())
    return bucketed, _group_buckets(keys, n_keys, shift, bucketed, starts)
