"""Formatting and parsing are inverse: generated syntax trees survive a round trip through text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from aso_rules.language import ast
from aso_rules.language.format import format_file
from aso_rules.language.parser import parse_text
from tests import strategies


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.rule_files)
def test_format__parse_of_format_is_identity(rule_file: ast.RuleFile) -> None:
    """parse(format(ast)) == ast for every tree the grammar can produce."""
    text = format_file(rule_file)
    parsed, diagnostics = parse_text(text, "<string>")
    assert parsed is not None, (text, diagnostics)
    assert parsed == rule_file


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.rule_files)
def test_format__idempotent(rule_file: ast.RuleFile) -> None:
    """Formatting the formatted text again changes nothing."""
    text = format_file(rule_file)
    parsed, _ = parse_text(text, "<string>")
    assert parsed is not None
    assert format_file(parsed) == text
