"""The columnar posting path stores exactly the rows of the record path.

A generated batch (with a corrupt row and a repeated claim id among its rows) posted into an empty
ledger with ``engine="vector"`` takes the columnar path (``aso_rules.ledger.columnar``); the same
batch posted with ``engine="reference"`` takes the record path. Every stored claim record (parsed),
adjudication, current line and reject must be equal; then a second batch touching families that
already have lines falls back to the record path and both ledgers still export the same settlement.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import aso_rules.ledger as ledger_api
from aso_rules.data.generate import generate_claims, generate_enrollment
from aso_rules.ledger.lines import record_from_list

pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parents[2]
RULESET = ROOT / "rulesets" / "acme-2026.aso"


def _stored(led: Any) -> tuple[Any, ...]:
    q = led.store.query
    claims = [
        (*row[:5], record_from_list(json.loads(row[5])))
        for row in q(
            "SELECT line_id, batch_seq, claim_id, family_id, paid, record FROM claims ORDER BY line_id"
        )
    ]
    return (
        claims,
        q("SELECT * FROM adjudications ORDER BY line_id, batch_seq"),
        q("SELECT * FROM current_lines ORDER BY line_id"),
        q("SELECT * FROM rejects ORDER BY row_no"),
    )


def test_columnar_and_record_paths_store_the_same_rows(ledger_url: str, tmp_path: Path) -> None:
    from aso_rules.language.loader import load

    rs = load(RULESET)
    enrollment = generate_enrollment(150, rs.plan_year, 3)
    claims = generate_claims(enrollment, 3000, rs.plan_year, 3)
    # row 6 repeats row 5's claim id; row 8 has a negative billed: both are rejects on either path
    ids = claims.column("claim_id").to_pylist()
    ids[5] = ids[4]
    billed = claims.column("billed").to_pylist()
    billed[7] = -billed[7] if billed[7] else -1
    claims = claims.set_column(0, "claim_id", pa.array(ids))
    claims = claims.set_column(claims.column_names.index("billed"), "billed", pa.array(billed))
    month = pc.strftime(claims.column("paid"), format="%Y-%m")
    first = claims.filter(pc.less(month, "2026-07"))
    later = claims.filter(pc.greater_equal(month, "2026-07"))
    record_url = str(tmp_path / "record.db")
    with (
        ledger_api.init(ledger_url, RULESET, enrollment) as fast,
        ledger_api.init(record_url, RULESET, enrollment) as slow,
    ):
        by_columns = fast.post(first, batch="h1", engine="vector")
        by_records = slow.post(first, batch="h1", engine="reference")
        assert by_columns.engine == "vector" and by_records.engine == "reference"
        assert by_columns.rejected == by_records.rejected >= 2
        assert fast.store.query("SELECT engine FROM batches") == [("vector",)]
        assert _stored(fast) == _stored(slow)
        # families with current lines: the columnar path declines, the record path re-adjudicates
        assert fast.post(later, batch="h2", engine="vector").families > 0
        slow.post(later, batch="h2", engine="reference")
        assert _stored(fast)[2:] == _stored(slow)[2:]
        a, b = fast.export(), slow.export()
        assert a.summary == b.summary
        assert a.ledger.equals(b.ledger)
