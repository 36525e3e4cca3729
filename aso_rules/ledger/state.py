"""Settlement state as a value, and one batch settled against it: ``(batch, state) -> (lines, state)``.

Accumulators (deductible and out-of-pocket per member and family, visit and dollar-limit counters,
disability periods) never cross a family: a family's lines alone, in processing order, reproduce
each of its lines exactly. So the state that carries from one batch to the next is, per family,
its current claim lines in processing order with their adjudication. A batch is settled by
re-adjudicating only the families it touches (new lines, reversed lines, changed enrollment) from
their stored lines plus the new ones, in canonical processing order; every other family is neither
read nor settled. Stop-loss, fees and the summary are year-level figures computed from the current
lines (``aso_rules.ledger.export``), so posting a year in batches gives exactly one settlement of it.

On entry: a ruleset, the enrolled members, a state, the batch's validated claim records (rows
numbered across the ledger) and the claim ids it reverses. On exit: the new state and a
``BatchOutcome`` naming the lines that are new, re-adjudicated (an amount or status differs) or
voided. The state serialises to JSON text and back exactly (``to_json`` / ``from_json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import FrozenMap, Ruleset, fmap
from aso_rules.money import from_cents, to_cents
from aso_rules.settle.order import processing_key
from aso_rules.settle.results import LineResult

__all__ = [
    "MONEY_FIELDS",
    "BatchOutcome",
    "SettlementState",
    "adjudicate_lines",
    "line_from_dict",
    "line_to_dict",
    "make_line",
    "record_from_dict",
    "record_from_list",
    "record_to_dict",
    "record_to_list",
    "settle_batch",
]

MONEY_FIELDS = ("allowed", "copay", "deductible", "coinsurance", "over_max", "plan_paid")
_DATE_FIELDS = ("incurred", "paid", "absence_start", "absence_end")
_RECORD_MONEY = ("billed", "allowed", "weekly_earnings")


@attrs.frozen
class SettlementState:
    """Per family, its current (not voided) claim lines in processing order, adjudicated."""

    families: FrozenMap[str, tuple[LineResult, ...]] = attrs.field(factory=FrozenMap, converter=fmap)

    @property
    def lines(self) -> list[LineResult]:
        return [line for family in self.families.values() for line in family]

    def to_json(self) -> str:
        return json.dumps(
            {fam: [line_to_dict(r) for r in lines] for fam, lines in self.families.items()},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> SettlementState:
        data = json.loads(text)
        return cls(FrozenMap({fam: tuple(line_from_dict(d) for d in lines) for fam, lines in data.items()}))


@attrs.frozen
class BatchOutcome:
    """What one batch changed: lines whose adjudication is new or differs, and voided lines."""

    changed: tuple[LineResult, ...]  # new lines and re-adjudicated ones (an outcome differs)
    new_rows: frozenset[int]  # ledger rows of the batch's own lines (the rest of ``changed`` moved)
    voided: tuple[LineResult, ...]
    families: tuple[str, ...]  # the families re-adjudicated


def record_to_dict(c: ClaimRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in attrs.fields(ClaimRecord):
        value = getattr(c, field.name)
        if field.name == "extra":
            value = {k: None if v is None else str(v) for k, v in value.items()}
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[field.name] = value
    return out


def record_from_dict(d: Mapping[str, Any]) -> ClaimRecord:
    kw = dict(d)
    for name in _DATE_FIELDS:
        if kw.get(name) is not None:
            kw[name] = date.fromisoformat(kw[name])
    for name in _RECORD_MONEY:
        if kw.get(name) is not None:
            kw[name] = Decimal(kw[name])
    return ClaimRecord(**kw)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def record_to_list(c: ClaimRecord) -> list[Any]:
    """A claim record as a positional JSON-ready list (the ledger database's compact form)."""
    return [
        c.row,
        c.claim_id,
        c.member_id,
        c.family_id,
        c.line,
        c.category,
        c.incurred.isoformat(),
        c.paid.isoformat(),
        str(c.billed),
        c.network,
        c.code,
        c.units,
        _text(c.allowed),
        _text(c.weekly_earnings),
        _iso(c.absence_start),
        _iso(c.absence_end),
        c.cause,
        {k: _text(v) for k, v in c.extra.items()} if c.extra else None,
    ]


def record_from_list(v: Sequence[Any], row: int | None = None) -> ClaimRecord:
    """The inverse of ``record_to_list`` (``row`` overrides the stored row)."""
    d = date.fromisoformat
    return ClaimRecord(
        row=v[0] if row is None else row,
        claim_id=v[1],
        member_id=v[2],
        family_id=v[3],
        line=v[4],
        category=v[5],
        incurred=d(v[6]),
        paid=d(v[7]),
        billed=Decimal(v[8]),
        network=v[9],
        code=v[10],
        units=v[11],
        allowed=None if v[12] is None else Decimal(v[12]),
        weekly_earnings=None if v[13] is None else Decimal(v[13]),
        absence_start=None if v[14] is None else d(v[14]),
        absence_end=None if v[15] is None else d(v[15]),
        cause=v[16],
        extra=FrozenMap(v[17] or {}),
    )


def line_to_dict(r: LineResult) -> dict[str, Any]:
    out: dict[str, Any] = {"claim": record_to_dict(r.claim), "status": r.status, "reason": r.reason}
    for name in MONEY_FIELDS:
        out[name] = to_cents(getattr(r, name))
    out["plan_year"] = r.plan_year
    return out


def line_from_dict(d: Mapping[str, Any]) -> LineResult:
    return make_line(
        record_from_dict(d["claim"]), d["status"], d["reason"], d["plan_year"], [d[m] for m in MONEY_FIELDS]
    )


def make_line(
    claim: ClaimRecord, status: str, reason: str, plan_year: int, cents: Sequence[int]
) -> LineResult:
    """A line from its stored outcome (``cents`` in ``MONEY_FIELDS`` order)."""
    allowed, copay, deductible, coinsurance, over_max, plan_paid = (from_cents(int(v)) for v in cents)
    return LineResult(
        claim=claim,
        status="denied" if status == "denied" else "paid",
        reason=reason,
        allowed=allowed,
        copay=copay,
        deductible=deductible,
        coinsurance=coinsurance,
        over_max=over_max,
        plan_paid=plan_paid,
        plan_year=plan_year,
    )


def outcome(r: LineResult) -> tuple[Any, ...]:
    """What the ledger records of a line's adjudication (a change in any of these is a new row)."""
    return (r.status, r.reason, *(getattr(r, name) for name in MONEY_FIELDS), r.plan_year)


# --------------------------------------------------------------------------- engines


def adjudicate_lines(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    claims: Sequence[ClaimRecord],
    engine: str = "reference",
) -> list[LineResult]:
    """Adjudicate claim lines with the reference or the vector engine; results in processing order."""
    if engine == "reference" or not claims:
        from aso_rules.settle.adjudicate import adjudicate

        return adjudicate(ruleset, members, list(claims))
    if engine != "vector":
        raise ValueError(f"the ledger settles with the reference or vector engine, not {engine!r}")
    return _vector_lines(ruleset, members, claims)


def _vector_lines(
    ruleset: Ruleset, members: Mapping[str, MemberRecord], claims: Sequence[ClaimRecord]
) -> list[LineResult]:
    import numpy as np

    from aso_rules.settle.vector.columns import claims_from_records, members_from_records
    from aso_rules.settle.vector.engine import adjudicate_columns
    from aso_rules.settle.vector.settle import reason_texts

    records = sorted(claims, key=lambda c: c.row)
    mcols = members_from_records(list(members.values()), ruleset.tier_codes)
    ccols = claims_from_records(records, mcols)
    adj = adjudicate_columns(ruleset, ccols, mcols, member_records=members)
    texts, codes = reason_texts(ruleset, ccols, mcols, adj)
    reasons = texts.take(codes).to_pylist()
    cols = {name: getattr(adj, name).tolist() for name in MONEY_FIELDS}
    status = adj.status.tolist()
    years = (adj.period.astype(np.int64) + adj.first_year).tolist()
    out = [
        make_line(
            rec,
            "denied" if status[i] else "paid",
            reasons[i] or "",
            years[i],
            [cols[name][i] for name in MONEY_FIELDS],
        )
        for i, rec in enumerate(records)
    ]
    out.sort(key=lambda r: processing_key(ruleset)(r.claim))
    return out


# --------------------------------------------------------------------------- one batch


def settle_batch(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    state: SettlementState,
    claims: Iterable[ClaimRecord],
    *,
    reverses: Iterable[str] = (),
    families: Iterable[str] = (),
    engine: str = "reference",
) -> tuple[BatchOutcome, SettlementState]:
    """Settle one batch against ``state``: ``(outcome, new state)``.

    ``reverses`` are claim ids of current lines the batch voids (each must be in ``state``);
    ``families`` names families to re-adjudicate even without new lines (changed enrollment).
    Only the families touched are re-adjudicated, from their first line, in processing order.
    """
    key = processing_key(ruleset)
    batch = list(claims)
    voided_ids = set(reverses)
    touched: dict[str, None] = dict.fromkeys(families)
    for c in batch:
        touched[c.family_id] = None
    voided: list[LineResult] = []
    if voided_ids:
        for fam, lines in state.families.items():
            hit = [r for r in lines if r.claim.claim_id in voided_ids]
            if hit:
                voided.extend(hit)
                touched[fam] = None
    missing = voided_ids - {r.claim.claim_id for r in voided}
    if missing:
        raise KeyError(f"no current line with claim id {', '.join(sorted(missing))}")
    before: dict[int, LineResult] = {}
    to_settle: list[ClaimRecord] = list(batch)
    for fam in touched:
        for r in state.families.get(fam, ()):
            if r.claim.claim_id not in voided_ids:
                before[r.claim.row] = r
                to_settle.append(r.claim)
    settled = adjudicate_lines(ruleset, members, to_settle, engine)
    grouped: dict[str, list[LineResult]] = {fam: [] for fam in touched}
    for r in settled:
        grouped[r.claim.family_id].append(r)
    changed = tuple(
        r for r in settled if r.claim.row not in before or outcome(before[r.claim.row]) != outcome(r)
    )
    new_families = dict(state.families)
    for fam, family_lines in grouped.items():
        family_lines.sort(key=lambda r: key(r.claim))
        if family_lines:
            new_families[fam] = tuple(family_lines)
        else:
            new_families.pop(fam, None)
    result = BatchOutcome(
        changed=changed,
        new_rows=frozenset(c.row for c in batch),
        voided=tuple(voided),
        families=tuple(touched),
    )
    return result, SettlementState(FrozenMap(new_families))
