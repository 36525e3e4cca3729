"""The second stage: what crosses families, from the buckets' small summaries.

On entry: one ``BucketSummary`` per family bucket, the compiled ``Ruleset``, the enrollment by
plan month (employees and members by tier: the enrollment is small and is read on the client) and
the run's counts. On exit: the specific tiers
(the aggregating specific deductible absorbed in ascending ``(paid, claim_id)`` across every
claimant, then each claimant's percentage and maximum), each excess event's share, the aggregate
contract (eligible claims with the ``net_of_specific`` / ``asd_counts`` adjustments, attachment,
accommodation), fees, employer cost, the fully insured comparison and summary.json, equal to what
``aso_rules.settle.assemble`` computes from all lines at once: the buckets' sums fill an
``AdjudicatedLines`` and ``aso_rules.settle.settle_end`` settles the rest, as for every engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.model import Ruleset, fmap
from aso_rules.money import ZERO, Money
from aso_rules.settle import AdjudicatedLines, LineSum, LineTotals, settle_end
from aso_rules.settle.distributed.local import BucketSummary, ExcessEvent
from aso_rules.settle.employer import EmployerCost
from aso_rules.settle.fees import FeeResult, MonthActivity, first_of_month
from aso_rules.settle.stoploss import (
    AggregateClaims,
    AggregateResult,
    ExcessAllocator,
    SpecificResult,
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
) -> AggregateClaims | None:
    """The aggregate's eligible claims: bucket sums plus each specific event's share or ASD
    absorption."""
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
    return AggregateClaims(eligible=g, by_month=tuple(by_month))


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
    totals = LineTotals(
        settled=sum(p.settled for p in parts),
        paid=sum(p.paid for p in parts),
        billed=sum((p.billed for p in parts), ZERO),
        allowed=sum((p.allowed for p in parts), ZERO),
        member_paid=sum((p.member_paid for p in parts), ZERO),
        plan_paid=sum((p.plan_paid for p in parts), ZERO),
        by_line={line: LineSum(*row) for line, row in sorted(by_line.items())},
        unknown_categories={line: fmap(dict(sorted(c.items()))) for line, c in sorted(unknown.items())},
    )
    end = settle_end(
        ruleset,
        months,
        AdjudicatedLines(
            totals=totals,
            received=received,
            rejected=rejected,
            specific=tuple(specific),
            aggregate=_aggregate(ruleset, parts, months, events),
            activity=_activity(ruleset, parts, events),
            members_by_tier=tuple(m.members_by_tier for m in months),
        ),
    )
    shares: list[dict[int, Money]] = [{} for _ in parts]
    for e, share, _ in events:
        if share:
            bucket = shares[e.bucket]
            bucket[e.index] = bucket.get(e.index, ZERO) + share
    return Combined(
        summary=end.summary,
        months=tuple(months),
        specific=end.specific,
        aggregate=end.aggregate,
        fees=end.fees,
        employer=end.employer,
        shares=tuple(shares),
    )


__all__ = ["Combined", "combine"]
