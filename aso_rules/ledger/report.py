"""``status`` (batches, months, totals to date) and ``history`` (every adjudication of a line)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aso_rules.ledger.lines import MONEY_FIELDS
from aso_rules.ledger.post import LINE_COLUMNS
from aso_rules.money import format_money, from_cents

if TYPE_CHECKING:
    from aso_rules.ledger.core import Ledger

__all__ = ["history", "status"]


def _m(cents: Any) -> str:
    return format_money(from_cents(int(cents or 0)))


def status(ledger: Ledger) -> dict[str, Any]:
    """The ledger's batches, closed months and totals to date (JSON-ready)."""
    store = ledger.store
    batches = [
        {
            "batch": b,
            "posted_at": at,
            "engine": engine,
            "rows": int(rows),
            "lines": int(lines),
            "rejected": int(rej),
            "reversals": int(rev),
            "readjudicated": int(readj),
        }
        for b, at, engine, rows, lines, rej, rev, readj in store.query(
            "SELECT batch_id, posted_at, engine, rows_received, lines, rejected, reversals, readjudicated "
            "FROM batches ORDER BY seq"
        )
    ]
    months = [
        {"month": m, "lines": int(n), "plan_paid": _m(p)}
        for m, n, p in store.query(
            "SELECT SUBSTR(c.paid, 1, 7), COUNT(*), SUM(l.plan_paid) FROM current_lines l "
            "JOIN claims c ON c.line_id = l.line_id GROUP BY SUBSTR(c.paid, 1, 7) ORDER BY 1"
        )
    ]
    closed = [m for (m,) in store.query("SELECT month FROM closed_months ORDER BY month")]
    sums = store.query(
        "SELECT COUNT(*), " + ", ".join(f"SUM({m})" for m in MONEY_FIELDS) + " FROM current_lines"
    )[0]
    version = store.query("SELECT MAX(version) FROM schema_version")[0][0]
    return {
        "ledger": ledger.url if ledger.store.kind == "sqlite" else "postgresql",
        "ruleset": ledger.ruleset.name,
        "schema_version": int(version),
        "batches": batches,
        "months": months,
        "closed_months": closed,
        "totals": {"lines": int(sums[0]), **{m: _m(v) for m, v in zip(MONEY_FIELDS, sums[1:], strict=True)}},
    }


def history(ledger: Ledger, claim_id: str) -> list[dict[str, Any]]:
    """Every adjudication of the lines with ``claim_id`` (posting order), with its batch."""
    cols = ", ".join(f"a.{c}" for c in LINE_COLUMNS)
    rows = ledger.store.query(
        f"SELECT a.line_id, b.batch_id, b.posted_at, a.kind, {cols} FROM adjudications a "
        "JOIN claims c ON c.line_id = a.line_id JOIN batches b ON b.seq = a.batch_seq "
        "WHERE c.claim_id = ? ORDER BY a.batch_seq, a.line_id",
        (claim_id,),
    )
    out = []
    for line_id, batch, at, kind, status_, reason, *rest in rows:
        entry: dict[str, Any] = {
            "row": int(line_id),
            "batch": batch,
            "posted_at": at,
            "kind": kind,
            "status": status_,
            "reason": reason,
        }
        entry.update({m: _m(v) for m, v in zip(MONEY_FIELDS, rest[:-1], strict=True)})
        entry["plan_year"] = int(rest[-1])
        out.append(entry)
    return out
