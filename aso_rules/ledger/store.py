"""Connections to a ledger database: SQLite (a file path, standard library) or PostgreSQL (a
``postgresql://`` URL, psycopg 3, the ``postgresql`` extra).

``connect(url)`` returns a ``Store``: SQL written with ``?`` placeholders for both, explicit
transactions, ``exclusive()`` (one writer at a time: SQLite ``BEGIN IMMEDIATE``; PostgreSQL a
transaction-level advisory lock), ``insert_many`` (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) and temporary key tables for set queries. Nothing here knows the schema.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

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

    def insert_columns(self, table: str, columns: Sequence[str], values: Sequence[Any], n: int) -> None:
        """Insert ``n`` rows given by column: each value a numpy array, an Arrow array (nulls are
        NULL) or one Python value for every row. SQLite: one ``executemany``; PostgreSQL: one
        ``COPY`` of CSV text Arrow writes (every value quoted, NULL unquoted)."""
        if n == 0:
            return
        names = ", ".join(columns)
        if self.kind == "postgresql":
            import pyarrow as pa
            import pyarrow.csv as pacsv

            arrays = [
                pa.array(v)
                if isinstance(v, np.ndarray)
                else v
                if isinstance(v, pa.Array | pa.ChunkedArray)
                else pa.repeat(pa.scalar(v), n)
                for v in values
            ]
            sink = io.BytesIO()
            options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
            pacsv.write_csv(pa.table(arrays, names=list(columns)), sink, options)
            with (
                self.conn.cursor() as cur,
                cur.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as copy,
            ):
                copy.write(sink.getbuffer())
            return
        lists = [
            v.tolist()
            if isinstance(v, np.ndarray)
            else v.to_pylist()
            if hasattr(v, "to_pylist")
            else itertools.repeat(v, n)
            for v in values
        ]
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", zip(*lists, strict=True))

    @contextlib.contextmanager
    def indexes_deferred(self, table: str) -> Iterator[None]:
        """Inside the transaction: ``table``'s secondary indexes dropped, and built again at the end
        (one sort instead of one B-tree insert per row; worth it when most rows are new)."""
        if self.kind == "sqlite":
            found = self.query(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table,),
            )
        else:
            found = self.query(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = ? AND i.indexname NOT IN (SELECT conname FROM pg_constraint)",
                (table,),
            )
        for name, _sql in found:
            self.execute(f"DROP INDEX {name}")
        yield
        for _name, sql in found:
            self.execute(sql)

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
