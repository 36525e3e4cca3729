"""Writing a result table (the ledger, the rejects) to CSV or Parquet.

On entry: a ``pyarrow.Table`` whose money columns are decimals (any scale, values exact to cents) or
already-formatted text. On exit: a file. CSV holds money as a plain decimal with exactly two decimals
(``1234.56``, ``-5.00``), booleans as ``true|false``, dates as ISO ``YYYY-MM-DD``, nulls as empty
fields, values quoted only when they must be; the conversion is vectorised in pyarrow, so large
ledgers write at C speed. Parquet keeps the native types (decimals stay decimals). A money value with
fractions of a cent is a bug upstream and raises ``ValueError`` rather than being rounded here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from aso_rules.data.source import column_text

TableFormat = Literal["csv", "parquet"]


def _text_column(column: pa.ChunkedArray, name: str) -> pa.ChunkedArray | pa.Array:
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.cast(t.value_type)
        t = column.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return column
    if pa.types.is_null(t):
        return pa.nulls(len(column), type=pa.string())
    if pa.types.is_decimal(t):
        if t.scale != 2:
            precision = max(t.precision + max(2 - t.scale, 0), 3)
            target = pa.decimal128(precision, 2) if precision <= 38 else pa.decimal256(precision, 2)
            try:
                column = column.cast(target)
            except pa.ArrowInvalid as exc:
                raise ValueError(f"column {name!r} holds amounts with fractions of a cent") from exc
        return column.cast(pa.string())
    if pa.types.is_boolean(t):
        return pc.if_else(column, "true", "false")
    if pa.types.is_date(t) or pa.types.is_integer(t):
        return column.cast(pa.string())
    return pa.array(column_text(column), type=pa.string())


def to_csv_table(table: pa.Table) -> pa.Table:
    """Every column as the text the CSV will hold (see the module docstring)."""
    arrays = [_text_column(table.column(i), n) for i, n in enumerate(table.column_names)]
    return pa.Table.from_arrays(arrays, names=table.column_names)


_STRUCTURAL = r'[,"\r\n]'
_BATCH_ROWS = 65_536


def _needs_quotes(batch: pa.RecordBatch) -> bool:
    for column in batch.columns:
        if column.null_count == len(column):
            continue
        if pc.any(pc.match_substring_regex(column, _STRUCTURAL)).as_py():
            return True
    return False


def write_csv(table: pa.Table, path: str | Path) -> Path:
    """Write ``table`` as CSV with a header row; returns the path written.

    Batches with no value that needs quoting are written by pyarrow unquoted; a batch holding a comma,
    quote or line break anywhere goes through Python's ``csv`` module (RFC 4180 minimal quoting).
    """
    out = Path(path)
    text = to_csv_table(table)
    unquoted = pacsv.WriteOptions(include_header=False, quoting_style="none")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(text.column_names)
        for batch in text.to_batches(max_chunksize=_BATCH_ROWS):
            if _needs_quotes(batch):
                writer.writerows(zip(*(c.to_pylist() for c in batch.columns), strict=True))
            else:
                buffer = io.BytesIO()
                pacsv.write_csv(batch, buffer, write_options=unquoted)
                fh.write(buffer.getvalue().decode("utf-8"))
    return out


def write_parquet(table: pa.Table, path: str | Path) -> Path:
    """Write ``table`` as Parquet with its native types; returns the path written."""
    out = Path(path)
    pq.write_table(table, str(out))
    return out


def write_table(table: pa.Table, path: str | Path, fmt: TableFormat | None = None) -> Path:
    """Write as ``fmt``, or by the path's suffix (``.parquet``/``.pq`` is Parquet, else CSV)."""
    out = Path(path)
    if fmt is None:
        fmt = "parquet" if out.suffix.lower() in (".parquet", ".pq") else "csv"
    if fmt == "parquet":
        return write_parquet(table, out)
    if fmt == "csv":
        return write_csv(table, out)
    raise ValueError(f"unknown table format {fmt!r} (expected csv or parquet)")
