"""Reading the administrator's adjudicated claims: every row becomes a ``PaidRow`` or a ``Reject``.

On entry: a source (path, Arrow table, pandas or polars frame) with the claims columns of
docs/contracts.md plus the administrator's figures (``ADJUDICATED_REQUIRED``): ``allowed``,
``plan_paid``, ``member_paid`` and ``status`` (``paid``, ``denied``, ``void``, or ``approved``:
adjudicated and payable but not yet paid, its ``paid`` the date it was adjudicated), and optionally
``deductible``, ``copay``, ``coinsurance``, ``claim_version`` and ``adjustment_of``
(``ADJUDICATED_OPTIONAL``). An ``aso settle`` ledger is such a file as it stands.

On exit: ``PaidInput`` with one ``PaidRow`` per accepted row (input row order) and a ``Reject`` per
other row, ``received == len(rows) + len(rejects)``. Amounts may be negative (recoveries, manual
adjustments). Versions of a claim share its ``claim_id`` and differ in ``claim_version``; an
adjustment row has its own ``claim_id`` and names the claim it adjusts in ``adjustment_of``.
Row-level reasons (stable keys first): the claims reader's (``missing_field``, ``bad_date``,
``bad_amount``, ``unknown_member``, ``family_mismatch``, ``unknown_line``, ``paid_before_incurred``)
and ``bad_value`` (status), ``bad_version``, ``duplicate_claim_version``, ``duplicate_claim_id``,
``unknown_adjustment_target``, ``adjustment_of_adjustment``, ``version_changes_claimant``,
``adjustment_changes_claimant``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

from aso_rules.data.fields import (
    RowError,
    cleaned,
    parse_choice,
    parse_money,
    parse_units,
    required_date,
    required_money,
    required_text,
)
from aso_rules.data.readers import CLAIMS_REQUIRED, NETWORKS, InputError
from aso_rules.data.records import ClaimRecord, MemberRecord, Reject
from aso_rules.data.source import check_unique, read_text_table
from aso_rules.model import FrozenMap, Ruleset
from aso_rules.money import ZERO, Money

ADJUDICATED_REQUIRED: tuple[str, ...] = (*CLAIMS_REQUIRED, "allowed", "plan_paid", "member_paid", "status")
ADJUDICATED_OPTIONAL: tuple[str, ...] = (
    "family_id",
    "network",
    "code",
    "units",
    "deductible",
    "copay",
    "coinsurance",
    "claim_version",
    "adjustment_of",
    "reason",
)
_RECORD_COLUMNS = frozenset((*CLAIMS_REQUIRED, "allowed", "family_id", "network", "code", "units"))
STATUSES: tuple[str, ...] = ("paid", "denied", "void", "approved")
PaidStatus = Literal["paid", "denied", "void", "approved"]


@attrs.frozen
class Amounts:
    """The administrator's figures for one row (or their net over a claim)."""

    allowed: Money = ZERO
    plan_paid: Money = ZERO
    member_paid: Money = ZERO
    deductible: Money = ZERO
    copay: Money = ZERO
    coinsurance: Money = ZERO

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other), strict=True)))

    def __sub__(self, other: Amounts) -> Amounts:
        return Amounts(*(a - b for a, b in zip(attrs.astuple(self), attrs.astuple(other), strict=True)))

    @property
    def is_zero(self) -> bool:
        return not any(attrs.astuple(self))


@attrs.frozen
class PaidRow:
    """One accepted row: the claim as a record (``allowed`` set), the administrator's status,
    figures and reason, its version (``None``: the only one) and the claim it adjusts (if any)."""

    claim: ClaimRecord
    status: PaidStatus
    amounts: Amounts
    version: int | None = None
    adjustment_of: str | None = None
    reason: str = ""

    @property
    def effective(self) -> Amounts:
        """What this row says the claim (version) stands at: a void is zero."""
        return Amounts() if self.status == "void" else self.amounts


@attrs.frozen
class PaidInput:
    rows: tuple[PaidRow, ...]
    rejects: tuple[Reject, ...]
    received: int
    columns: tuple[str, ...]


def read_adjudicated(source: object, ruleset: Ruleset, members: Mapping[str, MemberRecord]) -> PaidInput:
    """Read and validate adjudicated claim rows; see the module docstring."""
    table = read_text_table(source)
    check_unique(table.names, "claims")
    missing = [c for c in ADJUDICATED_REQUIRED if c not in table.columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise InputError(f"adjudicated claims: missing required column{plural} {', '.join(missing)}")
    # every column that is not a claim record field travels as text (the administrator's figures
    # appear in the ledger as given: input_plan_paid, input_status, ...)
    extra_names = tuple(n for n in table.names if n not in _RECORD_COLUMNS)

    def column(name: str) -> list[str | None]:
        values = table.columns.get(name)
        return cleaned(values) if values is not None else [None] * table.rows

    cols = {name: column(name) for name in ADJUDICATED_REQUIRED + ADJUDICATED_OPTIONAL}
    lines = {name: cov.kind for name, cov in ruleset.coverages.items()}
    excluded = frozenset(ruleset.excluded_lines)
    parsed: list[PaidRow] = []
    rejects: list[Reject] = []
    for i in range(table.rows):
        row = i + 1
        values = {name: cols[name][i] for name in cols}
        try:
            claim = _claim(values, row, members, lines, excluded)
            extra = {n: table.columns[n][i] or "" for n in extra_names}
            if extra:
                claim = attrs.evolve(claim, extra=FrozenMap(extra))
            parsed.append(_row(claim, values))
        except RowError as err:
            rejects.append(Reject(row=row, claim_id=values["claim_id"] or "", reason=err.reason))
    accepted, more = _link(parsed)
    return PaidInput(
        rows=tuple(accepted),
        rejects=tuple(sorted(rejects + more, key=lambda r: r.row)),
        received=table.rows,
        columns=table.names,
    )


def _claim(
    values: Mapping[str, str | None],
    row: int,
    members: Mapping[str, MemberRecord],
    lines: Mapping[str, str],
    excluded: frozenset[str],
) -> ClaimRecord:
    cid = required_text(values["claim_id"], "claim_id")
    mid = required_text(values["member_id"], "member_id")
    line = required_text(values["line"], "line")
    category = required_text(values["category"], "category")
    incurred = required_date(values["incurred"], "incurred")
    paid = required_date(values["paid"], "paid")
    billed = required_money(values["billed"], "billed")
    allowed = required_money(values["allowed"], "allowed")
    network = parse_choice(values["network"], "network", NETWORKS, default="in") or "in"
    units = parse_units(values["units"])
    member = members.get(mid)
    if member is None:
        raise RowError(f"unknown_member: {mid} is not in the enrollment")
    family = values["family_id"]
    if family is not None and family != member.family_id:
        raise RowError(
            f"family_mismatch: family_id {family} differs from the enrollment's {member.family_id} for {mid}"
        )
    if line not in lines and line not in excluded:
        raise RowError(f"unknown_line: {line} is not a coverage of this ruleset")
    if paid < incurred:
        raise RowError(f"paid_before_incurred: paid {paid} is before incurred {incurred}")
    return ClaimRecord(
        row=row,
        claim_id=cid,
        member_id=mid,
        family_id=member.family_id,
        line=line,
        category=category,
        incurred=incurred,
        paid=paid,
        billed=billed,
        network=network,
        code=values["code"],
        units=units,
        allowed=allowed,
    )


def _row(claim: ClaimRecord, values: Mapping[str, str | None]) -> PaidRow:
    status = parse_choice(values["status"], "status", STATUSES)
    if status is None:
        raise RowError("missing_field: status is empty")
    amounts = Amounts(
        allowed=claim.allowed or ZERO,
        plan_paid=required_money(values["plan_paid"], "plan_paid"),
        member_paid=required_money(values["member_paid"], "member_paid"),
        deductible=parse_money(values["deductible"], "deductible") or ZERO,
        copay=parse_money(values["copay"], "copay") or ZERO,
        coinsurance=parse_money(values["coinsurance"], "coinsurance") or ZERO,
    )
    version: int | None = None
    if values["claim_version"] is not None:
        try:
            version = int(values["claim_version"])
        except ValueError:
            version = 0
        if version < 1 or not values["claim_version"].isdigit():
            raise RowError(
                f"bad_version: claim_version {values['claim_version']!r} is not a whole number >= 1"
            )
    target = values["adjustment_of"]
    if target is not None and target == claim.claim_id:
        raise RowError(f"unknown_adjustment_target: {claim.claim_id} cannot adjust itself")
    return PaidRow(
        claim=claim,
        status=status,  # type: ignore[arg-type]
        amounts=amounts,
        version=version,
        adjustment_of=target,
        reason=values["reason"] or "",
    )


def _link(rows: list[PaidRow]) -> tuple[list[PaidRow], list[Reject]]:
    """Versions unique per claim with one claimant and line; adjustments pointing at a claim."""
    first: dict[tuple[str, int | None], int] = {}
    claimant: dict[str, tuple[str, str]] = {}
    versioned: dict[str, bool] = {}
    accepted: list[PaidRow] = []
    rejects: list[Reject] = []

    def refuse(r: PaidRow, reason: str) -> None:
        rejects.append(Reject(row=r.claim.row, claim_id=r.claim.claim_id, reason=reason))

    for r in rows:
        if r.adjustment_of is not None:
            continue
        c = r.claim
        key = (c.claim_id, r.version)
        seen = first.get(key)
        if seen is not None:
            what = "duplicate_claim_version" if r.version is not None else "duplicate_claim_id"
            label = f"{c.claim_id} version {r.version}" if r.version is not None else c.claim_id
            refuse(r, f"{what}: {label} first seen on row {seen}")
            continue
        if versioned.setdefault(c.claim_id, r.version is not None) != (r.version is not None):
            refuse(r, f"duplicate_claim_id: {c.claim_id} has rows with and without claim_version")
            continue
        owner = claimant.setdefault(c.claim_id, (c.member_id, c.line))
        if owner != (c.member_id, c.line):
            refuse(
                r,
                f"version_changes_claimant: {c.claim_id} is {owner[0]} / {owner[1]} in its first version; "
                "a change of member or line is a void and a new claim",
            )
            continue
        first[key] = c.row
        accepted.append(r)
    adjusted = {k[0] for k in first}
    adjustment_ids = {r.claim.claim_id for r in rows if r.adjustment_of is not None}
    taken: set[str] = set()
    for r in rows:
        if r.adjustment_of is None:
            continue
        c = r.claim
        if r.adjustment_of in adjustment_ids and r.adjustment_of not in adjusted:
            refuse(r, f"adjustment_of_adjustment: {r.adjustment_of} is itself an adjustment; name the claim")
        elif r.adjustment_of not in adjusted:
            refuse(r, f"unknown_adjustment_target: {r.adjustment_of} is not a claim of this file")
        elif c.claim_id in adjusted or c.claim_id in taken:
            refuse(r, f"duplicate_claim_id: adjustment {c.claim_id} reuses the id of another row")
        elif claimant[r.adjustment_of] != (c.member_id, c.line):
            owner = claimant[r.adjustment_of]
            refuse(
                r,
                f"adjustment_changes_claimant: {r.adjustment_of} is {owner[0]} / {owner[1]}, "
                f"the adjustment {c.member_id} / {c.line}",
            )
        else:
            taken.add(c.claim_id)
            accepted.append(r)
    accepted.sort(key=lambda r: r.claim.row)
    return accepted, rejects


__all__ = [
    "ADJUDICATED_OPTIONAL",
    "ADJUDICATED_REQUIRED",
    "Amounts",
    "PaidInput",
    "PaidRow",
    "read_adjudicated",
]
