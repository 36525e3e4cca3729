"""docs/semantics.md's claim-level worked examples, exact to the cent."""

from __future__ import annotations

import pytest

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.settle.adjudicate import adjudicate
from tests.settle.helpers import D, run
from tests.settle.plans import by_id, claim, den_a, disability, hdhp_b, med_a, member


def test_adjudicate__c01_discount_deductible_coinsurance() -> None:
    """C01: a 40% network discount, then the deductible, then 20% coinsurance."""
    m1 = member("M1")
    res, acc = run(med_a(), [m1], [claim("L1", m1, "OP", "2025-03-04", "2025-03-20", "12345.67")])
    r = res["L1"]
    assert (r.allowed, r.contractual_adj, r.copay, r.deductible, r.coinsurance) == (
        D("7407.40"),
        D("4938.27"),
        D("0.00"),
        D("1000.00"),
        D("1281.48"),
    )
    assert (r.member_paid, r.plan_paid) == (D("2281.48"), D("5125.92"))
    assert acc.deductible("medical/in", 2025, "M1") == D("1000.00")
    assert acc.out_of_pocket("medical/in", 2025, "M1") == D("2281.48")


def test_adjudicate__c04_copay_and_copay_above_allowed() -> None:
    """C04: a copay; and the member pays the allowed amount when it is below the copay."""
    m4 = member("M4")
    claims = [
        claim("L1", m4, "OV_PCP", "2025-01-15", "2025-01-30", "180.00", code="99213"),
        claim("L2", m4, "OV_PCP", "2025-02-12", "2025-02-25", "45.00", code="99211"),
    ]
    res, acc = run(med_a(), [m4], claims)
    got = {
        k: (r.allowed, r.copay, r.deductible, r.coinsurance, r.member_paid, r.plan_paid)
        for k, r in res.items()
    }
    assert got == {
        "L1": (D("110.00"), D("25.00"), D("0"), D("0"), D("25.00"), D("85.00")),
        "L2": (D("18.00"), D("18.00"), D("0"), D("0"), D("18.00"), D("0.00")),
    }
    assert acc.deductible("medical/in", 2025, "M4") == D("0.00")
    assert acc.out_of_pocket("medical/in", 2025, "M4") == D("43.00")


def test_adjudicate__c05_oop_maximum_then_full_payment() -> None:
    """C05: the out-of-pocket maximum caps coinsurance, then the plan pays 100%."""
    m5 = member("M5")
    claims = [
        claim("L1", m5, "OP", "2025-02-01", "2025-02-10", "5000.00"),
        claim("L2", m5, "IP", "2025-03-10", "2025-04-02", "48000.00", units=4),
        claim("L3", m5, "IMG", "2025-05-01", "2025-05-15", "95.00", code="71046"),
    ]
    res, acc = run(med_a(), [m5], claims)
    got = {
        k: (r.allowed, r.copay, r.deductible, r.coinsurance, r.member_paid, r.plan_paid)
        for k, r in res.items()
    }
    assert got == {
        "L1": (D("3000.00"), D("0"), D("1000.00"), D("400.00"), D("1400.00"), D("1600.00")),
        "L2": (D("11400.00"), D("0"), D("0"), D("1600.00"), D("1600.00"), D("9800.00")),
        "L3": (D("60.00"), D("0"), D("0"), D("0"), D("0.00"), D("60.00")),
    }
    assert acc.deductible("medical/in", 2025, "M5") == D("1000.00")
    assert acc.out_of_pocket("medical/in", 2025, "M5") == D("3000.00")
    assert sum(r.member_paid for r in res.values()) == D("3000.00")
    assert sum(r.plan_paid for r in res.values()) == D("11460.00")


def test_adjudicate__c06_embedded_family_deductible() -> None:
    """C06: once the family deductible is met, nobody in the family pays deductible."""
    a, b, c = (member(x, "F1", "FAM") for x in "ABC")
    claims = [
        claim("L1", a, "OP", "2025-01-10", "2025-01-20", "2500.00"),
        claim("L2", b, "OP", "2025-02-10", "2025-02-20", "1500.00"),
        claim("L3", c, "OP", "2025-03-10", "2025-03-20", "1000.00"),
        claim("L4", b, "OP", "2025-04-10", "2025-04-20", "500.00"),
    ]
    res, acc = run(med_a(), [a, b, c], claims)
    got = {k: (r.allowed, r.deductible, r.coinsurance, r.member_paid, r.plan_paid) for k, r in res.items()}
    assert got == {
        "L1": (D("1500.00"), D("1000.00"), D("100.00"), D("1100.00"), D("400.00")),
        "L2": (D("900.00"), D("900.00"), D("0"), D("900.00"), D("0.00")),
        "L3": (D("600.00"), D("100.00"), D("100.00"), D("200.00"), D("400.00")),
        "L4": (D("300.00"), D("0"), D("60.00"), D("60.00"), D("240.00")),
    }
    owner = "medical/in"
    assert [acc.deductible(owner, 2025, x) for x in "ABC"] == [D("1000.00"), D("900.00"), D("100.00")]
    assert [acc.out_of_pocket(owner, 2025, x) for x in "ABC"] == [D("1100.00"), D("960.00"), D("200.00")]
    assert acc.family_deductible(owner, 2025, "F1") == D("2000.00")
    assert acc.family_out_of_pocket(owner, 2025, "F1") == D("2260.00")


def test_adjudicate__c09_er_copay_then_deductible() -> None:
    """C09: the ER copay comes first, then the deductible, then coinsurance on the rest."""
    m9 = member("M9")
    claims = [
        claim("L1", m9, "ER", "2025-06-01", "2025-06-20", "3333.33"),
        claim("L2", m9, "ER", "2025-07-01", "2025-07-20", "1000.00"),
    ]
    res, acc = run(med_a(), [m9], claims)
    got = {
        k: (r.allowed, r.copay, r.deductible, r.coinsurance, r.member_paid, r.plan_paid)
        for k, r in res.items()
    }
    assert got == {
        "L1": (D("2000.00"), D("250.00"), D("1000.00"), D("150.00"), D("1400.00"), D("600.00")),
        "L2": (D("600.00"), D("250.00"), D("0"), D("70.00"), D("320.00"), D("280.00")),
    }
    assert acc.deductible("medical/in", 2025, "M9") == D("1000.00")
    assert acc.out_of_pocket("medical/in", 2025, "M9") == D("1720.00")


def _c15_claims() -> tuple[list[MemberRecord], list[ClaimRecord]]:
    d1 = member("D1")
    rows = [
        ("L1", "I", "D0120", "65.00", "2025-01-14", "2025-01-20"),
        ("L2", "I", "D1110", "120.00", "2025-01-14", "2025-01-20"),
        ("L3", "II", "D2392", "260.00", "2025-02-11", "2025-02-18"),
        ("L4", "III", "D2740", "1600.00", "2025-04-08", "2025-04-15"),
        ("L5", "III", "D2740", "1600.00", "2025-06-10", "2025-06-17"),
        ("L6", "I", "D1110", "120.00", "2025-07-15", "2025-07-22"),
    ]
    claims = [
        claim(i, d1, cls, inc, paid, billed, line="dental", code=code)
        for i, cls, code, billed, inc, paid in rows
    ]
    return [d1], claims


@pytest.mark.parametrize("mode", ["half_up", "half_even"])
def test_adjudicate__c15_dental_classes_maximum_and_tie(mode: str) -> None:
    """C15: dental classes, the annual maximum on plan payments, and a half-cent tie in both modes."""
    members, claims = _c15_claims()
    res, acc = run(den_a(mode), members, claims)  # type: ignore[arg-type]
    got = {
        k: (r.allowed, r.deductible, r.coinsurance, r.over_max, r.member_paid, r.plan_paid)
        for k, r in res.items()
    }
    l4 = (D("625.13"), D("625.12")) if mode == "half_up" else (D("625.12"), D("625.13"))
    expected = {
        "L1": (D("45.00"), D("0"), D("0"), D("0"), D("0"), D("45.00")),
        "L2": (D("95.00"), D("0"), D("0"), D("0"), D("0"), D("95.00")),
        "L3": (D("200.00"), D("50.00"), D("30.00"), D("0"), D("80.00"), D("120.00")),
        "L4": (D("1250.25"), D("0"), l4[0], D("0"), l4[0], l4[1]),
        "L6": (D("0"), D("0"), D("0"), D("0"), D("0"), D("0.00")),
    }
    if mode == "half_up":
        expected["L5"] = (D("1250.25"), D("0"), D("625.13"), D("10.24"), D("635.37"), D("614.88"))
    else:  # the plan paid 625.13 on L4, so 614.87 of the maximum is left
        expected["L5"] = (D("1250.25"), D("0"), D("625.12"), D("10.26"), D("635.38"), D("614.87"))
    assert got == expected
    assert res["L6"].status == "denied" and res["L6"].noncovered == D("120.00")
    assert res["L6"].reason.startswith("benefit maximum reached")
    assert acc.plan_dollars("dental/annual maximum", 2025, "D1") == D("1500.00")


STD_CASES = {
    # claim: (salary, cause, start, end, weekly, days, payable, benefit, first, last)
    "E1": (
        "62400",
        "illness",
        "2025-03-03",
        "2025-04-13",
        "720.00",
        42,
        35,
        "3600.00",
        "2025-03-10",
        "2025-04-13",
    ),
    "E2": (
        "130000",
        "illness",
        "2025-05-01",
        "2025-05-30",
        "1000.00",
        30,
        23,
        "3285.71",
        "2025-05-08",
        "2025-05-30",
    ),
    "E3": (
        "130000",
        "accident",
        "2025-05-01",
        "2025-05-30",
        "1000.00",
        30,
        30,
        "4285.71",
        "2025-05-01",
        "2025-05-30",
    ),
    "E4": (
        "55000",
        "illness",
        "2025-01-06",
        "2025-09-12",
        "634.62",
        250,
        182,
        "16500.12",
        "2025-01-13",
        "2025-07-13",
    ),
    "E5": ("62400", "illness", "2025-11-03", "2025-11-07", "720.00", 5, 0, "0.00", None, None),
}


@pytest.mark.parametrize("case", sorted(STD_CASES))
def test_adjudicate__c17_std_benefit(case: str) -> None:
    """C17: STD weekly benefit, elimination by cause, 1/7 per day, 182-day maximum."""
    from aso_rules.settle.disability import std_benefit
    from tests.settle.plans import STD_A

    salary, cause, start, end, weekly, days, payable, benefit, first, last = STD_CASES[case]
    m = member(case, salary=salary)
    c = claim(case, m, "STD", start, end, "0", line="std", absence=(start, end), cause=cause)
    res, _ = run(disability(), [m], [c])
    r = res[case]
    assert (r.status, r.allowed, r.plan_paid, r.cost_share) == ("paid", D(benefit), D(benefit), D("0"))
    detail = std_benefit(STD_A, c.absence_start, c.absence_end, cause, D(salary) / 52, "half_up")  # type: ignore[arg-type]
    assert detail.periodic_benefit == D(weekly)
    assert (detail.disability_days, detail.payable_days) == (days, payable)
    assert str(detail.first_payable_day) == str(first) and str(detail.last_payable_day) == str(last)


@pytest.mark.parametrize("with_b0", [False, True])
def test_adjudicate__c32_adding_a_claim_lowers_family_cost_share(with_b0: bool) -> None:
    """C32: with B0 the family's cost sharing falls from 5,100 to 5,020 while plan paid rises."""
    a, b = member("A", "F32", "FAM"), member("B", "F32", "FAM")
    claims = [
        claim("A1", a, "OP", "2025-02-01", billed="100.00", allowed="100.00"),
        claim("B1", b, "OP", "2025-03-01", billed="30000.00", allowed="30000.00"),
    ]
    if with_b0:
        claims.append(claim("B0", b, "OP", "2025-01-15", billed="20000.00", allowed="20000.00"))
    res, _ = run(hdhp_b(), [a, b], claims)
    member_paid = {k: r.member_paid for k, r in res.items()}
    total_share = sum(member_paid.values())
    total_plan = sum(r.plan_paid for r in res.values())
    if with_b0:
        assert member_paid == {"A1": D("20.00"), "B0": D("5000.00"), "B1": D("0.00")}
        assert (total_share, total_plan) == (D("5020.00"), D("45080.00"))
    else:
        assert member_paid == {"A1": D("100.00"), "B1": D("5000.00")}
        assert (total_share, total_plan) == (D("5100.00"), D("25000.00"))


def test_adjudicate__results_in_processing_order() -> None:
    """adjudicate returns one result per claim, sorted by (paid, claim id)."""
    m = member("M1")
    claims = [
        claim("Z", m, "OP", "2025-01-01", "2025-01-05", "100.00"),
        claim("B", m, "OP", "2025-01-02", "2025-01-03", "100.00"),
        claim("A", m, "OP", "2025-01-03", "2025-01-05", "100.00"),
    ]
    out = adjudicate(med_a(), by_id([m]), claims)
    assert [r.claim.claim_id for r in out] == ["B", "A", "Z"]
    assert all(r.steps == () for r in out)
