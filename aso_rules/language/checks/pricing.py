"""Checks of administrative fees and pricing assumptions (docs/semantics.md 8.1 and 13).

On entry: a ``Context``. On exit: E205, E212, E301, E310, E311, E340 and W330 diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from aso_rules import model
from aso_rules.extras import has
from aso_rules.language import ast
from aso_rules.language.checks.base import (
    Context,
    diag,
    expect_quantity,
    expect_rates,
    expect_value,
    percent_range,
    resolve,
)
from aso_rules.language.checks.bounds import plan_year_months
from aso_rules.language.diagnostics import Diagnostic, escaped
from aso_rules.language.format import value_text
from aso_rules.language.tables import named_tables


def check_fees(ctx: Context) -> Iterator[Diagnostic]:
    """E205, E301, E212: a fee is money pepm, pmpm or per claim, or a percentage (0-100%) of
    `paid_claims` or `savings`."""
    for block in ctx.of_type(ast.AdminFees):
        assert isinstance(block, ast.AdminFees)
        for fee in block.fees:
            amount = resolve(ctx.constants, fee.amount)
            if isinstance(amount, ast.Share):
                value, diags = expect_value(ctx, amount.value, (ast.Percent,), f"fee `{fee.name}`")
                yield from diags
                yield from percent_range(value, amount.value.span, f"fee `{fee.name}`")
                if amount.base not in ("paid_claims", "savings"):
                    yield diag(
                        "E212",
                        f"unknown base `{amount.base}` of fee `{fee.name}`",
                        amount.span,
                        "a percentage fee is `of paid_claims` or `of savings`",
                    )
            elif isinstance(amount, ast.TierTable):
                yield from expect_rates(ctx, fee.amount, f"fee `{fee.name}`", ("pepm", "pmpm"))
            else:
                yield from expect_quantity(
                    ctx,
                    fee.amount,
                    (ast.Money,),
                    [("pepm",), ("pmpm",), ("per claim",)],
                    f"fee `{fee.name}`",
                )[1]


def _positive(
    ctx: Context, value: ast.Value, kinds: tuple[type, ...], what: str, strict: bool = True
) -> Iterator[Diagnostic]:
    resolved, diags = expect_value(ctx, value, kinds, what)
    yield from diags
    number: Decimal | None = None
    if isinstance(resolved, ast.Money):
        number = resolved.amount
    elif isinstance(resolved, ast.Number):
        number = resolved.value
    if number is not None and (number <= 0 if strict else number < 0):
        yield diag(
            "E310",
            f"{what} must be {'above' if strict else 'at least'} 0, not {value_text(resolved)}",  # type: ignore[arg-type]
            value.span,
            "a claim-cost or count model needs positive parameters",
        )


def _seasonality(ctx: Context, item: ast.Seasonality) -> Iterator[Diagnostic]:
    """E341: one positive number per plan month."""
    for factor in item.factors:
        resolved, diags = expect_value(ctx, factor, (ast.Number,), "a seasonality factor")
        yield from diags
        if isinstance(resolved, ast.Number) and resolved.value <= 0:
            yield diag(
                "E341",
                f"a seasonality factor must be above 0, not {value_text(resolved)}",
                factor.span,
                "each factor is a month's claims per member month against the year's average, e.g. 0.85",
            )
    months = plan_year_months(ctx)
    if months is not None and len(item.factors) != months:
        yield diag(
            "E341",
            f"seasonality has {len(item.factors)} factors; the plan year has {months} months",
            item.span,
            "write one factor per plan month, the first for the plan year's first month",
        )


def _pareto_mean(ctx: Context, value: ast.Value) -> Iterator[Diagnostic]:
    """E310: a Pareto alpha at or below 1 has an infinite mean, so nothing can be priced from it."""
    resolved, _ = expect_value(ctx, value, (ast.Number,), "alpha")
    if isinstance(resolved, ast.Number) and resolved.value <= 1:
        yield diag(
            "E310",
            f"alpha must be above 1, not {value_text(resolved)}: at or below 1 the Pareto mean "
            "claimant cost is infinite",
            value.span,
            "claimant costs are usually fitted with alpha between 1.5 and 3",
        )


def check_assumptions(ctx: Context) -> Iterator[Diagnostic]:
    """E205, E301, E310: expected claims and fully insured rates are money pepm; claimants a
    percentage (0-100%) of members; tier ratios plain numbers; distribution parameters in range
    (mean > 0, cv > 0, alpha > 1: a finite mean, scale > 0, dispersion >= 0)."""
    for block in ctx.assumptions:
        for item in block.items:
            match item:
                case ast.ExpectedClaims():
                    yield from expect_rates(ctx, item.amount, "expected claims", ("pepm",))
                case ast.FullyInsured():
                    yield from expect_rates(ctx, item.amount, "the fully insured rate", ("pepm",))
                case ast.Claimants():
                    value, diags = expect_value(ctx, item.share.value, (ast.Percent,), "claimants")
                    yield from diags
                    yield from percent_range(value, item.share.value.span, "claimants")
                    if item.share.base != "members":
                        yield diag(
                            "E212",
                            f"unknown base `{item.share.base}` of claimants",
                            item.share.span,
                            "write `claimants P% of members`",
                        )
                case ast.TierRatios():
                    amount = resolve(ctx.constants, item.amount)
                    if isinstance(amount, ast.TierTable):
                        for entry in amount.entries:
                            yield from _positive(
                                ctx, entry.value, (ast.Number,), f"the tier ratio of {entry.tier}"
                            )
                    else:
                        yield diag(
                            "E205",
                            "tier ratios are a tier table of numbers",
                            item.span,
                            "write e.g. `tier_ratios EE 1.00, ES 2.10, EC 1.85, FAM 3.00`",
                        )
                case ast.Seasonality():
                    yield from _seasonality(ctx, item)
                case ast.FundingMargin():
                    value, diags = expect_value(ctx, item.rate, (ast.Percent,), "the funding margin")
                    yield from diags
                    yield from percent_range(value, item.rate.span, "the funding margin")
                case ast.ClaimantCost():
                    model = item.model
                    match model:
                        case ast.Lognormal() | ast.Gamma():
                            yield from _positive(ctx, model.mean, (ast.Money,), "the mean")
                            yield from _positive(ctx, model.cv, (ast.Number,), "the cv")
                        case ast.Pareto():
                            alpha = list(_positive(ctx, model.alpha, (ast.Number,), "alpha"))
                            yield from alpha
                            yield from _pareto_mean(ctx, model.alpha) if not alpha else iter(())
                            yield from _positive(ctx, model.scale, (ast.Money,), "the scale")
                case ast.ClaimsBasis():
                    if item.basis not in ("net_of_specific", "gross"):
                        yield diag(
                            "E340",
                            f"unknown claims basis `{item.basis}`",
                            item.span,
                            "write `claims_basis net_of_specific` (expected_claims capped at the specific "
                            "deductible, the default) or `claims_basis gross`",
                        )
                case ast.ClaimCount():
                    if isinstance(item.model, ast.NegativeBinomial):
                        yield from _positive(
                            ctx, item.model.dispersion, (ast.Number,), "the dispersion", strict=False
                        )


def check_continuance_tables(ctx: Context) -> Iterator[Diagnostic]:
    """E311: a `claimant_cost table "FILE" [named "NAME"]` file exists, relative to the rule file,
    and holds a well-formed continuance table (with that name, when named). E320: the file may not
    be read (outside the ruleset folder, not a regular file, too large). The loader read the tables
    (``language.tables``); this check reports what it found."""
    for key, node in named_tables(ctx.program):
        read = ctx.tables[key]
        if read.refusal is not None:
            yield diag(
                "E320",
                f"{escaped(node.path)}: {read.refusal}",
                node.span,
                "keep tables beside the rule files (a regular file inside the ruleset folder)",
            )
        elif read.error is not None:
            yield diag(
                "E311",
                escaped(read.error.splitlines()[0]) if read.error else "unreadable continuance table",
                node.span,
                "the path is relative to the rule file; the file is an AV Calculator "
                "continuance table (av2015 or av2026 layout)",
            )


# Without the enrollment only the employee-only tier has a known member count (one). Its rate may
# differ from the cost of an average member by tier demographics (the bundled, calibrated rulesets sit
# 14-16% above it); a gap past 25% is an inconsistency. `aso price` makes the 2% test on the totals.
EE_TOLERANCE = Decimal("0.25")


def check_claims_consistency(ctx: Context) -> Iterator[Diagnostic]:
    """W330: `expected_claims` for the employee-only tier (EE: one member per employee, so no
    enrollment is needed) differs by more than 25% from what the claimant model implies for one
    member: claimants share x mean plan-paid per claimant (capped at the lowest specific deductible
    unless `claims_basis gross`) / 12. Skipped with tier ratios (they re-spread the stated amounts),
    a continuance table, a program that does not compile (its errors are reported elsewhere), or an
    installation without the pricing extra."""
    if not has("pricing"):
        return  # the claimant model's mean needs the pricing extra's special functions
    stated = [i for b in ctx.assumptions for i in b.items if isinstance(i, ast.ExpectedClaims)]
    ratios = any(isinstance(i, ast.TierRatios) for b in ctx.assumptions for i in b.items)
    if not stated or ratios or "EE" not in ctx.tiers:
        return
    implied = _implied_member_pepm(ctx)
    if implied is None:
        return
    model_pepm, basis, detail = implied
    ruleset_pepm = _stated_ee(ctx)
    if ruleset_pepm is None or model_pepm <= 0:
        return
    diff = ruleset_pepm / model_pepm - 1
    if abs(diff) <= EE_TOLERANCE:
        return
    yield diag(
        "W330",
        f"expected_claims EE ${ruleset_pepm:,.2f} pepm ({basis}) is {100 * diff:+.1f}% from the "
        f"claimant model's ${model_pepm:,.2f} pepm for one member ({detail}): funding rates and "
        "the attachment use expected_claims, the stop-loss expectations, employer cost and savings "
        "use the claimant model (tier differences do not explain more than 25%)",
        stated[0].span,
        "make the two agree: restate expected_claims, or recalibrate claimants / claimant_cost "
        "(`aso price` reports both figures in price.json `claims_basis`)",
    )


def _stated_ee(ctx: Context) -> Decimal | None:
    ruleset = _compiled(ctx)
    if ruleset is None or ruleset.assumptions is None or ruleset.assumptions.expected_claims is None:
        return None
    return ruleset.assumptions.expected_claims.for_tier("EE")


def _compiled(ctx: Context) -> model.Ruleset | None:
    from aso_rules.compile import compile_unchecked

    try:
        return compile_unchecked(ctx.program, ctx.tables)
    except (TypeError, ValueError, KeyError, AttributeError, LookupError, StopIteration):
        return None  # a program with errors: those diagnostics say what to fix


def _implied_member_pepm(ctx: Context) -> tuple[Decimal, str, str] | None:
    """The claimant model's expected plan-paid claims per member per month, its basis and working."""
    ruleset = _compiled(ctx)
    a = ruleset.assumptions if ruleset is not None else None
    if ruleset is None or a is None or a.claimant_cost is None or a.claimants_pct is None:
        return None
    if isinstance(a.claimant_cost, model.ContinuanceTable):
        return None
    # imported here: the pricing package is heavy and most programs only settle claims
    import numpy as np

    from aso_rules.price.quote import medical_terms
    from aso_rules.price.severity import PlanPaid, PricingError, distribution

    try:
        y = PlanPaid(distribution(a.claimant_cost), medical_terms(ruleset))
    except PricingError:
        return None
    basis = a.claims_basis
    if basis == "net_of_specific" and ruleset.specific:
        cap = min(t.deductible for t in ruleset.specific)
        mean = float(y.lev(np.array(float(cap))))
        detail = f"{float(a.claimants_pct * 100):g}% x ${mean:,.2f} mean plan-paid per claimant"
        detail += f" capped at ${cap:,.0f} / 12"
    else:
        mean = y.mean
        detail = f"{float(a.claimants_pct * 100):g}% x ${mean:,.2f} mean plan-paid per claimant / 12"
    pepm = (a.claimants_pct * Decimal(repr(mean)) / 12).quantize(Decimal("0.01"))
    return pepm, basis, detail
