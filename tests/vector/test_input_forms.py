"""Every input form the public API takes settles to the same result as the Arrow table it holds.

``rs.settle(claims, enrollment)`` takes a ``pyarrow.RecordBatchReader``, a polars ``DataFrame``
(text as categoricals, which polars hands over with uint32 dictionary indices) or ``LazyFrame`` and
anything with ``__arrow_c_stream__`` (a DuckDB relation), besides tables, frames and paths. Forms
whose library is not installed are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import aso_rules
from aso_rules.data.generate import generate_claims, generate_enrollment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data() -> tuple[Any, pa.Table, pa.Table, Any]:
    rs = aso_rules.load(ROOT / "rulesets" / "acme-2026.aso")
    enrollment = generate_enrollment(40, rs.plan_year, 3)
    claims = generate_claims(enrollment, 600, rs.plan_year, 3)
    return rs, claims, enrollment, rs.settle(claims, enrollment, engine="vector")


def _same(got: Any, want: Any) -> None:
    assert got.summary == want.summary
    assert got.ledger.equals(want.ledger)
    assert got.rejects.equals(want.rejects)


def _reader(table: pa.Table) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=100))


@pytest.mark.parametrize("engine", ["vector", "reference"])
def test_record_batch_reader(data: Any, engine: str) -> None:
    rs, claims, enrollment, want = data
    got = rs.settle(_reader(claims), _reader(enrollment), engine=engine)
    assert got.summary["employer_cost"] == want.summary["employer_cost"]
    if engine == "vector":
        _same(got, want)


def test_polars_frames_with_categoricals_and_lazy_frames(data: Any) -> None:
    pl = pytest.importorskip("polars")
    rs, claims, enrollment, want = data
    frame, people = pl.from_arrow(claims), pl.from_arrow(enrollment)
    # dictionary text arrives as categoricals: handed back with uint32 dictionary indices
    assert any(isinstance(t, pl.Categorical) for t in frame.dtypes)
    _same(rs.settle(frame, people, engine="vector"), want)
    _same(rs.settle(frame.lazy(), people.lazy(), engine="vector"), want)


def test_arrow_c_stream_duckdb_relation(data: Any) -> None:
    duckdb = pytest.importorskip("duckdb")
    rs, claims, enrollment, want = data
    con = duckdb.connect()
    con.register("claims_t", claims)
    con.register("enrol_t", enrollment)
    relation = con.sql("select * from claims_t")
    assert hasattr(relation, "__arrow_c_stream__")
    _same(rs.settle(relation, con.sql("select * from enrol_t"), engine="vector"), want)


def test_an_object_without_a_table_is_refused_with_the_forms_named(data: Any) -> None:
    rs, _claims, enrollment, _want = data
    from aso_rules.data.source import InputError

    with pytest.raises(InputError, match="__arrow_c_stream__"):
        rs.settle(object(), enrollment, engine="vector")
