"""docs/semantics.md's stop-loss and employer-cost worked examples (C19, C22, C24, C29) through the vector
engine's whole pipeline: claims whose plan paid is the case amount (coverages that pay in full)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from aso_rules.data.records import MemberRecord
from aso_rules.model import Assumptions, Basis, CategoryRule, CostSharing, Coverage, Fee, Ruleset
from aso_rules.settle.results import LineResult
from aso_rules.settle.vector.settle import VectorSettlement, settle_records
from tests.settle.sl_plans import (
    aggregate,
    families,
    m,
    member,
    members_for,
    o_members,
    ruleset,
    specific,
    tiered,
)
from tests.settle.test_stoploss_examples import C19_LINES, C22_LINES

IN_FULL = CostSharing(default=CategoryRule(deductible_applies=False))


def paying_in_full(rs: Ruleset) -> Ruleset:
    """``rs`` with medical, rx and dental coverages that pay every allowed amount."""
    return attrs.evolve(
        rs,
        coverages={
            k: Coverage(name=k, kind=k, networks={"in": IN_FULL}) for k in ("medical", "rx", "dental")
        },
    )


def run(
    rs: Ruleset, lines: Sequence[LineResult], members: Mapping[str, MemberRecord] | None = None
) -> VectorSettlement:
    claims = [attrs.evolve(r.claim, allowed=r.plan_paid) for r in lines]
    people = members_for(lines) if members is None else members
    return settle_records(paying_in_full(rs), list(people.values()), claims)


def claimant(s: VectorSettlement, tier: int, who: str) -> Any:
    return s.specific[tier].claimants[who]


def test_vector_specific__c19_12_12_and_12_15() -> None:
    """C19: E 175,000 and R 25,000 on X3 under 12/12; E 205,000 and R 55,000 under 12/15."""
    s = run(ruleset(specific_tiers=[specific(deductible="150000.00", basis=Basis(12, 12))]), C19_LINES)
    x = claimant(s, 0, "X")
    assert (x.eligible_paid, x.reimbursed) == (m("175000.00"), m("25000.00"))
    shares = s.ledger.column("specific_reimbursed").to_pylist()
    assert shares == [m("0"), m("0"), m("25000.00"), m("0"), m("0")]
    s = run(ruleset(specific_tiers=[specific(deductible="150000.00", basis=Basis(12, 15))]), C19_LINES)
    x = claimant(s, 0, "X")
    assert (x.eligible_paid, x.reimbursed) == (m("205000.00"), m("55000.00"))


def test_vector_specific__c22_aggregating_deductible() -> None:
    """C22: the ASD absorbs P's 50,000 and 25,000 of Q's; reimbursed Q 5,000, R 20,000 (25,000)."""
    tier = specific(deductible="100000.00", aggregating_deductible="75000.00")
    s = run(ruleset(specific_tiers=[tier]), C22_LINES)
    got = {who: (c.asd_absorbed, c.reimbursed) for who, c in s.specific[0].claimants.items()}
    assert got == {
        "P": (m("50000.00"), m("0.00")),
        "Q": (m("25000.00"), m("5000.00")),
        "R": (m("0.00"), m("20000.00")),
    }
    assert s.specific[0].reimbursed == m("25000.00")
    s = run(ruleset(specific_tiers=[specific(deductible="100000.00")]), C22_LINES)
    assert s.specific[0].reimbursed == m("100000.00")


G1 = {"EE": "450.00", "ES": "900.00", "EC": "820.00", "FAM": "1300.00"}


def _g1_members() -> dict[str, MemberRecord]:
    first = families({"EE": 50, "ES": 12, "EC": 8, "FAM": 20})
    leavers = families({"EE": 10, "ES": 3, "EC": 2, "FAM": 5}, prefix="L", end="2025-06-30")
    return {x.member_id: x for x in first + leavers}


def test_vector_aggregate__c24_minimum_attachment() -> None:
    """C24: A = A_min 925,680 over A_calc 882,360; G 1,000,000; R 74,320 (117,640 without A_min)."""
    lines = o_members(25, "40000.00")
    members = _g1_members()
    for r in lines:
        members[r.claim.member_id] = member(r.claim.member_id, family="E-EE-0")
    rs = ruleset(specific_tiers=[specific(deductible="75000.00")], agg=aggregate(factors=G1))
    s = run(rs, lines, members)
    assert s.aggregate is not None
    att = s.aggregate.attachment
    assert (att.monthly[0], att.monthly[6]) == (m("81200.00"), m("65860.00"))
    assert (att.calculated, att.minimum, att.point) == (m("882360.00"), m("925680.00"), m("925680.00"))
    assert (s.aggregate.eligible_claims, s.aggregate.reimbursed) == (m("1000000.00"), m("74320.00"))
    no_min = ruleset(
        specific_tiers=[specific(deductible="75000.00")], agg=aggregate(factors=G1, minimum_pct=m("0"))
    )
    s = run(no_min, lines, members)
    assert s.aggregate is not None
    assert s.aggregate.reimbursed == m("117640.00")


def test_vector_settlement__c29_employer_cost() -> None:
    """C29: specific pays J 80,000, no aggregate payment; employer total cost 1,297,800.00."""
    emp = families({"EE": 60, "ES": 15, "EC": 10, "FAM": 25})
    ids = [x.member_id for x in emp]
    from tests.settle.sl_plans import line

    lines = [line(f"O{i}", ids[i], "medical", "2025-06-01", "2025-06-20", "40000.00") for i in range(23)]
    lines.append(line("J1", ids[30], "medical", "2025-05-01", "2025-05-20", "180000.00"))
    every = ("EE", "ES", "EC", "FAM")
    rs = ruleset(
        specific_tiers=[
            specific(
                deductible="100000.00",
                premium=tiered({"EE": "95.00", "ES": "210.00", "EC": "185.00", "FAM": "300.00"}),
            )
        ],
        agg=aggregate(
            factors={"EE": "563.06", "ES": "1182.43", "EC": "1041.67", "FAM": "1689.19"},
            premium=tiered({t: "7.00" for t in every}),
        ),
        fees=[Fee("admin", "pepm", amounts=tiered({t: "38.00" for t in every}))],
        assumptions=Assumptions(
            fully_insured=tiered({"EE": "720.00", "ES": "1510.00", "EC": "1335.00", "FAM": "2170.00"})
        ),
    )
    s = run(rs, lines, {x.member_id: x for x in emp})
    assert s.specific[0].reimbursed == m("80000.00")
    assert s.aggregate is not None
    assert (s.aggregate.attachment.point, s.aggregate.eligible_claims) == (m("1249998.00"), m("1020000.00"))
    assert s.aggregate.reimbursed == m("0.00")
    assert s.employer.fixed_costs == m("277800.00")
    assert s.employer.total == m("1297800.00")
    assert s.summary["employer_cost"]["total"] == "1297800.00"
