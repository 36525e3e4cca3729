"""The vector settlement engine: the reference engine's semantics over integer-cent columns.

``vector_adjudicate`` has the reference ``adjudicate``'s signature (records in, ``LineResult`` list in
processing order out), so the test runner and the worked examples can run through the vector engine;
``settle_vector`` is the fast path behind ``settle(engine="vector")``: Arrow in, Arrow ledger and
summary.json out, no per-line Python objects. docs/performance.md ("Vector engine") explains how it
works and what it costs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import Ruleset
from aso_rules.money import ZERO, from_cents
from aso_rules.settle.results import LineResult
from aso_rules.settle.vector.columns import claims_from_records, members_from_records
from aso_rules.settle.vector.engine import adjudicate_columns, reason_text

__all__ = ["vector_adjudicate"]


def vector_adjudicate(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    claims: Sequence[ClaimRecord],
    *,
    explain: bool = False,
) -> list[LineResult]:
    """Adjudicate like ``aso_rules.settle.adjudicate.adjudicate``, through the vector engine.

    With ``explain=True`` the trace is the reference engine's job: the call is delegated to it.
    """
    if explain:
        from aso_rules.settle.adjudicate import adjudicate

        return adjudicate(ruleset, members, claims, explain=True)
    mcols = members_from_records(list(members.values()), ruleset.tier_codes)
    ccols = claims_from_records(list(claims), mcols)
    adj = adjudicate_columns(ruleset, ccols, mcols, member_records=members)
    noncovered_repriced = ruleset.settings.noncovered_basis == "repriced"
    out: list[LineResult] = []
    for i in adj.order.tolist():
        claim = ccols.records[i] if ccols.records is not None else ccols.record(i)
        if adj.status[i] == 1:
            noncovered = claim.billed
            adj_amount = ZERO
            rep = int(adj.repriced[i])
            if noncovered_repriced and rep >= 0:
                noncovered = from_cents(rep)
                adj_amount = claim.billed - noncovered if claim.billed > noncovered else ZERO
            out.append(
                LineResult(
                    claim=claim,
                    status="denied",
                    reason=reason_text(adj, ccols, mcols, ruleset, i),
                    allowed=ZERO,
                    noncovered=noncovered,
                    contractual_adj=adj_amount,
                    plan_year=int(adj.plan_year[i]),
                )
            )
            continue
        allowed = from_cents(int(adj.allowed[i]))
        kind_cost = adj.terms["disability"][int(adj.term[i])] != 1 and not (
            adj.fallback[i] and adj.terms.terms[int(adj.term[i])].kind in ("std", "ltd")
        )
        contractual = claim.billed - allowed if kind_cost and claim.billed > allowed else ZERO
        out.append(
            LineResult(
                claim=claim,
                status="paid",
                reason="",
                allowed=allowed,
                copay=from_cents(int(adj.copay[i])),
                deductible=from_cents(int(adj.deductible[i])),
                coinsurance=from_cents(int(adj.coinsurance[i])),
                over_max=from_cents(int(adj.over_max[i])),
                plan_paid=from_cents(int(adj.plan_paid[i])),
                contractual_adj=contractual,
                balance_bill=contractual if claim.network == "out" else ZERO,
                plan_year=int(adj.plan_year[i]),
            )
        )
    return out
