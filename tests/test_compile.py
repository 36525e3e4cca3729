"""The compiler: checked programs become the domain model with docs/semantics.md's parameters.

Spot checks of the acme ruleset (the bundled example) against the numbers written in it, and
small programs for each mapping rule (constants, tier spreading, exact rates, network inheritance,
ordering of stop-loss tiers, defaults).
"""

from __future__ import annotations

import pickle
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import aso_rules
from aso_rules import model
from aso_rules.language.loader import loads
from tests.checker.helpers import HEADER, MEDICAL

ROOT = Path(__file__).resolve().parents[1]
RULESETS = sorted((ROOT / "rulesets").glob("*.aso"))
D = Decimal


@pytest.fixture(scope="module")
def acme() -> model.Ruleset:
    return aso_rules.load(ROOT / "rulesets" / "acme-2026.aso")


def test_compile__acme_header_and_settings(acme: model.Ruleset) -> None:
    """The header gives name, administrator, plan year, currency, tiers and default settings."""
    assert acme.name == "Acme Manufacturing 2026"
    assert acme.administrator == "Blue Ridge Benefit Services"
    assert acme.plan_year == model.PlanYear(date(2026, 1, 1), date(2026, 12, 31))
    assert acme.currency == "USD"
    assert acme.tier_codes == ("EE", "ES", "EC", "FAM")
    assert acme.tiers[2] == model.Tier("EC", "Employee + children")
    assert acme.settings == model.Settings()
    assert acme.constants == {"specific_deductible": D("150000.00")}


def test_compile__acme_medical_cost_sharing(acme: model.Ruleset) -> None:
    """Medical: deductible, out-of-pocket, coinsurance as an exact member rate, copays and
    covered-in-full categories (docs/semantics.md mapping table)."""
    medical = acme.coverages["medical"]
    assert medical.kind == "medical"
    inn = medical.networks["in"]
    assert (inn.ded_ind, inn.ded_fam, inn.ded_mode) == (D("1500.00"), D("3000.00"), "embedded")
    assert (inn.oop_ind, inn.oop_fam, inn.oop_mode) == (D("5000.00"), D("10000.00"), "embedded")
    assert inn.default == model.CategoryRule(coins=D("0.2"))
    assert inn.rule_for("office_visit") == model.CategoryRule(
        copay=D("30.00"), deductible_applies=False, coins=D(0)
    )
    assert inn.rule_for("specialist").copay == D("60.00")
    assert inn.rule_for("emergency") == model.CategoryRule(
        copay=D("250.00"), deductible_applies=True, coins=D("0.2")
    )
    assert inn.rule_for("preventive") == model.CategoryRule(
        copay=D("0.00"), deductible_applies=False, coins=D(0)
    )
    assert inn.rule_for("inpatient") is inn.default


def test_compile__acme_network_out_inherits_and_overrides(acme: model.Ruleset) -> None:
    """Out-of-network: its own deductible, out-of-pocket and 60%; copays inherited; the copay
    then deductible category takes the out-of-network coinsurance."""
    out = acme.coverages["medical"].networks["out"]
    assert (out.ded_ind, out.ded_fam, out.oop_ind, out.oop_fam) == (
        D("3000.00"),
        D("6000.00"),
        D("10000.00"),
        D("20000.00"),
    )
    assert out.default.coins == D("0.4")
    assert out.rule_for("office_visit").copay == D("30.00")
    assert out.rule_for("emergency").coins == D("0.4")


def test_compile__acme_limits_and_exclusions(acme: model.Ruleset) -> None:
    """Visit and dollar limits with their periods; exclusions with their reason."""
    medical = acme.coverages["medical"]
    assert medical.limits == (
        model.Limit("chiropractic", "visits", D(20), "year"),
        model.Limit("infertility", "dollars", D("15000.00"), "lifetime"),
    )
    exclusion = medical.exclusion_for("experimental")
    assert exclusion is not None
    assert exclusion.reason == "Not covered under the plan document, section 7"
    assert acme.excluded_lines["accidental_death"].reason.startswith("Life and AD&D")
    assert set(acme.excluded_lines) == {"life", "accidental_death"}


def test_compile__acme_rx_dental_and_std(acme: model.Ruleset) -> None:
    """Rx copays sharing medical's out-of-pocket; dental classes and maximum; STD terms in days."""
    rx = acme.coverages["rx"]
    assert rx.shares_oop_with == "medical" and rx.shares_deductible_with is None
    assert rx.networks["in"].rule_for("specialty").copay == D("150.00")
    dental = acme.coverages["dental"]
    assert dental.dental is not None
    assert dental.dental.annual_max == D("1500.00")
    assert dental.dental.classes["preventive"] == model.DentalClass("preventive", D(1), False, 0)
    assert dental.dental.classes["major"] == model.DentalClass("major", D("0.5"), True, 12)
    assert dental.networks["in"].rule_for("basic") == model.CategoryRule(coins=D("0.2"))
    assert (dental.networks["in"].ded_ind, dental.networks["in"].ded_fam) == (D("50.00"), D("150.00"))
    std = acme.coverages["std"].disability
    assert std == model.DisabilityTerms(
        kind="std",
        pct=D("0.6"),
        maximum=D("1000.00"),
        elimination_illness_days=7,
        elimination_accident_days=0,
        duration_days=182,
    )


def test_compile__acme_fee_schedule(acme: model.Ruleset) -> None:
    """Network percentages as rates, code prices and per-day category prices."""
    schedule = acme.fee_schedules["medical"]
    assert (schedule.in_network_pct, schedule.out_of_network_pct) == (D("0.58"), D(1))
    assert schedule.codes == {"99213": D("92.00"), "99214": D("131.00")}
    assert schedule.categories == {"inpatient": D("2450.00")}


def test_compile__acme_specific_tiers(acme: model.Ruleset) -> None:
    """Two specific tiers, lowest first: constant deductible, laser, ASD, maximum, lines, 12/15,
    premiums by tier and a single premium spread to every tier."""
    first, second = acme.specific
    assert first.name == "Acme Re first tier"
    assert first.deductible == D("150000.00")
    assert first.lasers == {"M-1042": D("400000.00")}
    assert first.deductible_for("M-1042") == D("400000.00")
    assert first.aggregating_deductible == D("50000.00")
    assert first.maximum == D("850000.00")
    assert first.covers == ("medical", "rx")
    assert first.basis == model.Basis(12, 15)
    assert first.reimbursement_pct == 1
    assert first.premium == model.TierAmounts(
        {"EE": D("42.10"), "ES": D("95.00"), "EC": D("80.00"), "FAM": D("120.50")}, "pepm"
    )
    assert second.deductible == D("1000000.00") and second.maximum is None
    assert second.premium == model.TierAmounts(dict.fromkeys(acme.tier_codes, D("6.25")), "pepm")
    assert first.deductible + first.maximum == second.deductible


def test_compile__acme_aggregate(acme: model.Ruleset) -> None:
    """Aggregate: 125% of expected claims, a fixed minimum, a maximum, 12/12 and its premium."""
    agg = acme.aggregate
    assert agg is not None
    assert agg.pct_of_expected == D("1.25") and agg.factors is None
    assert agg.minimum_fixed == D("1800000.00") and agg.minimum_pct == D("0.95")
    assert agg.maximum == D("1000000.00")
    assert agg.basis == model.Basis(12, 12)
    assert agg.premium is not None and agg.premium.for_tier("FAM") == D("3.50")
    assert (agg.laser_treatment, agg.claim_basis, agg.cap_per_claimant) == ("to_laser", "capped", True)


def test_compile__acme_fees_and_assumptions(acme: model.Ruleset) -> None:
    """Fees by kind; expected claims, claimants, lognormal severity, Poisson count, fully insured."""
    assert [(f.name, f.kind) for f in acme.fees] == [
        ("administration", "pepm"),
        ("network_access", "pepm"),
        ("cobra_administration", "pepm"),
        ("claims_processing", "per_claim"),
    ]
    assert acme.fees[0].amounts is not None and acme.fees[0].amounts.for_tier("ES") == D("38.50")
    assert acme.fees[3].amount == D("1.10")
    a = acme.assumptions
    assert a is not None
    assert a.expected_claims is not None and a.expected_claims.for_tier("FAM") == D("1450.00")
    assert a.claimants_pct == D("0.78")
    assert a.claimant_cost == model.Lognormal(D("6200.00"), D("3.0"))
    assert a.claim_count == model.Poisson()
    assert a.fully_insured is not None and a.fully_insured.for_tier("EE") == D("655.00")


def test_compile__acme_tests(acme: model.Ruleset) -> None:
    """Tests become TestCases with members, claims (paid defaulting to None) and expectations."""
    first, second = acme.tests
    assert first.members == (model.TestMember("A1", "A1", "EE"),)
    assert first.claims == (
        model.TestClaim("c1", "A1", "medical", "office_visit", date(2026, 2, 3), allowed=D("180.00")),
    )
    assert first.expectations == (
        model.Expectation("claim", "member_paid", D("30.00"), subject="c1"),
        model.Expectation("claim", "plan_paid", D("150.00"), subject="c1"),
    )
    assert second.claims[0].paid == date(2026, 3, 20)
    assert second.expectations[-1] == model.Expectation(
        "specific", "reimbursed", D("100000.00"), subject="Acme Re first tier"
    )


def test_compile__sources_point_at_statements(acme: model.Ruleset) -> None:
    """Statement-level objects carry the file and line they were written at."""
    path = str(ROOT / "rulesets" / "acme-2026.aso")
    assert acme.coverages["medical"].source == model.Source(path, 12)
    assert acme.coverages["medical"].networks["in"].deductible_source == model.Source(path, 13)
    assert acme.specific[0].source == model.Source(path, 58)
    assert acme.tests[0].source is not None and acme.tests[0].source.line == 99


def test_compile__specific_tiers_sorted_by_deductible() -> None:
    """Tiers written top first come out lowest deductible first."""
    rs = loads(
        HEADER
        + MEDICAL
        + """
stop_loss specific "upper" {
  deductible $500,000 per claimant
}
stop_loss specific "lower" {
  deductible $100,000 per claimant
  maximum $400,000 per claimant
  reimburses 90%
}
"""
    )
    assert [t.name for t in rs.specific] == ["lower", "upper"]
    assert rs.specific[0].reimbursement_pct == D("0.9")


def test_compile__rates_are_exact_and_constants_resolve() -> None:
    """62.5% becomes exactly 0.625; constants carry their unit to every use."""
    rs = loads(
        HEADER
        + """
let share = 62.5%
let fee = $4.25
coverage medical {
  plan pays share
}
admin_fees {
  access fee pmpm
  pct 9.5% of paid_claims medical
}
"""
        + "assumptions {\n  tier_ratios EE 1.00, FAM 2.85\n  funding_margin 2%\n}\n"
    )
    assert rs.coverages["medical"].networks["in"].default.coins == D("0.375")
    assert rs.constants == {"share": D("0.625"), "fee": D("4.25")}
    access, pct = rs.fees
    assert access.kind == "pmpm" and access.amounts == model.TierAmounts(
        {"EE": D("4.25"), "FAM": D("4.25")}, "pmpm"
    )
    assert (pct.kind, pct.pct, pct.lines) == ("pct_paid_claims", D("0.095"), ("medical",))
    assert rs.assumptions is not None
    assert rs.assumptions.tier_ratios == {"EE": D("1.00"), "FAM": D("2.85")}
    assert rs.assumptions.funding_margin == D("0.02")


def test_compile__aggregate_factors_minimum_percent_and_switches() -> None:
    """Monthly factors by tier, a minimum as a percent of the first month, and on/off switches."""
    rs = loads(
        HEADER.replace("  tiers", "  rounding half_even\n  lesser_of_billed off\n  tiers")
        + MEDICAL
        + """
stop_loss aggregate "agg" {
  attachment EE $450.00, FAM $1,300.00 pepm
  minimum_attachment 90% of first_month
  covers medical, rx, dental
  laser_treatment standard_only
  asd_counts on
  terminal_liability on
}
coverage rx {
  copay generic $10
}
coverage dental {
  class basic pays 80%
}
"""
    )
    agg = rs.aggregate
    assert agg is not None
    assert agg.factors == model.TierAmounts({"EE": D("450.00"), "FAM": D("1300.00")}, "pepm")
    assert (agg.minimum_pct, agg.minimum_fixed) == (D("0.9"), None)
    assert agg.covers == ("medical", "rx", "dental")
    assert (agg.laser_treatment, agg.asd_counts, agg.terminal_liability) == ("standard_only", True, True)
    assert (rs.settings.rounding, rs.settings.lesser_of_billed) == ("half_even", False)


def test_compile__aggregate_family_out_of_pocket_with_cap() -> None:
    """Aggregate deductible and out-of-pocket modes and the individual cap (HDHP-B)."""
    rs = aso_rules.load(ROOT / "rulesets" / "hdhp-2026.aso")
    inn = rs.coverages["medical"].networks["in"]
    assert (inn.ded_ind, inn.ded_fam, inn.ded_mode) == (D("2000.00"), D("4000.00"), "aggregate")
    assert (inn.oop_ind, inn.oop_fam, inn.oop_mode) == (D("5000.00"), D("8000.00"), "aggregate")
    assert inn.ind_oop_cap_in_family == D("5000.00")
    assert rs.coverages["medical"].networks["out"].ind_oop_cap_in_family == D("10000.00")


def test_compile__continuance_table_is_loaded(tmp_path: Path, shared_data: Path) -> None:
    """`claimant_cost table "FILE"` loads the table relative to the rule file, keeping the path as written."""
    shutil.copy(shared_data / "av2015" / "silver_integrated.csv", tmp_path / "silver.csv")
    path = tmp_path / "plan.aso"
    path.write_text(HEADER + 'assumptions {\n  claimant_cost table "silver.csv"\n}\n')
    table = aso_rules.load(path).assumptions.claimant_cost  # type: ignore[union-attr]
    assert isinstance(table, model.ContinuanceTable)
    assert table.path == "silver.csv"
    assert len(table.rows) > 50
    assert sum(r.share for r in table.rows) == pytest.approx(1, abs=0.001)


def test_load__continuance_table_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path
) -> None:
    """The loader reads a table once and hands it to the check (E311, W330) and the compiler."""
    from aso_rules.price import continuance

    shutil.copy(shared_data / "av2015" / "silver_integrated.csv", tmp_path / "silver.csv")
    path = tmp_path / "plan.aso"
    path.write_text(HEADER + 'assumptions {\n  claimant_cost table "silver.csv"\n}\n')
    calls: list[object] = []
    real = continuance.load_continuance_table

    def counted(*args: Any, **kwargs: Any) -> model.ContinuanceTable:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(continuance, "load_continuance_table", counted)
    assert isinstance(aso_rules.load(path).assumptions.claimant_cost, model.ContinuanceTable)  # type: ignore[union-attr]
    assert len(calls) == 1


def test_compile__test_member_and_claim_options() -> None:
    """Member dates, relationship and salary; claim paid, billed, network, code, units, cause, absence."""
    rs = loads(
        HEADER
        + MEDICAL
        + """
coverage std {
  benefit 60% of weekly_earnings up to $1,000 per week
}
test "t" {
  member "A" family "A" tier EE from 2026-03-01 to 2026-09-30 salary $62,400
  member "B" family "A" tier EE relationship spouse
  claim "c1" member "B" medical lab incurred 2026-04-01 paid 2026-04-20 billed $100.00 network out
claim "c2" member "B" medical lab incurred 2026-04-01 code "80053" units 2
  claim "s1" member "A" std disability incurred 2026-05-01 cause illness absence 2026-05-01 to 2026-05-30
  expect "c1" plan_paid $10.00 within $0.05
  expect summary employer_cost.total $1.00 within 0.5%
  expect "s1" status paid
}
"""
    )
    test = rs.tests[0]
    a, b = test.members
    assert (a.coverage_start, a.coverage_end, a.annual_salary, a.relationship) == (
        date(2026, 3, 1),
        date(2026, 9, 30),
        D("62400.00"),
        "employee",
    )
    assert b.relationship == "spouse"
    c1, c2, s1 = test.claims
    assert (c1.paid, c1.billed, c1.allowed, c1.network) == (date(2026, 4, 20), D("100.00"), None, "out")
    assert (c2.paid, c2.network, c2.code, c2.units) == (None, "in", "80053", 2)
    assert (s1.cause, s1.absence_start, s1.absence_end) == ("illness", date(2026, 5, 1), date(2026, 5, 30))
    e1, e2, e3 = test.expectations
    assert e1.tolerance == model.Tolerance("absolute", D("0.05"))
    assert (e2.target, e2.field, e2.tolerance) == (
        "summary",
        "employer_cost.total",
        model.Tolerance("relative", D("0.005")),
    )
    assert e3.value == "paid"


@pytest.mark.parametrize("path", RULESETS, ids=[p.name for p in RULESETS])
def test_rulesets__check_clean(path: Path) -> None:
    """Every example ruleset checks with no diagnostic at all, but for W330 on acme-2026.aso (the
    language's reference example, kept verbatim: its expected claims are not what its claimant model
    implies), also reported where acme-2026-tests.aso includes it."""
    found = [(Path(d.span.file).name, d.code) for d in aso_rules.check(path)]
    assert found == ([("acme-2026.aso", "W330")] if path.name.startswith("acme-2026") else [])


@pytest.mark.parametrize("path", RULESETS, ids=[p.name for p in RULESETS])
def test_rulesets__load_pickles_equal(path: Path) -> None:
    """A loaded ruleset survives pickling unchanged (it ships to Dask workers)."""
    rs = aso_rules.load(path)
    assert pickle.loads(pickle.dumps(rs)) == rs
    assert hash(pickle.loads(pickle.dumps(rs)).coverages) == hash(rs.coverages)


def test_rulesets__examples_have_hand_checked_tests() -> None:
    """Each example ruleset other than acme has tests, and every test expects something."""
    for path in RULESETS:
        rs = aso_rules.load(path)
        assert rs.tests, path.name
        assert all(t.expectations for t in rs.tests), path.name


@pytest.mark.parametrize("path", RULESETS, ids=[p.name for p in RULESETS])
def test_rulesets__hand_worked_tests_pass(path: Path) -> None:
    """Every test block of every example ruleset (amounts worked by hand in its comments) passes
    when settled by the reference engine."""
    from aso_rules.testing.runner import run_ruleset

    results = run_ruleset(aso_rules.load(path))
    failures = [
        (r.name, r.error, [(o.label, o.expected, o.actual) for o in r.outcomes if not o.passed])
        for r in results
        if not r.passed
    ]
    assert failures == []
    assert sum(len(r.outcomes) for r in results) >= 2
