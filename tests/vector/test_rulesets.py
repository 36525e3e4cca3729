"""The example rulesets' own tests and example files, through the vector engine.

Every ``test`` block of every rule file under rulesets/ passes with the vector adjudicator; the
example claims files settle to the same ledger, rejects and summary with either engine, and
``aso settle`` writes the same files with ``--engine vector`` as with ``--engine reference``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import aso_rules
from aso_rules.cli import main
from aso_rules.settle.vector import vector_adjudicate
from aso_rules.testing.runner import run_ruleset
from tests.vector.test_differential import assert_same

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets").glob("*.aso"))


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_vector_rulesets__own_tests_pass(path: Path) -> None:
    """Each rule file's test blocks pass when its claims are adjudicated by the vector engine."""
    rs = aso_rules.load(str(path))
    results = run_ruleset(rs, adjudicator=vector_adjudicate)
    failed = [
        (r.name, r.error, [o.message for o in r.outcomes if not o.passed]) for r in results if not r.passed
    ]
    assert not failed
    assert results or not rs.tests


@pytest.mark.parametrize("claims", ["acme-claims.csv", "bad-claims.csv"])
def test_vector_examples__acme_files_settle_the_same(claims: str) -> None:
    """The Acme example files (and the file of bad rows) settle identically with both engines."""
    rs = aso_rules.load(str(ROOT / "rulesets" / "acme-2026.aso"))
    vec = assert_same(rs, str(ROOT / "examples" / claims), str(ROOT / "examples" / "acme-enrollment.csv"))
    assert vec.summary["engine"] == {"name": "vector", "fallback_lines": 0}


def test_vector_cli__writes_the_reference_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``aso settle --engine vector`` writes the ledger, rejects and summary the reference engine writes."""
    outs = {}
    for engine in ("reference", "vector"):
        out = tmp_path / engine
        for fmt in ("csv", "parquet"):
            code = main(
                [
                    "settle",
                    str(ROOT / "rulesets" / "acme-2026.aso"),
                    "--claims",
                    str(ROOT / "examples" / "bad-claims.csv"),
                    "--enrollment",
                    str(ROOT / "examples" / "acme-enrollment.csv"),
                    "--out",
                    str(out / fmt),
                    "--engine",
                    engine,
                    "--ledger-format",
                    fmt,
                ]
            )
            assert code == 0
        outs[engine] = out
    capsys.readouterr()
    ref, vec = outs["reference"], outs["vector"]
    assert (vec / "csv" / "ledger.csv").read_bytes() == (ref / "csv" / "ledger.csv").read_bytes()
    assert (vec / "csv" / "rejects.csv").read_bytes() == (ref / "csv" / "rejects.csv").read_bytes()
    assert pq.read_table(vec / "parquet" / "ledger.parquet").equals(
        pq.read_table(ref / "parquet" / "ledger.parquet")
    )
    summary = json.loads((vec / "csv" / "summary.json").read_text())
    assert summary.pop("engine") == {"name": "vector", "fallback_lines": 0}
    assert summary == json.loads((ref / "csv" / "summary.json").read_text())


def test_vector_examples__parquet_input_settles_the_same(tmp_path: Path) -> None:
    """Typed Parquet input (decimals, dates, dictionary text), read column by column, settles the same."""
    from aso_rules.data.generate import generate_claims, generate_enrollment

    rs = aso_rules.load(str(ROOT / "rulesets" / "acme-2026.aso"))
    enrollment = generate_enrollment(120, rs.plan_year, 3)
    claims = generate_claims(enrollment, 3_000, rs.plan_year, 3)
    pq.write_table(claims, tmp_path / "claims.parquet")
    pq.write_table(enrollment, tmp_path / "enrollment.parquet")
    vec = assert_same(rs, str(tmp_path / "claims.parquet"), str(tmp_path / "enrollment.parquet"))
    assert vec.summary["counts"]["settled"] == 3_000
