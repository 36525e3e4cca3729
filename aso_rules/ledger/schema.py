"""The ledger's schema: numbered SQL migrations (``migrations/NNNN_name.sql``) and ``schema_version``.

``migrate(store)`` applies, in number order and inside the caller's transaction, every migration
above the database's recorded version, recording each in ``schema_version``. The same SQL text
serves SQLite and PostgreSQL (portable types only). ``SCHEMA_VERSION`` is the newest number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

from aso_rules.ledger.store import Store

__all__ = ["SCHEMA_VERSION", "current_version", "migrate", "migrations"]


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, SQL text) of every migration file, in number order."""
    folder = resources.files("aso_rules.ledger") / "migrations"
    out = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            out.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(out)


SCHEMA_VERSION = migrations()[-1][0]


def current_version(store: Store) -> int:
    """The database's schema version (0: not a ledger yet)."""
    if not store.has_table("schema_version"):
        return 0
    row = store.query("SELECT MAX(version) FROM schema_version")
    return int(row[0][0] or 0)


def migrate(store: Store) -> int:
    """Apply the migrations the database lacks; returns the version reached."""
    if not store.has_table("schema_version"):
        store.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    have = current_version(store)
    for number, _name, sql in migrations():
        if number <= have:
            continue
        for statement in _statements(sql):
            store.execute(statement)
        store.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
            (number, datetime.now(UTC).isoformat(timespec="seconds")),
        )
        have = number
    return have


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
