"""A durable settlement ledger: monthly batches posted to SQLite (default) or PostgreSQL.

``init(url, ruleset, enrollment)`` creates a ledger; ``open(url)`` opens one. A ``Ledger`` posts
batches (``post``: one transaction each, idempotent by batch id and content), exports the current
view as ``aso settle``'s files (``export``), closes months with a settlement statement
(``close_month``) and gives the settlement ``state`` (per family, its current adjudicated lines).
``url`` is a file path (SQLite) or a ``postgresql://`` URL (psycopg 3, the ``postgresql`` extra).
docs/ledger.md documents the schema and the guarantees.
"""

from __future__ import annotations

from aso_rules.ledger.core import Ledger, init, open
from aso_rules.ledger.errors import BatchConflict, LedgerError, MonthClosed, NotALedger
from aso_rules.ledger.post import PostResult
from aso_rules.ledger.state import BatchOutcome, SettlementState, settle_batch
from aso_rules.ledger.store import LedgerUnavailable

__all__ = [
    "BatchConflict",
    "BatchOutcome",
    "Ledger",
    "LedgerError",
    "LedgerUnavailable",
    "MonthClosed",
    "NotALedger",
    "PostResult",
    "SettlementState",
    "init",
    "open",
    "settle_batch",
]
