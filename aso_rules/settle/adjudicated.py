"""Settlement on the administrator's adjudicated claims (``aso settle --adjudicated``).

Stop-loss carriers reimburse what the administrator paid, not a re-adjudication. On entry: the
rows of ``aso_rules.data.adjudicated.read_adjudicated`` (the administrator's allowed, plan paid,
member paid and status per row, versions and adjustments). On exit: one ``LineResult`` per row whose
amounts are the row's *change* to its claim, so that every sum over the lines is the net of the
claims:

* a claim's first (or only) version: its figures as given (a void: zero);
* a later version: its figures less those of the version before it (the latest version wins; a
  void brings the claim to zero), dated at its own paid date;
* an adjustment (``adjustment_of``): its signed figures as given, at its own paid date;
* an ``approved`` row (adjudicated, not yet paid): no change (a denied line in the ledger); what it
  would change once paid is the line's ``awaiting_funding`` plan paid, what specific advance
  funding requests (``aso_rules.settle.advance``).

The stages after adjudication (specific and aggregate stop-loss, fees, employer cost, the fully
insured comparison, ledger and summary) are ``aso_rules.settle.assemble``, as for any engine, so
contract windows, the covered-person test and lasers apply as usual and each change falls in the
window of its own paid date. A line the ruleset would not cover (an excluded line or category, a
line of coverage the ruleset lacks) stays in plan paid and employer cost, but is not stop-loss
eligible. Negative changes reduce a claimant's excess last-dollars-first (``ExcessAllocator``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from aso_rules.data.adjudicated import Amounts, PaidRow, read_adjudicated
from aso_rules.data.readers import read_enrollment
from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import FrozenMap, Ruleset
from aso_rules.money import ZERO
from aso_rules.settle import AdjudicateFn, Settlement, assemble
from aso_rules.settle.order import plan_year_for
from aso_rules.settle.results import LineResult, Step
from aso_rules.settle.terms import resolve_terms

REPORTED_BILLED = "reported_billed"  # the ledger column of each row's billed amount as given
APPROVED_NOTE = "approved, not yet paid"


def not_covered(ruleset: Ruleset, claim: ClaimRecord, members: Mapping[str, MemberRecord]) -> str:
    """Why the ruleset would not pay this line ('' when it would cover it)."""
    terms = resolve_terms(ruleset, claim.line, claim.network, claim.category)
    if terms.kind in ("excluded_line", "no_coverage"):
        return terms.reason
    if terms.exclusion is not None:
        return terms.exclusion.reason
    member = members.get(claim.member_id)
    if member is None or not member.covered_on(claim.incurred):
        return f"not eligible: member {claim.member_id} not covered on {claim.incurred}"
    return ""


def claim_changes(rows: Sequence[PaidRow]) -> list[tuple[PaidRow, Amounts, str]]:
    """Each row with its change to its claim and a note saying what it is, in input row order.

    An ``approved`` row (adjudicated, not yet paid) changes nothing: the claim stands where its
    last other version left it, and the next version is netted against that one; what it would
    change once paid is ``awaiting_changes``."""
    return [(r, change, note) for r, change, note, _ in _changes(rows)]


def awaiting_changes(rows: Sequence[PaidRow]) -> dict[int, Amounts]:
    """By input row: what each ``approved`` row would change once paid, when it is its claim's
    latest version (or an adjustment): its figures less those of the claim's last other version."""
    return {r.claim.row: awaiting for r, _, _, awaiting in _changes(rows) if awaiting is not None}


def _changes(rows: Sequence[PaidRow]) -> list[tuple[PaidRow, Amounts, str, Amounts | None]]:
    by_claim: dict[str, list[PaidRow]] = {}
    for r in rows:
        if r.adjustment_of is None:
            by_claim.setdefault(r.claim.claim_id, []).append(r)
    out: dict[int, tuple[PaidRow, Amounts, str, Amounts | None]] = {}
    for versions in by_claim.values():
        versions.sort(key=lambda r: r.version or 0)
        previous: PaidRow | None = None
        for k, r in enumerate(versions):
            if r.status == "approved":
                latest = k == len(versions) - 1
                base = previous.effective if previous is not None else Amounts()
                out[r.claim.row] = (r, Amounts(), APPROVED_NOTE, r.amounts - base if latest else None)
                continue
            if previous is None:
                change = r.effective
                note = "void" if r.status == "void" else ""
            else:
                change = r.effective - previous.effective
                what = "voids" if r.status == "void" else "replaces"
                note = f"version {r.version} {what} version {previous.version}"
            out[r.claim.row] = (r, change, note, None)
            previous = r
    for r in rows:
        if r.adjustment_of is not None:
            note = f"adjustment of {r.adjustment_of}"
            if r.status == "approved":
                out[r.claim.row] = (r, Amounts(), f"{note}; {APPROVED_NOTE}", r.amounts)
            else:
                change = Amounts() if r.status == "void" else r.amounts
                out[r.claim.row] = (r, change, note, None)
    return [out[row] for row in sorted(out)]


def paid_lines(
    ruleset: Ruleset, members: Mapping[str, MemberRecord], rows: Sequence[PaidRow]
) -> list[LineResult]:
    """One ``LineResult`` per row (input row order): the row's change to its claim; see the module
    docstring. ``status`` is ``paid`` when the row moves plan paid or the administrator paid it."""
    billed_before: dict[str, Any] = {}
    awaiting = awaiting_changes(rows)
    lines: list[LineResult] = []
    for r, change, note in claim_changes(rows):
        claim = r.claim
        key = claim.claim_id if r.adjustment_of is None else f"adj:{claim.claim_id}"
        if r.status == "approved":  # not paid yet: the billed amount moves with the payment
            billed = ZERO
        elif r.status == "void":
            billed = -billed_before.get(key, ZERO)
            billed_before[key] = ZERO
        else:
            billed = claim.billed - billed_before.get(key, ZERO)
            billed_before[key] = claim.billed
        extra = dict(claim.extra)
        extra[REPORTED_BILLED] = str(claim.billed)
        claim = attrs.evolve(claim, billed=billed, extra=FrozenMap(extra))
        uncovered = not_covered(ruleset, claim, members)
        paid = change.plan_paid != ZERO or r.status == "paid"
        pending = awaiting[claim.row].plan_paid if claim.row in awaiting else ZERO
        notes = [n for n in (note, r.reason) if n]
        if pending:
            notes.append(f"plan paid {pending:.2f} awaits funding")
        if uncovered and (paid or pending):
            notes.append(f"not stop-loss eligible: {uncovered}")
        reason = "; ".join(notes)
        cost_share = change.deductible + change.copay + change.coinsurance
        detail = f"as paid by the administrator ({r.status}){': ' + reason if reason else ''}"
        lines.append(
            LineResult(
                claim=claim,
                status="paid" if paid else "denied",
                reason=reason if reason or paid else r.status,
                allowed=change.allowed,
                copay=change.copay,
                deductible=change.deductible,
                coinsurance=change.coinsurance,
                over_max=change.member_paid - cost_share,
                plan_paid=change.plan_paid,
                contractual_adj=max(ZERO, billed - change.allowed),
                plan_year=plan_year_for(claim.incurred, ruleset.plan_year),
                steps=(Step("administrator", change.plan_paid, detail),),
                stop_loss_eligible=not uncovered,
                awaiting_funding=pending,
            )
        )
    return lines


def settle_adjudicated(
    ruleset: Ruleset, claims: Any, enrollment: Any, *, engine: str = "reference"
) -> Settlement:
    """Stop-loss, fees and employer cost from the administrator's adjudicated claims.

    ``claims`` and ``enrollment`` take the forms ``aso_rules.settle.settle`` takes. Every engine
    reads and nets the rows here; ``engine="vector"`` settles stop-loss and fee activity on the
    vector engine's columns (``aso_rules.settle.vector.adjudicated``). Raises the readers'
    ``InputError`` for a file-level problem; a bad row becomes a reject.
    """
    settle_lines: Callable[..., Settlement] = assemble
    if engine == "vector":
        from aso_rules.settle.vector.adjudicated import settle_paid_lines

        settle_lines = settle_paid_lines
    enrolled = read_enrollment(enrollment, ruleset)
    members = enrolled.by_id()
    paid = read_adjudicated(claims, ruleset, members)
    lines = paid_lines(ruleset, members, paid.rows)
    result = settle_lines(
        ruleset,
        members,
        lines,
        columns=(*paid.columns, REPORTED_BILLED),
        claim_rejects=paid.rejects,
        enrollment_rejects=enrolled.rejects,
        received=paid.received,
        adjudicator=replay_of(lines),
    )
    result.summary["mode"] = "adjudicated"
    if engine == "vector":
        result.summary["engine"] = {"name": "vector", "fallback_lines": 0}
    return result


def replay_of(lines: Sequence[LineResult]) -> AdjudicateFn:
    """An adjudicator (the reference signature) that gives back these lines for their records: what
    ``Settlement.explain`` re-runs, so a line's trace is the administrator's figures."""
    by_row = {line.claim.row: line for line in lines}

    def replay(
        _ruleset: Ruleset, _members: Mapping[str, MemberRecord], family: Sequence[ClaimRecord], **_: Any
    ) -> list[LineResult]:
        return [by_row[c.row] for c in family]

    return replay


__all__ = [
    "APPROVED_NOTE",
    "REPORTED_BILLED",
    "awaiting_changes",
    "claim_changes",
    "not_covered",
    "paid_lines",
    "replay_of",
    "settle_adjudicated",
]
