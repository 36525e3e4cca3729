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

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from aso_rules.data.fields import RowError, clean
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
from aso_rules.data.source import InputError, TextTable, column_text, to_arrow
from aso_rules.model import Ruleset
from aso_rules.money import to_cents
from aso_rules.settle.vector.columns import (
    NODAY,
    NONE,
    ClaimColumns,
    MemberColumns,
    claims_from_records,
    day_number,
)

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# exactly the characters ``str.strip()`` removes (``str.isspace``), as Python 3.11 defines them
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_MONEY = r"^\d{1,15}(\.\d{1,2})?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_UNITS = r"^[1-9][0-9]{0,15}$"


@attrs.frozen(eq=False)
class FastClaims:
    claims: ClaimColumns
    rejects: tuple[Reject, ...]
    received: int
    columns: tuple[str, ...]
    table: pa.Table | None  # the input as read, kept only when it has extra columns (for the ledger)
    accepted_rows: I64  # 0-based input positions of the accepted lines, ascending


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


def _valid(arr: pa.Array) -> B:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=np.bool_)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)


def _i64(arr: pa.Array, fill: int) -> I64:
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


def _decimal_cents(arr: pa.Array) -> tuple[I64, B] | None:
    """Cents of a decimal column with at most 2 decimals and int64 range; None if not that simple."""
    t = arr.type
    if not pa.types.is_decimal128(t) or t.scale > 2 or t.scale < 0 or t.precision > 18:
        return None
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * arr.offset : 2 * (arr.offset + len(arr))]
    cents = words[0::2] * (10 ** (2 - t.scale))
    return cents.astype(np.int64), _valid(arr)


def money_column(arr: pa.Array) -> tuple[I64, B, B]:
    """(cents, present, fast): ``fast`` False marks a value the reference reader must judge."""
    n = len(arr)
    simple = _decimal_cents(arr)
    if simple is not None:
        cents, present = simple
        return np.where(present, cents, 0), present, np.ones(n, dtype=np.bool_)
    if pa.types.is_integer(arr.type):
        values = _i64(arr, 0)
        present = _valid(arr)
        fast = np.abs(values) < 10**15
        return values * 100, present, fast
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
        return values, values >= 1
    text = pc.utf8_trim(_text(arr), WHITESPACE)
    empty = ~_valid(text) | np.asarray(pc.equal(text, "").fill_null(True), dtype=np.bool_)
    ok = np.asarray(pc.match_substring_regex(text, _UNITS).fill_null(False), dtype=np.bool_)
    units = np.ones(n, dtype=np.int64)
    if ok.any():
        idx = np.flatnonzero(ok)
        units[idx] = _i64(text.take(pa.array(idx)).cast(pa.int64()), 1)
    return units, ok | empty


def _choice(codes: I64, names: Sequence[str], choices: Sequence[str], default: int) -> tuple[I64, B]:
    """Case-insensitive choice codes (index into ``choices``; ``default`` when empty) and fast."""
    lut = np.array(
        [choices.index(v.lower()) if v.lower() in choices else -2 for v in names] or [0], dtype=np.int64
    )
    out = np.where(codes >= 0, lut[np.maximum(codes, 0)], default)
    return out, out != -2


def claim_id_rank(ids: pa.Array) -> I64:
    """Rank of each (distinct) claim id in Python ``str`` order (UTF-8 bytes compare the same)."""
    n = len(ids)
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    increasing = pc.all(pc.greater(ids[1:], ids[:-1])).as_py()
    if increasing:
        return np.arange(n, dtype=np.int64)
    order = np.asarray(pc.sort_indices(ids).to_numpy(), dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n, dtype=np.int64)
    return rank


def _first_rows(ids: pa.Array, present: B) -> tuple[B, dict[str, int]]:
    """(duplicate, first) where ``duplicate`` marks rows whose cleaned id a lower row already holds,
    and ``first`` maps each duplicated id to its first row (1-based)."""
    n = len(ids)
    dup = np.zeros(n, dtype=np.bool_)
    if n <= 1 or pc.all(pc.greater(ids[1:], ids[:-1])).as_py():
        return dup, {}
    order = np.asarray(pc.sort_indices(ids).to_numpy(), dtype=np.int64)  # stable
    order = order[present[order]]
    sorted_ids = ids.take(pa.array(order))
    same = np.zeros(len(order), dtype=np.bool_)
    if len(order) > 1:
        same[1:] = np.asarray(pc.equal(sorted_ids[1:], sorted_ids[:-1]).fill_null(False), dtype=np.bool_)
    dup[order[same]] = True
    first: dict[str, int] = {}
    if same.any():
        starts = np.flatnonzero(~same)
        group = np.cumsum(~same) - 1
        firsts = order[starts[group[same]]]
        for pos, f in zip(order[same].tolist(), firsts.tolist(), strict=True):
            first.setdefault(str(ids[pos].as_py()), f + 1)
    return dup, first


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
            return _flat(self.file.read(columns=[name]).column(0))
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


def read_claims_fast(
    source: Any,
    ruleset: Ruleset,
    members: MemberColumns,
    member_records: Mapping[str, MemberRecord],
) -> FastClaims:
    """Read and validate claims (see the module docstring)."""
    if isinstance(source, ClaimsInput):
        raise InputError("claims: already validated input given where a table was expected")
    data = _Input(source)
    names = data.names
    text_table = TextTable(names=names, columns={n: [] for n in names}, rows=data.rows)
    _require_columns(text_table, CLAIMS_REQUIRED, "claims")
    n = data.rows
    col = data.column

    fast = np.ones(n, dtype=np.bool_)
    ids = pc.utf8_trim(_text(col("claim_id")), WHITESPACE)
    id_present = _valid(ids) & np.asarray(pc.not_equal(ids, "").fill_null(False), dtype=np.bool_)
    fast &= id_present
    dup, first = _first_rows(ids, id_present)
    fast &= ~dup
    member_codes, member_names = text_codes(col("member_id"))
    family_codes, family_names = text_codes(col("family_id"))
    line_codes, line_names = text_codes(col("line"))
    cat_codes, cat_names = text_codes(col("category"))
    code_codes, code_names = text_codes(col("code"))
    net_codes, net_names = text_codes(col("network"))
    cause_codes, cause_names = text_codes(col("cause"))
    fast &= (member_codes >= 0) & (line_codes >= 0) & (cat_codes >= 0)
    incurred, inc_present, ok = date_column(col("incurred"))
    fast &= ok & inc_present
    paid, paid_present, ok = date_column(col("paid"))
    fast &= ok & paid_present
    billed, billed_present, ok = money_column(col("billed"))
    fast &= ok & billed_present & (billed >= 0)
    network, ok = _choice(net_codes, net_names, ("in", "out"), 0)
    fast &= ok
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
    cause, ok = _choice(cause_codes, cause_names, CAUSES, -1)
    fast &= ok
    # the reference reader's row rules
    to_member = np.array([members.index.get(v, NONE) for v in member_names] or [NONE], dtype=np.int64)
    member = np.where(member_codes >= 0, to_member[np.maximum(member_codes, 0)], NONE)
    fast &= member >= 0
    fam_index = {name: k for k, name in enumerate(members.family_names)}
    to_family = np.array([fam_index.get(v, -3) for v in family_names] or [NONE], dtype=np.int64)
    given_family = np.where(family_codes >= 0, to_family[np.maximum(family_codes, 0)], NONE)
    member_family = members.family[np.maximum(member, 0)] if members.n else np.zeros(n, dtype=np.int64)
    fast &= (given_family == NONE) | (given_family == member_family)
    kinds = _LineKinds.of(ruleset)
    known_line = np.array([v in kinds.kinds or v in kinds.excluded for v in line_names] or [False])
    fast &= known_line[np.maximum(line_codes, 0)]
    fast &= paid >= incurred
    disability = np.array([kinds.kinds.get(v) in DISABILITY_KINDS for v in line_names] or [False])
    dis = disability[np.maximum(line_codes, 0)] & (line_codes >= 0)
    if dis.any():
        has_earn = weekly_present.copy()
        if members.n:
            m0 = np.maximum(member, 0)
            has_earn |= (members.weekly[m0] >= 0) | (members.annual[m0] >= 0)
        fast &= ~dis | (start_present & end_present & (a_end >= a_start) & has_earn)

    # rows the fast checks did not clear: the reference reader's row function decides
    slow = np.flatnonzero(~fast)
    rejects: list[Reject] = []
    slow_records: list[ClaimRecord] = []
    if len(slow):
        texts = _row_texts(col, names, slow, CLAIMS_REQUIRED + CLAIMS_OPTIONAL)
        first_row = dict(first)
        for j, i in enumerate(slow.tolist()):
            row = i + 1
            values = [clean(texts[name][j]) for name in CLAIMS_REQUIRED + CLAIMS_OPTIONAL]
            raw_id = values[0] or ""
            try:
                slow_records.append(
                    _claim(*values, row=row, lines=kinds, members=member_records, first_row=first_row)
                )
            except RowError as err:
                rejects.append(Reject(row=row, claim_id=raw_id, reason=err.reason))
    fast_idx = np.flatnonzero(fast)
    everything = len(fast_idx) == n

    def pick(values: I64) -> I64:
        return values if everything else values[fast_idx]

    def opt(values: I64, present: B, absent: int) -> I64:
        return pick(values if present.all() else np.where(present, values, absent))

    fam = np.where(given_family >= 0, given_family, member_family)
    fast_cols = ClaimColumns(
        row=(fast_idx + 1).astype(np.int64),
        claim_id=ids if everything else ids.take(pa.array(fast_idx)),
        cid_rank=np.zeros(len(fast_idx), dtype=np.int64),
        member=pick(member),
        member_id=pa.DictionaryArray.from_arrays(
            pa.array(pick(member_codes)), pa.array(member_names, type=pa.string())
        ),
        family=pick(fam),
        family_names=members.family_names,
        line=pick(line_codes),
        line_names=tuple(line_names),
        network=pick(network),
        category=pick(cat_codes),
        category_names=tuple(cat_names),
        incurred=pick(incurred),
        paid=pick(paid),
        billed=pick(billed),
        allowed=opt(allowed, allowed_present, NONE),
        code=pick(code_codes),
        code_names=tuple(code_names),
        units=pick(units),
        weekly=opt(weekly, weekly_present, NONE),
        absence_start=opt(a_start, start_present, NODAY),
        absence_end=opt(a_end, end_present, NODAY),
        cause=pick(np.where(cause >= 0, cause + 1, 0)),
    )
    claims = fast_cols
    accepted = fast_idx
    if slow_records:
        claims, accepted = _merge(fast_cols, fast_idx, slow_records, members)
    claims = attrs.evolve(claims, cid_rank=claim_id_rank(claims.claim_id))
    known = set(CLAIMS_REQUIRED + CLAIMS_OPTIONAL)
    return FastClaims(
        claims=claims,
        rejects=tuple(sorted(rejects, key=lambda r: r.row)),
        received=n,
        columns=names,
        table=data.columns_table(extra) if (extra := [c for c in names if c not in known]) else None,
        accepted_rows=accepted.astype(np.int64),
    )


def _remap(codes: I64, names: Sequence[str], into: list[str]) -> I64:
    """``codes`` over ``names`` re-expressed over ``into`` (extended with names it lacks)."""
    index = {v: k for k, v in enumerate(into)}
    lut = []
    for v in names:
        if v not in index:
            index[v] = len(into)
            into.append(v)
        lut.append(index[v])
    table = np.array(lut or [0], dtype=np.int64)
    return np.where(codes >= 0, table[np.maximum(codes, 0)], codes)


def _merge(
    fast: ClaimColumns, fast_idx: I64, records: list[ClaimRecord], members: MemberColumns
) -> tuple[ClaimColumns, I64]:
    """Fast-path columns and reference-accepted records, merged back into input order."""
    slow = claims_from_records(records, members)
    line_names = list(fast.line_names)
    cat_names = list(fast.category_names)
    code_names = list(fast.code_names)
    fam_names = list(fast.family_names)
    remapped = {
        "line": (
            _remap(fast.line, fast.line_names, line_names),
            _remap(slow.line, slow.line_names, line_names),
        ),
        "category": (
            _remap(fast.category, fast.category_names, cat_names),
            _remap(slow.category, slow.category_names, cat_names),
        ),
        "code": (
            _remap(fast.code, fast.code_names, code_names),
            _remap(slow.code, slow.code_names, code_names),
        ),
        "family": (
            _remap(fast.family, fast.family_names, fam_names),
            _remap(slow.family, slow.family_names, fam_names),
        ),
    }
    rows = np.concatenate([fast.row, slow.row])
    order = np.argsort(rows, kind="stable")

    def cat(name: str) -> I64:
        if name in remapped:
            a, b = remapped[name]
        else:
            a, b = getattr(fast, name), getattr(slow, name)
        return np.concatenate([a, b])[order]

    def cat_text(name: str) -> pa.Array:
        both = pa.concat_arrays(
            [getattr(fast, name).cast(pa.string()), getattr(slow, name).cast(pa.string())]
        )
        return both.take(pa.array(order))

    merged = ClaimColumns(
        row=rows[order],
        claim_id=cat_text("claim_id"),
        cid_rank=np.zeros(len(rows), dtype=np.int64),
        member=cat("member"),
        member_id=cat_text("member_id"),
        family=cat("family"),
        family_names=tuple(fam_names),
        line=cat("line"),
        line_names=tuple(line_names),
        network=cat("network"),
        category=cat("category"),
        category_names=tuple(cat_names),
        incurred=cat("incurred"),
        paid=cat("paid"),
        billed=cat("billed"),
        allowed=cat("allowed"),
        code=cat("code"),
        code_names=tuple(code_names),
        units=cat("units"),
        weekly=cat("weekly"),
        absence_start=cat("absence_start"),
        absence_end=cat("absence_end"),
        cause=cat("cause"),
    )
    return merged, (rows[order] - 1).astype(np.int64)


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
    fast &= present
    dup, first = _first_rows(ids, present)
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

    slow = np.flatnonzero(~fast)
    rejects: list[Reject] = []
    slow_records: list[tuple[int, MemberRecord]] = []
    if len(slow):
        texts = _row_texts(col, names, slow, ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL)
        first_row = dict(first)
        tier_set = frozenset(tiers)
        for j, i in enumerate(slow.tolist()):
            row = i + 1
            values = [clean(texts[name][j]) for name in ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL]
            raw_id = values[0] or ""
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
        rejects=tuple(sorted(rejects, key=lambda r: r.row)),
        received=n,
    )
