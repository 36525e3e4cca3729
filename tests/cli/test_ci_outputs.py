"""CI outputs: SARIF 2.1.0 validated against the OASIS schema, GitHub annotations, pre-commit hooks
and the CI guide."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from aso_rules.cli import main
from tests.checker.helpers import HEADER

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = Draft4Validator(SCHEMA, format_checker=Draft4Validator.FORMAT_CHECKER)
GOLDEN_DIAGNOSTICS = sorted((ROOT / "tests" / "golden" / "diagnostics").glob("*.aso"))

MANY = (
    HEADER
    + """
coverage medical {
  deductible $1,000 per person, $500 per family embedded
  plan pays 120%
}

coverage life {
  plan pays 50%
}

test "t" {
  member "A" family "A" tier EE
}
"""
)


def _sarif(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--format", "sarif", *paths])
    return code, json.loads(capsys.readouterr().out)


def test_sarif_schema__is_the_oasis_draft4_schema() -> None:
    """The vendored schema is SARIF 2.1.0's, a valid draft-04 schema."""
    Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


def test_sarif_schema__rejects_an_invalid_log() -> None:
    """The validator is not vacuous: a result with an unknown level fails validation."""
    log = {
        "version": "2.1.0",
        "runs": [
            {"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}
        ],
    }
    assert list(VALIDATOR.iter_errors(log))


def test_check_cmd__sarif_validates_with_errors_and_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Errors and warnings from several checks form a SARIF 2.1.0 log the schema accepts."""
    path = tmp_path / "many.aso"
    path.write_text(MANY)
    code, log = _sarif(capsys, str(path))
    assert code == 1
    VALIDATOR.validate(log)
    results = log["runs"][0]["results"]
    levels = {r["level"] for r in results}
    assert levels == {"error", "warning"}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_check_cmd__sarif_validates_when_clean(capsys: pytest.CaptureFixture[str]) -> None:
    """A clean ruleset (a bundled one; acme-2026.aso carries W330) is a valid SARIF log with no results."""
    code, log = _sarif(capsys, str(ROOT / "rulesets" / "hdhp-2026.aso"))
    assert code == 0
    VALIDATOR.validate(log)
    assert log["runs"][0]["results"] == []


@pytest.mark.parametrize("path", GOLDEN_DIAGNOSTICS, ids=lambda p: p.stem)
def test_check_cmd__sarif_validates_for_every_diagnostic_code(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SARIF of every documented diagnostic's example file is valid SARIF 2.1.0."""
    _, log = _sarif(capsys, str(path))
    VALIDATOR.validate(log)


def test_check_cmd__github_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--format github`` prints one workflow command per diagnostic with file, line and code."""
    path = tmp_path / "many.aso"
    path.write_text(MANY)
    assert main(["check", "--format", "github", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    assert any(",line=8,col=" in line and "title=E301::" in line for line in lines)


def test_pre_commit_hooks__declare_check_fmt_and_test() -> None:
    """``.pre-commit-hooks.yaml`` declares aso-check, aso-fmt and aso-test on *.aso files."""
    yaml = pytest.importorskip("yaml")
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"aso-check", "aso-fmt", "aso-test"}
    assert hooks["aso-check"]["entry"] == "aso check"
    assert hooks["aso-fmt"]["entry"] == "aso fmt --check"
    assert hooks["aso-test"]["entry"].startswith("aso test")
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["files"] == r"\.aso$"


def test_ci_docs__workflow_and_exit_codes() -> None:
    """docs/ci.md has a ready workflow running check, fmt --check and test, and the exit code table."""
    text = (ROOT / "docs" / "ci.md").read_text()
    for command in ("aso check", "aso fmt --check", "aso test", "--format sarif", "--junit", "--fail-under"):
        assert command in text
    row = (
        "| `aso test PATH...` | all tests pass "
        "| a test failed, a file has errors, or coverage is under `--fail-under` | usage or I/O error |"
    )
    assert row in text


def test_sarif__help_uri_points_at_the_code_section_of_the_docs() -> None:
    """Each code's SARIF ``helpUri`` anchor is the slug of its docs/diagnostics.md heading."""
    import re

    from aso_rules.language.render import DESCRIPTIONS, help_uri

    headings = re.findall(r"^## (.*)$", (ROOT / "docs" / "diagnostics.md").read_text(), re.M)
    slugs = {"".join(c for c in h.lower() if c.isalnum() or c in " -_").replace(" ", "-") for h in headings}
    for code in DESCRIPTIONS:
        anchor = help_uri(code).split("#", 1)[1]
        assert anchor in slugs, code
