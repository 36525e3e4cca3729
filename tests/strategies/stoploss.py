"""Hypothesis strategies for stop-loss scenarios: members, plan-paid lines, specific and aggregate terms.

Every amount is whole cents; percentages are exact Decimals in [0, 1]. Lines fall between 2024-10-01
and 2026-02-28 (incurred) and are paid 0-120 days later, so that windows, run-in and run-out matter.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import AggregateStopLoss, Basis, SpecificStopLoss, TierAmounts
from aso_rules.money import ZERO, Money
from aso_rules.settle.results import LineResult
from tests.strategies.settle import cents

CLAIMANTS = tuple(f"M{i}" for i in range(6))
KINDS = ("medical", "rx", "dental")
BASES = (Basis(12, 12), Basis(12, 15), Basis(15, 12), Basis(24, 12), Basis(paid_basis=True))


def pct() -> st.SearchStrategy[Decimal]:
    """A percentage in [0, 1] with up to 3 decimals, often exactly 1."""
    return st.one_of(st.just(Decimal(1)), st.integers(0, 1000).map(lambda n: Decimal(n) / 1000))


@st.composite
def members(draw: st.DrawFn) -> dict[str, MemberRecord]:
    """The claimants, EE employees; some start or end coverage inside the plan year."""
    out = {}
    for mid in CLAIMANTS:
        start = draw(st.sampled_from([date(2024, 1, 1), date(2024, 1, 1), date(2025, 4, 1)]))
        end = draw(st.sampled_from([None, None, date(2025, 9, 30)]))
        out[mid] = MemberRecord(mid, mid, "employee", "EE", start, end)
    return out


@st.composite
def line_results(draw: st.DrawFn, min_size: int = 0, max_size: int = 14) -> list[LineResult]:
    """Settled lines (mostly paid) with unique claim ids and rows."""
    n = draw(st.integers(min_size, max_size))
    out = []
    for i in range(n):
        incurred = date(2024, 10, 1) + timedelta(days=draw(st.integers(0, 515)))
        paid = incurred + timedelta(days=draw(st.integers(0, 120)))
        amount = draw(st.one_of(cents(0, 5_000_000), cents(5_000_000, 40_000_000)))
        denied = draw(st.integers(0, 9)) == 0
        who = draw(st.sampled_from(CLAIMANTS))
        claim = ClaimRecord(
            row=i + 1,
            claim_id=f"C{i:03d}",
            member_id=who,
            family_id=who,
            line=draw(st.sampled_from(KINDS)),
            category="OP",
            incurred=incurred,
            paid=paid,
            billed=amount,
        )
        if denied:
            out.append(LineResult(claim=claim, status="denied", reason="x", allowed=ZERO, noncovered=amount))
        else:
            out.append(LineResult(claim=claim, status="paid", reason="", allowed=amount, plan_paid=amount))
    return out


@st.composite
def specific_terms(draw: st.DrawFn, /, *, simple: bool = False, **fixed: Any) -> SpecificStopLoss:
    """A specific tier; ``simple`` = 100%, no ASD, no maximum (I-SPEC-4's preconditions)."""
    sd = draw(cents(0, 30_000_000))
    lasers: dict[str, Money | None] = {}
    for mid in draw(st.lists(st.sampled_from(CLAIMANTS), max_size=2, unique=True)):
        lasers[mid] = draw(st.one_of(st.none(), cents(0, 50_000_000)))
    kw: dict[str, Any] = {
        "name": "spec",
        "deductible": sd,
        "lasers": lasers,
        "basis": draw(st.sampled_from(BASES)),
        "covers": draw(st.sampled_from([("medical", "rx"), ("medical",), ("medical", "rx", "dental")])),
        "terminal_liability": draw(st.booleans()),
    }
    if not simple:
        kw["aggregating_deductible"] = draw(st.one_of(st.just(ZERO), cents(0, 20_000_000)))
        kw["maximum"] = draw(st.one_of(st.none(), cents(0, 30_000_000)))
        kw["reimbursement_pct"] = draw(pct())
    kw.update(fixed)
    return SpecificStopLoss(**kw)


@st.composite
def aggregate_terms(draw: st.DrawFn, /, **fixed: Any) -> AggregateStopLoss:
    """An aggregate contract with factors by tier (only EE members are generated)."""
    kw: dict[str, Any] = {
        "name": "agg",
        "factors": TierAmounts({"EE": draw(st.one_of(cents(0, 500_000), cents(0, 20_000_000)))}),
        "minimum_pct": draw(pct()),
        "minimum_fixed": draw(st.one_of(st.none(), cents(0, 100_000_000))),
        "maximum": draw(st.one_of(st.none(), cents(0, 50_000_000))),
        "reimbursement_pct": draw(pct()),
        "basis": draw(st.sampled_from(BASES)),
        "covers": draw(st.sampled_from([("medical", "rx"), ("medical", "rx", "dental")])),
        "laser_treatment": draw(st.sampled_from(["to_laser", "standard_only"])),
        "claim_basis": draw(st.sampled_from(["capped", "net_of_specific"])),
        "asd_counts": draw(st.booleans()),
        "monthly_accommodation": draw(st.booleans()),
        "terminal_liability": draw(st.booleans()),
    }
    kw.update(fixed)
    return AggregateStopLoss(**kw)
