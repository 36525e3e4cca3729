"""Specific advance funding: requests on adjudicated, not yet paid (``approved``) lines, the
language term and the filing's ``advance_funding`` section. Figures hand-checked in the docstring."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import jsonschema

import aso_rules
from aso_rules.cli import main
from aso_rules.language.format import format_source
from aso_rules.settle.adjudicated import settle_adjudicated
from aso_rules.settle.filings import filings

RULES = """\
ruleset "Advance funding" {
  plan_year 2026-01-01 to 2026-12-31
  currency USD
  rounding half_up
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  plan pays 100%
}

stop_loss specific "Specific" {
  deductible $100,000 per claimant
  aggregating_deductible $10,000
  reimburses 90%
  basis 12/15
  advance_funding on minimum $5,000
}
"""

ENROLLMENT = "member_id,family_id,relationship,tier,coverage_start\n" + "".join(
    f"{m},{m},employee,EE,2026-01-01\n" for m in "ABDEF"
)

HEADER = (
    "claim_id,member_id,line,category,incurred,paid,billed,allowed,plan_paid,member_paid,status,claim_version"
)

ROWS = [
    "C1,A,medical,ip,2026-03-01,2026-03-10,95000,95000,95000,0,paid,",
    "C2,A,medical,ip,2026-05-20,2026-06-01,40000,40000,40000,0,approved,",
    "C3,B,medical,ip,2026-01-20,2026-02-01,104000,104000,104000,0,paid,",
    "C4,B,medical,ip,2026-04-20,2026-05-01,5000,5000,5000,0,approved,",
    "C6,D,medical,ip,2026-03-20,2026-04-01,99000,99000,99000,0,paid,",
    "C5,D,medical,ip,2026-12-01,2027-05-01,20000,20000,20000,0,approved,",
    "C7,E,medical,ip,2026-02-20,2026-03-01,100000,100000,100000,0,paid,",
    "C8,E,medical,ip,2026-06-20,2026-07-01,4000,4000,4000,0,approved,",
    "C9,F,medical,ip,2026-03-20,2026-04-01,90000,90000,90000,0,paid,1",
    "C9,F,medical,ip,2026-03-20,2026-08-01,120000,120000,120000,0,approved,2",
]


def run(tmp_path: Path, rules: str = RULES, engine: str = "reference"):
    (tmp_path / "claims.csv").write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    (tmp_path / "enrollment.csv").write_text(ENROLLMENT, encoding="utf-8")
    (tmp_path / "rules.aso").write_text(rules, encoding="utf-8")
    return settle_adjudicated(
        aso_rules.loads(rules), tmp_path / "claims.csv", tmp_path / "enrollment.csv", engine=engine
    )


def test_advance_funding__worked_example(tmp_path: Path) -> None:
    """Paid: B's C3 takes B 4,000 over the deductible, all absorbed by the 10,000 ASD (6,000 left);
    nobody else is over (E at exactly 100,000), so nothing is reimbursed yet.

    Awaiting funding, booked in adjudication order: B's C4 (05-01) adds 5,000 of excess, all
    absorbed by the ASD (1,000 left): share 0, no request. A's C2 (06-01): 95,000 + 40,000 =
    135,000, excess 35,000, 1,000 to the ASD, 90% of 34,000 = 30,600 requested. E's C8 (07-01):
    excess 4,000, 90% = 3,600, below the 5,000 minimum: no request. F's C9 version 2 (08-01)
    awaits 120,000 - 90,000 = 30,000: excess 20,000, 90% = 18,000 requested. D's C5 was adjudicated
    on 2027-05-01, after the 12/15 paid window (to 2027-03-31): not requested."""
    s = run(tmp_path)
    assert s.summary["specific_stop_loss"][0]["reimbursed"] == "0.00"
    assert s.ruleset.specific[0].advance_funding and s.ruleset.specific[0].advance_minimum == Decimal(5000)
    pending = {r.claim.claim_id: r for r in s.lines if r.awaiting_funding}
    assert {k: r.awaiting_funding for k, r in pending.items()} == {
        "C2": Decimal("40000.00"),
        "C4": Decimal("5000.00"),
        "C5": Decimal("20000.00"),
        "C8": Decimal("4000.00"),
        "C9": Decimal("30000.00"),
    }
    assert pending["C2"].status == "denied" and pending["C2"].plan_paid == 0
    assert "approved, not yet paid" in pending["C2"].reason
    got = filings(s)["advance_funding"]
    keys = ("claimant", "amount_requested", "awaiting_funding", "eligible_paid")
    assert [tuple(f[k] for k in keys) for f in got] == [
        ("A", "30600.00", "40000.00", "95000.00"),
        ("F", "18000.00", "30000.00", "90000.00"),
    ]
    assert got[0]["window"]["paid_to"] == "2027-03-31" and got[0]["advance_minimum"] == "5000.00"
    assert [(r["claim_id"], r["plan_paid"], r["reimbursed"]) for r in got[0]["lines"]] == [
        ("C2", "40000.00", "30600.00")
    ]
    vector = filings(run(tmp_path, engine="vector"))
    assert vector["advance_funding"] == got


def test_advance_funding__off_by_default_and_the_cli(tmp_path: Path) -> None:
    """Without the term there is no section (``null``); with it the CLI writes a CSV per request,
    filings.json and the HTML table."""
    plain = RULES.replace("  advance_funding on minimum $5,000\n", "")
    assert filings(run(tmp_path, plain))["advance_funding"] is None
    run(tmp_path)
    args = ["settle", str(tmp_path / "rules.aso"), "--claims", str(tmp_path / "claims.csv")]
    args += ["--enrollment", str(tmp_path / "enrollment.csv"), "--adjudicated", "--out", str(tmp_path / "o")]
    assert main([*args, "--filings", str(tmp_path / "f"), "--json"]) == 0
    data = json.loads((tmp_path / "f" / "filings.json").read_text())
    schema = Path(__file__).parents[2] / "docs" / "schemas" / "filings.schema.json"
    jsonschema.validate(data, json.loads(schema.read_text(encoding="utf-8")))
    assert [f["supporting_lines"] for f in data["advance_funding"]] == [
        "advance-Specific-A.csv",
        "advance-Specific-F.csv",
    ]
    with (tmp_path / "f" / "advance-Specific-F.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["claim_id"], r["reimbursed"]) for r in rows] == [("C9", "18000.00")]
    assert "Advance funding" in (tmp_path / "f" / "filings.html").read_text()


def test_advance_funding__language_round_trip_and_check(tmp_path: Path) -> None:
    """The term formats back as written; `off` compiles to no advance funding; a minimum that is
    not money is E205."""
    assert format_source(RULES)[0] == RULES
    off = aso_rules.loads(RULES.replace("advance_funding on minimum $5,000", "advance_funding off"))
    assert not off.specific[0].advance_funding
    on = aso_rules.loads(RULES.replace("advance_funding on minimum $5,000", "advance_funding on"))
    assert on.specific[0].advance_funding and on.specific[0].advance_minimum == 0
    bad = tmp_path / "bad.aso"
    bad.write_text(RULES.replace("minimum $5,000", "minimum 5%"), encoding="utf-8")
    found = aso_rules.check(bad)
    assert "E205" in {d.code for d in found}
