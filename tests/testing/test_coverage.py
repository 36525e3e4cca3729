"""Rule coverage: which statements tests exercise, and how thresholds are reached (below/at/above).

Each test writes a small ruleset with its tests in the rule language and reads the coverage report.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aso_rules.language.loader import load, parse_program
from aso_rules.testing.coverage import Coverage, classify, render_coverage, rule_statements
from aso_rules.testing.runner import run_ruleset

HEADER = """\
ruleset "T" {
  plan_year 2026-01-01 to 2026-12-31
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  deductible $1,000 per person, $2,000 per family embedded
  out_of_pocket $4,000 per person, $8,000 per family
  plan pays 80%
  copay office_visit $30
  covered in full preventive
  limit chiropractic 2 visits per person per year
  limit infertility $5,000 per person lifetime
  exclude cosmetic "no"
}

stop_loss specific "Pool" {
  deductible $10,000 per claimant
  laser "L" $20,000
  aggregating_deductible $1,000
  covers medical
  basis 12/12
  premium $20.00 pepm
}
"""
# statement lines: deductible 7, out_of_pocket 8, plan pays 9, copay 10, covered in full 11,
# limits 12 and 13, exclude 14; specific deductible 18, laser 19, aggregating deductible 20


def _coverage(tmp_path: Path, tests: str) -> dict[str, object]:
    path = tmp_path / "t.aso"
    path.write_text(HEADER + tests)
    ruleset = load(path)
    program, _ = parse_program(path)
    assert program is not None
    cov = Coverage()
    cov.add_program(program, ruleset)
    results = run_ruleset(ruleset, recorder=lambda s: cov.record(program, ruleset, s))
    assert all(r.passed for r in results), results
    report = cov.report()
    files = report["files"]
    assert isinstance(files, dict)
    file_report: dict[str, object] = files[str(path)]
    return file_report


def _sides(report: dict[str, object], line: int, key: str) -> set[str]:
    rows = report["thresholds"]
    assert isinstance(rows, list)
    row = next(r for r in rows if r["line"] == line and r["key"] == key)
    return {side for side in ("below", "at", "above") if row[side]}


def _missed(report: dict[str, object]) -> set[int]:
    missed = report["missed"]
    assert isinstance(missed, list)
    return {m["line"] for m in missed}


def test_classify__below_at_above() -> None:
    """A running total under, equal to and over a threshold is below, at and above it."""
    assert classify(Decimal("999.99"), Decimal(1000)) == "below"
    assert classify(Decimal("1000.00"), Decimal(1000)) == "at"
    assert classify(Decimal("1000.01"), Decimal(1000)) == "above"


def test_rule_statements__measures_rules_not_declarations(tmp_path: Path) -> None:
    """Block items and ``exclude coverage`` are measured; the header, blocks' own lines and tests are not."""
    path = tmp_path / "t.aso"
    path.write_text(HEADER + 'test "t" {\n  member "A" family "A" tier EE\n}\n')
    program, _ = parse_program(path)
    assert program is not None
    lines = [s.line for s in rule_statements(program)]
    assert lines == [7, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 21, 22, 23]


def test_coverage__deductible_reached_from_below_exactly_and_above(tmp_path: Path) -> None:
    """$600 then $400 meet a $1,000 deductible from below and exactly; a later $50 goes above it."""
    report = _coverage(
        tmp_path,
        """
test "t" {
  member "A" family "A" tier EE
  claim "c1" member "A" medical lab incurred 2026-02-01 allowed $600.00
  claim "c2" member "A" medical lab incurred 2026-03-01 allowed $400.00
  claim "c3" member "A" medical lab incurred 2026-04-01 allowed $50.00
  expect "c2" deductible $400.00
  expect "c3" plan_paid $40.00
}
""",
    )
    assert _sides(report, 7, "deductible.member") == {"below", "at", "above"}
    # an EE member never touches the family deductible
    assert _sides(report, 7, "deductible.family") == set()


def test_coverage__one_line_past_the_deductible_is_above_only(tmp_path: Path) -> None:
    """A single $1,500 line carries the running total past $1,000 at once: above, never below or at."""
    report = _coverage(
        tmp_path,
        """
test "t" {
  member "A" family "A" tier EE
  claim "c1" member "A" medical lab incurred 2026-02-01 allowed $1,500.00
  expect "c1" deductible $1,000.00
}
""",
    )
    assert _sides(report, 7, "deductible.member") == {"above"}


def test_coverage__family_deductible_and_out_of_pocket(tmp_path: Path) -> None:
    """Family members reach the family deductible; a capped coinsurance goes above the OOP maximum."""
    report = _coverage(
        tmp_path,
        """
test "t" {
  member "F" family "F" tier FAM
  member "S" family "F" tier FAM relationship spouse
  claim "c1" member "F" medical lab incurred 2026-02-01 allowed $1,000.00
  claim "c2" member "S" medical lab incurred 2026-03-01 allowed $1,000.00
  claim "c3" member "S" medical lab incurred 2026-04-01 allowed $30,000.00
  # c3: deductible met; coinsurance 20% x $30,000 = $6,000, capped at the $3,000 left of S's $4,000
  expect "c3" coinsurance $3,000.00
}
""",
    )
    assert _sides(report, 7, "deductible.family") == {"below", "at", "above"}
    assert "above" in _sides(report, 8, "out_of_pocket.member")


def test_coverage__visit_limit_exactly_and_beyond(tmp_path: Path) -> None:
    """A 2-visit limit: visits 1, 2 and 3 are below, at and above it (the third is denied)."""
    claims = "".join(
        f'  claim "v{i}" member "A" medical chiropractic incurred 2026-0{i + 1}-01 allowed $50.00\n'
        for i in (1, 2, 3)
    )
    report = _coverage(
        tmp_path,
        'test "t" {\n  member "A" family "A" tier EE\n' + claims + '  expect "v3" status denied\n}\n',
    )
    assert _sides(report, 12, "visits.chiropractic") == {"below", "at", "above"}


def test_coverage__dollar_limit_and_specific_deductible_and_laser(tmp_path: Path) -> None:
    """A dollar maximum, the specific deductible and a laser each record where the totals ended."""
    report = _coverage(
        tmp_path,
        """
test "t" {
  member "A" family "A" tier EE
  member "L" family "L" tier EE
  member "Z" family "Z" tier EE
  claim "c1" member "A" medical infertility incurred 2026-02-01 allowed $10,000.00
  claim "c2" member "L" medical lab incurred 2026-02-01 allowed $24,000.00
  claim "c3" member "Z" medical lab incurred 2026-02-01 allowed $14,000.00
  # c1: member $1,000 + 20% x $9,000 = $2,800; plan $7,200, capped at the $5,000 maximum
  expect "c1" plan_paid $5,000.00 over_max $2,200.00
  # c2: member $1,000 + $3,000 (OOP max); plan $20,000 = the laser exactly
  expect "c2" plan_paid $20,000.00
  # c3: member $1,000 + 20% x $13,000 = $3,600; plan $10,400: $400 over the specific deductible,
  # all absorbed by the $1,000 aggregating deductible
  expect specific "Pool" reimbursed $0.00
}
""",
    )
    assert _sides(report, 13, "plan_paid.infertility.lifetime") == {"above"}
    assert _sides(report, 19, "specific.laser") == {"at"}
    assert _sides(report, 18, "specific.deductible") == {"below", "above"}
    # the aggregating deductible was consulted (c3 went over); nobody was reimbursed
    assert 20 not in _missed(report)


def test_coverage__statements_cited_or_not(tmp_path: Path) -> None:
    """Copay, covered-in-full and exclusion statements count only when a test line used them."""
    report = _coverage(
        tmp_path,
        """
test "t" {
  member "A" family "A" tier EE
  claim "c1" member "A" medical preventive incurred 2026-02-01 allowed $200.00
  claim "c2" member "A" medical cosmetic incurred 2026-02-01 allowed $200.00
  expect "c1" plan_paid $200.00
  expect "c2" status denied
}
""",
    )
    missed = _missed(report)
    assert 11 not in missed and 14 not in missed  # covered in full, exclude
    assert {7, 9, 10, 12, 13} <= missed  # nothing went through the deductible, a copay or a limit
    assert 8 not in missed  # the out-of-pocket maximum is consulted on every covered line
    assert 19 in missed  # nobody lasered had claims


def test_render_coverage__per_file_and_total(tmp_path: Path) -> None:
    """The text report lists each file's share, the statements missed and a total line."""
    path = tmp_path / "t.aso"
    path.write_text(HEADER)
    program, _ = parse_program(path)
    assert program is not None
    cov = Coverage()
    cov.add_program(program, load(path))
    text = render_coverage(cov.report())
    assert f"{path}: 0 of 14 statements exercised (0.0%)" in text
    assert f"not exercised  {path}:10  copay office_visit $30" in text
    assert text.rstrip().endswith("coverage: 0 of 14 statements (0.0%), 0 of 24 threshold boundary points")


RULESETS = sorted((Path(__file__).resolve().parents[2] / "rulesets").glob("*.aso"))


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda p: p.stem)
def test_coverage__example_rulesets_are_measured(ruleset: Path) -> None:
    """Every example ruleset has measured statements (the measure is not empty by accident)."""
    program, _ = parse_program(ruleset)
    assert program is not None
    assert len(rule_statements(program)) >= 10
