"""The formatter: one canonical layout, comments kept, the example and every ruleset fixed points."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aso_rules.language import ast
from aso_rules.language.format import format_file, format_source
from aso_rules.language.parser import parse

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets").rglob("*.aso"))


def _fmt(text: str) -> str:
    formatted, diagnostics = format_source(text)
    assert formatted is not None, diagnostics
    return formatted


def test_format__example_formats_to_itself() -> None:
    """The LANGUAGE.md example is in canonical layout, byte for byte."""
    text = (ROOT / "rulesets" / "acme-2026.aso").read_text("utf-8")
    assert _fmt(text) == text


@pytest.mark.parametrize("path", RULESETS, ids=[p.name for p in RULESETS])
def test_format__every_ruleset_is_a_fixed_point(path: Path) -> None:
    """Every file in rulesets/ is already canonical."""
    text = path.read_text("utf-8")
    assert _fmt(text) == text


def test_format__canonical_spacing_indent_and_money() -> None:
    """Spacing, indentation and money separators are normalised; blank lines separate sections."""
    messy = (
        "coverage   medical{\n"
        "deductible $1500 per   person ,$3000 per family embedded\n"
        "\n\n"
        "      plan pays 80%\n"
        "network out {\n plan pays 60%\n }}\n"
        "let a=$1234567.5\n"
        "let b = 5\n"
    )
    assert _fmt(messy) == (
        "coverage medical {\n"
        "  deductible $1,500 per person, $3,000 per family embedded\n"
        "  plan pays 80%\n"
        "  network out {\n"
        "    plan pays 60%\n"
        "  }\n"
        "}\n"
        "\n"
        "let a = $1,234,567.5\n"
        "let b = 5\n"
    )


def test_format__comments_stay_with_their_statements() -> None:
    """Own-line comments precede their statement at its indent; trailing comments stay on the line."""
    text = (
        "# file header\n"
        "\n"
        "# the medical line\n"
        "coverage medical {  # opening\n"
        "      # about coinsurance\n"
        "  plan pays 80%   #eighty\n"
        "      # last words\n"
        "}  # closing\n"
        "# at the end\n"
    )
    assert _fmt(text) == (
        "# file header\n"
        "\n"
        "# the medical line\n"
        "coverage medical {  # opening\n"
        "  # about coinsurance\n"
        "  plan pays 80%  # eighty\n"
        "  # last words\n"
        "}  # closing\n"
        "\n"
        "# at the end\n"
    )


def test_format__comment_only_file() -> None:
    """A file of comments only keeps them."""
    assert _fmt("#a\n\n\n#b\n") == "# a\n\n# b\n"


def test_format__hand_built_tree() -> None:
    """A tree built by hand (no spans, no comments) formats and parses back to itself."""
    rule_file = ast.RuleFile(
        "<string>",
        (
            ast.Let("sd", ast.Quantity(ast.Money(Decimal("150000")))),
            ast.StopLossSpecific(
                'Tier "A"',
                (
                    ast.Deductible(ast.Quantity(ast.Name("sd"), ("per claimant",))),
                    ast.Laser("M-1", None),
                    ast.Basis(paid_basis=True),
                ),
            ),
        ),
    )
    text = format_file(rule_file)
    assert text == (
        "let sd = $150,000\n"
        "\n"
        'stop_loss specific "Tier \\"A\\"" {\n'
        "  deductible sd per claimant\n"
        '  laser "M-1" excluded\n'
        "  basis paid\n"
        "}\n"
    )
    assert parse(text) == rule_file


def test_format__empty_file() -> None:
    """An empty file formats to the empty string."""
    assert _fmt("") == ""
    assert _fmt("\n\n  \n") == ""


def test_format__syntax_error_gives_diagnostics() -> None:
    """Text that does not parse is not formatted; its diagnostics are returned."""
    formatted, diagnostics = format_source("let = 5\n")
    assert formatted is None
    assert [d.code for d in diagnostics] == ["E101"]


def test_format__comment_styles() -> None:
    """`#x` gains a space; `## Section` and a bare `#` are kept as written."""
    assert _fmt("#x\n## Section\n#\n#   spaced   \n") == "# x\n## Section\n#\n# spaced\n"
