"""Golden diagnostics: one minimal rule file per documented code, and its rendered text output.

``tests/golden/diagnostics/<CODE>.aso`` triggers exactly that code (and nothing else);
``<CODE>.txt`` is what ``aso check`` prints for it. Re-record with ``pytest --update-golden``.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from aso_rules.language import loader, parser
from aso_rules.language.codes import CODES
from aso_rules.language.render import DESCRIPTIONS, file_sources, render_text

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "diagnostics"
DOCS = ROOT / "docs" / "diagnostics.md"

# Limits lowered for the codes whose real trigger would be a huge file or a deep include tree.
LIMITS: dict[str, list[tuple[ModuleType, str, int]]] = {
    "E105": [(loader, "MAX_FILE_BYTES", 200), (parser, "MAX_FILE_BYTES", 200)],
    "E293": [(loader, "MAX_INCLUDES", 1)],
}
# Codes that cannot come alone: "too many syntax errors" follows the syntax errors it counts.
COMPANIONS: dict[str, set[str]] = {"E108": {"E101"}}


def documented_codes() -> list[str]:
    return re.findall(r"^## ([EW]\d{3})\b", DOCS.read_text(encoding="utf-8"), re.MULTILINE)


def golden_codes() -> set[str]:
    return {p.stem for p in GOLDEN.glob("*.aso")}


ALL_CODES = sorted(set(documented_codes()) | golden_codes() | set(CODES) | set(DESCRIPTIONS))


def emitted_codes() -> set[str]:
    """Every code written in the package's source (a string literal such as ``"E311"``), outside the
    table itself."""
    found: set[str] = set()
    for path in (ROOT / "aso_rules").rglob("*.py"):
        if path.name == "codes.py" and path.parent.name == "language":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and re.fullmatch(r"[EW]\d{3}", value):
                found.add(value)
    return found


def test_codes__every_emitted_code_is_in_the_table_and_documented() -> None:
    """One table (language/codes.py) names every code the package emits, and only those; each has a
    title and an entry in docs/diagnostics.md; render.DESCRIPTIONS is derived from it."""
    emitted = emitted_codes()
    assert emitted == set(CODES), (sorted(emitted - set(CODES)), sorted(set(CODES) - emitted))
    assert all(entry.title for entry in CODES.values())
    assert set(documented_codes()) == set(CODES)
    assert {c: e.title for c, e in CODES.items() if e.stage == "front end"} == DESCRIPTIONS


def rendered(code: str, monkeypatch: pytest.MonkeyPatch) -> tuple[set[str], str]:
    monkeypatch.chdir(GOLDEN)
    for module, name, value in LIMITS.get(code, []):
        monkeypatch.setattr(module, name, value)
    diagnostics = loader.check([f"{code}.aso"])
    text = render_text(diagnostics, file_sources()).replace(str(GOLDEN), "<golden>")
    return {d.code for d in diagnostics}, text + "\n"


@pytest.mark.parametrize("code", ALL_CODES)
def test_golden__every_code_documented_with_golden_files(code: str) -> None:
    """Every code the checker or front end can emit is documented and has a golden input and output."""
    assert code in documented_codes(), f"{code} is not documented in docs/diagnostics.md"
    assert (GOLDEN / f"{code}.aso").is_file(), f"no golden input {code}.aso"
    assert (GOLDEN / f"{code}.txt").is_file(), f"no golden output {code}.txt"


@pytest.mark.parametrize("code", sorted(golden_codes()))
def test_golden__input_triggers_exactly_its_code(
    code: str, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    """A golden input yields its own code and no other, rendered exactly as recorded."""
    codes, text = rendered(code, monkeypatch)
    assert code in codes
    assert codes - {code} <= COMPANIONS.get(code, set())
    expected = GOLDEN / f"{code}.txt"
    if update_golden:
        expected.write_text(text, encoding="utf-8")
    assert expected.read_text(encoding="utf-8") == text


def test_golden__documented_codes_are_unique_and_ordered() -> None:
    """docs/diagnostics.md lists each code once, in code order within E and W."""
    codes = documented_codes()
    assert len(codes) == len(set(codes))
    assert [c for c in codes if c.startswith("E")] == sorted(c for c in codes if c.startswith("E"))


def test_golden__docs_page_is_generated_from_golden_files(update_golden: bool) -> None:
    """docs/diagnostics.md is exactly what docs/make_diagnostics.py writes from the golden files,
    so every documented example is a tested one (re-written with --update-golden)."""
    spec = importlib.util.spec_from_file_location("make_diagnostics", ROOT / "docs" / "make_diagnostics.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.render_doc()
    if update_golden:
        DOCS.write_text(text, encoding="utf-8")
    assert DOCS.read_text(encoding="utf-8") == text
