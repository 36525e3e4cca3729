"""Reading and validating claims at column speed, with the reference reader's exact rejects.

On entry: a claims source (path, Arrow table, pandas or polars frame: ``source.to_arrow``), the
compiled ``Ruleset``, the enrolled ``MemberColumns`` and their ``MemberRecord``s. On exit:
``FastClaims``: the accepted lines as ``ClaimColumns`` (input order), the rejects, the number of
rows read, the input column names and the raw Arrow table (for extra columns in the ledger).

Every field is checked with Arrow compute or numpy: typed Parquet columns (decimal, date32, int,
dictionary strings) are taken as they are; text is trimmed of exactly the characters Python's
``str.strip`` removes and matched against strict patterns (``123.45``, ``2025-01-31``). A row that
fails any fast check, or any rule of the reference reader (duplicate id, unknown member or line,
family mismatch, paid before incurred, negative amounts, disability dates and earnings), is handed
to the reference reader's own row function, which either rejects it with its exact reason and row
number or accepts it (a value the fast patterns are too strict for, e.g. ``1,234.50``); so rejects
and accepted values are the reference reader's by construction.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from aso_rules import progress
from aso_rules.data.bounds import MAX_DATA_MONEY, MAX_UNITS
from aso_rules.data.fields import RowError, clean
from aso_rules.data.ids import id_text, ids_as_text
from aso_rules.data.readers import (
    CAUSES,
    CLAIMS_OPTIONAL,
    CLAIMS_REQUIRED,
    DISABILITY_KINDS,
    ClaimsInput,
    _claim,
    _LineKinds,
    _require_columns,
)
from aso_rules.data.records import ClaimRecord, MemberRecord, Reject
from aso_rules.data.source import (
    _CSV_SUFFIXES,
    _PARQUET_SUFFIXES,
    InputError,
    TextTable,
    _csv_header,
    bad_rows,
    check_unique,
    column_text,
    read_csv_rows,
    to_arrow,
    with_lines,
)
from aso_rules.model import Ruleset
from aso_rules.money import to_cents
from aso_rules.settle.vector.columns import (
    NETWORKS,
    NODAY,
    NONE,
    ClaimColumns,
    MemberColumns,
    day_number,
)
from aso_rules.settle.vector.floats import float_money, float_units
from aso_rules.settle.vector.strindex import StringIndex

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# exactly the characters ``str.strip()`` removes (``str.isspace``), as Python 3.11 defines them
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# inside the data ranges of ``data.bounds`` (below $1e9 a line, 1 to 1e6 units); anything else is
# judged by the reference reader's row function (an ``out_of_range`` reject, or a form it accepts)
_MONEY = r"^\d{1,9}(\.\d{1,2})?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_UNITS = r"^([1-9][0-9]{0,5}|1000000)$"
_MAX_CENTS = 100 * int(MAX_DATA_MONEY)


@attrs.frozen(eq=False)
class FastClaims:
    claims: ClaimColumns
    rejects: tuple[Reject, ...]
    received: int
    columns: tuple[str, ...]
    table: pa.Table | None  # the input's extra columns, all rows, kept only when there are some (ledger)

    @property
    def accepted_rows(self) -> I64:
        """0-based input positions of the accepted lines, ascending."""
        out: I64 = self.claims.row.astype(np.int64) - 1
        return out


def _flat(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def _text(arr: pa.Array) -> pa.Array:
    """Any column as a string array with the reference reader's text (``source.column_text``)."""
    if _is_text(arr.type):
        return arr
    return pa.array(column_text(pa.chunked_array([arr])), type=pa.string())


def _is_float(t: pa.DataType) -> bool:
    """float32 or float64: converted in bulk (``floats``); half floats go through their text."""
    return bool(pa.types.is_float32(t) or pa.types.is_float64(t))


def _valid(arr: pa.Array) -> B:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=np.bool_)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)


def _signed(arr: pa.Array) -> pa.Array:
    """Dictionary indices as a signed type (polars hands categoricals over with uint32 indices,
    which cannot hold the -1 a null is filled with)."""
    return arr.cast(pa.int64()) if pa.types.is_unsigned_integer(arr.type) else arr


def _i64(arr: pa.Array, fill: int) -> I64:
    arr = _signed(arr)
    return np.asarray(arr.fill_null(fill).to_numpy(zero_copy_only=False), dtype=np.int64)


def text_codes(arr: pa.Array) -> tuple[I64, list[str]]:
    """Cleaned text as codes into distinct names; NONE for null or empty (``fields.clean``)."""
    if pa.types.is_dictionary(arr.type):
        indices = _i64(arr.indices, -1)
        values = pc.utf8_trim(_text(arr.dictionary), WHITESPACE)
        enc = values.dictionary_encode()
        remap = _i64(enc.indices, -1)
        names = enc.dictionary.to_pylist()
        codes = np.where(indices >= 0, remap[np.maximum(indices, 0)] if len(remap) else -1, -1)
    else:
        enc = pc.utf8_trim(_text(arr), WHITESPACE).dictionary_encode()
        codes = _i64(enc.indices, -1)
        names = enc.dictionary.to_pylist()
    if "" in names:
        codes = np.where(codes == names.index(""), NONE, codes)
    return codes.astype(np.int64), names


def _decimal_cents(arr: pa.Array) -> tuple[I64, B, B] | None:
    """(cents, present, fits) of a decimal column with at most 2 decimals; None if not that simple.
    ``fits`` is False where the cents would pass 1e18 (their cents are 0: never read as such)."""
    t = arr.type
    if not pa.types.is_decimal128(t) or t.scale > 2 or t.scale < 0 or t.precision > 18:
        return None
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * arr.offset : 2 * (arr.offset + len(arr))]
    raw = words[0::2]
    fits = np.abs(raw) < 10 ** (16 + t.scale)
    cents = np.where(fits, raw, 0) * (10 ** (2 - t.scale))
    return cents.astype(np.int64), _valid(arr), fits


def money_column(arr: pa.Array) -> tuple[I64, B, B]:
    """(cents, present, fast): ``fast`` False marks a value the reference reader must judge."""
    n = len(arr)
    simple = _decimal_cents(arr)
    if simple is not None:
        cents, present, fits = simple
        cents = np.where(present, cents, 0)
        return cents, present, fits & (np.abs(cents) < _MAX_CENTS)
    if pa.types.is_integer(arr.type):
        values = _i64(arr, 0)
        present = _valid(arr)
        fast = np.abs(values) < int(MAX_DATA_MONEY)
        return np.where(fast, values, 0) * 100, present, fast
    if _is_float(arr.type):
        return float_money(arr)
    text = pc.utf8_trim(_text(arr), WHITESPACE)
    empty = ~_valid(text) | np.asarray(pc.equal(text, "").fill_null(True), dtype=np.bool_)
    ok = np.asarray(pc.match_substring_regex(text, _MONEY).fill_null(False), dtype=np.bool_)
    cents = np.zeros(n, dtype=np.int64)
    if ok.any():
        idx = np.flatnonzero(ok)
        dec = pc.cast(text.take(pa.array(idx)), pa.decimal128(18, 2))
        got = _decimal_cents(dec)
        assert got is not None
        cents[idx] = got[0]
    return cents, ~empty, ok | empty


def date_column(arr: pa.Array) -> tuple[I64, B, B]:
    """(days since 1970-01-01, present, fast) of a date column (date32 or ISO text)."""
    n = len(arr)
    if pa.types.is_date32(arr.type):
        present = _valid(arr)
        return _i64(arr.cast(pa.int32()), 0), present, np.ones(n, dtype=np.bool_)
    text = pc.utf8_trim(_text(arr), WHITESPACE)
    empty = ~_valid(text) | np.asarray(pc.equal(text, "").fill_null(True), dtype=np.bool_)
    ok = np.asarray(pc.match_substring_regex(text, _DATE).fill_null(False), dtype=np.bool_)
    ok &= ~np.asarray(pc.starts_with(text, "0000").fill_null(False), dtype=np.bool_)
    days = np.zeros(n, dtype=np.int64)
    if ok.any():
        idx = np.flatnonzero(ok)
        sub = text.take(pa.array(idx))
        try:
            parsed = sub.cast(pa.date32())
            days[idx] = _i64(parsed.cast(pa.int32()), 0)
        except pa.ArrowInvalid:
            stamp = pc.strptime(sub, "%Y-%m-%d", "s", error_is_null=True)
            back = pc.strftime(stamp, "%Y-%m-%d")
            same = np.asarray(pc.equal(back, sub).fill_null(False), dtype=np.bool_)
            good = idx[same]
            ok[idx[~same]] = False
            if len(good):
                parsed = stamp.filter(pa.array(same)).cast(pa.date32())
                days[good] = _i64(parsed.cast(pa.int32()), 0)
    return days, ~empty, ok | empty


def units_column(arr: pa.Array) -> tuple[I64, B]:
    """(units, fast): default 1 when empty."""
    n = len(arr)
    if pa.types.is_integer(arr.type):
        values = _i64(arr, 1)
        return values, (values >= 1) & (values <= MAX_UNITS)
    if _is_float(arr.type):
        return float_units(arr)
    text = pc.utf8_trim(_text(arr), WHITESPACE)
    empty = ~_valid(text) | np.asarray(pc.equal(text, "").fill_null(True), dtype=np.bool_)
    ok = np.asarray(pc.match_substring_regex(text, _UNITS).fill_null(False), dtype=np.bool_)
    units = np.ones(n, dtype=np.int64)
    if ok.any():
        idx = np.flatnonzero(ok)
        units[idx] = _i64(text.take(pa.array(idx)).cast(pa.int64()), 1)
    return units, ok | empty


_NUL = -2  # the code of a free-text value holding a NUL character (the reference reader rejects it)


def _has_nul(text: pa.Array) -> B:
    return np.asarray(pc.match_substring(text, "\x00").fill_null(False), dtype=np.bool_)


def _nul_free(add: Callable[[Sequence[str | None]], list[int]]) -> Callable[[list[str]], list[int]]:
    """``add`` of a ``_Table``, giving ``_NUL`` for a name with a NUL character (never added)."""

    def lookup(names: list[str]) -> list[int]:
        codes = add([None if "\x00" in v else v for v in names])
        return [_NUL if "\x00" in v else k for v, k in zip(names, codes, strict=True)]

    return lookup


def _choice(codes: I64, names: Sequence[str], choices: Sequence[str], default: int) -> tuple[I64, B]:
    """Case-insensitive choice codes (index into ``choices``; ``default`` when empty) and fast."""
    lut = np.array(
        [choices.index(v.lower()) if v.lower() in choices else -2 for v in names] or [0], dtype=np.int64
    )
    out = np.where(codes >= 0, lut[np.maximum(codes, 0)], default)
    return out, out != -2


class _Input:
    """An input's columns, one at a time: a Parquet file is read column by column (each Arrow column
    is dropped once converted, so the whole table is never in memory); anything else is read whole
    with ``source.to_arrow``."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.file: pq.ParquetFile | None = None
        self.table: pa.Table | None = None
        path = Path(source) if isinstance(source, str | Path) else None
        if path is not None and path.name.lower().endswith((".parquet", ".pq")) and path.is_file():
            try:
                self.file = pq.ParquetFile(str(path))
            except (pa.ArrowInvalid, OSError):
                self.file = None
        if self.file is not None:
            self.names = tuple(str(n) for n in self.file.schema_arrow.names)
            self.rows = int(self.file.metadata.num_rows)
        else:
            self.table = to_arrow(source)
            self.names = tuple(str(n) for n in self.table.column_names)
            self.rows = self.table.num_rows
        seen: set[str] = set()
        for name in self.names:
            if name in seen:
                raise InputError(f"input: column {name!r} appears more than once")
            seen.add(name)

    def column(self, name: str) -> pa.Array:
        if name not in self.names:
            return pa.nulls(self.rows, type=pa.string())
        if self.table is not None:
            return _flat(self.table.column(name))
        assert self.file is not None
        try:
            return id_text(name, _flat(self.file.read(columns=[name]).column(0)))
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{self.source}: cannot read Parquet: {exc}") from exc

    def columns_table(self, names: Sequence[str]) -> pa.Table:
        """Only the named columns, as a table (the ledger's extra columns)."""
        if self.table is not None:
            return self.table.select(list(names))
        assert self.file is not None
        return self.file.read(columns=list(names))


def _row_texts(
    col: Callable[[str], pa.Array], names: Collection[str], rows: npt.NDArray[np.intp], fields: Sequence[str]
) -> dict[str, list[str | None]]:
    """The text of ``fields`` on ``rows``, for the reference reader's row function (absent: None)."""
    take = pa.array(rows)
    return {
        name: column_text(pa.chunked_array([col(name).take(take)])) if name in names else [None] * len(rows)
        for name in fields
    }


BATCH_ROWS = 1 << 19  # claim rows converted at a time (half a default Parquet row group)

# the text columns the claims reader codes through dictionaries (Parquet hands them over as such)
_CODED = ("member_id", "family_id", "line", "category", "network", "code", "cause")


class _Batches:
    """The claims input as record batches, readable more than once.

    A Parquet file is read batch by batch (``iter_batches``, decoded on all cores; the coded text
    columns as dictionaries) and a CSV file through pyarrow's streaming reader, every column as
    text, exactly as ``source.to_arrow`` parses it; so neither is ever whole in memory. Anything
    else is read with ``source.to_arrow`` and cut into batches. ``rows`` is None until counted
    (CSV).
    """

    def __init__(self, source: Any, batch_rows: int) -> None:
        self.source = source
        self.batch_rows = max(int(batch_rows), 1)
        self.file: pq.ParquetFile | None = None
        self.csv: Path | None = None
        self.table: pa.Table | None = None
        self.rows: int | None = None
        self.rows_at_most: int | None = None
        self.bad: dict[int, str] = {}  # rows of a CSV file that are no rows (``source.bad_rows``)
        path = Path(source) if isinstance(source, str | Path) else None
        name = path.name.lower() if path is not None else ""
        if path is not None and name.endswith(_PARQUET_SUFFIXES) and path.is_file():
            try:
                schema = pq.read_schema(str(path))
                coded = [c for c in _CODED if c in schema.names and _is_text(schema.field(c).type)]
                self.file = pq.ParquetFile(str(path), read_dictionary=coded)
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputError(f"{path}: cannot read Parquet: {exc}") from exc
            self.names = tuple(str(n) for n in self.file.schema_arrow.names)
            self.rows = self.rows_at_most = int(self.file.metadata.num_rows)
        elif path is not None and name.endswith(_CSV_SUFFIXES) and path.is_file():
            try:
                header = _csv_header(path)
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputError(f"{path}: cannot read CSV: {exc}") from exc
            self.csv = path
            self.names = tuple(header)
            if name.endswith((".csv", ".tsv")):
                # every data row holds at least a separator per column or its line end, so the file
                # size bounds the row count: columns are allocated that long and only the pages
                # actually filled are ever touched (no chunks to join, no second copy)
                self.rows_at_most = path.stat().st_size // max(len(header), 1) + 1
        else:
            self.table = to_arrow(source)
            self.bad = bad_rows(self.table)
            self.names = tuple(str(n) for n in self.table.column_names)
            self.rows = self.rows_at_most = self.table.num_rows
        check_unique(self.names, "input")

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        """The batches, decoded one ahead by a second thread while the caller converts one."""
        return _ahead(self._batches())

    def _batches(self) -> Iterator[pa.RecordBatch]:
        if self.file is not None:
            try:
                for batch in self.file.iter_batches(batch_size=self.batch_rows, use_threads=True):
                    yield ids_as_text(batch)
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputError(f"{self.source}: cannot read Parquet: {exc}") from exc
        elif self.csv is not None:
            yield from self._csv_batches(self.csv)
        else:
            assert self.table is not None
            yield from self.table.to_batches(max_chunksize=self.batch_rows)

    def _csv_batches(self, path: Path) -> Iterator[pa.RecordBatch]:
        yielded = 0
        try:
            with pa.input_stream(str(path), compression="detect") as stream:
                reader = pacsv.open_csv(
                    stream,
                    read_options=pacsv.ReadOptions(use_threads=True, block_size=_CSV_BLOCK),
                    parse_options=pacsv.ParseOptions(delimiter="\t" if path.name.endswith(".tsv") else ","),
                    convert_options=pacsv.ConvertOptions(
                        column_types=dict.fromkeys(self.names, pa.string()),
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                    ),
                )
                for batch in reader:
                    for lo in range(0, batch.num_rows, self.batch_rows):
                        piece = batch.slice(lo, self.batch_rows)
                        yielded += piece.num_rows
                        yield piece
                return
        except pa.ArrowInvalid:
            pass  # a row pyarrow cannot read: read the rest record by record, rejecting such rows
        except OSError as exc:
            raise InputError(f"{path}: cannot read CSV: {exc}") from exc
        table = read_csv_rows(path, self.names)  # raises InputError when even this cannot read it
        self.bad, self.table, self.csv = bad_rows(table), table, None  # a second pass reads the table
        yield from table.slice(yielded).to_batches(max_chunksize=self.batch_rows)


def _ahead(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """``batches``, produced by a second thread one ahead of the consumer (pyarrow decodes
    without the interpreter lock, so decoding overlaps the conversion); its errors are re-raised
    here, and closing the generator early stops the thread."""
    import contextlib
    import queue
    import threading

    done = object()
    pending: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        pending.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pending.put(done)
        except BaseException as exc:  # handed to the consumer
            pending.put(exc)

    thread = threading.Thread(target=produce, name="claims-reader", daemon=True)
    thread.start()
    try:
        while (item := pending.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                pending.get(timeout=0.1)
        thread.join()


_CSV_BLOCK = 1 << 24  # bytes of CSV text parsed at a time (pyarrow parses blocks on all cores)


class _Growing:
    """One output column filled batch by batch: preallocated when the row count is known or
    bounded (pages past the rows filled are never touched, so they cost no memory), else collected
    in chunks and joined once at the end."""

    def __init__(self, dtype: Any, rows: int | None) -> None:
        self.dtype = np.dtype(dtype)
        self.full = np.empty(rows, dtype=self.dtype) if rows is not None else None
        self.chunks: list[npt.NDArray[Any]] = []
        self.filled = 0

    def put(self, values: npt.NDArray[Any]) -> None:
        m = len(values)
        if self.full is not None and self.filled + m <= len(self.full):
            self.full[self.filled : self.filled + m] = values
        else:
            if self.full is not None:  # more rows than announced: keep what is there as a chunk
                self.chunks.append(self.full[: self.filled])
                self.full = None
            self.chunks.append(np.asarray(values, dtype=self.dtype))
        self.filled += m

    def done(self) -> npt.NDArray[Any]:
        if self.full is not None and not self.chunks:
            out = self.full[: self.filled] if self.filled < len(self.full) else self.full
            self.full = None
            return out
        parts, self.chunks = self.chunks, []
        return np.concatenate(parts) if parts else np.zeros(0, dtype=self.dtype)


class _Codes:
    """Codes of one text column, batch by batch: each batch's distinct values are looked up once
    (Parquet hands the same dictionary to every batch of a row group: its lookup is reused)."""

    def __init__(
        self, lookup: Callable[[list[str]], list[int]] | None = None, index: StringIndex | None = None
    ) -> None:
        self.lookup = lookup  # names -> codes, in Python (small dictionaries)
        self.index = index  # or: the position of the name in ``index``, else ``absent``
        self.absent = NONE
        self.last: pa.Array | None = None
        self.lut = np.zeros(1, dtype=np.int64)

    def __call__(self, arr: pa.Array, empty: int) -> I64:
        """One code per row: ``lookup`` of the cleaned text; ``empty`` for null or blank."""
        if self.index is not None and not pa.types.is_dictionary(arr.type):
            # plain text (CSV): probing every row costs less than hashing the rows to distinct values
            trimmed = pc.utf8_trim(_text(arr), WHITESPACE)
            pos = self.index.find(trimmed)
            blank = np.asarray(pc.equal(trimmed, "").fill_null(True), dtype=np.bool_)
            out_rows: I64 = np.where(blank, empty, np.where(pos >= 0, pos, self.absent))
            return out_rows
        if pa.types.is_dictionary(arr.type):
            values, indices = arr.dictionary, arr.indices
        else:
            enc = _text(arr).dictionary_encode()
            values, indices = enc.dictionary, enc.indices
        if self.last is None or not (len(values) == len(self.last) and values.equals(self.last)):
            trimmed = pc.utf8_trim(_text(values), WHITESPACE)
            lut = np.empty(len(trimmed) + 1, dtype=np.int64)
            lut[-1] = empty  # the last entry: null rows
            if self.index is not None:
                pos = self.index.find(trimmed)
                blank = np.asarray(pc.equal(trimmed, "").fill_null(True), dtype=np.bool_)
                lut[:-1] = np.where(blank, empty, np.where(pos >= 0, pos, self.absent))
            else:
                assert self.lookup is not None
                names = trimmed.to_pylist()
                found = iter(self.lookup([v for v in names if v]))
                lut[:-1] = [next(found) if v else empty for v in names]
            self.lut = lut
            self.last = values
        indices = _signed(indices)
        idx = indices.fill_null(-1) if indices.null_count else indices
        out: I64 = self.lut[np.asarray(idx.to_numpy(zero_copy_only=False))]
        return out


@attrs.define
class _Table:
    """Names to codes that grow as batches bring new names (lines, categories, procedure codes)."""

    index: dict[str, int] = attrs.field(factory=dict)

    def add(self, names: Sequence[str | None]) -> list[int]:
        out = []
        for v in names:
            if v is None:
                out.append(NONE)
                continue
            k = self.index.get(v)
            if k is None:
                k = self.index[v] = len(self.index)
            out.append(k)
        return out

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.index)


def _index_dtype(rows: int) -> Any:
    """int32 for row numbers and ranks while they fit, int64 beyond (2^31 lines)."""
    return np.int32 if rows < (1 << 31) else np.int64


_LOOKUPS: weakref.WeakKeyDictionary[MemberColumns, tuple[dict[str, int], StringIndex, StringIndex]] = (
    weakref.WeakKeyDictionary()
)


def _member_lookups(members: MemberColumns) -> tuple[dict[str, int], StringIndex, StringIndex]:
    """The family positions by name and the member and family id indexes of an enrollment, built
    once per ``MemberColumns`` (a Dask worker reads many buckets against the same enrollment)."""
    got = _LOOKUPS.get(members)
    if got is None:
        got = (
            {name: k for k, name in enumerate(members.family_names)},
            StringIndex(pa.array(members.ids, type=pa.string())),
            StringIndex(pa.array(members.family_names, type=pa.string())),
        )
        _LOOKUPS[members] = got
    return got


def read_claims_fast(
    source: Any,
    ruleset: Ruleset,
    members: MemberColumns,
    member_records: Mapping[str, MemberRecord],
    *,
    batch_rows: int = BATCH_ROWS,
) -> FastClaims:
    """Read and validate claims (see the module docstring), ``batch_rows`` input rows at a time."""
    if isinstance(source, ClaimsInput):
        raise InputError("claims: already validated input given where a table was expected")
    data = _Batches(source, batch_rows)
    names = data.names
    header = TextTable(names=names, columns={n: [] for n in names}, rows=0)
    _require_columns(header, CLAIMS_REQUIRED, "claims")
    known = set(CLAIMS_REQUIRED + CLAIMS_OPTIONAL)
    extra = [c for c in names if c not in known]
    fields = CLAIMS_REQUIRED + CLAIMS_OPTIONAL
    kinds = _LineKinds.of(ruleset)
    rows = data.rows_at_most

    known_families, member_index, family_index = _member_lookups(members)
    fam_index = dict(known_families)  # grows by the families the enrollment does not know
    lines, categories, codes = _Table(), _Table(), _Table()
    member_of = _Codes(index=member_index)
    family_of = _Codes(index=family_index)
    family_of.absent = -3  # a family the enrollment does not know
    line_of = _Codes(lambda v: lines.add([x if x in kinds.kinds or x in kinds.excluded else None for x in v]))
    category_of = _Codes(_nul_free(categories.add))
    code_of = _Codes(_nul_free(codes.add))
    network_of = _Codes(lambda v: [NETWORKS.index(x.lower()) if x.lower() in NETWORKS else -2 for x in v])
    # cause codes index ``columns.CAUSES``: 0 none, then the reader's causes
    cause_of = _Codes(lambda v: [CAUSES.index(x.lower()) + 1 if x.lower() in CAUSES else -2 for x in v])
    disability_line: dict[int, bool] = {}

    out = {
        "fast": _Growing(np.bool_, rows),
        "present": _Growing(np.bool_, rows),
        "member": _Growing(np.int32, rows),
        "family": _Growing(np.int32, rows),
        "line": _Growing(np.int32, rows),
        "network": _Growing(np.int8, rows),
        "category": _Growing(np.int32, rows),
        "incurred": _Growing(np.int32, rows),
        "paid": _Growing(np.int32, rows),
        "billed": _Growing(np.int64, rows),
        "allowed": _Growing(np.int64, rows),
        "code": _Growing(np.int32, rows),
        "units": _Growing(np.int64, rows),
        "weekly": _Growing(np.int64, rows),
        "absence_start": _Growing(np.int64, rows),
        "absence_end": _Growing(np.int64, rows),
        "cause": _Growing(np.int8, rows),
    }
    id_chunks: list[pa.Array] = []
    extra_batches: list[pa.RecordBatch] = []
    texts: dict[int, list[str | None]] = {}  # cleaned field values of rows the fast checks did not clear
    offset = 0
    progress.stage("reading")
    for batch in data:
        m = batch.num_rows
        progress.advance(m)

        def col(name: str, batch: pa.RecordBatch = batch, m: int = m) -> pa.Array:
            return batch.column(name) if name in names else pa.nulls(m, type=pa.string())

        fast = np.ones(m, dtype=np.bool_)
        ids = pc.utf8_trim(_text(col("claim_id")), WHITESPACE)
        present = _valid(ids) & np.asarray(pc.not_equal(ids, "").fill_null(False), dtype=np.bool_)
        fast &= present & ~_has_nul(ids)
        member = member_of(col("member_id"), NONE)
        fast &= member >= 0
        given_family = family_of(col("family_id"), NONE)
        line = line_of(col("line"), NONE)
        fast &= line >= 0
        category = category_of(col("category"), NONE)
        fast &= category >= 0
        incurred, inc_present, ok = date_column(col("incurred"))
        fast &= ok & inc_present
        paid, paid_present, ok = date_column(col("paid"))
        fast &= ok & paid_present
        billed, billed_present, ok = money_column(col("billed"))
        fast &= ok & billed_present & (billed >= 0)
        network = network_of(col("network"), 0)
        fast &= network >= 0
        code = code_of(col("code"), NONE)
        fast &= code != _NUL
        units, ok = units_column(col("units"))
        fast &= ok
        allowed, allowed_present, ok = money_column(col("allowed"))
        fast &= ok & (~allowed_present | (allowed >= 0))
        weekly, weekly_present, ok = money_column(col("weekly_earnings"))
        fast &= ok & (~weekly_present | (weekly >= 0))
        a_start, start_present, ok = date_column(col("absence_start"))
        fast &= ok
        a_end, end_present, ok = date_column(col("absence_end"))
        fast &= ok
        cause = cause_of(col("cause"), 0)
        fast &= cause >= 0
        # the reference reader's row rules
        member_family = members.family[np.maximum(member, 0)] if members.n else np.zeros(m, dtype=np.int64)
        fast &= (given_family == NONE) | (given_family == member_family)
        fast &= paid >= incurred
        line_names = lines.names
        for k in range(len(disability_line), len(line_names)):
            disability_line[k] = kinds.kinds.get(line_names[k]) in DISABILITY_KINDS
        dis_lut = np.array([disability_line[k] for k in range(len(line_names))] + [False], dtype=np.bool_)
        dis = dis_lut[line]  # NONE (-1) reads the last entry: False
        if dis.any():
            has_earn = weekly_present.copy()
            if members.n:
                m0 = np.maximum(member, 0)
                has_earn |= (members.weekly[m0] >= 0) | (members.annual[m0] >= 0)
            fast &= ~dis | (start_present & end_present & (a_end >= a_start) & has_earn)

        slow = np.flatnonzero(~fast)
        if len(slow):
            texts.update(_cleaned_rows(col, names, slow, fields, offset))
        out["fast"].put(fast)
        out["present"].put(present)
        out["member"].put(member)
        out["family"].put(np.where(given_family >= 0, given_family, member_family))
        out["line"].put(line)
        out["network"].put(network)
        out["category"].put(category)
        out["incurred"].put(incurred)
        out["paid"].put(paid)
        out["billed"].put(billed)
        out["allowed"].put(np.where(allowed_present, allowed, NONE))
        out["code"].put(code)
        out["units"].put(units)
        out["weekly"].put(np.where(weekly_present, weekly, NONE))
        out["absence_start"].put(np.where(start_present, a_start, NODAY))
        out["absence_end"].put(np.where(end_present, a_end, NODAY))
        out["cause"].put(cause)
        id_chunks.append(ids.cast(pa.string()))
        if extra:
            extra_batches.append(batch.select(extra))
        offset += m
        del batch
    n = offset

    ids_all = pa.concat_arrays(id_chunks) if id_chunks else pa.array([], type=pa.string())
    del id_chunks
    fast_all = out.pop("fast").done()
    present_all = out.pop("present").done()
    dup, first, order = _duplicates(ids_all, present_all)
    newly = np.flatnonzero(dup & fast_all)
    fast_all &= ~dup
    if len(newly):  # rows the fast checks cleared but whose id an earlier batch held: read them again
        texts.update(_reread(data, names, newly, fields))

    # rows the fast checks did not clear: the reference reader's row function decides
    cols = {name: g.done() for name, g in out.items()}
    del out
    rejects: list[Reject] = []
    keep = fast_all
    if texts:
        first_row = dict(first)
        for i in sorted(texts):
            row = i + 1
            values = texts[i]
            unreadable = data.bad.get(i)
            if unreadable is not None:  # a CSV row that could not be read as a row (source.read_csv_rows)
                rejects.append(Reject(row=row, claim_id="", reason=unreadable))
                continue
            try:
                rec = _claim(*values, row=row, lines=kinds, members=member_records, first_row=first_row)
            except RowError as err:
                rejects.append(Reject(row=row, claim_id=values[0] or "", reason=err.reason))
                continue
            keep[i] = True
            _put_record(cols, i, rec, members, fam_index, lines, categories, codes)
            if rec.claim_id != ids_all[i].as_py():  # never seen: the fast path trims as str.strip does
                ids_all = _replace(ids_all, i, rec.claim_id)
    everything = bool(keep.all())
    kept = np.arange(n) if everything else np.flatnonzero(keep)
    if not everything:
        for name in list(cols):
            cols[name] = cols[name][keep]
    claim_ids = ids_all if everything else ids_all.filter(pa.array(keep))
    del ids_all
    member_ids = pa.array(members.ids, type=pa.string())
    claims = ClaimColumns(
        row=(kept + 1).astype(_index_dtype(n + 1)),
        claim_id=claim_ids,
        cid_rank=_ranks(order, keep, everything, _index_dtype(n)),
        member=cols["member"],
        member_id=pa.DictionaryArray.from_arrays(pa.array(cols["member"]), member_ids),
        family=cols["family"],
        family_names=tuple(fam_index),
        line=cols["line"],
        line_names=lines.names,
        network=cols["network"],
        category=cols["category"],
        category_names=categories.names,
        incurred=cols["incurred"],
        paid=cols["paid"],
        billed=cols["billed"],
        allowed=cols["allowed"],
        code=cols["code"],
        code_names=codes.names,
        units=cols["units"],
        weekly=cols["weekly"],
        absence_start=cols["absence_start"],
        absence_end=cols["absence_end"],
        cause=cols["cause"],
    )
    table = None
    if extra_batches:
        table = pa.Table.from_batches(extra_batches)
    elif extra:
        table = pa.table({c: pa.array([], type=pa.string()) for c in extra})
    del data, extra_batches, cols
    # the decoded batches are gone: hand the memory Arrow's allocator kept back to the system, so
    # settling (numpy, another allocator) can use it
    pa.default_memory_pool().release_unused()
    return FastClaims(
        claims=claims,
        rejects=with_lines(sorted(rejects, key=lambda r: r.row), source),
        received=n,
        columns=names,
        table=table,
    )


def _cleaned_rows(
    col: Callable[[str], pa.Array],
    names: Collection[str],
    rows: npt.NDArray[np.intp],
    fields: Sequence[str],
    offset: int,
) -> dict[int, list[str | None]]:
    """The cleaned text of ``fields`` on ``rows`` (batch positions), keyed by input position."""
    texts = _row_texts(col, names, rows, fields)
    return {offset + i: [clean(texts[name][j]) for name in fields] for j, i in enumerate(rows.tolist())}


def _reread(
    data: _Batches, names: Collection[str], rows: npt.NDArray[np.intp], fields: Sequence[str]
) -> dict[int, list[str | None]]:
    """The cleaned text of ``fields`` on input ``rows`` (ascending), from a second pass."""
    out: dict[int, list[str | None]] = {}
    offset = 0
    for batch in data:
        m = batch.num_rows
        lo, hi = np.searchsorted(rows, [offset, offset + m])
        if hi > lo:

            def col(name: str, batch: pa.RecordBatch = batch) -> pa.Array:
                return batch.column(name)

            out.update(_cleaned_rows(col, names, rows[lo:hi] - offset, fields, offset))
        offset += m
        if hi == len(rows):
            break
    return out


def _replace(ids: pa.Array, i: int, value: str) -> pa.Array:
    values = ids.to_pylist()
    values[i] = value
    return pa.array(values, type=pa.string())


def _put_record(
    cols: dict[str, npt.NDArray[Any]],
    i: int,
    rec: ClaimRecord,
    members: MemberColumns,
    fam_index: dict[str, int],
    lines: _Table,
    categories: _Table,
    codes: _Table,
) -> None:
    """The reference reader's record of row ``i`` written into the columns."""
    cols["member"][i] = members.index[rec.member_id]
    cols["family"][i] = fam_index.setdefault(rec.family_id, len(fam_index))
    cols["line"][i] = lines.add([rec.line])[0]
    cols["network"][i] = NETWORKS.index(rec.network)
    cols["category"][i] = categories.add([rec.category])[0]
    cols["incurred"][i] = day_number(rec.incurred)
    cols["paid"][i] = day_number(rec.paid)
    cols["billed"][i] = to_cents(rec.billed)
    cols["allowed"][i] = NONE if rec.allowed is None else to_cents(rec.allowed)
    cols["code"][i] = codes.add([rec.code])[0]
    cols["units"][i] = rec.units
    cols["weekly"][i] = NONE if rec.weekly_earnings is None else to_cents(rec.weekly_earnings)
    cols["absence_start"][i] = day_number(rec.absence_start)
    cols["absence_end"][i] = day_number(rec.absence_end)
    cols["cause"][i] = 0 if rec.cause is None else CAUSES.index(rec.cause) + 1


def _duplicates(ids: pa.Array, present: B) -> tuple[B, dict[str, int], I64 | None]:
    """(duplicate, first, order): ``duplicate`` marks rows whose cleaned id a lower row already
    holds, ``first`` maps each duplicated id to its first row (1-based) and ``order`` lists the
    rows with an id in Python ``str`` order of the ids, ties by row (None: the ids already ascend)."""
    n = len(ids)
    dup = np.zeros(n, dtype=np.bool_)
    if n <= 1 or pc.all(pc.greater(ids[1:], ids[:-1])).as_py():
        return dup, {}, None
    order = np.asarray(pc.sort_indices(ids).to_numpy(), dtype=np.int64)  # stable, UTF-8 byte order
    order = order[present[order]]
    sorted_ids = ids.take(pa.array(order))
    same = np.zeros(len(order), dtype=np.bool_)
    if len(order) > 1:
        same[1:] = np.asarray(pc.equal(sorted_ids[1:], sorted_ids[:-1]).fill_null(False), dtype=np.bool_)
    del sorted_ids
    dup[order[same]] = True
    first: dict[str, int] = {}
    if same.any():
        starts = np.flatnonzero(~same)
        group = np.cumsum(~same) - 1
        firsts = order[starts[group[same]]]
        for pos, f in zip(order[same].tolist(), firsts.tolist(), strict=True):
            first.setdefault(str(ids[pos].as_py()), f + 1)
    return dup, first, order


def _ranks(order: I64 | None, keep: B, everything: bool, dtype: Any) -> npt.NDArray[Any]:
    """Each kept row's rank among the kept ids in Python ``str`` order (kept ids are distinct)."""
    k = len(keep) if everything else int(keep.sum())
    if order is None:  # the ids ascend with the rows
        return np.arange(k, dtype=dtype)
    kept_sorted = order if everything else order[keep[order]]
    position = kept_sorted if everything else (np.cumsum(keep) - 1)[kept_sorted]
    rank = np.empty(k, dtype=dtype)
    rank[position] = np.arange(k, dtype=dtype)
    return rank


# --------------------------------------------------------------------------- enrollment


@attrs.frozen(eq=False)
class FastEnrollment:
    members: MemberColumns
    records: Mapping[str, MemberRecord]  # built on access (``LazyMembers``)
    rejects: tuple[Reject, ...]
    received: int


class LazyMembers(Mapping[str, MemberRecord]):
    """Member records built from columns on first access (most runs never need one)."""

    def __init__(self, members: MemberColumns, birth: I64, sex: Sequence[str | None]) -> None:
        self._m = members
        self._birth = birth
        self._sex = sex
        self._cache: dict[str, MemberRecord] = {}

    def __getitem__(self, key: str) -> MemberRecord:
        rec = self._cache.get(key)
        if rec is None:
            k = self._m.index[key]
            rec = self._cache[key] = self._record(k)
        return rec

    def _record(self, k: int) -> MemberRecord:
        from aso_rules.money import from_cents
        from aso_rules.settle.vector.columns import OPEN, day_date

        m = self._m
        end = int(m.end[k])
        birth = int(self._birth[k])
        return MemberRecord(
            member_id=m.ids[k],
            family_id=m.family_names[int(m.family[k])],
            relationship=m.relationships[k] if m.relationships is not None else "employee",
            tier=m.tier_names[int(m.tier[k])],
            coverage_start=day_date(int(m.start[k])),
            coverage_end=None if end == OPEN else day_date(end),
            birth_date=None if birth == NODAY else day_date(birth),
            sex=self._sex[k],
            annual_salary=None if m.annual[k] < 0 else from_cents(int(m.annual[k])),
            weekly_earnings=None if m.weekly[k] < 0 else from_cents(int(m.weekly[k])),
        )

    def __iter__(self) -> Any:
        return iter(self._m.ids)

    def __len__(self) -> int:
        return self._m.n


def read_enrollment_fast(source: Any, ruleset: Ruleset) -> FastEnrollment:
    """Read and validate enrollment rows like ``readers.read_enrollment``, at column speed."""
    from aso_rules.data.readers import (
        ENROLLMENT_OPTIONAL,
        ENROLLMENT_REQUIRED,
        RELATIONSHIPS,
        EnrollmentInput,
        _member,
    )
    from aso_rules.settle.vector.columns import OPEN

    if isinstance(source, EnrollmentInput | ClaimsInput):
        raise InputError("enrollment: already validated input given where a table was expected")
    data = _Input(source)
    names = data.names
    _require_columns(
        TextTable(names=names, columns={n: [] for n in names}, rows=data.rows),
        ENROLLMENT_REQUIRED,
        "enrollment",
    )
    n = data.rows
    col = data.column

    fast = np.ones(n, dtype=np.bool_)
    ids = pc.utf8_trim(_text(col("member_id")), WHITESPACE)
    present = _valid(ids) & np.asarray(pc.not_equal(ids, "").fill_null(False), dtype=np.bool_)
    fast &= present & ~_has_nul(ids)
    dup, first, _ = _duplicates(ids, present)
    fast &= ~dup
    fam_codes, fam_names = text_codes(col("family_id"))
    fast &= fam_codes >= 0
    rel_codes, rel_names = text_codes(col("relationship"))
    relationship, ok = _choice(rel_codes, rel_names, RELATIONSHIPS, -2)
    fast &= ok & (relationship >= 0)
    tier_codes, tier_names = text_codes(col("tier"))
    fast &= tier_codes >= 0
    tiers = ruleset.tier_codes
    if tiers:
        known = np.array([v in tiers for v in tier_names] or [False], dtype=np.bool_)
        fast &= known[np.maximum(tier_codes, 0)]
    start, start_present, ok = date_column(col("coverage_start"))
    fast &= ok & start_present
    end, end_present, ok = date_column(col("coverage_end"))
    fast &= ok & (~end_present | (end >= start))
    birth, birth_present, ok = date_column(col("birth_date"))
    fast &= ok
    salary, salary_present, ok = money_column(col("annual_salary"))
    fast &= ok & (~salary_present | (salary >= 0))
    weekly, weekly_present, ok = money_column(col("weekly_earnings"))
    fast &= ok & (~weekly_present | (weekly >= 0))
    sex_text = pc.utf8_trim(_text(col("sex")), WHITESPACE)
    fast &= ~_has_nul(sex_text)
    fam_nul = np.array(["\x00" in v for v in fam_names] + [False], dtype=np.bool_)
    fast &= ~fam_nul[fam_codes]  # NONE (-1) reads the last entry

    slow = np.flatnonzero(~fast)
    rejects: list[Reject] = []
    slow_records: list[tuple[int, MemberRecord]] = []
    if len(slow):
        texts = _row_texts(col, names, slow, ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL)
        first_row = dict(first)
        tier_set = frozenset(tiers)
        unreadable = bad_rows(data.table) if data.table is not None else {}
        for j, i in enumerate(slow.tolist()):
            row = i + 1
            values = [clean(texts[name][j]) for name in ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL]
            raw_id = values[0] or ""
            if i in unreadable:
                rejects.append(Reject(row=row, claim_id="", reason=unreadable[i]))
                continue
            try:
                slow_records.append((i, _member(*values, row=row, tiers=tier_set, first_row=first_row)))
            except RowError as err:
                rejects.append(Reject(row=row, claim_id=raw_id, reason=err.reason))
    keep = fast.copy()
    for i, _ in slow_records:
        keep[i] = True
    idx = np.flatnonzero(keep)
    id_list = ids.take(pa.array(idx)).to_pylist()
    family_list: list[str] = [fam_names[c] if c >= 0 else "" for c in fam_codes[idx].tolist()]
    tier_list = [tier_names[c] if c >= 0 else "" for c in tier_codes[idx].tolist()]
    rel_list = [RELATIONSHIPS[c] if c >= 0 else "employee" for c in relationship[idx].tolist()]
    sex_list = [clean(v) for v in sex_text.take(pa.array(idx)).to_pylist()]
    start_k = start[idx]
    end_k = np.where(end_present, end, OPEN)[idx]
    birth_k = np.where(birth_present, birth, NODAY)[idx]
    annual_k = np.where(salary_present, salary, NONE)[idx]
    weekly_k = np.where(weekly_present, weekly, NONE)[idx]
    if slow_records:
        pos = {int(i): k for k, i in enumerate(idx.tolist())}
        for i, rec in slow_records:
            k = pos[i]
            id_list[k] = rec.member_id
            family_list[k] = rec.family_id
            tier_list[k] = rec.tier
            rel_list[k] = rec.relationship
            sex_list[k] = rec.sex
            start_k[k] = day_number(rec.coverage_start)
            end_k[k] = OPEN if rec.coverage_end is None else day_number(rec.coverage_end)
            birth_k[k] = day_number(rec.birth_date)
            annual_k[k] = NONE if rec.annual_salary is None else to_cents(rec.annual_salary)
            weekly_k[k] = NONE if rec.weekly_earnings is None else to_cents(rec.weekly_earnings)
    tier_table = {t: k for k, t in enumerate(tiers)}
    for t in tier_list:
        tier_table.setdefault(t, len(tier_table))
    fam_table: dict[str, int] = {}
    fam_idx = np.fromiter(
        (fam_table.setdefault(f, len(fam_table)) for f in family_list), dtype=np.int64, count=len(family_list)
    )
    members = MemberColumns(
        ids=tuple(id_list),
        index={v: k for k, v in enumerate(id_list)},
        family=fam_idx,
        family_names=tuple(fam_table),
        tier=np.fromiter((tier_table[t] for t in tier_list), dtype=np.int64, count=len(tier_list)),
        tier_names=tuple(tier_table),
        is_employee=np.array([a == b for a, b in zip(id_list, family_list, strict=True)], dtype=np.bool_),
        start=start_k.astype(np.int64),
        end=end_k.astype(np.int64),
        annual=annual_k.astype(np.int64),
        weekly=weekly_k.astype(np.int64),
        relationships=tuple(rel_list),
    )
    return FastEnrollment(
        members=members,
        records=LazyMembers(members, birth_k.astype(np.int64), sex_list),
        rejects=with_lines(sorted(rejects, key=lambda r: r.row), source),
        received=n,
    )
