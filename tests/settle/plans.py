"""docs/semantics.md's appendix plans (MED-A, HDHP-B, DEN-A, STD-A, LTD-A) as compiled ``Ruleset`` objects.

Built directly in Python, as the compiler would build them, so that the settlement engines can be
tested independently of the rule-language front end. Helpers build members and claim lines tersely.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import (
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
    Source,
    Tier,
)
from aso_rules.money import RoundingMode, money

D = Decimal
TIERS = (Tier("EE", "Employee only"), Tier("ES", "+ spouse"), Tier("EC", "+ children"), Tier("FAM", "Family"))
PY2025 = PlanYear(date(2025, 1, 1), date(2025, 12, 31))


def src(line: int) -> Source:
    return Source("plan.aso", line)


def copay(amount: str, then_deductible: bool = False, coins: str = "0") -> CategoryRule:
    """``copay CAT $X`` (plan pays the rest) or ``copay CAT $X then deductible``."""
    return CategoryRule(
        copay=money(amount), deductible_applies=then_deductible, coins=D(coins), source=src(20)
    )


FULL = CategoryRule(deductible_applies=False, source=src(21))

MED_A_IN = CostSharing(
    ded_ind=money("1000"),
    ded_fam=money("2000"),
    ded_mode="embedded",
    oop_ind=money("3000"),
    oop_fam=money("6000"),
    oop_mode="embedded",
    default=CategoryRule(coins=D("0.20"), source=src(12)),
    categories={
        "OV_PCP": copay("25"),
        "OV_SPC": copay("50"),
        "PREV": FULL,
        "ER": copay("250", then_deductible=True, coins="0.20"),
    },
    deductible_source=src(10),
    oop_source=src(11),
    coinsurance_source=src(12),
)
# An out-of-network tier for tests of separate accumulators (not in docs/semantics.md's MED-A).
MED_A_OUT = CostSharing(
    ded_ind=money("2000"),
    ded_fam=money("4000"),
    oop_ind=money("6000"),
    oop_fam=money("12000"),
    default=CategoryRule(coins=D("0.40")),
)
MEDICAL_FEES = FeeSchedule(
    line="medical",
    in_network_pct=D("0.60"),
    out_of_network_pct=D("0.50"),
    codes={
        "99211": money("18.00"),
        "99213": money("110.00"),
        "99214": money("160.00"),
        "97110": money("45.00"),
        "71046": money("60.00"),
    },
    categories={"IP": money("2850.00")},
    source=src(40),
)
RX = Coverage(
    name="rx",
    kind="rx",
    networks={
        "in": CostSharing(
            categories={
                "RX_GEN": copay("10"),
                "RX_BRD": copay("40"),
                "RX_SPC": CategoryRule(deductible_applies=False, coins=D("0.20")),
            }
        )
    },
    shares_oop_with="medical",
)


def med_a(
    rounding: RoundingMode = "half_up",
    *,
    lesser_of_billed: bool = True,
    processing_order: str = "paid",
    network_accumulators: str = "separate",
    noncovered_basis: str = "billed",
    plan_year: PlanYear = PY2025,
) -> Ruleset:
    """Plan MED-A (+ rx sharing medical's out-of-pocket), with repricing RP-1."""
    medical = Coverage(
        name="medical",
        kind="medical",
        networks={"in": MED_A_IN, "out": MED_A_OUT},
        limits=(
            Limit("PT", "visits", D(20), "year", source=src(30)),
            Limit("INF", "dollars", money("10000"), "lifetime", source=src(31)),
        ),
        exclusions=(Exclusion(("COS",), "cosmetic services are excluded", source=src(32)),),
        source=src(9),
    )
    settings = Settings(
        rounding=rounding,
        lesser_of_billed=lesser_of_billed,
        processing_order=processing_order,  # type: ignore[arg-type]
        network_accumulators=network_accumulators,  # type: ignore[arg-type]
        noncovered_basis=noncovered_basis,  # type: ignore[arg-type]
    )
    return Ruleset(
        name="MED-A",
        plan_year=plan_year,
        settings=settings,
        tiers=TIERS,
        coverages={"medical": medical, "rx": RX},
        excluded_lines={"life": ExcludedLine("life", "life is insured, not ASO", source=src(50))},
        fee_schedules={"medical": MEDICAL_FEES},
    )


def hdhp_b(rounding: RoundingMode = "half_up") -> Ruleset:
    """Plan HDHP-B: aggregate family deductible and out-of-pocket, individual cap 5,000."""
    terms = CostSharing(
        ded_ind=money("2000"),
        ded_fam=money("4000"),
        ded_mode="aggregate",
        oop_ind=money("5000"),
        oop_fam=money("8000"),
        oop_mode="aggregate",
        ind_oop_cap_in_family=money("5000"),
        default=CategoryRule(coins=D("0.20")),
        categories={"PREV": FULL},
    )
    medical = Coverage(name="medical", kind="medical", networks={"in": terms})
    return Ruleset(
        name="HDHP-B",
        plan_year=PY2025,
        settings=Settings(rounding=rounding),
        tiers=TIERS,
        coverages={"medical": medical},
    )


def den_a(rounding: RoundingMode = "half_up") -> Ruleset:
    """Plan DEN-A: classes I/II/III at 100/80/50%, deductible 50 (family 150), annual max 1,500."""
    dental = Coverage(
        name="dental",
        kind="dental",
        networks={"in": CostSharing(ded_ind=money("50"), ded_fam=money("150"), deductible_source=src(60))},
        dental=DentalTerms(
            classes={
                "I": DentalClass("I", D("1.00"), deductible_applies=False, source=src(61)),
                "II": DentalClass("II", D("0.80"), source=src(62)),
                "III": DentalClass("III", D("0.50"), waiting_months=0, source=src(63)),
            },
            annual_max=money("1500"),
            annual_max_source=src(64),
        ),
    )
    fees = FeeSchedule(
        line="dental",
        codes={
            "D0120": money("45.00"),
            "D1110": money("95.00"),
            "D2392": money("200.00"),
            "D2740": money("1250.25"),
        },
    )
    return Ruleset(
        name="DEN-A",
        plan_year=PY2025,
        settings=Settings(rounding=rounding),
        tiers=TIERS,
        coverages={"dental": dental},
        fee_schedules={"dental": fees},
    )


STD_A = DisabilityTerms(
    kind="std",
    pct=D("0.60"),
    maximum=money("1000"),
    elimination_illness_days=7,
    elimination_accident_days=0,
    duration_days=182,
    source=src(70),
)
LTD_A = DisabilityTerms(
    kind="ltd",
    pct=D("0.60"),
    maximum=money("10000"),
    elimination_illness_days=90,
    elimination_accident_days=90,
    minimum_flat=money("100"),
    minimum_pct=D("0.10"),
    source=src(80),
)


def disability(rounding: RoundingMode = "half_up") -> Ruleset:
    """STD-A and LTD-A as coverages ``std`` and ``ltd``."""
    return Ruleset(
        name="DIS",
        plan_year=PY2025,
        settings=Settings(rounding=rounding),
        tiers=TIERS,
        coverages={
            "std": Coverage(name="std", kind="std", disability=STD_A),
            "ltd": Coverage(name="ltd", kind="ltd", disability=LTD_A),
        },
    )


def member(
    member_id: str,
    family_id: str | None = None,
    tier: str = "EE",
    *,
    start: date = date(2025, 1, 1),
    end: date | None = None,
    salary: str | None = None,
    weekly: str | None = None,
) -> MemberRecord:
    return MemberRecord(
        member_id=member_id,
        family_id=family_id or member_id,
        relationship="employee" if family_id in (None, member_id) else "other",
        tier=tier,
        coverage_start=start,
        coverage_end=end,
        annual_salary=money(salary) if salary else None,
        weekly_earnings=money(weekly) if weekly else None,
    )


_ROWS = iter(range(1, 10**9))


def claim(
    claim_id: str,
    m: MemberRecord,
    category: str,
    incurred: str,
    paid: str | None = None,
    billed: str = "0",
    allowed: str | None = None,
    *,
    line: str = "medical",
    code: str | None = None,
    units: int = 1,
    network: str = "in",
    absence: tuple[str, str] | None = None,
    cause: str | None = None,
) -> ClaimRecord:
    return ClaimRecord(
        row=next(_ROWS),
        claim_id=claim_id,
        member_id=m.member_id,
        family_id=m.family_id,
        line=line,
        category=category,
        incurred=date.fromisoformat(incurred),
        paid=date.fromisoformat(paid or incurred),
        billed=money(billed),
        network=network,
        code=code,
        units=units,
        allowed=money(allowed) if allowed is not None else None,
        absence_start=date.fromisoformat(absence[0]) if absence else None,
        absence_end=date.fromisoformat(absence[1]) if absence else None,
        cause=cause,
    )


def by_id(members: list[MemberRecord]) -> dict[str, MemberRecord]:
    return {m.member_id: m for m in members}
