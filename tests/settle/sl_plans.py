"""Shared builders for settlement tests: docs/semantics.md's stop-loss fixtures as Python objects.

Stop-loss works on plan-paid amounts, so lines are built directly as ``LineResult`` values (allowed
= plan paid unless stated), without the adjudicator. Members are enrolled from 2024-01-01, open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import (
    AggregateStopLoss,
    Fee,
    PlanYear,
    Ruleset,
    SpecificStopLoss,
    Tier,
    TierAmounts,
)
from aso_rules.money import ZERO, money
from aso_rules.settle.results import LineResult

PLAN_2025 = PlanYear(date(2025, 1, 1), date(2025, 12, 31))
TIERS = (
    Tier("EE", "Employee"),
    Tier("ES", "Employee + spouse"),
    Tier("EC", "Employee + children"),
    Tier("FAM", "Family"),
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def m(text: str) -> Decimal:
    return money(text)


def member(
    member_id: str,
    *,
    family: str | None = None,
    tier: str = "EE",
    start: str = "2024-01-01",
    end: str | None = None,
) -> MemberRecord:
    return MemberRecord(
        member_id=member_id,
        family_id=family or member_id,
        relationship="employee" if (family or member_id) == member_id else "spouse",
        tier=tier,
        coverage_start=d(start),
        coverage_end=d(end) if end else None,
    )


_ROW = iter(range(1, 10**9))


def line(
    claim_id: str,
    member_id: str,
    kind: str,
    incurred: str,
    paid: str,
    plan_paid: str,
    *,
    family: str | None = None,
    status: str = "paid",
    billed: str | None = None,
    allowed: str | None = None,
    category: str = "OP",
    row: int | None = None,
) -> LineResult:
    """A settled line whose plan paid is ``plan_paid`` (member paid = allowed - plan paid)."""
    pp = m(plan_paid) if status == "paid" else ZERO
    al = m(allowed) if allowed is not None else pp
    bl = m(billed) if billed is not None else al
    claim = ClaimRecord(
        row=row if row is not None else next(_ROW),
        claim_id=claim_id,
        member_id=member_id,
        family_id=family or member_id,
        line=kind,
        category=category,
        incurred=d(incurred),
        paid=d(paid),
        billed=bl,
    )
    if status != "paid":
        return LineResult(claim=claim, status="denied", reason="not covered", allowed=ZERO, noncovered=bl)
    return LineResult(
        claim=claim,
        status="paid",
        reason="",
        allowed=al,
        coinsurance=al - pp,
        plan_paid=pp,
        contractual_adj=max(ZERO, bl - al),
    )


def members_for(lines: Iterable[LineResult], tier: str = "EE") -> dict[str, MemberRecord]:
    """Every member of the lines, enrolled from 2024-01-01 with the given tier."""
    out: dict[str, MemberRecord] = {}
    for r in lines:
        c = r.claim
        out.setdefault(c.member_id, member(c.member_id, family=c.family_id, tier=tier))
    return out


def tiered(amounts: Mapping[str, str], unit: str = "pepm") -> TierAmounts:
    return TierAmounts({k: m(v) for k, v in amounts.items()}, unit=unit)  # type: ignore[arg-type]


def specific(name: str = "spec", deductible: str = "150000.00", **kw: Any) -> SpecificStopLoss:
    if "lasers" in kw:
        kw["lasers"] = {k: (None if v is None else m(v)) for k, v in kw["lasers"].items()}
    for key in ("aggregating_deductible", "maximum"):
        if isinstance(kw.get(key), str):
            kw[key] = m(kw[key])
    return SpecificStopLoss(name=name, deductible=m(deductible), **kw)


def aggregate(name: str = "agg", **kw: Any) -> AggregateStopLoss:
    if isinstance(kw.get("factors"), Mapping):
        kw["factors"] = tiered(kw["factors"])
    for key in ("minimum_fixed", "maximum"):
        if isinstance(kw.get(key), str):
            kw[key] = m(kw[key])
    return AggregateStopLoss(name=name, **kw)


def ruleset(
    *,
    specific_tiers: Sequence[SpecificStopLoss] = (),
    agg: AggregateStopLoss | None = None,
    fees: Sequence[Fee] = (),
    **kw: Any,
) -> Ruleset:
    return Ruleset(
        name="test",
        plan_year=PLAN_2025,
        tiers=TIERS,
        specific=tuple(specific_tiers),
        aggregate=agg,
        fees=tuple(fees),
        **kw,
    )


def families(
    counts: Mapping[str, int], *, prefix: str = "E", end: str | None = None, start: str = "2024-01-01"
) -> list[MemberRecord]:
    """One employee per family, ``counts`` families per tier (ids PREFIX-TIER-n)."""
    out = []
    for tier, n in counts.items():
        for i in range(n):
            out.append(member(f"{prefix}-{tier}-{i}", tier=tier, start=start, end=end))
    return out


def o_members(n: int, amount: str, *, kind: str = "medical") -> list[LineResult]:
    """docs/semantics.md's O-members: n members, one medical line each, incurred 06-01, paid 06-20."""
    return [line(f"O{i}", f"O{i}", kind, "2025-06-01", "2025-06-20", amount) for i in range(1, n + 1)]


def acme_full() -> Ruleset:
    """LANGUAGE.md's Acme example as compiled, with its premiums, aggregate, fees, assumptions and tests."""
    import attrs

    from aso_rules.model import Assumptions, Expectation, TestCase, TestClaim, TestMember
    from tests.data.plans import acme_2026

    base = acme_2026()
    first, second = base.specific
    tiers = ("EE", "ES", "EC", "FAM")
    first = attrs.evolve(
        first, premium=tiered({"EE": "42.10", "ES": "95.00", "EC": "80.00", "FAM": "120.50"})
    )
    second = attrs.evolve(second, premium=tiered(dict.fromkeys(tiers, "6.25")))
    agg = AggregateStopLoss(
        name="Acme Re aggregate",
        pct_of_expected=Decimal("1.25"),
        minimum_fixed=m("1800000.00"),
        maximum=m("1000000.00"),
        premium=tiered(dict.fromkeys(tiers, "3.50")),
    )
    fees = (
        Fee("administration", "pepm", amounts=tiered(dict.fromkeys(tiers, "38.50"))),
        Fee("network_access", "pepm", amounts=tiered(dict.fromkeys(tiers, "4.25"))),
        Fee("cobra_administration", "pepm", amounts=tiered(dict.fromkeys(tiers, "0.60"))),
        Fee("claims_processing", "per_claim", amount=m("1.10")),
    )
    assumptions = Assumptions(
        expected_claims=tiered({"EE": "480.00", "ES": "1020.00", "EC": "870.00", "FAM": "1450.00"}),
        fully_insured=tiered({"EE": "655.00", "ES": "1320.00", "EC": "1150.00", "FAM": "1930.00"}),
    )
    tests = (
        TestCase(
            "an office visit pays the copay and skips the deductible",
            members=(TestMember("A1", "A1", "EE"),),
            claims=(TestClaim("c1", "A1", "medical", "office_visit", d("2026-02-03"), allowed=m("180.00")),),
            expectations=(
                Expectation("claim", "member_paid", m("30.00"), subject="c1"),
                Expectation("claim", "plan_paid", m("150.00"), subject="c1"),
            ),
        ),
        TestCase(
            "a large claim crosses the specific deductible",
            members=(TestMember("B1", "B1", "EE"),),
            claims=(
                TestClaim(
                    "c1",
                    "B1",
                    "medical",
                    "inpatient",
                    d("2026-03-02"),
                    paid=d("2026-03-20"),
                    allowed=m("305000.00"),
                ),
            ),
            expectations=(
                Expectation("claim", "member_paid", m("5000.00"), subject="c1"),
                Expectation("claim", "plan_paid", m("300000.00"), subject="c1"),
                Expectation("specific", "reimbursed", m("100000.00"), subject="Acme Re first tier"),
            ),
        ),
    )
    return attrs.evolve(
        base, specific=(first, second), aggregate=agg, fees=fees, assumptions=assumptions, tests=tests
    )
