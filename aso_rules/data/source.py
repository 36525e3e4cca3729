"""Any tabular input, as columns of text: the one place that knows file formats and frame libraries.

On entry: a path to a ``.csv`` (optionally ``.csv.gz``/``.csv.bz2``) or ``.parquet`` file, a
``pyarrow.Table``, ``RecordBatch`` or ``RecordBatchReader``, a pandas ``DataFrame``, a polars
``DataFrame`` or ``LazyFrame`` (collected once), or any object with ``__arrow_c_stream__`` (the Arrow
PyCapsule interface: a DuckDB relation, a recent polars or pandas object).
On exit: a ``TextTable``: the column names in input order and, per column, one ``str | None`` per row
(``None`` for a null). Every value is the exact text of what the input held: CSV is read with every
column as a string, so type inference never sees money; decimals print exactly; a float prints as its
shortest ``repr`` (so ``0.1 + 0.2`` arrives as ``"0.30000000000000004"`` and is rejected downstream as
having more than two decimals, never rounded silently); dates print as ISO ``YYYY-MM-DD``.
A file-level problem (unreadable file, unknown format, duplicate column names) raises ``InputError``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


class InputError(Exception):
    """A file-level input problem: unreadable file, unknown format, missing required column."""


@attrs.frozen
class TextTable:
    """Columns of text, in input order; every column has ``rows`` entries."""

    names: tuple[str, ...]
    columns: dict[str, list[str | None]] = attrs.field(eq=False)
    rows: int
    bad: Mapping[int, str] = attrs.field(factory=dict, eq=False)  # 0-based row -> reject reason


_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv")
_PARQUET_SUFFIXES = (".parquet", ".pq")


def _csv_header(path: Path) -> list[str]:
    """The header names of a CSV file: its first record, read alone (a bad data row further on is
    that row's problem, not the file's). Raises ``InputError`` when the header is not UTF-8 text."""
    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    with pa.input_stream(str(path), compression="detect") as stream:
        head = b""
        while True:
            block = stream.read(1 << 16)
            head += block
            if not block or b"\n" in block or b"\r" in block or len(head) > 1 << 24:
                break
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
        if exc.start < min(ends, default=len(head)):
            raise InputError(f"{path}: cannot read CSV: the header is not valid UTF-8 text") from None
        text = head[: exc.start].decode("utf-8")
    text = text.removeprefix("\ufeff")
    try:
        record = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False), [])
    except csv.Error as exc:
        raise InputError(f"{path}: cannot read CSV: the header: {exc}") from exc
    if not record:
        raise InputError(f"{path}: cannot read CSV: the file has no header")
    return record


BAD_ROWS_KEY = b"aso_rules.bad_rows"


def bad_rows(table: pa.Table | pa.RecordBatch) -> dict[int, str]:
    """The rows of a CSV file that could not be read as rows (0-based position -> reject reason).

    Such a row is kept in the table as a row of nulls, so that every later row keeps its position;
    the readers reject it with this reason before any other check."""
    raw = (table.schema.metadata or {}).get(BAD_ROWS_KEY)
    return {int(k): str(v) for k, v in json.loads(raw).items()} if raw else {}


_SURROGATE = re.compile("[\udc80-\udcff]")


def read_csv_rows(path: Path, names: Sequence[str]) -> pa.Table:
    """A CSV file pyarrow refused, read record by record with Python's ``csv`` module.

    Every record becomes one row of text (blank lines are not records, as with pyarrow); a record
    that is not valid UTF-8, has a field count other than the header's, or is a last line cut short
    becomes a row of nulls named in the table's ``BAD_ROWS_KEY`` metadata (``bad_rows``) with its
    reason and file line number. Raises ``InputError`` when even this cannot read the file."""
    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            data = stream.read()
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read CSV: {exc}") from exc
    text = data.decode("utf-8", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[tuple[int, list[str]]] = []  # (first file line, fields) of each record
    try:
        next(reader, None)  # the header (already read by pyarrow)
        line = reader.line_num + 1
        for record in reader:
            if record:  # a blank line is not a row, but its line is counted
                records.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{path}: cannot read CSV: line {reader.line_num}: {exc}") from exc
    cut_short = not text.endswith(("\n", "\r"))  # the last record has no line end
    width = len(names)
    columns: list[list[str | None]] = [[] for _ in names]
    bad: dict[int, str] = {}
    for position, (start, record) in enumerate(records):
        reason = None
        if any(_SURROGATE.search(v) for v in record):
            reason = f"bad_encoding: line {start} is not valid UTF-8 text"
        elif len(record) != width:
            if cut_short and position == len(records) - 1:
                reason = (
                    f"truncated_row: line {start}, the last line, has {len(record)} of {width} "
                    "fields (the file ends inside the row)"
                )
            else:
                reason = f"bad_field_count: line {start} has {len(record)} fields, the header {width}"
        if reason is not None:
            bad[position] = reason
        for k, column in enumerate(columns):
            column.append(None if reason is not None else record[k])
    table = pa.table({n: pa.array(c, type=pa.string()) for n, c in zip(names, columns, strict=True)})
    return table.replace_schema_metadata({BAD_ROWS_KEY: json.dumps(bad).encode()})


def _read_path(path: Path) -> pa.Table:
    name = path.name.lower()
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if name.endswith(_CSV_SUFFIXES):
        try:
            names = _csv_header(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{path}: cannot read CSV: {exc}") from exc
        check_unique(names, str(path))
        try:
            with pa.input_stream(str(path), compression="detect") as stream:
                return pacsv.read_csv(
                    stream,
                    parse_options=pacsv.ParseOptions(delimiter="\t" if name.endswith(".tsv") else ","),
                    convert_options=pacsv.ConvertOptions(
                        column_types=dict.fromkeys(names, pa.string()),
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                    ),
                )
        except pa.ArrowInvalid:  # a row pyarrow cannot read: each such row is rejected, not the file
            return read_csv_rows(path, names)
        except OSError as exc:
            raise InputError(f"{path}: cannot read CSV: {exc}") from exc
    if name.endswith(_PARQUET_SUFFIXES):
        try:
            return pq.read_table(str(path))
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{path}: cannot read Parquet: {exc}") from exc
    if name.endswith(".xlsx"):
        from aso_rules.data.excel import read_xlsx

        return read_xlsx(path)
    raise InputError(f"{path}: unknown file type (expected .csv, .parquet or .xlsx)")


def is_csv_path(source: Any) -> bool:
    return isinstance(source, str | Path) and Path(source).name.lower().endswith(_CSV_SUFFIXES)


def record_lines(path: Path, positions: Sequence[int]) -> dict[int, int]:
    """The file line on which each of the 0-based data ``positions`` of a CSV file starts.

    Records are counted as the readers count rows: blank lines are no record but their lines count,
    and a quoted value may span lines. The file is read only as far as the last position asked."""
    wanted = set(positions)
    out: dict[int, int] = {}
    if not wanted:
        return out
    last = max(wanted)
    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
            reader = csv.reader(text, delimiter=delimiter, strict=False)
            next(reader, None)
            line = reader.line_num + 1
            position = 0
            for record in reader:
                if record:
                    if position in wanted:
                        out[position] = line
                    if position >= last:
                        break
                    position += 1
                line = reader.line_num + 1
    except (csv.Error, OSError, EOFError, pa.ArrowInvalid):
        pass  # the rows keep their numbers; the line is left unknown
    return out


def with_lines(rejects: Sequence[Any], source: Any) -> tuple[Any, ...]:
    """``rejects`` (``records.Reject``) with the file line of each, when ``source`` is a CSV path."""
    if not rejects or not is_csv_path(source):
        return tuple(rejects)
    lines = record_lines(Path(source), [r.row - 1 for r in rejects])
    return tuple(attrs.evolve(r, line=lines.get(r.row - 1)) for r in rejects)


def check_unique(names: Sequence[str], where: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise InputError(f"{where}: column {n!r} appears more than once")
        seen.add(n)


def to_arrow(source: Any) -> pa.Table:
    """Any supported source as a ``pyarrow.Table`` (files read as text for CSV, typed for Parquet),
    id and code columns of numbers read back to their text (``aso_rules.data.ids``)."""
    from aso_rules.data.ids import ids_as_text

    return ids_as_text(_to_arrow(source))


def _to_arrow(source: Any) -> pa.Table:
    if isinstance(source, str | Path):
        return _read_path(Path(source))
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    if isinstance(source, pa.RecordBatchReader):
        return source.read_all()  # the batches as they are, not copied
    module = type(source).__module__ or ""
    if module.startswith("polars"):
        try:
            if hasattr(source, "collect"):  # a LazyFrame: its query runs here, once
                source = source.collect()
            return source.to_arrow()
        except Exception as exc:  # pragma: no cover - a polars frame that cannot convert
            raise InputError(f"cannot convert the polars frame: {exc}") from exc
    if module.startswith("pandas"):
        try:
            from aso_rules.data.ids import pandas_ids_as_text

            return pa.Table.from_pandas(pandas_ids_as_text(source), preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise InputError(f"cannot convert the pandas frame: {exc}") from exc
    if hasattr(source, "__arrow_c_stream__"):  # the Arrow PyCapsule stream (a DuckDB relation, ...)
        try:
            return pa.RecordBatchReader.from_stream(source).read_all()
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise InputError(f"cannot read the Arrow stream of {type(source).__name__}: {exc}") from exc
    raise InputError(
        f"unsupported input of type {type(source).__name__}: "
        "give a .csv or .parquet path, a pyarrow Table or RecordBatchReader, a pandas or polars "
        "DataFrame, a polars LazyFrame or anything with __arrow_c_stream__ (a DuckDB relation)"
    )


def _float_text(value: float) -> str | None:
    if math.isnan(value):
        return None
    return repr(value)


def _datetime_text(value: datetime) -> str:
    if value.hour == value.minute == value.second == value.microsecond == 0:
        return value.date().isoformat()
    return value.isoformat()


def column_text(column: pa.ChunkedArray) -> list[str | None]:
    """One column as exact text, one entry per row (``None`` for null)."""
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.cast(t.value_type)
        t = column.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        out: list[str | None] = column.to_pylist()
        return out
    if pa.types.is_null(t):
        return [None] * len(column)
    if hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t):
        out = column.cast(pa.large_string()).to_pylist()
        return out
    if pa.types.is_decimal(t) or pa.types.is_integer(t) or pa.types.is_date(t):
        out = column.cast(pa.string()).to_pylist()  # plain decimals, integers, ISO dates
        return out
    values = column.to_pylist()
    if pa.types.is_boolean(t):
        return [None if v is None else ("true" if v else "false") for v in values]
    if pa.types.is_floating(t):
        return [None if v is None else _float_text(v) for v in values]
    if pa.types.is_timestamp(t):
        return [None if v is None else _datetime_text(v) for v in values]
    return [None if v is None else _any_text(v) for v in values]


def _any_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def read_text_table(source: Any) -> TextTable:
    """Read ``source`` (see the module docstring) as columns of exact text."""
    table = to_arrow(source)
    names = tuple(str(n) for n in table.column_names)
    check_unique(names, "input")
    columns = {n: column_text(table.column(i)) for i, n in enumerate(names)}
    return TextTable(names=names, columns=columns, rows=table.num_rows, bad=bad_rows(table))


def string_columns(table: pa.Table) -> pa.Table:
    """Every column cast to text with ``column_text`` semantics (for writers and tests)."""
    arrays = [pa.array(column_text(table.column(i)), type=pa.string()) for i in range(table.num_columns)]
    return pa.Table.from_arrays(arrays, names=table.column_names)


__all__ = [
    "BAD_ROWS_KEY",
    "InputError",
    "TextTable",
    "bad_rows",
    "check_unique",
    "column_text",
    "is_csv_path",
    "read_csv_rows",
    "read_text_table",
    "record_lines",
    "string_columns",
    "to_arrow",
    "with_lines",
]
