"""``aso price``: outputs, exit codes 0/1/2, errors on stderr without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aso_rules import model
from aso_rules.cli import main
from aso_rules.language import loader
from aso_rules.language.diagnostics import Diagnostic, Span
from aso_rules.language.loader import RulesetError
from tests.price.fixtures import acme

HEADER = "member_id,family_id,relationship,tier,coverage_start,coverage_end\n"


def _enrollment(path: Path) -> Path:
    rows = [HEADER]
    for n in range(40):
        tier = ("EE", "ES", "EC", "FAM")[n % 4]
        rows.append(f"E{n},E{n},employee,{tier},2026-01-01,\n")
        if tier != "EE":
            rows.append(f"E{n}-1,E{n},{'child' if tier == 'EC' else 'spouse'},{tier},2026-01-01,\n")
    path.write_text("".join(rows))
    return path


@pytest.fixture(autouse=True)
def rule_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """acme.aso and a.aso in the current folder (what they hold is the test's loader's business)."""
    monkeypatch.chdir(tmp_path)
    for name in ("acme.aso", "a.aso"):
        (tmp_path / name).write_text("# loaded by the test's loader\n")


@pytest.fixture
def loads_acme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "load", lambda path: acme())


@pytest.mark.usefixtures("loads_acme")
def test_price_cmd__writes_outputs_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 0; price.json and report.html in --out; --json prints the same price.json."""
    enrollment = _enrollment(tmp_path / "enrollment.csv")
    out = tmp_path / "out"
    code = main(["price", "acme.aso", "--enrollment", str(enrollment), "--out", str(out), "--json",
                 "--simulations", "200", "--seed", "4"])  # fmt: skip
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((out / "price.json").read_text())
    assert printed["method"]["seed"] == 4 and printed["method"]["simulations"] == 200
    assert printed["employees"] == 40 and (out / "report.html").exists()


@pytest.mark.usefixtures("loads_acme")
def test_price_cmd__missing_enrollment_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing enrollment file is an I/O error: exit 2, a one-line message, no traceback."""
    code = main(["price", "acme.aso", "--enrollment", str(tmp_path / "nope.csv"), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "nope.csv" in err and "Traceback" not in err


def test_price_cmd__ruleset_errors_are_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rule file that does not load: its diagnostics on stderr, exit 1."""

    def fail(path: str) -> model.Ruleset:
        span = Span(file=path, line=3, column=1, end_line=3, end_column=4)
        raise RulesetError([Diagnostic("E201", "error", "unknown tier XX", span, "declare it")])

    monkeypatch.setattr(loader, "load", fail)
    code = main(["price", "acme.aso", "--enrollment", str(_enrollment(tmp_path / "e.csv"))])
    err = capsys.readouterr().err
    assert code == 1 and "acme.aso:3:1: error[E201]: unknown tier XX" in err and "Traceback" not in err


def test_price_cmd__unpriceable_assumptions_are_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Assumptions without a claim-cost distribution: exit 1 with the reason, no traceback."""
    monkeypatch.setattr(loader, "load", lambda path: acme(claimant_cost=None))
    code = main(
        ["price", "a.aso", "--enrollment", str(_enrollment(tmp_path / "e.csv")), "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 1 and "claimant_cost" in err and "Traceback" not in err


def test_price_cmd__bad_simulations_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A negative --simulations is a usage error (exit 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["price", "a.aso", "--enrollment", "e.csv", "--simulations", "-5"])
    assert exc.value.code == 2 and "zero or more" in capsys.readouterr().err


def test_price_cmd__missing_rule_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rule file that does not exist is an I/O error (exit 2), reported in one line."""
    missing = tmp_path / "nope.aso"
    code = main(["price", str(missing), "--enrollment", str(_enrollment(tmp_path / "e.csv"))])
    err = capsys.readouterr().err
    assert code == 2 and "nope.aso" in err and "Traceback" not in err


def test_price_cmd__many_skipped_rows_are_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """More than 20 skipped enrollment rows: 20 listed, the rest counted; pricing goes on."""
    monkeypatch.setattr(loader, "load", lambda path: acme())
    path = _enrollment(tmp_path / "e.csv")
    path.write_text(path.read_text() + "".join(f"X{n},X{n},employee,ZZ,2026-01-01,\n" for n in range(25)))
    code = main(
        ["price", "a.aso", "--enrollment", str(path), "--out", str(tmp_path / "o"), "--simulations", "0"]
    )
    err = capsys.readouterr().err
    assert code == 0 and err.count("skipped: ") == 20 and "5 more rows skipped" in err


@pytest.mark.usefixtures("loads_acme")
def test_price_cmd__prints_check_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A figure that disagrees with its simulation is printed on stderr and listed in price.json."""
    from aso_rules.price import quote as quote_module

    monkeypatch.setattr(quote_module, "check_warnings", lambda summary, checks: ["aggregate.x is off"])
    enrollment = _enrollment(tmp_path / "enrollment.csv")
    code = main(["price", "acme.aso", "--enrollment", str(enrollment), "--out", str(tmp_path / "o"),
                 "--simulations", "200"])  # fmt: skip
    assert code == 0
    assert "aggregate.x is off" in capsys.readouterr().err
    assert "aggregate.x is off" in json.loads((tmp_path / "o" / "price.json").read_text())["warnings"]
