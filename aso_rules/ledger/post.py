"""Posting one batch to a ledger: one exclusive transaction, idempotent, history kept.

Inside ``store.exclusive()`` (no other writer interleaves; a crash rolls the whole batch back):
the batch id is checked (the same id and content: already posted, nothing done; the same id with
other content: ``BatchConflict``, nothing changed); lines paid in a closed month are refused
(``MonthClosed``); reversals are matched to current lines (an unknown id is a reject); a claim id
already current is a reject (``duplicate_claim_id``); then the families the batch touches are
loaded, settled (``state.settle_batch``) and every line whose adjudication is new or differs gets
a new row in ``adjudications``; ``current_lines`` holds the latest adjudication of each line that
is not voided. Rows of the batch become ledger rows ``row_offset + data row``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from aso_rules.data.records import ClaimRecord, MemberRecord, Reject
from aso_rules.ledger.batch import Batch, renumbered
from aso_rules.ledger.engines import can_continue
from aso_rules.ledger.errors import BatchConflict, MonthClosed
from aso_rules.ledger.lines import MONEY_FIELDS, make_line, record_from_list, record_to_list
from aso_rules.ledger.state import SettlementState, settle_batch
from aso_rules.ledger.store import Store
from aso_rules.model import FrozenMap, Ruleset
from aso_rules.money import to_cents
from aso_rules.settle.order import processing_key
from aso_rules.settle.results import LineResult

__all__ = ["LINE_COLUMNS", "PostResult", "load_carries", "load_families", "post_batch"]

AUTO_VECTOR_LINES = 20_000
LINE_COLUMNS = ("status", "reason", *MONEY_FIELDS, "plan_year")


@attrs.frozen
class PostResult:
    batch: str
    already_posted: bool
    lines: int = 0
    rejected: int = 0
    reversals: int = 0
    readjudicated: int = 0  # earlier lines whose adjudication changed
    families: int = 0  # families settled
    continued: int = 0  # of those, families continued from their carried accumulators
    engine: str = ""


BATCH_COLUMNS = (
    "seq",
    "batch_id",
    "content_hash",
    "posted_at",
    "engine",
    "row_offset",
    "rows_received",
    "lines",
    "rejected",
    "reversals",
    "readjudicated",
    "input_columns",
)


def record_batch(store: Store, values: tuple[Any, ...]) -> None:
    """The ``batches`` row of a posted batch, in ``BATCH_COLUMNS`` order."""
    store.insert_many("batches", BATCH_COLUMNS, [values])


def load_families(store: Store, ruleset: Ruleset, families: Iterable[str] | None) -> SettlementState:
    """The state of ``families`` (all families with ``None``): their current lines, in processing order."""
    cols = ", ".join(f"l.{c}" for c in LINE_COLUMNS)
    if families is None:
        rows = store.query(
            f"SELECT c.family_id, c.record, {cols} FROM claims c "
            "JOIN current_lines l ON l.line_id = c.line_id"
        )
    else:
        store.key_table("ledger_keys", list(families))
        rows = store.query(
            f"SELECT c.family_id, c.record, {cols} FROM claims c JOIN ledger_keys k ON c.family_id = k.k "
            "JOIN current_lines l ON l.line_id = c.line_id"
        )
    grouped: dict[str, list[LineResult]] = {}
    for fam, record, status, reason, *rest in rows:
        grouped.setdefault(fam, []).append(
            make_line(record_from_list(json.loads(record)), status, reason, int(rest[-1]), rest[:-1])
        )
    key = processing_key(ruleset)
    return SettlementState(
        FrozenMap({fam: tuple(sorted(v, key=lambda r: key(r.claim))) for fam, v in grouped.items()})
    )


def load_carries(store: Store, families: list[str]) -> dict[str, str]:
    """The stored carries of ``families`` (those that have one)."""
    if not families:
        return {}
    store.key_table("ledger_keys", families)
    rows = store.query(
        "SELECT f.family_id, f.carry FROM family_state f JOIN ledger_keys k ON f.family_id = k.k"
    )
    return {fam: carry for fam, carry in rows}


def _line_row(r: LineResult, seq: int) -> tuple[Any, ...]:
    return (
        r.claim.row,
        seq,
        r.status,
        r.reason,
        to_cents(r.allowed),
        to_cents(r.copay),
        to_cents(r.deductible),
        to_cents(r.coinsurance),
        to_cents(r.over_max),
        to_cents(r.plan_paid),
        r.plan_year,
    )


def closed_months(store: Store) -> set[str]:
    return {row[0] for row in store.query("SELECT month FROM closed_months")}


def check_batch_id(store: Store, batch_id: str, content_hash: str) -> PostResult | None:
    """``PostResult(already_posted=True)`` for the same id and content, ``None`` for a new id;
    raises ``BatchConflict`` for the same id with other content."""
    found = store.query("SELECT content_hash FROM batches WHERE batch_id = ?", (batch_id,))
    if not found:
        return None
    if found[0][0] == content_hash:
        return PostResult(batch=batch_id, already_posted=True)
    raise BatchConflict(
        f"batch {batch_id!r} was already posted with other content; nothing changed "
        "(post the new content under a new batch id)"
    )


def next_position(store: Store) -> tuple[int, int]:
    """The next batch's sequence number and ledger-row offset."""
    seq, offset = store.query(
        "SELECT COALESCE(MAX(seq), 0) + 1, COALESCE(MAX(row_offset + rows_received), 0) FROM batches"
    )[0]
    return int(seq), int(offset)


def post_batch(
    store: Store,
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    batch_id: str,
    batch: Batch,
    *,
    engine: str = "auto",
    changed_families: Sequence[str] = (),
    before_write: Any = None,
) -> PostResult:
    """Post ``batch`` as ``batch_id`` (the caller holds ``store.exclusive()``)."""
    done = check_batch_id(store, batch_id, batch.content_hash)
    if done is not None:
        return done
    closed = closed_months(store)
    late = sorted({c.paid.strftime("%Y-%m") for c in batch.claims} & closed)
    if late:
        raise MonthClosed(
            f"batch {batch_id!r} has lines paid in closed month {', '.join(late)}; nothing changed "
            "(reopen the month with `aso ledger close --reopen` first)"
        )
    seq, offset = next_position(store)
    rejects: list[Reject] = [renumbered(r, lambda k: k + offset) for r in batch.rejects]

    # reversals: each voids the current line with its claim id
    targets: dict[str, tuple[int, str]] = {}
    wanted = sorted({r.reverses for r in batch.reversals})
    if wanted:
        store.key_table("ledger_keys", wanted)
        for line_id, cid, fam in store.query(
            "SELECT c.line_id, c.claim_id, c.family_id FROM claims c JOIN ledger_keys k ON c.claim_id = k.k "
            "WHERE c.voided_by IS NULL"
        ):
            targets[cid] = (int(line_id), fam)
    reversal_rows: list[tuple[Any, ...]] = []
    reversed_ids: list[str] = []
    for rev in batch.reversals:
        row = rev.row + offset
        if rev.reverses not in targets:
            rejects.append(
                Reject(
                    row,
                    rev.claim_id,
                    f"reverses_unknown: no current line with claim id {rev.reverses}",
                )
            )
        elif rev.reverses in reversed_ids:
            rejects.append(
                Reject(
                    row,
                    rev.claim_id,
                    f"reverses_repeated: claim id {rev.reverses} is already reversed in this batch",
                )
            )
        else:
            reversed_ids.append(rev.reverses)
            reversal_rows.append((seq, row, rev.claim_id, rev.reverses, targets[rev.reverses][0]))

    # a claim id that is still current (and not reversed here) cannot be posted again
    claims = [attrs.evolve(c, row=c.row + offset) for c in batch.claims] if offset else list(batch.claims)
    if claims:
        store.key_table("ledger_keys", [c.claim_id for c in claims])
        current = {
            cid: b
            for cid, b in store.query(
                "SELECT c.claim_id, b.batch_id FROM claims c JOIN ledger_keys k ON c.claim_id = k.k "
                "JOIN batches b ON b.seq = c.batch_seq WHERE c.voided_by IS NULL"
            )
        }
        kept = []
        for c in claims:
            if c.claim_id in current and c.claim_id not in reversed_ids:
                rejects.append(
                    Reject(
                        c.row,
                        c.claim_id,
                        f"duplicate_claim_id: claim id {c.claim_id} is current "
                        f"from batch {current[c.claim_id]!r}",
                    )
                )
            else:
                kept.append(c)
        claims = kept

    families = dict.fromkeys(
        [*(c.family_id for c in claims), *(targets[i][1] for i in reversed_ids), *changed_families]
    )
    blocked = {targets[i][1] for i in reversed_ids} | set(changed_families)
    new_by_family: dict[str, list[ClaimRecord]] = {}
    for c in claims:
        new_by_family.setdefault(c.family_id, []).append(c)
    carries = load_carries(store, [f for f in new_by_family if f not in blocked])
    continuable = {f: c for f, c in carries.items() if can_continue(ruleset, c, new_by_family[f])}
    replayed = [f for f in families if f not in continuable]
    state = attrs.evolve(load_families(store, ruleset, replayed), carries=FrozenMap(continuable))
    loaded = sum(len(v) for v in state.families.values())
    loaded += sum(len(new_by_family.get(f, ())) for f in replayed)
    chosen = engine
    if engine == "auto":
        chosen = "vector" if loaded >= AUTO_VECTOR_LINES else "reference"
    outcome, new_state = settle_batch(
        ruleset, members, state, claims, reverses=reversed_ids, families=changed_families, engine=chosen
    )
    if before_write is not None:
        before_write()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    readjudicated = [r for r in outcome.changed if r.claim.row not in outcome.new_rows]
    record_batch(
        store,
        (
            seq,
            batch_id,
            batch.content_hash,
            now,
            chosen,
            offset,
            batch.received,
            len(claims),
            len(rejects),
            len(reversal_rows),
            len(readjudicated),
            json.dumps(list(batch.columns)),
        ),
    )
    store.insert_many(
        "claims",
        ("line_id", "batch_seq", "claim_id", "family_id", "paid", "record"),
        [
            (
                c.row,
                seq,
                c.claim_id,
                c.family_id,
                c.paid.isoformat(),
                json.dumps(record_to_list(c), separators=(",", ":")),
            )
            for c in claims
        ],
    )
    store.insert_many(
        "rejects",
        ("batch_seq", "row_no", "claim_id", "reason"),
        [(seq, r.row, r.claim_id, r.reason) for r in sorted(rejects, key=lambda r: r.row)],
    )
    store.insert_many("reversals", ("batch_seq", "row_no", "claim_id", "reverses", "line_id"), reversal_rows)
    voided_ids = [r.claim.row for r in outcome.voided]
    if voided_ids:
        store.key_table("ledger_lines", voided_ids, "BIGINT")
        store.execute("UPDATE claims SET voided_by = ? WHERE line_id IN (SELECT k FROM ledger_lines)", (seq,))
        store.execute("DELETE FROM current_lines WHERE line_id IN (SELECT k FROM ledger_lines)")
    zero = (0,) * len(MONEY_FIELDS)
    line_rows = [_line_row(r, seq) for r in outcome.changed]
    new_rows = outcome.new_rows
    adjudications = [
        (row[0], seq, "new" if row[0] in new_rows else "readjudicated", *row[2:]) for row in line_rows
    ] + [
        (r.claim.row, seq, "reversed", "reversed", f"reversed by batch {batch_id}", *zero, r.plan_year)
        for r in outcome.voided
    ]
    store.insert_many("adjudications", ("line_id", "batch_seq", "kind", *LINE_COLUMNS), adjudications)
    if readjudicated:
        store.key_table("ledger_lines", [r.claim.row for r in readjudicated], "BIGINT")
        store.execute("DELETE FROM current_lines WHERE line_id IN (SELECT k FROM ledger_lines)")
    store.insert_many("current_lines", ("line_id", "batch_seq", *LINE_COLUMNS), line_rows)
    store.key_table("ledger_keys", list(outcome.families))
    store.execute("DELETE FROM family_state WHERE family_id IN (SELECT k FROM ledger_keys)")
    store.insert_many(
        "family_state",
        ("family_id", "last_key", "carry"),
        [
            (f, json.dumps(json.loads(carry)["last"]), carry)
            for f in outcome.families
            if (carry := new_state.carries.get(f)) is not None
        ],
    )
    return PostResult(
        batch=batch_id,
        already_posted=False,
        lines=len(claims),
        rejected=len(rejects),
        reversals=len(reversal_rows),
        readjudicated=len(readjudicated),
        families=len(outcome.families),
        continued=len(outcome.continued),
        engine=chosen,
    )
