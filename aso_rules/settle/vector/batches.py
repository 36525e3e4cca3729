"""The inputs of the fast readers: an enrollment's columns one at a time (``ColumnInput``), the
claims as record batches read more than once (``ClaimBatches``, decoded one ahead by a second
thread), and what gathers the converted batches (``Growing`` columns, ``Codes`` of a text column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from aso_rules.data.ids import id_text, ids_as_text
from aso_rules.data.source import (
    _CSV_SUFFIXES,
    _PARQUET_SUFFIXES,
    InputError,
    _csv_header,
    bad_rows,
    check_unique,
    read_csv_rows,
    to_arrow,
)
from aso_rules.settle.vector.columns import NONE
from aso_rules.settle.vector.convert import WHITESPACE, as_text, flat, is_text, signed
from aso_rules.settle.vector.strindex import StringIndex

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


class ColumnInput:
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
            return flat(self.table.column(name))
        assert self.file is not None
        try:
            return id_text(name, flat(self.file.read(columns=[name]).column(0)))
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{self.source}: cannot read Parquet: {exc}") from exc


BATCH_ROWS = 1 << 19  # claim rows converted at a time (half a default Parquet row group)

# the text columns the claims reader codes through dictionaries (Parquet hands them over as such)
_CODED = ("member_id", "family_id", "line", "category", "network", "code", "cause")


class ClaimBatches:
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
                coded = [c for c in _CODED if c in schema.names and is_text(schema.field(c).type)]
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


class Growing:
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


class Codes:
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
            trimmed = pc.utf8_trim(as_text(arr), WHITESPACE)
            pos = self.index.find(trimmed)
            blank = np.asarray(pc.equal(trimmed, "").fill_null(True), dtype=np.bool_)
            out_rows: I64 = np.where(blank, empty, np.where(pos >= 0, pos, self.absent))
            return out_rows
        if pa.types.is_dictionary(arr.type):
            values, indices = arr.dictionary, arr.indices
        else:
            enc = as_text(arr).dictionary_encode()
            values, indices = enc.dictionary, enc.indices
        if self.last is None or not (len(values) == len(self.last) and values.equals(self.last)):
            trimmed = pc.utf8_trim(as_text(values), WHITESPACE)
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
        indices = signed(indices)
        idx = indices.fill_null(-1) if indices.null_count else indices
        out: I64 = self.lut[np.asarray(idx.to_numpy(zero_copy_only=False))]
        return out
