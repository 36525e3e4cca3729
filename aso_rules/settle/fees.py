"""Administrative fees and stop-loss premiums by month (docs/semantics.md 8.1).

On entry: the ruleset's fees and stop-loss premiums, the plan year's monthly enrollment (employees by
tier, members, members by tier) and the claim activity of each calendar month in which lines were
paid (``MonthActivity``). On exit: a ``FeeResult`` with each fee's amount per month and in total.

Fixed fees (``pepm``, ``pmpm``) and premiums are billed for each plan month on enrollment alone
(I-EMP-4). Variable fees (``per_claim``, ``pct_paid_claims``, ``pct_savings``) follow the claims: they
are billed in the calendar month a line was paid, including run-out months after the plan year, so
that a run's fees cover every line it settled. Percent fees are rounded once per month per fee
(section 11, point 3); everything else is a cent amount times a count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

import attrs

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.model import Fee, FrozenMap, Ruleset, TierAmounts, fmap
from aso_rules.money import ZERO, Money, RoundingMode, round_money
from aso_rules.settle.results import LineResult


class FeeError(ValueError):
    """A fee the engine cannot evaluate (missing rate); the checker normally reports it first."""


@attrs.frozen
class MonthActivity:
    """Claim activity of one paid month, by coverage line (the bases of variable fees)."""

    claims: FrozenMap[str, int] = attrs.field(factory=FrozenMap, converter=fmap)
    plan_paid: FrozenMap[str, Money] = attrs.field(factory=FrozenMap, converter=fmap)
    savings: FrozenMap[str, Money] = attrs.field(factory=FrozenMap, converter=fmap)


@attrs.frozen
class FeeResult:
    """Fees and premiums of a run: per month (first of the month) and in total."""

    months: tuple[date, ...]
    by_month: tuple[FrozenMap[str, Money], ...]  # fee name -> amount, aligned with ``months``
    fees: FrozenMap[str, Money] = attrs.field(converter=fmap)  # fee name -> total, in ruleset order
    fixed_fees: Money
    variable_fees: Money
    specific_premium: Money
    aggregate_premium: Money

    @property
    def fees_total(self) -> Money:
        return self.fixed_fees + self.variable_fees

    @property
    def premium_total(self) -> Money:
        return self.specific_premium + self.aggregate_premium


def first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def enrollment_charge(
    table: TierAmounts, month: MonthEnrollment, member_counts: Mapping[str, int] | None = None
) -> Money:
    """A pepm or pmpm tier table for one month: sum over tiers of rate x count.

    A pmpm table with one rate for every tier needs only the month's member total; a tiered pmpm
    table needs members by tier.
    """
    if table.unit == "pepm":
        return sum((table.for_tier(t) * n for t, n in month.employees.items()), ZERO)
    rates = set(table.amounts.values())
    if member_counts is None:
        if len(rates) > 1:
            raise FeeError("a pmpm rate that differs by tier needs members by tier")
        return (rates.pop() if rates else ZERO) * month.members
    return sum((table.for_tier(t) * n for t, n in member_counts.items()), ZERO)


def _in_scope(fee: Fee, line: str) -> bool:
    return not fee.lines or line in fee.lines


def variable_fee(fee: Fee, activity: MonthActivity, mode: RoundingMode) -> Money:
    """One month of a per-claim, percent-of-paid-claims or percent-of-savings fee."""
    if fee.kind == "per_claim":
        if fee.amount is None:
            raise FeeError(f"fee {fee.name!r} has no amount per claim")
        return fee.amount * sum(n for line, n in activity.claims.items() if _in_scope(fee, line))
    if fee.pct is None:
        raise FeeError(f"fee {fee.name!r} has no percentage")
    source = activity.plan_paid if fee.kind == "pct_paid_claims" else activity.savings
    base = sum((v for line, v in source.items() if _in_scope(fee, line)), ZERO)
    return round_money(fee.pct * base, mode)


def fixed_fee(fee: Fee, month: MonthEnrollment, member_counts: Mapping[str, int] | None) -> Money:
    """One month of a pepm or pmpm fee."""
    if fee.amounts is None:
        raise FeeError(f"fee {fee.name!r} has no rate")
    unit: Literal["pepm", "pmpm"] = "pmpm" if fee.kind == "pmpm" else "pepm"
    table = fee.amounts if fee.amounts.unit == unit else attrs.evolve(fee.amounts, unit=unit)
    return enrollment_charge(table, month, member_counts)


def month_activity(
    ruleset: Ruleset,
    lines: Sequence[LineResult],
    specific_shares: Sequence[Money] | None = None,
) -> dict[date, MonthActivity]:
    """Claim activity by calendar paid month.

    Per-claim counts follow ``settings.per_claim_fee_unit`` (distinct claim ids, or lines) and
    include denied lines unless ``per_claim_fee_counts_denied`` is off. The percent-of-claims base is
    gross plan paid, or plan paid less each line's specific share with ``pct_of_claims_base =
    net_of_stop_loss``. Savings are billed - allowed of paid lines.
    """
    settings = ruleset.settings
    counted: dict[date, dict[str, int]] = {}
    seen: dict[date, dict[str, set[str]]] = {}
    paid: dict[date, dict[str, Money]] = {}
    savings: dict[date, dict[str, Money]] = {}
    for i, r in enumerate(lines):
        month = first_of_month(r.claim.paid)
        line = r.claim.line
        counted.setdefault(month, {})
        seen.setdefault(month, {})
        paid.setdefault(month, {})
        savings.setdefault(month, {})
        if r.status == "paid" or settings.per_claim_fee_counts_denied:
            if settings.per_claim_fee_unit == "line":
                counted[month][line] = counted[month].get(line, 0) + 1
            else:
                seen[month].setdefault(line, set()).add(r.claim.claim_id)
        if r.status != "paid":
            continue
        base = r.plan_paid
        if settings.pct_of_claims_base == "net_of_stop_loss" and specific_shares is not None:
            base -= specific_shares[i]
        paid[month][line] = paid[month].get(line, ZERO) + base
        savings[month][line] = savings[month].get(line, ZERO) + (r.claim.billed - r.allowed)
    out: dict[date, MonthActivity] = {}
    for month in sorted(counted):
        counts = dict(counted[month])
        for line, ids in seen[month].items():
            counts[line] = counts.get(line, 0) + len(ids)
        out[month] = MonthActivity(claims=counts, plan_paid=paid[month], savings=savings[month])
    return out


def compute_fees(
    ruleset: Ruleset,
    months: Sequence[MonthEnrollment],
    activity: Mapping[date, MonthActivity],
    member_counts: Sequence[Mapping[str, int]] | None = None,
) -> FeeResult:
    """Every fee and premium of the ruleset, per month and in total.

    ``member_counts`` (members by tier, aligned with ``months``) is needed only for tiered pmpm rates.
    """
    mode = ruleset.settings.rounding
    plan = {m.month: (k, m) for k, m in enumerate(months)}
    all_months = sorted(set(plan) | set(activity))
    totals: dict[str, Money] = {fee.name: ZERO for fee in ruleset.fees}
    by_month: list[FrozenMap[str, Money]] = []
    fixed_total = variable_total = spec_total = agg_total = ZERO
    for first in all_months:
        row: dict[str, Money] = {}
        entry = plan.get(first)
        act = activity.get(first, MonthActivity())
        for fee in ruleset.fees:
            if fee.fixed:
                if entry is None:
                    continue
                k, month = entry
                amount = fixed_fee(fee, month, member_counts[k] if member_counts is not None else None)
                fixed_total += amount
            else:
                amount = variable_fee(fee, act, mode)
                variable_total += amount
            row[fee.name] = amount
            totals[fee.name] += amount
        if entry is not None:
            k, month = entry
            counts = member_counts[k] if member_counts is not None else None
            for tier in ruleset.specific:
                if tier.premium is not None:
                    amount = enrollment_charge(tier.premium, month, counts)
                    row[f"premium:{tier.name}"] = amount
                    spec_total += amount
            agg = ruleset.aggregate
            if agg is not None and agg.premium is not None:
                amount = enrollment_charge(agg.premium, month, counts)
                row[f"premium:{agg.name}"] = amount
                agg_total += amount
        by_month.append(FrozenMap(row))
    return FeeResult(
        months=tuple(all_months),
        by_month=tuple(by_month),
        fees=totals,
        fixed_fees=fixed_total,
        variable_fees=variable_total,
        specific_premium=spec_total,
        aggregate_premium=agg_total,
    )
