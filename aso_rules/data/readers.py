"""Reading and validating enrollment and claims: every input row becomes a record or a reject.

On entry: a source (a ``.csv``/``.parquet`` path, a ``pyarrow.Table``, a pandas or polars
``DataFrame``) with the columns of docs/contracts.md "Data contracts", and the compiled ``Ruleset``.
On exit: ``EnrollmentInput``/``ClaimsInput`` where each data row (1-based, header excluded) is either
an accepted record or a ``Reject`` with that row number and a reason that starts with a stable key
(``missing_field``, ``bad_date``, ``bad_amount``, ``negative_billed``, ``duplicate_claim_id``,
``unknown_member``, ``unknown_line``, ``paid_before_incurred``, ``disability_without_dates``, ...).
``received == len(records) + len(rejects)`` always: nothing is silently dropped. Money is exact
``Decimal`` cents parsed from text, never from a float. A missing required *column* or an unreadable
source raises ``InputError``; a bad *value* only rejects its row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs
import numpy as np
import pyarrow as pa

from aso_rules.data.columnar import fast_claims
from aso_rules.data.fields import (
    RowError,
    cleaned,
    no_nul,
    non_negative,
    parse_choice,
    parse_date,
    parse_money,
    parse_units,
    required_date,
    required_money,
    required_text,
)
from aso_rules.data.records import ClaimRecord, MemberRecord, Reject
from aso_rules.data.source import (
    InputError,
    TextTable,
    bad_rows,
    check_unique,
    column_text,
    read_text_table,
    to_arrow,
    with_lines,
)
from aso_rules.model import FrozenMap, Ruleset
from aso_rules.money import Money

ENROLLMENT_REQUIRED: tuple[str, ...] = ("member_id", "family_id", "relationship", "tier", "coverage_start")
ENROLLMENT_OPTIONAL: tuple[str, ...] = (
    "coverage_end",
    "birth_date",
    "sex",
    "annual_salary",
    "weekly_earnings",
)
CLAIMS_REQUIRED: tuple[str, ...] = ("claim_id", "member_id", "line", "category", "incurred", "paid", "billed")
CLAIMS_OPTIONAL: tuple[str, ...] = (
    "family_id",
    "network",
    "code",
    "units",
    "allowed",
    "weekly_earnings",
    "absence_start",
    "absence_end",
    "cause",
)
RELATIONSHIPS: tuple[str, ...] = ("employee", "spouse", "child", "other")
NETWORKS: tuple[str, ...] = ("in", "out")
CAUSES: tuple[str, ...] = ("illness", "accident")
DISABILITY_KINDS: frozenset[str] = frozenset({"std", "ltd"})


@attrs.frozen
class EnrollmentInput:
    """Validated enrollment: accepted members, rejected rows, and the number of data rows read."""

    members: tuple[MemberRecord, ...]
    rejects: tuple[Reject, ...]
    received: int

    def by_id(self) -> dict[str, MemberRecord]:
        """The accepted members keyed by ``member_id``."""
        return {m.member_id: m for m in self.members}


@attrs.frozen
class ClaimsInput:
    """Validated claims: accepted lines, rejected rows, rows read, and the input column names."""

    claims: tuple[ClaimRecord, ...]
    rejects: tuple[Reject, ...]
    received: int
    columns: tuple[str, ...]  # input column names, in input order


def _require_columns(table: TextTable, required: tuple[str, ...], what: str) -> None:
    missing = [c for c in required if c not in table.columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise InputError(f"{what}: missing required column{plural} {', '.join(missing)}")


def _getter(table: TextTable, name: str) -> list[str | None]:
    """The column's values, or a column of nulls when the optional column is absent."""
    column = table.columns.get(name)
    return column if column is not None else [None] * table.rows


def _load(source: Any, what: str) -> TextTable:
    if isinstance(source, EnrollmentInput | ClaimsInput):
        raise InputError(f"{what}: already validated input given where a table was expected")
    return read_text_table(source)


# --------------------------------------------------------------------------- enrollment


def read_enrollment(source: Any, ruleset: Ruleset) -> EnrollmentInput:
    """Read and validate enrollment rows (docs/contracts.md enrollment.csv); see the module docstring."""
    table = _load(source, "enrollment")
    _require_columns(table, ENROLLMENT_REQUIRED, "enrollment")
    names = ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL
    tiers = frozenset(ruleset.tier_codes)
    members: list[MemberRecord] = []
    rejects: list[Reject] = []
    first_row: dict[str, int] = {}
    rows = zip(*(cleaned(_getter(table, name)) for name in names), strict=True)
    for row, values in enumerate(rows, start=1):
        unreadable = table.bad.get(row - 1)
        if unreadable is not None:
            rejects.append(Reject(row=row, claim_id="", reason=unreadable))
            continue
        try:
            members.append(_member(*values, row=row, tiers=tiers, first_row=first_row))
        except RowError as err:
            rejects.append(Reject(row=row, claim_id=values[0] or "", reason=err.reason))
    return EnrollmentInput(members=tuple(members), rejects=with_lines(rejects, source), received=table.rows)


def _member(
    member_id: str | None,
    family_id: str | None,
    relationship: str | None,
    tier: str | None,
    coverage_start: str | None,
    coverage_end: str | None,
    birth_date: str | None,
    sex: str | None,
    annual_salary: str | None,
    weekly_earnings: str | None,
    *,
    row: int,
    tiers: frozenset[str],
    first_row: dict[str, int],
) -> MemberRecord:
    no_nul(
        (member_id, family_id, relationship, tier, coverage_start, coverage_end, birth_date, sex,
         annual_salary, weekly_earnings),
        ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL,
    )  # fmt: skip
    mid = required_text(member_id, "member_id")
    seen = first_row.setdefault(mid, row)
    if seen != row:
        raise RowError(f"duplicate_member_id: {mid} first seen on row {seen}")
    fid = required_text(family_id, "family_id")
    rel = parse_choice(relationship, "relationship", RELATIONSHIPS)
    if rel is None:
        raise RowError("missing_field: relationship is empty")
    tier_code = required_text(tier, "tier")
    start = required_date(coverage_start, "coverage_start")
    end = parse_date(coverage_end, "coverage_end")
    birth = parse_date(birth_date, "birth_date")
    salary = parse_money(annual_salary, "annual_salary")
    weekly = parse_money(weekly_earnings, "weekly_earnings")
    if tiers and tier_code not in tiers:
        declared = ", ".join(sorted(tiers))
        raise RowError(f"unknown_tier: {tier_code} is not a tier of this ruleset ({declared})")
    if end is not None and end < start:
        raise RowError(f"coverage_end_before_start: coverage_end {end} is before coverage_start {start}")
    non_negative(salary, "annual_salary")
    non_negative(weekly, "weekly_earnings")
    return MemberRecord(
        member_id=mid,
        family_id=fid,
        relationship=rel,
        tier=tier_code,
        coverage_start=start,
        coverage_end=end,
        birth_date=birth,
        sex=sex,
        annual_salary=salary,
        weekly_earnings=weekly,
    )


# --------------------------------------------------------------------------- claims


def known_categories(ruleset: Ruleset, line: str) -> frozenset[str]:
    """The categories the ruleset names for ``line``: its own cost-sharing rules (every network),
    limits, exclusions, dental classes and fee-schedule categories. Any other category of a covered
    line takes the line's default cost sharing. An unknown or excluded line names none."""
    coverage = ruleset.coverages.get(line)
    if coverage is None:
        return frozenset()
    names: set[str] = set()
    for sharing in coverage.networks.values():
        names.update(sharing.categories)
    names.update(limit.category for limit in coverage.limits)
    for exclusion in coverage.exclusions:
        names.update(exclusion.categories)
    if coverage.dental is not None:
        names.update(coverage.dental.classes)
    schedule = ruleset.fee_schedules.get(line)
    if schedule is not None:
        names.update(schedule.categories)
    return frozenset(names)


@attrs.frozen
class _LineKinds:
    """What the claim reader needs to know of the ruleset's lines."""

    kinds: Mapping[str, str]  # coverage name -> kind
    excluded: frozenset[str]

    @classmethod
    def of(cls, ruleset: Ruleset) -> _LineKinds:
        return cls(
            kinds={name: cov.kind for name, cov in ruleset.coverages.items()},
            excluded=frozenset(ruleset.excluded_lines),
        )


def read_claims(source: Any, ruleset: Ruleset, members: Mapping[str, MemberRecord]) -> ClaimsInput:
    """Read and validate claim lines (docs/contracts.md claims.csv) against the ruleset and the enrollment.

    Duplicate ``claim_id``: the first row carrying the id owns it (even if that row is itself
    rejected for another reason); every later row with the id is rejected, naming the first row.
    Clean rows are accepted by whole-column checks (``columnar``); every other row goes through the
    row-by-row checks, which name the reason.
    """
    return _read_claims(source, ruleset, members, columnar=True)


def _read_claims(
    source: Any, ruleset: Ruleset, members: Mapping[str, MemberRecord], *, columnar: bool
) -> ClaimsInput:
    """``read_claims``; ``columnar=False`` sends every row through the row-by-row checks (tests)."""
    if isinstance(source, EnrollmentInput | ClaimsInput):
        raise InputError("claims: already validated input given where a table was expected")
    arrow = to_arrow(source)
    input_names = tuple(str(n) for n in arrow.column_names)
    check_unique(input_names, "claims")
    missing = [c for c in CLAIMS_REQUIRED if c not in input_names]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise InputError(f"claims: missing required column{plural} {', '.join(missing)}")
    names = CLAIMS_REQUIRED + CLAIMS_OPTIONAL
    extra_names = tuple(n for n in input_names if n not in set(names))
    extras = [column_text(arrow.column(n)) for n in extra_names]
    lines = _LineKinds.of(ruleset)

    # the first row of each claim id, over the whole input (both paths name it)
    first_row: dict[str, int] = {}
    repeated: set[str] = set()
    ids = cleaned(column_text(arrow.column("claim_id")))
    for row, cid in enumerate(ids, start=1):
        if cid is not None and first_row.setdefault(cid, row) != row:
            repeated.add(cid)
    duplicated = np.zeros(arrow.num_rows, dtype=bool)
    if repeated:
        duplicated = np.fromiter((cid in repeated for cid in ids), dtype=bool, count=len(ids))

    fast = fast_claims(arrow, names, lines.kinds, lines.excluded, members, duplicated) if columnar else None
    claims: list[ClaimRecord] = fast.records if fast is not None else []
    slow_rows = np.flatnonzero(~fast.accepted) if fast is not None else np.arange(arrow.num_rows)
    rejects: list[Reject] = []
    if len(slow_rows):
        table = read_text_table(arrow.take(pa.array(slow_rows)) if fast is not None else arrow)
        slow: list[ClaimRecord] = []
        values_by_row = zip(*(cleaned(_getter(table, name)) for name in names), strict=True)
        unreadable = bad_rows(arrow)
        for row, values in zip((slow_rows + 1).tolist(), values_by_row, strict=True):
            why = unreadable.get(row - 1)
            if why is not None:
                rejects.append(Reject(row=row, claim_id="", reason=why))
                continue
            try:
                slow.append(_claim(*values, row=row, lines=lines, members=members, first_row=first_row))
            except RowError as err:
                rejects.append(Reject(row=row, claim_id=values[0] or "", reason=err.reason))
        claims = sorted(claims + slow, key=lambda c: c.row) if claims and slow else (claims or slow)
    if extra_names:
        claims = [
            attrs.evolve(
                c,
                extra=FrozenMap(
                    {n: _extra_text(col[c.row - 1]) for n, col in zip(extra_names, extras, strict=True)}
                ),
            )
            for c in claims
        ]
    return ClaimsInput(
        claims=tuple(claims),
        rejects=with_lines(rejects, source),
        received=arrow.num_rows,
        columns=input_names,
    )


def _extra_text(value: str | None) -> str:
    return "" if value is None else value


_NO_EXTRA: FrozenMap[str, Any] = FrozenMap()


def _claim(
    claim_id: str | None,
    member_id: str | None,
    line: str | None,
    category: str | None,
    incurred: str | None,
    paid: str | None,
    billed: str | None,
    family_id: str | None,
    network: str | None,
    code: str | None,
    units: str | None,
    allowed: str | None,
    weekly_earnings: str | None,
    absence_start: str | None,
    absence_end: str | None,
    cause: str | None,
    *,
    row: int,
    lines: _LineKinds,
    members: Mapping[str, MemberRecord],
    first_row: dict[str, int],
) -> ClaimRecord:
    no_nul(
        (claim_id, member_id, line, category, incurred, paid, billed, family_id, network, code, units,
         allowed, weekly_earnings, absence_start, absence_end, cause),
        CLAIMS_REQUIRED + CLAIMS_OPTIONAL,
    )  # fmt: skip
    cid = required_text(claim_id, "claim_id")
    seen = first_row.setdefault(cid, row)
    if seen != row:
        raise RowError(f"duplicate_claim_id: {cid} first seen on row {seen}")
    mid = required_text(member_id, "member_id")
    line_name = required_text(line, "line")
    category_name = required_text(category, "category")
    incurred_on = required_date(incurred, "incurred")
    paid_on = required_date(paid, "paid")
    billed_amount = required_money(billed, "billed")
    network_name = parse_choice(network, "network", NETWORKS, default="in") or "in"
    unit_count = parse_units(units)
    allowed_amount = parse_money(allowed, "allowed")
    weekly = parse_money(weekly_earnings, "weekly_earnings")
    start = parse_date(absence_start, "absence_start")
    end = parse_date(absence_end, "absence_end")
    cause_name = parse_choice(cause, "cause", CAUSES)
    non_negative(billed_amount, "billed", "negative_billed")
    non_negative(allowed_amount, "allowed", "negative_allowed")
    non_negative(weekly, "weekly_earnings")

    member = members.get(mid)
    if member is None:
        raise RowError(f"unknown_member: {mid} is not in the enrollment")
    if family_id is None:
        family_id = member.family_id
    elif family_id != member.family_id:
        raise RowError(
            f"family_mismatch: family_id {family_id} differs from the enrollment's "
            f"{member.family_id} for {mid}"
        )
    kind = lines.kinds.get(line_name)
    if kind is None and line_name not in lines.excluded:
        raise RowError(f"unknown_line: {line_name} is not a coverage of this ruleset")
    if paid_on < incurred_on:
        raise RowError(f"paid_before_incurred: paid {paid_on} is before incurred {incurred_on}")
    if kind in DISABILITY_KINDS:
        _check_disability(line_name, start, end, weekly, member)

    return ClaimRecord(
        row=row,
        claim_id=cid,
        member_id=mid,
        family_id=family_id,
        line=line_name,
        category=category_name,
        incurred=incurred_on,
        paid=paid_on,
        billed=billed_amount,
        network=network_name,
        code=code,
        units=unit_count,
        allowed=allowed_amount,
        weekly_earnings=weekly,
        absence_start=start,
        absence_end=end,
        cause=cause_name,
        extra=_NO_EXTRA,
    )


def _check_disability(
    line: str,
    start: date | None,
    end: date | None,
    weekly: Money | None,
    member: MemberRecord,
) -> None:
    if start is None or end is None:
        missing = " and ".join(
            name for name, value in (("absence_start", start), ("absence_end", end)) if value is None
        )
        raise RowError(f"disability_without_dates: a {line} claim needs {missing}")
    if end < start:
        raise RowError(f"absence_end_before_start: absence_end {end} is before absence_start {start}")
    if weekly is None and member.weekly_earnings is None and member.annual_salary is None:
        raise RowError(
            f"disability_without_earnings: a {line} claim needs weekly_earnings, and member "
            f"{member.member_id} has no annual_salary or weekly_earnings in the enrollment"
        )


__all__ = [
    "CLAIMS_OPTIONAL",
    "CLAIMS_REQUIRED",
    "ENROLLMENT_OPTIONAL",
    "ENROLLMENT_REQUIRED",
    "ClaimsInput",
    "EnrollmentInput",
    "InputError",
    "known_categories",
    "read_claims",
    "read_enrollment",
]
