"""The vector reader reads in batches: any batch size, any file type, the reference reader's result.

Claims are read ``batch_rows`` rows at a time (Parquet by record batch, CSV through the streaming
reader); duplicates across batches, rows the fast checks send to the reference row function and
the claim-id order must not depend on where the batches cut the input.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.data.readers import read_claims, read_enrollment
from aso_rules.data.records import Reject
from aso_rules.data.writers import write_csv
from aso_rules.settle.vector.columns import str_rank
from aso_rules.settle.vector.reader import read_claims_fast, read_enrollment_fast
from aso_rules.settle.vector.strindex import StringIndex
from tests.strategies.scenarios import settle_scenarios

EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _write(table: pa.Table, folder: Path, kind: str) -> Any:
    if kind == "csv":
        return write_csv(table, folder / "claims.csv")
    if kind == "csv.gz":  # no size bound on the rows: the columns grow by chunks
        text = write_csv(table, folder / "plain.csv").read_bytes()
        path = folder / "claims.csv.gz"
        path.write_bytes(gzip.compress(text))
        return path
    if kind == "parquet":
        path = folder / "claims.parquet"
        pq.write_table(table, path, row_group_size=7)
        return path
    return table


def _same_as_reference(rs: Any, claims: Any, enrollment: pa.Table, batch_rows: int) -> None:
    members = read_enrollment(enrollment, rs).by_id()
    ref = read_claims(claims, rs, members)
    fe = read_enrollment_fast(enrollment, rs)
    fast = read_claims_fast(claims, rs, fe.members, fe.records, batch_rows=batch_rows)
    assert fast.rejects == ref.rejects
    assert fast.received == ref.received
    got = fast.claims
    assert got.n == len(ref.claims)
    for i, want in enumerate(ref.claims):
        assert got.record(i, want.extra) == want
    ids = got.claim_id.to_pylist()
    assert got.cid_rank.tolist() == str_rank(ids).tolist()
    assert got.member_id.to_pylist() == [c.member_id for c in ref.claims]


@EXAMPLES
@given(
    scenario=settle_scenarios(),
    kind=st.sampled_from(["table", "csv", "csv.gz", "parquet"]),
    batch_rows=st.sampled_from([1, 2, 5, 1 << 20]),
)
def test_read_claims_fast__any_batch_size_gives_the_reference_result(
    tmp_path_factory: pytest.TempPathFactory, scenario: Any, kind: str, batch_rows: int
) -> None:
    """Rejects (rows, reasons) and accepted lines equal the reference reader's, whatever the batches."""
    rs, claims, enrollment = scenario
    source = _write(claims, tmp_path_factory.mktemp("claims"), kind)
    _same_as_reference(rs, source, enrollment, batch_rows)


@EXAMPLES
@given(settle_scenarios(corrupt=False), st.randoms(use_true_random=False), st.sampled_from([1, 3]))
def test_read_claims_fast__ids_in_any_order_and_repeated_across_batches(
    scenario: Any, rnd: Any, batch_rows: int
) -> None:
    """Shuffled rows and ids repeated far apart (other batches) are read as the reference reads them."""
    rs, claims, enrollment = scenario
    if claims.num_rows < 2:
        return
    order = list(range(claims.num_rows))
    rnd.shuffle(order)
    claims = claims.take(pa.array(order))
    ids = claims.column("claim_id").to_pylist()
    ids[-1] = ids[0]  # the last row repeats the first row's id
    claims = claims.set_column(claims.column_names.index("claim_id"), "claim_id", pa.array(ids))
    _same_as_reference(rs, claims, enrollment, batch_rows)


def test_read_claims_fast__a_ragged_csv_row_is_rejected_alone(tmp_path: Path) -> None:
    """A CSV row with too many fields is rejected with its file line; the file is still read."""
    from tests.strategies.scenarios import CLAIM_COLUMNS

    path = tmp_path / "claims.csv"
    path.write_text(",".join(CLAIM_COLUMNS) + "\n" + ",".join(["x"] * (len(CLAIM_COLUMNS) + 2)) + "\n")
    import aso_rules

    rs = aso_rules.load(Path(__file__).resolve().parents[2] / "rulesets" / "acme-2026.aso")
    fe = read_enrollment_fast(Path(__file__).resolve().parents[2] / "examples" / "acme-enrollment.csv", rs)
    got = read_claims_fast(path, rs, fe.members, fe.records)
    assert got.received == 1 and got.claims.n == 0
    width = len(CLAIM_COLUMNS)
    assert got.rejects == (
        Reject(
            row=1,
            claim_id="",
            reason=f"bad_field_count: line 2 has {width + 2} fields, the header {width}",
            line=2,
        ),
    )


@settings(deadline=None)  # the first call loads the compiled probe
@given(
    st.lists(st.text(max_size=6), max_size=30),
    st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=30),
    st.integers(0, 3),
)
def test_string_index__finds_what_a_dict_finds(
    values: list[str], queries: list[str | None], cut: int
) -> None:
    """Positions of exact (byte for byte) matches, the first of repeated values; -1 for absent or null."""
    first: dict[str, int] = {}
    for k, v in enumerate(values):
        first.setdefault(v, k)
    index = StringIndex(pa.array(values, type=pa.string()).slice(0))
    queries = [*queries, *values[:2]]
    arr = pa.array(["pad"] * cut + queries, type=pa.string()).slice(cut)  # a non-zero offset
    want = [-1 if q is None else first.get(q, -1) for q in queries]
    assert index.find(arr).tolist() == want
    assert index.find(arr.cast(pa.large_string())).tolist() == want
    assert len(index) == len(values)


def test_string_index__an_offset_index_and_no_bytes_at_all() -> None:
    """An index sliced out of a larger array, and strings that are all empty, still match exactly."""
    index = StringIndex(pa.array(["zz", "a", "bb", "a"]).slice(1))
    assert index.find(pa.array(["a", "bb", "zz", None])).tolist() == [0, 1, -1, -1]
    empty = StringIndex(pa.array(["", ""]))
    assert empty.find(pa.array(["", "x"])).tolist() == [0, -1]
    assert np.array_equal(StringIndex(pa.array([], type=pa.string())).find(pa.array(["a"])), [-1])
