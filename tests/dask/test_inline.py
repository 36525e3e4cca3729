"""The distributed engine's stages and orchestration, run in-process: equal to the single-machine
engine for any partitioning of the input and any number of family buckets."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.data.source import InputError
from aso_rules.settle import Settlement
from aso_rules.settle.distributed import read_ledger, settle_dask
from aso_rules.settle.distributed.local import ORDER_COLUMN, BucketState, write_bucket_ledger
from tests.dask.inline import InlineClient
from tests.dask.support import VARIANTS, book, dirty, single_machine, variant

EMPLOYEES, LINES, SEED = 250, 3_000, 7


@cache
def reference(name: str) -> Settlement:
    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    return single_machine(variant(name), dirty(claims), enrollment)


def _same(got: object, want: Settlement) -> None:
    assert got.summary == want.summary  # type: ignore[attr-defined]
    assert got.rejects.equals(want.rejects)  # type: ignore[attr-defined]
    assert got.ledger.equals(want.ledger)  # type: ignore[attr-defined]


def test_inline__cross_family_stages_are_exercised() -> None:
    """The comparison data crosses families: the ASD is used up across several claimants, the second
    tier reimburses, the aggregate counts lines, and some rows are rejected."""
    s = reference("asd_counts").summary
    first, second = s["specific_stop_loss"]
    assert first["asd_absorbed"] == "60000.00"
    assert sum(c["asd_absorbed"] != "0.00" for c in first["claimants"]) >= 2
    assert second["reimbursed"] != "0.00"
    assert s["aggregate_stop_loss"]["eligible_claims"] != "0.00"
    assert s["counts"]["rejected"] == 8


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(VARIANTS),
    rows_per_part=st.integers(min_value=1, max_value=LINES + 10),
    buckets=st.integers(min_value=1, max_value=9),
)
def test_inline__equals_single_machine_for_any_partitioning(
    tmp_path_factory: pytest.TempPathFactory, name: str, rows_per_part: int, buckets: int
) -> None:
    """Summary, rejects (global row numbers) and ledger equal the single-machine run's whatever the
    input partitions and family buckets, under every cross-family setting."""
    rows_per_part = max(rows_per_part, 97)  # keep the example count of tasks small
    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    got = settle_dask(
        variant(name),
        dirty(claims),
        enrollment,
        client=InlineClient(),
        out_dir=tmp_path_factory.mktemp("out"),
        buckets=buckets,
        rows_per_part=rows_per_part,
    )
    _same(got, reference(name))


def test_inline__parquet_folder_row_groups_as_partitions(tmp_path: Path) -> None:
    """A Parquet dataset split into files and row groups numbers rows across files in sorted order."""
    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    table = dirty(claims)
    folder = tmp_path / "claims"
    folder.mkdir()
    pq.write_table(table.slice(0, 1000), folder / "a.parquet", row_group_size=300)
    pq.write_table(table.slice(1000), folder / "b.parquet", row_group_size=700)
    got = settle_dask(
        variant("plain"),
        folder,
        enrollment,
        client=InlineClient(),
        out_dir=tmp_path / "out",
        rows_per_part=600,
    )
    _same(got, reference("plain"))


def test_inline__missing_column_is_an_input_error(tmp_path: Path) -> None:
    """A dataset without a required column raises the readers' InputError, not a traceback."""
    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    with pytest.raises(InputError, match="claim_id"):
        settle_dask(variant("plain"), claims.drop_columns(["claim_id"]), enrollment, client=InlineClient())


def test_ledger__part_rewritten_whole_and_merged_in_input_order(tmp_path: Path) -> None:
    """Writing a part twice (a retried task) leaves one complete part and no temporary file; the
    parts merge back into the single-machine ledger's input row order."""
    want = reference("plain")
    lines = want.lines
    odd = [r for r in lines if r.claim.row % 2]
    even = [r for r in lines if not r.claim.row % 2]
    columns = dirty(book(EMPLOYEES, LINES, SEED)[1]).column_names
    shares = dict(enumerate(want.specific_shares))
    by_claim = {r.claim.claim_id: i for i, r in enumerate(lines)}
    flags = want.aggregate.line_eligible if want.aggregate is not None else ()
    for bucket, part in enumerate((odd, even)):
        idx = [by_claim[r.claim.claim_id] for r in part]
        agg = tuple(flags[i] for i in idx)
        rows = np.arange(1, max(r.claim.row for r in lines) + 1)  # records numbered by global row
        state = BucketState(bucket=bucket, lines=part, rows=rows, aggregate_eligible=agg, summary=None)  # type: ignore[arg-type]
        part_shares = {j: shares[i] for j, i in enumerate(idx)}
        for _ in range(2):
            write_bucket_ledger(state, part_shares, columns, str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    assert ORDER_COLUMN in pq.read_table(tmp_path / "part-00000.parquet").column_names
    assert read_ledger(tmp_path).equals(want.ledger)


def test_settle__engine_dask_dispatches_to_the_distributed_engine(tmp_path: Path) -> None:
    """``settle(..., engine="dask", ...)`` and ``Ruleset.settle`` run the distributed engine with its
    options and give the single-machine results; ``write`` puts the ledger parts under ``out/ledger``."""
    from aso_rules.settle import settle

    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    rs = variant("plain")
    got = settle(rs, dirty(claims), enrollment, engine="dask", client=InlineClient(), buckets=3)
    _same(got, reference("plain"))
    paths = got.write(tmp_path / "copy", ledger_format="parquet")
    assert read_ledger(paths[0]).equals(reference("plain").ledger)
    again = rs.settle(dirty(claims), enrollment, engine="dask", client=InlineClient(), out_dir=tmp_path / "o")
    assert again.summary == reference("plain").summary


def test_inline__input_sent_twice_rejects_every_second_copy(tmp_path: Path) -> None:
    """The whole input repeated (thousands of repeated ids, shipped once to the workers) rejects each
    later copy naming its first row, exactly as the single-machine reader does."""
    import pyarrow as pa

    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    table = dirty(claims)
    twice = pa.concat_tables([table, table])
    rs = variant("plain")
    want = single_machine(rs, twice, enrollment)
    got = settle_dask(rs, twice, enrollment, client=InlineClient(), out_dir=tmp_path, rows_per_part=2_000)
    assert want.summary["counts"]["rejected"] > LINES
    _same(got, want)
