"""Checks of `test` blocks: members, claims, options and expectations.

On entry: a ``Context``. On exit: E204, E205, E206, E208, E210, E211, E212, E314, W304
diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from aso_rules.language import ast
from aso_rules.language.checks.base import (
    AGGREGATE_FIELDS,
    CAUSES,
    CLAIM_FIELDS,
    CLAIM_OPTIONS,
    COUNT_FIELDS,
    MEMBER_OPTIONS,
    RELATIONSHIPS,
    SPECIFIC_FIELDS,
    WORD_FIELDS,
    Context,
    calendar_date,
    diag,
    did_you_mean,
    duplicates,
    expect_value,
    listing,
    quoted,
)
from aso_rules.language.codes import CODES
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.format import value_text


def check_tests(ctx: Context) -> Iterator[Diagnostic]:
    """E204, E206, E210, E211, E212, E205, W304: in a test, members and claims are defined once,
    claims name a test member, options belong to members or claims, expectations name a claim
    of the test or a declared stop-loss contract and a known field or diagnostic code, and at
    least one expectation exists."""
    specific_names = [s.name for s in ctx.specifics]
    for test in ctx.tests:
        members = [i for i in test.items if isinstance(i, ast.TestMember)]
        claims = [i for i in test.items if isinstance(i, ast.TestClaim)]
        member_ids = {m.member_id for m in members}
        claim_ids = {c.claim_id for c in claims}
        yield from duplicates(((m.member_id, m.span) for m in members), "test member")
        yield from duplicates(((c.claim_id, c.span) for c in claims), "test claim")
        for member in members:
            yield from _options(ctx, member.options, MEMBER_OPTIONS, f"member {quoted(member.member_id)}")
        for claim in claims:
            if claim.member_id not in member_ids:
                yield diag(
                    "E206",
                    f"test claim {quoted(claim.claim_id)} names member {quoted(claim.member_id)}, "
                    "who is not in the test",
                    claim.span,
                    did_you_mean(claim.member_id, member_ids)
                    + f'add `member {quoted(claim.member_id)} family "..." tier ...` to the test',
                )
            incurred, diags = expect_value(ctx, claim.incurred, (ast.Date,), "the incurred date")
            yield from diags
            yield from calendar_date(incurred, claim.incurred.span)
            yield from _options(ctx, claim.options, CLAIM_OPTIONS, f"claim {quoted(claim.claim_id)}")
        expectations = 0
        for item in test.items:
            match item:
                case ast.ExpectClaim():
                    expectations += 1
                    if item.claim_id not in claim_ids:
                        yield diag(
                            "E210",
                            f"expectation names claim {quoted(item.claim_id)}, which is not in the test",
                            item.span,
                            did_you_mean(item.claim_id, claim_ids)
                            + f"the test's claims are {listing(f'{quoted(c)}' for c in sorted(claim_ids))}",
                        )
                    for field in item.fields:
                        yield from _claim_field(ctx, field)
                case ast.ExpectSpecific():
                    expectations += 1
                    if item.tier not in specific_names:
                        yield diag(
                            "E210",
                            f"no specific stop-loss contract is named {quoted(item.tier)}",
                            item.span,
                            did_you_mean(item.tier, specific_names)
                            + f"the specific contracts are {listing(f'{quoted(n)}' for n in specific_names)}",
                        )
                    if item.field not in SPECIFIC_FIELDS:
                        yield diag(
                            "E211",
                            f"unknown specific stop-loss field `{item.field}`",
                            item.span,
                            f"expect one of {listing(SPECIFIC_FIELDS)}",
                        )
                    yield from expect_value(ctx, item.value, (ast.Money,), f"`{item.field}`")[1]
                case ast.ExpectAggregate():
                    expectations += 1
                    if not ctx.aggregates:
                        yield diag(
                            "E210",
                            "the ruleset has no aggregate stop-loss contract to expect from",
                            item.span,
                            "add a `stop_loss aggregate` block, or remove the expectation",
                        )
                    if item.field not in AGGREGATE_FIELDS:
                        yield diag(
                            "E211",
                            f"unknown aggregate stop-loss field `{item.field}`",
                            item.span,
                            did_you_mean(item.field, AGGREGATE_FIELDS)
                            + f"expect one of {listing(AGGREGATE_FIELDS)}",
                        )
                    yield from expect_value(ctx, item.value, (ast.Money,), f"`{item.field}`")[1]
                case ast.ExpectDiagnostic():
                    expectations += 1
                    if item.code not in CODES:
                        yield diag(
                            "E211",
                            f"unknown diagnostic code `{item.code}`",
                            item.span,
                            "expect a code listed in docs/diagnostics.md",
                        )
                case ast.ExpectSummary():
                    expectations += 1
        if expectations == 0:
            yield diag(
                "W304",
                f"test {quoted(test.name)} expects nothing",
                test.span,
                'add `expect "CLAIM" member_paid $X plan_paid $Y` or another expectation',
            )


def _claim_field(ctx: Context, field: ast.FieldValue) -> Iterator[Diagnostic]:
    if field.field not in CLAIM_FIELDS:
        yield diag(
            "E211",
            f"unknown claim field `{field.field}`",
            field.span,
            did_you_mean(field.field, CLAIM_FIELDS)
            + f"a claim expectation names one of {listing(CLAIM_FIELDS)}",
        )
        return
    if field.field in WORD_FIELDS:
        return
    kinds: tuple[type, ...] = (ast.Number,) if field.field in COUNT_FIELDS else (ast.Money,)
    yield from expect_value(ctx, field.value, kinds, f"`{field.field}`")[1]


OPTION_KINDS: dict[str, tuple[type, ...]] = {
    "from": (ast.Date,),
    "to": (ast.Date,),
    "paid": (ast.Date,),
    "absence": (ast.Date,),
    "salary": (ast.Money,),
    "weekly_earnings": (ast.Money,),
    "billed": (ast.Money,),
    "allowed": (ast.Money,),
    "code": (ast.String,),
    "units": (ast.Number,),
}


def _options(
    ctx: Context, options: Sequence[ast.Option], allowed: Sequence[str], owner: str
) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for option in options:
        if option.key not in allowed:
            yield diag(
                "E208",
                f"`{option.key}` does not belong to a test {owner.split()[0]}",
                option.span,
                f"a test {owner.split()[0]} takes {listing(allowed)}",
            )
            continue
        if option.key in seen:
            yield diag("E204", f"`{option.key}` is stated twice for {owner}", option.span, "state it once")
        seen.add(option.key)
        if option.key == "relationship":
            word = option.values[0] if option.values else None
            if not (isinstance(word, ast.Name) and word.name in RELATIONSHIPS):
                yield diag(
                    "E212",
                    f"unknown relationship `{value_text(word) if word else ''}`",
                    option.span,
                    f"a relationship is one of {listing(RELATIONSHIPS)}",
                )
        elif option.key == "cause":
            word = option.values[0] if option.values else None
            if not (isinstance(word, ast.Name) and word.name in CAUSES):
                yield diag(
                    "E212",
                    f"unknown cause `{value_text(word) if word else ''}`",
                    option.span,
                    "a cause is `illness` or `accident`",
                )
        elif option.key in OPTION_KINDS:
            for value in option.values:
                resolved, diags = expect_value(ctx, value, OPTION_KINDS[option.key], f"`{option.key}`")
                yield from diags
                yield from calendar_date(resolved, value.span)
