"""The rule-file test runner: the bundled example tests pass; failures show expected, actual and a trace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from aso_rules import model
from aso_rules.model import Expectation, Tolerance
from aso_rules.testing.runner import as_json, case_claims, case_members, render_text, run_case, run_ruleset
from tests.settle.sl_plans import acme_full


def _case(*expectations: Expectation) -> model.TestCase:
    return attrs.evolve(acme_full().tests[1], expectations=expectations)


def test_runner__language_example_tests_pass():
    """Both tests of the bundled example pass: the copay line and the specific reimbursement of 100,000."""
    results = run_ruleset(acme_full())
    assert [r.passed for r in results] == [True, True]
    text = render_text([("acme-2026.aso", results)])
    assert text.endswith("2 passed, 0 failed\n")


def test_runner__failure_shows_expected_actual_difference_and_trace():
    """A wrong claim expectation fails with expected, actual, difference and the claim's explanation."""
    result = run_case(
        acme_full(), _case(Expectation("claim", "plan_paid", Decimal("299000.00"), subject="c1"))
    )
    assert not result.passed
    (o,) = result.outcomes
    assert (o.expected, o.actual, o.difference) == ("299000.00", "300000.00", "1000.00")
    assert o.trace is not None and "deductible" in o.trace and "Acme Re first tier" in o.trace
    text = render_text([("acme.aso", [result])])
    assert "expected 299000.00, actual 300000.00, difference 1000.00" in text
    assert text.endswith("0 passed, 1 failed\n")


def test_runner__tolerances():
    """Absolute and relative tolerances widen the comparison; without one it is exact."""
    rs = acme_full()
    near = Decimal("300000.50")
    assert not run_case(rs, _case(Expectation("claim", "plan_paid", near, subject="c1"))).passed
    absolute = Expectation(
        "claim", "plan_paid", near, subject="c1", tolerance=Tolerance("absolute", Decimal("1"))
    )
    assert run_case(rs, _case(absolute)).passed
    relative = Expectation(
        "claim",
        "plan_paid",
        Decimal("301000.00"),
        subject="c1",
        tolerance=Tolerance("relative", Decimal("0.005")),
    )
    assert run_case(rs, _case(relative)).passed
    too_far = attrs.evolve(relative, tolerance=Tolerance("relative", Decimal("0.001")))
    assert not run_case(rs, _case(too_far)).passed


def test_runner__summary_paths_specific_and_aggregate():
    """Summary paths, a specific tier's and the aggregate's values are all reachable."""
    rs = acme_full()
    case = _case(
        Expectation("summary", "employer_cost.specific_reimbursed", Decimal("100000.00")),
        Expectation("summary", "specific_stop_loss.1.reimbursed", Decimal("0.00")),
        Expectation("summary", "counts.paid", Decimal(1)),
        Expectation("aggregate", "attachment_point", Decimal("1800000.00")),
        Expectation("aggregate", "eligible_claims", Decimal("150000.00")),
        Expectation("claim", "status", "paid", subject="c1"),
        Expectation("claim", "aggregate_eligible", "true", subject="c1"),
        Expectation("claim", "specific_reimbursed", Decimal("100000.00"), subject="c1"),
    )
    result = run_case(rs, case)
    assert result.passed, [(o.label, o.expected, o.actual, o.message) for o in result.outcomes]


def test_runner__missing_values_fail_with_a_message():
    """An unknown claim, path or tier fails with a message instead of raising."""
    result = run_case(
        acme_full(),
        _case(
            Expectation("claim", "plan_paid", Decimal(0), subject="nope"),
            Expectation("summary", "employer_cost.nothing", Decimal(0)),
            Expectation("specific", "reimbursed", Decimal(0), subject="no tier"),
        ),
    )
    assert [o.passed for o in result.outcomes] == [False, False, False]
    assert all(o.message and o.actual is None for o in result.outcomes)
    report = as_json([("f.aso", [result])])
    assert report["failed"] == 1 and report["tests"][0]["expectations"][0]["actual"] is None


def test_runner__defaults_for_members_and_claims():
    """Members are enrolled for the whole plan year; paid defaults to incurred and billed to allowed."""
    rs = acme_full()
    case = model.TestCase(
        "defaults",
        members=(
            model.TestMember("A", "A", "EE"),
            model.TestMember("B", "A", "ES", relationship="spouse", coverage_start=date(2026, 3, 1)),
        ),
        claims=(
            model.TestClaim("c", "B", "medical", "office_visit", date(2026, 4, 1), allowed=Decimal("90")),
        ),
    )
    members = case_members(rs, case)
    assert members[0].coverage_start == rs.plan_year.start and members[0].coverage_end is None
    assert members[1].coverage_start == date(2026, 3, 1)
    (claim,) = case_claims(case, members)
    assert (claim.paid, claim.billed, claim.family_id) == (date(2026, 4, 1), Decimal("90"), "A")


def test_runner__setup_error_is_reported():
    """A claim naming an undeclared member makes the test fail with an error, not an exception."""
    case = model.TestCase(
        "bad",
        claims=(
            model.TestClaim(
                "c", "ghost", "medical", "office_visit", date(2026, 4, 1), allowed=Decimal("9.00")
            ),
        ),
        expectations=(Expectation("claim", "plan_paid", Decimal(0), subject="c"),),
    )
    result = run_case(acme_full(), case)
    assert not result.passed and "ghost" in (result.error or "")


def test_runner__coverage_lists_untested_named_categories():
    """--coverage: per line, the categories tests used and the named ones no test exercises."""
    from aso_rules.testing.runner import render_coverage, tested_coverage

    cov = tested_coverage(acme_full())
    assert cov["medical"]["tested"] == ["inpatient", "office_visit"]
    assert "specialist" in cov["medical"]["missing"] and "office_visit" not in cov["medical"]["missing"]
    assert cov["rx"]["tested"] == [] and "generic" in cov["rx"]["missing"]
    text = render_coverage([("acme.aso", cov)])
    assert "rx: no test claims" in text
