"""The second stage: what crosses families, from the buckets' small summaries.

On entry: one ``BucketSummary`` per family bucket, the compiled ``Ruleset``, the enrollment by
plan month (employees and members by tier: the enrollment is small and is read on the client) and
the run's counts. On exit: the specific tiers
(the aggregating specific deductible absorbed in ascending ``(paid, claim_id)`` across every
claimant, then each claimant's percentage and maximum), each excess event's share, the aggregate
contract (eligible claims with the ``net_of_specific`` / ``asd_counts`` adjustments, attachment,
accommodation), fees, employer cost, the fully insured comparison and summary.json, equal to what
``aso_rules.settle.assemble`` computes from all lines at once. The arithmetic is the reference
``stoploss``/``fees`` modules' (their functions are called where they take aggregates).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.model import Ruleset
from aso_rules.money import ZERO, Money, amount
from aso_rules.settle.distributed.local import BucketSummary, ExcessEvent
from aso_rules.settle.employer import EmployerCost, employer_cost, fully_insured
from aso_rules.settle.fees import FeeResult, MonthActivity, compute_fees, first_of_month
from aso_rules.settle.ledger import Counts, build_summary
from aso_rules.settle.stoploss import (
    AggregateResult,
    ExcessAllocator,
    SpecificResult,
    aggregate_result,
    claimant_results,
)
from aso_rules.settle.windows import contract_window


@attrs.frozen(eq=False)
class Combined:
    """The second stage's results."""

    summary: dict[str, Any]
    months: tuple[MonthEnrollment, ...]
    specific: tuple[SpecificResult, ...]  # per-line tuples empty: the lines stay on the workers
    aggregate: AggregateResult | None
    fees: FeeResult
    employer: EmployerCost
    shares: tuple[dict[int, Money], ...]  # per bucket: line index -> specific reimbursed (all tiers)


def _specific(
    ruleset: Ruleset, k: int, parts: Sequence[BucketSummary]
) -> tuple[SpecificResult, list[tuple[ExcessEvent, Money, Money]]]:
    """One tier: ASD absorption across claimants in paid order; each event with (share, absorbed)."""
    tier = ruleset.specific[k]
    mode = ruleset.settings.rounding
    window = contract_window(ruleset.plan_year.start, tier.basis, terminal_liability=tier.terminal_liability)
    events = sorted((e for p in parts for e in p.tiers[k].events), key=lambda e: (e.paid, e.claim_id))
    allocator = ExcessAllocator(tier, mode)
    out: list[tuple[ExcessEvent, Money, Money]] = []
    for e in events:
        share, absorbed = allocator.add(e.claimant, e.excess)
        out.append((e, share, absorbed))
    spent = {c.claimant: c.eligible_paid for p in parts for c in p.tiers[k].claimants}
    claimants = claimant_results(tier, spent, allocator)
    result = SpecificResult(
        name=tier.name,
        window=window,
        claimants=claimants,
        eligible_paid=sum((p.tiers[k].eligible_paid for p in parts), ZERO),
        asd_absorbed=sum(allocator.absorbed.values(), ZERO),
        reimbursed=sum(allocator.reimbursed.values(), ZERO),
        line_eligible=(),
        line_shares=(),
        line_absorbed=(),
    )
    return result, out


def _aggregate(
    ruleset: Ruleset,
    parts: Sequence[BucketSummary],
    months: Sequence[MonthEnrollment],
    events: Sequence[tuple[ExcessEvent, Money, Money]],
) -> AggregateResult | None:
    """The aggregate contract: bucket sums plus each specific event's share or ASD absorption."""
    agg = ruleset.aggregate
    if agg is None:
        return None
    g = ZERO
    by_month = [ZERO] * len(months)
    for p in parts:
        assert p.aggregate is not None
        g += p.aggregate.eligible
        for k, v in enumerate(p.aggregate.by_month):
            by_month[k] += v
    net = agg.claim_basis == "net_of_specific"
    if net or agg.asd_counts:
        for e, share, absorbed in events:
            if not e.aggregate:
                continue
            delta = -share if net else absorbed
            g += delta
            if e.month >= 0:
                by_month[e.month] += delta
    return aggregate_result(ruleset, months, g, by_month)


def _activity(
    ruleset: Ruleset,
    parts: Sequence[BucketSummary],
    events: Sequence[tuple[ExcessEvent, Money, Money]],
) -> dict[date, MonthActivity]:
    """Paid-month fee activity summed over buckets; net of specific shares when the ruleset says so."""
    claims: dict[date, dict[str, int]] = {}
    paid: dict[date, dict[str, Money]] = {}
    savings: dict[date, dict[str, Money]] = {}
    for p in parts:
        for month, act in p.activity:
            c, pp, sv = (
                claims.setdefault(month, {}),
                paid.setdefault(month, {}),
                savings.setdefault(month, {}),
            )
            for line, n in act.claims.items():
                c[line] = c.get(line, 0) + n
            for line, v in act.plan_paid.items():
                pp[line] = pp.get(line, ZERO) + v
            for line, v in act.savings.items():
                sv[line] = sv.get(line, ZERO) + v
    if ruleset.settings.pct_of_claims_base == "net_of_stop_loss":
        for e, share, _ in events:
            if share:
                pp = paid[first_of_month(e.paid)]
                pp[e.line] = pp.get(e.line, ZERO) - share
    return {
        month: MonthActivity(claims=claims[month], plan_paid=paid[month], savings=savings[month])
        for month in sorted(claims)
    }


def combine(
    ruleset: Ruleset,
    months: Sequence[MonthEnrollment],
    parts: Sequence[BucketSummary],
    *,
    received: int,
    rejected: int,
) -> Combined:
    """Everything that crosses families, and summary.json (see the module docstring). ``months`` is
    ``enrollment.monthly_enrollment`` of the members (with members by tier)."""
    specific: list[SpecificResult] = []
    events: list[tuple[ExcessEvent, Money, Money]] = []
    for k in range(len(ruleset.specific)):
        result, tier_events = _specific(ruleset, k, parts)
        specific.append(result)
        events.extend(tier_events)
    aggregate = _aggregate(ruleset, parts, months, events)
    fees = compute_fees(
        ruleset,
        months,
        _activity(ruleset, parts, events),
        [m.members_by_tier for m in months],
    )
    plan_paid = sum((p.plan_paid for p in parts), ZERO)
    cost = employer_cost(plan_paid, specific, aggregate, fees)
    insured = fully_insured(ruleset, months, cost)
    settled = sum(p.settled for p in parts)
    paid_lines = sum(p.paid for p in parts)
    counts = Counts(
        received=received, settled=settled, paid=paid_lines, denied=settled - paid_lines, rejected=rejected
    )
    unknown: dict[str, dict[str, int]] = {}
    by_line: dict[str, list[Any]] = {}
    for p in parts:
        for line, cat, n in p.unknown:
            cats = unknown.setdefault(line, {})
            cats[cat] = cats.get(cat, 0) + n
        for line, n, allowed, member_paid, line_paid in p.by_line:
            row = by_line.setdefault(line, [0, ZERO, ZERO, ZERO])
            row[0] += n
            row[1] += allowed
            row[2] += member_paid
            row[3] += line_paid
    summary = build_summary(
        ruleset,
        counts=counts,
        lines=[],
        specific=specific,
        aggregate=aggregate,
        fees=fees,
        cost=cost,
        insured=insured,
        unknown_categories={line: dict(sorted(c.items())) for line, c in sorted(unknown.items())},
    )
    summary["totals"] = {
        "billed": amount(sum((p.billed for p in parts), ZERO)),
        "allowed": amount(sum((p.allowed for p in parts), ZERO)),
        "member_paid": amount(sum((p.member_paid for p in parts), ZERO)),
        "plan_paid": amount(plan_paid),
    }
    summary["by_line"] = {
        line: {
            "claims": n,
            "allowed": amount(a),
            "member_paid": amount(mp),
            "plan_paid": amount(pp),
        }
        for line, (n, a, mp, pp) in sorted(by_line.items())
    }
    shares: list[dict[int, Money]] = [{} for _ in parts]
    for e, share, _ in events:
        if share:
            bucket = shares[e.bucket]
            bucket[e.index] = bucket.get(e.index, ZERO) + share
    return Combined(
        summary=summary,
        months=tuple(months),
        specific=tuple(specific),
        aggregate=aggregate,
        fees=fees,
        employer=cost,
        shares=tuple(shares),
    )


__all__ = ["Combined", "combine"]
