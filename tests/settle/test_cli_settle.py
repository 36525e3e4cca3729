"""``aso settle``, ``aso explain`` and ``aso test`` end to end on files, with their exit codes."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

from aso_rules.cli import main
from aso_rules.language.diagnostics import Diagnostic, Span
from tests.settle.sl_plans import acme_full

ENROLLMENT = """member_id,family_id,relationship,tier,coverage_start,coverage_end
A1,A1,employee,EE,2026-01-01,
B1,B1,employee,FAM,2026-01-01,
B2,B1,spouse,FAM,2026-01-01,
"""
CLAIMS = """claim_id,member_id,line,category,incurred,paid,billed,allowed,provider
c1,A1,medical,office_visit,2026-02-03,2026-02-10,180.00,180.00,DR-1
c2,B2,medical,inpatient,2026-03-02,2026-03-20,305000.00,305000.00,HOSP-9
c3,ZZ,medical,office_visit,2026-02-03,2026-02-10,100.00,100.00,DR-1
c4,B1,rx,generic,2026-04-01,2026-04-01,25.00,25.00,PBM
"""


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A rule file path (loaded as the bundled example), enrollment and claims files, an out folder."""
    import aso_rules.language.loader as loader

    rule = tmp_path / "acme.aso"
    rule.write_text("# loaded by the test's loader\n")
    monkeypatch.setattr(loader, "load", lambda path: acme_full())
    (tmp_path / "enrollment.csv").write_text(ENROLLMENT)
    (tmp_path / "claims.csv").write_text(CLAIMS)
    return tmp_path


def _args(tmp, *extra):
    inputs = ["--claims", str(tmp / "claims.csv"), "--enrollment", str(tmp / "enrollment.csv")]
    return [str(tmp / "acme.aso"), *inputs, *extra]


def test_settle_cmd__writes_outputs_and_prints_summary(files, capsys):
    """aso settle exits 0, writes the three files and reports the rejected row on stderr."""
    out = files / "out"
    assert main(["settle", *_args(files, "--out", str(out))]) == 0
    captured = capsys.readouterr()
    assert "1 of 4 claim rows rejected" in captured.err
    assert "employer cost" in captured.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"] == {"received": 4, "settled": 3, "paid": 3, "denied": 0, "rejected": 1}
    assert summary["specific_stop_loss"][0]["reimbursed"] == "100000.00"
    with open(out / "ledger.csv", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        header = reader.fieldnames
    assert header is not None
    assert header[:9] == ["claim_id", "member_id", "line", "category", "incurred", "paid", "billed",
                          "input_allowed", "provider"]  # fmt: skip
    assert [r["claim_id"] for r in rows] == ["c1", "c2", "c4"]
    assert rows[1]["specific_reimbursed"] == "100000.00"
    assert rows[1]["plan_paid"] == "300000.00"
    with open(out / "rejects.csv", newline="") as fh:
        (reject,) = list(csv.DictReader(fh))
    assert (reject["row"], reject["claim_id"]) == ("3", "c3")


def test_settle_cmd__json_and_parquet(files, capsys):
    """--json prints summary.json; --ledger-format parquet writes ledger.parquet."""
    out = files / "o2"
    assert main(["settle", *_args(files, "--out", str(out), "--json", "--ledger-format", "parquet")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((out / "summary.json").read_text())
    assert (out / "ledger.parquet").exists()


def test_settle_cmd__other_engines_exit_2(files, capsys):
    """The dask engine asked for a CSV ledger (it writes Parquet parts) is a clear message and exit 2."""
    args = _args(files, "--out", str(files / "o3"), "--engine", "dask", "--ledger-format", "csv")
    assert main(["settle", *args]) == 2
    assert "partitioned Parquet" in capsys.readouterr().err


def test_settle_cmd__missing_file_exit_2(files, capsys):
    """A missing claims file is an I/O error: exit 2, no traceback."""
    args = [
        str(files / "acme.aso"),
        "--claims",
        str(files / "nope.csv"),
        "--enrollment",
        str(files / "enrollment.csv"),
    ]
    assert main(["settle", *args]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_settle_cmd__bad_input_file_exit_2(files, capsys):
    """A claims file without a required column is a file-level input error: exit 2."""
    (files / "claims.csv").write_text("claim_id,member_id\nc1,A1\n")
    assert main(["settle", *_args(files, "--out", str(files / "o4"))]) == 2
    assert "error" in capsys.readouterr().err


def test_settle_cmd__ruleset_errors_exit_1(files, monkeypatch, capsys):
    """A rule file with errors prints its diagnostics and exits 1."""
    import aso_rules.language.loader as loader

    diag = Diagnostic("E204", "error", "unknown tier XX", Span(str(files / "acme.aso"), 1, 1, 1, 3))

    def broken(path):
        raise loader.RulesetError([diag])

    monkeypatch.setattr(loader, "load", broken)
    assert main(["settle", *_args(files)]) == 1
    assert "E204" in capsys.readouterr().err


def test_explain_cmd__text_and_json(files, capsys):
    """aso explain prints the claim's steps and its stop-loss share, as text or JSON."""
    assert main(["explain", *_args(files, "--claim", "c2")]) == 0
    text = capsys.readouterr().out
    assert "claim c2" in text and "deductible" in text and "reimbursed 100000.00" in text
    assert main(["explain", *_args(files, "--claim", "c2", "--format", "json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["plan_paid"] == "300000.00"
    assert data["specific_stop_loss"][0]["reimbursed"] == "100000.00"
    assert any(step["name"] == "deductible" for step in data["steps"])


def test_explain_cmd__unknown_or_rejected_claim_exit_2(files, capsys):
    """A claim id that is not in the ledger exits 2; a rejected one says why."""
    assert main(["explain", *_args(files, "--claim", "c3")]) == 2
    assert "rejected" in capsys.readouterr().err
    assert main(["explain", *_args(files, "--claim", "zz")]) == 2
    assert "no claim" in capsys.readouterr().err


def test_test_cmd__passes_and_fails(files, monkeypatch, capsys):
    """aso test exits 0 when every test passes, 1 when one fails, 2 for a missing path."""
    import attrs

    import aso_rules.language.loader as loader
    from aso_rules.model import Expectation

    assert main(["test", str(files / "acme.aso")]) == 0
    assert capsys.readouterr().out.endswith("2 passed, 0 failed\n")
    rs = acme_full()
    expected = rs.tests[0].expectations[1].value
    assert isinstance(expected, Decimal)
    bad = attrs.evolve(
        rs.tests[0],
        expectations=(Expectation("claim", "plan_paid", expected + 1, subject="c1"),),
    )
    monkeypatch.setattr(loader, "load", lambda path: attrs.evolve(rs, tests=(bad, rs.tests[1])))
    assert main(["test", str(files / "acme.aso"), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["passed"], report["failed"]) == (1, 1)
    assert main(["test", str(files / "missing.aso")]) == 2
