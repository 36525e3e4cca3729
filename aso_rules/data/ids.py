"""Identifier and code columns that arrive as numbers, read back to their text.

A frame library that infers types (``pandas.read_csv``, ``pandas.read_excel``, a Parquet file
written from such a frame) turns an id or code column of digits into numbers: ``99213`` arrives as
the float ``99213.0`` when the column has a blank, and as text it would print ``"99213.0"``, which
matches no fee schedule code. Every engine reads its inputs through ``ids_as_text``, so an id or code
column of floats or integers is read back to the text it came from: a whole number prints without a
decimal point (``99213.0`` -> ``"99213"``). A value that cannot be the text it came from (a fraction,
or a float too large to hold its integer exactly) is refused with ``InputError`` naming the column,
the row and the fix, never settled as something else.

What no reader can recover is a leading zero the frame library already dropped (revenue code
``0450`` read as the number ``450``): read such columns as text (``dtype=str``).
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules.data.source import InputError

# the text columns whose values are names, never quantities (claims and enrollment)
ID_COLUMNS: frozenset[str] = frozenset(
    {"claim_id", "member_id", "family_id", "code", "line", "category", "tier"}
)

Columns = TypeVar("Columns", pa.Table, pa.RecordBatch)


class NotText(InputError):
    """A numeric value in an id or code column that cannot be read back to its text."""


def _whole_floats(name: str, arr: pa.Array) -> pa.Array:
    """A float array as the text of its whole numbers; ``NotText`` at the first value that is not one."""
    values = np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    valid = ~np.isnan(values)  # a null arrives as NaN, and pandas writes a blank as NaN
    exact = float(2 ** (np.finfo(arr.type.to_pandas_dtype()).nmant + 1))  # past this, not every integer
    bad = valid & ~(np.isfinite(values) & (values == np.trunc(values)) & (np.abs(values) < exact))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise NotText(
            f"column {name!r} holds {values[row]!r} (row {row + 1}) as a floating-point number, which "
            "cannot be read back to the id or code it was; read id and code columns as text "
            "(pandas: dtype=str)"
        )
    whole = np.where(valid, values, 0).astype(np.int64)
    return pc.cast(pa.array(whole, mask=~valid), pa.string())


def id_text(name: str, column: Any) -> Any:
    """``column`` (an Arrow array or chunked array) as text when ``name`` is an id or code column
    holding numbers; any other column unchanged."""
    if name not in ID_COLUMNS:
        return column
    t = column.type
    if pa.types.is_dictionary(t):
        if not (pa.types.is_floating(t.value_type) or pa.types.is_integer(t.value_type)):
            return column
        column = column.cast(t.value_type)
        t = column.type
    if pa.types.is_integer(t):
        return column.cast(pa.string())
    if not pa.types.is_floating(t):
        return column
    if isinstance(column, pa.ChunkedArray):
        return pa.chunked_array([_whole_floats(name, c) for c in column.chunks], type=pa.string())
    return _whole_floats(name, column)


def ids_as_text(table: Columns) -> Columns:
    """``table`` with every id or code column of numbers as its text (see the module docstring)."""
    names = [str(n) for n in table.schema.names]
    if not any(n in ID_COLUMNS and _numeric(table.schema.field(n).type) for n in names):
        return table
    columns = [id_text(n, table.column(i)) for i, n in enumerate(names)]
    if isinstance(table, pa.RecordBatch):
        return pa.RecordBatch.from_arrays(columns, names=names)
    return pa.Table.from_arrays(columns, names=names)


def _numeric(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(pa.types.is_floating(t) or pa.types.is_integer(t))


def pandas_ids_as_text(frame: Any) -> Any:
    """A pandas frame whose id or code columns of mixed Python objects (``read_excel`` gives ``int``
    for a numeric cell and ``str`` for the rest) hold text; other frames unchanged."""
    mixed = [
        n for n in frame.columns if n in ID_COLUMNS and frame[n].dtype == object and _has_numbers(frame[n])
    ]
    if not mixed:
        return frame
    frame = frame.copy()
    for n in mixed:
        frame[n] = [_object_text(n, v, row) for row, v in enumerate(frame[n].tolist(), start=1)]
    return frame


def _has_numbers(series: Any) -> bool:
    return any(isinstance(v, int | float | np.integer | np.floating) for v in series.tolist())


def _object_text(name: str, value: Any, row: int) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isfinite(number) and number.is_integer() and abs(number) < 2.0**53:
            return str(int(number))
        raise NotText(
            f"column {name!r} holds {number!r} (row {row}) as a floating-point number, which cannot "
            "be read back to the id or code it was; read id and code columns as text (pandas: dtype=str)"
        )
    return str(value)


__all__ = ["ID_COLUMNS", "NotText", "id_text", "ids_as_text", "pandas_ids_as_text"]
