"""Checks of specific and aggregate stop-loss contracts (docs/semantics.md sections 6 and 7).

On entry: a ``Context``. On exit: E205, E208, E212, E301, E307, E312, E313, E315, E317, W301,
W302, W303 diagnostics.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from aso_rules.language import ast
from aso_rules.language.checks.base import (
    Context,
    coverage_kind,
    diag,
    expect_quantity,
    expect_rates,
    expect_value,
    listing,
    money_of,
    percent_range,
    quoted,
    resolve,
    resolve_value,
)
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.format import value_text

SPECIFIC_LINE_KINDS = ("medical", "rx")


AGGREGATE_LINE_KINDS = ("medical", "rx", "dental", "vision", "std")


def check_stop_loss_lines(ctx: Context) -> Iterator[Diagnostic]:
    """E317: specific stop-loss covers only medical and rx lines; the aggregate may add dental,
    vision and STD, never LTD (docs/semantics.md 6.2, 7)."""
    contracts: list[ast.StopLossSpecific | ast.StopLossAggregate] = [*ctx.specifics, *ctx.aggregates]
    for contract in contracts:
        specific = isinstance(contract, ast.StopLossSpecific)
        allowed = SPECIFIC_LINE_KINDS if specific else AGGREGATE_LINE_KINDS
        for item in contract.items:
            if not isinstance(item, ast.Covers):
                continue
            for line in item.lines:
                kind = coverage_kind(line) if line in ctx.coverages else None
                if kind is not None and kind not in allowed:
                    yield diag(
                        "E317",
                        f"{'specific' if specific else 'aggregate'} stop-loss cannot cover `{line}`"
                        + (f" (a {kind} line)" if kind != line else ""),
                        item.span,
                        f"{'specific' if specific else 'aggregate'} stop-loss covers "
                        f"{listing(allowed)} lines",
                    )


def _deductible_of(ctx: Context, contract: ast.StopLossSpecific) -> Decimal | None:
    for item in contract.items:
        if isinstance(item, ast.Deductible):
            return money_of(ctx, item.amount)
    return None


def _maximum_of(ctx: Context, contract: ast.StopLossSpecific | ast.StopLossAggregate) -> Decimal | None:
    for item in contract.items:
        if isinstance(item, ast.Maximum):
            return money_of(ctx, item.amount)
    return None


def check_specific_stop_loss(ctx: Context) -> Iterator[Diagnostic]:
    """E315, E205, E301, E313, W302: a specific contract states its deductible (money per
    claimant), lasers are money per claimant (a laser below the deductible is a warning), the
    aggregating deductible, maximum and advance-funding minimum are money, `reimburses` a
    percentage, the basis at least 12/12, the premium money pepm or pmpm."""
    for contract in ctx.specifics:
        deductible = _deductible_of(ctx, contract)
        if not any(isinstance(i, ast.Deductible) for i in contract.items):
            yield diag(
                "E315",
                f"specific stop-loss {quoted(contract.name)} has no `deductible`",
                contract.span,
                "add e.g. `deductible $150,000 per claimant`",
            )
        for item in contract.items:
            match item:
                case ast.Deductible():
                    yield from expect_quantity(
                        ctx, item.amount, (ast.Money,), [("per claimant",), ()], "the specific deductible"
                    )[1]
                    if item.family is not None or item.mode is not None:
                        yield diag(
                            "E208",
                            "a specific deductible has no family amount or mode",
                            item.span,
                            "write `deductible $X per claimant`; use `specific_claimant family` for "
                            "a family deductible",
                        )
                case ast.Laser() if item.amount is not None:
                    laser, diags = expect_quantity(
                        ctx,
                        item.amount,
                        (ast.Money,),
                        [("per claimant",), ()],
                        f"the laser of {quoted(item.member)}",
                    )
                    yield from diags
                    if isinstance(laser, ast.Money) and deductible is not None and laser.amount < deductible:
                        yield diag(
                            "W302",
                            f"the laser of {quoted(item.member)} ({value_text(laser)}) is below the specific "
                            f"deductible (${deductible:,})",
                            item.span,
                            "a laser raises a member's deductible; a lower one gives them better cover "
                            "than everyone else",
                        )
                case ast.AggregatingDeductible():
                    yield from expect_quantity(
                        ctx, item.amount, (ast.Money,), [(), ("per year",)], "the aggregating deductible"
                    )[1]
                case ast.Maximum():
                    yield from expect_quantity(
                        ctx, item.amount, (ast.Money,), [("per claimant",), ()], "the specific maximum"
                    )[1]
                case ast.Reimburses():
                    value, diags = expect_value(ctx, item.rate, (ast.Percent,), "`reimburses`")
                    yield from diags
                    yield from percent_range(value, item.rate.span, "`reimburses`")
                case ast.Basis():
                    yield from _basis(item)
                case ast.Premium():
                    yield from expect_rates(ctx, item.amount, "the premium", ("pepm", "pmpm"))
                case ast.AdvanceFunding() if item.minimum is not None:
                    yield from expect_quantity(
                        ctx, item.minimum, (ast.Money,), [()], "the advance-funding minimum"
                    )[1]


def _basis(item: ast.Basis) -> Iterator[Diagnostic]:
    if not item.paid_basis and (item.incurred_months < 12 or item.paid_months < 12):
        yield diag(
            "E313",
            f"basis {item.incurred_months}/{item.paid_months}: both windows are at least 12 months",
            item.span,
            "write 12/12, 12/15, 15/12, 24/12 or `basis paid` (run-in and run-out extend 12 months)",
        )


def check_specific_tiers(ctx: Context) -> Iterator[Diagnostic]:
    """E307, W301: stacked specific tiers meet exactly: SD(k+1) = SD(k) + max(k) (docs/semantics.md 6.4);
    lower is an overlap (error), higher a gap the employer keeps (warning)."""
    tiers = [(d, c) for c in ctx.specifics if (d := _deductible_of(ctx, c)) is not None]
    tiers.sort(key=lambda pair: pair[0])
    for (low_sd, low), (high_sd, high) in itertools.pairwise(tiers):
        maximum = _maximum_of(ctx, low)
        if maximum is None:
            yield diag(
                "E307",
                f"specific tiers {quoted(low.name)} and {quoted(high.name)} overlap: "
                f"{quoted(low.name)} has no maximum, "
                f"so it also pays above ${high_sd:,}",
                high.span,
                f"give {quoted(low.name)} `maximum ${high_sd - low_sd:,} per claimant`",
            )
            continue
        top = low_sd + maximum
        if high_sd < top:
            yield diag(
                "E307",
                f"specific tiers overlap: {quoted(low.name)} pays up to ${top:,} "
                f"but {quoted(high.name)} starts at ${high_sd:,}",
                high.span,
                f"start {quoted(high.name)} at ${top:,}, "
                f"or lower {quoted(low.name)}'s maximum to ${high_sd - low_sd:,}",
            )
        elif high_sd > top:
            yield diag(
                "W301",
                f"specific tiers leave a gap: {quoted(low.name)} pays up to ${top:,} but {quoted(high.name)} "
                f"starts at ${high_sd:,}",
                high.span,
                f"the employer keeps claims between ${top:,} and ${high_sd:,}; start {quoted(high.name)} "
                f"at ${top:,} if that is not intended",
            )


def _expected_claims(ctx: Context) -> ast.ExpectedClaims | None:
    for block in ctx.assumptions:
        for item in block.items:
            if isinstance(item, ast.ExpectedClaims):
                return item
    return None


def _tier_values(ctx: Context, amount: ast.Amount) -> dict[str, Decimal]:
    """Money per tier of a rates amount (a single amount spreads to every tier)."""
    resolved = resolve(ctx.constants, amount)
    out: dict[str, Decimal] = {}
    if isinstance(resolved, ast.TierTable):
        for entry in resolved.entries:
            value = resolve_value(ctx.constants, entry.value)
            if isinstance(value, ast.Money):
                out.setdefault(entry.tier, value.amount)
    elif isinstance(resolved, ast.Quantity) and isinstance(resolved.value, ast.Money):
        out = dict.fromkeys(ctx.tiers, resolved.value.amount)
    return out


def check_aggregate_stop_loss(ctx: Context) -> Iterator[Diagnostic]:
    """E315, E205, E312, W303, E313, E301: an aggregate contract has an attachment: a percentage of
    `expected_claims` (which the assumptions must state; below 100% is a warning) or monthly
    factors in money pepm (below the expected claims of a tier is a warning); the minimum
    attachment is money or a percentage of `first_month`; maximum money; basis at least 12/12."""
    expected = _expected_claims(ctx)
    for contract in ctx.aggregates:
        if not any(isinstance(i, ast.Attachment) for i in contract.items):
            yield diag(
                "E315",
                f"aggregate stop-loss {quoted(contract.name)} has no `attachment`",
                contract.span,
                "add e.g. `attachment 125% of expected_claims`",
            )
        for item in contract.items:
            match item:
                case ast.Attachment():
                    yield from _attachment(ctx, item, expected)
                case ast.MinimumAttachment():
                    if isinstance(item.amount, ast.Share):
                        value, diags = expect_value(
                            ctx, item.amount.value, (ast.Percent,), "the minimum attachment"
                        )
                        yield from diags
                        yield from percent_range(value, item.amount.value.span, "the minimum attachment")
                        if item.amount.base != "first_month":
                            yield diag(
                                "E212",
                                f"unknown base `{item.amount.base}` of the minimum attachment",
                                item.amount.span,
                                "write a dollar floor or a percentage `of first_month`",
                            )
                    else:
                        yield from expect_quantity(
                            ctx, item.amount, (ast.Money,), [(), ("per year",)], "the minimum attachment"
                        )[1]
                case ast.Maximum():
                    yield from expect_quantity(
                        ctx, item.amount, (ast.Money,), [(), ("per year",)], "the aggregate maximum"
                    )[1]
                case ast.Reimburses():
                    value, diags = expect_value(ctx, item.rate, (ast.Percent,), "`reimburses`")
                    yield from diags
                    yield from percent_range(value, item.rate.span, "`reimburses`")
                case ast.Basis():
                    yield from _basis(item)
                case ast.Premium():
                    yield from expect_rates(ctx, item.amount, "the premium", ("pepm", "pmpm"))


def _attachment(
    ctx: Context, item: ast.Attachment, expected: ast.ExpectedClaims | None
) -> Iterator[Diagnostic]:
    amount = resolve(ctx.constants, item.amount) if not isinstance(item.amount, ast.Share) else item.amount
    if isinstance(amount, ast.Share):
        value, diags = expect_value(ctx, amount.value, (ast.Percent,), "the attachment")
        yield from diags
        if amount.base != "expected_claims":
            yield diag(
                "E212",
                f"unknown base `{amount.base}` of the attachment",
                amount.span,
                "write a percentage `of expected_claims`, or monthly factors by tier",
            )
            return
        if expected is None:
            yield diag(
                "E312",
                "the attachment is a percentage of expected claims, but no `expected_claims` is assumed",
                item.span,
                "add `expected_claims EE $X, ... pepm` to the assumptions block, or give monthly factors",
            )
        if isinstance(value, ast.Percent) and value.value < 100:
            yield diag(
                "W303",
                f"the aggregate attachment ({value_text(value)} of expected claims) is below 100%",
                item.span,
                "an attachment below expected claims makes the aggregate pay in a normal year; "
                "it is usually about 125%",
            )
        return
    yield from expect_rates(ctx, item.amount, "the attachment", ("pepm",))
    if expected is not None:
        factors = _tier_values(ctx, item.amount)
        claims = _tier_values(ctx, expected.amount)
        low = [t for t in ctx.tiers if t in factors and t in claims and factors[t] < claims[t]]
        if low:
            yield diag(
                "W303",
                f"the aggregate attachment factors are below expected claims for {listing(low)}",
                item.span,
                "attachment factors are usually about 125% of expected claims per tier",
            )
