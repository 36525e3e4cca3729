"""Rulesets built directly in Python for the input tests, until the rule-file loader lands.

``acme_2026()`` is LANGUAGE.md's example as the compiler should produce it (the parts the readers and
the generator use: tiers, coverages, categories, excluded lines, fee schedule, stop-loss lasers).
``med_a()``, ``hdhp_b()``, ``den_a()`` and ``std_a()`` are DOMAIN.md's shared fixture plans.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aso_rules.model import (
    Basis,
    CategoryRule,
    CostSharing,
    Coverage,
    DentalClass,
    DentalTerms,
    DisabilityTerms,
    ExcludedLine,
    Exclusion,
    FeeSchedule,
    Limit,
    PlanYear,
    Ruleset,
    Settings,
    SpecificStopLoss,
    Tier,
)
from aso_rules.money import money

TIERS = (
    Tier("EE", "Employee only"),
    Tier("ES", "Employee + spouse"),
    Tier("EC", "Employee + children"),
    Tier("FAM", "Family"),
)
PLAN_YEAR_2026 = PlanYear(date(2026, 1, 1), date(2026, 12, 31))
PLAN_YEAR_2025 = PlanYear(date(2025, 1, 1), date(2025, 12, 31))


def _copay(amount: str, then_deductible: bool = False, coins: str = "0") -> CategoryRule:
    return CategoryRule(copay=money(amount), deductible_applies=then_deductible, coins=Decimal(coins))


def acme_2026() -> Ruleset:
    """LANGUAGE.md's Acme Manufacturing 2026 example."""
    in_net = CostSharing(
        ded_ind=money("1500"),
        ded_fam=money("3000"),
        oop_ind=money("5000"),
        oop_fam=money("10000"),
        default=CategoryRule(coins=Decimal("0.2")),
        categories={
            "office_visit": _copay("30"),
            "specialist": _copay("60"),
            "emergency": _copay("250", then_deductible=True, coins="0.2"),
            "preventive": CategoryRule(deductible_applies=False),
        },
    )
    out_net = CostSharing(
        ded_ind=money("3000"),
        ded_fam=money("6000"),
        oop_ind=money("10000"),
        oop_fam=money("20000"),
        default=CategoryRule(coins=Decimal("0.4")),
    )
    medical = Coverage(
        name="medical",
        kind="medical",
        networks={"in": in_net, "out": out_net},
        limits=(
            Limit("chiropractic", "visits", Decimal(20)),
            Limit("infertility", "dollars", money("15000"), period="lifetime"),
        ),
        exclusions=(
            Exclusion(("cosmetic", "experimental"), "Not covered under the plan document, section 7"),
        ),
    )
    rx = Coverage(
        name="rx",
        kind="rx",
        networks={
            "in": CostSharing(
                categories={
                    "generic": _copay("10"),
                    "preferred_brand": _copay("40"),
                    "non_preferred": _copay("70"),
                    "specialty": _copay("150"),
                }
            )
        },
        shares_oop_with="medical",
    )
    dental = Coverage(
        name="dental",
        kind="dental",
        networks={"in": CostSharing(ded_ind=money("50"), ded_fam=money("150"))},
        dental=DentalTerms(
            classes={
                "preventive": DentalClass("preventive", Decimal(1), deductible_applies=False),
                "basic": DentalClass("basic", Decimal("0.8")),
                "major": DentalClass("major", Decimal("0.5"), waiting_months=12),
            },
            annual_max=money("1500"),
        ),
    )
    std = Coverage(
        name="std",
        kind="std",
        disability=DisabilityTerms(
            kind="std",
            pct=Decimal("0.6"),
            maximum=money("1000"),
            elimination_illness_days=7,
            elimination_accident_days=0,
            duration_days=182,
        ),
    )
    reason = "Life and AD&D are insured products, not suited to ASO funding"
    return Ruleset(
        name="Acme Manufacturing 2026",
        plan_year=PLAN_YEAR_2026,
        administrator="Blue Ridge Benefit Services",
        settings=Settings(rounding="half_up"),
        tiers=TIERS,
        coverages={"medical": medical, "rx": rx, "dental": dental, "std": std},
        excluded_lines={
            "life": ExcludedLine("life", reason),
            "accidental_death": ExcludedLine("accidental_death", reason),
        },
        fee_schedules={
            "medical": FeeSchedule(
                line="medical",
                in_network_pct=Decimal("0.58"),
                out_of_network_pct=Decimal(1),
                codes={"99213": money("92.00"), "99214": money("131.00")},
                categories={"inpatient": money("2450")},
            )
        },
        specific=(
            SpecificStopLoss(
                name="Acme Re first tier",
                deductible=money("150000"),
                lasers={"M-1042": money("400000")},
                aggregating_deductible=money("50000"),
                maximum=money("850000"),
                basis=Basis(12, 15),
            ),
            SpecificStopLoss(
                name="Summit Excess second tier", deductible=money("1000000"), basis=Basis(12, 15)
            ),
        ),
    )


def med_a() -> Ruleset:
    """DOMAIN.md Plan MED-A (medical PPO, in-network, 2025), with its Rx categories."""
    categories = {
        "OV_PCP": _copay("25"),
        "OV_SPC": _copay("50"),
        "PREV": CategoryRule(deductible_applies=False),
        "ER": _copay("250", then_deductible=True, coins="0.2"),
        "RX_GEN": _copay("10"),
        "RX_BRD": _copay("40"),
        "RX_SPC": CategoryRule(deductible_applies=False, coins=Decimal("0.2")),
    }
    sharing = CostSharing(
        ded_ind=money("1000"),
        ded_fam=money("2000"),
        oop_ind=money("3000"),
        oop_fam=money("6000"),
        default=CategoryRule(coins=Decimal("0.2")),
        categories=categories,
    )
    medical = Coverage(
        name="medical",
        kind="medical",
        networks={"in": sharing},
        limits=(
            Limit("PT", "visits", Decimal(20)),
            Limit("INF", "dollars", money("10000"), period="lifetime"),
        ),
        exclusions=(Exclusion(("COS",), "cosmetic"),),
    )
    return Ruleset(name="MED-A", plan_year=PLAN_YEAR_2025, tiers=TIERS, coverages={"medical": medical})


def hdhp_b() -> Ruleset:
    """DOMAIN.md Plan HDHP-B (non-embedded family deductible, aggregate OOP with individual cap)."""
    sharing = CostSharing(
        ded_ind=money("2000"),
        ded_fam=money("4000"),
        ded_mode="aggregate",
        oop_ind=money("5000"),
        oop_fam=money("8000"),
        oop_mode="aggregate",
        ind_oop_cap_in_family=money("5000"),
        default=CategoryRule(coins=Decimal("0.2")),
        categories={"PREV": CategoryRule(deductible_applies=False)},
    )
    medical = Coverage(name="medical", kind="medical", networks={"in": sharing})
    return Ruleset(name="HDHP-B", plan_year=PLAN_YEAR_2025, tiers=TIERS, coverages={"medical": medical})


def den_a() -> Ruleset:
    """DOMAIN.md Plan DEN-A (dental classes I/II/III, 1,500 annual maximum)."""
    dental = Coverage(
        name="dental",
        kind="dental",
        networks={"in": CostSharing(ded_ind=money("50"), ded_fam=money("150"))},
        dental=DentalTerms(
            classes={
                "I": DentalClass("I", Decimal(1), deductible_applies=False),
                "II": DentalClass("II", Decimal("0.8")),
                "III": DentalClass("III", Decimal("0.5")),
            },
            annual_max=money("1500"),
        ),
    )
    return Ruleset(name="DEN-A", plan_year=PLAN_YEAR_2025, tiers=TIERS, coverages={"dental": dental})


def std_a() -> Ruleset:
    """DOMAIN.md STD-A (60% of weekly earnings to 1,000 a week, EP 7/0 days, 26 weeks)."""
    std = Coverage(
        name="std",
        kind="std",
        disability=DisabilityTerms(
            kind="std",
            pct=Decimal("0.6"),
            maximum=money("1000"),
            elimination_illness_days=7,
            elimination_accident_days=0,
            duration_days=182,
        ),
    )
    return Ruleset(name="STD-A", plan_year=PLAN_YEAR_2025, tiers=TIERS, coverages={"std": std})
