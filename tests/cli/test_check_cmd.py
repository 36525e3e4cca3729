"""``aso check``: output formats and exit codes (docs/contracts.md: 0 clean, 1 errors, 2 usage or I/O)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aso_rules.cli import main
from tests.checker.helpers import HEADER, MEDICAL

ROOT = Path(__file__).resolve().parents[2]

WARNING_ONLY = HEADER + MEDICAL + 'test "t" {\n  member "A" family "A" tier EE\n}\n'
WITH_ERROR = HEADER + "coverage medical {\n  plan pays 120%\n}\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "clean.aso").write_text(HEADER + MEDICAL)
    (tmp_path / "warn.aso").write_text(WARNING_ONLY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "error.aso").write_text(WITH_ERROR)
    (tmp_path / "notes.txt").write_text("not a rule file")
    return tmp_path


def test_check_cmd__clean_files_exit_0_silently(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A clean file exits 0 and prints nothing in text format."""
    assert main(["check", str(files / "clean.aso")]) == 0
    assert capsys.readouterr().out == ""


def test_check_cmd__rulesets_folder_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped rulesets folder checks clean, even with --strict, but for W330 on acme-2026.aso:
    the language's reference example, kept verbatim, whose expected_claims the claimant model does
    not support (the case W330 exists for)."""
    code = main(["check", "--strict", str(ROOT / "rulesets")])
    found = [line for line in capsys.readouterr().out.splitlines() if "[" in line and "]: " in line]
    assert found and all("acme-2026.aso:" in line and "warning[W330]" in line for line in found)
    assert code == 1
    others = [str(p) for p in sorted((ROOT / "rulesets").glob("*.aso")) if not p.name.startswith("acme")]
    assert main(["check", "--strict", *others]) == 0


def test_check_cmd__warnings_exit_0_unless_strict(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Warnings are printed; they fail the run only with --strict."""
    assert main(["check", str(files / "warn.aso")]) == 0
    out = capsys.readouterr().out
    assert "warning[W304]" in out and f"{files / 'warn.aso'}:11:1" in out
    assert main(["check", "--strict", str(files / "warn.aso")]) == 1


def test_check_cmd__errors_exit_1(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An error exits 1, with file:line:col, code, source line and hint."""
    assert main(["check", str(files / "sub" / "error.aso")]) == 1
    out = capsys.readouterr().out
    assert f"{files / 'sub' / 'error.aso'}:6:13: error[E301]:" in out
    assert "plan pays 120%" in out and "= hint:" in out


def test_check_cmd__folder_means_every_aso_under_it(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder stands for every *.aso under it, recursively; other files are ignored."""
    assert main(["check", "--format", "json", str(files)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["files"] == 3
    assert (document["errors"], document["warnings"]) == (1, 1)
    assert sorted(d["code"] for d in document["diagnostics"]) == ["E301", "W304"]
    assert set(document["diagnostics"][0]) == {
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "hint",
    }


def test_check_cmd__missing_path_exits_2(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist is an I/O error: exit 2, the reason on stderr."""
    assert main(["check", str(files / "clean.aso"), str(files / "nope.aso")]) == 2
    assert "nope.aso" in capsys.readouterr().err


def test_check_cmd__unreadable_file_exits_2(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not UTF-8 text is an I/O error: exit 2."""
    (files / "binary.aso").write_bytes(b"ruleset \xff\x00")
    assert main(["check", str(files / "binary.aso")]) == 2
    assert "binary.aso" in capsys.readouterr().err


def test_check_cmd__usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown format or no path is a usage error: exit 2."""
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml", "x.aso"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code == 2


def test_check_cmd__sarif_and_github_formats(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SARIF output is a 2.1.0 log with the result; GitHub output is one annotation per diagnostic."""
    assert main(["check", "--format", "sarif", str(files / "sub")]) == 1
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["E301"]
    assert main(["check", "--format", "github", str(files / "sub")]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=")
