"""Every JSON output has a published schema in docs/schemas/, and the real outputs validate against
it: summary.json (tests/settle/test_outputs.py), price.json, the ``--format json`` reports of
check, test, explain and diff, ``aso audit --json`` and the stop-loss filings' filings.json. Each
schema also rejects a float where money belongs."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from aso_rules.cli import main

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "schemas"
ACME = str(ROOT / "rulesets" / "acme-2026.aso")
INPUTS = ["--claims", str(ROOT / "examples" / "acme-claims.csv"),
          "--enrollment", str(ROOT / "examples" / "acme-enrollment.csv")]  # fmt: skip


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def output(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    main(list(argv))
    return json.loads(capsys.readouterr().out)


def test_every_schema_is_valid_and_named_for_its_output() -> None:
    names = sorted(p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json"))
    assert names == [
        "audit", "check", "diff", "explain", "filings", "price", "renew", "summary", "test", "track",
    ]  # fmt: skip
    for name in names:
        assert schema(name)["$id"] == f"aso-rules/{name}.schema.json"


def test_price_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("scipy")
    price = output(capsys, "price", ACME, INPUTS[2], INPUTS[3], "--simulations", "0", "--out", str(tmp_path),
                   "--format", "json")  # fmt: skip
    jsonschema.validate(price, schema("price"))
    price["expected_claims"] = 1.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(price, schema("price"))


def test_check_json__clean_and_with_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonschema.validate(output(capsys, "check", ACME, "--format", "json"), schema("check"))
    text = Path(ACME).read_text(encoding="utf-8").replace("$3,000 per family", "$500 per family", 1)
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    monkeypatch.chdir(ROOT / "rulesets")
    report = output(capsys, "check", "-", "--format", "json")
    assert report["errors"] == 1
    jsonschema.validate(report, schema("check"))


def test_test_json_with_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    report = output(
        capsys, "test", str(ROOT / "rulesets" / "small-employer-60.aso"), "--coverage", "--format", "json"
    )
    assert report["passed"] > 0
    jsonschema.validate(report, schema("test"))


def test_explain_json(capsys: pytest.CaptureFixture[str]) -> None:
    report = output(capsys, "explain", ACME, *INPUTS, "--claim", "C-0000001", "--format", "json")
    jsonschema.validate(report, schema("explain"))
    report["plan_paid"] = 70.44
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema("explain"))


def test_diff_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    amended = tmp_path / "acme-2027.aso"
    amended.write_text(
        Path(ACME)
        .read_text(encoding="utf-8")
        .replace("$1,500 per person, $3,000", "$2,000 per person, $4,000"),
        encoding="utf-8",
    )
    report = output(capsys, "diff", ACME, str(amended), *INPUTS, "--format", "json")
    assert report["statements"] and report["claims_changed"] > 0
    jsonschema.validate(report, schema("diff"))


def test_audit_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An administrator's file whose one claim the plan paid in full, where the bundled rules leave
    the member cost sharing: an overpaid finding, which validates."""
    claims = tmp_path / "paid.csv"
    claims.write_text(
        "claim_id,member_id,line,category,incurred,paid,billed,allowed,plan_paid,member_paid,status\n"
        "C1,M-1000,medical,office_visit,2026-02-01,2026-02-20,500.00,400.00,400.00,0.00,paid\n",
        encoding="utf-8",
    )
    main(["audit", ACME, "--claims", str(claims), INPUTS[2], INPUTS[3], "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] and report["counts"]["claims_differing"] == len(report["findings"])
    jsonschema.validate(report, schema("audit"))
    report["totals"]["overpaid"] = 1.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema("audit"))


def test_filings_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled example's own ledger settled as adjudicated claims with --filings: specific
    filings and the aggregate filing validate."""
    main(["settle", ACME, *INPUTS, "--out", str(tmp_path / "run")])
    ledger = str(tmp_path / "run" / "ledger.csv")
    args = ["settle", ACME, "--claims", ledger, INPUTS[2], INPUTS[3], "--adjudicated"]
    main([*args, "--out", str(tmp_path / "again"), "--filings", str(tmp_path / "filings")])
    capsys.readouterr()
    data = json.loads((tmp_path / "filings" / "filings.json").read_text(encoding="utf-8"))
    assert data["specific"] and data["aggregate"] is not None
    jsonschema.validate(data, schema("filings"))
    data["specific"][0]["reimbursement_requested"] = 10.0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema("filings"))
