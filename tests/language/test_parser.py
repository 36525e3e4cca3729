"""The parser: the example parses, bad input of every kind gets diagnostics, never a traceback."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lark import Lark

from aso_rules.language import ast
from aso_rules.language.build import rule_names
from aso_rules.language.parser import (
    MAX_FILE_BYTES,
    grammar_text,
    lark_parser,
    parse,
    parse_bytes,
    parse_text,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "rulesets" / "acme-2026.aso"


def _codes(text: str) -> list[str]:
    return [d.code for d in parse_text(text, "t.aso")[1]]


def test_grammar__builds_with_strict() -> None:
    """The grammar is conflict-free LALR: it builds with strict=True (collisions are errors)."""
    parser = Lark(grammar_text(), parser="lalr", strict=True)
    assert parser.options.parser == "lalr"


def test_grammar__every_rule_has_a_builder() -> None:
    """Each named rule and alias of the grammar has a builder callback (no tree shape is left raw)."""
    names = {str(r.alias or r.origin.name) for r in lark_parser(strict=True).rules}
    names = {n for n in names if not n.startswith("_")}
    assert names - rule_names() == set()


def test_example__parses_clean() -> None:
    """The LANGUAGE.md example parses with no diagnostic."""
    rule_file, diagnostics = parse_text(EXAMPLE.read_text("utf-8"), str(EXAMPLE))
    assert diagnostics == []
    assert rule_file is not None
    assert len(rule_file.statements) == 15
    header = rule_file.statements[0]
    assert isinstance(header, ast.Ruleset)
    assert header.name == "Acme Manufacturing 2026"


def test_example__is_the_language_md_block_verbatim(shared_data: Path) -> None:
    """rulesets/acme-2026.aso is the LANGUAGE.md example byte for byte (when the spec is present)."""
    spec = shared_data.parent / "LANGUAGE.md"
    if not spec.exists():
        pytest.skip("the specification lives outside the repository")
    block = spec.read_text("utf-8").split("```\n", 2)[1]
    assert EXAMPLE.read_text("utf-8") == block


def test_parse__money_separators_and_list_commas() -> None:
    """`$30, specialist $60` is two copays; `$1,500` and `$1500` are the same amount."""
    rule_file = parse("coverage rx {\n  copay generic $30, specialist $1,500, x $1500.25\n}\n")
    coverage = rule_file.statements[0]
    assert isinstance(coverage, ast.Coverage)
    copay = coverage.items[0]
    assert isinstance(copay, ast.Copay)
    assert [(e.category, e.amount.value) for e in copay.entries] == [
        ("generic", ast.Money(Decimal("30"))),
        ("specialist", ast.Money(Decimal("1500"))),
        ("x", ast.Money(Decimal("1500.25"))),
    ]


def test_parse__bad_thousands_separator_is_an_error() -> None:
    """`$1,50` is not an amount: a separator comma needs exactly three digits after it."""
    _, diagnostics = parse_text("let a = $1,50\n", "t.aso")
    assert [d.code for d in diagnostics] == ["E102"]
    assert diagnostics[0].message.startswith("malformed money amount `$1,50`")
    assert "three digits" in diagnostics[0].hint


def test_parse__spans_are_one_based_and_name_the_file() -> None:
    """A statement's span starts at its first character, 1-based, in the file it was read from."""
    rule_file = parse("\n\nlet a = 80%\n", "dir/x.aso")
    let = rule_file.statements[0]
    assert (let.span.file, let.span.line, let.span.column) == ("dir/x.aso", 3, 1)
    assert let.span.end_column == len("let a = 80%") + 1


def test_parse__comments_are_kept_by_line_and_do_not_affect_equality() -> None:
    """Comments are collected per line; a file with comments equals the same file without."""
    with_comments = parse('# top\nlet a = 5  # five\ninclude "x.aso" # ok "quoted # not comment"\n')
    without = parse('let a = 5\ninclude "x.aso"\n')
    assert with_comments == without
    assert [(c.line, c.text) for c in with_comments.comments] == [
        (1, "top"),
        (2, "five"),
        (3, 'ok "quoted # not comment"'),
    ]


def test_parse__several_errors_reported_with_their_lines() -> None:
    """Every broken statement of a file is reported, each on its own line, the rest still parsed."""
    text = (
        'ruleset "x" {\n'  # 1
        "  plan_year 2026-01-01 to\n"  # 2 incomplete
        "  currency USD\n"  # 3
        "}\n"  # 4
        "coverage medical {\n"  # 5
        "  plan pays 80% extra\n"  # 6 trailing word
        "  copay office_visit $30\n"  # 7
        "  deductible\n"  # 8 incomplete
        "}\n"  # 9
        "let a = @\n"  # 10 bad character
        'let b = "open\n'  # 11 unterminated string
        "let c = 5\n"  # 12 fine
    )
    _, diagnostics = parse_text(text, "t.aso")
    assert [(d.code, d.span.line) for d in diagnostics] == [
        ("E101", 2),
        ("E101", 6),
        ("E101", 8),
        ("E102", 10),
        ("E103", 11),
    ]


def test_parse__expected_tokens_are_named_in_words() -> None:
    """A syntax error says what was expected in words, not terminal names."""
    _, diagnostics = parse_text("coverage m {\n  plan pays\n}\n", "t.aso")
    message = diagnostics[0].message
    assert "a money amount like $1,500" in message
    assert "a percent like 80%" in message
    assert "a name" in message
    assert "MONEY" not in message and "PERCENT" not in message


def test_parse__missing_closing_brace() -> None:
    """An unclosed block is reported at the end of the file with a hint to close it."""
    _, diagnostics = parse_text("coverage m {\n  plan pays 80%\n", "t.aso")
    assert [d.code for d in diagnostics] == ["E101"]
    assert "end of file" in diagnostics[0].message
    assert "`}`" in diagnostics[0].hint


def test_bad_input__empty_file() -> None:
    """An empty file parses to no statements, with a W101 warning."""
    rule_file, diagnostics = parse_text("", "t.aso")
    assert rule_file == ast.RuleFile("t.aso", ())
    assert [(d.code, d.severity) for d in diagnostics] == [("W101", "warning")]


def test_bad_input__binary_file() -> None:
    """Bytes with NUL are a binary file: E104."""
    rule_file, diagnostics = parse_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "t.aso")
    assert rule_file is None
    assert [d.code for d in diagnostics] == ["E104"]


def test_bad_input__not_utf8() -> None:
    """Latin-1 bytes are not UTF-8: E104 at the offending byte's line."""
    _, diagnostics = parse_bytes(b'let a = 5\nlet b = "caf\xe9"\n', "t.aso")
    assert [(d.code, d.span.line) for d in diagnostics] == [("E104", 2)]


def test_bad_input__ten_megabyte_file() -> None:
    """A 10 MB file is refused with E105 before it is parsed."""
    data = b"let a = 5\n" * (1024 * 1024)
    assert len(data) > MAX_FILE_BYTES
    rule_file, diagnostics = parse_bytes(data, "t.aso")
    assert rule_file is None
    assert [d.code for d in diagnostics] == ["E105"]


def test_bad_input__five_hundred_nested_blocks() -> None:
    """500 nested braces give E106, not a RecursionError."""
    assert _codes("coverage x {\n" * 500 + "}\n" * 500) == ["E106"]
    assert _codes("{" * 500) == ["E106"]


def test_bad_input__four_hundred_digit_number() -> None:
    """A 400-digit literal gives E107 (money, numbers and percents alike)."""
    assert _codes("let a = " + "9" * 400 + "\n") == ["E107"]
    assert _codes("let a = $" + "9" * 400 + "\n") == ["E107"]
    assert _codes("let a = " + "9" * 400 + "%\n") == ["E107"]


def test_bad_input__long_string() -> None:
    """A string longer than the bound gives E107."""
    assert _codes('let a = "' + "x" * 5000 + '"\n') == ["E107"]


def test_bad_input__many_errors_stop_at_the_bound() -> None:
    """A file of garbage lines stops after MAX_ERRORS with E108 instead of running on."""
    codes = _codes("@@@\n" * 1000)
    assert codes[-1] == "E108"
    assert len(codes) <= 30


def test_bad_input__control_characters_and_bom() -> None:
    """A byte-order mark is accepted; a stray control character is E102."""
    assert parse_bytes(b"\xef\xbb\xbflet a = 5\n", "t.aso")[1] == []
    assert _codes("let a = 5\x07\n") == ["E102"]


def test_parse__setting_words_may_be_keywords_elsewhere() -> None:
    """A setting's word is read as a word even when it is a keyword elsewhere (`paid`, `to`)."""
    rule_file = parse(
        'ruleset "r" {\n  processing_order paid\n  rounding half_even\n  lesser_of_billed off\n}\n'
        'stop_loss aggregate "a" {\n  laser_treatment to_laser\n  cap_per_claimant on\n}\n'
    )
    header, aggregate = rule_file.statements
    assert isinstance(header, ast.Ruleset) and isinstance(aggregate, ast.StopLossAggregate)
    assert header.items == (
        ast.Setting("processing_order", "paid"),
        ast.Setting("rounding", "half_even"),
        ast.Setting("lesser_of_billed", "off"),
    )
    assert aggregate.items == (
        ast.Setting("laser_treatment", "to_laser"),
        ast.Setting("cap_per_claimant", "on"),
    )


def test_parse__one_line_blocks() -> None:
    """A block may be written on one line; its last item shares the line with the closing brace."""
    assert parse("coverage m { network out { plan pays 60% } }\n") == parse(
        "coverage m {\n  network out {\n    plan pays 60%\n  }\n}\n"
    )


def test_parse__windows_line_endings() -> None:
    """CRLF files parse like LF files, with the same lines and comments."""
    text = EXAMPLE.read_text("utf-8")
    crlf = parse(text.replace("\n", "\r\n"), "t.aso")
    lf = parse(text, "t.aso")
    assert crlf == lf
    assert [(c.line, c.text) for c in crlf.comments] == [(c.line, c.text) for c in lf.comments]
    assert [s.span.line for s in crlf.statements] == [s.span.line for s in lf.statements]


def test_parse__expected_tokens_are_only_those_valid_here() -> None:
    """The expected list is exact for the context (LALR's merged-state extras are filtered out)."""
    _, diagnostics = parse_text("coverage m {\n  plan pays 80% 70%\n}\n", "t.aso")
    assert diagnostics[0].message == "unexpected percent `70%`; expected `}` or the end of the line"


def test_parse__misspelt_keyword_gets_a_suggestion() -> None:
    """A misspelt keyword is reported with the closest keyword valid at that place."""
    _, diagnostics = parse_text(
        'ruleset "r" {\n  roundng half_up\n}\ncoverage m {\n  deductable $5 per person\n}\n', "t.aso"
    )
    assert [(d.span.line, d.hint) for d in diagnostics] == [
        (2, "did you mean `rounding`?"),
        (5, "did you mean `deductible`?"),
    ]
