"""The acme example ruleset (LANGUAGE.md) built in Python, and projected enrollments, for pricing tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aso_rules import model
from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.money import money

TIERS = ("EE", "ES", "EC", "FAM")


def tier_amounts(ee: str, es: str, ec: str, fam: str, unit: str = "pepm") -> model.TierAmounts:
    """A tier table from four amounts."""
    return model.TierAmounts(
        amounts={"EE": money(ee), "ES": money(es), "EC": money(ec), "FAM": money(fam)},
        unit=unit,  # type: ignore[arg-type]
    )


def flat(amount: str, unit: str = "pepm") -> model.TierAmounts:
    """One amount for every tier."""
    return tier_amounts(amount, amount, amount, amount, unit)


def acme(**assumption_changes: object) -> model.Ruleset:
    """The LANGUAGE.md acme example, as the compiler is meant to produce it."""
    medical = model.Coverage(
        name="medical",
        kind="medical",
        networks={
            "in": model.CostSharing(
                ded_ind=money("1500"),
                ded_fam=money("3000"),
                oop_ind=money("5000"),
                oop_fam=money("10000"),
                default=model.CategoryRule(coins=Decimal("0.2")),
                categories={
                    "office_visit": model.CategoryRule(copay=money("30"), deductible_applies=False),
                    "specialist": model.CategoryRule(copay=money("60"), deductible_applies=False),
                    "emergency": model.CategoryRule(copay=money("250"), coins=Decimal("0.2")),
                    "preventive": model.CategoryRule(deductible_applies=False),
                },
            ),
            "out": model.CostSharing(
                ded_ind=money("3000"),
                ded_fam=money("6000"),
                oop_ind=money("10000"),
                oop_fam=money("20000"),
                default=model.CategoryRule(coins=Decimal("0.4")),
            ),
        },
    )
    rx = model.Coverage(name="rx", kind="rx", shares_oop_with="medical")
    first = model.SpecificStopLoss(
        name="Acme Re first tier",
        deductible=money("150000"),
        lasers={"M-1042": money("400000")},
        aggregating_deductible=money("50000"),
        maximum=money("850000"),
        basis=model.Basis(12, 15),
        premium=tier_amounts("42.10", "95.00", "80.00", "120.50"),
    )
    second = model.SpecificStopLoss(
        name="Summit Excess second tier",
        deductible=money("1000000"),
        basis=model.Basis(12, 15),
        premium=flat("6.25"),
    )
    aggregate = model.AggregateStopLoss(
        name="Acme Re aggregate",
        pct_of_expected=Decimal("1.25"),
        minimum_fixed=money("1800000"),
        maximum=money("1000000"),
        premium=flat("3.50"),
    )
    fees = (
        model.Fee(name="administration", kind="pepm", amounts=flat("38.50")),
        model.Fee(name="network_access", kind="pepm", amounts=flat("4.25")),
        model.Fee(name="cobra_administration", kind="pepm", amounts=flat("0.60")),
        model.Fee(name="claims_processing", kind="per_claim", amount=money("1.10")),
    )
    fields: dict[str, object] = {
        "expected_claims": tier_amounts("480.00", "1020.00", "870.00", "1450.00"),
        "claimants_pct": Decimal("0.78"),
        "claimant_cost": model.Lognormal(mean=money("6200"), cv=Decimal("3.0")),
        "claim_count": model.Poisson(),
        "fully_insured": tier_amounts("655.00", "1320.00", "1150.00", "1930.00"),
    }
    fields.update(assumption_changes)
    return model.Ruleset(
        name="Acme Manufacturing 2026",
        plan_year=model.PlanYear(date(2026, 1, 1), date(2026, 12, 31)),
        administrator="Blue Ridge Benefit Services",
        tiers=tuple(model.Tier(c, c) for c in TIERS),
        coverages={"medical": medical, "rx": rx},
        specific=(first, second),
        aggregate=aggregate,
        fees=fees,
        assumptions=model.Assumptions(**fields),  # type: ignore[arg-type]
    )


def constant_months(
    ee: int, es: int, ec: int, fam: int, members: int, year: int = 2026
) -> tuple[MonthEnrollment, ...]:
    """Twelve identical months of enrollment."""
    return tuple(
        MonthEnrollment(
            month=date(year, k, 1), employees={"EE": ee, "ES": es, "EC": ec, "FAM": fam}, members=members
        )
        for k in range(1, 13)
    )


def acme_months() -> tuple[MonthEnrollment, ...]:
    """A 250-employee projection: 110 EE, 50 ES, 30 EC, 60 FAM; 585 members."""
    return constant_months(110, 50, 30, 60, 585)
