"""Properties of the checker and compiler over generated syntax trees (tests/strategies.py).

The checker never raises on any program the grammar can express: it only reports. A program
that checks with no error compiles without raising, to a ruleset that pickles and compares equal.
"""

from __future__ import annotations

import pickle

from hypothesis import HealthCheck, given, settings

from aso_rules.compile import compile_program
from aso_rules.language import ast
from aso_rules.language.check import CODES, check_program
from tests.strategies import rule_files


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_files)
def test_check_program__never_raises_on_generated_programs(rule_file: ast.RuleFile) -> None:
    """Any syntax tree the grammar can produce gets diagnostics with known codes, never an exception."""
    diagnostics = check_program(ast.Program(rule_file))
    assert all(d.code in CODES for d in diagnostics)
    assert all(d.message and "\n" not in d.message for d in diagnostics)
    if not any(d.is_error for d in diagnostics) and any(
        isinstance(s, ast.Ruleset) for s in rule_file.statements
    ):
        ruleset = compile_program(ast.Program(rule_file))
        assert pickle.loads(pickle.dumps(ruleset)) == ruleset
