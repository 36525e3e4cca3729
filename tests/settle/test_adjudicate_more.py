"""LTD, dental waiting periods and family cap, step orders, rounding side, and explanations."""

from __future__ import annotations

from datetime import date
from typing import Literal

import attrs
import pytest

from aso_rules.model import CategoryRule, CostSharing, Coverage, DentalClass
from aso_rules.settle.disability import ltd_benefit, ltd_monthly
from tests.settle.helpers import D, run
from tests.settle.plans import LTD_A, claim, den_a, disability, hdhp_b, med_a, member


def test_ltd__monthly_benefit_capped_and_minimum() -> None:
    """LTD-A: 60% of salary / 12 up to 10,000 a month; minimum max(100, 10% of gross)."""
    assert ltd_monthly(LTD_A, D("90000"), "half_up") == (D("4500.00"), D("450.00"), D("4500.00"))
    assert ltd_monthly(LTD_A, D("300000"), "half_up") == (D("10000"), D("1000.00"), D("10000"))
    assert ltd_monthly(LTD_A, D("1000"), "half_up") == (D("50.00"), D("100"), D("100"))


def test_ltd__whole_months_then_thirtieths() -> None:
    """LTD pays whole months from the first payable day, then 1/30 of a month per remaining day."""
    # Disabled 2025-01-01; 90-day EP -> first payable day 2025-04-01; to 2025-06-10:
    # April and May whole (2 x 4,500), then 10 days of June = round(4,500 x 10 / 30) = 1,500.
    b = ltd_benefit(LTD_A, date(2025, 1, 1), date(2025, 6, 10), "illness", D("90000"), "half_up")
    assert (b.first_payable_day, b.payable_days, b.benefit) == (date(2025, 4, 1), 71, D("10500.00"))
    # 7 days at 4,321.00 / 30 x 7 = 1,008.2333 -> 1,008.23
    b = ltd_benefit(LTD_A, date(2025, 1, 1), date(2025, 4, 7), "illness", D("86420"), "half_up")
    assert (b.periodic_benefit, b.benefit) == (D("4321.00"), D("1008.23"))
    b = ltd_benefit(LTD_A, date(2025, 1, 1), date(2025, 3, 31), "illness", D("86420"), "half_up")
    assert (b.payable_days, b.benefit, b.first_payable_day) == (0, D("0.00"), None)


def test_adjudicate__ltd_line_pays_the_benefit() -> None:
    """An LTD line's allowed and plan paid are the benefit, with no cost sharing."""
    m = member("L1", salary="90000")
    c = claim("X", m, "LTD", "2025-01-01", "2025-07-01", line="ltd", absence=("2025-01-01", "2025-06-10"))
    res, _ = run(disability(), [m], [c])
    assert (res["X"].allowed, res["X"].plan_paid, res["X"].cost_share) == (
        D("10500.00"),
        D("10500.00"),
        D("0"),
    )


def test_adjudicate__std_uses_claim_weekly_earnings_first() -> None:
    """STD weekly earnings come from the claim, else the member's weekly earnings, else salary / 52."""
    m = member("S1", salary="62400", weekly="1000")
    c = claim("X", m, "STD", "2025-03-03", line="std", absence=("2025-03-03", "2025-03-16"), cause="accident")
    res, _ = run(disability(), [m], [c])
    assert res["X"].plan_paid == D("1200.00")  # 600 a week x 14 days / 7
    c2 = attrs.evolve(c, weekly_earnings=D("1500.00"))
    res, _ = run(disability(), [m], [c2])
    assert res["X"].plan_paid == D("1800.00")


def test_adjudicate__std_without_absence_end_is_denied() -> None:
    """A disability line with no absence end is denied with a reason, never raised."""
    m = member("S1", salary="62400")
    res, _ = run(disability(), [m], [claim("X", m, "STD", "2025-03-03", line="std")])
    assert res["X"].status == "denied" and res["X"].reason.startswith("incomplete")


def test_adjudicate__dental_waiting_period() -> None:
    """A class with a 12-month waiting period is denied until coverage start + 12 months."""
    rs = den_a()
    dental = rs.coverages["dental"]
    assert dental.dental is not None
    classes = dict(dental.dental.classes)
    classes["III"] = DentalClass("III", D("0.50"), waiting_months=12)
    rs = attrs.evolve(
        rs, coverages={"dental": attrs.evolve(dental, dental=attrs.evolve(dental.dental, classes=classes))}
    )
    m = member("D1", start=date(2024, 3, 15))
    before = claim("W1", m, "III", "2025-03-14", billed="1600.00", line="dental", code="D2740")
    after = claim("W2", m, "III", "2025-03-15", billed="1600.00", line="dental", code="D2740")
    res, _ = run(rs, [m], [before, after])
    assert res["W1"].status == "denied" and "waiting period" in res["W1"].reason
    assert res["W2"].status == "paid" and res["W2"].deductible == D("50.00")


def test_adjudicate__dental_family_deductible_cap() -> None:
    """DEN-A's family deductible stops at 150 (three deductibles) for a family of four."""
    fam = [member(x, "F", "FAM") for x in ("P", "Q", "R", "S")]
    claims = [
        claim(f"C{m.member_id}", m, "II", "2025-02-01", billed="300", line="dental", code="D2392")
        for m in fam
    ]
    res, acc = run(den_a(), fam, claims)
    assert [res[f"C{x}"].deductible for x in "PQRS"] == [D("50.00"), D("50.00"), D("50.00"), D("0.00")]
    assert acc.family_deductible("dental/in", 2025, "F") == D("150.00")


def _with_rule(rule: CategoryRule) -> object:
    rs = med_a()
    medical = rs.coverages["medical"]
    terms = medical.networks["in"]
    cats = {**terms.categories, "SPC": rule}
    new = attrs.evolve(medical, networks={"in": attrs.evolve(terms, categories=cats)})
    return attrs.evolve(rs, coverages={**rs.coverages, "medical": new})


def test_adjudicate__copay_counts_to_deductible() -> None:
    """With copay_counts_to_deductible the copay also fills the deductible accumulator."""
    rule = CategoryRule(
        copay=D("100.00"), deductible_applies=True, coins=D("0.20"), copay_counts_to_deductible=True
    )
    m = member("M1")
    res, acc = run(_with_rule(rule), [m], [claim("X", m, "SPC", "2025-02-01", billed="2000", allowed="2000")])  # type: ignore[arg-type]
    # copay 100 (credited to the deductible), deductible 900, coinsurance 20% x 1,000
    assert (res["X"].copay, res["X"].deductible, res["X"].coinsurance) == (
        D("100.00"),
        D("900.00"),
        D("200.00"),
    )
    assert acc.deductible("medical/in", 2025, "M1") == D("1000.00")


def test_adjudicate__deductible_before_copay() -> None:
    """step_order deductible -> copay -> coinsurance takes the deductible first."""
    rule = CategoryRule(copay=D("50.00"), coins=D("0.20"), step_order=("deductible", "copay", "coinsurance"))
    m = member("M1")
    res, _ = run(_with_rule(rule), [m], [claim("X", m, "SPC", "2025-02-01", billed="1200", allowed="1200")])  # type: ignore[arg-type]
    assert (res["X"].deductible, res["X"].copay, res["X"].coinsurance) == (
        D("1000.00"),
        D("50.00"),
        D("30.00"),
    )


@pytest.mark.parametrize(("side", "coins"), [("member", "625.13"), ("plan", "625.12")])
def test_adjudicate__coinsurance_rounding_side(side: Literal["member", "plan"], coins: str) -> None:
    """Rounding on the plan side rounds the plan's 50% share; the member takes the rest."""
    rs = den_a()
    rs = attrs.evolve(rs, settings=attrs.evolve(rs.settings, coinsurance_rounding_side=side))
    m = member("D1")
    res, _ = run(
        rs, [m], [claim("X", m, "III", "2025-02-01", billed="1250.25", allowed="1250.25", line="dental")]
    )
    # the deductible (50) comes first: 1,200.25 x 50% = 600.125
    expected = "600.13" if side == "member" else "600.12"
    assert res["X"].coinsurance == D(expected)
    assert coins  # the parameter names the C15 tie the case mirrors


def test_adjudicate__ee_tier_ignores_family_amounts_in_hdhp() -> None:
    """HDHP-B's EE tier uses the 2,000 individual deductible, not the 4,000 family one."""
    m = member("E1")
    res, _ = run(hdhp_b(), [m], [claim("X", m, "OP", "2025-02-01", billed="3000", allowed="3000")])
    assert (res["X"].deductible, res["X"].coinsurance) == (D("2000.00"), D("200.00"))


def test_adjudicate__explain_steps_carry_amounts_accumulators_and_sources() -> None:
    """With explain=True a line's steps name each stage, its amount, accumulators and statement."""
    m9 = member("M9")
    res, _ = run(med_a(), [m9], [claim("L1", m9, "ER", "2025-06-01", "2025-06-20", "3333.33")], explain=True)
    steps = {s.name: s for s in res["L1"].steps}
    assert list(steps) == [
        "eligibility",
        "reprice",
        "copay",
        "deductible",
        "coinsurance",
        "out_of_pocket",
        "plan paid",
    ]
    assert steps["reprice"].amount == D("2000.00") and str(steps["reprice"].source) == "plan.aso:40"
    assert steps["copay"].amount == D("250.00") and str(steps["copay"].source) == "plan.aso:20"
    ded = steps["deductible"]
    assert (ded.amount, str(ded.source)) == (D("1000.00"), "plan.aso:10")
    assert ded.before["deductible.member"] == D("0") and ded.after["deductible.member"] == D("1000.00")
    assert ded.before["out_of_pocket.member"] == D("250.00")
    assert steps["coinsurance"].after["out_of_pocket.member"] == D("1400.00")
    assert steps["out_of_pocket"].after["out_of_pocket.family"] == D("1400.00")
    assert steps["plan paid"].amount == D("600.00")


def test_adjudicate__explain_limits_and_maximum() -> None:
    """Explanations show the visit count before a line and the dollar maximum it used."""
    m = member("M1")
    claims = [
        claim("P1", m, "PT", "2025-03-01", billed="45.00", code="97110"),
        claim("F1", m, "INF", "2025-04-01", billed="20000.00", allowed="20000.00"),
    ]
    res, _ = run(med_a(), [m], claims, explain=True)
    assert [s.name for s in res["P1"].steps if s.name == "limit"] == ["limit"]
    maximum = next(s for s in res["F1"].steps if s.name == "maximum")
    # P1 used 45 of the deductible and OOP: F1 pays deductible 955, coinsurance capped at 2,955 - 955;
    # the plan would pay 20,000 - 955 - 2,000 = 17,045, of which 10,000 is available.
    assert maximum.amount == D("7045.00")
    assert maximum.after["plan_paid.INF.lifetime"] == D("10000.00")


def test_adjudicate__explain_denied_line() -> None:
    """A denied line's explanation ends with the denial and its statement."""
    m = member("M1")
    res, _ = run(med_a(), [m], [claim("C1", m, "COS", "2025-02-01", billed="800.00")], explain=True)
    last = res["C1"].steps[-1]
    assert (last.name, last.amount, str(last.source)) == ("denied", D("800.00"), "plan.aso:32")


def test_adjudicate__no_deductible_no_oop_coverage() -> None:
    """A coverage without deductible or out-of-pocket maximum charges only coinsurance, uncapped."""
    cov = Coverage(
        name="vision", kind="vision", networks={"in": CostSharing(default=CategoryRule(coins=D("0.5")))}
    )
    rs = attrs.evolve(med_a(), coverages={"vision": cov})
    m = member("V1")
    res, _ = run(
        rs, [m], [claim("X", m, "EXAM", "2025-02-01", billed="99999", allowed="99999", line="vision")]
    )
    assert (res["X"].deductible, res["X"].coinsurance, res["X"].plan_paid) == (
        D("0"),
        D("49999.50"),
        D("49999.50"),
    )


def test_adjudicate__explain_follows_the_step_order() -> None:
    """Explanation steps follow the rule's step order and carry the running totals between them."""
    rule = CategoryRule(copay=D("50.00"), coins=D("0.20"), step_order=("deductible", "copay", "coinsurance"))
    m = member("M1")
    c = claim("X", m, "SPC", "2025-02-01", billed="1200", allowed="1200")
    res, _ = run(_with_rule(rule), [m], [c], explain=True)  # type: ignore[arg-type]
    names = [s.name for s in res["X"].steps if s.name in ("copay", "deductible", "coinsurance")]
    assert names == ["deductible", "copay", "coinsurance"]
    copay_step = next(s for s in res["X"].steps if s.name == "copay")
    assert copay_step.before["out_of_pocket.member"] == D("1000.00")
    assert copay_step.after["out_of_pocket.member"] == D("1050.00")


def _std_lines(absences: list[tuple[str, str]], cause: str = "illness") -> dict[str, object]:
    m = member("S1", salary="62400")  # 720.00 a week
    claims = [
        claim(f"A{i}", m, "STD", start, end, line="std", absence=(start, end), cause=cause)
        for i, (start, end) in enumerate(absences, 1)
    ]
    res, _ = run(disability(), [m], claims, explain=True)
    return res  # type: ignore[return-value]


def test_adjudicate__std_recurrence_serves_one_elimination_period() -> None:
    """An absence starting fewer than 14 days after the last one ended continues its period: the
    elimination days already served count, no new elimination period."""
    res = _std_lines([("2025-03-03", "2025-03-06"), ("2025-03-17", "2025-03-30")])
    # A1: 4 days, all elimination. A2 starts after a 10-day gap: 3 elimination days left, 11 payable.
    assert res["A1"].plan_paid == D("0.00")  # type: ignore[attr-defined]
    assert res["A2"].plan_paid == D("1131.43")  # type: ignore[attr-defined]  # 720 x 11 / 7 = 1,131.428...
    assert "continues the disability period" in res["A2"].steps[1].detail  # type: ignore[attr-defined]


def test_adjudicate__std_after_two_weeks_back_is_a_new_period() -> None:
    """After 14 or more days between absences a new elimination period starts."""
    res = _std_lines([("2025-03-03", "2025-03-06"), ("2025-03-21", "2025-04-03")])
    assert res["A2"].plan_paid == D("720.00")  # type: ignore[attr-defined]  # 14 days - 7 elimination = 7 days


def test_adjudicate__std_recurrence_shares_the_maximum_duration() -> None:
    """The 182 payable days cap the whole period across recurrent absences."""
    res = _std_lines([("2025-01-06", "2025-06-29"), ("2025-07-05", "2025-08-31")])
    # A1: 175 days - 7 elimination = 168 payable; A2 (5-day gap): 14 payable days left of 182.
    assert res["A1"].plan_paid == D("17280.00")  # type: ignore[attr-defined]
    assert res["A2"].plan_paid == D("1440.00")  # type: ignore[attr-defined]


def test_adjudicate__std_different_cause_is_a_new_period() -> None:
    """An accident soon after an illness absence is its own period (accident: no elimination)."""
    m = member("S1", salary="62400")
    claims = [
        claim("A1", m, "STD", "2025-03-03", "2025-03-06", line="std", absence=("2025-03-03", "2025-03-06")),
        claim(
            "A2",
            m,
            "STD",
            "2025-03-10",
            "2025-03-16",
            line="std",
            absence=("2025-03-10", "2025-03-16"),
            cause="accident",
        ),
    ]
    res, _ = run(disability(), [m], claims)
    assert res["A2"].plan_paid == D("720.00")
