"""``aso diff OLD NEW --claims F --enrollment F``: an amendment reviewed on the example claims."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from aso_rules.cli import main

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "rulesets" / "acme-2026.aso"
INPUTS = [
    "--claims",
    str(ROOT / "examples" / "acme-claims.csv"),
    "--enrollment",
    str(ROOT / "examples" / "acme-enrollment.csv"),
]


@pytest.fixture
def amended(tmp_path: Path) -> Path:
    """Acme with the in-network deductible raised from $1,500/$3,000 to $2,000/$4,000."""
    text = ACME.read_text().replace(
        "deductible $1,500 per person, $3,000 per family embedded",
        "deductible $2,000 per person, $4,000 per family embedded",
    )
    path = tmp_path / "acme-2027.aso"
    path.write_text(text)
    return path


def _diff(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_diff_cmd__same_file_reports_no_change(capsys: pytest.CaptureFixture[str]) -> None:
    """``aso diff X X`` on the example claims: no statement and no dollar changes."""
    code, out, _ = _diff(capsys, str(ACME), str(ACME), *INPUTS, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["statements"] == [] and report["by_line"] == {} and report["by_member"] == {}
    assert report["claims_changed"] == 0
    assert all(Decimal(v["change"]) == 0 for v in report["totals"].values())


def test_diff_cmd__explains_a_deductible_change(amended: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A higher deductible: one changed statement; members pay what the plan no longer does."""
    code, out, _ = _diff(capsys, str(ACME), str(amended), *INPUTS, "--format", "json")
    assert code == 0
    report = json.loads(out)
    [change] = report["statements"]
    assert change["change"] == "changed" and change["where"] == "coverage medical / deductible"
    assert change["old"]["line"] == change["new"]["line"] == 13
    t = {k: Decimal(v["change"]) for k, v in report["totals"].items()}
    assert t["totals.allowed"] == 0  # same claims, same pricing
    assert t["totals.member_paid"] > 0 and t["totals.member_paid"] == -t["totals.plan_paid"]
    # employer cost moves by plan paid less stop-loss reimbursements plus fixed costs (docs/contracts.md)
    assert t["employer_cost.total"] == (
        t["employer_cost.claims"]
        - t["employer_cost.specific_reimbursed"]
        - t["employer_cost.aggregate_reimbursed"]
        + t["employer_cost.fixed_costs"]
    )
    assert t["employer_cost.claims"] == t["totals.plan_paid"]
    # the by-line and by-member changes add up to the totals exactly
    for field in ("member_paid", "plan_paid"):
        by_line = sum(Decimal(v[field]["change"]) for v in report["by_line"].values())
        by_member = sum(Decimal(v[field]["change"]) for v in report["by_member"].values())
        assert by_line == by_member == t[f"totals.{field}"]
    assert report["claims_changed"] > 0


def test_diff_cmd__text_report(amended: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The text report shows the statement before and after, the headline figures and the members."""
    code, out, _ = _diff(capsys, str(ACME), str(amended), *INPUTS)
    assert code == 0
    assert "- " + str(ACME) + ":13  deductible $1,500 per person, $3,000 per family embedded" in out
    assert "+ " + str(amended) + ":13  deductible $2,000 per person, $4,000 per family embedded" in out
    for label in (
        "member paid",
        "plan paid",
        "specific stop-loss reimbursed",
        "fees and premiums",
        "employer cost",
    ):
        assert label in out
    assert "members affected:" in out


def test_diff_cmd__ruleset_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A NEW file with errors: its diagnostics on stderr, exit 1."""
    bad = tmp_path / "bad.aso"
    bad.write_text(ACME.read_text().replace("plan pays 80%", "plan pays 180%"))
    code, _, err = _diff(capsys, str(ACME), str(bad), *INPUTS)
    assert code == 1 and "error[E301]" in err


def test_diff_cmd__missing_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A claims file that does not exist is an I/O error: exit 2, no traceback."""
    code, _, err = _diff(capsys, str(ACME), str(ACME), "--claims", "nope.csv", "--enrollment", "nope.csv")
    assert code == 2 and "no such claims file" in err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_diff_cmd__acme_deductible_change_golden(
    fmt: str,
    amended: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    update_golden: bool,
) -> None:
    """The review of Acme's deductible change on the example claims matches its golden file."""
    from tests.golden_files import check_golden

    monkeypatch.chdir(ROOT)
    code, out, _ = _diff(
        capsys,
        "rulesets/acme-2026.aso",
        str(amended),
        "--claims",
        "examples/acme-claims.csv",
        "--enrollment",
        "examples/acme-enrollment.csv",
        "--format",
        fmt,
    )
    assert code == 0
    out = out.replace(str(amended), "acme-2027.aso")
    suffix = "txt" if fmt == "text" else "json"
    check_golden(ROOT / "tests" / "golden" / "diff" / f"acme-deductible.{suffix}", out, update_golden)
