"""Processing order, plan years, networks, shared accumulators, limits, denials and repricing."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from aso_rules.model import PlanYear
from aso_rules.settle.accumulators import LIFETIME
from aso_rules.settle.adjudicate import processing_key
from aso_rules.settle.order import add_months, plan_year_of
from tests.settle.helpers import D, run
from tests.settle.plans import claim, med_a, member


def test_processing_key__paid_then_incurred_order() -> None:
    """Processing order is (paid, claim id) by default and (incurred, claim id) when configured."""
    m = member("M1")
    early = claim("X2", m, "OP", "2025-01-01", "2025-03-01", "10.00")
    late = claim("X1", m, "OP", "2025-02-01", "2025-02-15", "10.00")
    assert sorted([early, late], key=processing_key(med_a())) == [late, early]
    assert sorted([early, late], key=processing_key(med_a(processing_order="incurred"))) == [early, late]


def test_adjudicate__earlier_service_paid_later_sees_consumed_accumulators() -> None:
    """A claim incurred earlier but paid later finds the deductible already used by the other."""
    m = member("M1")
    first_service = claim("S1", m, "OP", "2025-02-01", "2025-05-01", "2000.00", "1000.00")
    second_service = claim("S2", m, "OP", "2025-03-01", "2025-03-15", "2000.00", "1000.00")
    res, _ = run(med_a(), [m], [first_service, second_service])
    assert (res["S2"].deductible, res["S1"].deductible) == (D("1000.00"), D("0.00"))
    assert res["S1"].coinsurance == D("200.00")
    res, _ = run(med_a(processing_order="incurred"), [m], [first_service, second_service])
    assert (res["S1"].deductible, res["S2"].deductible) == (D("1000.00"), D("0.00"))


def test_adjudicate__incurred_december_paid_january_uses_old_year() -> None:
    """A claim incurred 20 Dec and paid 10 Jan counts toward the old plan year's deductible."""
    m = member("M1", start=date(2024, 1, 1))
    dec = claim("D1", m, "OP", "2024-12-20", "2025-01-10", "600.00", "600.00")
    jan = claim("J1", m, "OP", "2025-01-05", "2025-01-08", "600.00", "600.00")
    dec2 = claim("D2", m, "OP", "2024-12-21", "2025-01-11", "600.00", "600.00")
    res, acc = run(med_a(), [m], [dec, jan, dec2])
    assert res["J1"].deductible == D("600.00") and res["J1"].plan_year == 2025
    assert res["D1"].deductible == D("600.00") and res["D1"].plan_year == 2024
    assert res["D2"].deductible == D("400.00")  # the 2024 deductible had 400 left
    assert acc.deductible("medical/in", 2024, "M1") == D("1000.00")
    assert acc.deductible("medical/in", 2025, "M1") == D("600.00")


def test_plan_year_of__non_calendar_start() -> None:
    """Plan years start on the ruleset's month/day: 1 July 2025 starts plan year 2025."""
    start = date(2025, 7, 1)
    assert plan_year_of(date(2025, 6, 30), start) == 2024
    assert plan_year_of(date(2025, 7, 1), start) == 2025
    assert plan_year_of(date(2026, 3, 1), start) == 2025


def test_adjudicate__non_calendar_plan_year_resets_on_its_start() -> None:
    """Accumulators reset on the plan year's start month/day, not on 1 January."""
    rs = med_a(plan_year=PlanYear(date(2025, 7, 1), date(2026, 6, 30)))
    m = member("M1", start=date(2025, 1, 1))
    claims = [
        claim("A", m, "OP", "2025-06-30", billed="1000.00", allowed="1000.00"),
        claim("B", m, "OP", "2025-07-01", billed="1000.00", allowed="1000.00"),
        claim("C", m, "OP", "2026-01-02", billed="1000.00", allowed="1000.00"),
    ]
    res, _ = run(rs, [m], claims)
    assert [res[x].deductible for x in "ABC"] == [D("1000.00"), D("1000.00"), D("0.00")]


def test_add_months__clamps_to_month_end() -> None:
    """add_months keeps the day, clamped to the last day of a shorter month."""
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert add_months(date(2025, 3, 1), -3) == date(2024, 12, 1)


def test_adjudicate__out_of_network_terms_accumulators_and_balance_bill() -> None:
    """Out-of-network lines use the out terms, their own accumulators, and leave a balance bill."""
    m = member("M1")
    out = claim("O1", m, "OP", "2025-02-01", billed="5000.00", network="out")
    inn = claim("I1", m, "OP", "2025-03-01", billed="1000.00", allowed="1000.00")
    res, acc = run(med_a(), [m], [out, inn])
    o = res["O1"]
    assert (o.allowed, o.deductible, o.coinsurance, o.plan_paid) == (
        D("2500.00"),
        D("2000.00"),
        D("200.00"),
        D("300.00"),
    )
    assert (o.balance_bill, o.contractual_adj) == (D("2500.00"), D("2500.00"))
    assert res["I1"].deductible == D("1000.00")  # the in-network deductible is untouched by O1
    assert res["I1"].balance_bill == D("0.00")
    assert acc.out_of_pocket("medical/out", 2025, "M1") == D("2200.00")
    assert acc.out_of_pocket("medical/in", 2025, "M1") == D("1000.00")


def test_adjudicate__cross_network_accumulators() -> None:
    """With network_accumulators = cross, an out-of-network deductible counts in-network too."""
    m = member("M1")
    out = claim("O1", m, "OP", "2025-02-01", billed="1200.00", allowed="1200.00", network="out")
    inn = claim("I1", m, "OP", "2025-03-01", billed="1000.00", allowed="1000.00")
    res, acc = run(med_a(network_accumulators="cross"), [m], [out, inn])
    assert res["O1"].deductible == D("1200.00")
    assert res["I1"].deductible == D("0.00")  # in-network limit 1,000 already met
    assert acc.deductible("medical/*", 2025, "M1") == D("1200.00")


def test_adjudicate__rx_shares_medical_out_of_pocket() -> None:
    """Rx copays count toward, and are capped by, medical's out-of-pocket maximum."""
    m = member("M1")
    big = claim("M1", m, "OP", "2025-01-10", billed="20000.00", allowed="14950.00")
    rx1 = claim("R1", m, "RX_BRD", "2025-02-01", billed="300.00", allowed="300.00", line="rx")
    rx2 = claim("R2", m, "RX_BRD", "2025-02-02", billed="300.00", allowed="300.00", line="rx")
    res, acc = run(med_a(), [m], [big, rx1, rx2])
    assert (res["M1"].deductible, res["M1"].coinsurance) == (D("1000.00"), D("2000.00"))  # capped at 3,000
    assert (res["R1"].copay, res["R2"].copay) == (D("0.00"), D("0.00"))
    assert acc.out_of_pocket("rx/in", 2025, "M1") == D("0.00")
    assert acc.out_of_pocket("medical/in", 2025, "M1") == D("3000.00")


def test_adjudicate__rx_copay_fills_remaining_shared_oop() -> None:
    """An rx copay larger than what is left of medical's out-of-pocket is cut to the remainder."""
    m = member("M1")
    med = claim("M1", m, "OP", "2025-01-10", billed="11000.00", allowed="10975.00")
    rx = claim("R1", m, "RX_BRD", "2025-02-01", billed="300.00", allowed="300.00", line="rx")
    res, acc = run(med_a(), [m], [med, rx])
    assert res["M1"].member_paid == D("2995.00")
    assert (res["R1"].copay, res["R1"].plan_paid) == (D("5.00"), D("295.00"))
    assert acc.out_of_pocket("medical/in", 2025, "M1") == D("3000.00")


def test_adjudicate__visit_limit_denies_the_21st_visit() -> None:
    """PT has 20 visits per person per year: the 21st is denied, the next year starts over."""
    m = member("M1", start=date(2024, 1, 1))
    claims = [
        claim(f"P{i:02d}", m, "PT", f"2025-03-{i:02d}", billed="45.00", code="97110") for i in range(1, 22)
    ]
    claims.append(claim("N1", m, "PT", "2026-01-05", billed="45.00", code="97110"))
    res, acc = run(med_a(), [m], claims)
    assert all(res[f"P{i:02d}"].status == "paid" for i in range(1, 21))
    p21 = res["P21"]
    assert (p21.status, p21.allowed, p21.plan_paid, p21.noncovered) == ("denied", D("0"), D("0"), D("45.00"))
    assert p21.reason.startswith("visit limit reached")
    assert res["N1"].status == "paid"
    assert acc.visit_count("medical/PT/visits/0", 2025, "M1") == 20


def test_adjudicate__lifetime_dollar_maximum() -> None:
    """INF has a 10,000 lifetime plan-paid maximum: over_max is the member's, then lines are denied."""
    m = member("M1", start=date(2024, 1, 1))
    claims = [
        claim("F1", m, "INF", "2024-05-01", billed="9000.00", allowed="9000.00"),
        claim("F2", m, "INF", "2025-02-01", billed="6000.00", allowed="6000.00"),
        claim("F3", m, "INF", "2025-06-01", billed="500.00", allowed="500.00"),
    ]
    res, acc = run(med_a(), [m], claims)
    f1, f2, f3 = res["F1"], res["F2"], res["F3"]
    assert (f1.deductible, f1.coinsurance, f1.plan_paid) == (D("1000.00"), D("1600.00"), D("6400.00"))
    # 2025: new deductible and coinsurance, but the lifetime maximum carries over: 3,600 left
    assert (f2.deductible, f2.coinsurance) == (D("1000.00"), D("1000.00"))
    assert (f2.plan_paid, f2.over_max, f2.member_paid) == (D("3600.00"), D("400.00"), D("2400.00"))
    assert f2.allowed == f2.plan_paid + f2.cost_share + f2.over_max
    assert acc.out_of_pocket("medical/in", 2025, "M1") == D("2000.00")  # over_max is not OOP
    assert (f3.status, f3.noncovered) == ("denied", D("500.00"))
    assert f3.reason.startswith("benefit maximum reached")


def test_adjudicate__excluded_category_and_excluded_line() -> None:
    """An excluded category or line is denied with the rule's reason and moves no accumulator."""
    m = member("M1")
    cos = claim("C1", m, "COS", "2025-02-01", billed="800.00")
    life = claim("L1", m, "term", "2025-02-01", billed="50.00", line="life")
    op = claim("O1", m, "OP", "2025-03-01", billed="500.00", allowed="500.00")
    res, _ = run(med_a(), [m], [cos, life, op])
    assert (res["C1"].status, res["C1"].reason, res["C1"].noncovered) == (
        "denied",
        "cosmetic services are excluded",
        D("800.00"),
    )
    assert (res["L1"].status, res["L1"].reason) == ("denied", "life is insured, not ASO")
    assert res["O1"].deductible == D("500.00")


def test_adjudicate__noncovered_repriced_basis() -> None:
    """With noncovered_basis = repriced a denied line's noncovered is the repriced amount."""
    m = member("M1")
    res, _ = run(
        med_a(noncovered_basis="repriced"), [m], [claim("C1", m, "COS", "2025-02-01", billed="800.00")]
    )
    assert (res["C1"].noncovered, res["C1"].contractual_adj) == (D("480.00"), D("320.00"))


def test_adjudicate__coverage_dates() -> None:
    """Lines incurred before coverage starts or after it ends are denied; inside it they are paid."""
    m = member("M1", start=date(2025, 3, 1), end=date(2025, 8, 31))
    claims = [
        claim("B", m, "OP", "2025-02-28", billed="100.00", allowed="100.00"),
        claim("S", m, "OP", "2025-03-01", billed="100.00", allowed="100.00"),
        claim("E", m, "OP", "2025-08-31", billed="100.00", allowed="100.00"),
        claim("A", m, "OP", "2025-09-01", billed="100.00", allowed="100.00"),
    ]
    res, acc = run(med_a(), [m], claims)
    assert [res[x].status for x in "BSEA"] == ["denied", "paid", "paid", "denied"]
    assert res["B"].reason.startswith("not eligible")
    assert acc.deductible("medical/in", 2025, "M1") == D("200.00")


def test_adjudicate__unknown_member_is_denied() -> None:
    """A line for a member missing from enrollment is denied, not raised."""
    m = member("M1")
    res, _ = run(med_a(), [], [claim("X", m, "OP", "2025-02-01", billed="10.00")])
    assert res["X"].status == "denied" and "not enrolled" in res["X"].reason


@pytest.mark.parametrize(
    ("category", "code", "units", "billed", "allowed"),
    [
        ("IMG", "71046", 1, "95.00", "60.00"),  # code
        ("PT", "97110", 3, "200.00", "135.00"),  # code x units
        ("IP", None, 4, "48000.00", "11400.00"),  # category per day x days
        ("OP", "99999", 1, "1000.01", "600.01"),  # unknown code falls to the percentage, rounded
        ("OP", None, 1, "0.05", "0.03"),  # 0.05 x 0.60 = 0.030
        ("OP", None, 1, "0.25", "0.15"),
        ("OP", None, 1, "0.75", "0.45"),
    ],
)
def test_reprice__code_category_percentage(
    category: str, code: str | None, units: int, billed: str, allowed: str
) -> None:
    """The fee schedule prices by code x units, then category x units, then percentage of billed."""
    m = member("M1")
    res, _ = run(med_a(), [m], [claim("X", m, category, "2025-02-01", billed=billed, code=code, units=units)])
    assert res["X"].allowed == D(allowed)
    assert res["X"].allowed + res["X"].contractual_adj == D(billed)


@pytest.mark.parametrize(("mode", "allowed"), [("half_up", "0.63"), ("half_even", "0.62")])
def test_reprice__percentage_rounds_in_the_ruleset_mode(mode: str, allowed: str) -> None:
    """A percentage price of 0.625 rounds half-up to 0.63 and half-even to 0.62."""
    from aso_rules.settle.reprice import reprice
    from tests.settle.plans import MEDICAL_FEES

    c = claim("X", member("M1"), "OP", "2025-02-01", billed="1.25", network="out")
    assert reprice(c, MEDICAL_FEES, lesser_of_billed=True, mode=mode)[0] == D(allowed)  # type: ignore[arg-type]


def test_reprice__lesser_of_billed_on_and_off() -> None:
    """A fee schedule price above billed is cut to billed only with lesser_of_billed on."""
    m = member("M1")
    c = claim("X", m, "IMG", "2025-02-01", billed="40.00", code="71046")
    on, _ = run(med_a(), [m], [c])
    off, _ = run(med_a(lesser_of_billed=False), [m], [c])
    assert (on["X"].allowed, on["X"].contractual_adj) == (D("40.00"), D("0.00"))
    assert (off["X"].allowed, off["X"].contractual_adj) == (D("60.00"), D("0.00"))


def test_reprice__unpriced_lines_are_denied() -> None:
    """No fee schedule rate (no schedule, or no percentage for the network) denies the line."""
    from aso_rules.model import FeeSchedule

    m = member("M1")
    rs = med_a()
    no_pct = rs.fee_schedules["medical"]
    rs2 = attrs.evolve(rs, fee_schedules={"medical": FeeSchedule("medical", codes=no_pct.codes)})
    res, _ = run(rs2, [m], [claim("X", m, "OP", "2025-02-01", billed="100.00", code="12345")])
    assert res["X"].status == "denied" and res["X"].reason.startswith("unpriced:")
    assert res["X"].noncovered == D("100.00")
    res, _ = run(rs, [m], [claim("R", m, "RX_GEN", "2025-02-01", billed="12.00", line="rx")])
    assert res["R"].status == "denied" and res["R"].reason == "unpriced: no fee schedule for line rx"


def test_adjudicate__allowed_given_is_kept() -> None:
    """A claim that arrives with an allowed amount is not repriced, even above billed."""
    m = member("M1")
    res, _ = run(med_a(), [m], [claim("X", m, "OV_PCP", "2025-02-01", billed="100.00", allowed="120.00")])
    assert (res["X"].allowed, res["X"].copay, res["X"].plan_paid) == (D("120.00"), D("25.00"), D("95.00"))


def test_plan_year_for__declared_plan_year_of_any_length() -> None:
    """Dates inside a declared plan year longer than 12 months keep its accumulators; later dates
    start a new plan year, earlier ones belong to an earlier one."""
    from aso_rules.settle.order import plan_year_for

    long_year = PlanYear(date(2020, 1, 13), date(2021, 1, 16))
    assert plan_year_for(date(2021, 1, 14), long_year) == 2020
    assert plan_year_for(date(2021, 1, 17), long_year) == 2021
    assert plan_year_for(date(2020, 1, 12), long_year) == 2019
    short_year = PlanYear(date(2025, 1, 1), date(2025, 6, 30))
    assert plan_year_for(date(2025, 8, 1), short_year) == 2026
    calendar_year = PlanYear(date(2025, 1, 1), date(2025, 12, 31))
    assert [plan_year_for(date(y, 6, 1), calendar_year) for y in (2024, 2025, 2026)] == [2024, 2025, 2026]


def test_adjudicate__long_declared_plan_year_keeps_its_deductible() -> None:
    """A claim 3 days past the plan year's anniversary but inside the declared year does not reset."""
    rs = med_a(plan_year=PlanYear(date(2020, 1, 13), date(2021, 1, 16)))
    m = member("M1", start=date(2020, 1, 13))
    claims = [
        claim("A", m, "OP", "2020-03-01", billed="1000.00", allowed="1000.00"),
        claim("B", m, "OP", "2021-01-15", billed="100.00", allowed="100.00"),
    ]
    res, _ = run(rs, [m], claims)
    assert (res["B"].deductible, res["B"].plan_year) == (D("0.00"), 2020)


def test_adjudicate__annual_and_lifetime_maximums_on_one_category() -> None:
    """An annual 5,000 and a lifetime 10,000 maximum on INF: each year pays at most 5,000 and both
    accumulators count what the plan finally paid."""
    from aso_rules.model import Limit

    rs = med_a()
    medical = rs.coverages["medical"]
    yearly = Limit("INF", "dollars", D("5000.00"), "year")
    rs = attrs.evolve(
        rs, coverages={**rs.coverages, "medical": attrs.evolve(medical, limits=(*medical.limits, yearly))}
    )
    m = member("M1", start=date(2024, 1, 1))
    claims = [
        claim("A", m, "INF", "2024-03-01", billed="20000.00", allowed="20000.00"),
        claim("B", m, "INF", "2025-03-01", billed="20000.00", allowed="20000.00"),
        claim("C", m, "INF", "2025-04-01", billed="100.00", allowed="100.00"),
    ]
    res, acc = run(rs, [m], claims, explain=True)
    assert (res["A"].plan_paid, res["A"].over_max) == (D("5000.00"), D("12000.00"))
    assert (res["B"].plan_paid, res["B"].over_max) == (D("5000.00"), D("12000.00"))
    assert res["C"].status == "denied"
    assert acc.plan_dollars("medical/INF/dollars/1", LIFETIME, "M1") == D("10000.00")
    assert acc.plan_dollars("medical/INF/dollars/2", 2025, "M1") == D("5000.00")
    maxima = [s for s in res["B"].steps if s.name == "maximum"]
    assert [s.after for s in maxima] == [
        {"plan_paid.INF.lifetime": D("10000.00")},
        {"plan_paid.INF": D("5000.00")},
    ]
