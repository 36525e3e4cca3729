"""Exact money of a priced plan year: fixed costs, tier funding rates, attachment point, ceiling.

On entry: a ``Ruleset`` and its projected monthly enrollment (``MonthEnrollment`` per plan month).
On exit: exact ``Decimal`` cents, rounded only at docs/semantics.md section 11's points (each tier
expected/funding rate, the COBRA rate, A_min), always with the ruleset's rounding mode:

- fixed costs per month (8.1: pepm fees and stop-loss premiums by tier, pmpm fees on members);
- tier expected claims and funding rates (8.4, exactly as C29, residual reported, never spread);
- the aggregate attachment point (7.1) and the maximum liability ``A + fixed costs`` (8.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from aso_rules import model
from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.model import FrozenMap, fmap
from aso_rules.money import ZERO, Money, RoundingMode, round_money

COBRA_LOAD = Decimal("1.02")


def _tier_sum(rates: Mapping[str, Decimal], employees: Mapping[str, int]) -> Decimal:
    return sum((rates.get(t, ZERO) * n for t, n in employees.items()), ZERO)


# --------------------------------------------------------------------------- fixed costs


@attrs.frozen
class FixedCosts:
    """Fixed costs for the year (8.1): fees (pepm, pmpm) and stop-loss premiums, exact cents."""

    fees: Money
    specific_premium: Money
    aggregate_premium: Money
    by_fee: FrozenMap[str, Money] = attrs.field(converter=fmap)
    by_specific: FrozenMap[str, Money] = attrs.field(converter=fmap)

    @property
    def stop_loss_premium(self) -> Money:
        return self.specific_premium + self.aggregate_premium

    @property
    def total(self) -> Money:
        return self.fees + self.stop_loss_premium


def _premium_month(amounts: model.TierAmounts | None, month: MonthEnrollment) -> Money:
    if amounts is None:
        return ZERO
    if amounts.unit == "pmpm":
        rate = next(iter(amounts.amounts.values()), ZERO)
        return rate * month.members
    return _tier_sum(amounts.amounts, month.employees)


def fixed_costs(ruleset: model.Ruleset, months: Sequence[MonthEnrollment]) -> FixedCosts:
    """Fixed fees and premiums summed over the plan months (exact: rates times counts)."""
    by_fee: dict[str, Money] = {}
    for fee in ruleset.fees:
        if not fee.fixed or fee.amounts is None:
            continue
        total = ZERO
        for month in months:
            if fee.kind == "pmpm":
                rate = next(iter(fee.amounts.amounts.values()), ZERO)
                total += rate * month.members
            else:
                total += _tier_sum(fee.amounts.amounts, month.employees)
        by_fee[fee.name] = total
    by_specific = {
        tier.name: sum((_premium_month(tier.premium, m) for m in months), ZERO) for tier in ruleset.specific
    }
    aggregate = ZERO
    if ruleset.aggregate is not None:
        aggregate = sum((_premium_month(ruleset.aggregate.premium, m) for m in months), ZERO)
    return FixedCosts(
        fees=sum(by_fee.values(), ZERO),
        specific_premium=sum(by_specific.values(), ZERO),
        aggregate_premium=aggregate,
        by_fee=by_fee,
        by_specific=by_specific,
    )


def fixed_pepm(
    ruleset: model.Ruleset, months: Sequence[MonthEnrollment], mode: RoundingMode
) -> dict[str, Money]:
    """Fixed cost per employee per month by tier: pepm fees and premiums, plus pmpm amounts spread
    per employee at the year's members per employee (rounded to cents: a tier rate)."""
    tiers = ruleset.tier_codes
    amounts: list[model.TierAmounts] = [
        f.amounts for f in ruleset.fees if f.fixed and f.amounts is not None and f.kind == "pepm"
    ]
    pmpm: list[model.TierAmounts] = [
        f.amounts for f in ruleset.fees if f.fixed and f.amounts is not None and f.kind == "pmpm"
    ]
    premiums = [t.premium for t in ruleset.specific]
    if ruleset.aggregate is not None:
        premiums.append(ruleset.aggregate.premium)
    for premium in premiums:
        if premium is not None:
            (pmpm if premium.unit == "pmpm" else amounts).append(premium)
    out = {t: sum((a.for_tier(t) for a in amounts), ZERO) for t in tiers}
    pmpm_rate = sum((next(iter(a.amounts.values()), ZERO) for a in pmpm), ZERO)
    employee_months = sum(m.total_employees for m in months)
    if pmpm_rate and employee_months:
        members = sum(m.members for m in months)
        spread = round_money(pmpm_rate * members / employee_months, mode)
        out = {t: v + spread for t, v in out.items()}
    return out


# --------------------------------------------------------------------------- funding rates (8.4)


@attrs.frozen
class Funding:
    """Tier rates per employee per month and their annual totals (8.4)."""

    expected: FrozenMap[str, Money] = attrs.field(converter=fmap)  # expected_t
    fixed: FrozenMap[str, Money] = attrs.field(converter=fmap)
    rates: FrozenMap[str, Money] = attrs.field(converter=fmap)  # funding_t
    cobra: FrozenMap[str, Money] = attrs.field(converter=fmap)
    expected_annual: Money  # sum_k sum_t expected_t x employees_{t,k}
    funding_annual: Money
    residual: Money  # expected_annual - the unrounded target (reported, never spread)


def tier_expected(
    target: Decimal, ratios: Mapping[str, Decimal], months: Sequence[MonthEnrollment], mode: RoundingMode
) -> dict[str, Money]:
    """``expected_t = round(unit x ratio_t)`` with ``unit = target / sum_k sum_t ratio_t n_{t,k}``."""
    weight = sum((_tier_sum(ratios, m.employees) for m in months), Decimal(0))
    if weight == 0:
        return dict.fromkeys(ratios, ZERO)
    unit = target / weight  # never rounded
    return {t: round_money(unit * r, mode) for t, r in ratios.items()}


def funding(
    expected: Mapping[str, Money],
    fixed: Mapping[str, Money],
    months: Sequence[MonthEnrollment],
    mode: RoundingMode,
    *,
    margin: Decimal = Decimal(0),
    target: Decimal | None = None,
) -> Funding:
    """Funding and COBRA rates by tier from tier expected claims and fixed costs (8.4)."""
    tiers = list(expected)
    rates = {t: round_money(expected[t] * (1 + margin), mode) + fixed.get(t, ZERO) for t in tiers}
    cobra = {t: round_money(COBRA_LOAD * rates[t], mode) for t in tiers}
    expected_annual = sum((_tier_sum(expected, m.employees) for m in months), ZERO)
    funding_annual = sum((_tier_sum(rates, m.employees) for m in months), ZERO)
    residual = expected_annual - target if target is not None else ZERO
    return Funding(
        expected=expected,
        fixed={t: fixed.get(t, ZERO) for t in tiers},
        rates=rates,
        cobra=cobra,
        expected_annual=expected_annual,
        funding_annual=funding_annual,
        residual=residual,
    )


def expected_by_tier(
    ruleset: model.Ruleset, months: Sequence[MonthEnrollment], mode: RoundingMode
) -> tuple[dict[str, Money], Decimal | None]:
    """Tier expected claims pepm from the assumptions: the stated amounts, or, with tier ratios,
    the stated amounts' annual total spread by the ratios (8.4). Returns (expected_t, target)."""
    assumptions = ruleset.assumptions
    tiers = ruleset.tier_codes
    if assumptions is None or assumptions.expected_claims is None:
        return {}, None
    stated = {t: assumptions.expected_claims.for_tier(t) for t in tiers}
    if assumptions.tier_ratios is None:
        return stated, None
    target = sum((_tier_sum(stated, m.employees) for m in months), Decimal(0))
    ratios = {t: assumptions.tier_ratios.get(t, Decimal(1)) for t in tiers}
    return tier_expected(target, ratios, months, mode), target


# --------------------------------------------------------------------------- attachment (7.1)


def attachment_factors(
    aggregate: model.AggregateStopLoss,
    expected: Mapping[str, Money],
    tiers: Sequence[str],
    mode: RoundingMode,
) -> dict[str, Money]:
    """Monthly factors by tier: stated, or ``P x expected_t`` rounded to cents (a tier rate)."""
    if aggregate.factors is not None:
        return {t: aggregate.factors.for_tier(t) for t in tiers}
    if aggregate.pct_of_expected is not None:
        return {t: round_money(aggregate.pct_of_expected * expected.get(t, ZERO), mode) for t in tiers}
    return dict.fromkeys(tiers, ZERO)


def maximum_liability(attachment: Money, fixed: FixedCosts) -> Money:
    """The budget ceiling ``A + fixed_costs`` (8.3), under I-EMP-2's preconditions only."""
    return attachment + fixed.total
