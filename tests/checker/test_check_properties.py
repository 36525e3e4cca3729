"""Properties of the checker and compiler over generated syntax trees (tests/strategies/language.py).

The checker never raises on any program the grammar can express: it only reports. A program
that checks with no error compiles without raising, to a ruleset that pickles and compares equal.
"""

from __future__ import annotations

import pickle
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.compile import compile_program
from aso_rules.language import ast
from aso_rules.language.check import CODES, check_program
from tests.checker.helpers import MEDICAL, codes
from tests.strategies.language import rule_files


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_files)
def test_check_program__never_raises_on_generated_programs(rule_file: ast.RuleFile) -> None:
    """Any syntax tree the grammar can produce gets diagnostics with known codes, never an exception."""
    checked = check_program(ast.Program(rule_file))
    diagnostics = checked.diagnostics
    assert all(d.code in CODES for d in diagnostics)
    assert all(d.message and "\n" not in d.message and d.hint for d in diagnostics)
    if not any(d.is_error for d in diagnostics) and any(
        isinstance(s, ast.Ruleset) for s in rule_file.statements
    ):
        ruleset = compile_program(checked)
        assert pickle.loads(pickle.dumps(ruleset)) == ruleset


dollars = st.integers(min_value=0, max_value=50_000)


def _money(amount: int) -> str:
    return f"${amount:,}"


@settings(max_examples=60, deadline=None)
@given(dollars, dollars, dollars, dollars)
def test_check_cost_sharing__family_and_out_of_pocket_relations(
    ded_person: int, ded_family: int, oop_person: int, oop_family: int
) -> None:
    """E303 exactly when a family amount is below its person amount; E302 exactly when an
    out-of-pocket maximum (person or family) is below the matching deductible."""
    body = (
        "coverage medical {\n"
        f"  deductible {_money(ded_person)} per person, {_money(ded_family)} per family\n"
        f"  out_of_pocket {_money(oop_person)} per person, {_money(oop_family)} per family\n"
        "}\n"
    )
    found = codes(body)
    assert ("E303" in found) == (ded_family < ded_person or oop_family < oop_person)
    assert ("E302" in found) == (oop_person < ded_person or oop_family < ded_family)
    assert found <= {"E302", "E303"}


@settings(max_examples=60, deadline=None)
@given(
    st.integers(10_000, 2_000_000),
    st.integers(1, 2_000_000),
    st.integers(1, 3_000_000),
)
def test_check_specific_tiers__stack_relation(low: int, maximum: int, step: int) -> None:
    """For tiers SD1 < SD2: E307 exactly when SD2 < SD1 + max1, W301 exactly when SD2 > SD1 + max1
    (docs/semantics.md 6.4), nothing when they meet."""
    high = low + step
    body = (
        MEDICAL + f'stop_loss specific "low" {{\n  deductible {_money(low)} per claimant\n'
        f"  maximum {_money(maximum)} per claimant\n}}\n"
        + f'stop_loss specific "high" {{\n  deductible {_money(high)} per claimant\n}}\n'
    )
    found = codes(body)
    assert ("E307" in found) == (high < low + maximum)
    assert ("W301" in found) == (high > low + maximum)
    assert found <= {"E307", "W301"}


@settings(max_examples=40, deadline=None)
@given(
    st.decimals(min_value=0, max_value=300, places=1),
    st.integers(1_000, 500_000),
    st.integers(1_000, 500_000),
)
def test_check__percent_range_and_laser(pays: Decimal, deductible: int, laser: int) -> None:
    """`plan pays P%` is E301 exactly when P > 100 and W341 exactly when P is 0; a laser is W302
    exactly when below the deductible."""
    body = (
        f"coverage medical {{\n  plan pays {pays}%\n}}\n"
        f'stop_loss specific "s" {{\n  deductible {_money(deductible)} per claimant\n'
        f'  laser "M" {_money(laser)}\n}}\n'
    )
    found = codes(body)
    assert ("E301" in found) == (pays > 100)
    assert ("W302" in found) == (laser < deductible)
    assert ("W341" in found) == (pays == 0)
    assert found <= {"E301", "W302", "W341"}
