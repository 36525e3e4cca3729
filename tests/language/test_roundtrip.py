"""Formatting and parsing are inverse: generated syntax trees survive a round trip through text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.language import ast
from aso_rules.language.format import format_file
from aso_rules.language.parser import parse_text
from tests.strategies import language as strategies


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.rule_files)
def test_format__parse_of_format_is_identity(rule_file: ast.RuleFile) -> None:
    """parse(format(ast)) == ast for every tree the grammar can produce."""
    text = format_file(rule_file)
    parsed, diagnostics = parse_text(text, "<string>")
    assert parsed is not None, (text, diagnostics)
    assert parsed == rule_file


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.rule_files)
def test_format__idempotent(rule_file: ast.RuleFile) -> None:
    """Formatting the formatted text again changes nothing."""
    text = format_file(rule_file)
    parsed, _ = parse_text(text, "<string>")
    assert parsed is not None
    assert format_file(parsed) == text


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.rule_files, st.data())
def test_format__comments_anywhere_are_kept_and_stable(rule_file: ast.RuleFile, data: st.DataObject) -> None:
    """Comments added on their own lines or after code change no node, all survive fmt, and fmt of
    the result is a fixed point."""
    lines = format_file(rule_file).splitlines()
    commented = []
    added: list[str] = []
    for line in lines:
        if data.draw(st.booleans(), label="own-line comment"):
            added.append(f"own {len(added)}")
            commented.append(f"# {added[-1]}")
        if line.strip() and data.draw(st.booleans(), label="trailing comment"):
            added.append(f"trailing {len(added)}")
            line += f"  # {added[-1]}"
        commented.append(line)
    text = "\n".join(commented) + "\n"
    parsed, diagnostics = parse_text(text, "<string>")
    assert parsed is not None, diagnostics
    assert parsed == rule_file
    once = format_file(parsed)
    reparsed, _ = parse_text(once, "<string>")
    assert reparsed is not None and reparsed == rule_file
    assert sorted(c.text for c in reparsed.comments) == sorted(added)
    assert format_file(reparsed) == once


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.rule_files, st.data())
def test_parse__every_broken_line_is_reported_at_its_line(
    rule_file: ast.RuleFile, data: st.DataObject
) -> None:
    """Breaking any set of statement lines (a stray `@` at the end) gives exactly one error per
    broken line, at that line, whatever the blocks around them."""
    lines = format_file(rule_file).splitlines()
    candidates = [i for i, line in enumerate(lines) if line.strip() and "{" not in line and "}" not in line]
    broken = sorted(data.draw(st.sets(st.sampled_from(candidates), max_size=20)) if candidates else set())
    for i in broken:
        lines[i] += " @"
    _, diagnostics = parse_text("\n".join(lines) + "\n", "<string>")
    errors = [(d.code, d.span.line) for d in diagnostics if d.is_error]
    assert errors == [("E102", i + 1) for i in broken]
