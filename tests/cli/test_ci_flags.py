"""CI-safe command lines: ``settle --max-rejects``, the files settle wrote, ``diff --exit-code``,
``--format`` on every reporting command with ``--json`` as its alias, and ``-`` for stdin in check
and fmt."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from aso_rules.cli import main

ROOT = Path(__file__).resolve().parents[2]
ACME = str(ROOT / "rulesets" / "acme-2026.aso")
ENROLLMENT = str(ROOT / "examples" / "acme-enrollment.csv")
CLAIMS = str(ROOT / "examples" / "acme-claims.csv")
BAD = str(ROOT / "examples" / "bad-claims.csv")  # 16 rows: one accepted, 15 rejected


def aso(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def settle_bad(capsys: pytest.CaptureFixture[str], out: Path, *flags: str) -> tuple[int, str, str]:
    return aso(capsys, "settle", ACME, "--claims", BAD, "--enrollment", ENROLLMENT, "--out", str(out),
               "--engine", "reference", *flags)  # fmt: skip


@pytest.mark.parametrize(
    ("limit", "code"),
    [("0", 1), ("14", 1), ("15", 0), ("90%", 1), ("93.75%", 0), ("100%", 0)],
)
def test_max_rejects__exit_1_only_past_the_limit(
    limit: str, code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got, _, err = settle_bad(capsys, tmp_path, "--max-rejects", limit)
    assert got == code, err
    assert ("more than --max-rejects allows" in err) == (code == 1)
    assert (tmp_path / "rejects.csv").is_file()  # written either way, to look at


def test_max_rejects__without_the_flag_rejects_never_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = settle_bad(capsys, tmp_path)
    assert code == 0 and "15 of 16 claim rows rejected" in err


@pytest.mark.parametrize("limit", ["abc", "-1", "1.5", "101%", "nan"])
def test_max_rejects__a_bad_limit_is_a_usage_error(
    limit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        settle_bad(capsys, tmp_path, "--max-rejects", limit)
    assert stop.value.code == 2
    assert "--max-rejects" in capsys.readouterr().err


def test_settle__prints_the_files_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = settle_bad(capsys, tmp_path)
    assert code == 0
    for name in ("ledger.csv", "rejects.csv", "summary.json"):
        assert f"wrote {tmp_path / name}" in out


def test_settle__json_keeps_stdout_one_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = settle_bad(capsys, tmp_path, "--format", "json")
    assert code == 0
    assert json.loads(out)["counts"]["rejected"] == 15
    assert f"wrote {tmp_path / 'summary.json'}" in err
    _, alias, _ = settle_bad(capsys, tmp_path, "--json")
    assert alias == out


@pytest.mark.parametrize(
    "argv",
    [
        ["check", ACME],
        ["test", str(ROOT / "rulesets" / "small-employer-60.aso")],
        ["explain", ACME, "--claims", CLAIMS, "--enrollment", ENROLLMENT, "--claim", "C-0000001"],
    ],
    ids=["check", "test", "explain"],
)
def test_json_alias__is_format_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    formatted = aso(capsys, *argv, "--format", "json")
    alias = aso(capsys, *argv, "--json")
    assert formatted == alias
    json.loads(formatted[1])


def test_diff_exit_code__1_when_anything_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    amended = tmp_path / "acme-2027.aso"
    amended.write_text(
        Path(ACME)
        .read_text(encoding="utf-8")
        .replace("$1,500 per person, $3,000", "$2,000 per person, $4,000"),
        encoding="utf-8",
    )
    inputs = ("--claims", CLAIMS, "--enrollment", ENROLLMENT)
    assert aso(capsys, "diff", ACME, ACME, *inputs, "--exit-code")[0] == 0
    assert aso(capsys, "diff", ACME, str(amended), *inputs, "--exit-code")[0] == 1
    assert aso(capsys, "diff", ACME, str(amended), *inputs)[0] == 0  # a report, not a verdict


def test_check_stdin__reports_with_the_source_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = Path(ACME).read_text(encoding="utf-8").replace("$3,000 per family", "$500 per family", 1)
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    monkeypatch.chdir(ROOT / "rulesets")
    code, out, _ = aso(capsys, "check", "-")
    assert code == 1
    assert "<stdin>:" in out and "error[E303]" in out and "$500 per family" in out


def test_check_stdin__clean_text_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(Path(ACME).read_text(encoding="utf-8")))
    code, out, _ = aso(capsys, "check", "-", "--format", "json")
    assert code == 0 and json.loads(out)["files"] == 1


MESSY = 'ruleset "x" {\nplan_year 2026-01-01 to 2026-12-31\n    tiers EE "E"\n}\n'
TIDY = 'ruleset "x" {\n  plan_year 2026-01-01 to 2026-12-31\n  tiers EE "E"\n}\n'


@pytest.mark.parametrize(
    ("flags", "text", "code", "shown"),
    [
        ([], MESSY, 0, TIDY),
        (["--check"], MESSY, 1, "would reformat <stdin>\n"),
        (["--check"], TIDY, 0, ""),
        (["--diff"], MESSY, 1, "+++ <stdin> (formatted)"),
    ],
    ids=["print", "check-changes", "check-clean", "diff"],
)
def test_fmt_stdin(
    flags: list[str], text: str, code: int, shown: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    got, out, _ = aso(capsys, "fmt", *flags, "-")
    assert got == code
    assert shown in out if flags == ["--diff"] else out == shown


def test_fmt_stdin__not_with_other_paths(capsys: pytest.CaptureFixture[str]) -> None:
    assert aso(capsys, "fmt", "-", ACME)[0] == 2
