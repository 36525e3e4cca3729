"""Contract windows of a stop-loss contract (docs/semantics.md 6.1, 7.4).

On entry: the contract's effective date (the ruleset's plan year start), its ``Basis`` and whether
terminal liability is on. On exit: a ``Window`` whose ``contains(incurred, paid)`` says whether a
claim line counts for the contract; both dates must fall in their (inclusive) windows.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import attrs

from aso_rules.model import Basis

TERMINAL_LIABILITY_MONTHS = 3


def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic; a day past the end of the target month becomes its last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@attrs.frozen
class Window:
    """Inclusive incurred and paid windows; ``incurred_from is None`` means no run-in limit."""

    incurred_from: date | None
    incurred_to: date
    paid_from: date
    paid_to: date

    def contains(self, incurred: date, paid: date) -> bool:
        """True when the incurred date and the paid date both fall in their windows."""
        if self.incurred_from is not None and incurred < self.incurred_from:
            return False
        return incurred <= self.incurred_to and self.paid_from <= paid <= self.paid_to


def contract_window(effective: date, basis: Basis, *, terminal_liability: bool = False) -> Window:
    """The windows of a contract effective on ``effective`` under ``basis`` (6.1).

    I = 12 + run-in months, P = 12 + run-out months; ``paid`` basis has no incurred lower bound.
    Terminal liability extends the paid window by three months (7.4).
    """
    expiry = add_months(effective, 12) - timedelta(days=1)
    extra = TERMINAL_LIABILITY_MONTHS if terminal_liability else 0
    if basis.paid_basis:
        paid_to = add_months(effective, 12 + extra) - timedelta(days=1)
        return Window(None, expiry, effective, paid_to)
    run_in = basis.incurred_months - 12
    incurred_from = add_months(effective, -run_in)
    paid_to = add_months(effective, basis.paid_months + extra) - timedelta(days=1)
    return Window(incurred_from, expiry, effective, paid_to)
