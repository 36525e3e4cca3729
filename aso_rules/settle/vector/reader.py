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
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules import progress
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
from aso_rules.data.source import (
    InputError,
    TextTable,
    with_lines,
)
from aso_rules.model import Ruleset
from aso_rules.money import to_cents
from aso_rules.settle.vector.batches import BATCH_ROWS, ClaimBatches, Codes, Growing
from aso_rules.settle.vector.columns import (
    NETWORKS,
    NODAY,
    NONE,
    ClaimColumns,
    MemberColumns,
    day_number,
)
from aso_rules.settle.vector.convert import (
    NUL,
    WHITESPACE,
    Names,
    as_text,
    date_column,
    duplicates,
    has_nul,
    index_dtype,
    money_column,
    nul_free,
    row_texts,
    units_column,
    valid,
)
from aso_rules.settle.vector.enrollment import FastEnrollment, LazyMembers, read_enrollment_fast
from aso_rules.settle.vector.strindex import StringIndex

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class FastClaims:
    claims: ClaimColumns
    rejects: tuple[Reject, ...]
    received: int
    columns: tuple[str, ...]
    table: pa.Table | None  # the input's extra columns, all rows, kept only when there are some (ledger)


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
    data = ClaimBatches(source, batch_rows)
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
    lines, categories, codes = Names(), Names(), Names()
    member_of = Codes(index=member_index)
    family_of = Codes(index=family_index)
    family_of.absent = -3  # a family the enrollment does not know
    line_of = Codes(lambda v: lines.add([x if x in kinds.kinds or x in kinds.excluded else None for x in v]))
    category_of = Codes(nul_free(categories.add))
    code_of = Codes(nul_free(codes.add))
    network_of = Codes(lambda v: [NETWORKS.index(x.lower()) if x.lower() in NETWORKS else -2 for x in v])
    # cause codes index ``columns.CAUSES``: 0 none, then the reader's causes
    cause_of = Codes(lambda v: [CAUSES.index(x.lower()) + 1 if x.lower() in CAUSES else -2 for x in v])
    disability_line: dict[int, bool] = {}

    out = {
        "fast": Growing(np.bool_, rows),
        "present": Growing(np.bool_, rows),
        "member": Growing(np.int32, rows),
        "family": Growing(np.int32, rows),
        "line": Growing(np.int32, rows),
        "network": Growing(np.int8, rows),
        "category": Growing(np.int32, rows),
        "incurred": Growing(np.int32, rows),
        "paid": Growing(np.int32, rows),
        "billed": Growing(np.int64, rows),
        "allowed": Growing(np.int64, rows),
        "code": Growing(np.int32, rows),
        "units": Growing(np.int64, rows),
        "weekly": Growing(np.int64, rows),
        "absence_start": Growing(np.int64, rows),
        "absence_end": Growing(np.int64, rows),
        "cause": Growing(np.int8, rows),
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
        ids = pc.utf8_trim(as_text(col("claim_id")), WHITESPACE)
        present = valid(ids) & np.asarray(pc.not_equal(ids, "").fill_null(False), dtype=np.bool_)
        fast &= present & ~has_nul(ids)
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
        fast &= code != NUL
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
    dup, first, order = duplicates(ids_all, present_all)
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
        row=(kept + 1).astype(index_dtype(n + 1)),
        claim_id=claim_ids,
        cid_rank=_ranks(order, keep, everything, index_dtype(n)),
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
    texts = row_texts(col, names, rows, fields)
    return {offset + i: [clean(texts[name][j]) for name in fields] for j, i in enumerate(rows.tolist())}


def _reread(
    data: ClaimBatches, names: Collection[str], rows: npt.NDArray[np.intp], fields: Sequence[str]
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
    lines: Names,
    categories: Names,
    codes: Names,
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


__all__ = [
    "BATCH_ROWS",
    "WHITESPACE",
    "FastClaims",
    "FastEnrollment",
    "LazyMembers",
    "money_column",
    "read_claims_fast",
    "read_enrollment_fast",
]
