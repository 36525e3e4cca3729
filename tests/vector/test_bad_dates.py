"""Dates Arrow parses but Python cannot hold are rejected alike by both engines, never a crash."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

import aso_rules

ROOT = Path(__file__).resolve().parents[2]


def test_vector__year_zero_is_a_bad_date_like_the_reference() -> None:
    """A claim incurred 0000-01-01 is rejected with the same row and reason by both engines."""
    rs = aso_rules.load(ROOT / "rulesets" / "acme-2026.aso")
    names = pacsv.read_csv(ROOT / "examples" / "acme-claims.csv").column_names
    claims = pacsv.read_csv(
        ROOT / "examples" / "acme-claims.csv",
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
    ).slice(0, 50)
    incurred = claims["incurred"].to_pylist()
    incurred[7] = "0000-01-01"
    claims = claims.set_column(names.index("incurred"), "incurred", pa.array(incurred, pa.string()))
    enrollment = ROOT / "examples" / "acme-enrollment.csv"
    ref = rs.settle(claims, enrollment, engine="reference")
    vec = rs.settle(claims, enrollment, engine="vector")
    assert ref.rejects.to_pylist() == vec.rejects.to_pylist()
    assert ref.rejects.to_pylist() == [
        {
            "row": 8,
            "claim_id": claims["claim_id"][7].as_py(),
            "reason": "bad_date: incurred '0000-01-01' is not a date",
            "line": None,  # an Arrow table: no file lines
        }
    ]
