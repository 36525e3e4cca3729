"""Helpers for checker tests: programs written in the rule language itself."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from aso_rules.language.check import check_program
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.loader import parse_program, parse_program_text

# Four lines, so the first line of a body is line 5.
HEADER = """\
ruleset "T" {
  plan_year 2026-01-01 to 2026-12-31
  tiers EE "Employee only", FAM "Family"
}
"""

MEDICAL = """
coverage medical {
  deductible $1,000 per person, $2,000 per family embedded
  out_of_pocket $4,000 per person, $8,000 per family
  plan pays 80%
}
"""


def diagnose(body: str, *, header: str = HEADER, root: Path | None = None) -> list[Diagnostic]:
    """Every diagnostic of ``header + body`` (the body dedented)."""
    program, diagnostics = parse_program_text(header + dedent(body), filename="t.aso", root=root)
    assert program is not None, diagnostics
    return list(check_program(program).diagnostics)


def diagnose_file(path: Path) -> list[Diagnostic]:
    program, diagnostics = parse_program(path)
    assert program is not None, diagnostics
    return list(check_program(program).diagnostics)


def found(body: str, **kw: object) -> list[tuple[str, int]]:
    """(code, line) of every diagnostic of ``header + body``."""
    return [(d.code, d.span.line) for d in diagnose(body, **kw)]  # type: ignore[arg-type]


def codes(body: str, **kw: object) -> set[str]:
    return {code for code, _ in found(body, **kw)}
