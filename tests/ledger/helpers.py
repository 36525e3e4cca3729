"""A small plan and claim rows for the ledger's worked examples (numbers checked by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

PLAN = """\
ruleset "Ledger worked examples 2026" {
  plan_year 2026-01-01 to 2026-12-31
  currency USD
  rounding half_up
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  deductible $1,000 per person, $2,000 per family embedded
  out_of_pocket $5,000 per person, $10,000 per family
  plan pays 80%
}

stop_loss specific "Specific at $10,000" {
  deductible $10,000 per claimant
  covers medical
  basis 12/12
  premium EE $100.00, FAM $200.00 pepm
}

admin_fees {
  administration $30.00 pepm
}
"""

ENROLLMENT = """\
member_id,family_id,relationship,tier,coverage_start
A1,A1,employee,EE,2026-01-01
B1,B1,employee,EE,2026-01-01
C1,C1,employee,EE,2026-01-01
F1,F,employee,FAM,2026-01-01
F2,F,spouse,FAM,2026-01-01
"""

COLUMNS = ("claim_id", "member_id", "line", "category", "incurred", "paid", "billed", "allowed", "reverses")


def write_plan(folder: Path) -> tuple[str, str]:
    """(ruleset path, enrollment path) written into ``folder``."""
    (folder / "plan.aso").write_text(PLAN, encoding="utf-8")
    (folder / "enrollment.csv").write_text(ENROLLMENT, encoding="utf-8")
    return str(folder / "plan.aso"), str(folder / "enrollment.csv")


def claim(claim_id: str, member: str, paid: str, allowed: str, *, reverses: str = "") -> dict[str, str]:
    """A medical line incurred on its paid date, billed at its allowed amount."""
    return {
        "claim_id": claim_id,
        "member_id": member,
        "line": "medical",
        "category": "inpatient",
        "incurred": paid,
        "paid": paid,
        "billed": allowed,
        "allowed": allowed,
        "reverses": reverses,
    }


def reversal(claim_id: str, member: str, paid: str, voided: str, amount: str) -> dict[str, str]:
    """A reversal row: its amounts are the voided line's, negated (ignored by the ledger)."""
    row = claim(claim_id, member, paid, f"-{amount}", reverses=voided)
    return row


def batch_table(rows: list[dict[str, str]]) -> pa.Table:
    return pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in COLUMNS})


def write_batch(path: Path, rows: list[dict[str, str]]) -> str:
    pacsv.write_csv(batch_table(rows), path)
    return str(path)


def line_of(settlement: Any, claim_id: str) -> dict[str, Any]:
    """One ledger row as a dict of text (money as 2-decimal strings)."""
    rows = settlement.ledger.to_pylist()
    row = next(r for r in rows if r["claim_id"] == claim_id)
    return {k: (f"{v:.2f}" if hasattr(v, "quantize") else v) for k, v in row.items()}
