"""The ledger's user errors: each carries the command's exit code and a message (no traceback)."""

from __future__ import annotations

__all__ = ["BatchConflict", "LedgerError", "MonthClosed", "NotALedger"]


class LedgerError(Exception):
    """A refused ledger operation; nothing was changed. ``code`` is the command's exit code."""

    code = 2


class BatchConflict(LedgerError):
    """The batch id was already posted with other content."""


class MonthClosed(LedgerError):
    """The batch has lines paid in a closed month."""


class NotALedger(LedgerError):
    """The database is not an initialised ledger (or one of a newer schema)."""
