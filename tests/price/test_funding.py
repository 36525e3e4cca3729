"""Exact funding arithmetic: semantics C29 (funding rates, COBRA, ceiling) and C24 (attachment point)."""

from __future__ import annotations

from decimal import Decimal

from aso_rules import model
from aso_rules.money import money
from aso_rules.price import funding as fund
from aso_rules.settle.stoploss import attachment_point
from tests.price.fixtures import acme, acme_months, constant_months, tier_amounts

G3 = constant_months(60, 15, 10, 25, members=300, year=2025)
RATIOS = {"EE": Decimal("1.00"), "ES": Decimal("2.10"), "EC": Decimal("1.85"), "FAM": Decimal("3.00")}
FIXED = {"EE": money("140.00"), "ES": money("255.00"), "EC": money("230.00"), "FAM": money("345.00")}


def _c29_funding() -> fund.Funding:
    expected = fund.tier_expected(Decimal(1_000_000), RATIOS, G3, "half_up")
    return fund.funding(expected, FIXED, G3, "half_up", target=Decimal(1_000_000))


def test_funding__c29_tier_rates() -> None:
    """C29: expected pepm 450.45/945.95/833.33/1351.35 and funding 590.45/1200.95/1063.33/1696.35."""
    f = _c29_funding()
    assert dict(f.expected) == {
        "EE": money("450.45"), "ES": money("945.95"), "EC": money("833.33"), "FAM": money("1351.35")
    }  # fmt: skip
    assert dict(f.rates) == {
        "EE": money("590.45"), "ES": money("1200.95"), "EC": money("1063.33"), "FAM": money("1696.35")
    }  # fmt: skip


def test_funding__c29_totals_and_residual() -> None:
    """C29: funded expected claims 999,999.60 (residual -0.40, not spread), funding 1,277,799.60."""
    f = _c29_funding()
    assert f.expected_annual == money("999999.60")
    assert f.residual == money("-0.40")
    assert f.funding_annual == money("1277799.60")


def test_funding__c29_cobra() -> None:
    """C29: COBRA = round(1.02 x funding): EE 602.26, FAM 1730.28."""
    f = _c29_funding()
    assert f.cobra["EE"] == money("602.26") and f.cobra["FAM"] == money("1730.28")


def test_funding__margin_applies_to_expected_only() -> None:
    """A 5% margin raises round(expected x 1.05) and leaves fixed costs as they are."""
    expected = {"EE": money("100.00")}
    f = fund.funding(expected, {"EE": money("10.00")}, G3, "half_up", margin=Decimal("0.05"))
    assert f.rates["EE"] == money("115.00")


def _c29_ruleset() -> model.Ruleset:
    base = acme()
    return model.Ruleset(
        name="G3",
        plan_year=model.PlanYear(G3[0].month, G3[-1].month.replace(day=31)),
        tiers=base.tiers,
        specific=(
            model.SpecificStopLoss(
                name="spec",
                deductible=money("100000"),
                premium=tier_amounts("95.00", "210.00", "185.00", "300.00"),
            ),
        ),
        aggregate=model.AggregateStopLoss(
            name="agg",
            factors=tier_amounts("563.06", "1182.43", "1041.67", "1689.19"),
            premium=tier_amounts("7.00", "7.00", "7.00", "7.00"),
        ),
        fees=(
            model.Fee(name="admin", kind="pepm", amounts=tier_amounts("38.00", "38.00", "38.00", "38.00")),
        ),
    )


def test_fixed_costs__c29_annual_and_per_tier() -> None:
    """C29: fixed costs 277,800.00 a year; per tier 140/255/230/345 pepm."""
    rs = _c29_ruleset()
    assert fund.fixed_costs(rs, G3).total == money("277800.00")
    assert fund.fixed_pepm(rs, G3, "half_up") == FIXED


def test_attachment__c29_point_and_maximum_liability() -> None:
    """C29: A = 1,249,998.00 and maximum liability 1,527,798.00."""
    rs = _c29_ruleset()
    assert rs.aggregate is not None
    factors = fund.attachment_factors(rs.aggregate, {}, rs.tier_codes, "half_up")
    a = attachment_point(rs.aggregate, factors, G3, "half_up")
    assert a.point == money("1249998.00")
    assert fund.maximum_liability(a.point, fund.fixed_costs(rs, G3)) == money("1527798.00")


def test_attachment__c24_minimum_attachment() -> None:
    """C24: M_jan 81,200, M_jul 65,860, A_calc 882,360, A_min 925,680 = A."""
    months = constant_months(60, 15, 10, 25, 300, 2025)[:6] + constant_months(50, 12, 8, 20, 250, 2025)[6:]
    agg = model.AggregateStopLoss(name="g1", factors=tier_amounts("450.00", "900.00", "820.00", "1300.00"))
    factors = fund.attachment_factors(agg, {}, ("EE", "ES", "EC", "FAM"), "half_up")
    a = attachment_point(agg, factors, months, "half_up")
    assert a.monthly[0] == money("81200.00") and a.monthly[6] == money("65860.00")
    assert a.calculated == money("882360.00")
    assert a.minimum == money("925680.00")
    assert a.point == money("925680.00")


def test_attachment__percent_of_expected_with_fixed_floor() -> None:
    """Acme: factors are 125% of tier expected claims; the $1,800,000 floor applies only when higher."""
    rs = acme()
    assert rs.aggregate is not None
    expected, _ = fund.expected_by_tier(rs, acme_months(), "half_up")
    factors = fund.attachment_factors(rs.aggregate, expected, rs.tier_codes, "half_up")
    assert factors["EE"] == money("600.00") and factors["FAM"] == money("1812.50")
    a = attachment_point(rs.aggregate, factors, acme_months(), "half_up")
    # 110 x 600 + 50 x 1275 + 30 x 1087.50 + 60 x 1812.50 = 271,125.00 a month
    assert a.point == money("3253500.00")


def test_fixed_costs__acme_by_hand() -> None:
    """Acme, 250 employees for 12 months: fees 43.35 pepm; premiums by tier plus 6.25 and 3.50 pepm."""
    f = fund.fixed_costs(acme(), acme_months())
    assert f.fees == money("130050.00")  # 43.35 x 3000
    # specific: (110x42.10 + 50x95 + 30x80 + 60x120.50) x 12 + 6.25 x 3000
    assert f.specific_premium == money("246882.00")
    assert f.aggregate_premium == money("10500.00")
    assert f.total == money("387432.00")


def test_attachment__terminal_liability_adds_the_last_three_months() -> None:
    """Pricing and settlement share one attachment point: with terminal liability A_TL = A + M_10..M_12."""
    months = constant_months(60, 15, 10, 25, 300, 2025)
    agg = model.AggregateStopLoss(
        name="g1", factors=tier_amounts("450.00", "900.00", "820.00", "1300.00"), terminal_liability=True
    )
    factors = fund.attachment_factors(agg, {}, ("EE", "ES", "EC", "FAM"), "half_up")
    a = attachment_point(agg, factors, months, "half_up")
    assert a.calculated == money("974400.00")  # 12 x 81,200
    assert a.point == money("974400.00") + 3 * money("81200.00")
