"""A claim line and its adjudication as stored values: JSON-ready forms and back, exactly.

``record_to_list`` / ``record_from_list`` are the ledger database's compact form of a validated
claim record; ``line_to_dict`` / ``line_from_dict`` the state's readable form of an adjudicated
line (money as integer cents); ``outcome`` is what a new adjudication row is recorded for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from aso_rules.data.records import ClaimRecord
from aso_rules.model import FrozenMap
from aso_rules.money import from_cents, to_cents
from aso_rules.settle.results import LineResult

__all__ = [
    "MONEY_FIELDS",
    "line_from_dict",
    "line_to_dict",
    "make_line",
    "outcome",
    "record_from_dict",
    "record_from_list",
    "record_to_dict",
    "record_to_list",
]

MONEY_FIELDS = ("allowed", "copay", "deductible", "coinsurance", "over_max", "plan_paid")
_DATE_FIELDS = ("incurred", "paid", "absence_start", "absence_end")
_RECORD_MONEY = ("billed", "allowed", "weekly_earnings")


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


# --------------------------------------------------------------------------- one batch
