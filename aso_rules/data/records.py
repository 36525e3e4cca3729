"""Validated input records: what the readers in this package hand to the engines.

A reader turns each input row into a record or a ``Reject`` (never both, never neither), so that
``received = settled + rejected`` holds by construction. Money is exact ``Decimal`` cents.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from aso_rules.model import FrozenMap, fmap
from aso_rules.money import Money


@attrs.frozen
class MemberRecord:
    """One covered member (a row of enrollment.csv)."""

    member_id: str
    family_id: str
    relationship: str  # employee | spouse | child | other
    tier: str
    coverage_start: date
    coverage_end: date | None = None  # None: open
    birth_date: date | None = None
    sex: str | None = None
    annual_salary: Money | None = None
    weekly_earnings: Money | None = None

    def covered_on(self, day: date) -> bool:
        return self.coverage_start <= day and (self.coverage_end is None or day <= self.coverage_end)


@attrs.frozen
class ClaimRecord:
    """One claim line (a row of claims.csv), validated.

    ``row`` is the 1-based data row in the input; ``extra`` carries unknown columns (as text) through
    to the ledger untouched; ``given`` lists the input column names as they came (for the ledger).
    """

    row: int
    claim_id: str
    member_id: str
    family_id: str
    line: str
    category: str
    incurred: date
    paid: date
    billed: Money
    network: str = "in"
    code: str | None = None
    units: int = 1
    allowed: Money | None = None  # None: priced by the ruleset's fee schedule
    weekly_earnings: Money | None = None
    absence_start: date | None = None
    absence_end: date | None = None
    cause: str | None = None  # illness | accident
    extra: FrozenMap[str, Any] = attrs.field(factory=FrozenMap, converter=fmap)


@attrs.frozen
class Reject:
    """A rejected input row: its 1-based data row number, claim id (if any) and the reason.

    ``line`` is the file line on which the row starts, for a CSV input (blank lines and the header
    counted, so it is the line an editor shows); ``None`` for any other input."""

    row: int
    claim_id: str
    reason: str
    line: int | None = None
