"""``aso diff``'s engine: statement changes between two rule files and the dollars that moved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.data.records import MemberRecord
from aso_rules.language import ast
from aso_rules.language.format import format_file
from aso_rules.language.loader import load, parse_program
from aso_rules.language.parser import parse_text
from aso_rules.settle import records_settle
from aso_rules.testing.diff import diff_report, money_changes, no_change, render_diff_text, statement_changes
from aso_rules.testing.runner import case_claims, case_members
from tests.strategies import language as lang
from tests.strategies.settle import claim_records, families, scenarios

PLAN = """\
ruleset "T" {
  plan_year 2026-01-01 to 2026-12-31
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  deductible $1,000 per person, $2,000 per family embedded
  out_of_pocket $4,000 per person, $8,000 per family
  plan pays 80%
  copay office_visit $30
}

stop_loss specific "Pool" {
  deductible $10,000 per claimant
  covers medical
  basis 12/12
  premium $20.00 pepm
}

admin_fees {
  administration $30.00 pepm
}

test "claims" {
  member "A" family "A" tier EE
  member "B" family "B" tier EE
  claim "a1" member "A" medical lab incurred 2026-02-01 allowed $2,000.00
  claim "b1" member "B" medical office_visit incurred 2026-02-01 allowed $100.00
  expect "a1" plan_paid $800.00
}
"""


def _program(tmp_path: Path, name: str, text: str) -> ast.Program:
    path = tmp_path / name
    path.write_text(text)
    program, diagnostics = parse_program(path)
    assert program is not None, diagnostics
    return program


def _settle(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    ruleset = load(path)
    case = ruleset.tests[0]
    members = case_members(ruleset, case)
    return records_settle(ruleset, members, case_claims(case, members))


def test_statement_changes__changed_added_removed(tmp_path: Path) -> None:
    """A changed deductible, an added laser and a removed copay are reported with file:line."""
    new_text = (
        PLAN.replace("$1,000 per person", "$1,500 per person")
        .replace("  copay office_visit $30\n", "")
        .replace(
            "  deductible $10,000 per claimant\n", '  deductible $10,000 per claimant\n  laser "A" $20,000\n'
        )
    )
    changes = statement_changes(_program(tmp_path, "old.aso", PLAN), _program(tmp_path, "new.aso", new_text))
    summary = [(c.change, c.where) for c in changes]
    assert summary == [
        ("changed", "coverage medical / deductible"),
        ("removed", "coverage medical / copay office_visit"),
        ("added", 'stop_loss specific "Pool" / laser "A"'),
    ]
    changed = changes[0]
    assert changed.old is not None and changed.new is not None
    assert (changed.old.line, changed.old.text) == (
        7,
        "deductible $1,000 per person, $2,000 per family embedded",
    )
    assert (changed.new.line, changed.new.text) == (
        7,
        "deductible $1,500 per person, $2,000 per family embedded",
    )


def test_statement_changes__moving_and_reformatting_is_no_change(tmp_path: Path) -> None:
    """Blocks in another order, other spacing and new comments change no statement."""
    blocks = PLAN.split("\n\n")
    moved = "\n\n".join([blocks[0], "# fees first now", blocks[3], blocks[2], blocks[1], blocks[4]])
    moved = moved.replace("plan pays 80%", "plan   pays   80%")
    assert statement_changes(_program(tmp_path, "a.aso", PLAN), _program(tmp_path, "b.aso", moved)) == []


def test_diff__a_deductible_increase_moves_dollars_from_plan_to_member(tmp_path: Path) -> None:
    """$1,000 -> $1,500 deductible on a $2,000 claim: member +$400, plan and employer cost -$400.

    Old: $1,000 + 20% x $1,000 = $1,200 member, $800 plan. New: $1,500 + 20% x $500 = $1,600
    member, $400 plan. The $100 office visit (copay $30, plan $70) does not move. Employer cost:
    plan paid + fixed costs of 2 employees x 12 months x ($30 fee + $20 premium) = $1,200, so
    $800 + $70 + $1,200 = $2,070 before and $400 + $70 + $1,200 = $1,670 after.
    """
    new_text = PLAN.replace("$1,000 per person", "$1,500 per person")
    old = _settle(tmp_path, "old.aso", PLAN)
    new = _settle(tmp_path, "new.aso", new_text)
    report = diff_report(
        _program(tmp_path, "old.aso", PLAN), _program(tmp_path, "new.aso", new_text), old, new
    )
    totals = report["totals"]
    assert totals["totals.member_paid"]["change"] == "400.00"
    assert totals["totals.plan_paid"]["change"] == "-400.00"
    assert totals["employer_cost.total"] == {"old": "2070.00", "new": "1670.00", "change": "-400.00"}
    assert totals["employer_cost.fixed_costs"]["change"] == "0.00"
    assert report["by_member"] == {
        "A": {
            "member_paid": {"old": "1200.00", "new": "1600.00", "change": "400.00"},
            "plan_paid": {"old": "800.00", "new": "400.00", "change": "-400.00"},
            "specific_reimbursed": {"old": "0.00", "new": "0.00", "change": "0.00"},
        }
    }
    assert report["claims_changed"] == 1
    assert not no_change(report)
    text = render_diff_text(report)
    assert "  changed  coverage medical / deductible" in text
    assert "employer cost" in text and "-400.00" in text


def _zero(report: dict[str, object]) -> bool:
    totals = report["totals"]
    assert isinstance(totals, dict)
    return (
        all(Decimal(v["change"]) == 0 for v in totals.values())
        and not report["by_line"]
        and not report["by_member"]
        and report["claims_changed"] == 0
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_money_changes__same_ruleset_same_claims_is_zero(scenario) -> None:
    """Settling the same generated claims under the same generated ruleset twice moves no dollar."""
    ruleset, members, claims = scenario
    old = records_settle(ruleset, members, claims)
    new = records_settle(ruleset, members, claims)
    assert _zero(money_changes(old, new))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(ast.RuleFile, st.just("x.aso"), st.lists(lang.statements, max_size=6).map(tuple)))
def test_statement_changes__a_file_against_itself_reformatted_is_empty(rule_file: ast.RuleFile) -> None:
    """Any generated rule file, compared with itself and with its formatted and re-parsed text,
    has no statement changes."""
    program = ast.Program(rule_file)
    assert statement_changes(program, program) == []
    reparsed, diagnostics = parse_text(format_file(rule_file), "y.aso")
    assert reparsed is not None, diagnostics
    assert statement_changes(program, ast.Program(reparsed)) == []


_EXAMPLES = {
    path.name: (load(path), parse_program(path)[0])
    for path in sorted((Path(__file__).resolve().parents[2] / "rulesets").glob("*.aso"))
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_EXAMPLES)), families(), st.data())
def test_diff_report__an_example_ruleset_against_itself_on_generated_claims(
    name: str, members: list[MemberRecord], data: st.DataObject
) -> None:
    """``aso diff X X`` for each example ruleset X and any generated claims reports no change at all."""
    ruleset, program = _EXAMPLES[name]
    assert program is not None
    year = timedelta(days=365)
    members = [attrs.evolve(m, coverage_start=m.coverage_start + year) for m in members]
    claims = [
        attrs.evolve(
            c,
            incurred=c.incurred + year,
            paid=c.paid + year,
            absence_start=c.absence_start and c.absence_start + year,
            absence_end=c.absence_end and c.absence_end + year,
        )
        for c in data.draw(st.lists(claim_records(members), min_size=1, max_size=20))
    ]
    old = records_settle(ruleset, members, claims)
    new = records_settle(ruleset, members, claims)
    report = diff_report(program, program, old, new)
    assert no_change(report) and _zero(report)
