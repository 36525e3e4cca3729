"""Fees and premiums by month (docs/semantics.md 8.1): C28 and the counting options."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.model import Fee, Settings, TierAmounts
from aso_rules.settle.fees import FeeError, MonthActivity, compute_fees, enrollment_charge, month_activity
from tests.settle.sl_plans import aggregate, line, m, ruleset, specific, tiered

ALL = ("EE", "ES", "EC", "FAM")


def _flat(amount: str, unit: str = "pepm") -> TierAmounts:
    return tiered(dict.fromkeys(ALL, amount), unit)


C28_FEES = [
    Fee("admin_pepm", "pepm", amounts=_flat("32.50")),
    Fee("rx_admin_pmpm", "pmpm", amounts=_flat("1.25", "pmpm")),
    Fee("network_access_pepm", "pepm", amounts=_flat("4.75")),
    Fee("per_claim", "per_claim", amount=m("1.85")),
    Fee("pct_of_dental_claims", "pct_paid_claims", pct=Decimal("0.095"), lines=("dental",)),
    Fee("pct_of_savings", "pct_savings", pct=Decimal("0.30"), lines=("medical",)),
]


def test_fees__c28_one_month():
    """C28: one month of PEPM, PMPM, per-claim, percent-of-claims, percent-of-savings fees and premiums."""
    rs = ruleset(
        specific_tiers=[
            specific(premium=tiered({"EE": "88.40", "ES": "190.25", "EC": "172.10", "FAM": "265.80"}))
        ],
        agg=aggregate(factors={t: "1.00" for t in ALL}, premium=_flat("5.15")),
        fees=C28_FEES,
    )
    month = MonthEnrollment(date(2025, 1, 1), {"EE": 70, "ES": 15, "EC": 10, "FAM": 25}, members=290)
    activity = MonthActivity(
        claims={"medical": 2000, "rx": 400, "dental": 17},
        plan_paid={"dental": m("48765.43"), "medical": m("99999.99")},
        savings={"medical": m("16500.00"), "dental": m("1000.00")},
    )
    res = compute_fees(rs, [month], {date(2025, 1, 1): activity})
    assert dict(res.fees) == {
        "admin_pepm": m("3900.00"),
        "rx_admin_pmpm": m("362.50"),
        "network_access_pepm": m("570.00"),
        "per_claim": m("4471.45"),
        "pct_of_dental_claims": m("4632.72"),
        "pct_of_savings": m("4950.00"),
    }
    assert res.specific_premium == m("17407.75")
    assert res.aggregate_premium == m("618.00")
    assert res.fixed_fees + res.premium_total == m("22858.25")
    assert res.variable_fees == m("14054.17")
    assert res.fees_total + res.premium_total == m("36912.42")


def test_fees__percent_fee_rounded_per_month():
    """A percent fee is rounded each month: 2 x round(0.005 x 1.00) = 0.02, not round(0.005 x 2.00) = 0.01."""
    rs = ruleset(fees=[Fee("pct", "pct_paid_claims", pct=Decimal("0.005"))])
    months = [MonthEnrollment(date(2025, k, 1), {"EE": 1}, 1) for k in (1, 2)]
    act = {d: MonthActivity(plan_paid={"medical": m("1.00")}) for d in (date(2025, 1, 1), date(2025, 2, 1))}
    assert compute_fees(rs, months, act).fees["pct"] == m("0.02")


def test_fees__percent_fee_half_even_setting():
    """The ruleset's rounding mode applies: 0.5 x 0.05 = 0.025 is 0.03 half up, 0.02 half even."""
    fee = Fee("pct", "pct_paid_claims", pct=Decimal("0.5"))
    month = [MonthEnrollment(date(2025, 1, 1), {"EE": 1}, 1)]
    act = {date(2025, 1, 1): MonthActivity(plan_paid={"medical": m("0.05")})}
    assert compute_fees(ruleset(fees=[fee]), month, act).fees["pct"] == m("0.03")
    even = ruleset(fees=[fee], settings=Settings(rounding="half_even"))
    assert compute_fees(even, month, act).fees["pct"] == m("0.02")


def test_fees__month_activity_counts_denied_unless_told():
    """Per-claim counts include denied lines by default and leave them out when the setting says so."""
    lines = [
        line("A", "M1", "medical", "2025-01-05", "2025-01-10", "100.00", billed="150.00", allowed="120.00"),
        line("B", "M1", "medical", "2025-01-05", "2025-01-12", "0.00", status="denied"),
        line("C", "M1", "dental", "2025-01-05", "2025-02-03", "80.00"),
    ]
    act = month_activity(ruleset(), lines)
    jan = act[date(2025, 1, 1)]
    assert jan.claims == {"medical": 2}
    assert jan.plan_paid == {"medical": m("100.00")}
    assert jan.savings == {"medical": m("30.00")}
    assert act[date(2025, 2, 1)].claims == {"dental": 1}
    paid_only = month_activity(ruleset(settings=Settings(per_claim_fee_counts_denied=False)), lines)
    assert paid_only[date(2025, 1, 1)].claims == {"medical": 1}


def test_fees__net_of_stop_loss_base():
    """With pct_of_claims_base net_of_stop_loss, a line's specific share leaves the percent-fee base."""
    lines = [line("A", "M1", "medical", "2025-01-05", "2025-01-10", "1000.00")]
    rs = ruleset(settings=Settings(pct_of_claims_base="net_of_stop_loss"))
    act = month_activity(rs, lines, [m("400.00")])
    assert act[date(2025, 1, 1)].plan_paid == {"medical": m("600.00")}
    assert month_activity(ruleset(), lines, [m("400.00")])[date(2025, 1, 1)].plan_paid == {
        "medical": m("1000.00")
    }


def test_fees__run_out_month_fees_but_no_fixed_fees():
    """A line paid after the plan year carries its variable fee; fixed fees stay on plan months only."""
    rs = ruleset(
        fees=[Fee("admin", "pepm", amounts=_flat("10.00")), Fee("pc", "per_claim", amount=m("2.00"))]
    )
    months = [MonthEnrollment(date(2025, k, 1), {"EE": 3}, 3) for k in range(1, 13)]
    act = {date(2026, 2, 1): MonthActivity(claims={"medical": 5})}
    res = compute_fees(rs, months, act)
    assert res.fees["admin"] == m("360.00")
    assert res.fees["pc"] == m("10.00")
    assert res.months[-1] == date(2026, 2, 1)


def test_fees__tiered_pmpm_needs_members_by_tier():
    """A pmpm rate that differs by tier uses members by tier; without them it is an error."""
    table = tiered({"EE": "1.00", "ES": "2.00", "EC": "2.00", "FAM": "3.00"}, "pmpm")
    month = MonthEnrollment(date(2025, 1, 1), {"EE": 1, "FAM": 1}, members=5)
    assert enrollment_charge(table, month, {"EE": 1, "FAM": 4}) == m("13.00")
    with pytest.raises(FeeError):
        enrollment_charge(table, month)
