"""The claims audit: the administrator's paid claims against a re-adjudication under the rules.

On entry: the rows of ``read_adjudicated`` and the enrollment. Each claim is netted (its latest
version plus its adjustments; a claim whose latest version is a void is not audited) and
re-adjudicated by the reference engine in processing order, at the paid date of its first version
(where it entered the accumulators). The administrator's allowed amount is taken as given, as
``aso settle`` takes a given ``allowed``; with ``reprice`` the ruleset's fee schedule prices every
line of a line of coverage that has one (the finding ``allowed_differs``).

On exit: an ``Audit`` with a ``Finding`` for every claim whose figures differ, each with its kinds
(``FINDING_KINDS``) and the rules' step-by-step explanation, and totals: overpaid (the plan paid
more than the rules say), underpaid, and the net. Exact to the cent: any difference is a finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from aso_rules.data.adjudicated import Amounts, PaidInput, PaidRow
from aso_rules.data.records import ClaimRecord, MemberRecord, Reject
from aso_rules.model import Ruleset
from aso_rules.money import ZERO, Money
from aso_rules.settle.adjudicate import adjudicate
from aso_rules.settle.adjudicated import awaiting_changes, claim_changes
from aso_rules.settle.explain import explain_line
from aso_rules.settle.results import LineResult

FINDING_KINDS: dict[str, str] = {
    "overpaid": "the administrator's plan paid is above the rules'",
    "underpaid": "the administrator's plan paid is below the rules'",
    "excluded_service_paid": "the rules exclude the service (line or category) but the plan paid it",
    "ineligible_paid": "the member was not covered on the incurred date but the plan paid",
    "wrong_accumulator": "the same allowed amount, but other cost sharing (a deductible, copay or "
    "coinsurance taken when the accumulators say otherwise)",
    "allowed_differs": "the administrator's allowed amount is not the ruleset's fee schedule price",
}


@attrs.frozen
class Finding:
    """One claim whose paid figures differ from the rules'."""

    claim: ClaimRecord  # the claim as re-adjudicated (latest version, first paid date)
    kinds: tuple[str, ...]
    paid: Amounts  # the administrator's net figures
    rules: Amounts
    rules_status: str
    rules_reason: str
    explanation: str

    @property
    def difference(self) -> Money:
        """Administrator's plan paid less the rules' (positive: overpaid)."""
        return self.paid.plan_paid - self.rules.plan_paid

    def to_json(self) -> dict[str, Any]:
        c = self.claim
        return {
            "claim_id": c.claim_id,
            "member_id": c.member_id,
            "line": c.line,
            "category": c.category,
            "incurred": c.incurred.isoformat(),
            "paid": c.paid.isoformat(),
            "kinds": list(self.kinds),
            "administrator": _amounts_json(self.paid),
            "rules": {**_amounts_json(self.rules), "status": self.rules_status, "reason": self.rules_reason},
            "difference": f"{self.difference:.2f}",
            "explanation": self.explanation,
        }


def _amounts_json(a: Amounts) -> dict[str, str]:
    return {k: f"{v:.2f}" for k, v in attrs.asdict(a).items()}


@attrs.frozen
class Audit:
    ruleset: str
    received: int
    audited: int  # claims re-adjudicated
    voided: int  # claims whose latest version is a void (not audited)
    not_audited: int  # disability claims (std, ltd): not re-adjudicated
    findings: tuple[Finding, ...]
    rejects: tuple[Reject, ...]

    @property
    def overpaid(self) -> Money:
        return sum((f.difference for f in self.findings if f.difference > ZERO), ZERO)

    @property
    def underpaid(self) -> Money:
        return -sum((f.difference for f in self.findings if f.difference < ZERO), ZERO)

    def by_kind(self) -> dict[str, int]:
        counts = dict.fromkeys(FINDING_KINDS, 0)
        for f in self.findings:
            for k in f.kinds:
                counts[k] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "counts": {
                "received": self.received,
                "rejected": len(self.rejects),
                "claims_audited": self.audited,
                "claims_voided": self.voided,
                "claims_not_audited": self.not_audited,
                "claims_differing": len(self.findings),
            },
            "totals": {
                "overpaid": f"{self.overpaid:.2f}",
                "underpaid": f"{self.underpaid:.2f}",
                "net": f"{self.overpaid - self.underpaid:.2f}",
            },
            "by_kind": self.by_kind(),
            "findings": [f.to_json() for f in self.findings],
        }


def _rules_amounts(r: LineResult) -> Amounts:
    return Amounts(
        allowed=r.allowed,
        plan_paid=r.plan_paid,
        member_paid=r.member_paid,
        deductible=r.deductible,
        copay=r.copay,
        coinsurance=r.coinsurance,
    )


def net_claims(rows: Sequence[PaidRow]) -> tuple[list[tuple[ClaimRecord, Amounts]], int]:
    """Each claim to audit (latest version's record at its first version's paid date) with its net
    figures, and the number of claims left out because their latest version is a void."""
    net: dict[str, Amounts] = {}
    latest: dict[str, PaidRow] = {}
    first_paid: dict[str, date] = {}
    awaiting = awaiting_changes(rows)  # an approved, unpaid row is audited on its adjudicated figures
    for r, change, _ in claim_changes(rows):
        cid = r.adjustment_of or r.claim.claim_id
        net[cid] = net.get(cid, Amounts()) + change + awaiting.get(r.claim.row, Amounts())
        if r.adjustment_of is None:
            if cid not in latest or (r.version or 0) > (latest[cid].version or 0):
                latest[cid] = r
            first_paid[cid] = min(first_paid.get(cid, r.claim.paid), r.claim.paid)
    out: list[tuple[ClaimRecord, Amounts]] = []
    voided = 0
    for cid, r in latest.items():
        if r.status == "void":
            voided += 1
            continue
        out.append((attrs.evolve(r.claim, paid=first_paid[cid], allowed=net[cid].allowed), net[cid]))
    return out, voided


def audit(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    paid: PaidInput,
    *,
    given: Sequence[str] = (),
    reprice: bool = False,
) -> Audit:
    """Audit the administrator's claims; ``given`` names the optional figure columns the input has
    (``deductible``, ``copay``, ``coinsurance``): only those are compared."""
    netted, voided = net_claims(paid.rows)
    kinds_of = {name: cov.kind for name, cov in ruleset.coverages.items()}
    # disability benefits depend on absence periods and earnings the administrator's file need not
    # carry: they are settled as paid but not audited
    claims = [(c, a) for c, a in netted if kinds_of.get(c.line) not in ("std", "ltd")]
    priced = ruleset.fee_schedules if reprice else {}
    for_rules = [attrs.evolve(c, allowed=None) if c.line in priced else c for c, _ in claims]
    admin = {c.row: a for c, a in claims}
    lines = adjudicate(ruleset, members, for_rules)
    compared = [name for name in ("deductible", "copay", "coinsurance") if name in given]
    differing: list[tuple[LineResult, list[str]]] = []
    for r in lines:
        kinds = _kinds(r, admin[r.claim.row], compared)
        if kinds:
            differing.append((r, kinds))
    explained = _explanations(ruleset, members, lines, {r.claim.row for r, _ in differing})
    findings = tuple(
        Finding(
            claim=r.claim,
            kinds=tuple(kinds),
            paid=admin[r.claim.row],
            rules=_rules_amounts(r),
            rules_status=r.status,
            rules_reason=r.reason,
            explanation=explained[r.claim.row],
        )
        for r, kinds in sorted(differing, key=lambda item: item[0].claim.row)
    )
    return Audit(
        ruleset=ruleset.name,
        received=paid.received,
        audited=len(claims),
        voided=voided,
        not_audited=len(netted) - len(claims),
        findings=findings,
        rejects=paid.rejects,
    )


def _kinds(r: LineResult, paid: Amounts, compared: Sequence[str]) -> list[str]:
    rules = _rules_amounts(r)
    kinds: list[str] = []
    if paid.plan_paid > rules.plan_paid:
        kinds.append("overpaid")
    elif paid.plan_paid < rules.plan_paid:
        kinds.append("underpaid")
    if r.status == "denied" and paid.plan_paid > ZERO:
        reason = r.reason.lower()
        kinds.append("ineligible_paid" if reason.startswith("not eligible") else "excluded_service_paid")
    if r.status == "paid" and paid.allowed != rules.allowed:
        kinds.append("allowed_differs")
    elif r.status == "paid" and any(getattr(paid, n) != getattr(rules, n) for n in compared):
        kinds.append("wrong_accumulator")
    return kinds


def _explanations(
    ruleset: Ruleset, members: Mapping[str, MemberRecord], lines: Sequence[LineResult], rows: set[int]
) -> dict[int, str]:
    """The rules' trace of each differing line: its family re-adjudicated with explanation on."""
    families = {r.claim.family_id for r in lines if r.claim.row in rows}
    out: dict[int, str] = {}
    for family in sorted(families):
        claims = [r.claim for r in lines if r.claim.family_id == family]
        for traced in adjudicate(ruleset, members, claims, explain=True):
            if traced.claim.row in rows:
                out[traced.claim.row] = explain_line(traced, 0, (), None).to_text()
    return out


__all__ = ["FINDING_KINDS", "Audit", "Finding", "audit", "net_claims"]
