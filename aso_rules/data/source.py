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

import math
from collections.abc import Sequence
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


_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv")
_PARQUET_SUFFIXES = (".parquet", ".pq")


def _csv_header(path: Path) -> list[str]:
    """The header names of a CSV file (read with pyarrow, one small block)."""
    with pa.input_stream(str(path), compression="detect") as stream:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=1 << 20),
            parse_options=pacsv.ParseOptions(delimiter="\t" if path.name.endswith(".tsv") else ","),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=False),
        )
        names: list[str] = list(reader.schema.names)
    return names


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
        except (pa.ArrowInvalid, OSError) as exc:
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
    return TextTable(names=names, columns=columns, rows=table.num_rows)


def string_columns(table: pa.Table) -> pa.Table:
    """Every column cast to text with ``column_text`` semantics (for writers and tests)."""
    arrays = [pa.array(column_text(table.column(i)), type=pa.string()) for i in range(table.num_columns)]
    return pa.Table.from_arrays(arrays, names=table.column_names)


__all__ = [
    "InputError",
    "TextTable",
    "check_unique",
    "column_text",
    "read_text_table",
    "string_columns",
    "to_arrow",
]
