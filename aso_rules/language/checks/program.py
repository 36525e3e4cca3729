"""Program-wide checks: the ruleset header, settings, and money written to the cent.

On entry: a ``Context``. On exit: E205, E207, E208, E306, E314, E315, E316 diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from aso_rules.language import ast
from aso_rules.language.checks.base import (
    AGGREGATE,
    HEADER,
    SETTINGS,
    SPECIFIC,
    Context,
    children,
    diag,
    did_you_mean,
    expect_value,
    listing,
)
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.format import value_text


def check_header(ctx: Context) -> Iterator[Diagnostic]:
    """E315, E205, E314, E306: a program has a ruleset header with a plan year (two calendar dates,
    the end not before the start) and tiers."""
    header = ctx.header
    root = ctx.program.root
    if header is None:
        if root.statements:
            yield diag(
                "E315",
                "the program has no `ruleset` header",
                root.statements[0].span,
                'start the root file with `ruleset "NAME" { plan_year ... tiers ... }`',
            )
        return
    plan_years = [i for i in header.items if isinstance(i, ast.PlanYear)]
    if not plan_years:
        yield diag(
            "E315",
            "the ruleset header has no `plan_year`",
            header.span,
            "add `plan_year 2026-01-01 to 2026-12-31`",
        )
    if not any(isinstance(i, ast.Tiers) for i in header.items):
        yield diag(
            "E315",
            "the ruleset header has no `tiers`",
            header.span,
            'add `tiers EE "Employee only", FAM "Family"` (every tier the enrollment uses)',
        )
    for plan_year in plan_years[:1]:
        dates = []
        for value in (plan_year.start, plan_year.end):
            resolved, diags = expect_value(ctx, value, (ast.Date,), "a plan year date")
            yield from diags
            if isinstance(resolved, ast.Date):
                day = resolved.to_date()
                if day is None:
                    yield diag(
                        "E314",
                        f"{value_text(resolved)} is not a calendar date",
                        value.span,
                        "write a real date as YYYY-MM-DD",
                    )
                dates.append(day)
        if len(dates) == 2 and dates[0] is not None and dates[1] is not None and dates[1] < dates[0]:
            yield diag(
                "E306",
                f"the plan year ends ({dates[1]}) before it starts ({dates[0]})",
                plan_year.span,
                "swap the dates: `plan_year START to END`",
            )


def check_settings(ctx: Context) -> Iterator[Diagnostic]:
    """E207, E208: a setting has one of its key's values and stands where that key belongs."""
    places: list[tuple[str, Sequence[object]]] = []
    if ctx.header is not None:
        places.append((HEADER, ctx.header.items))
    places += [(SPECIFIC, s.items) for s in ctx.specifics]
    places += [(AGGREGATE, a.items) for a in ctx.aggregates]
    for place, items in places:
        for item in items:
            if not isinstance(item, ast.Setting):
                continue
            allowed, where = SETTINGS.get(item.key, ((), ()))
            if item.value not in allowed:
                yield diag(
                    "E207",
                    f"`{item.key}` cannot be `{item.value}`",
                    item.span,
                    did_you_mean(item.value, allowed) + f"`{item.key}` is one of {listing(allowed)}",
                )
            if where and place not in where:
                yield diag(
                    "E208",
                    f"`{item.key}` does not belong in the {place}",
                    item.span,
                    f"write it in the {' or the '.join(where)}",
                )


def check_money_cents(ctx: Context) -> Iterator[Diagnostic]:
    """E316: money is written to the cent at most (``$42.10``, not ``$42.105``): amounts are exact
    cents and rounding happens only where docs/semantics.md section 11 says."""
    for _, statement in ctx.statements:
        for node in _values_in(statement):
            if isinstance(node, ast.Money) and node.amount != node.amount.quantize(Decimal("0.01")):
                yield diag(
                    "E316",
                    f"{value_text(node)} has more than two decimal places",
                    node.span,
                    "write money to the cent, e.g. $42.11",
                )


def _values_in(node: object) -> Iterator[object]:
    if isinstance(node, ast.Money):
        yield node
        return
    if isinstance(node, tuple):
        for item in node:
            yield from _values_in(item)
        return
    for child in children(node):
        yield from _values_in(child)
