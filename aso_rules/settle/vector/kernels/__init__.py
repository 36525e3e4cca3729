"""The vector engine's compiled loops (numba), one module per job:

- ``arithmetic``: exact rounding of a fraction of cents, the "no limit" sentinel, block gathers;
- ``days``: the calendar in integers (day numbers, whole months added);
- ``ordering``: stable counting sorts of line indices (``counting_sort``, ``bucket_sort``,
  ``group_order``, ``family_day_order``);
- ``scans``: single passes over a column (span, non-zero positions, reason lines, flag bits);
- ``lines``: the per-line checks and prices (``prepare``) and short-term disability periods;
- ``accumulators``: adjudication with accumulators (``adjudicate``), family by family;
- ``stoploss``: specific and aggregate stop-loss by family and the aggregate's monthly sums;
- ``sums``: exact sums for fees, the summary and monthly enrollment, and the term keys;
- ``cache``: numba's on-disk cache keyed on every kernel module's source and constants.

On entry: integer columns (any integer dtype; the loops promote to int64) already in the orders the
reference engine uses (``order`` lists line indices in processing order or grouped by family with
each family's lines in processing order; ``specific_events`` gets its few lines in ascending (paid,
claim_id)) and the integer plan tables of ``plan.py``, read by the column names of ``layout.py``.
On exit: the output arrays passed in are filled in place, or the sums are returned.

Plan parameters are always arguments, never module globals (docs/performance.md trap 3: numba's
``cache=True`` would freeze a global). Cents are int64 throughout (trap 4). Rounding is the integer
form of ``round_money(x * num / den, mode)``: exact for half-up and half-even (trap 1, 2).

Callers use the package (``kernels.adjudicate``): every kernel is re-exported here.
"""

from __future__ import annotations

from aso_rules.settle.vector.kernels import (
    accumulators,
    arithmetic,
    days,
    lines,
    ordering,
    scans,
    stoploss,
    sums,
)
from aso_rules.settle.vector.kernels.accumulators import adjudicate
from aso_rules.settle.vector.kernels.arithmetic import BIG, BLOCK, LINE_CHUNKS, gather, round_div
from aso_rules.settle.vector.kernels.cache import fingerprint, key_caches
from aso_rules.settle.vector.kernels.days import add_months_day, add_months_many, civil, day_of
from aso_rules.settle.vector.kernels.lines import prepare, std_periods
from aso_rules.settle.vector.kernels.ordering import (
    GROUP_BUCKET_BITS,
    bucket_rows,
    bucket_sort,
    counting_sort,
    family_day_order,
    group_order,
    threads,
)
from aso_rules.settle.vector.kernels.scans import (
    all_distinct,
    flag_bit,
    flat_equal,
    flat_nonzero,
    is_identity,
    reason_lines,
    span,
    static_codes,
)
from aso_rules.settle.vector.kernels.stoploss import month_sums, specific_events, stoploss_lines
from aso_rules.settle.vector.kernels.sums import (
    ACT_COUNTED,
    ACT_LINES,
    ACT_PAID,
    ACT_PLAN,
    ACT_SAVINGS,
    BY_ALLOWED,
    BY_BILLED,
    BY_LINES,
    BY_MEMBER,
    BY_PLAN,
    line_sums,
    month_counts,
    term_index,
)

MODULES = (arithmetic, days, ordering, scans, lines, accumulators, stoploss, sums)
"""Every module of compiled kernels: their caches are keyed on all of them (``cache``)."""

key_caches(MODULES)

__all__ = [
    "ACT_COUNTED",
    "ACT_LINES",
    "ACT_PAID",
    "ACT_PLAN",
    "ACT_SAVINGS",
    "BIG",
    "BLOCK",
    "BY_ALLOWED",
    "BY_BILLED",
    "BY_LINES",
    "BY_MEMBER",
    "BY_PLAN",
    "GROUP_BUCKET_BITS",
    "LINE_CHUNKS",
    "MODULES",
    "add_months_day",
    "add_months_many",
    "adjudicate",
    "all_distinct",
    "bucket_rows",
    "bucket_sort",
    "civil",
    "counting_sort",
    "day_of",
    "family_day_order",
    "fingerprint",
    "flag_bit",
    "flat_equal",
    "flat_nonzero",
    "gather",
    "group_order",
    "is_identity",
    "line_sums",
    "month_counts",
    "month_sums",
    "prepare",
    "reason_lines",
    "round_div",
    "span",
    "specific_events",
    "static_codes",
    "std_periods",
    "stoploss_lines",
    "term_index",
    "threads",
]
