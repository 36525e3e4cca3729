"""Claims input for the distributed engine: partitions with global row numbers, duplicate claim ids
found across partitions, and each partition read, validated and split by family bucket.

On entry: a Parquet dataset (a folder of ``*.parquet`` files, read in sorted path order, or one
file), a Dask DataFrame, or anything ``aso_rules.data.source.to_arrow`` reads (sliced on the
client). On exit: ``InputPart`` descriptions small enough to ship to workers, each with the global
1-based row number of its first row; ``repeated_ids`` (claim id -> first global row, only ids seen
more than once in the whole input); per partition a ``SplitPart``: the rows repeating an id rejected,
the others split into family buckets (``stable_hash``, 64-bit FNV-1a, of the cleaned family key) as
Arrow rows with their global row numbers, identifier columns as plain text; and, for the records
path, per bucket a ``ReadBucket``: records and rejects numbered by global input row exactly as
``aso_rules.data.readers.read_claims`` numbers the whole input.

Text is cleaned and hashed with Arrow compute and a numba loop over the string buffers: no Python
object per row, except for the rows that repeat a claim id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from aso_rules.data.ids import ids_as_text
from aso_rules.data.readers import read_claims
from aso_rules.data.records import ClaimRecord, MemberRecord, Reject
from aso_rules.data.source import InputError, column_text, to_arrow
from aso_rules.model import Ruleset
from aso_rules.settle.distributed import kernels
from aso_rules.settle.vector.columns import MemberColumns
from aso_rules.settle.vector.reader import WHITESPACE

ROWS_PER_PART = 1_000_000  # a partition's target size when splitting one file by row groups


@attrs.frozen
class InputPart:
    """One input partition: row groups of a Parquet file (``path``) or an in-memory slice
    (``path is None``: the data travels as the task's argument). ``first_row`` is global, 1-based."""

    index: int
    rows: int
    first_row: int
    path: str | None = None
    row_groups: tuple[int, ...] | None = None  # None: the whole file


@attrs.frozen(eq=False)
class SplitPart:
    """One partition split by family bucket: per bucket the input rows (Arrow, as given) and their
    global row numbers; the rows rejected as repeated claim ids; rows read; the column names."""

    buckets: tuple[tuple[pa.Table, npt.NDArray[np.int64]], ...]
    rejects: tuple[Reject, ...]
    received: int
    columns: tuple[str, ...]


@attrs.frozen(eq=False)
class ReadBucket:
    """A bucket's rows validated. Rejects carry global input rows; records keep the reader's row
    within the bucket (``rows[record.row - 1]`` is the global row): the mapping is increasing, so
    every order by row is the same, and renumbering a million records cost more than settling them."""

    claims: list[ClaimRecord]
    rejects: list[Reject]
    columns: tuple[str, ...]
    rows: npt.NDArray[np.int64]


def parquet_files(path: str | Path) -> list[Path]:
    """The Parquet files of a dataset folder in sorted path order (or the one file given)."""
    root = Path(path)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(f"{root}: no such file or folder")
    files = sorted(p for p in root.rglob("*.parquet") if p.is_file() and not p.name.startswith((".", "_")))
    if not files:
        raise InputError(f"{root}: no .parquet files in the folder")
    return files


def parquet_parts(path: str | Path, rows_per_part: int = ROWS_PER_PART) -> list[InputPart]:
    """Partitions of a Parquet dataset: whole files, large files split at row-group boundaries."""
    parts: list[InputPart] = []
    first = 1
    for file in parquet_files(path):
        try:
            meta = pq.ParquetFile(file).metadata
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{file}: cannot read Parquet: {exc}") from exc
        groups: list[int] = []
        rows = 0
        for g in range(meta.num_row_groups):
            groups.append(g)
            rows += meta.row_group(g).num_rows
            if rows >= rows_per_part and g + 1 < meta.num_row_groups:
                parts.append(InputPart(len(parts), rows, first, str(file), tuple(groups)))
                first += rows
                groups, rows = [], 0
        if rows or not parts or parts[-1].path != str(file):
            whole = len(groups) == meta.num_row_groups
            parts.append(InputPart(len(parts), rows, first, str(file), None if whole else tuple(groups)))
            first += rows
    return parts


def read_dataset(path: str | Path) -> pa.Table:
    """A whole Parquet dataset as one table, rows in the distributed engine's order (for comparison
    with the single-machine engines and for small inputs)."""
    tables = [ids_as_text(pq.read_table(f)) for f in parquet_files(path)]
    return pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]


def load_part(part: InputPart, data: Any = None, columns: Sequence[str] | None = None) -> pa.Table:
    """The partition's rows as Arrow (read from storage on the worker, or converted from ``data``),
    optionally only some ``columns``."""
    if part.path is None:
        table = to_arrow(data)
        return table.select(list(columns)) if columns is not None else table
    try:
        if part.row_groups is None:
            return ids_as_text(pq.read_table(part.path, columns=None if columns is None else list(columns)))
        file = pq.ParquetFile(part.path)
        return ids_as_text(
            file.read_row_groups(list(part.row_groups), columns=None if columns is None else list(columns))
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{part.path}: cannot read Parquet: {exc}") from exc


def clean_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A column as the readers' cleaned text (``fields.cleaned(source.column_text(...))``): stripped
    of exactly what ``str.strip`` removes, blanks and nulls as null; one string array, no Python
    objects for text, dictionary or typed columns of few distinct values."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(arr.type):
        return clean_text(arr.dictionary).take(arr.indices)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pa.array(column_text(pa.chunked_array([arr], type=arr.type)), type=pa.string())
    trimmed = pc.utf8_trim(arr, WHITESPACE)
    blank = pc.equal(trimmed, "").fill_null(True)
    out: pa.Array = pc.if_else(blank, pa.scalar(None, trimmed.type), trimmed)
    return out


def stable_hash(text: pa.Array) -> npt.NDArray[np.uint64]:
    """A hash of each text value (null as the empty text) that is the same in every process and on
    every machine (Python's ``hash`` is not): 64-bit FNV-1a of the UTF-8 bytes."""
    arr = text.fill_null("") if text.null_count else text
    if pa.types.is_large_string(arr.type):
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    else:
        arr = arr.cast(pa.string())
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    offsets = offsets[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
    buffer = arr.buffers()[2]
    data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(1, dtype=np.uint8)
    out = np.empty(len(arr), dtype=np.uint64)
    kernels.fnv1a(offsets, data, out)
    return out


def _bucket_groups(bucket: npt.NDArray[np.int64], n_buckets: int) -> list[npt.NDArray[np.int64]]:
    """Row positions of each bucket, ascending within a bucket (one stable sort, no mask per bucket)."""
    perm = np.argsort(bucket, kind="stable")
    ends = np.cumsum(np.bincount(bucket, minlength=n_buckets))
    starts = ends - np.bincount(bucket, minlength=n_buckets)
    return [perm[a:b].astype(np.int64) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def _claim_ids(table: pa.Table) -> pa.Array:
    if "claim_id" not in table.column_names:
        raise InputError("claims: missing required column claim_id")
    return clean_text(table.column("claim_id"))


def scan_ids(part: InputPart, n_buckets: int, data: Any = None) -> tuple[pa.Table, ...]:
    """The partition's claim ids with their global rows and hashes, split into ``n_buckets`` by id
    hash (columns ``claim_id``, ``row``, ``hash``)."""
    try:
        table = load_part(part, data, columns=["claim_id"])
    except (KeyError, pa.ArrowInvalid) as exc:
        raise InputError("claims: missing required column claim_id") from exc
    ids = _claim_ids(table)
    rows = np.arange(part.first_row, part.first_row + table.num_rows, dtype=np.int64)
    present = np.flatnonzero(np.asarray(ids.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_))
    ids = ids.take(pa.array(present))
    rows = rows[present]
    hashes = stable_hash(ids)
    bucket = (hashes % np.uint64(n_buckets)).astype(np.int64)
    out = []
    for idx in _bucket_groups(bucket, n_buckets):
        out.append(
            pa.table(
                {
                    "claim_id": ids.take(pa.array(idx)),
                    "row": pa.array(rows[idx]),
                    "hash": pa.array(hashes[idx]),
                }
            )
        )
    return tuple(out)


def pick(values: Sequence[Any], i: int) -> Any:
    """One element of a task's tuple result (its own task, so only that element travels)."""
    return values[i]


def repeated_ids(*pieces: pa.Table) -> dict[str, int]:
    """Claim ids seen on more than one row among ``pieces`` (one id-hash bucket of every
    partition), each with its first row. Equal hashes find the candidates (a sort of integers);
    only their ids are compared as text."""
    if not pieces:
        return {}
    hashes = np.concatenate([np.asarray(p.column("hash").to_numpy(), dtype=np.uint64) for p in pieces])
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return {}
    shared = np.zeros(len(ordered), dtype=np.bool_)
    shared[1:] |= same
    shared[:-1] |= same
    candidates = np.sort(order[shared])
    table = pa.concat_tables([p.select(["claim_id", "row"]) for p in pieces]).take(pa.array(candidates))
    first: dict[str, int] = {}
    count: dict[str, int] = {}
    for cid, row in zip(table.column("claim_id").to_pylist(), table.column("row").to_pylist(), strict=True):
        first[cid] = min(row, first.get(cid, row))
        count[cid] = count.get(cid, 0) + 1
    return {cid: first[cid] for cid in first if count[cid] > 1}


def family_lookup(members: MemberColumns) -> pa.Table:
    """Each enrolled member's family, as Arrow (``member_id``, ``family_id``): what ``split_part``
    needs of the enrollment to bucket a row that gives no ``family_id``."""
    names = pa.array(members.family_names or [""], type=pa.string())
    return pa.table(
        {
            "member_id": pa.array(members.ids, type=pa.string()),
            "family_id": names.take(pa.array(members.family)),
        }
    )


def family_keys(table: pa.Table, lookup: pa.Table) -> pa.Array:
    """The family each row belongs to: its ``family_id`` if given, else its member's family. A row
    whose family is unknown goes with the empty key; any row the reader accepts gets exactly its
    record's ``family_id`` here (a given family must match the enrollment's)."""
    n = table.num_rows
    given = (
        clean_text(table.column("family_id"))
        if "family_id" in table.column_names
        else pa.nulls(n, type=pa.string())
    )
    if given.null_count and "member_id" in table.column_names:
        mids = clean_text(table.column("member_id"))
        at = pc.index_in(mids, value_set=lookup.column("member_id").combine_chunks())
        of_member = lookup.column("family_id").combine_chunks().take(at)
        given = pc.coalesce(given, of_member.cast(given.type))
    out: pa.Array = given.fill_null("")
    return out


# identifier columns: a dictionary-typed one travels as plain text (its dictionary is as long as the
# partition's distinct ids, and every bucket's slice of it would carry all of it)
_PLAIN_IDS = ("claim_id", "member_id", "family_id")


def _plain_ids(table: pa.Table) -> pa.Table:
    for name in _PLAIN_IDS:
        if name in table.column_names:
            col = table.column(name)
            if pa.types.is_dictionary(col.type):
                table = table.set_column(
                    table.schema.get_field_index(name), name, col.cast(col.type.value_type)
                )
    return table


def split_part(
    part: InputPart,
    lookup: pa.Table,
    repeated: Mapping[str, int],
    n_buckets: int,
    data: Any = None,
) -> SplitPart:
    """Reject rows repeating a claim id first seen on another row (naming that row, as
    ``read_claims`` does) and split the others by family bucket, as Arrow rows (cheap to ship).
    ``lookup`` is ``family_lookup`` of the enrollment."""
    table = load_part(part, data)
    n = table.num_rows
    global_rows = np.arange(part.first_row, part.first_row + n, dtype=np.int64)
    rejects: list[Reject] = []
    if repeated:
        ids = _claim_ids(table)
        known = pa.array(list(repeated), type=pa.string())
        hit = np.flatnonzero(
            np.asarray(pc.is_in(ids, value_set=known).fill_null(False).to_numpy(zero_copy_only=False))
        )
        dup = np.zeros(n, dtype=bool)
        for j, cid in zip(hit.tolist(), ids.take(pa.array(hit)).to_pylist(), strict=True):
            first = repeated[cid]
            if first != global_rows[j]:
                dup[j] = True
                rejects.append(
                    Reject(
                        row=int(global_rows[j]),
                        claim_id=cid,
                        reason=f"duplicate_claim_id: {cid} first seen on row {first}",
                    )
                )
        if dup.any():
            table = table.filter(pa.array(~dup))
            global_rows = global_rows[~dup]
    bucket = (stable_hash(family_keys(table, lookup)) % np.uint64(n_buckets)).astype(np.int64)
    plain = _plain_ids(table)
    pieces = []
    for idx in _bucket_groups(bucket, n_buckets):
        pieces.append((plain.take(pa.array(idx)), global_rows[idx]))
    return SplitPart(
        buckets=tuple(pieces),
        rejects=tuple(rejects),
        received=n,
        columns=tuple(str(c) for c in table.column_names),
    )


def read_bucket(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    pieces: Sequence[tuple[pa.Table, npt.NDArray[np.int64]]],
) -> ReadBucket:
    """Validate a bucket's rows with ``read_claims`` (see ``ReadBucket`` for the row numbers)."""
    tables = [t for t, _ in pieces]
    table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    rows = np.concatenate([r for _, r in pieces]) if pieces else np.zeros(0, dtype=np.int64)
    got = read_claims(table, ruleset, members)
    row_of = rows.tolist()
    rejects = [attrs.evolve(r, row=row_of[r.row - 1]) for r in got.rejects]
    return ReadBucket(claims=list(got.claims), rejects=rejects, columns=got.columns, rows=rows)


def bucket_of(split: SplitPart, b: int) -> tuple[pa.Table, npt.NDArray[np.int64]]:
    """One family bucket of a split partition (its own task, so only that bucket travels)."""
    return split.buckets[b]


def split_summary(split: SplitPart) -> tuple[tuple[Reject, ...], int, tuple[str, ...]]:
    """The client's part of a split partition: repeated-id rejects, rows read, column names."""
    return split.rejects, split.received, split.columns
