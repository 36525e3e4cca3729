"""Processing order and plan years (docs/semantics.md 3.1), plus calendar-month arithmetic.

On entry: claim records and a ruleset. On exit: a sort key that puts claims in the ruleset's
processing order (paid or incurred date, then claim id, then input row as a last, stable tie-break),
and the plan year (by its start year) that a date's accumulators belong to: the ruleset's declared
plan year for dates inside it, else the recurring plan years on its start's month/day.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from typing import Any

from aso_rules.data.records import ClaimRecord
from aso_rules.model import PlanYear, Ruleset


def _by_paid(claim: ClaimRecord) -> tuple[Any, ...]:
    return (claim.paid, claim.claim_id, claim.row)


def _by_incurred(claim: ClaimRecord) -> tuple[Any, ...]:
    return (claim.incurred, claim.claim_id, claim.row)


def processing_key(ruleset: Ruleset) -> Callable[[ClaimRecord], tuple[Any, ...]]:
    """The sort key of ``settings.processing_order``: (paid|incurred, claim_id, row)."""
    return _by_incurred if ruleset.settings.processing_order == "incurred" else _by_paid


def plan_year_of(day: date, start: date) -> int:
    """The year of the latest plan-year start (``start``'s month/day) on or before ``day``."""
    return day.year if (day.month, day.day) >= (start.month, start.day) else day.year - 1


def plan_year_for(day: date, plan_year: PlanYear) -> int:
    """The plan year (by its start year) whose accumulators a date uses.

    Inside the ruleset's declared plan year (``start`` to ``end``, whatever its length) it is
    ``start.year``; outside it, plan years recur on ``start``'s month/day (``plan_year_of``), and a
    date after ``end`` (before ``start``) always falls in a later (earlier) plan year.
    """
    first = plan_year.start.year
    if plan_year.start <= day <= plan_year.end:
        return first
    year = plan_year_of(day, plan_year.start)
    return max(year, first + 1) if day > plan_year.end else min(year, first - 1)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
