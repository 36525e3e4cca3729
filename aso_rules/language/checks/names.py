"""Checks of names and definitions: constants, tiers, coverage lines, and things defined twice.

On entry: a ``Context``. On exit: E201, E202, E203, E204, E304, E305 diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from aso_rules.language import ast
from aso_rules.language.checks.base import (
    WORD_FIELDS,
    Context,
    children,
    coverage_kind,
    diag,
    did_you_mean,
    duplicates,
    listing,
    quoted,
)
from aso_rules.language.diagnostics import Diagnostic, Span


def _names_in(node: object) -> Iterator[ast.Name]:
    """Every ``Name`` value under ``node`` that stands for a constant (not a context word)."""
    if isinstance(node, ast.Name):
        yield node
        return
    if isinstance(node, ast.Option) and node.key in ("relationship", "cause", "network"):
        return
    if isinstance(node, ast.FieldValue) and node.field in WORD_FIELDS:
        return
    if isinstance(node, tuple):
        for item in node:
            yield from _names_in(item)
        return
    for child in children(node):
        yield from _names_in(child)


def check_unknown_constants(ctx: Context) -> Iterator[Diagnostic]:
    """E201: every name in value position refers to a ``let`` constant (in any file)."""
    for _, statement in ctx.statements:
        for name in _names_in(statement):
            if name.name not in ctx.constants:
                yield diag(
                    "E201",
                    f"unknown constant `{name.name}`",
                    name.span,
                    did_you_mean(name.name, ctx.constants)
                    + "define it with `let "
                    + name.name
                    + " = VALUE`, or write the value itself",
                )


def _tier_tables(node: object) -> Iterator[ast.TierTable]:
    if isinstance(node, ast.TierTable):
        yield node
        return
    if isinstance(node, tuple):
        for item in node:
            yield from _tier_tables(item)
        return
    for child in children(node):
        yield from _tier_tables(child)


def check_tier_tables(ctx: Context) -> Iterator[Diagnostic]:
    """E202, E304, E305: a tier table names declared tiers, each exactly once, all of them."""
    if not ctx.tiers:
        return
    declared = set(ctx.tiers)
    for _, statement in ctx.statements:
        for table in _tier_tables(statement):
            seen: dict[str, ast.TierAmount] = {}
            for entry in table.entries:
                if entry.tier not in declared:
                    yield diag(
                        "E202",
                        f"unknown tier `{entry.tier}` in a tier table",
                        entry.span,
                        did_you_mean(entry.tier, ctx.tiers) + f"the declared tiers are {listing(ctx.tiers)}",
                    )
                elif entry.tier in seen:
                    yield diag(
                        "E305",
                        f"tier `{entry.tier}` appears twice in the tier table",
                        entry.span,
                        "list every tier exactly once",
                    )
                else:
                    seen[entry.tier] = entry
            missing = [t for t in ctx.tiers if t not in seen]
            if missing:
                yield diag(
                    "E304",
                    f"the tier table misses tier{'s' if len(missing) > 1 else ''} {listing(missing)}",
                    table.span,
                    "list every declared tier once, or write a single amount that applies to every tier",
                )


def check_test_tiers(ctx: Context) -> Iterator[Diagnostic]:
    """E202: a test member's tier is a declared tier."""
    if not ctx.tiers:
        return
    for test in ctx.tests:
        for item in test.items:
            if isinstance(item, ast.TestMember) and item.tier not in ctx.tiers:
                yield diag(
                    "E202",
                    f"unknown tier `{item.tier}` for test member {quoted(item.member_id)}",
                    item.span,
                    did_you_mean(item.tier, ctx.tiers) + f"the declared tiers are {listing(ctx.tiers)}",
                )


def _line_hint(ctx: Context, line: str) -> str:
    known = [c for c in ctx.coverages if coverage_kind(c) is not None]
    return did_you_mean(line, known) + f"the coverage lines are {listing(known)}"


def _unknown_line(ctx: Context, line: str, span: Span, where: str) -> Diagnostic:
    return diag("E203", f"unknown coverage line `{line}` in {where}", span, _line_hint(ctx, line))


def check_unknown_lines(ctx: Context) -> Iterator[Diagnostic]:
    """E203: `covers`, `shares ... with`, `fee_schedule LINE`, fee lines and test claims name a
    declared coverage (test claims may also name an excluded line: they are denied)."""
    for _, statement in ctx.statements:
        match statement:
            case ast.Coverage():
                for item in statement.items:
                    if isinstance(item, ast.Shares) and item.line not in ctx.coverages:
                        yield _unknown_line(ctx, item.line, item.span, "`shares ... with`")
            case ast.FeeSchedule():
                if statement.line not in ctx.coverages:
                    yield _unknown_line(ctx, statement.line, statement.span, "`fee_schedule`")
            case ast.StopLossSpecific() | ast.StopLossAggregate():
                for contract_item in statement.items:
                    if isinstance(contract_item, ast.Covers):
                        for line in contract_item.lines:
                            if line not in ctx.coverages:
                                yield _unknown_line(ctx, line, contract_item.span, "`covers`")
            case ast.AdminFees():
                for fee in statement.fees:
                    for line in fee.lines:
                        if line not in ctx.coverages:
                            yield _unknown_line(ctx, line, fee.span, f"fee `{fee.name}`")
            case ast.Test():
                for test_item in statement.items:
                    if (
                        isinstance(test_item, ast.TestClaim)
                        and test_item.line not in ctx.coverages
                        and test_item.line not in ctx.excluded_lines
                    ):
                        yield _unknown_line(
                            ctx, test_item.line, test_item.span, f"test claim {quoted(test_item.claim_id)}"
                        )


def check_duplicate_definitions(ctx: Context) -> Iterator[Diagnostic]:
    """E204: constants, coverage lines, excluded lines, fee schedules, stop-loss contracts, fees,
    tests and tiers are each defined once across the root file and every include; a line is not
    both covered and excluded; there is one ruleset header, one aggregate, one assumptions block."""
    stmts = [s for _, s in ctx.statements]
    yield from duplicates(((s.name, s.span) for s in stmts if isinstance(s, ast.Let)), "constant")
    yield from duplicates(((s.line, s.span) for s in stmts if isinstance(s, ast.Coverage)), "coverage")
    yield from duplicates(
        ((line, s.span) for s in stmts if isinstance(s, ast.ExcludeCoverage) for line in s.lines),
        "excluded line",
    )
    yield from duplicates(
        ((s.line, s.span) for s in stmts if isinstance(s, ast.FeeSchedule)), "fee schedule of line"
    )
    yield from duplicates(
        ((s.name, s.span) for s in stmts if isinstance(s, ast.StopLossSpecific | ast.StopLossAggregate)),
        "stop-loss contract",
    )
    yield from duplicates(
        ((f.name, f.span) for s in stmts if isinstance(s, ast.AdminFees) for f in s.fees), "fee"
    )
    yield from duplicates(((s.name, s.span) for s in stmts if isinstance(s, ast.Test)), "test")
    yield from duplicates(
        (("ruleset", s.span) for s in stmts if isinstance(s, ast.Ruleset)),
        "header",
        "a program has one `ruleset` header; included files hold sections only",
    )
    yield from duplicates(
        (("experience", s.span) for s in stmts if isinstance(s, ast.Experience)),
        "block",
        "a ruleset has one `experience` block",
    )
    yield from duplicates(
        (("stop_loss aggregate", s.span) for s in stmts if isinstance(s, ast.StopLossAggregate)),
        "contract",
        "a plan year has one aggregate stop-loss contract",
    )
    yield from duplicates(
        (("assumptions", s.span) for s in stmts if isinstance(s, ast.Assumptions)),
        "block",
        "merge the assumptions into one block",
    )
    for s in stmts:
        if isinstance(s, ast.Coverage) and s.line in ctx.excluded_lines:
            yield diag(
                "E204",
                f"coverage `{s.line}` is both defined and excluded",
                s.span,
                f"remove `coverage {s.line}` or remove `{s.line}` from `exclude coverage`",
            )
    if ctx.header is not None:
        for item in ctx.header.items:
            if isinstance(item, ast.Tiers):
                yield from duplicates(((t.code, t.span) for t in item.tiers), "tier")


def _item_key(item: object) -> str | None:
    """The key under which an item of a block may appear only once (None: may repeat)."""
    match item:
        case ast.Setting():
            return item.key
        case ast.Copay() | ast.CoveredInFull() | ast.Limit() | ast.Exclude() | ast.DentalClass():
            return None
        case ast.Laser() | ast.Covers() | ast.CodePrice() | ast.CategoryPrice():
            return None
        case ast.Network():
            return f"network {item.network}"
        case ast.Shares():
            return f"shares {item.accumulator}"
        case ast.NetworkPricing():
            return item.network
        case ast.Tiers():
            return "tiers"
    return type(item).__name__


ITEM_WORDS = {
    "Trend": "trend",
    "Projection": "projection",
    "Completion": "completion",
    "PoolingPoint": "pooling_point",
    "PoolingCharge": "pooling_charge",
    "Credibility": "credibility",
    "ManualRate": "manual_rate",
    "PlanDesignChange": "plan_design_change",
    "RateCap": "rate_cap",
    "Administrator": "administrator",
    "PlanYear": "plan_year",
    "Currency": "currency",
    "Deductible": "deductible",
    "OutOfPocket": "out_of_pocket",
    "PlanPays": "plan pays",
    "Maximum": "maximum",
    "Benefit": "benefit",
    "Elimination": "elimination",
    "BenefitDuration": "duration",
    "Minimum": "minimum",
    "Flag": "maximum_includes_elimination",
    "AggregatingDeductible": "aggregating_deductible",
    "Reimburses": "reimburses",
    "AdvanceFunding": "advance_funding",
    "Basis": "basis",
    "Premium": "premium",
    "Attachment": "attachment",
    "MinimumAttachment": "minimum_attachment",
    "ExpectedClaims": "expected_claims",
    "Claimants": "claimants",
    "ClaimantCost": "claimant_cost",
    "ClaimCount": "claim_count",
    "FullyInsured": "fully_insured",
    "TierRatios": "tier_ratios",
    "FundingMargin": "funding_margin",
    "Seasonality": "seasonality",
    "ClaimsBasis": "claims_basis",
}


def _block_items(ctx: Context) -> Iterator[tuple[str, Sequence[object]]]:
    for _, statement in ctx.statements:
        match statement:
            case ast.Ruleset():
                yield "the ruleset header", statement.items
            case ast.Coverage():
                yield f"coverage {statement.line}", statement.items
                for item in statement.items:
                    if isinstance(item, ast.Network):
                        yield f"network {item.network} of coverage {statement.line}", item.items
            case ast.FeeSchedule():
                yield f"fee_schedule {statement.line}", statement.items
            case ast.StopLossSpecific() | ast.StopLossAggregate():
                yield f"stop-loss {quoted(statement.name)}", statement.items
            case ast.Assumptions():
                yield "assumptions", statement.items
            case ast.Experience():
                yield "experience", statement.items


def check_repeated_statements(ctx: Context) -> Iterator[Diagnostic]:
    """E204: a block states each of its parameters once (two `plan pays` in one coverage, two
    `deductible`s in one stop-loss, a category with two copays or two dental classes, two fee
    schedule entries for one code, ...)."""
    for where, items in _block_items(ctx):
        seen: dict[str, Span] = {}
        categories: dict[str, Span] = {}
        for item in items:
            key = _item_key(item)
            span = getattr(item, "span", None)
            assert isinstance(span, Span)
            if key is not None:
                if key in seen:
                    word = ITEM_WORDS.get(key, key)
                    yield diag(
                        "E204",
                        f"`{word}` is stated twice in {where} (first at line {seen[key].line})",
                        span,
                        "state it once",
                    )
                else:
                    seen[key] = span
            cats: list[tuple[str, Span]] = []
            match item:
                case ast.Copay():
                    cats = [(e.category, e.span) for e in item.entries]
                case ast.CoveredInFull():
                    cats = [(c, item.span) for c in item.categories]
                case ast.DentalClass():
                    cats = [(item.name, item.span)]
                case ast.CodePrice():
                    cats = [(f"code {item.code}", item.span)]
                case ast.CategoryPrice():
                    cats = [(f"category {item.category}", item.span)]
                case ast.Laser():
                    cats = [(f"laser {item.member}", item.span)]
            for cat, cat_span in cats:
                if cat in categories:
                    yield diag(
                        "E204",
                        f"`{cat}` has two rules in {where} (first at line {categories[cat].line})",
                        cat_span,
                        "give each category one rule: a copay, covered in full, or a class",
                    )
                else:
                    categories[cat] = cat_span
            if isinstance(item, ast.Limit):
                key = f"limit {item.category} " + " ".join(
                    u for u in item.amount.units if u in ("visits", "lifetime", "per year")
                )
                if key in seen:
                    yield diag(
                        "E204",
                        f"`limit {item.category}` is stated twice in {where} "
                        f"(first at line {seen[key].line})",
                        item.span,
                        "state each limit once",
                    )
                else:
                    seen[key] = item.span
