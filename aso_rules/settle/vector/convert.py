"""Arrow columns to the vector engine's integer columns, with the fast checks of the claims and
enrollment readers: text trimmed of exactly what ``str.strip`` removes, money in cents, dates as day
numbers, units, coded text, and the helpers both readers share (duplicate ids, the text of the rows
the reference reader's row function must judge).

A value the strict fast patterns (``123.45``, ``2025-01-31``) do not clear is marked not ``fast``:
the readers hand its row to the reference reader's row function.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules.data.bounds import MAX_DATA_MONEY, MAX_UNITS
from aso_rules.data.source import column_text
from aso_rules.settle.vector.columns import NONE
from aso_rules.settle.vector.floats import float_money, float_units

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


def flat(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


def is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def as_text(arr: pa.Array) -> pa.Array:
    """Any column as a string array with the reference reader's text (``source.column_text``)."""
    if is_text(arr.type):
        return arr
    return pa.array(column_text(pa.chunked_array([arr])), type=pa.string())


def is_float(t: pa.DataType) -> bool:
    """float32 or float64: converted in bulk (``floats``); half floats go through their text."""
    return bool(pa.types.is_float32(t) or pa.types.is_float64(t))


def valid(arr: pa.Array) -> B:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=np.bool_)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)


def signed(arr: pa.Array) -> pa.Array:
    """Dictionary indices as a signed type (polars hands categoricals over with uint32 indices,
    which cannot hold the -1 a null is filled with)."""
    return arr.cast(pa.int64()) if pa.types.is_unsigned_integer(arr.type) else arr


def i64(arr: pa.Array, fill: int) -> I64:
    arr = signed(arr)
    return np.asarray(arr.fill_null(fill).to_numpy(zero_copy_only=False), dtype=np.int64)


def text_codes(arr: pa.Array) -> tuple[I64, list[str]]:
    """Cleaned text as codes into distinct names; NONE for null or empty (``fields.clean``)."""
    if pa.types.is_dictionary(arr.type):
        indices = i64(arr.indices, -1)
        values = pc.utf8_trim(as_text(arr.dictionary), WHITESPACE)
        enc = values.dictionary_encode()
        remap = i64(enc.indices, -1)
        names = enc.dictionary.to_pylist()
        codes = np.where(indices >= 0, remap[np.maximum(indices, 0)] if len(remap) else -1, -1)
    else:
        enc = pc.utf8_trim(as_text(arr), WHITESPACE).dictionary_encode()
        codes = i64(enc.indices, -1)
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
    return cents.astype(np.int64), valid(arr), fits


def money_column(arr: pa.Array) -> tuple[I64, B, B]:
    """(cents, present, fast): ``fast`` False marks a value the reference reader must judge."""
    n = len(arr)
    simple = _decimal_cents(arr)
    if simple is not None:
        cents, present, fits = simple
        cents = np.where(present, cents, 0)
        return cents, present, fits & (np.abs(cents) < _MAX_CENTS)
    if pa.types.is_integer(arr.type):
        values = i64(arr, 0)
        present = valid(arr)
        fast = np.abs(values) < int(MAX_DATA_MONEY)
        return np.where(fast, values, 0) * 100, present, fast
    if is_float(arr.type):
        return float_money(arr)
    text = pc.utf8_trim(as_text(arr), WHITESPACE)
    empty = ~valid(text) | np.asarray(pc.equal(text, "").fill_null(True), dtype=np.bool_)
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
        present = valid(arr)
        return i64(arr.cast(pa.int32()), 0), present, np.ones(n, dtype=np.bool_)
    text = pc.utf8_trim(as_text(arr), WHITESPACE)
    empty = ~valid(text) | np.asarray(pc.equal(text, "").fill_null(True), dtype=np.bool_)
    ok = np.asarray(pc.match_substring_regex(text, _DATE).fill_null(False), dtype=np.bool_)
    ok &= ~np.asarray(pc.starts_with(text, "0000").fill_null(False), dtype=np.bool_)
    days = np.zeros(n, dtype=np.int64)
    if ok.any():
        idx = np.flatnonzero(ok)
        sub = text.take(pa.array(idx))
        try:
            parsed = sub.cast(pa.date32())
            days[idx] = i64(parsed.cast(pa.int32()), 0)
        except pa.ArrowInvalid:
            stamp = pc.strptime(sub, "%Y-%m-%d", "s", error_is_null=True)
            back = pc.strftime(stamp, "%Y-%m-%d")
            same = np.asarray(pc.equal(back, sub).fill_null(False), dtype=np.bool_)
            good = idx[same]
            ok[idx[~same]] = False
            if len(good):
                parsed = stamp.filter(pa.array(same)).cast(pa.date32())
                days[good] = i64(parsed.cast(pa.int32()), 0)
    return days, ~empty, ok | empty


def units_column(arr: pa.Array) -> tuple[I64, B]:
    """(units, fast): default 1 when empty."""
    n = len(arr)
    if pa.types.is_integer(arr.type):
        values = i64(arr, 1)
        return values, (values >= 1) & (values <= MAX_UNITS)
    if is_float(arr.type):
        return float_units(arr)
    text = pc.utf8_trim(as_text(arr), WHITESPACE)
    empty = ~valid(text) | np.asarray(pc.equal(text, "").fill_null(True), dtype=np.bool_)
    ok = np.asarray(pc.match_substring_regex(text, _UNITS).fill_null(False), dtype=np.bool_)
    units = np.ones(n, dtype=np.int64)
    if ok.any():
        idx = np.flatnonzero(ok)
        units[idx] = i64(text.take(pa.array(idx)).cast(pa.int64()), 1)
    return units, ok | empty


NUL = -2  # the code of a free-text value holding a NUL character (the reference reader rejects it)


def has_nul(text: pa.Array) -> B:
    return np.asarray(pc.match_substring(text, "\x00").fill_null(False), dtype=np.bool_)


def nul_free(add: Callable[[Sequence[str | None]], list[int]]) -> Callable[[list[str]], list[int]]:
    """``add`` of a ``Names``, giving ``NUL`` for a name with a NUL character (never added)."""

    def lookup(names: list[str]) -> list[int]:
        codes = add([None if "\x00" in v else v for v in names])
        return [NUL if "\x00" in v else k for v, k in zip(names, codes, strict=True)]

    return lookup


def choice(codes: I64, names: Sequence[str], choices: Sequence[str], default: int) -> tuple[I64, B]:
    """Case-insensitive choice codes (index into ``choices``; ``default`` when empty) and fast."""
    lut = np.array(
        [choices.index(v.lower()) if v.lower() in choices else -2 for v in names] or [0], dtype=np.int64
    )
    out = np.where(codes >= 0, lut[np.maximum(codes, 0)], default)
    return out, out != -2


def row_texts(
    col: Callable[[str], pa.Array], names: Collection[str], rows: npt.NDArray[np.intp], fields: Sequence[str]
) -> dict[str, list[str | None]]:
    """The text of ``fields`` on ``rows``, for the reference reader's row function (absent: None)."""
    take = pa.array(rows)
    return {
        name: column_text(pa.chunked_array([col(name).take(take)])) if name in names else [None] * len(rows)
        for name in fields
    }


@attrs.define
class Names:
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


def index_dtype(rows: int) -> Any:
    """int32 for row numbers and ranks while they fit, int64 beyond (2^31 lines)."""
    return np.int32 if rows < (1 << 31) else np.int64


def duplicates(ids: pa.Array, present: B) -> tuple[B, dict[str, int], I64 | None]:
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
