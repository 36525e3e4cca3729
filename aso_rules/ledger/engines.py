"""Adjudicating a batch's families: the vector or reference engine from scratch, or the reference
engine continued from a family's carried accumulators.

A *carry* is a family's accumulators after its last line, as JSON text: deductible and out-of-pocket
totals per owner, plan year and member or family, visit and dollar-limit counters per member, the
disability periods per line and member, and the processing key of that last line. Lines that sort
after that key settle exactly as if the family's earlier lines had been replayed, so a family
whose new lines all come after its last one is settled from its carry alone (its history is not
read); any other family (a late line, a reversal, changed enrollment) is re-adjudicated from its
first line. Carries come from the reference engine (the vector engine keeps its accumulators in
compiled arrays and hands none out): a family settled by the vector engine has no carry until the
reference engine next settles it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.ledger.lines import MONEY_FIELDS, make_line
from aso_rules.model import Ruleset
from aso_rules.settle.disability import PeriodSoFar
from aso_rules.settle.order import processing_key
from aso_rules.settle.results import LineResult

__all__ = ["adjudicate_lines", "can_continue", "carry_key", "settle_carried"]

_MEMBER_DICTS = ("ded_member", "oop_member", "visits", "dollars")
_FAMILY_DICTS = ("ded_family", "oop_family")


def carry_key(ruleset: Ruleset, claim: ClaimRecord) -> tuple[str, str]:
    """The part of a line's processing key a carry records: (date, claim id)."""
    day, claim_id, _row = processing_key(ruleset)(claim)
    return (day.isoformat(), claim_id)


def can_continue(ruleset: Ruleset, carry: str, claims: Iterable[ClaimRecord]) -> bool:
    """Whether every one of a family's new ``claims`` sorts after its carry's last line.

    An equal (date, claim id) is after it too: a new line's ledger row is always the larger."""
    last = tuple(json.loads(carry)["last"])
    return all(carry_key(ruleset, c) >= last for c in claims)


def adjudicate_lines(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    claims: Sequence[ClaimRecord],
    engine: str = "reference",
) -> list[LineResult]:
    """Adjudicate claim lines from scratch; results in processing order."""
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
    cols = [getattr(adj, name).tolist() for name in MONEY_FIELDS]
    status = adj.status.tolist()
    years = (adj.period.astype(np.int64) + adj.first_year).tolist()
    out = [
        make_line(rec, "denied" if status[i] else "paid", reasons[i] or "", years[i], [c[i] for c in cols])
        for i, rec in enumerate(records)
    ]
    key = processing_key(ruleset)
    out.sort(key=lambda r: key(r.claim))
    return out


def settle_carried(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    claims: Sequence[ClaimRecord],
    carries: Mapping[str, str] = {},
) -> tuple[list[LineResult], dict[str, str]]:
    """Reference-engine lines of ``claims`` continued from ``carries`` (family -> carry), and the
    carry of every family settled or carried after them."""
    from aso_rules.settle.adjudicate import Adjudicator

    adjudicator = Adjudicator(ruleset, members)
    family_of: dict[str, str] = {}
    last: dict[str, tuple[str, str]] = {}
    for fam, text in carries.items():
        _inject(adjudicator, json.loads(text), fam, family_of, last)
    key = processing_key(ruleset)
    ordered = sorted(claims, key=key)
    lines = [adjudicator.settle_line(c) for c in ordered]
    for c in ordered:
        family_of[c.member_id] = c.family_id
        last[c.family_id] = max(last.get(c.family_id, ("", "")), carry_key(ruleset, c))
    return lines, _carries(adjudicator, family_of, last)


def _inject(
    adjudicator: Any, carry: dict[str, Any], fam: str, family_of: dict[str, str], last: dict[str, Any]
) -> None:
    acc = adjudicator.accumulators
    for name in (*_MEMBER_DICTS, *_FAMILY_DICTS):
        target = getattr(acc, name)
        for owner, period, holder, value in carry[name]:
            target[(owner, period, holder)] = value if name == "visits" else Decimal(value)
            if name in _MEMBER_DICTS:
                family_of[holder] = fam
    for line, member, end, accident, elimination, disabled, payable in carry["periods"]:
        adjudicator._periods[(line, member)] = (
            date.fromisoformat(end),
            accident,
            PeriodSoFar(elimination, disabled, payable),
        )
        family_of[member] = fam
    last[fam] = tuple(carry["last"])


def _carries(adjudicator: Any, family_of: Mapping[str, str], last: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, dict[str, Any]] = {
        fam: {"last": list(k), "periods": [], **{n: [] for n in (*_MEMBER_DICTS, *_FAMILY_DICTS)}}
        for fam, k in last.items()
    }
    acc = adjudicator.accumulators
    for name in (*_MEMBER_DICTS, *_FAMILY_DICTS):
        for (owner, period, holder), value in getattr(acc, name).items():
            fam = family_of.get(holder, holder) if name in _MEMBER_DICTS else holder
            if fam in out:
                out[fam][name].append([owner, period, holder, value if name == "visits" else str(value)])
    for (line, member), (end, accident, so_far) in adjudicator._periods.items():
        fam = family_of.get(member)
        if fam in out:
            out[fam]["periods"].append(
                [
                    line,
                    member,
                    end.isoformat(),
                    accident,
                    so_far.elimination_days,
                    so_far.disability_days,
                    so_far.payable_days,
                ]
            )
    return {fam: json.dumps(doc, separators=(",", ":")) for fam, doc in out.items()}
