"""The columnar fast path of the claims reader: whole-column checks in Arrow for rows that are clean.

On entry: the claims as a ``pyarrow.Table`` (every required column present), the ruleset's lines and
the accepted members. On exit: ``None`` when a column's type needs the exact Python text conversion
(floats, timestamps, booleans), else which rows passed every check, and their ``ClaimRecord``s.

The fast path only ever *accepts*: a row passes when each check of the row-by-row reader would pass
on it, written as stricter whole-column tests (plain ``1234.56`` amounts with at most 9 integer
digits, ISO dates that print back the same, lower-case ``in``/``out``, no duplicated claim id). Every
other row, good or bad, goes through the row-by-row reader, which gives the reasons. So both paths
accept the same rows with the same values; the tests compare them on mixes of good and bad rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import FrozenMap

# inside the data ranges of ``bounds`` (below $1e9, 1 to 1e6 units): anything else takes the row path
_AMOUNT = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_UNITS = r"^([1-9][0-9]{0,5}|1000000)$"
_EMPTY: FrozenMap[str, Any] = FrozenMap()


@attrs.frozen
class FastRows:
    accepted: npt.NDArray[np.bool_]  # one per input row
    records: list[ClaimRecord]  # the accepted rows, in row order


def text_column(table: pa.Table, name: str) -> pa.ChunkedArray | None:
    """The column as trimmed Arrow text, a column of nulls when absent, or ``None`` when its type
    must go through the Python conversion (its text depends on Python's float ``repr`` and so on)."""
    if name not in table.column_names:
        return pa.chunked_array([pa.nulls(table.num_rows, type=pa.string())])
    column = table.column(name)
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.cast(t.value_type)
        t = column.type
    if pa.types.is_null(t):
        return pa.chunked_array([pa.nulls(table.num_rows, type=pa.string())])
    if hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t):
        column = column.cast(pa.large_string())
    elif pa.types.is_decimal(t) or pa.types.is_integer(t) or pa.types.is_date(t):
        column = column.cast(pa.string())
    elif not (pa.types.is_string(t) or pa.types.is_large_string(t)):
        return None
    return pc.utf8_trim_whitespace(column)


def _present(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.fill_null(pc.not_equal(column, ""), False)


def _matches(column: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray:
    return pc.fill_null(pc.match_substring_regex(column, pattern), False)


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(_present(column), column, pa.scalar(None, type=column.type))


def _dates(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """(date32 with nulls, is a real ISO calendar date): ``2026-02-30`` parses leniently, so each
    parsed date must print back as the text it came from."""
    shaped = _matches(column, _DATE)
    text = pc.if_else(shaped, column, pa.scalar(None, type=column.type))
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    # Arrow reads year 0000 (proleptic); Python dates start at year 1, so such rows take the row path.
    in_range = pc.greater_equal(parsed, pa.scalar(datetime(1, 1, 1), type=parsed.type))
    same = pc.fill_null(pc.and_(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), text), in_range), False)
    days = pc.if_else(same, parsed, pa.scalar(None, type=parsed.type)).cast(pa.date32())
    return days, same


def _optional(column: pa.ChunkedArray, good: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.or_(pc.invert(_present(column)), good)


def fast_claims(
    table: pa.Table,
    names: tuple[str, ...],
    kinds: Mapping[str, str],
    excluded: Collection[str],
    members: Mapping[str, MemberRecord],
    duplicated: npt.NDArray[np.bool_],
) -> FastRows | None:
    """Rows of ``table`` that pass every check, and their records (see the module docstring).

    ``names`` are the claim columns in the reader's order; ``duplicated`` marks rows whose claim id
    occurs more than once (they are left to the row-by-row reader).
    """
    cols: dict[str, pa.ChunkedArray] = {}
    for name in names:
        column = text_column(table, name)
        if column is None:
            return None
        cols[name] = column
    ok = pc.and_(_present(cols["claim_id"]), pa.array(~duplicated))
    for name in ("claim_id", "category", "code"):  # free text: a NUL takes the row path (rejected)
        ok = pc.and_(ok, pc.invert(pc.fill_null(pc.match_substring(cols[name], "\x00"), False)))
    for name in ("member_id", "line", "category"):
        ok = pc.and_(ok, _present(cols[name]))
    incurred, good_incurred = _dates(cols["incurred"])
    paid, good_paid = _dates(cols["paid"])
    absence_start, good_start = _dates(cols["absence_start"])
    absence_end, good_end = _dates(cols["absence_end"])
    ok = pc.and_(ok, pc.and_(good_incurred, good_paid))
    ok = pc.and_(ok, _matches(cols["billed"], _AMOUNT))
    for name in ("allowed", "weekly_earnings"):
        ok = pc.and_(ok, _optional(cols[name], _matches(cols[name], _AMOUNT)))
    ok = pc.and_(ok, _optional(cols["absence_start"], good_start))
    ok = pc.and_(ok, _optional(cols["absence_end"], good_end))
    ok = pc.and_(ok, _optional(cols["units"], _matches(cols["units"], _UNITS)))
    network_ok = pc.fill_null(pc.is_in(cols["network"], value_set=pa.array(["in", "out"])), False)
    ok = pc.and_(ok, _optional(cols["network"], network_ok))
    cause_ok = pc.fill_null(pc.is_in(cols["cause"], value_set=pa.array(["illness", "accident"])), False)
    ok = pc.and_(ok, _optional(cols["cause"], cause_ok))

    member_list = list(members.values())
    keys = pa.array([m.member_id for m in member_list], type=pa.string())
    where = pc.index_in(cols["member_id"], value_set=keys)
    ok = pc.and_(ok, pc.is_valid(where))
    families = pa.array([m.family_id for m in member_list], type=pa.string())
    earnings = pa.array(
        [m.weekly_earnings is not None or m.annual_salary is not None for m in member_list], type=pa.bool_()
    )
    enrolled_family = pc.take(families, where)
    same_family = pc.fill_null(pc.equal(cols["family_id"], enrolled_family), False)
    ok = pc.and_(ok, _optional(cols["family_id"], same_family))
    line_names = pa.array(sorted(set(kinds) | set(excluded)), type=pa.string())
    ok = pc.and_(ok, pc.fill_null(pc.is_in(cols["line"], value_set=line_names), False))
    ok = pc.and_(ok, pc.fill_null(pc.greater_equal(paid, incurred), False))
    disability = [name for name, kind in kinds.items() if kind in ("std", "ltd")]
    if disability:
        is_disability = pc.fill_null(
            pc.is_in(cols["line"], value_set=pa.array(disability, pa.string())), False
        )
        dates_ok = pc.fill_null(pc.greater_equal(absence_end, absence_start), False)
        earning = pc.or_(_present(cols["weekly_earnings"]), pc.fill_null(pc.take(earnings, where), False))
        ok = pc.and_(ok, pc.or_(pc.invert(is_disability), pc.and_(dates_ok, earning)))

    accepted = np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)
    if not accepted.any():
        return FastRows(accepted=accepted, records=[])
    keep = pa.array(accepted)

    def texts(name: str) -> list[Any]:
        return list(_blank_to_null(cols[name]).filter(keep).to_pylist())

    def amounts(name: str) -> list[Any]:
        return list(_blank_to_null(cols[name]).filter(keep).cast(pa.decimal128(38, 2)).to_pylist())

    def days(column: pa.ChunkedArray) -> list[Any]:
        return list(column.filter(keep).to_pylist())

    family = pc.coalesce(_blank_to_null(cols["family_id"]), enrolled_family).filter(keep).to_pylist()
    units = pc.fill_null(_blank_to_null(cols["units"]).filter(keep).cast(pa.int64()), 1).to_pylist()
    network = pc.fill_null(_blank_to_null(cols["network"]), "in").filter(keep).to_pylist()
    rows = (np.flatnonzero(accepted) + 1).tolist()
    values = zip(
        rows, texts("claim_id"), texts("member_id"), family, texts("line"), texts("category"),
        days(incurred), days(paid), amounts("billed"), network, texts("code"), units, amounts("allowed"),
        amounts("weekly_earnings"), days(absence_start), days(absence_end), texts("cause"),
        strict=True,
    )  # fmt: skip
    # fmt: off
    records = [
        ClaimRecord(
            row=v[0], claim_id=v[1], member_id=v[2], family_id=v[3], line=v[4], category=v[5],
            incurred=v[6], paid=v[7], billed=v[8], network=v[9], code=v[10], units=v[11], allowed=v[12],
            weekly_earnings=v[13], absence_start=v[14], absence_end=v[15], cause=v[16], extra=_EMPTY,
        )
        for v in values
    ]
    # fmt: on
    return FastRows(accepted=accepted, records=records)
