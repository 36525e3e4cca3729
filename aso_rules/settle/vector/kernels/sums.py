"""Exact int64 sums for fees, the summary and monthly enrollment: ``line_sums`` (by paid month and
line, and by line; ``ACT_*`` / ``BY_*`` columns), ``month_counts`` (families and members by tier)
and ``term_index`` (each line's term key and the count of each).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

from aso_rules.settle.vector.kernels.arithmetic import LINE_CHUNKS
from aso_rules.settle.vector.layout import (
    PAID,
)

# columns of ``line_sums``' outputs
ACT_COUNTED, ACT_PLAN, ACT_SAVINGS, ACT_LINES, ACT_PAID = 0, 1, 2, 3, 4
BY_LINES, BY_BILLED, BY_ALLOWED, BY_MEMBER, BY_PLAN = 0, 1, 2, 3, 4


@njit(cache=True, parallel=True)
def line_sums(
    chunks: int,
    paid: Any,
    line: Any,
    status: Any,
    billed: Any,
    allowed: Any,
    copay: Any,
    deductible: Any,
    coinsurance: Any,
    over_max: Any,
    plan: Any,
    day0: int,
    month_of_day: Any,  # month index (from the first paid month) of each day from ``day0``
    n_months: int,
    n_lines: int,
    counts_denied: bool,
) -> tuple[Any, Any]:
    """One pass over every line: by (paid month, line) the lines counted for per-claim fees, plan
    paid and savings of paid lines, lines and paid lines (``ACT_*`` columns); by line the lines,
    billed, allowed, member paid and plan paid (``BY_*`` columns). Exact int64 sums; chunks of
    lines run in parallel, each into its own rows, added up at the end."""
    n = paid.shape[0]
    size = max(n_months * n_lines, 1)
    act = np.zeros((chunks, size, 5), dtype=np.int64)
    by = np.zeros((chunks, max(n_lines, 1), 5), dtype=np.int64)
    for c in prange(chunks):
        lo = (n * c) // chunks
        hi = (n * (c + 1)) // chunks
        for i in range(lo, hi):
            li = line[i]
            key = month_of_day[paid[i] - day0] * n_lines + li
            ok = status[i] == PAID
            p = plan[i]
            a = allowed[i]
            act[c, key, ACT_LINES] += 1
            if ok or counts_denied:
                act[c, key, ACT_COUNTED] += 1
            if ok:
                act[c, key, ACT_PAID] += 1
                act[c, key, ACT_PLAN] += p
                act[c, key, ACT_SAVINGS] += billed[i] - a
            by[c, li, BY_LINES] += 1
            by[c, li, BY_BILLED] += billed[i]
            by[c, li, BY_ALLOWED] += a
            by[c, li, BY_MEMBER] += copay[i] + deductible[i] + coinsurance[i] + over_max[i]
            by[c, li, BY_PLAN] += p
    return act.sum(axis=0), by.sum(axis=0)


@njit(cache=True, parallel=True)
def month_counts(
    firsts: Any,  # day number of each month's first day
    family: Any,
    tier: Any,
    is_employee: Any,
    start: Any,
    end: Any,
    n_families: int,
    n_tiers: int,
) -> tuple[Any, Any, Any]:
    """Per month: families by tier, members by their family's tier, and members covered on the
    month's first day. A family's tier is its covered employee's, else its first covered member's
    (input order). Months run in parallel."""
    n_months = firsts.shape[0]
    families = np.zeros((n_months, max(n_tiers, 1)), dtype=np.int64)
    members = np.zeros((n_months, max(n_tiers, 1)), dtype=np.int64)
    covered = np.zeros(n_months, dtype=np.int64)
    for k in prange(n_months):
        d = firsts[k]
        tier_of = np.full(max(n_families, 1), -1, dtype=np.int64)
        for i in range(family.shape[0]):
            if start[i] <= d and end[i] >= d:
                f = family[i]
                if is_employee[i] or tier_of[f] < 0:
                    tier_of[f] = tier[i]
        for f in range(n_families):
            if tier_of[f] >= 0:
                families[k, tier_of[f]] += 1
        for i in range(family.shape[0]):
            if start[i] <= d and end[i] >= d:
                members[k, tier_of[family[i]]] += 1
                covered[k] += 1
    return families, members, covered


@njit(cache=True, parallel=True)
def term_index(line: Any, network: Any, category: Any, n_cat: int, size: int) -> tuple[Any, Any]:
    """Each line's (line, network, category) key ``(line * 2 + network) * n_cat + category`` as an
    index into the keys present (ascending), and how many lines have each of the ``size`` keys
    (present: more than none). Chunks of lines run in parallel, each counting into its own row."""
    n = line.shape[0]
    out = np.empty(n, dtype=np.int32)  # the keys present: a few dozen
    chunks = LINE_CHUNKS
    part = np.zeros((chunks, max(size, 1)), dtype=np.int64)
    for c in prange(chunks):
        for i in range((n * c) // chunks, (n * (c + 1)) // chunks):
            part[c, (np.int64(line[i]) * 2 + network[i]) * n_cat + category[i]] += 1
    counts = np.zeros(max(size, 1), dtype=np.int64)
    for c in range(chunks):
        for key in range(size):
            counts[key] += part[c, key]
    lut = np.empty(max(size, 1), dtype=np.int64)
    k = 0
    for key in range(size):
        lut[key] = k
        if counts[key]:
            k += 1
    for i in prange(n):
        out[i] = lut[(np.int64(line[i]) * 2 + network[i]) * n_cat + category[i]]
    return out, counts
