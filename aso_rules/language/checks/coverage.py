"""Checks of coverage lines and fee schedules: kinds, cost sharing, limits, dental, disability.

On entry: a ``Context``. On exit: E205, E208, E209, E212, E301, E302, E303, E308, E309, E315,
W305 diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from aso_rules.language import ast
from aso_rules.language.checks.base import (
    CAUSES,
    DISABILITY,
    EHB_CATEGORIES,
    Context,
    coverage_kind,
    diag,
    did_you_mean,
    expect_quantity,
    expect_value,
    listing,
    money_of,
    percent_range,
    quoted,
    resolve,
)
from aso_rules.language.diagnostics import Diagnostic, Span
from aso_rules.language.format import value_text
from aso_rules.model import LINE_KINDS, NOT_ASO_LINES

ALLOWED_ITEMS: dict[str, tuple[type, ...]] = {
    "medical": (
        ast.Deductible,
        ast.OutOfPocket,
        ast.PlanPays,
        ast.Copay,
        ast.CoveredInFull,
        ast.Network,
        ast.Limit,
        ast.Exclude,
        ast.Shares,
    ),
    "dental": (
        ast.Deductible,
        ast.OutOfPocket,
        ast.PlanPays,
        ast.Copay,
        ast.CoveredInFull,
        ast.Network,
        ast.Limit,
        ast.Exclude,
        ast.Shares,
        ast.DentalClass,
        ast.Maximum,
    ),
    "std": (ast.Benefit, ast.Elimination, ast.BenefitDuration, ast.Flag, ast.Exclude),
    "ltd": (ast.Benefit, ast.Elimination, ast.BenefitDuration, ast.Flag, ast.Exclude, ast.Minimum),
}


ALLOWED_ITEMS["rx"] = ALLOWED_ITEMS["medical"]


ALLOWED_ITEMS["vision"] = ALLOWED_ITEMS["medical"]


ITEM_NAMES = {
    ast.Deductible: "deductible",
    ast.OutOfPocket: "out_of_pocket",
    ast.PlanPays: "plan pays",
    ast.Copay: "copay",
    ast.CoveredInFull: "covered in full",
    ast.Network: "network",
    ast.Limit: "limit",
    ast.Exclude: "exclude",
    ast.Shares: "shares",
    ast.DentalClass: "class",
    ast.Maximum: "maximum",
    ast.Benefit: "benefit",
    ast.Elimination: "elimination",
    ast.BenefitDuration: "duration",
    ast.Minimum: "minimum",
    ast.Flag: "maximum_includes_elimination",
}


def check_coverage_kinds(ctx: Context) -> Iterator[Diagnostic]:
    """E308, E209, E208, E315: a coverage line is of a kind the language knows and suited to ASO
    (never `life` or `accidental_death`), holds only statements of its kind, and a disability
    line states its benefit."""
    for statement in ctx.of_type(ast.Coverage):
        assert isinstance(statement, ast.Coverage)
        kind = coverage_kind(statement.line)
        if statement.line in NOT_ASO_LINES or any(statement.line.startswith(n + "_") for n in NOT_ASO_LINES):
            yield diag(
                "E308",
                f"`{statement.line}` coverage is not suited to ASO funding",
                statement.span,
                "life insurance is insured, not self-funded: write "
                f'`exclude coverage {statement.line} "REASON"`',
            )
            continue
        if kind is None:
            yield diag(
                "E209",
                f"unknown kind of coverage `{statement.line}`",
                statement.span,
                did_you_mean(statement.line, LINE_KINDS)
                + f"a coverage line is one of {listing(LINE_KINDS)} (or starts with one, e.g. medical_hmo)",
            )
            continue
        allowed = ALLOWED_ITEMS[kind]
        for item in statement.items:
            if not isinstance(item, allowed):
                word = ITEM_NAMES.get(type(item), type(item).__name__)
                yield diag(
                    "E208",
                    f"`{word}` does not belong in a {kind} coverage",
                    item.span,
                    _placement_hint(type(item)),
                )
            if isinstance(item, ast.Network):
                for inner in item.items:
                    if not isinstance(inner, allowed):
                        yield diag(
                            "E208",
                            f"`{ITEM_NAMES.get(type(inner), '?')}` does not belong in a {kind} coverage",
                            inner.span,
                            _placement_hint(type(inner)),
                        )
        if kind in DISABILITY and not any(isinstance(i, ast.Benefit) for i in statement.items):
            yield diag(
                "E315",
                f"disability coverage `{statement.line}` has no `benefit`",
                statement.span,
                "add e.g. `benefit 60% of weekly_earnings up to $1,000 per week`",
            )


def _placement_hint(kind: type) -> str:
    if kind in (ast.DentalClass, ast.Maximum):
        return "dental classes and the annual maximum belong in a dental coverage; use `limit` elsewhere"
    if kind in (ast.Benefit, ast.Elimination, ast.BenefitDuration, ast.Minimum, ast.Flag):
        return "benefit, elimination, duration and minimum belong in std or ltd coverage"
    return "disability lines pay a benefit: cost sharing belongs in medical, rx, dental or vision"


def _cost_items(items: Sequence[object]) -> dict[type, object]:
    found: dict[type, object] = {}
    for item in items:
        found.setdefault(type(item), item)
    return found


def _family_amounts(
    ctx: Context, stmt: ast.Deductible | ast.OutOfPocket | None
) -> tuple[Decimal | None, Decimal | None]:
    if stmt is None:
        return None, None
    return money_of(ctx, stmt.amount), money_of(ctx, stmt.family)


def check_cost_sharing(ctx: Context) -> Iterator[Diagnostic]:
    """E205, E301, E303, E302: deductible and out-of-pocket amounts are money per person and
    per family, the family amount at least the person amount, the out-of-pocket maximum at least
    the deductible (in each network, with unstated out-of-network values taken from in-network),
    `plan pays` a percentage within 0-100%, copays money."""
    for statement in ctx.of_type(ast.Coverage):
        assert isinstance(statement, ast.Coverage)
        top = [i for i in statement.items if not isinstance(i, ast.Network)]
        networks = [i for i in statement.items if isinstance(i, ast.Network)]
        inn = _cost_items(top + [x for n in networks if n.network == "in" for x in n.items])
        yield from _check_cost_block(ctx, inn, None)
        for net in networks:
            if net.network == "out":
                yield from _check_cost_block(ctx, _cost_items(net.items), inn)


def _check_cost_block(
    ctx: Context, items: dict[type, object], inherit: dict[type, object] | None
) -> Iterator[Diagnostic]:
    ded = items.get(ast.Deductible)
    oop = items.get(ast.OutOfPocket)
    for stmt in (ded, oop):
        if isinstance(stmt, ast.Deductible | ast.OutOfPocket):
            word = "deductible" if isinstance(stmt, ast.Deductible) else "out-of-pocket maximum"
            person, d1 = expect_quantity(ctx, stmt.amount, (ast.Money,), [("per person",), ()], f"the {word}")
            yield from d1
            family = None
            if stmt.family is not None:
                family, d2 = expect_quantity(
                    ctx, stmt.family, (ast.Money,), [("per family",)], f"the family {word}"
                )
                yield from d2
            if isinstance(stmt, ast.OutOfPocket) and stmt.individual_cap is not None:
                _, d3 = expect_quantity(
                    ctx, stmt.individual_cap, (ast.Money,), [("per person",), ()], "the individual cap"
                )
                yield from d3
            if (
                isinstance(person, ast.Money)
                and isinstance(family, ast.Money)
                and family.amount < person.amount
            ):
                yield diag(
                    "E303",
                    f"the family {word} ({value_text(family)}) is below "
                    f"the person amount ({value_text(person)})",
                    stmt.family.span if stmt.family is not None else stmt.span,
                    "the family amount is usually two or three times the person amount",
                )
    eff_ded = ded if ded is not None else (inherit or {}).get(ast.Deductible)
    eff_oop = oop if oop is not None else (inherit or {}).get(ast.OutOfPocket)
    if (
        (ded is not None or oop is not None)
        and isinstance(eff_ded, ast.Deductible)
        and isinstance(eff_oop, ast.OutOfPocket)
    ):
        d_person, d_family = _family_amounts(ctx, eff_ded)
        o_person, o_family = _family_amounts(ctx, eff_oop)
        span = oop.span if isinstance(oop, ast.OutOfPocket) else eff_ded.span
        if d_person is not None and o_person is not None and o_person < d_person:
            yield diag(
                "E302",
                f"the out-of-pocket maximum (${o_person:,}) is below the deductible (${d_person:,})",
                span,
                "the out-of-pocket maximum includes the deductible, so it must be at least as large",
            )
        elif d_family is not None and o_family is not None and o_family < d_family:
            yield diag(
                "E302",
                f"the family out-of-pocket maximum (${o_family:,}) is below the family deductible "
                f"(${d_family:,})",
                span,
                "the out-of-pocket maximum includes the deductible, so it must be at least as large",
            )
    pays = items.get(ast.PlanPays)
    if isinstance(pays, ast.PlanPays):
        value, diags = expect_value(ctx, pays.rate, (ast.Percent,), "`plan pays`")
        yield from diags
        yield from percent_range(value, pays.rate.span, "`plan pays`")


def check_copays(ctx: Context) -> Iterator[Diagnostic]:
    """E205: every copay is a dollar amount (per visit or per claim at most)."""
    for statement in ctx.of_type(ast.Coverage):
        assert isinstance(statement, ast.Coverage)
        items = list(statement.items)
        for net in [i for i in statement.items if isinstance(i, ast.Network)]:
            items += list(net.items)
        for item in items:
            if isinstance(item, ast.Copay):
                for entry in item.entries:
                    _, diags = expect_quantity(
                        ctx,
                        entry.amount,
                        (ast.Money,),
                        [(), ("per visit",), ("per claim",)],
                        f"the copay of `{entry.category}`",
                    )
                    yield from diags


def check_family_out_of_pocket_cap(ctx: Context) -> Iterator[Diagnostic]:
    """E309: an aggregate (non-embedded) family out-of-pocket maximum states `individual_cap`
    (the ACA self-only limit inside family coverage, docs/semantics.md 3.4); the mode follows the
    deductible's when not stated."""
    for statement in ctx.of_type(ast.Coverage):
        assert isinstance(statement, ast.Coverage)
        top_ded = next((i for i in statement.items if isinstance(i, ast.Deductible)), None)
        top_oop = next((i for i in statement.items if isinstance(i, ast.OutOfPocket)), None)
        blocks: list[tuple[ast.Deductible | None, ast.OutOfPocket | None, Span | None]] = [
            (top_ded, top_oop, None)
        ]
        for net in (n for n in statement.items if isinstance(n, ast.Network)):
            ded = next((i for i in net.items if isinstance(i, ast.Deductible)), top_ded)
            own = next((i for i in net.items if isinstance(i, ast.OutOfPocket)), None)
            # an inherited out-of-pocket statement takes the network's deductible mode
            blocks.append((ded, own or top_oop, None if own is not None else net.span))
        reported = False
        for ded, oop, inherited_at in blocks:
            if oop is not None:
                mode = oop.mode or (ded.mode if ded is not None else None) or "embedded"
                if inherited_at is not None and reported:
                    continue  # the inherited statement was reported where it is written
                if mode == "aggregate" and oop.family is not None and oop.individual_cap is None:
                    reported = reported or oop is top_oop
                    yield diag(
                        "E309",
                        "an aggregate family out-of-pocket maximum needs an individual cap",
                        inherited_at or oop.span,
                        "add `individual_cap $X` (at most the self-only out-of-pocket limit), e.g. "
                        "`out_of_pocket $5,000 per person, $8,000 per family aggregate "
                        "individual_cap $5,000`",
                    )


def check_limits(ctx: Context) -> Iterator[Diagnostic]:
    """E205, W305: a limit is `N visits per person per year` or `$X per person lifetime|per year`;
    a dollar limit on an essential-health-benefit category of medical is a warning (ACA)."""
    visit_units = [
        ("visits", "per person", "per year"),
        ("visits", "per year"),
        ("visits", "per person", "lifetime"),
    ]
    dollar_units = [("per person", "lifetime"), ("per person", "per year"), ("lifetime",), ("per year",)]
    for statement in ctx.of_type(ast.Coverage):
        assert isinstance(statement, ast.Coverage)
        kind = coverage_kind(statement.line)
        for item in statement.items:
            if not isinstance(item, ast.Limit):
                continue
            resolved = resolve(ctx.constants, item.amount)
            value = resolved.value if isinstance(resolved, ast.Quantity) else None
            if isinstance(value, ast.Number):
                yield from expect_quantity(ctx, item.amount, (ast.Number,), visit_units, "a visit limit")[1]
            else:
                money, diags = expect_quantity(
                    ctx, item.amount, (ast.Money, ast.Number), dollar_units, "a dollar limit"
                )
                yield from diags
                if isinstance(money, ast.Money) and kind == "medical" and item.category in EHB_CATEGORIES:
                    yield diag(
                        "W305",
                        f"a dollar maximum on `{item.category}`, an essential health benefit",
                        item.span,
                        "the ACA forbids annual and lifetime dollar limits on essential health "
                        "benefits; use a visit limit, or limit a non-EHB category",
                    )


def check_dental(ctx: Context) -> Iterator[Diagnostic]:
    """E205, E301: a dental class pays a percentage within 0-100%, waits whole months, and the
    annual maximum is money per person per year."""
    for statement in ctx.of_type(ast.Coverage):
        assert isinstance(statement, ast.Coverage)
        for item in statement.items:
            if isinstance(item, ast.DentalClass):
                value, diags = expect_value(ctx, item.pays, (ast.Percent,), f"class `{item.name}` pays")
                yield from diags
                yield from percent_range(value, item.pays.span, f"class `{item.name}` pays")
                if item.waiting is not None:
                    waiting, d2 = expect_value(ctx, item.waiting, (ast.Duration,), "a waiting period")
                    yield from d2
                    if isinstance(waiting, ast.Duration) and (
                        waiting.unit != "months" or waiting.amount != int(waiting.amount)
                    ):
                        yield diag(
                            "E205",
                            f"a waiting period is whole months, not {value_text(waiting)}",
                            item.waiting.span,
                            "write e.g. `waiting 12 months`",
                        )
            elif isinstance(item, ast.Maximum) and coverage_kind(statement.line) == "dental":
                yield from expect_quantity(
                    ctx,
                    item.amount,
                    (ast.Money,),
                    [("per person", "per year"), ("per person",), ("per year",), ()],
                    "the annual maximum",
                )[1]


def check_disability(ctx: Context) -> Iterator[Diagnostic]:
    """E205, E301, E212: a disability benefit is a percentage of earnings (weekly for std, monthly
    for ltd) up to money per week (std) or per month (ltd); elimination periods are days or weeks
    by cause (illness, accident); the duration is a period."""
    for statement in ctx.of_type(ast.Coverage):
        assert isinstance(statement, ast.Coverage)
        kind = coverage_kind(statement.line)
        if kind not in DISABILITY:
            continue
        base = "weekly_earnings" if kind == "std" else "monthly_earnings"
        per = "per week" if kind == "std" else "per month"
        for item in statement.items:
            match item:
                case ast.Benefit():
                    value, diags = expect_value(ctx, item.share.value, (ast.Percent,), "the benefit")
                    yield from diags
                    yield from percent_range(value, item.share.value.span, "the benefit")
                    if item.share.base not in ("weekly_earnings", "monthly_earnings", "annual_earnings"):
                        yield diag(
                            "E212",
                            f"unknown earnings base `{item.share.base}`",
                            item.share.span,
                            f"write `of {base}`",
                        )
                    if item.maximum is not None:
                        yield from expect_quantity(
                            ctx, item.maximum, (ast.Money,), [(per,)], "the benefit maximum"
                        )[1]
                case ast.Elimination():
                    for entry in item.entries:
                        period, diags = expect_value(
                            ctx, entry.period, (ast.Duration,), "an elimination period"
                        )
                        yield from diags
                        if isinstance(period, ast.Duration) and period.unit == "months":
                            yield diag(
                                "E205",
                                "an elimination period is in days or weeks, not months",
                                entry.period.span,
                                "write e.g. `7 days` or `90 days`",
                            )
                        if entry.cause is not None and entry.cause not in CAUSES:
                            yield diag(
                                "E212",
                                f"unknown cause `{entry.cause}`",
                                entry.span,
                                did_you_mean(entry.cause, CAUSES) + "a cause is `illness` or `accident`",
                            )
                case ast.BenefitDuration():
                    yield from expect_value(ctx, item.period, (ast.Duration,), "the benefit duration")[1]
                case ast.Minimum():
                    yield from expect_quantity(ctx, item.amount, (ast.Money,), [(per,), ()], "the minimum")[1]
                    if item.alternative is not None:
                        value, diags = expect_value(
                            ctx, item.alternative.value, (ast.Percent,), "the minimum percentage"
                        )
                        yield from diags
                        yield from percent_range(value, item.alternative.value.span, "the minimum percentage")


def check_fee_schedules(ctx: Context) -> Iterator[Diagnostic]:
    """E205, E301, E212: network pricing is a percentage (0-100%) of billed; code and category
    prices are money (per unit, per day or per visit)."""
    for statement in ctx.of_type(ast.FeeSchedule):
        assert isinstance(statement, ast.FeeSchedule)
        for item in statement.items:
            match item:
                case ast.NetworkPricing():
                    value, diags = expect_value(ctx, item.share.value, (ast.Percent,), f"`{item.network}`")
                    yield from diags
                    yield from percent_range(value, item.share.value.span, f"`{item.network}`")
                    if item.share.base != "billed":
                        yield diag(
                            "E212",
                            f"unknown pricing base `{item.share.base}`",
                            item.share.span,
                            "network pricing is a percentage `of billed`",
                        )
                case ast.CodePrice():
                    yield from expect_quantity(
                        ctx,
                        item.amount,
                        (ast.Money,),
                        [(), ("per unit",)],
                        f"the price of code {quoted(item.code)}",
                    )[1]
                case ast.CategoryPrice():
                    yield from expect_quantity(
                        ctx,
                        item.amount,
                        (ast.Money,),
                        [(), ("per day",), ("per unit",), ("per visit",)],
                        f"the price of `{item.category}`",
                    )[1]
