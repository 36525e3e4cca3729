"""The example rulesets and files, settled end to end through the loader, readers and adjudicator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import aso_rules
from aso_rules.cli import main
from aso_rules.money import ZERO

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "rulesets" / "acme-2026.aso"
CLAIMS = ROOT / "examples" / "acme-claims.csv"
ENROLLMENT = ROOT / "examples" / "acme-enrollment.csv"
BAD = ROOT / "examples" / "bad-claims.csv"

pytestmark = pytest.mark.skipif(not (ACME.exists() and CLAIMS.exists()), reason="example files not present")


@pytest.fixture(scope="module")
def acme():
    """Acme's example claims settled once for the module."""
    return aso_rules.load(ACME).settle(str(CLAIMS), str(ENROLLMENT))


def test_examples__every_ruleset_test_passes(capsys):
    """aso test over rulesets/ runs every test block and all pass."""
    assert main(["test", str(ROOT / "rulesets")]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("0 failed")


def test_examples__acme_ledger_identities(acme):
    """Every paid ledger row has member_paid + plan_paid = allowed; denied rows have zeros."""
    for row in acme.ledger.to_pylist():
        if row["status"] == "paid":
            assert row["member_paid"] + row["plan_paid"] == row["allowed"]
        else:
            assert row["plan_paid"] == row["allowed"] == ZERO and row["reason"]


def test_examples__acme_summary_adds_up(acme):
    """The summary agrees with the ledger: plan paid, specific column, by-line totals, employer identity."""
    s = acme.summary
    ledger = acme.ledger
    plan_paid = sum(ledger.column("plan_paid").to_pylist(), ZERO)
    assert Decimal(s["totals"]["plan_paid"]) == plan_paid == Decimal(s["employer_cost"]["claims"])
    assert sum(Decimal(v["plan_paid"]) for v in s["by_line"].values()) == plan_paid
    spec = sum(Decimal(t["reimbursed"]) for t in s["specific_stop_loss"])
    assert sum(ledger.column("specific_reimbursed").to_pylist(), ZERO) == spec
    e = {k: Decimal(v) for k, v in s["employer_cost"].items()}
    assert e["total"] == e["claims"] - e["specific_reimbursed"] - e["aggregate_reimbursed"] + e["fixed_costs"]
    assert e["fixed_costs"] == Decimal(s["fees"]["total"]) + Decimal(s["stop_loss_premium"]["total"])
    counts = s["counts"]
    assert (
        counts["received"]
        == counts["settled"] + counts["rejected"]
        == ledger.num_rows + acme.rejects.num_rows
    )


def test_examples__acme_first_tier_asd_is_used_in_full(acme):
    """Acme's first tier keeps its 50,000 aggregating deductible before reimbursing claimants."""
    first = acme.summary["specific_stop_loss"][0]
    assert first["asd_absorbed"] == "50000.00"
    for c in first["claimants"]:
        excess = Decimal(c["eligible_paid"]) - Decimal(c["deductible"])
        assert Decimal(c["reimbursed"]) + Decimal(c["asd_absorbed"]) == excess


def test_examples__explain_cites_rule_file_lines(acme):
    """An explanation's steps cite rule-file statements as file:line."""
    claim_id = acme.ledger.column("claim_id")[0].as_py()
    text = acme.explain(claim_id).to_text()
    assert f"claim {claim_id}" in text
    assert "acme-2026.aso:" in text


def test_examples__bad_rows_become_rejects(tmp_path):
    """Every bad example row is rejected with its row number; received = settled + rejected."""
    s = aso_rules.load(ACME).settle(str(BAD), str(ENROLLMENT))
    counts = s.summary["counts"]
    assert counts["rejected"] >= 1
    assert counts["received"] == counts["settled"] + counts["rejected"]
    rows = s.rejects.column("row").to_pylist()
    assert rows == sorted(rows) and all(r >= 1 for r in rows)


def test_examples__tables_and_files_settle_alike(tmp_path):
    """Generated pyarrow tables and the same data written to CSV give the same summary and ledger."""
    from aso_rules.data.generate import generate_claims, generate_enrollment
    from aso_rules.data.writers import write_csv

    rs = aso_rules.load(ACME)
    enrollment = generate_enrollment(60, rs.plan_year, seed=3)
    claims = generate_claims(enrollment, 500, rs.plan_year, seed=3)
    from_tables = rs.settle(claims, enrollment)
    write_csv(enrollment, tmp_path / "e.csv")
    write_csv(claims, tmp_path / "c.csv")
    from_files = rs.settle(str(tmp_path / "c.csv"), str(tmp_path / "e.csv"))
    assert from_tables.summary == from_files.summary
    assert from_tables.ledger.column("plan_paid").equals(from_files.ledger.column("plan_paid"))
    counts = from_tables.summary["counts"]
    assert counts["received"] == 500 == counts["settled"] + counts["rejected"]
