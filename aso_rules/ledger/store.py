"""Connections to a ledger database: SQLite (a file path, standard library) or PostgreSQL (a
``postgresql://`` URL, psycopg 3, the ``postgresql`` extra).

``connect(url)`` returns a ``Store``: SQL written with ``?`` placeholders for both, explicit
transactions, ``exclusive()`` (one writer at a time: SQLite ``BEGIN IMMEDIATE``; PostgreSQL a
transaction-level advisory lock), ``insert_many`` (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) and temporary key tables for set queries. Nothing here knows the schema.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["LedgerUnavailable", "Store", "connect", "is_postgres"]

LOCK_KEY = 0x61736F6C  # the advisory lock every post to a PostgreSQL ledger takes ("asol")


class LedgerUnavailable(Exception):
    """The database cannot be opened (missing driver, bad URL, server down)."""


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


class Store:
    """One open connection; ``?`` placeholders; explicit transactions."""

    kind: str

    def __init__(self, conn: Any, kind: str) -> None:
        self.conn = conn
        self.kind = kind

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.kind == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), tuple(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def has_table(self, name: str) -> bool:
        if self.kind == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            sql = (
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_name = ?"
            )
        return bool(self.query(sql, (name,)))

    def insert_many(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        if self.kind == "postgresql":
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def key_table(self, name: str, keys: Sequence[Any], kind: str = "TEXT") -> None:
        """A temporary one-column table ``name(k)`` holding ``keys`` (for joins), emptied first."""
        if self.kind == "sqlite":
            self.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (k {kind} PRIMARY KEY)")
        else:
            self.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {name} (k {kind} PRIMARY KEY) ON COMMIT DELETE ROWS"
            )
        self.execute(f"DELETE FROM {name}")
        self.insert_many(name, ("k",), [(k,) for k in dict.fromkeys(keys)])

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """One transaction that no other writer can interleave with; rolled back on any error."""
        if self.kind == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def connect(url: str) -> Store:
    """Open the ledger database at ``url`` (a file path, ``sqlite:///path``, or ``postgresql://``)."""
    if is_postgres(url):
        try:
            import psycopg
        except ImportError:
            raise LedgerUnavailable(
                "a PostgreSQL ledger needs psycopg 3: pip install 'aso-rules[postgresql]'"
            ) from None
        try:
            conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise LedgerUnavailable(f"cannot connect to {_redacted(url)}: {str(exc).strip()}") from None
        return Store(conn, "postgresql")
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    try:
        lite = sqlite3.connect(path, isolation_level=None, timeout=600.0)
        lite.execute("PRAGMA journal_mode = WAL")
        lite.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        raise LedgerUnavailable(f"cannot open {path}: {exc}") from None
    return Store(lite, "sqlite")


def _redacted(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return url
