"""Regression cases of bad input that once raised: every one gives a diagnostic or a usage error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aso_rules import cli
from aso_rules.data import bounds
from aso_rules.language.loader import RulesetError, check, load

HEADER = 'ruleset "B" {\n  plan_year 2026-01-01 to 2026-12-31\n  tiers EE "Employee only"\n}\n'


def codes(tmp_path: Path, text: str) -> set[str]:
    path = tmp_path / "r.aso"
    path.write_text(text)
    return {d.code for d in check([str(path)])}


def test_huge_money__is_e318_not_a_crash(tmp_path: Path) -> None:
    assert "E318" in codes(tmp_path, HEADER + "let big = $999999999999999999999999999\n")


def test_plan_year_9999__is_e318(tmp_path: Path) -> None:
    text = HEADER.replace("2026-01-01 to 2026-12-31", "9999-01-01 to 9999-12-31")
    assert "E318" in codes(tmp_path, text)


@pytest.mark.parametrize("end", ["2026-01-10", "2028-06-30"])
def test_plan_year_outside_1_to_24_months__is_e319(tmp_path: Path, end: str) -> None:
    assert "E319" in codes(tmp_path, HEADER.replace("2026-12-31", end))


def test_one_month_plan_year__is_accepted(tmp_path: Path) -> None:
    assert "E319" not in codes(tmp_path, HEADER.replace("2026-12-31", "2026-01-31"))


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_ruleset__check_warns_load_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.aso"
    path.write_text(text)
    assert not any(d.is_error for d in check([str(path)]))
    with pytest.raises(RulesetError):
        load(str(path))


def test_table_outside_the_folder__is_e320(tmp_path: Path) -> None:
    text = HEADER + 'assumptions {\n  claimant_cost table "../../../../etc/passwd"\n}\n'
    found = codes(tmp_path, text)
    assert "E320" in found and "E311" not in found


def test_fifo_rule_file__is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "f.aso"
    os.mkfifo(fifo)
    assert [d.code for d in check([str(fifo)])] == ["E104"]


@pytest.mark.parametrize(
    "argv",
    [
        ["price", "rulesets/small-employer-60.aso", "--enrollment", "x.csv", "--seed", "-1"],
        ["settle", "r.aso", "--claims", "c", "--enrollment", "e", "--out", ""],
    ],
)
def test_bad_arguments__usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2


def test_internal_error__exits_70_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aso_rules.cli import check_cmd

    def boom(args: object) -> int:
        raise RuntimeError("bug")

    monkeypatch.setattr(check_cmd, "run", boom)
    assert cli.main(["check", "rulesets/acme-2026.aso"]) == cli.EX_SOFTWARE
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" in err


def test_int64_cents_bound() -> None:
    """The largest sum of a run's lines in cents stays below int64 (see data/bounds.py)."""
    largest = int(bounds.MAX_DATA_MONEY * 100) * bounds.MAX_LINES_PER_RUN
    assert largest < bounds.INT64_MAX


@pytest.mark.parametrize(
    "line",
    ["  plan_year 2026-01-01 to 2026-12-31\n", "  benefit 60% of weekly_earnings up to $1,000 per week\n"],
)
def test_acme_without_a_required_line__errors_not_a_crash(tmp_path: Path, line: str) -> None:
    """A required statement missing: E-codes, not the claims-consistency check (W330) compiling a
    program that cannot compile (found by the fuzz suite: StopIteration inside a check)."""
    text = (Path(__file__).parents[1] / "rulesets" / "acme-2026.aso").read_text()
    assert line in text
    found = codes(tmp_path, text.replace(line, "", 1))
    assert any(code.startswith("E") for code in found), found


@pytest.mark.parametrize("command", ["settle", "explain", "price"])
def test_unreadable_rule_file__is_an_io_error(tmp_path: Path, command: str) -> None:
    """A rule file that cannot be read as text (here: not UTF-8) is an I/O error, exit 2, as for
    `aso check`; a rule file with errors is exit 1."""
    rule = tmp_path / "r.aso"
    rule.write_bytes(b"ruleset \xff\xfe\n")
    extra = {
        "settle": ["--claims", "c.csv", "--enrollment", "e.csv", "--out", str(tmp_path / "o")],
        "explain": ["--claims", "c.csv", "--enrollment", "e.csv", "--claim", "C1"],
        "price": ["--enrollment", "e.csv", "--out", str(tmp_path / "o")],
    }[command]
    assert cli.main([command, str(rule), *extra]) == 2
