"""Bounded numbers: every money amount, percentage, number, duration and date written in a rule
file lies in the documented range of ``aso_rules.data.bounds``, and the plan year is 1 to 24
months, so that a program that checks clean settles and prices in every engine.

On entry: a ``Context``. On exit: E318 (value outside the supported range) and E319 (plan year
length) diagnostics.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from aso_rules.data import bounds
from aso_rules.language import ast
from aso_rules.language.checks.base import Context, children, diag, resolve_value
from aso_rules.language.diagnostics import Diagnostic

MAX_PERCENT = Decimal(1000)


def _out_of_range(node: object) -> str | None:
    """Why ``node`` is outside its range (a phrase), or None."""
    try:
        match node:
            case ast.Money(amount=amount):
                if not amount.is_finite() or abs(amount) >= bounds.MAX_MONEY:
                    return f"money must be below ${bounds.MAX_MONEY:,.0f}"
            case ast.Percent(value=value):
                if not value.is_finite() or abs(value) > MAX_PERCENT:
                    return f"a percentage must be at most {MAX_PERCENT}%"
            case ast.Number(value=value):
                if not value.is_finite() or abs(value) > bounds.MAX_COUNT:
                    return f"a number must be at most {bounds.MAX_COUNT:,}"
            case ast.Duration(amount=amount, unit=unit):
                top = bounds.MAX_DURATION.get(unit, Decimal(0))
                if not amount.is_finite() or abs(amount) > top:
                    return f"a duration in {unit} must be at most {top:,}"
            case ast.Date(year=year):
                if not bounds.MIN_YEAR <= year <= bounds.MAX_YEAR:
                    return f"a date must fall in the years {bounds.MIN_YEAR} to {bounds.MAX_YEAR}"
    except (ArithmeticError, ValueError):
        return "the value cannot be represented"
    return None


def _nodes(node: object) -> Iterator[object]:
    if isinstance(node, ast.Money | ast.Percent | ast.Number | ast.Duration | ast.Date):
        yield node
        return
    if isinstance(node, tuple):
        for item in node:
            yield from _nodes(item)
        return
    for child in children(node):
        yield from _nodes(child)


def check_bounds(ctx: Context) -> Iterator[Diagnostic]:
    """E318: every value lies in its documented range (docs/input.md, "Ranges")."""
    for _, statement in ctx.statements:
        for node in _nodes(statement):
            why = _out_of_range(node)
            if why is not None:
                span = node.span  # type: ignore[attr-defined]
                yield diag(
                    "E318",
                    f"value outside the supported range: {why}",
                    span,
                    "write a value inside the range listed in docs/input.md (Ranges)",
                )


def _months(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to the day after ``end`` (a full calendar year is 12)."""
    after = end + datetime.timedelta(days=1)
    months = (after.year - start.year) * 12 + (after.month - start.month)
    return months if after.day >= start.day else months - 1


def plan_year_months(ctx: Context) -> int | None:
    """The plan year's whole months, or ``None`` when the header states no valid plan year."""
    if ctx.header is None:
        return None
    for item in ctx.header.items:
        if not isinstance(item, ast.PlanYear):
            continue
        start = resolve_value(ctx.constants, item.start)
        end = resolve_value(ctx.constants, item.end)
        if not (isinstance(start, ast.Date) and isinstance(end, ast.Date)):
            return None
        first, last = start.to_date(), end.to_date()
        if first is None or last is None or last < first or _out_of_range(end) or _out_of_range(start):
            return None
        return _months(first, last)
    return None


def check_plan_year_length(ctx: Context) -> Iterator[Diagnostic]:
    """E319: the plan year is 1 to 24 whole months long (accumulators reset once per plan year;
    shorter years are refused rather than prorated)."""
    months = plan_year_months(ctx)
    if months is None or bounds.MIN_PLAN_MONTHS <= months <= bounds.MAX_PLAN_MONTHS:
        return
    assert ctx.header is not None  # a plan year was read from it
    item = next(i for i in ctx.header.items if isinstance(i, ast.PlanYear))
    yield diag(
        "E319",
        f"the plan year is {months} whole months long; it must be "
        f"{bounds.MIN_PLAN_MONTHS} to {bounds.MAX_PLAN_MONTHS} months",
        item.span,
        "write a plan year such as `plan_year 2026-01-01 to 2026-12-31`",
    )
