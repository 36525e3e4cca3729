"""Parsing never raises: text from the grammar itself, arbitrary text and arbitrary bytes all give
either a syntax tree or diagnostics."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from aso_rules.language import ast
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.parser import lark_parser, parse_bytes, parse_text

# Terminals whose regexes use lookarounds (which from_regex cannot generate from) get explicit
# strategies; whitespace is written around every token so generated words stay separate.
_EXPLICIT = {
    "MONEY": st.from_regex(r"\$[0-9]{1,3}(,[0-9]{3}){0,2}(\.[0-9]{2})?", fullmatch=True).map(
        lambda s: f" {s} "
    ),
    "NUMBER": st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,2})?", fullmatch=True).map(lambda s: f" {s} "),
    "NAME": st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).map(lambda s: f" {s} "),
    "CODE": st.from_regex(r"[A-Z][A-Z0-9]{0,3}", fullmatch=True).map(lambda s: f" {s} "),
    "_NL": st.sampled_from(["\n", "\n  ", "\n\n", "  # note\n"]),
}


def _well_formed(result: tuple[ast.RuleFile | None, list[Diagnostic]]) -> None:
    rule_file, diagnostics = result
    assert isinstance(diagnostics, list)
    assert all(isinstance(d, Diagnostic) for d in diagnostics)
    if rule_file is None:
        assert any(d.is_error for d in diagnostics)
    else:
        assert not any(d.is_error for d in diagnostics)


@settings(
    deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(from_lark(lark_parser(), start="start", explicit=_EXPLICIT))
def test_parse__grammar_sentences_never_raise(text: str) -> None:
    """Sentences generated from the grammar parse to a tree or to diagnostics, never an exception."""
    _well_formed(parse_text(text, "fuzz.aso"))


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=400))
def test_parse__arbitrary_text_never_raises(text: str) -> None:
    """Arbitrary text gives a tree or diagnostics, never an exception."""
    _well_formed(parse_text(text, "fuzz.aso"))


@settings(deadline=None, max_examples=300)
@given(st.binary(max_size=400))
def test_parse__arbitrary_bytes_never_raise(data: bytes) -> None:
    """Arbitrary bytes give a tree or diagnostics, never an exception."""
    _well_formed(parse_bytes(data, "fuzz.aso"))


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.sampled_from(
            [
                "coverage",
                "x",
                "{",
                "}",
                "\n",
                "$1,500",
                "80%",
                '"s"',
                "per",
                "person",
                ",",
                "deductible",
                "network",
                "out",
                "plan",
                "pays",
                "test",
                "expect",
                "#",
                "let",
                "=",
                "2026-01-01",
                "12/15",
            ]
        ),
        max_size=60,
    ).map(" ".join)
)
def test_parse__token_soup_never_raises(text: str) -> None:
    """Shuffled language tokens (mostly invalid) give diagnostics, never an exception."""
    _well_formed(parse_text(text, "fuzz.aso"))
