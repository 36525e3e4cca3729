"""Settlement on the administrator's adjudicated claims: versions, voids, adjustments, windows,
exclusions, filings, and the round trip through ``aso settle``'s own ledger. Figures hand-checked."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

import aso_rules
from aso_rules.cli import main
from aso_rules.settle import settle
from aso_rules.settle.adjudicated import settle_adjudicated
from aso_rules.settle.filings import filings

RULES = """\
ruleset "Adjudicated claims" {
  plan_year 2026-01-01 to 2026-12-31
  currency USD
  rounding half_up
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  plan pays 100%
  exclude cosmetic "Not covered"
}

coverage rx {
  plan pays 100%
}

stop_loss specific "Specific" {
  deductible $100,000 per claimant
  covers medical, rx
  basis 12/15
}
"""

ENROLLMENT = (
    "member_id,family_id,relationship,tier,coverage_start\n"
    "A,A,employee,EE,2026-01-01\n"
    "B,B,employee,EE,2026-01-01\n"
)

HEADER = "claim_id,member_id,line,category,incurred,paid,billed,allowed,plan_paid,member_paid,status"


def m(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture()
def ruleset() -> aso_rules.Ruleset:
    return aso_rules.loads(RULES)


def run(tmp_path: Path, ruleset: aso_rules.Ruleset, rows: list[str], header: str = HEADER):
    claims = tmp_path / "claims.csv"
    claims.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    enrollment = tmp_path / "enrollment.csv"
    enrollment.write_text(ENROLLMENT, encoding="utf-8")
    return settle_adjudicated(ruleset, claims, enrollment)


def specific_of(s, claimant: str):
    return s.specific[0].claimants[claimant]


def test_adjudicated__amounts_as_paid_not_readjudicated(tmp_path: Path, ruleset: aso_rules.Ruleset) -> None:
    """The administrator's plan paid stands even where the ruleset would pay otherwise (100% plan):
    60,000 + 50,000 = 110,000 eligible, 10,000 over the deductible, reimbursed on the second line."""
    s = run(
        tmp_path,
        ruleset,
        [
            "C1,A,medical,ip,2026-02-01,2026-02-20,80000.00,70000.00,60000.00,10000.00,paid",
            "C2,A,medical,ip,2026-04-01,2026-04-20,60000.00,55000.00,50000.00,5000.00,paid",
        ],
    )
    a = specific_of(s, "A")
    assert (a.eligible_paid, a.excess, a.reimbursed) == (m("110000.00"), m("10000.00"), m("10000.00"))
    assert s.specific_shares == (m("0.00"), m("10000.00"))
    assert s.summary["totals"]["plan_paid"] == "110000.00"
    assert s.summary["mode"] == "adjudicated"


def test_adjudicated__void_and_new_version_cross_the_deductible_back_and_forth(
    tmp_path: Path, ruleset: aso_rules.Ruleset
) -> None:
    """C2 v1 (50,000) takes A to 110,000: 10,000 reimbursed. v2 voids it in May: back to 60,000,
    the 10,000 taken back (share -10,000). v3 in June pays 45,000: 105,000, 5,000 reimbursed.
    Net: eligible 105,000, reimbursed 5,000; plan paid 105,000."""
    header = HEADER + ",claim_version"
    s = run(
        tmp_path,
        ruleset,
        [
            "C1,A,medical,ip,2026-02-01,2026-02-20,80000.00,60000.00,60000.00,0.00,paid,1",
            "C2,A,medical,ip,2026-04-01,2026-04-20,60000.00,50000.00,50000.00,0.00,paid,1",
            "C2,A,medical,ip,2026-04-01,2026-05-15,60000.00,50000.00,50000.00,0.00,void,2",
            "C2,A,medical,ip,2026-04-01,2026-06-10,60000.00,45000.00,45000.00,0.00,paid,3",
        ],
        header,
    )
    assert [line.plan_paid for line in s.lines] == [
        m("60000.00"),
        m("50000.00"),
        m("-50000.00"),
        m("45000.00"),
    ]
    assert s.specific_shares == (m("0.00"), m("10000.00"), m("-10000.00"), m("5000.00"))
    a = specific_of(s, "A")
    assert (a.eligible_paid, a.reimbursed) == (m("105000.00"), m("5000.00"))
    assert s.summary["totals"]["plan_paid"] == "105000.00"
    ledger = s.ledger.to_pylist()
    assert ledger[2]["input_status"] == "void" and ledger[2]["status"] == "paid"
    assert "version 2 voids version 1" in ledger[2]["reason"]
    assert ledger[3]["input_plan_paid"] == "45000.00" and ledger[3]["plan_paid"] == m("-5000.00") + m(
        "50000.00"
    )


def test_adjudicated__adjustment_in_the_run_out_of_a_12_15_contract(
    tmp_path: Path, ruleset: aso_rules.Ruleset
) -> None:
    """C1 pays 95,000 in 2026; adjustment J1 (+8,000) paid 2027-03-10 is inside the 12/15 paid window
    (to 2027-03-31): 103,000, 3,000 reimbursed. J2 (+4,000) paid 2027-04-05 is after it: not
    eligible, but the employer pays it (plan paid 107,000)."""
    header = HEADER + ",adjustment_of"
    s = run(
        tmp_path,
        ruleset,
        [
            "C1,A,medical,ip,2026-11-01,2026-12-10,99000.00,95000.00,95000.00,0.00,paid,",
            "J1,A,medical,ip,2026-11-01,2027-03-10,0.00,8000.00,8000.00,0.00,paid,C1",
            "J2,A,medical,ip,2026-11-01,2027-04-05,0.00,4000.00,4000.00,0.00,paid,C1",
        ],
        header,
    )
    a = specific_of(s, "A")
    assert (a.eligible_paid, a.reimbursed) == (m("103000.00"), m("3000.00"))
    assert s.specific[0].line_eligible == (True, True, False)
    assert s.summary["totals"]["plan_paid"] == "107000.00"


def test_adjudicated__excluded_service_paid_is_not_stop_loss_eligible(
    tmp_path: Path, ruleset: aso_rules.Ruleset
) -> None:
    """A cosmetic claim the administrator paid (30,000) is the employer's cost but not eligible:
    A's eligible paid stays 90,000 (no reimbursement) though the plan paid 120,000."""
    s = run(
        tmp_path,
        ruleset,
        [
            "C1,A,medical,ip,2026-02-01,2026-02-20,90000.00,90000.00,90000.00,0.00,paid",
            "C2,A,medical,cosmetic,2026-03-01,2026-03-20,30000.00,30000.00,30000.00,0.00,paid",
        ],
    )
    assert specific_of(s, "A").eligible_paid == m("90000.00")
    assert specific_of(s, "A").reimbursed == m("0.00")
    assert s.summary["totals"]["plan_paid"] == "120000.00"
    assert "not stop-loss eligible: Not covered" in s.ledger.to_pylist()[1]["reason"]


def test_adjudicated__bad_rows_are_rejected_with_their_reason(
    tmp_path: Path, ruleset: aso_rules.Ruleset
) -> None:
    """Every row ends in the ledger or the rejects: an unknown member, a bad status, an adjustment of
    a claim that is not in the file, a duplicated version."""
    header = HEADER + ",claim_version,adjustment_of"
    s = run(
        tmp_path,
        ruleset,
        [
            "C1,A,medical,ip,2026-02-01,2026-02-20,100.00,100.00,100.00,0.00,paid,1,",
            "C1,A,medical,ip,2026-02-01,2026-02-21,100.00,100.00,90.00,10.00,paid,1,",
            "C2,Z,medical,ip,2026-02-01,2026-02-20,100.00,100.00,100.00,0.00,paid,1,",
            "C3,A,medical,ip,2026-02-01,2026-02-20,100.00,100.00,100.00,0.00,pending,1,",
            "J1,A,medical,ip,2026-02-01,2026-02-20,0.00,5.00,5.00,0.00,paid,,C9",
            "C4,B,medical,ip,2026-02-01,2026-02-20,100.00,100.00,-100.00,0.00,paid,1,",
        ],
        header,
    )
    reasons = {r["row"]: r["reason"].split(":")[0] for r in s.rejects.to_pylist()}
    assert reasons == {
        2: "duplicate_claim_version",
        3: "unknown_member",
        4: "bad_value",
        5: "unknown_adjustment_target",
    }
    assert s.summary["counts"]["received"] == 6 and s.summary["counts"]["settled"] == 2
    assert s.summary["totals"]["plan_paid"] == "0.00"  # a negative line (a recovery) is valid here


def test_adjudicated__a_settle_ledger_settles_to_the_same_stop_loss_fees_and_cost(tmp_path: Path) -> None:
    """The bundled example settled, its ledger read back as adjudicated claims: the same summary."""
    rs = aso_rules.load("rulesets/acme-2026.aso")
    original = settle(rs, "examples/acme-claims.csv", "examples/acme-enrollment.csv")
    original.write(tmp_path / "run")
    again = settle(rs, tmp_path / "run" / "ledger.csv", "examples/acme-enrollment.csv", adjudicated=True)
    assert {k: v for k, v in again.summary.items() if k != "mode"} == original.summary
    for column in ("plan_paid", "specific_reimbursed", "aggregate_eligible", "status"):
        assert again.ledger.column(column).to_pylist() == original.ledger.column(column).to_pylist(), column


def test_filings__claimants_over_or_near_the_deductible_and_the_cli(
    tmp_path: Path, ruleset: aso_rules.Ruleset
) -> None:
    """A at 110,000 (over 100,000) and B at 92,000 (within 10%) get filings; nobody else."""
    s = run(
        tmp_path,
        ruleset,
        [
            "C1,A,medical,ip,2026-02-01,2026-02-20,80000.00,60000.00,60000.00,0.00,paid",
            "C2,A,medical,ip,2026-04-01,2026-04-20,60000.00,50000.00,50000.00,0.00,paid",
            "C3,B,rx,spc,2026-05-01,2026-05-03,92000.00,92000.00,92000.00,0.00,paid",
        ],
    )
    got = {f["claimant"]: f for f in filings(s)["specific"]}
    assert set(got) == {"A", "B"}
    assert got["A"]["status"] == "over_deductible" and got["A"]["reimbursement_requested"] == "10000.00"
    assert got["A"]["eligible_paid_by_month"] == {"2026-02": "60000.00", "2026-04": "50000.00"}
    assert got["B"]["status"] == "near_deductible" and got["B"]["reimbursement_requested"] == "0.00"

    rules = tmp_path / "rules.aso"
    rules.write_text(RULES, encoding="utf-8")
    code = main(
        [
            "settle",
            str(rules),
            "--claims",
            str(tmp_path / "claims.csv"),
            "--enrollment",
            str(tmp_path / "enrollment.csv"),
            "--adjudicated",
            "--out",
            str(tmp_path / "out"),
            "--filings",
            str(tmp_path / "filings"),
            "--json",
        ]
    )
    assert code == 0
    written = json.loads((tmp_path / "filings" / "filings.json").read_text())
    assert [f["claimant"] for f in written["specific"]] == ["A", "B"]
    with (tmp_path / "filings" / written["specific"][0]["supporting_lines"]).open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["claim_id"] for r in rows] == ["C1", "C2"] and rows[1]["reimbursed"] == "10000.00"
    assert "Stop-loss filings" in (tmp_path / "filings" / "filings.html").read_text()
