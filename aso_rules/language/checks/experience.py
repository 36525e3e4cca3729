"""Checks of the ``experience`` block (the renewal's assumptions, docs/renewal.md).

On entry: a ``Context``. On exit: E203, E204, E205, E301, E350, E351, E352, E353 and E354
diagnostics. Several values have ranges of their own: a trend is -50% to +100% a year, the trend
period 1 to 60 months, completion above 0% and at most 100%, a plan-design factor above 0 and at
most 3, credibility parameters above 0.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from aso_rules.language import ast
from aso_rules.language.checks.base import (
    Context,
    diag,
    did_you_mean,
    duplicates,
    expect_quantity,
    expect_rates,
    expect_value,
    listing,
    percent_range,
)
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.format import value_text

REQUIRED = {
    ast.Trend: "trend medical 8.5%, rx 11%",
    ast.Projection: "projection 12 months",
    ast.Credibility: "credibility limited_fluctuation full at 2,000 lives",
    ast.ManualRate: "manual_rate EE $520.00, FAM $1,560.00 pepm",
}
MIN_TREND, MAX_TREND = Decimal(-50), Decimal(100)
MAX_MONTHS = Decimal(60)
MAX_PLAN_FACTOR = Decimal(3)


def check_experience(ctx: Context) -> Iterator[Diagnostic]:
    """E350, E351, E352, E353, E354 (and E203, E204, E205, E301 on its values): an experience
    block states its trend by known coverage line, a projection period, a credibility standard
    and a manual rate; every value is in its unit and range; a pooling charge comes with a
    pooling point."""
    for block in ctx.of_type(ast.Experience):
        assert isinstance(block, ast.Experience)
        kinds = {type(i) for i in block.items}
        for kind, example in REQUIRED.items():
            if kind not in kinds:
                word = example.split()[0]
                yield diag(
                    "E350",
                    f"the experience block has no `{word}`",
                    block.span,
                    f"add e.g. `{example}` (docs/renewal.md)",
                )
        if ast.PoolingCharge in kinds and ast.PoolingPoint not in kinds:
            charge = next(i for i in block.items if isinstance(i, ast.PoolingCharge))
            yield diag(
                "E350",
                "a pooling charge without a pooling point",
                charge.span,
                "add `pooling_point $150,000 per claimant`: the charge prices the claims pooled above it",
            )
        for item in block.items:
            yield from _item(ctx, item)


def _item(ctx: Context, item: ast.ExperienceItem) -> Iterator[Diagnostic]:
    match item:
        case ast.Trend():
            yield from duplicates(((e.line, e.span) for e in item.entries), "trend of line")
            for entry in item.entries:
                if entry.line not in ctx.coverages:
                    yield diag(
                        "E203",
                        f"trend names `{entry.line}`, which is not a coverage line",
                        entry.span,
                        did_you_mean(entry.line, ctx.coverages)
                        + f"the coverage lines are {listing(ctx.coverages)}",
                    )
                value, diags = expect_value(ctx, entry.rate, (ast.Percent,), f"the trend of {entry.line}")
                yield from diags
                if isinstance(value, ast.Percent) and not MIN_TREND <= value.value <= MAX_TREND:
                    yield diag(
                        "E351",
                        f"the trend of {entry.line} is {value_text(value)} a year, outside -50% to +100%",
                        entry.rate.span,
                        "write an annual trend rate such as 8.5%",
                    )
        case ast.Projection():
            yield from _projection(ctx, item)
        case ast.Completion():
            value, diags = expect_value(ctx, item.rate, (ast.Percent,), "completion")
            yield from diags
            if isinstance(value, ast.Percent) and not 0 < value.value <= 100:
                yield diag(
                    "E354",
                    f"completion is {value_text(value)}; it must be above 0% and at most 100%",
                    item.rate.span,
                    "completion is the share of incurred claims already paid, e.g. 97.5%",
                )
        case ast.PoolingPoint():
            value, diags = expect_quantity(
                ctx, item.amount, (ast.Money,), [("per claimant",), ()], "the pooling point"
            )
            yield from diags
            if isinstance(value, ast.Money) and value.amount <= 0:
                yield diag(
                    "E354",
                    f"the pooling point is {value_text(value)}; it must be above $0",
                    item.amount.span,
                    "write the claimant amount above which claims are pooled, e.g. $150,000",
                )
        case ast.PoolingCharge():
            yield from expect_rates(ctx, item.amount, "the pooling charge", ("pepm", "pmpm"))
        case ast.ManualRate():
            yield from expect_rates(ctx, item.amount, "the manual rate", ("pepm",))
        case ast.Credibility():
            method = item.method
            number, what = (
                (method.k, "the Buhlmann k")
                if isinstance(method, ast.Buhlmann)
                else (method.full, "the full-credibility standard")
            )
            if number.value <= 0:
                yield diag(
                    "E352",
                    f"{what} is {value_text(number)}; it must be above 0",
                    number.span,
                    "write e.g. `credibility limited_fluctuation full at 2,000 lives` or "
                    "`credibility buhlmann k 1,500`",
                )
        case ast.PlanDesignChange():
            value, diags = expect_value(ctx, item.factor, (ast.Number,), "the plan-design change factor")
            yield from diags
            if isinstance(value, ast.Number) and not 0 < value.value <= MAX_PLAN_FACTOR:
                yield diag(
                    "E354",
                    f"the plan-design change factor is {value_text(value)}; it must be above 0 and at most 3",
                    item.factor.span,
                    "write next year's plan-paid over this year's on the same claims, e.g. 0.985",
                )
        case ast.RateCap():
            value, diags = expect_value(ctx, item.rate, (ast.Percent,), "the rate cap")
            yield from diags
            yield from percent_range(value, item.rate.span, "the rate cap")


def _projection(ctx: Context, item: ast.Projection) -> Iterator[Diagnostic]:
    if item.end is None:
        value, diags = expect_value(ctx, item.start, (ast.Duration,), "the projection period")
        yield from diags
        if isinstance(value, ast.Duration):
            if value.unit != "months":
                yield diag(
                    "E205",
                    f"the projection period is in {value.unit}; it must be in months",
                    item.start.span,
                    "write e.g. `projection 12 months`",
                )
            elif not 1 <= value.amount <= MAX_MONTHS:
                yield diag(
                    "E353",
                    f"the projection period is {value_text(value)}, outside 1 to 60 months",
                    item.span,
                    "write the months from the experience midpoint to the projection midpoint",
                )
        return
    days: list[datetime.date] = []
    for value in (item.start, item.end):
        resolved, diags = expect_value(ctx, value, (ast.Date,), "a projection midpoint")
        yield from diags
        if isinstance(resolved, ast.Date):
            day = resolved.to_date()
            if day is None:
                yield diag(
                    "E314", f"{value_text(resolved)} is not a calendar date", value.span, "write YYYY-MM-DD"
                )
            else:
                days.append(day)
    if len(days) == 2:
        months = Decimal((days[1] - days[0]).days) * 12 / 365
        if not 1 <= months <= MAX_MONTHS:
            yield diag(
                "E353",
                f"the projection runs {(days[1] - days[0]).days} days from {days[0]} to {days[1]}, "
                "outside 1 to 60 months",
                item.span,
                "write the experience midpoint, then the later projection midpoint",
            )
