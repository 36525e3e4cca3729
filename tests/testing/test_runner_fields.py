"""Every expectation the checker accepts can be checked by the runner (no "no such field" surprises)."""

from __future__ import annotations

from pathlib import Path

from aso_rules.language.check import check_program
from aso_rules.language.checks.base import CLAIM_FIELDS
from aso_rules.language.loader import load, parse_program
from aso_rules.testing.runner import claim_fields, run_ruleset

PLAN = """\
ruleset "T" {
  plan_year 2026-01-01 to 2026-12-31
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  deductible $1,000 per person, $2,000 per family embedded
  out_of_pocket $4,000 per person, $8,000 per family
  plan pays 80%
}

coverage std {
  benefit 60% of weekly_earnings up to $700 per week
  elimination 7 days illness, 0 days accident
  duration 13 weeks
}

stop_loss aggregate "Agg" {
  attachment EE $100.00, FAM $200.00 pepm
  minimum_attachment $1,000
  covers medical
  basis 12/12
  premium $1.00 pepm
}
"""

STD_TEST = """
test "short-term disability fields" {
  member "S" family "S" tier EE salary $52,000
  claim "s1" member "S" std sick incurred 2026-03-02 billed $0 cause illness absence 2026-03-02 to 2026-03-29
  # $52,000 / 52 = $1,000 a week; 60% = $600; 28 days - 7 = 21 payable days; $600 x 21 / 7 = $1,800
  expect "s1" weekly_benefit $600.00 payable_days 21 benefit $1,800.00 plan_paid $1,800.00
  expect "s1" cost_share $0.00 status paid
}
"""

RECURRENT_STD_TEST = """
test "a recurrent absence continues its disability period" {
  member "S" family "S" tier EE salary $52,000
  claim "s1" member "S" std sick incurred 2026-03-02 billed $0 cause illness absence 2026-03-02 to 2026-03-15
  claim "s2" member "S" std sick incurred 2026-03-20 billed $0 cause illness absence 2026-03-20 to 2026-03-26
  # s1: 14 days - 7 elimination = 7 payable days; $600 x 7 / 7 = $600
  expect "s1" payable_days 7 benefit $600.00
  # s2 starts 4 days after s1 ended (less than 14): the same period, no new elimination: 7 payable days
  expect "s2" weekly_benefit $600.00 payable_days 7 benefit $600.00
}
"""

AGG_TEST = """
test "the aggregate attachment of one employee" {
  member "A" family "A" tier EE
  claim "c1" member "A" medical lab incurred 2026-02-01 allowed $1,000.00
  # $100 x 12 months = $1,200 (above the $1,000 minimum); nothing over it
  expect aggregate attachment_point $1,200.00
  expect aggregate reimbursed $0.00
  # the whole $1,000 goes to the deductible; a paid medical line counts toward the aggregate
  expect "c1" cost_share $1,000.00 aggregate_eligible true
}
"""


def _run(tmp_path: Path, tests: str) -> list[object]:
    path = tmp_path / "t.aso"
    path.write_text(PLAN + tests)
    ruleset = load(path)
    program, _ = parse_program(path)
    assert program is not None
    return list(run_ruleset(ruleset, diagnostics=check_program(program).diagnostics))


def test_runner__disability_fields(tmp_path: Path) -> None:
    """``weekly_benefit``, ``payable_days``, ``benefit`` and ``cost_share`` of an STD line compare."""
    [result] = _run(tmp_path, STD_TEST)
    assert result.passed, result  # type: ignore[attr-defined]


def test_runner__disability_fields_follow_a_recurrent_period(tmp_path: Path) -> None:
    """The runner reports the engine's own disability figures: an absence that continues a period
    serves no second elimination period (payable days 7, not 0)."""
    [result] = _run(tmp_path, RECURRENT_STD_TEST)
    assert result.passed, result  # type: ignore[attr-defined]


def test_runner__aggregate_and_cost_share(tmp_path: Path) -> None:
    """Aggregate figures and ``aggregate_eligible``/``cost_share`` of a medical line compare."""
    [result] = _run(tmp_path, AGG_TEST)
    assert result.passed, result  # type: ignore[attr-defined]


def test_runner__every_checker_claim_field_is_readable(tmp_path: Path) -> None:
    """For a disability line, every claim field the checker accepts has a value in the runner."""
    path = tmp_path / "t.aso"
    path.write_text(PLAN + STD_TEST)
    from aso_rules.settle import records_settle
    from aso_rules.testing.runner import case_claims, case_members

    ruleset = load(path)
    case = ruleset.tests[0]
    members = case_members(ruleset, case)
    settlement = records_settle(ruleset, members, case_claims(case, members))
    fields = claim_fields(settlement, "s1")
    assert fields is not None
    assert set(CLAIM_FIELDS) <= set(fields)


def test_runner__a_diagnostic_expectation(tmp_path: Path) -> None:
    """``expect diagnostic CODE`` passes when the checker reports the code and fails otherwise."""
    quiet = 'test "expects nothing" {\n  member "A" family "A" tier EE\n}\n'  # W304
    ok = _run(tmp_path, quiet + 'test "w" {\n  expect diagnostic W304\n}\n')[-1]
    missing = _run(tmp_path, quiet + 'test "w" {\n  expect diagnostic W301\n}\n')[-1]
    assert ok.passed  # type: ignore[attr-defined]
    assert not missing.passed  # type: ignore[attr-defined]
