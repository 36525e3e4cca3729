"""Posting a large batch by columns: the vector reader's columns, the vector engine's arrays, bulk rows.

``post_columnar`` takes a batch that needs no re-adjudication of stored lines: no ``reverses``
column, no extra input columns, no claim id that is already current, and no family that already has
current lines (the first big batch of a ledger, or a batch of new families). Such a batch is read
with the vector reader (``read_claims_fast``: the reference reader's exact rejects), settled with
the vector engine on its integer columns, and stored with one bulk statement per table from the
result arrays (SQLite ``executemany`` over the columns, PostgreSQL ``COPY`` of Arrow-written CSV):
no claim record or line object is built per line. Any other batch returns ``None`` having changed
nothing, and the caller posts it through the record path (``post.post_batch``), which gives the
same rows: a claim record is stored as the JSON list ``lines.record_to_list`` writes (built here by
Arrow from the columns; money as its exact two-decimal text), its adjudication as the same cents.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules.data.records import MemberRecord
from aso_rules.data.source import to_arrow
from aso_rules.ledger.batch import REVERSES, renumbered
from aso_rules.ledger.errors import MonthClosed
from aso_rules.ledger.lines import MONEY_FIELDS
from aso_rules.ledger.store import Store
from aso_rules.model import Ruleset
from aso_rules.settle.vector.columns import CAUSES, NETWORKS, NODAY, ClaimColumns, day_date

if TYPE_CHECKING:
    from aso_rules.ledger.post import PostResult

__all__ = ["post_columnar", "record_texts"]

I64 = npt.NDArray[np.int64]

LINE_COLUMNS = ("status", "reason", *MONEY_FIELDS, "plan_year")


def _literals(names: Sequence[str | None]) -> pa.Array:
    """Each name as its JSON literal (``null`` for ``None``), to be taken by code."""
    return pa.array([json.dumps(n) for n in names], type=pa.string())


def _coded(names: Sequence[str | None], codes: I64) -> pa.Array:
    """The JSON literal of ``names[code]`` per line; a negative code is ``null``."""
    table = _literals([*names, None])
    idx = np.where(codes < 0, len(names), codes).astype(np.int64)
    return table.take(pa.array(idx))


_NEEDS_ESCAPE = r'["\\\x00-\x1f]'


def _strings(values: pa.Array) -> pa.Array:
    """JSON string literals of a string column without nulls."""
    values = values.cast(pa.string())
    if len(values) and pc.any(pc.match_substring_regex(values, _NEEDS_ESCAPE)).as_py():
        return pa.array([json.dumps(v) for v in values.to_pylist()], type=pa.string())
    return pc.binary_join_element_wise('"', values, '"', "")


def _days(days: I64) -> pa.Array:
    """ISO dates as JSON literals; ``NODAY`` is ``null`` (each distinct day formatted once)."""
    distinct, codes = np.unique(days, return_inverse=True)
    texts = [None if d == NODAY else day_date(int(d)).isoformat() for d in distinct.tolist()]
    return _literals(texts).take(pa.array(codes.astype(np.int64).reshape(-1)))


def _money(cents: I64, optional: bool) -> pa.Array:
    """Cents as the JSON string of their two-decimal text; a negative (absent) amount is ``null``."""
    absent = cents < 0
    safe = np.maximum(cents, 0)
    whole = safe // 100
    frac = safe - whole * 100
    quoted = pc.binary_join_element_wise(
        '"',
        pa.array(whole).cast(pa.string()),
        ".",
        pc.utf8_lpad(pa.array(frac).cast(pa.string()), 2, "0"),
        '"',
        "",
    )
    return pc.if_else(pa.array(absent), "null", quoted) if optional and absent.any() else quoted


def record_texts(claims: ClaimColumns, rows: I64) -> pa.Array:
    """Per line, the JSON text of ``lines.record_to_list`` of its claim record (row ``rows``)."""
    member_names = claims.member_id.dictionary if isinstance(claims.member_id, pa.DictionaryArray) else None
    if member_names is not None:
        members = _literals(member_names.to_pylist()).take(claims.member_id.indices)
    else:
        members = _strings(claims.member_id)
    parts = [
        pa.array(rows).cast(pa.string()),
        _strings(claims.claim_id),
        members,
        _coded(claims.family_names, claims.family.astype(np.int64)),
        _coded(claims.line_names, claims.line.astype(np.int64)),
        _coded(claims.category_names, claims.category.astype(np.int64)),
        _days(claims.incurred.astype(np.int64)),
        _days(claims.paid.astype(np.int64)),
        _money(claims.billed.astype(np.int64), optional=False),
        _coded(NETWORKS, claims.network.astype(np.int64)),
        _coded(claims.code_names, claims.code.astype(np.int64)),
        pa.array(claims.units.astype(np.int64)).cast(pa.string()),
        _money(claims.allowed.astype(np.int64), optional=True),
        _money(claims.weekly.astype(np.int64), optional=True),
        _days(claims.absence_start.astype(np.int64)),
        _days(claims.absence_end.astype(np.int64)),
        _coded(CAUSES, claims.cause.astype(np.int64)),
    ]
    body = pc.binary_join_element_wise(*parts, ",")
    return pc.binary_join_element_wise("[", body, ",null]", "")


def _columns_of(source: Any) -> pa.Table:
    return to_arrow(source)


def post_columnar(
    store: Store,
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    batch_id: str,
    source: Any,
    digest: str,
    *,
    before_write: Any = None,
) -> PostResult | None:
    """Post ``source`` as ``batch_id`` by columns (see the module docstring), or ``None`` (nothing
    changed) when the batch needs the record path. The caller holds ``store.exclusive()`` and has
    checked the batch id."""
    from aso_rules.ledger.post import PostResult, closed_months, next_position, record_batch
    from aso_rules.settle.vector.columns import members_from_records
    from aso_rules.settle.vector.engine import adjudicate_columns
    from aso_rules.settle.vector.reader import read_claims_fast
    from aso_rules.settle.vector.settle import reason_texts

    table = _columns_of(source)
    if REVERSES in table.column_names:
        return None
    mcols = members_from_records(list(members.values()), ruleset.tier_codes)
    read = read_claims_fast(table, ruleset, mcols, members)
    if read.table is not None:  # extra input columns: the record path keeps them per line
        return None
    claims = read.claims
    n = claims.n
    paid = claims.paid.astype(np.int64)
    closed = closed_months(store)
    if closed and n:
        months = set(
            pc.unique(pa.array(np.unique(paid).astype(np.int32)).cast(pa.date32()))
            .cast(pa.timestamp("s"))
            .to_pylist()
        )
        late = sorted({m.strftime("%Y-%m") for m in months} & closed)
        if late:
            raise MonthClosed(
                f"batch {batch_id!r} has lines paid in closed month {', '.join(late)}; nothing changed "
                "(reopen the month with `aso ledger close --reopen` first)"
            )
    seq, offset = next_position(store)
    touched = np.unique(claims.family.astype(np.int64))
    family_ids = [claims.family_names[k] for k in touched.tolist()]
    if n and store.query("SELECT 1 FROM claims WHERE voided_by IS NULL LIMIT 1"):
        store.key_table("ledger_keys", claims.claim_id.to_pylist())
        if store.query(
            "SELECT 1 FROM claims c JOIN ledger_keys k ON c.claim_id = k.k WHERE c.voided_by IS NULL LIMIT 1"
        ):
            return None  # a duplicate claim id: a reject the record path words
        store.key_table("ledger_keys", family_ids)
        if store.query(
            "SELECT 1 FROM claims c JOIN ledger_keys k ON c.family_id = k.k WHERE c.voided_by IS NULL LIMIT 1"
        ):
            return None  # a family with current lines: re-adjudicated by the record path
    rejects = [renumbered(r, lambda k: k + offset) for r in read.rejects]

    adj = adjudicate_columns(ruleset, claims, mcols, member_records=members)
    texts, codes = reason_texts(ruleset, claims, mcols, adj)
    if before_write is not None:
        before_write()

    line_ids = claims.row.astype(np.int64) + offset
    status = pa.array(["paid", "denied"], type=pa.string()).take(pa.array(adj.status.astype(np.int64)))
    reason = pc.fill_null(texts.take(pa.array(codes)), "")
    money = [getattr(adj, name).astype(np.int64) for name in MONEY_FIELDS]
    years = adj.period.astype(np.int64) + adj.first_year
    now = datetime.now(UTC).isoformat(timespec="seconds")
    record_batch(
        store, (seq, batch_id, digest, now, "vector", offset, read.received, n, len(rejects), 0, 0,
                json.dumps(list(read.columns)))
    )  # fmt: skip
    distinct, at = np.unique(paid, return_inverse=True)
    paid_text = pa.array([day_date(int(d)).isoformat() for d in distinct.tolist()], type=pa.string()).take(
        pa.array(at.astype(np.int64).reshape(-1))
    )
    deferred = store.indexes_deferred("claims") if n > offset else contextlib.nullcontext()
    with deferred:
        store.insert_columns(
            "claims",
            ("line_id", "batch_seq", "claim_id", "family_id", "paid", "record"),
            [
                line_ids,
                seq,
                claims.claim_id.cast(pa.string()),
                pa.array(claims.family_names, type=pa.string()).take(
                    pa.array(claims.family.astype(np.int64))
                ),
                paid_text,
                record_texts(claims, line_ids),
            ],
            n,
        )
    store.insert_many(
        "rejects",
        ("batch_seq", "row_no", "claim_id", "reason"),
        [(seq, r.row, r.claim_id, r.reason) for r in sorted(rejects, key=lambda r: r.row)],
    )
    outcome = [status, reason, *money, years]
    names = ", ".join(("line_id", "batch_seq", *LINE_COLUMNS))
    if store.kind == "sqlite":  # the same values again, copied inside SQLite (no second binding)
        (last,) = store.query("SELECT COALESCE(MAX(rowid), 0) FROM adjudications")[0]
        store.insert_columns(
            "adjudications",
            ("line_id", "batch_seq", "kind", *LINE_COLUMNS),
            [line_ids, seq, "new", *outcome],
            n,
        )
        store.execute(
            f"INSERT INTO current_lines ({names}) SELECT {names} FROM adjudications WHERE rowid > ?", (last,)
        )
    else:
        store.insert_columns(
            "adjudications",
            ("line_id", "batch_seq", "kind", *LINE_COLUMNS),
            [line_ids, seq, "new", *outcome],
            n,
        )
        store.insert_columns(
            "current_lines", ("line_id", "batch_seq", *LINE_COLUMNS), [line_ids, seq, *outcome], n
        )
    store.key_table("ledger_keys", family_ids)
    store.execute("DELETE FROM family_state WHERE family_id IN (SELECT k FROM ledger_keys)")
    return PostResult(
        batch=batch_id,
        already_posted=False,
        lines=n,
        rejected=len(rejects),
        families=len(family_ids),
        engine="vector",
    )
