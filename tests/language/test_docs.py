"""The language reference stays true: its concrete examples parse and are in canonical layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aso_rules.language.format import format_source

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
BLOCKS = re.findall(r"```\n(.*?)```", DOC.read_text("utf-8"), re.S)
# Syntax templates use placeholders and notation; every other block is a concrete example.
TEMPLATE = re.compile(r"\.\.\.|\[|\||\$X|\bP%|\b(NAME|LINE|CATEGORY|DATE|VALUE|PATH|CODE|TIER|BASE)\b")
TOP_LEVEL = {
    "#",
    "ruleset",
    "let",
    "include",
    "coverage",
    "exclude",
    "fee_schedule",
    "stop_loss",
    "admin_fees",
    "assumptions",
    "experience",
    "test",
}
EXAMPLES = [b for b in BLOCKS if not TEMPLATE.search(b)]


def test_docs__has_examples() -> None:
    """The reference has concrete examples to test (the template filter did not swallow them all)."""
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("block", EXAMPLES, ids=[b.splitlines()[0][:40] for b in EXAMPLES])
def test_docs__example_parses_and_is_canonical(block: str) -> None:
    """Each concrete example of docs/language.md parses and formats to itself (coverage items are
    tested inside a coverage block)."""
    if block.split(None, 1)[0] not in TOP_LEVEL:
        block = "coverage example {\n" + "".join(f"  {line}\n" for line in block.splitlines()) + "}\n"
    formatted, diagnostics = format_source(block, "docs/language.md")
    assert formatted is not None, diagnostics
    assert formatted == block
