"""Worked stop-loss examples from docs/semantics.md's appendix (C19, C22, C24, C29) and the options of 6-7."""

from __future__ import annotations

from typing import Any

from aso_rules.data.enrollment import monthly_enrollment
from aso_rules.model import Assumptions, Basis, Fee, Settings
from aso_rules.settle import assemble
from aso_rules.settle.stoploss import AggregateResult, aggregate_stop_loss, specific_stop_loss, specific_tier
from tests.settle.sl_plans import (
    aggregate,
    d,
    families,
    line,
    m,
    member,
    members_for,
    o_members,
    ruleset,
    specific,
    tiered,
)

C19_LINES = [
    line("X1", "X", "medical", "2025-02-10", "2025-03-05", "60000.00"),
    line("X2", "X", "medical", "2025-05-20", "2025-06-18", "75000.00"),
    line("X3", "X", "rx", "2025-08-01", "2025-08-20", "40000.00"),
    line("X4", "X", "dental", "2025-09-15", "2025-09-30", "2000.00"),
    line("X5", "X", "medical", "2025-12-15", "2026-01-20", "30000.00"),
]

C22_LINES = [
    line("P1", "P", "medical", "2025-02-20", "2025-03-10", "90000.00"),
    line("Q1", "Q", "medical", "2025-03-15", "2025-04-01", "70000.00"),
    line("P2", "P", "medical", "2025-05-25", "2025-06-12", "60000.00"),
    line("Q2", "Q", "rx", "2025-08-20", "2025-09-03", "60000.00"),
    line("R1", "R", "medical", "2025-09-30", "2025-10-15", "120000.00"),
]


def _aggregate(*args: Any) -> AggregateResult:
    """``aggregate_stop_loss`` of a ruleset that has an aggregate contract (never None)."""
    result = aggregate_stop_loss(*args)
    assert result is not None
    return result


def _one_tier(tier, lines, members=None):
    return specific_tier(
        tier, lines, members_for(lines) if members is None else members, effective=d("2025-01-01")
    )


def test_specific__c19_12_12():
    """Under 12/12 dental and the claim paid in January 2026 are out: E 175,000, R 25,000 on X3."""
    res = _one_tier(specific(deductible="150000.00", basis=Basis(12, 12)), C19_LINES)
    x = res.claimants["X"]
    assert x.eligible_paid == m("175000.00")
    assert x.reimbursed == m("25000.00")
    assert res.line_shares == (m("0"), m("0"), m("25000.00"), m("0"), m("0"))
    retained_all_lines = sum(r.plan_paid for r in C19_LINES) - x.reimbursed
    assert retained_all_lines == m("182000.00")


def test_specific__c19_12_15():
    """Under 12/15 the claim paid in January 2026 counts: E 205,000, R 55,000."""
    res = _one_tier(specific(deductible="150000.00", basis=Basis(12, 15)), C19_LINES)
    assert res.claimants["X"].eligible_paid == m("205000.00")
    assert res.reimbursed == m("55000.00")
    assert res.line_shares[4] == m("30000.00")


def test_specific__c22_asd_in_paid_order():
    """The 75,000 ASD absorbs P's 50,000 then 25,000 of Q's 30,000; R is reimbursed in full."""
    res = _one_tier(specific(deductible="100000.00", aggregating_deductible="75000.00"), C22_LINES)
    c = res.claimants
    assert (c["P"].asd_absorbed, c["P"].reimbursed) == (m("50000.00"), m("0.00"))
    assert (c["Q"].asd_absorbed, c["Q"].reimbursed) == (m("25000.00"), m("5000.00"))
    assert (c["R"].asd_absorbed, c["R"].reimbursed) == (m("0.00"), m("20000.00"))
    assert res.reimbursed == m("25000.00")


def test_specific__c22_without_asd():
    """Without the ASD the same claims are reimbursed 100,000."""
    res = _one_tier(specific(deductible="100000.00"), C22_LINES)
    assert res.reimbursed == m("100000.00")


def test_specific__c22_processing_order_not_input_order():
    """The ASD follows paid dates even when lines arrive in another order."""
    res = _one_tier(specific(deductible="100000.00", aggregating_deductible="75000.00"), C22_LINES[::-1])
    assert res.claimants["Q"].reimbursed == m("5000.00")
    assert res.claimants["R"].reimbursed == m("20000.00")


def test_specific__laser_amount():
    """A laser raises one claimant's deductible: 300,000 against a 250,000 laser reimburses 50,000."""
    lines = [
        line("L1", "A", "medical", "2025-03-01", "2025-03-10", "300000.00"),
        line("L2", "B", "medical", "2025-03-01", "2025-03-10", "300000.00"),
    ]
    res = _one_tier(specific(deductible="150000.00", lasers={"A": "250000.00"}), lines)
    assert res.claimants["A"].reimbursed == m("50000.00")
    assert res.claimants["B"].reimbursed == m("150000.00")
    assert res.claimants["A"].deductible == m("250000.00")


def test_specific__laser_excluded():
    """An excluded claimant (laser None) is never reimbursed and uses none of the ASD."""
    lines = [
        line("L1", "A", "medical", "2025-03-01", "2025-03-10", "300000.00"),
        line("L2", "B", "medical", "2025-04-01", "2025-04-10", "200000.00"),
    ]
    res = _one_tier(
        specific(deductible="150000.00", lasers={"A": None}, aggregating_deductible="20000.00"), lines
    )
    assert res.claimants["A"].reimbursed == m("0.00")
    assert res.claimants["A"].deductible is None
    assert res.claimants["B"].reimbursed == m("30000.00")


def test_specific__maximum_per_claimant():
    """The maximum caps one claimant's reimbursement: 900,000 over a 150,000 SD with 500,000 max."""
    lines = [
        line("L1", "A", "medical", "2025-03-01", "2025-03-10", "600000.00"),
        line("L2", "A", "rx", "2025-04-01", "2025-04-10", "450000.00"),
    ]
    res = _one_tier(specific(deductible="150000.00", maximum="500000.00"), lines)
    assert res.claimants["A"].reimbursed == m("500000.00")
    assert res.line_shares == (m("450000.00"), m("50000.00"))


def test_specific__reimbursement_pct_rounds_half_up():
    """At 90% an excess of 10,000.05 reimburses round(9,000.045) = 9,000.05 (half up)."""
    lines = [line("L1", "A", "medical", "2025-03-01", "2025-03-10", "160000.05")]
    res = _one_tier(specific(deductible="150000.00", reimbursement_pct=m("0.90")), lines)
    assert res.reimbursed == m("9000.05")


def test_specific__pct_before_maximum():
    """Order ASD -> pct -> max: 80% of (400,000 - 50,000 ASD) = 280,000, capped at 250,000."""
    lines = [line("L1", "A", "medical", "2025-03-01", "2025-03-10", "500000.00")]
    tier = specific(
        deductible="100000.00",
        aggregating_deductible="50000.00",
        reimbursement_pct=m("0.80"),
        maximum="250000.00",
    )
    assert _one_tier(tier, lines).reimbursed == m("250000.00")
    uncapped = specific(
        deductible="100000.00", aggregating_deductible="50000.00", reimbursement_pct=m("0.80")
    )
    assert _one_tier(uncapped, lines).reimbursed == m("280000.00")


def test_specific__stacked_tiers():
    """Two tiers stack: 1,300,000 over 150,000 with an 850,000 layer, then 300,000 above 1,000,000."""
    lines = [
        line("L1", "A", "medical", "2025-03-01", "2025-03-10", "700000.00"),
        line("L2", "A", "medical", "2025-05-01", "2025-05-10", "600000.00"),
    ]
    rs = ruleset(
        specific_tiers=[specific("first", "150000.00", maximum="850000.00"), specific("second", "1000000.00")]
    )
    first, second = specific_stop_loss(rs, lines, members_for(lines))
    assert first.reimbursed == m("850000.00")
    assert second.reimbursed == m("300000.00")
    assert first.line_shares == (m("550000.00"), m("300000.00"))
    assert second.line_shares == (m("0.00"), m("300000.00"))


def test_specific__family_claimant_key():
    """With the family-specific option two members of one family pool toward one deductible."""
    lines = [
        line("L1", "A", "medical", "2025-03-01", "2025-03-10", "100000.00", family="F"),
        line("L2", "B", "medical", "2025-04-01", "2025-04-10", "100000.00", family="F"),
    ]
    members = {"A": member("A", family="F"), "B": member("B", family="F")}
    rs = ruleset(
        specific_tiers=[specific(deductible="150000.00")], settings=Settings(specific_claimant_key="family")
    )
    (res,) = specific_stop_loss(rs, lines, members)
    assert res.reimbursed == m("50000.00")
    (by_member,) = specific_stop_loss(
        ruleset(specific_tiers=[specific(deductible="150000.00")]), lines, members
    )
    assert by_member.reimbursed == m("0.00")


def test_specific__uncovered_person_not_eligible():
    """A paid line for a person not covered on the incurred date does not count."""
    lines = [line("L1", "A", "medical", "2025-03-01", "2025-03-10", "200000.00")]
    members = {"A": member("A", start="2025-04-01")}
    res = _one_tier(specific(deductible="150000.00"), lines, members)
    assert res.reimbursed == m("0.00")
    assert res.line_eligible == (False,)


def test_specific__terminal_liability_extends_paid_window():
    """Terminal liability adds three months of run-out: a claim paid 2026-03-15 counts under 12/12."""
    lines = [line("L1", "A", "medical", "2025-11-01", "2026-03-15", "200000.00")]
    assert _one_tier(specific(deductible="150000.00"), lines).reimbursed == m("0.00")
    tl = specific(deductible="150000.00", terminal_liability=True)
    assert _one_tier(tl, lines).reimbursed == m("50000.00")


def test_specific__run_in_15_12():
    """15/12 counts a claim incurred 2024-10-05 and paid in the contract year; 12/12 does not."""
    lines = [line("L1", "A", "medical", "2024-10-05", "2025-01-15", "200000.00")]
    assert _one_tier(specific(basis=Basis(15, 12)), lines).reimbursed == m("50000.00")
    assert _one_tier(specific(basis=Basis(12, 12)), lines).reimbursed == m("0.00")
    assert _one_tier(specific(basis=Basis(paid_basis=True)), lines).reimbursed == m("50000.00")


# --------------------------------------------------------------------------- aggregate: C24

G1_FACTORS = {"EE": "450.00", "ES": "900.00", "EC": "820.00", "FAM": "1300.00"}


def _g1_members():
    """G1: Jan-Jun EE 60, ES 15, EC 10, FAM 25; Jul-Dec EE 50, ES 12, EC 8, FAM 20."""
    stay = families({"EE": 50, "ES": 12, "EC": 8, "FAM": 20})
    leave = families({"EE": 10, "ES": 3, "EC": 2, "FAM": 5}, prefix="L", end="2025-06-30")
    return {x.member_id: x for x in stay + leave}


def test_aggregate__c24_numbers():
    """C24 with the O-members outside the enrollment counts: A 925,680; R 74,320; 117,640 without A_min."""
    lines = o_members(25, "40000.00")
    members = _g1_members()
    for r in lines:  # O-members are dependants of G1 families so the counts stay G1's
        members[r.claim.member_id] = member(r.claim.member_id, family="E-EE-0")
    rs = ruleset(specific_tiers=[specific(deductible="75000.00")], agg=aggregate(factors=G1_FACTORS))
    months = monthly_enrollment(members.values(), rs.plan_year, rs.tier_codes)
    spec = specific_stop_loss(rs, lines, members)
    res = _aggregate(rs, lines, members, months, spec)
    att = res.attachment
    assert att.monthly[0] == m("81200.00")
    assert att.monthly[6] == m("65860.00")
    assert att.calculated == m("882360.00")
    assert att.minimum == m("925680.00")
    assert att.point == m("925680.00")
    assert res.eligible_claims == m("1000000.00")
    assert res.reimbursed == m("74320.00")
    no_min = ruleset(
        specific_tiers=[specific(deductible="75000.00")],
        agg=aggregate(factors=G1_FACTORS, minimum_pct=m("0")),
    )
    res2 = _aggregate(no_min, lines, members, months, spec)
    assert res2.attachment.point == m("882360.00")
    assert res2.reimbursed == m("117640.00")


def test_aggregate__fixed_minimum():
    """A fixed minimum attachment above A_calc and A_min becomes the attachment point."""
    lines = o_members(2, "1000.00")
    members = members_for(lines)
    rs = ruleset(agg=aggregate(factors={"EE": "100.00"}, minimum_fixed="50000.00"))
    months = monthly_enrollment(members.values(), rs.plan_year, rs.tier_codes)
    res = _aggregate(rs, lines, members, months, ())
    assert res.attachment.calculated == m("2400.00")
    assert res.attachment.point == m("50000.00")


def test_aggregate__cap_at_specific_deductible_and_laser():
    """Claimants count up to the lowest tier's deductible, or their laser with to_laser."""
    lines = [
        line("A1", "A", "medical", "2025-03-01", "2025-03-10", "300000.00"),
        line("B1", "B", "medical", "2025-03-01", "2025-03-10", "300000.00"),
        line("C1", "C", "dental", "2025-03-01", "2025-03-10", "5000.00"),
    ]
    members = members_for(lines)
    spec = specific(deductible="100000.00", lasers={"A": "200000.00"})
    covers = ("medical", "rx", "dental")
    for treatment, expected in (("to_laser", "305000.00"), ("standard_only", "205000.00")):
        rs = ruleset(
            specific_tiers=[spec],
            agg=aggregate(factors={"EE": "1.00"}, covers=covers, laser_treatment=treatment),
        )
        months = monthly_enrollment(members.values(), rs.plan_year, rs.tier_codes)
        res = _aggregate(rs, lines, members, months, specific_stop_loss(rs, lines, members))
        assert res.eligible_claims == m(expected), treatment
        assert res.line_eligible == (True, True, True)


def test_aggregate__net_of_specific():
    """net_of_specific counts E - R: the ASD layer and the 10% coinsurance come inside the aggregate."""
    lines = [line("A1", "A", "medical", "2025-03-01", "2025-03-10", "300000.00")]
    members = members_for(lines)
    spec = specific(deductible="100000.00", aggregating_deductible="50000.00", reimbursement_pct=m("0.90"))
    results = {}
    for basis in ("capped", "net_of_specific"):
        rs = ruleset(specific_tiers=[spec], agg=aggregate(factors={"EE": "1.00"}, claim_basis=basis))
        months = monthly_enrollment(members.values(), rs.plan_year, rs.tier_codes)
        res = _aggregate(rs, lines, members, months, specific_stop_loss(rs, lines, members))
        results[basis] = res.eligible_claims
    # specific: 0.9 x (200,000 - 50,000) = 135,000
    assert results == {"capped": m("100000.00"), "net_of_specific": m("165000.00")}


def test_aggregate__reimbursement_pct_and_maximum():
    """R_agg = min(round(pct x (G - A)+), max)."""
    lines = o_members(3, "50000.00")
    members = members_for(lines)
    for kw, expected in (
        ({}, "149964.00"),
        ({"reimbursement_pct": m("0.5")}, "74982.00"),
        ({"maximum": "100000.00"}, "100000.00"),
    ):
        rs = ruleset(agg=aggregate(factors={"EE": "1.00"}, minimum_pct=m("0"), **kw))
        months = monthly_enrollment(members.values(), rs.plan_year, rs.tier_codes)
        res = _aggregate(rs, lines, members, months, ())
        assert res.attachment.point == m("36.00")
        assert res.reimbursed == m(expected), kw


def test_aggregate__monthly_accommodation():
    """Accommodation advances the excess of cumulative claims over cumulative monthly attachments."""
    members = families({"EE": 10})
    lines = [
        line("A1", "E-EE-0", "medical", "2025-01-05", "2025-01-20", "12000.00"),
        line("A2", "E-EE-1", "medical", "2025-02-05", "2025-02-20", "3000.00"),
        line("A3", "E-EE-2", "medical", "2025-03-05", "2025-03-20", "1000.00"),
    ]
    mm = {x.member_id: x for x in members}
    rs = ruleset(agg=aggregate(factors={"EE": "1000.00"}, minimum_pct=m("0"), monthly_accommodation=True))
    months = monthly_enrollment(mm.values(), rs.plan_year, rs.tier_codes)
    res = _aggregate(rs, lines, mm, months, ())
    # T = 10,000 a month: Jan C 12,000 -> 2,000; Feb 15,000 vs 20,000 -> 0; later 0
    assert res.accommodation[:3] == (m("2000.00"), m("0.00"), m("0.00"))
    assert res.reimbursed == m("0.00")
    assert res.final_settlement == m("-2000.00")


def test_aggregate__terminal_liability():
    """Terminal liability adds M_10 + M_11 + M_12 to A and three months of paid window."""
    members = {x.member_id: x for x in families({"EE": 10})}
    lines = [line("A1", "E-EE-0", "medical", "2025-12-01", "2026-02-10", "150000.00")]
    rs = ruleset(agg=aggregate(factors={"EE": "1000.00"}, terminal_liability=True))
    months = monthly_enrollment(members.values(), rs.plan_year, rs.tier_codes)
    res = _aggregate(rs, lines, members, months, ())
    assert res.attachment.point == m("150000.00")
    assert res.eligible_claims == m("150000.00")
    assert res.reimbursed == m("0.00")
    plain = _aggregate(ruleset(agg=aggregate(factors={"EE": "1000.00"})), lines, members, months, ())
    assert plain.attachment.point == m("120000.00")
    assert plain.eligible_claims == m("0.00")


def test_aggregate__pct_of_expected():
    """125% of expected claims EE 480.00 gives a 600.00 factor: 10 employees x 12 months = 72,000."""
    members = {x.member_id: x for x in families({"EE": 10})}
    rs = ruleset(
        agg=aggregate(pct_of_expected=m("1.25")),
        assumptions=Assumptions(
            expected_claims=tiered({"EE": "480.00", "ES": "1020.00", "EC": "870.00", "FAM": "1450.00"})
        ),
    )
    months = monthly_enrollment(members.values(), rs.plan_year, rs.tier_codes)
    res = _aggregate(rs, [], members, months, ())
    assert res.attachment.factors["EE"] == m("600.00")
    assert res.attachment.point == m("72000.00")


# --------------------------------------------------------------------------- C29 settlement


def test_settlement__c29_employer_cost():
    """C29: specific pays J 80,000, no aggregate; employer total cost 1,297,800.00."""
    emp = families({"EE": 60, "ES": 15, "EC": 10, "FAM": 25})
    ids = [x.member_id for x in emp]
    lines = [line(f"O{i}", ids[i], "medical", "2025-06-01", "2025-06-20", "40000.00") for i in range(23)]
    lines.append(line("J1", ids[30], "medical", "2025-05-01", "2025-05-20", "180000.00"))
    spec_prem = tiered({"EE": "95.00", "ES": "210.00", "EC": "185.00", "FAM": "300.00"})
    rs = ruleset(
        specific_tiers=[specific(deductible="100000.00", premium=spec_prem)],
        agg=aggregate(
            factors={"EE": "563.06", "ES": "1182.43", "EC": "1041.67", "FAM": "1689.19"},
            premium=tiered({t: "7.00" for t in ("EE", "ES", "EC", "FAM")}),
        ),
        fees=[Fee("admin", "pepm", amounts=tiered({t: "38.00" for t in ("EE", "ES", "EC", "FAM")}))],
        assumptions=Assumptions(
            fully_insured=tiered({"EE": "720.00", "ES": "1510.00", "EC": "1335.00", "FAM": "2170.00"})
        ),
    )
    s = assemble(rs, {x.member_id: x for x in emp}, lines)
    assert s.specific[0].reimbursed == m("80000.00")
    assert s.aggregate is not None
    assert s.aggregate.attachment.point == m("1249998.00")
    assert s.aggregate.eligible_claims == m("1020000.00")
    assert s.aggregate.reimbursed == m("0.00")
    assert s.employer.fixed_costs == m("277800.00")
    assert s.employer.total == m("1297800.00")
    assert s.summary["employer_cost"]["total"] == "1297800.00"
    assert s.summary["aggregate_stop_loss"]["attachment_point"] == "1249998.00"
    assert s.summary["fully_insured"] == {"premium": "1601400.00", "difference": "303600.00"}


# --------------------------------------------------------------------------- I-EMP-2's preconditions


def _liability(spec_kw, agg_kw, amounts):
    """Employer net eligible liability with A = 120,000 (10 EE employees x 1,000 x 12)."""
    members = {x.member_id: x for x in families({"EE": 10})}
    lines = [
        line(f"L{i}", f"E-EE-{i}", "medical", "2025-03-01", "2025-03-10", a) for i, a in enumerate(amounts)
    ]
    rs = ruleset(
        specific_tiers=[specific(deductible="100000.00", **spec_kw)],
        agg=aggregate(factors={"EE": "1000.00"}, minimum_pct=m("0"), **agg_kw),
    )
    months = monthly_enrollment(members.values(), rs.plan_year, rs.tier_codes)
    spec = specific_stop_loss(rs, lines, members)
    agg = _aggregate(rs, lines, members, months, spec)
    assert agg.attachment.point == m("120000.00")
    return sum(r.plan_paid for r in lines) - sum(s.reimbursed for s in spec) - agg.reimbursed


def test_employer__i_emp_2_holds_when_every_precondition_does():
    """With every precondition of I-EMP-2 the employer keeps min(G, A) = 120,000 of 500,000."""
    assert _liability({}, {}, ["300000.00", "100000.00", "100000.00"]) == m("120000.00")


def test_employer__i_emp_2_each_broken_precondition_can_exceed_a():
    """Each precondition broken alone pushes the liability above A = 120,000 (docs/semantics.md I-EMP-2)."""
    big = ["300000.00"]
    cases = [
        (
            {"lasers": {"E-EE-0": "200000.00"}},
            {"laser_treatment": "standard_only"},
            ["200000.00"],
            "200000.00",
        ),
        ({"aggregating_deductible": "50000.00"}, {}, big, "150000.00"),
        ({"reimbursement_pct": m("0.5")}, {}, big, "200000.00"),
        ({"maximum": "50000.00"}, {}, big, "250000.00"),
        ({}, {"maximum": "100000.00"}, ["100000.00", "100000.00", "100000.00"], "200000.00"),
    ]
    for spec_kw, agg_kw, amounts, expected in cases:
        assert _liability(spec_kw, agg_kw, amounts) == m(expected), (spec_kw, agg_kw)
    # the ASD case is cured by asd_counts
    assert _liability({"aggregating_deductible": "50000.00"}, {"asd_counts": True}, big) == m("120000.00")
