"""The family stage on columns: each bucket's summary equals the records path's, rejects carry
global rows, ledger parts are whole after a rewrite, and the input stages (cleaned text, the
process-independent hash, family keys) equal the readers' Python definitions."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules.data.fields import cleaned
from aso_rules.data.source import column_text
from aso_rules.settle import Settlement
from aso_rules.settle.distributed import read_ledger, settle_dask
from aso_rules.settle.distributed.columnar import (
    ColumnState,
    settle_bucket_columns,
    write_column_ledger,
)
from aso_rules.settle.distributed.inputs import (
    InputPart,
    SplitPart,
    clean_text,
    family_keys,
    family_lookup,
    repeated_ids,
    scan_ids,
    split_part,
    stable_hash,
)
from aso_rules.settle.distributed.local import ORDER_KEY, BucketSummary, ExcessEvent, settle_bucket
from aso_rules.settle.vector import vector_adjudicate
from aso_rules.settle.vector.reader import FastEnrollment, read_enrollment_fast
from tests.dask.inline import InlineClient
from tests.dask.support import VARIANTS, book, dirty, single_machine, variant, write_dataset

EMPLOYEES, LINES, SEED = 250, 3_000, 7
BUCKETS = 3


@cache
def enrolled(name: str) -> FastEnrollment:
    return read_enrollment_fast(book(EMPLOYEES, LINES, SEED)[0], variant(name))


@cache
def split(name: str) -> SplitPart:
    table = dirty(book(EMPLOYEES, LINES, SEED)[1])
    part = InputPart(0, table.num_rows, 1)
    return split_part(part, family_lookup(enrolled(name).members), {}, BUCKETS, table)


@cache
def reference(name: str) -> Settlement:
    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    return single_machine(variant(name), dirty(claims), enrollment)


def _event_key(e: ExcessEvent) -> tuple[object, ...]:
    """An event without its line index (the paths index lines in different orders)."""
    return (e.tier, e.paid, e.claim_id, e.claimant, e.excess, e.bucket, e.line, e.aggregate, e.month)


def _same_summary(got: BucketSummary, want: BucketSummary) -> None:
    for field in ("rejects", "columns", "settled", "paid", "billed", "allowed", "member_paid"):
        assert getattr(got, field) == getattr(want, field), field
    assert (got.plan_paid, got.by_line, got.unknown) == (want.plan_paid, want.by_line, want.unknown)
    assert dict(got.activity) == dict(want.activity)
    assert got.aggregate == want.aggregate
    assert len(got.tiers) == len(want.tiers)
    for g, w in zip(got.tiers, want.tiers, strict=True):
        assert (g.eligible_paid, g.claimants) == (w.eligible_paid, w.claimants)
        assert sorted(map(_event_key, g.events)) == sorted(map(_event_key, w.events))


@pytest.mark.parametrize("name", VARIANTS)
def test_bucket__columns_summary_equals_records_summary(name: str) -> None:
    """Per bucket, the columnar stage reports the records path's counts, totals, fee activity,
    claimants, excess events (same paid date, claim id, claimant, excess, month) and aggregate sums,
    under every cross-family setting; and the data gives events and listed claimants to compare."""
    rs = variant(name)
    en = enrolled(name)
    events = 0
    for b in range(BUCKETS):
        piece = split(name).buckets[b]
        got = settle_bucket_columns(b, rs, en, None, piece).summary
        want = settle_bucket(b, rs, dict(en.records), vector_adjudicate, piece).summary
        _same_summary(got, want)
        events += sum(len(t.events) for t in got.tiers)
    assert events > 50


def test_bucket__event_index_is_the_line_in_the_bucket_columns() -> None:
    """An excess event's ``index`` names its own line in the bucket's columns (the ledger stage puts
    the specific share there)."""
    rs = variant("plain")
    en = enrolled("plain")
    state = settle_bucket_columns(0, rs, en, None, split("plain").buckets[0])
    events = [e for t in state.summary.tiers for e in t.events]
    assert events
    ids = state.read.claims.claim_id.to_pylist()
    for e in events:
        assert ids[e.index] == e.claim_id
        assert int(state.read.claims.paid[e.index]) == (e.paid - __import__("datetime").date(1970, 1, 1)).days


def test_bucket__rejects_carry_global_rows() -> None:
    """A bucket given rows numbered from a later partition reports each reject with its global row
    and the readers' reason (unknown member, negative amount, missing paid date)."""
    rs = variant("plain")
    en = enrolled("plain")
    table = dirty(book(EMPLOYEES, LINES, SEED)[1]).slice(0, 40)
    rows = np.arange(10_001, 10_041, dtype=np.int64)
    state = settle_bucket_columns(
        0, rs, en, None, (table.slice(0, 25), rows[:25]), (table.slice(25), rows[25:])
    )
    rejects = state.summary.rejects
    assert [r.row for r in rejects] == [10_008, 10_012, 10_014, 10_018]
    assert "member" in rejects[0].reason and "billed" in rejects[2].reason and "paid" in rejects[3].reason
    assert state.summary.settled == 36
    assert state.rows[state.read.claims.row - 1].tolist() == [
        r for r in rows.tolist() if r not in (10_008, 10_012, 10_014, 10_018)
    ]


def test_bucket__empty_bucket_settles_nothing(tmp_path: Path) -> None:
    """A bucket with no rows (more buckets than families) has zero totals and writes an empty part
    with the ledger's columns."""
    rs = variant("asd_counts")
    en = enrolled("asd_counts")
    empty = dirty(book(EMPLOYEES, LINES, SEED)[1]).slice(0, 0)
    state = settle_bucket_columns(4, rs, en, None, (empty, np.zeros(0, dtype=np.int64)))
    assert state.summary.settled == 0 and not state.summary.rejects
    assert all(not t.events for t in state.summary.tiers)
    assert write_column_ledger(state, {}, str(tmp_path)) == 0
    part = pq.read_table(tmp_path / "part-00004.parquet")
    assert part.num_rows == 0 and "specific_reimbursed" in part.column_names


def test_ledger__column_part_rewritten_whole(tmp_path: Path) -> None:
    """Writing a columnar part twice (a retried task) leaves one complete part and no temporary
    file; the shares given land on their lines."""
    rs = variant("plain")
    en = enrolled("plain")
    state: ColumnState = settle_bucket_columns(1, rs, en, None, split("plain").buckets[1])
    event = next(e for t in state.summary.tiers for e in t.events)
    from decimal import Decimal

    for _ in range(2):
        write_column_ledger(state, {event.index: Decimal("12.34")}, str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["part-00001.parquet"]
    part = pq.read_table(tmp_path / "part-00001.parquet")
    shares = part.column("specific_reimbursed").to_pylist()
    assert shares[event.index] == Decimal("12.34")
    assert sum(1 for v in shares if v) == 1
    assert part.column("row").to_pylist() == sorted(part.column("row").to_pylist())


def test_dask__repeated_ids_and_families_across_files(tmp_path: Path) -> None:
    """Claim ids repeated in other files (one whose first row is itself rejected) are rejected naming
    their first row, and families whose lines lie in several files settle whole in one part: the
    result equals the reference engine's on the concatenated files."""
    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    table = dirty(claims)
    folder = write_dataset(table, tmp_path / "claims", files=5)
    fams = pa.concat_tables([pq.read_table(f).select(["family_id"]) for f in sorted(folder.iterdir())])
    files_of: dict[str, set[int]] = {}
    for k, f in enumerate(sorted(folder.iterdir())):
        for fam in set(pq.read_table(f).column("family_id").to_pylist()):
            files_of.setdefault(fam, set()).add(k)
    assert fams.num_rows == table.num_rows
    assert sum(len(v) > 1 for v in files_of.values()) > 100
    got = settle_dask(
        variant("plain"), folder, enrollment, client=InlineClient(), out_dir=tmp_path / "o", buckets=4
    )
    want = reference("plain")
    reasons = got.rejects.column("reason").to_pylist()
    assert sum("first seen on row" in r for r in reasons) == 4
    assert got.summary == want.summary
    assert got.rejects.equals(want.rejects)
    assert got.ledger.equals(want.ledger)
    part_of: dict[str, set[str]] = {}
    for p in sorted((tmp_path / "o" / "ledger").glob("part-*.parquet")):
        for fam in set(pq.read_table(p).column("family_id").to_pylist()):
            part_of.setdefault(fam, set()).add(p.name)
    assert all(len(v) == 1 for v in part_of.values())


def test_dask__many_buckets_and_records_path_equal_reference(tmp_path: Path) -> None:
    """More buckets than the data fills (empty buckets) on columns, and the records path with the
    vector records adjudicator, both give the reference engine's results."""
    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    want = reference("asd_counts")
    for options in ({"buckets": 64}, {"buckets": 5, "adjudicator": vector_adjudicate}):
        got = settle_dask(
            variant("asd_counts"),
            dirty(claims),
            enrollment,
            client=InlineClient(),
            out_dir=tmp_path / str(len(options)),
            rows_per_part=700,
            **options,
        )
        assert got.summary == want.summary
        assert got.rejects.equals(want.rejects)
        assert got.ledger.equals(want.ledger)


def test_dask__both_adjudicators_refused() -> None:
    """A records adjudicator and a column adjudicator together are a usage error."""
    enrollment, claims = book(EMPLOYEES, LINES, SEED)
    from aso_rules.settle.vector.engine import adjudicate_columns

    with pytest.raises(ValueError, match="not both"):
        settle_dask(
            variant("plain"),
            claims,
            enrollment,
            client=InlineClient(),
            adjudicator=vector_adjudicate,
            column_adjudicator=adjudicate_columns,
        )


# --------------------------------------------------------------------------- input stages

TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list(" \t\u00a0\u2003ab-9é€\n")), max_size=6))


def _fnv(text: str) -> int:
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) % (1 << 64)
    return h


@settings(max_examples=60, deadline=None)
@given(values=st.lists(TEXT, max_size=30), start=st.integers(0, 5), large=st.booleans())
def test_hash__is_fnv1a_of_the_utf8_text(values: list[str | None], start: int, large: bool) -> None:
    """``stable_hash`` is 64-bit FNV-1a of each value's UTF-8 bytes (null as empty), for sliced
    arrays and large strings too: the same in every process."""
    arr = pa.array(values, type=pa.large_string() if large else pa.string()).slice(start)
    want = [_fnv(v or "") for v in values[start:]]
    assert stable_hash(arr).tolist() == want


@settings(max_examples=60, deadline=None)
@given(values=st.lists(TEXT, max_size=30), encoded=st.booleans())
def test_clean_text__equals_the_readers_cleaned_text(values: list[str | None], encoded: bool) -> None:
    """``clean_text`` gives ``fields.cleaned(source.column_text(column))`` for plain and dictionary
    columns."""
    arr = pa.array(values, type=pa.string())
    col = arr.dictionary_encode() if encoded else arr
    assert clean_text(pa.chunked_array([col])).to_pylist() == cleaned(column_text(pa.chunked_array([arr])))


def test_clean_text__typed_columns_as_the_readers_text() -> None:
    """Integer and date columns are cleaned as the readers' text of them."""
    ints = pa.chunked_array([pa.array([1, None, -20])])
    assert clean_text(ints).to_pylist() == ["1", None, "-20"]
    assert clean_text(ints).to_pylist() == cleaned(column_text(ints))


def _keys_by_python(table: pa.Table, members: dict[str, str]) -> Sequence[str]:
    fids = cleaned(column_text(table.column("family_id")))
    mids = cleaned(column_text(table.column("member_id")))
    return [f or (members.get(m) if m is not None else None) or "" for f, m in zip(fids, mids, strict=True)]


def test_family_keys__given_family_else_the_members() -> None:
    """A row's family key is its cleaned ``family_id``, else its member's family, else empty."""
    en = enrolled("plain")
    lookup = family_lookup(en.members)
    some = en.members.ids[:3]
    table = pa.table(
        {
            "member_id": [some[0], f" {some[1]} ", "NOBODY", None, some[2]],
            "family_id": [" F-1 ", "", None, None, "  "],
        }
    )
    by_member = dict(
        zip(lookup.column("member_id").to_pylist(), lookup.column("family_id").to_pylist(), strict=True)
    )
    want = _keys_by_python(table, by_member)
    assert family_keys(table, lookup).to_pylist() == want
    assert want[0] == "F-1" and want[1] == by_member[some[1]] and want[2:4] == ["", ""]


def test_ledger__part_names_its_order_column_and_reads_back_plain(tmp_path: Path) -> None:
    """A part's Parquet metadata names its row column (``_row`` when the input has a ``row``
    column), and its text columns read back as plain strings, as the single-machine ledger's."""
    rs = variant("plain")
    en = enrolled("plain")
    table = dirty(book(EMPLOYEES, LINES, SEED)[1]).slice(0, 50)
    table = table.append_column("row", pa.array([f"r{i}" for i in range(50)]))
    rows = np.arange(1, 51, dtype=np.int64)
    state = settle_bucket_columns(2, rs, en, None, (table, rows))
    write_column_ledger(state, {}, str(tmp_path))
    part = pq.read_table(tmp_path / "part-00002.parquet")
    assert part.schema.metadata == {ORDER_KEY: b"_row"}
    assert part.column_names[-2:] == ["aggregate_eligible", "_row"]
    assert part.column("row").to_pylist()[:2] == ["r0", "r1"]
    assert all(not pa.types.is_dictionary(t) for t in part.schema.types)
    assert read_ledger(tmp_path).column_names[-1] == "aggregate_eligible"


def test_repeated_ids__equal_hashes_of_different_ids_are_not_repeats() -> None:
    """Repeated ids are found across pieces with their first row; two different ids that share a
    hash (forced here) are compared as text and not reported."""
    one = pa.table(
        {
            "claim_id": ["A", "B", "C"],
            "row": pa.array([5, 9, 2], pa.int64()),
            "hash": pa.array([1, 2, 3], pa.uint64()),
        }
    )
    two = pa.table(
        {
            "claim_id": ["B", "X", "A", "B"],
            "row": pa.array([4, 11, 7, 30], pa.int64()),
            "hash": pa.array([2, 3, 1, 2], pa.uint64()),
        }
    )
    assert repeated_ids(one, two) == {"A": 5, "B": 4}
    assert repeated_ids(one) == {}
    assert repeated_ids() == {}


def test_scan_ids__hash_buckets_cover_every_present_id() -> None:
    """Each present (cleaned) claim id lands in exactly one id bucket, with its global row and hash;
    blank ids are left to the readers."""
    table = pa.table({"claim_id": [" A ", "", None, "B", "A"]})
    got = scan_ids(InputPart(0, 5, 101), 3, table)
    rows = sorted(
        (cid, row)
        for t in got
        for cid, row in zip(t["claim_id"].to_pylist(), t["row"].to_pylist(), strict=True)
    )
    assert rows == [("A", 101), ("A", 105), ("B", 104)]
    for b, t in enumerate(got):
        assert all(h % 3 == b for h in t["hash"].to_pylist())
