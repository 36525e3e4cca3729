"""``aso test``: passing, failing and erroring runs in text, JSON and JUnit XML (golden files),
coverage output, ``--fail-under`` and the exit codes of docs/contracts.md (0 pass, 1 fail, 2 usage/I/O)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aso_rules.cli import main
from tests.golden_files import check_golden

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "test_cmd"
REL = "tests/golden/test_cmd"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root so paths in the output are relative and stable."""
    monkeypatch.chdir(ROOT)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["test", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", ["pass", "fail", "setup"])
def test_test_cmd__text_golden(name: str, capsys: pytest.CaptureFixture[str], update_golden: bool) -> None:
    """The text report of a passing, a failing and an erroring run matches its golden file."""
    code, out, _ = _run(capsys, f"{REL}/{name}.aso")
    assert code == (0 if name == "pass" else 1)
    check_golden(GOLDEN / f"{name}.txt", out, update_golden)


@pytest.mark.parametrize("name", ["pass", "fail", "setup"])
def test_test_cmd__json_golden(name: str, capsys: pytest.CaptureFixture[str], update_golden: bool) -> None:
    """The JSON report of a passing, a failing and an erroring run matches its golden file."""
    code, out, _ = _run(capsys, "--format", "json", f"{REL}/{name}.aso")
    assert code == (0 if name == "pass" else 1)
    json.loads(out)
    check_golden(GOLDEN / f"{name}.json", out, update_golden)


def test_test_cmd__junit_golden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], update_golden: bool
) -> None:
    """One run over passing, failing, erroring and broken files writes the golden JUnit XML."""
    target = tmp_path / "junit.xml"
    code, _, err = _run(
        capsys,
        "--junit",
        str(target),
        f"{REL}/pass.aso",
        f"{REL}/fail.aso",
        f"{REL}/setup.aso",
        f"{REL}/error.aso",
    )
    assert code == 1
    assert "error[E301]" in err
    text = target.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "3", "2")
    check_golden(GOLDEN / "junit.xml", text, update_golden)


def test_test_cmd__coverage_golden(capsys: pytest.CaptureFixture[str], update_golden: bool) -> None:
    """``--coverage`` appends the statement and threshold report, matching its golden file."""
    code, out, _ = _run(capsys, "--coverage", f"{REL}/pass.aso")
    assert code == 0
    check_golden(GOLDEN / "pass-coverage.txt", out, update_golden)


def test_test_cmd__coverage_json_golden(capsys: pytest.CaptureFixture[str], update_golden: bool) -> None:
    """``--format json --coverage`` carries the coverage report under ``coverage``."""
    code, out, _ = _run(capsys, "--format", "json", "--coverage", f"{REL}/pass.aso")
    assert code == 0
    report = json.loads(out)["coverage"]
    assert report["total"]["statements"] == 10 and report["total"]["exercised"] == 9
    check_golden(GOLDEN / "pass-coverage.json", out, update_golden)


def test_test_cmd__wrong_expectation_fails_with_the_difference(capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong expectation exits 1 and shows expected, actual, actual minus expected and the trace."""
    code, out, _ = _run(capsys, f"{REL}/fail.aso")
    assert code == 1
    assert 'claim "c1" member_paid: expected 35.00, actual 30.00, difference -5.00' in out
    assert 'claim "c1" plan_paid: expected 145.00, actual 150.00, difference 5.00' in out
    assert "copay               30.00" in out  # the explanation trace of claim c1
    assert out.count("claim c1: member A") == 1  # the trace once, not once per failed field
    assert "expected 10.00 within $5.00, actual 0.00, difference -10.00" in out
    # a stop-loss failure shows what the reimbursement was computed from
    assert 'specific "Pool" reimbursed: expected 2000.00, actual 2200.00, difference 200.00' in out
    assert "claimant C: eligible paid 3200.00, deductible 1000.00" in out
    assert out.rstrip().endswith("0 passed, 3 failed")


def test_test_cmd__tolerance_passes_within_and_fails_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``within $X`` and ``within P%`` accept differences up to the tolerance and no more."""
    base = (GOLDEN / "fail.aso").read_text().split('test "an office')[0]
    body = (
        'test "t" {\n  member "A" family "A" tier EE\n'
        '  claim "c1" member "A" medical office_visit incurred 2026-02-03 allowed $180.00\n'
        '  expect "c1" plan_paid VALUE\n}\n'
    )
    cases = [
        ("$150.05 within $0.05", 0),
        ("$150.06 within $0.05", 1),
        ("$151.50 within 1%", 0),
        ("$152.00 within 1%", 1),
    ]
    for value, expected_code in cases:
        path = tmp_path / "t.aso"
        path.write_text(base + body.replace("VALUE", value))
        code, out, _ = _run(capsys, str(path))
        assert code == expected_code, (value, out)


def test_test_cmd__broken_file_fails_with_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    """A rule file with errors fails the run (exit 1) and its diagnostics go to stderr."""
    code, out, err = _run(capsys, f"{REL}/error.aso")
    assert code == 1
    assert "error.aso:8:13: error[E301]" in err and "1 file(s) with errors" in err
    assert out.rstrip().endswith("0 passed, 0 failed")


def test_test_cmd__missing_path_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist is a usage error: exit 2."""
    code, _, err = _run(capsys, "no/such/file.aso")
    assert code == 2 and "file not found" in err


def test_test_cmd__unwritable_junit_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A JUnit file that cannot be written is an I/O error: exit 2."""
    code, _, err = _run(capsys, "--junit", str(tmp_path / "no" / "such" / "j.xml"), f"{REL}/pass.aso")
    assert code == 2 and "cannot write" in err


@pytest.mark.parametrize(("threshold", "expected"), [("90", 0), ("90.1", 1), ("0", 0)])
def test_test_cmd__fail_under_gates_statement_coverage(
    threshold: str, expected: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--fail-under N`` fails a passing run whose statement coverage (here 90.0%) is below N."""
    code, _, err = _run(capsys, "--fail-under", threshold, f"{REL}/pass.aso")
    assert code == expected
    assert ("below --fail-under" in err) == (expected == 1)


def test_test_cmd__fail_under_rejects_a_bad_number(capsys: pytest.CaptureFixture[str]) -> None:
    """``--fail-under`` outside 0-100 is a usage error (exit 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["test", "--fail-under", "120", f"{REL}/pass.aso"])
    assert exc.value.code == 2


def test_test_cmd__rulesets_pass_with_ninety_percent_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    """Every example ruleset's tests pass and exercise at least 90% of its statements."""
    code, out, _ = _run(capsys, "--format", "json", "--coverage", "--fail-under", "90", "rulesets")
    assert code == 0
    report = json.loads(out)
    assert report["failed"] == 0 and report["passed"] >= 40
    for path, file_report in report["coverage"]["files"].items():
        assert file_report["percent"] >= 90, (path, file_report["missed"])


def test_test_cmd__an_included_file_runs_once_as_part_of_its_root(capsys: pytest.CaptureFixture[str]) -> None:
    """In a folder, acme-2026.aso runs inside acme-2026-tests.aso (which includes it), not twice."""
    code, out, _ = _run(capsys, "rulesets")
    assert code == 0
    assert "rulesets/acme-2026.aso: run as part of rulesets/acme-2026-tests.aso" in out
    assert out.count("PASS a large claim crosses the specific deductible (rulesets/acme-2026.aso:105)") == 1
    code, out, _ = _run(capsys, "rulesets/acme-2026.aso")
    assert code == 0 and "2 passed, 0 failed" in out  # on its own, only its own two tests


def test_test_cmd__json_lists_the_diagnostics_of_broken_files(capsys: pytest.CaptureFixture[str]) -> None:
    """In JSON, a rule file with errors is counted and its diagnostics listed under its path."""
    code, out, _ = _run(capsys, "--format", "json", f"{REL}/error.aso", f"{REL}/pass.aso")
    assert code == 1
    report = json.loads(out)
    assert report["files_with_errors"] == 1 and report["passed"] == 2
    [diagnostic] = report["file_errors"][f"{REL}/error.aso"]
    assert (diagnostic["code"], diagnostic["line"], diagnostic["column"]) == ("E301", 8, 13)


def test_test_cmd__a_file_named_twice_runs_once(capsys: pytest.CaptureFixture[str]) -> None:
    """A file given twice (or also inside a folder given) runs once, in the order first named."""
    code, out, _ = _run(capsys, f"{REL}/pass.aso", f"{REL}/pass.aso")
    assert code == 0 and out.count("pass.aso: 2 test(s)") == 1 and "2 passed, 0 failed" in out
