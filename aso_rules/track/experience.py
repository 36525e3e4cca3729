"""A plan year's experience as of a date: the claim lines, enrollment and manual rates tracking reads.

On entry: the ruleset, the enrollment's members, the ledger table (``aso settle``'s ledger: the
columns ``member_id``, ``line``, ``incurred``, ``paid``, ``plan_paid``) and the as-of date. On exit
an ``Experience``: the plan months, the evaluation month (the plan month holding the as-of date),
each line's incurred-month index, lag in months and plan paid in integer cents for the lines
incurred in the plan year and paid on or before the as-of date, the monthly enrollment, and the
expected (manual) claims per month from the ruleset's assumptions.

Lines incurred outside the plan year (another year's claims) and lines paid after the as-of date are
left out of the experience and counted (``excluded``), never dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules.data.enrollment import MonthEnrollment, monthly_enrollment, plan_months
from aso_rules.data.records import MemberRecord
from aso_rules.model import Ruleset
from aso_rules.money import ZERO, Money

IntArray = npt.NDArray[np.int64]


class TrackError(ValueError):
    """Tracking cannot run on these inputs (a user error: the message says why)."""


@attrs.frozen
class Experience:
    ruleset: Ruleset
    as_of: date
    months: tuple[date, ...]  # the 1st of each plan month
    evaluation: int  # index of the plan month holding the as-of date (months 0 .. evaluation observed)
    enrollment: tuple[MonthEnrollment, ...]
    lines: tuple[str, ...]  # coverage line names, sorted
    line: IntArray = attrs.field(eq=False)  # index into ``lines``
    member: tuple[str, ...] = attrs.field(eq=False)
    incurred: IntArray = attrs.field(eq=False)  # plan-month index
    lag: IntArray = attrs.field(eq=False)  # paid month - incurred month
    cents: IntArray = attrs.field(eq=False)  # plan paid
    eligible_lines: tuple[str, ...]  # lines the stop-loss covers (the pricing model's lines)
    expected_by_month: tuple[Money, ...] | None  # manual expected eligible plan paid, per plan month
    excluded: Mapping[str, int]  # reason -> lines left out

    @property
    def observed(self) -> int:
        """Number of plan months observed (incurred and paid) through the as-of date."""
        return self.evaluation + 1

    @property
    def member_months(self) -> tuple[int, ...]:
        return tuple(m.members for m in self.enrollment)

    def line_mask(self, names: Sequence[str]) -> npt.NDArray[np.bool_]:
        idx = [self.lines.index(n) for n in names if n in self.lines]
        return np.isin(self.line, np.array(idx, dtype=np.int64))


def _month_index(days: npt.NDArray[np.datetime64], first: date) -> IntArray:
    months = days.astype("datetime64[M]").astype(np.int64)
    base = np.datetime64(first, "M").astype(np.int64)
    return np.asarray(months - base, dtype=np.int64)


def _cents(column: pa.ChunkedArray) -> IntArray:
    """Exact cents of a money column (decimal or text with two decimals)."""
    if pa.types.is_decimal(column.type):
        scaled = pc.multiply(column.cast(pa.decimal128(20, 2)), pa.scalar(Decimal(100), pa.decimal128(5, 0)))
        return np.asarray(scaled.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    values = column.to_pylist()
    return np.array(
        [int(Decimal(str(v)) * 100) if v not in (None, "") else 0 for v in values], dtype=np.int64
    )


def _dates(column: pa.ChunkedArray) -> npt.NDArray[np.datetime64]:
    if not pa.types.is_date(column.type):
        column = pc.cast(column, pa.date32())
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype="datetime64[D]")


def expected_claims_by_month(
    ruleset: Ruleset, enrollment: Sequence[MonthEnrollment]
) -> tuple[Money, ...] | None:
    """``sum_t expected_t x employees_t`` per month, or ``None`` without ``expected_claims``."""
    from aso_rules.price.funding import expected_by_tier

    expected, _target = expected_by_tier(ruleset, enrollment, ruleset.settings.rounding)
    if not expected:
        return None
    return tuple(sum((expected.get(t, ZERO) * n for t, n in m.employees.items()), ZERO) for m in enrollment)


def experience(
    ruleset: Ruleset, members: Sequence[MemberRecord], ledger: pa.Table, as_of: date
) -> Experience:
    months = tuple(plan_months(ruleset.plan_year))
    if not months:
        raise TrackError("the plan year has no month")
    if as_of < months[0]:
        raise TrackError(f"--as-of {as_of} is before the plan year starts ({months[0]})")
    evaluation = min(
        int(_month_index(np.array([as_of], dtype="datetime64[D]"), months[0])[0]), len(months) - 1
    )
    missing = [
        c for c in ("member_id", "line", "incurred", "paid", "plan_paid") if c not in ledger.column_names
    ]
    if missing:
        raise TrackError(f"the ledger lacks the column(s) {', '.join(missing)}")
    incurred_days = _dates(ledger.column("incurred"))
    paid_days = _dates(ledger.column("paid"))
    inc = _month_index(incurred_days, months[0])
    paid_m = _month_index(paid_days, months[0])
    in_year = (incurred_days >= np.datetime64(ruleset.plan_year.start)) & (
        incurred_days <= np.datetime64(ruleset.plan_year.end)
    )
    paid_ok = paid_days <= np.datetime64(as_of)
    keep = in_year & paid_ok
    excluded = {
        "incurred outside the plan year": int((~in_year).sum()),
        "paid after the as-of date": int((in_year & ~paid_ok).sum()),
    }
    line_names = [str(v) for v in ledger.column("line").to_pylist()]
    lines = tuple(sorted({n for n, k in zip(line_names, keep, strict=True) if k}))
    line_idx = np.array(
        [lines.index(n) if k else -1 for n, k in zip(line_names, keep, strict=True)], dtype=np.int64
    )
    member_ids = [str(v) for v in ledger.column("member_id").to_pylist()]
    cents = _cents(ledger.column("plan_paid"))
    sel = np.flatnonzero(keep)
    lag = paid_m[sel] - inc[sel]
    if len(lag) and lag.min() < 0:
        raise TrackError("a line is paid before it was incurred")
    enrollment = monthly_enrollment(members, ruleset.plan_year, ruleset.tier_codes)
    covered: set[str] = set()
    for t in ruleset.specific:
        covered.update(t.covers)
    if ruleset.aggregate is not None:
        covered.update(ruleset.aggregate.covers)
    if not covered:
        covered = {n for n, c in ruleset.coverages.items() if c.kind in ("medical", "rx")}
    return Experience(
        ruleset=ruleset,
        as_of=as_of,
        months=months,
        evaluation=evaluation,
        enrollment=enrollment,
        lines=lines,
        line=line_idx[sel],
        member=tuple(member_ids[i] for i in sel),
        incurred=inc[sel],
        lag=lag,
        cents=cents[sel],
        eligible_lines=tuple(sorted(covered)),
        expected_by_month=expected_claims_by_month(ruleset, enrollment),
        excluded=excluded,
    )
