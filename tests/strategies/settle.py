"""Hypothesis strategies for settlement: plans (modes, copays, rates, limits), families and claims.

Every generated plan satisfies the preconditions the spec's checker enforces: coinsurance rates in
[0, 1], copays >= 0, family amounts >= person amounts, out-of-pocket >= deductible. Generated claims
span two plan years so that resets are exercised; ``allowed`` given on a claim never exceeds billed.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any, Literal

from hypothesis import strategies as st

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import (
    CategoryRule,
    CostSharing,
    Coverage,
    DentalClass,
    DentalTerms,
    DisabilityTerms,
    FamilyMode,
    FeeSchedule,
    Limit,
    PlanYear,
    Ruleset,
    Settings,
    Tier,
)
from aso_rules.money import from_cents

TIERS = (Tier("EE", "Employee only"), Tier("ES", "+ spouse"), Tier("EC", "+ children"), Tier("FAM", "Family"))
CATEGORIES = ("A", "B", "VISITS", "DOLLARS", "OTHER")
DENTAL_CLASSES = ("I", "II", "III", "IV")  # IV is not a class of the plan: denied
STEP_ORDERS = (
    ("copay", "deductible", "coinsurance"),
    ("deductible", "copay", "coinsurance"),
    ("deductible", "coinsurance", "copay"),
)


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Money between ``low`` and ``high`` cents."""
    return st.integers(low, high).map(from_cents)


rates = st.integers(0, 100).map(lambda p: Decimal(p) / 100)
odd_rates = st.sampled_from(
    [Decimal(x) for x in ("0", "0.15", "0.2", "0.25", "0.3", "0.35", "0.5", "0.625", "1")]
)


@st.composite
def category_rules(draw: st.DrawFn) -> CategoryRule:
    return CategoryRule(
        copay=draw(st.one_of(st.just(from_cents(0)), cents(1, 30_000))),
        deductible_applies=draw(st.booleans()),
        coins=draw(st.one_of(rates, odd_rates)),
        copay_counts_to_oop=draw(st.booleans()),
        copay_counts_to_deductible=draw(st.booleans()),
        step_order=draw(st.sampled_from(STEP_ORDERS)),
    )


@st.composite
def cost_sharings(draw: st.DrawFn) -> CostSharing:
    ded_ind = draw(st.one_of(st.none(), cents(0, 300_000)))
    ded_fam = None if ded_ind is None else ded_ind * draw(st.sampled_from([1, 2, 3]))
    oop_ind = draw(st.one_of(st.none(), cents(0, 800_000)))
    if oop_ind is not None and ded_ind is not None and oop_ind < ded_ind:
        oop_ind = ded_ind
    oop_fam = None if oop_ind is None else oop_ind * draw(st.sampled_from([1, 2, 3]))
    oop_mode: FamilyMode = draw(st.sampled_from(["embedded", "aggregate"]))
    cap = None
    if oop_mode == "aggregate" and oop_ind is not None and draw(st.booleans()):
        cap = oop_ind
    return CostSharing(
        ded_ind=ded_ind,
        ded_fam=ded_fam,
        ded_mode=draw(st.sampled_from(["embedded", "aggregate"])),
        oop_ind=oop_ind,
        oop_fam=oop_fam,
        oop_mode=oop_mode,
        ind_oop_cap_in_family=cap,
        default=CategoryRule(coins=draw(rates)),
        categories={c: draw(category_rules()) for c in ("A", "B") if draw(st.booleans())},
    )


@st.composite
def rulesets(draw: st.DrawFn, *, limits: bool = True, cross: bool | None = None) -> Ruleset:
    """Medical, rx (may share medical's deductible or out-of-pocket), dental and STD coverages."""
    medical_limits: tuple[Limit, ...] = ()
    if limits:
        medical_limits = (
            Limit(
                "VISITS",
                "visits",
                Decimal(draw(st.integers(0, 4))),
                draw(st.sampled_from(["year", "lifetime"])),
            ),
            Limit("DOLLARS", "dollars", draw(cents(0, 400_000)), draw(st.sampled_from(["year", "lifetime"]))),
        )
    medical = Coverage(
        name="medical",
        kind="medical",
        networks={"in": draw(cost_sharings()), "out": draw(cost_sharings())},
        limits=medical_limits,
    )
    rx = Coverage(
        name="rx",
        kind="rx",
        networks={"in": draw(cost_sharings())},
        shares_deductible_with=draw(st.sampled_from([None, "medical"])),
        shares_oop_with=draw(st.sampled_from([None, "medical"])),
    )
    dental = Coverage(
        name="dental",
        kind="dental",
        networks={"in": draw(cost_sharings())},
        dental=DentalTerms(
            classes={
                name: DentalClass(
                    name,
                    draw(rates),
                    deductible_applies=draw(st.booleans()),
                    waiting_months=draw(st.sampled_from([0, 0, 6, 12])),
                    counts_to_annual_max=draw(st.booleans()),
                )
                for name in DENTAL_CLASSES[:3]
            },
            annual_max=draw(cents(0, 300_000)) if limits else None,
        ),
    )
    std = Coverage(name="std", kind="std", disability=draw(disability_terms("std")))
    network_acc: Literal["separate", "cross"] = (
        draw(st.sampled_from(["separate", "cross"])) if cross is None else ("cross" if cross else "separate")
    )
    settings = Settings(
        rounding=draw(st.sampled_from(["half_up", "half_even"])),
        processing_order=draw(st.sampled_from(["paid", "incurred"])),
        lesser_of_billed=draw(st.booleans()),
        coinsurance_rounding_side=draw(st.sampled_from(["member", "plan"])),
        network_accumulators=network_acc,
    )
    schedule = FeeSchedule(
        line="medical",
        in_network_pct=draw(st.one_of(st.none(), rates, odd_rates)),
        out_of_network_pct=draw(st.one_of(st.none(), rates, odd_rates)),
        codes={"C1": draw(cents(1, 50_000))},
        categories={"OTHER": draw(cents(1, 300_000))},
    )
    return Ruleset(
        name="generated",
        plan_year=PlanYear(date(2025, 1, 1), date(2025, 12, 31)),
        settings=settings,
        tiers=TIERS,
        coverages={"medical": medical, "rx": rx, "dental": dental, "std": std},
        fee_schedules={"medical": schedule},
    )


@st.composite
def families(draw: st.DrawFn) -> list[MemberRecord]:
    """One to three families; a one-member family may be EE, larger ones are family tiers."""
    members: list[MemberRecord] = []
    for f in range(draw(st.integers(1, 3))):
        size = draw(st.integers(1, 4))
        tier = (
            draw(st.sampled_from(["EE", "ES", "FAM"]))
            if size == 1
            else draw(st.sampled_from(["ES", "EC", "FAM"]))
        )
        fid = f"F{f}"
        for i in range(size):
            salary = draw(st.one_of(st.none(), cents(0, 30_000_000)))
            start = draw(st.sampled_from([date(2024, 6, 1), date(2024, 6, 1), date(2025, 3, 1)]))
            mid = f"{fid}-{i}" if i else fid
            members.append(MemberRecord(mid, fid, "employee", tier, start, annual_salary=salary))
    return members


_ids = count()


@st.composite
def claim_records(draw: st.DrawFn, members: list[MemberRecord], *, priced: bool = False) -> ClaimRecord:
    """A medical or rx line; ``priced`` forces an allowed amount on the claim."""
    m = draw(st.sampled_from(members))
    incurred = date(2025, 1, 1) + timedelta(days=draw(st.integers(-60, 420)))
    paid = incurred + timedelta(days=draw(st.integers(0, 90)))
    billed = draw(cents(0, 3_000_000))
    given = priced or draw(st.booleans())
    allowed = from_cents(draw(st.integers(0, int(billed * 100)))) if given else None
    line = draw(st.sampled_from(["medical", "medical", "rx", "dental", "std"]))
    category = draw(st.sampled_from(DENTAL_CLASSES if line == "dental" else CATEGORIES))
    absence_start = absence_end = None
    if line == "std":
        absence_start = incurred
        absence_end = incurred + timedelta(days=draw(st.integers(0, 400)))
    n = next(_ids)
    return ClaimRecord(
        row=n,
        claim_id=f"c{n:07d}",
        member_id=m.member_id,
        family_id=m.family_id,
        line=line,
        category=category,
        incurred=incurred,
        paid=paid,
        billed=billed,
        network=draw(st.sampled_from(["in", "in", "out"])),
        code=draw(st.sampled_from([None, "C1", "C9"])),
        units=draw(st.integers(1, 3)),
        allowed=allowed,
        absence_start=absence_start,
        absence_end=absence_end,
        cause=draw(st.sampled_from([None, "illness", "accident"])),
    )


@st.composite
def scenarios(draw: st.DrawFn, /, **ruleset_kw: Any) -> tuple[Ruleset, list[MemberRecord], list[ClaimRecord]]:
    rs = draw(rulesets(**ruleset_kw))
    members = draw(families())
    claims = draw(st.lists(claim_records(members), min_size=1, max_size=25))
    return rs, members, claims


@st.composite
def disability_terms(draw: st.DrawFn, kind: str = "std") -> DisabilityTerms:
    return DisabilityTerms(
        kind=kind,  # type: ignore[arg-type]
        pct=draw(rates),
        maximum=draw(st.one_of(st.none(), cents(0, 2_000_000))),
        elimination_illness_days=draw(st.integers(0, 200)),
        elimination_accident_days=draw(st.integers(0, 30)),
        duration_days=draw(st.one_of(st.none(), st.integers(0, 800))),
        max_includes_ep=draw(st.booleans()),
        minimum_flat=draw(st.one_of(st.none(), cents(0, 50_000))),
        minimum_pct=draw(st.one_of(st.none(), rates)),
    )
