"""Plausibility warnings: rules that are valid but almost certainly not what the plan means.

On entry: a ``Context``. On exit: W340 (a copay above the per-person out-of-pocket maximum of its
block), W341 (`plan pays 0%`), W342 (a visit limit of 0 visits), W343 (`expected_claims` of $0),
W344 (an aggregate stop-loss `maximum $0`), W345 (`claimants 0% of members`), W346
(`individual_cap` above the family out-of-pocket maximum), W347 (an administrative fee far above
any administrator's: over $1,000 pepm, $1,000 per claim or 25% of paid claims) diagnostics. Each is a
warning: the ruleset settles and prices as written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from aso_rules.language import ast
from aso_rules.language.checks.base import Context, diag, resolve, resolve_value
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.format import value_text


def _blocks(statement: ast.Coverage) -> Iterator[Sequence[ast.CoverageItem]]:
    """The coverage's own items, then each network block's items with the coverage's own under
    them (a network inherits what it does not restate)."""
    top = [i for i in statement.items if not isinstance(i, ast.Network)]
    yield top
    for net in (i for i in statement.items if isinstance(i, ast.Network)):
        yield [*net.items, *top]


def _scalar(ctx: Context, amount: ast.Quantity) -> ast.Value | None:
    resolved = resolve(ctx.constants, amount)
    return resolved.value if isinstance(resolved, ast.Quantity) else None


def check_plausibility(ctx: Context) -> Iterator[Diagnostic]:
    """W340, W341, W342, W346 (see the module docstring)."""
    for statement in ctx.of_type(ast.Coverage):
        assert isinstance(statement, ast.Coverage)
        seen: set[int] = set()
        for items in _blocks(statement):
            oop = next((i for i in items if isinstance(i, ast.OutOfPocket)), None)
            oop_value = _scalar(ctx, oop.amount) if oop is not None else None
            for item in items:
                if id(item) in seen and not isinstance(item, ast.Copay):
                    continue
                seen.add(id(item))
                if isinstance(item, ast.OutOfPocket) and item.individual_cap and item.family:
                    cap, family = _scalar(ctx, item.individual_cap), _scalar(ctx, item.family)
                    if (
                        isinstance(cap, ast.Money)
                        and isinstance(family, ast.Money)
                        and cap.amount > family.amount
                    ):
                        yield diag(
                            "W346",
                            f"individual_cap {value_text(cap)} is above the family out-of-pocket maximum "
                            f"{value_text(family)}: it never applies",
                            item.span,
                            "the cap is the most one member pays inside family coverage; it is at most "
                            "the family maximum",
                        )
                if isinstance(item, ast.Copay) and isinstance(oop_value, ast.Money):
                    for entry in item.entries:
                        copay = _scalar(ctx, entry.amount)
                        if isinstance(copay, ast.Money) and copay.amount > oop_value.amount:
                            key = id(entry)
                            if key in seen:
                                continue
                            seen.add(key)
                            yield diag(
                                "W340",
                                f"the copay of `{entry.category}` ({value_text(copay)}) is above the "
                                f"out-of-pocket maximum ({value_text(oop_value)} per person)",
                                item.span,
                                "a member never pays more than the out-of-pocket maximum, so the plan "
                                "pays the rest of every such visit; check the copay's digits",
                            )
                elif isinstance(item, ast.PlanPays):
                    rate = resolve_value(ctx.constants, item.rate)
                    if isinstance(rate, ast.Percent) and rate.value == 0:
                        yield diag(
                            "W341",
                            "`plan pays 0%`: the member pays every covered claim in full, up to the "
                            "out-of-pocket maximum",
                            item.span,
                            "write the plan's share after the deductible (e.g. `plan pays 80%`), or "
                            "exclude the category if it is not covered",
                        )
                elif isinstance(item, ast.Limit):
                    value = _scalar(ctx, item.amount)
                    if isinstance(value, ast.Number) and value.value == 0:
                        yield diag(
                            "W342",
                            f"a limit of 0 visits on `{item.category}`: no visit is ever paid",
                            item.span,
                            f"to cover nothing, write `exclude {item.category}`; otherwise give the "
                            "number of visits",
                        )


# Administrative fees above these are far outside what administrators charge (typically $20-$80
# pepm, a few dollars per claim, 5%-12% of paid claims): a slip of the digits, not a contract.
FEE_LIMITS = {"pepm": Decimal(1000), "per claim": Decimal(1000)}  # by the fee's unit
FEE_PAID_CLAIMS_LIMIT = Decimal(25)


def _fee_alarm(ctx: Context, fee: ast.Fee) -> str | None:
    """Why ``fee`` is implausible, or None."""
    amount = resolve(ctx.constants, fee.amount)
    if isinstance(amount, ast.Share):
        rate = resolve_value(ctx.constants, amount.value)
        if (
            amount.base == "paid_claims"
            and isinstance(rate, ast.Percent)
            and FEE_PAID_CLAIMS_LIMIT < rate.value <= 100  # above 100% is E301
        ):
            return f"{value_text(rate)} of paid claims (more than {FEE_PAID_CLAIMS_LIMIT}%)"
        return None
    if isinstance(amount, ast.TierTable):
        values, units = [e.value for e in amount.entries], amount.units
    elif isinstance(amount, ast.Quantity):
        values, units = [amount.value], amount.units
    else:
        return None
    per = next((unit for unit in FEE_LIMITS if unit in units), None)
    if per is None:
        return None
    limit = FEE_LIMITS[per]
    money = [v for v in (resolve_value(ctx.constants, v) for v in values) if isinstance(v, ast.Money)]
    worst = max(money, key=lambda m: m.amount, default=None)
    if worst is None or worst.amount <= limit:
        return None
    return f"{value_text(worst)} {per} (more than ${limit:,} {per})"


def check_fee_plausibility(ctx: Context) -> Iterator[Diagnostic]:
    """W347 (see the module docstring)."""
    for statement in ctx.of_type(ast.AdminFees):
        assert isinstance(statement, ast.AdminFees)
        for fee in statement.fees:
            alarm = _fee_alarm(ctx, fee)
            if alarm is not None:
                yield diag(
                    "W347",
                    f"administrative fee `{fee.name}` is {alarm}: far above any administrator's fee",
                    fee.span,
                    "check the digits: administration fees are usually $20 to $80 pepm or 5% to 12% "
                    "of paid claims",
                )


def _zero_money(value: ast.Value | None) -> bool:
    return isinstance(value, ast.Money) and value.amount == 0


def check_pricing_plausibility(ctx: Context) -> Iterator[Diagnostic]:
    """W343, W344, W345 (see the module docstring)."""
    for block in ctx.assumptions:
        for item in block.items:
            if isinstance(item, ast.ExpectedClaims):
                amount = resolve(ctx.constants, item.amount)
                values = (
                    [(e.tier, e.value) for e in amount.entries]
                    if isinstance(amount, ast.TierTable)
                    else [("", amount.value)]
                    if isinstance(amount, ast.Quantity)
                    else []
                )
                zero = [tier or "every tier" for tier, value in values if _zero_money(value)]
                if zero:
                    yield diag(
                        "W343",
                        f"expected_claims of $0 ({', '.join(zero)}): funding rates and the aggregate "
                        "attachment would be $0",
                        item.span,
                        "state the expected plan-paid claims per employee per month",
                    )
            elif isinstance(item, ast.Claimants):
                share = resolve(ctx.constants, item.share)
                value = share.value if isinstance(share, ast.Share | ast.Quantity) else None
                if isinstance(value, ast.Percent) and value.value == 0:
                    yield diag(
                        "W345",
                        "`claimants 0% of members`: the claimant model expects no claims at all",
                        item.span,
                        "write the share of members with a claim in the year (often 70% to 85%)",
                    )
    for statement in ctx.aggregates:
        for agg_item in statement.items:
            if isinstance(agg_item, ast.Maximum) and _zero_money(_scalar(ctx, agg_item.amount)):
                yield diag(
                    "W344",
                    f'aggregate stop-loss "{statement.name}" has a maximum of $0: it never reimburses',
                    agg_item.span,
                    "give the contract's maximum reimbursement, or leave `maximum` out for none",
                )
