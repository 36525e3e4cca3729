"""Reading and validating enrollment and claims: every input row becomes a record or a reject.

On entry: a source (a ``.csv``/``.parquet`` path, a ``pyarrow.Table``, a pandas or polars
``DataFrame``) with the columns of DESIGN.md "Data contracts", and the compiled ``Ruleset``.
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

from aso_rules.data.fields import (
    RowError,
    clean,
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
from aso_rules.data.source import InputError, TextTable, read_text_table
from aso_rules.model import Ruleset
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
    """Read and validate enrollment rows (DESIGN.md enrollment.csv); see the module docstring."""
    table = _load(source, "enrollment")
    _require_columns(table, ENROLLMENT_REQUIRED, "enrollment")
    cols = {name: _getter(table, name) for name in ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL}
    tiers = frozenset(ruleset.tier_codes)
    members: list[MemberRecord] = []
    rejects: list[Reject] = []
    first_row: dict[str, int] = {}
    for i in range(table.rows):
        row = i + 1
        raw_id = clean(cols["member_id"][i]) or ""
        try:
            members.append(_member(cols, i, row, tiers, first_row))
        except RowError as err:
            rejects.append(Reject(row=row, claim_id=raw_id, reason=err.reason))
    return EnrollmentInput(members=tuple(members), rejects=tuple(rejects), received=table.rows)


def _member(
    cols: Mapping[str, list[str | None]],
    i: int,
    row: int,
    tiers: frozenset[str],
    first_row: dict[str, int],
) -> MemberRecord:
    member_id = required_text(cols["member_id"][i], "member_id")
    seen = first_row.setdefault(member_id, row)
    if seen != row:
        raise RowError(f"duplicate_member_id: {member_id} first seen on row {seen}")
    family_id = required_text(cols["family_id"][i], "family_id")
    relationship = parse_choice(cols["relationship"][i], "relationship", RELATIONSHIPS)
    if relationship is None:
        raise RowError("missing_field: relationship is empty")
    tier = required_text(cols["tier"][i], "tier")
    start = required_date(cols["coverage_start"][i], "coverage_start")
    end = parse_date(cols["coverage_end"][i], "coverage_end")
    birth = parse_date(cols["birth_date"][i], "birth_date")
    salary = parse_money(cols["annual_salary"][i], "annual_salary")
    weekly = parse_money(cols["weekly_earnings"][i], "weekly_earnings")
    if tiers and tier not in tiers:
        raise RowError(f"unknown_tier: {tier} is not a tier of this ruleset ({', '.join(sorted(tiers))})")
    if end is not None and end < start:
        raise RowError(f"coverage_end_before_start: coverage_end {end} is before coverage_start {start}")
    non_negative(salary, "annual_salary")
    non_negative(weekly, "weekly_earnings")
    return MemberRecord(
        member_id=member_id,
        family_id=family_id,
        relationship=relationship,
        tier=tier,
        coverage_start=start,
        coverage_end=end,
        birth_date=birth,
        sex=clean(cols["sex"][i]),
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
    """Read and validate claim lines (DESIGN.md claims.csv) against the ruleset and the enrollment.

    Duplicate ``claim_id``: the first row carrying the id owns it (even if that row is itself
    rejected for another reason); every later row with the id is rejected, naming the first row.
    """
    table = _load(source, "claims")
    _require_columns(table, CLAIMS_REQUIRED, "claims")
    known = set(CLAIMS_REQUIRED + CLAIMS_OPTIONAL)
    extra_names = tuple(n for n in table.names if n not in known)
    cols = {name: _getter(table, name) for name in CLAIMS_REQUIRED + CLAIMS_OPTIONAL}
    extras = {name: table.columns[name] for name in extra_names}
    lines = _LineKinds.of(ruleset)
    claims: list[ClaimRecord] = []
    rejects: list[Reject] = []
    first_row: dict[str, int] = {}
    for i in range(table.rows):
        row = i + 1
        raw_id = clean(cols["claim_id"][i]) or ""
        try:
            record = _claim(cols, i, row, lines, members, first_row)
        except RowError as err:
            rejects.append(Reject(row=row, claim_id=raw_id, reason=err.reason))
            continue
        if extra_names:
            record = attrs.evolve(record, extra={n: _extra_text(extras[n][i]) for n in extra_names})
        claims.append(record)
    return ClaimsInput(claims=tuple(claims), rejects=tuple(rejects), received=table.rows, columns=table.names)


def _extra_text(value: str | None) -> str:
    return "" if value is None else value


def _claim(
    cols: Mapping[str, list[str | None]],
    i: int,
    row: int,
    lines: _LineKinds,
    members: Mapping[str, MemberRecord],
    first_row: dict[str, int],
) -> ClaimRecord:
    claim_id = required_text(cols["claim_id"][i], "claim_id")
    seen = first_row.setdefault(claim_id, row)
    if seen != row:
        raise RowError(f"duplicate_claim_id: {claim_id} first seen on row {seen}")
    member_id = required_text(cols["member_id"][i], "member_id")
    line = required_text(cols["line"][i], "line")
    category = required_text(cols["category"][i], "category")
    incurred = required_date(cols["incurred"][i], "incurred")
    paid = required_date(cols["paid"][i], "paid")
    billed = required_money(cols["billed"][i], "billed")
    family_id = clean(cols["family_id"][i])
    network = parse_choice(cols["network"][i], "network", NETWORKS, default="in") or "in"
    code = clean(cols["code"][i])
    units = parse_units(cols["units"][i])
    allowed = parse_money(cols["allowed"][i], "allowed")
    weekly = parse_money(cols["weekly_earnings"][i], "weekly_earnings")
    absence_start = parse_date(cols["absence_start"][i], "absence_start")
    absence_end = parse_date(cols["absence_end"][i], "absence_end")
    cause = parse_choice(cols["cause"][i], "cause", CAUSES)
    non_negative(billed, "billed", "negative_billed")
    non_negative(allowed, "allowed", "negative_allowed")
    non_negative(weekly, "weekly_earnings")

    member = members.get(member_id)
    if member is None:
        raise RowError(f"unknown_member: {member_id} is not in the enrollment")
    if family_id is None:
        family_id = member.family_id
    elif family_id != member.family_id:
        raise RowError(
            f"family_mismatch: family_id {family_id} differs from the enrollment's "
            f"{member.family_id} for {member_id}"
        )
    kind = lines.kinds.get(line)
    if kind is None and line not in lines.excluded:
        raise RowError(f"unknown_line: {line} is not a coverage of this ruleset")
    if paid < incurred:
        raise RowError(f"paid_before_incurred: paid {paid} is before incurred {incurred}")
    if kind in DISABILITY_KINDS:
        _check_disability(line, absence_start, absence_end, weekly, member)

    return ClaimRecord(
        row=row,
        claim_id=claim_id,
        member_id=member_id,
        family_id=family_id,
        line=line,
        category=category,
        incurred=incurred,
        paid=paid,
        billed=billed,
        network=network,
        code=code,
        units=units,
        allowed=allowed,
        weekly_earnings=weekly,
        absence_start=absence_start,
        absence_end=absence_end,
        cause=cause,
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
