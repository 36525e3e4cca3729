"""The checker: every semantic mistake of a parsed program, as diagnostics.

On entry: a ``Program`` built from rule files that parsed without syntax errors (names unresolved,
units unvalidated). On exit: a list of every ``Diagnostic`` the program deserves (E2xx names and
types, E3xx values and consistency, W3xx warnings), sorted by file, line and column; nothing a
user writes makes this module raise. A program with no error-severity diagnostic is what
``compile.compile_program`` accepts.

The checks are a registry (``CHECKS``, an ordered tuple) of small pure functions
``check_xxx(ctx: Context) -> Iterator[Diagnostic]``, each enforcing one rule named in its
docstring. ``Context`` gathers, once, what several checks need (tiers, constants, coverages, ...).
Every code is listed in ``CODES`` and documented in docs/diagnostics.md.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from aso_rules.language import ast
from aso_rules.language.diagnostics import Diagnostic, Severity, Span
from aso_rules.language.format import amount_text, value_text
from aso_rules.language.render import DESCRIPTIONS
from aso_rules.model import LINE_KINDS, NOT_ASO_LINES

__all__ = [
    "CHECKS",
    "CODES",
    "EHB_CATEGORIES",
    "SETTINGS",
    "Context",
    "check_program",
    "coverage_kind",
    "resolve",
    "resolve_value",
    "table_path",
]

# ============================================================================ codes

CODES: dict[str, tuple[Severity, str]] = {
    "E201": ("error", "unknown constant"),
    "E202": ("error", "unknown tier"),
    "E203": ("error", "unknown coverage line"),
    "E204": ("error", "duplicate definition"),
    "E205": ("error", "value in the wrong unit"),
    "E206": ("error", "unknown member in a test"),
    "E207": ("error", "unknown setting value"),
    "E208": ("error", "statement not allowed here"),
    "E209": ("error", "unknown kind of coverage"),
    "E210": ("error", "unknown claim or stop-loss contract in an expectation"),
    "E211": ("error", "unknown field in an expectation"),
    "E212": ("error", "unknown word"),
    "E301": ("error", "percentage outside 0-100%"),
    "E302": ("error", "out-of-pocket maximum below the deductible"),
    "E303": ("error", "family amount below the person amount"),
    "E304": ("error", "tier table misses a tier"),
    "E305": ("error", "tier table repeats a tier"),
    "E306": ("error", "plan year ends before it starts"),
    "E307": ("error", "specific stop-loss tiers overlap"),
    "E308": ("error", "coverage not suited to ASO funding"),
    "E309": ("error", "aggregate family out-of-pocket without an individual cap"),
    "E310": ("error", "distribution parameter out of range"),
    "E311": ("error", "continuance table missing or malformed"),
    "E312": ("error", "attachment on expected claims without an expected_claims assumption"),
    "E313": ("error", "invalid contract basis"),
    "E314": ("error", "not a calendar date"),
    "E315": ("error", "required statement missing"),
    "E316": ("error", "amount with more than two decimal places"),
    "E317": ("error", "line not eligible for this stop-loss"),
    "W301": ("warning", "specific stop-loss tiers leave a gap"),
    "W302": ("warning", "laser below the specific deductible"),
    "W303": ("warning", "aggregate attachment below expected claims"),
    "W304": ("warning", "test expects nothing"),
    "W305": ("warning", "dollar maximum on an essential health benefit"),
}

# Settings (DOMAIN.md section 12): key -> (allowed values, where it may be written).
HEADER = "ruleset header"
SPECIFIC = "specific stop-loss"
AGGREGATE = "aggregate stop-loss"
SETTINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rounding": (("half_up", "half_even"), (HEADER,)),
    "processing_order": (("paid", "incurred"), (HEADER,)),
    "noncovered_basis": (("billed", "repriced"), (HEADER,)),
    "network_accumulators": (("separate", "cross"), (HEADER,)),
    "coinsurance_rounding": (("member", "plan"), (HEADER,)),
    "specific_claimant": (("member", "family"), (HEADER, SPECIFIC)),
    "per_claim_fee": (("claim", "line"), (HEADER,)),
    "lesser_of_billed": (("on", "off"), (HEADER,)),
    "per_claim_fee_counts_denied": (("on", "off"), (HEADER,)),
    "pct_of_claims_base": (("gross", "net_of_stop_loss"), (HEADER,)),
    "cap_per_claimant": (("on", "off"), (AGGREGATE,)),
    "laser_treatment": (("to_laser", "standard_only"), (AGGREGATE,)),
    "claim_basis": (("capped", "net_of_specific"), (AGGREGATE,)),
    "asd_counts": (("on", "off"), (AGGREGATE,)),
    "monthly_accommodation": (("on", "off"), (AGGREGATE,)),
    "terminal_liability": (("on", "off"), (SPECIFIC, AGGREGATE)),
}

# ACA essential-health-benefit categories of medical (DOMAIN.md 3.5, S-19): annual and lifetime
# dollar limits on these are forbidden; visit limits are allowed. Categories not listed here
# (e.g. infertility, bariatric_surgery, cosmetic) are treated as non-EHB.
EHB_CATEGORIES: frozenset[str] = frozenset(
    {
        "ambulance",
        "behavioral_health",
        "chiropractic",
        "diagnostic",
        "emergency",
        "home_health",
        "hospice",
        "imaging",
        "inpatient",
        "lab",
        "laboratory",
        "maternity",
        "mental_health",
        "newborn",
        "office_visit",
        "outpatient",
        "pediatric_dental",
        "pediatric_vision",
        "physical_therapy",
        "prescription_drugs",
        "preventive",
        "rehabilitation",
        "habilitation",
        "skilled_nursing",
        "specialist",
        "substance_use",
        "surgery",
        "urgent_care",
    }
)

CAUSES = ("illness", "accident")
RELATIONSHIPS = ("employee", "spouse", "child", "other")
MEMBER_OPTIONS = ("relationship", "from", "to", "salary", "weekly_earnings")
CLAIM_OPTIONS = (
    "paid",
    "billed",
    "allowed",
    "code",
    "units",
    "cause",
    "weekly_earnings",
    "network",
    "absence",
)
# Ledger columns a claim expectation may name, and which of them hold a word rather than money.
CLAIM_FIELDS = (
    "status",
    "reason",
    "allowed",
    "deductible",
    "copay",
    "coinsurance",
    "member_paid",
    "plan_paid",
    "specific_reimbursed",
    "aggregate_eligible",
    "over_max",
    "noncovered",
    "balance_bill",
    "contractual_adj",
    "cost_share",
    "benefit",
    "weekly_benefit",
    "payable_days",
)
WORD_FIELDS = ("status", "reason", "aggregate_eligible")
COUNT_FIELDS = ("payable_days",)
SPECIFIC_FIELDS = ("reimbursed",)
AGGREGATE_FIELDS = ("reimbursed", "attachment_point", "eligible_claims")

MEDICAL_LIKE = ("medical", "rx", "vision")
DISABILITY = ("std", "ltd")


# ============================================================================ helpers


def coverage_kind(line: str) -> str | None:
    """The kind of a coverage line: its name if known, else the known kind it starts with.

    ``medical`` -> ``medical``; ``medical_hmo`` -> ``medical``; ``hospital`` -> None.
    """
    if line in LINE_KINDS:
        return line
    for kind in sorted(LINE_KINDS, key=len, reverse=True):
        if line.startswith(kind + "_"):
            return kind
    return None


def _diag(code: str, message: str, span: Span, hint: str) -> Diagnostic:
    return Diagnostic(code, CODES[code][0], message, span, hint)


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`? " if close else ""


def _q(name: str) -> str:
    """A user-written name (member, claim, contract, test) as it is quoted in rule files."""
    return f'"{name}"'


def _listing(names: Iterable[str]) -> str:
    items = list(names)
    return ", ".join(items) if items else "(none)"


@attrs.frozen
class Context:
    """What the checks share: the program and its definitions (first definition of each name)."""

    program: ast.Program
    statements: tuple[tuple[ast.RuleFile, ast.Statement], ...]
    header: ast.Ruleset | None
    tiers: tuple[str, ...]
    constants: dict[str, ast.Let]
    coverages: dict[str, ast.Coverage]
    excluded_lines: dict[str, ast.ExcludeCoverage]
    specifics: tuple[ast.StopLossSpecific, ...]
    aggregates: tuple[ast.StopLossAggregate, ...]
    assumptions: tuple[ast.Assumptions, ...]
    tests: tuple[ast.Test, ...]

    @classmethod
    def of(cls, program: ast.Program) -> Context:
        statements = tuple(program.statements())
        header: ast.Ruleset | None = None
        tiers: list[str] = []
        constants: dict[str, ast.Let] = {}
        coverages: dict[str, ast.Coverage] = {}
        excluded: dict[str, ast.ExcludeCoverage] = {}
        for _, statement in statements:
            match statement:
                case ast.Ruleset():
                    if header is None:
                        header = statement
                        for item in statement.items:
                            if isinstance(item, ast.Tiers) and not tiers:
                                tiers = [t.code for t in item.tiers]
                case ast.Let():
                    constants.setdefault(statement.name, statement)
                case ast.Coverage():
                    coverages.setdefault(statement.line, statement)
                case ast.ExcludeCoverage():
                    for line in statement.lines:
                        excluded.setdefault(line, statement)
        return cls(
            program=program,
            statements=statements,
            header=header,
            tiers=tuple(dict.fromkeys(tiers)),
            constants=constants,
            coverages=coverages,
            excluded_lines=excluded,
            specifics=tuple(s for _, s in statements if isinstance(s, ast.StopLossSpecific)),
            aggregates=tuple(s for _, s in statements if isinstance(s, ast.StopLossAggregate)),
            assumptions=tuple(s for _, s in statements if isinstance(s, ast.Assumptions)),
            tests=tuple(s for _, s in statements if isinstance(s, ast.Test)),
        )

    def of_type(self, kind: type[ast.Statement]) -> Iterator[ast.Statement]:
        for _, statement in self.statements:
            if isinstance(statement, kind):
                yield statement


def resolve(constants: dict[str, ast.Let], amount: ast.Amount, _depth: int = 0) -> ast.Amount:
    """Follow a constant: ``Quantity(Name(c), units)`` -> the constant's amount (units from the use
    site if it has any, else the constant's). Unknown names and cycles come back unchanged."""
    if not isinstance(amount, ast.Quantity) or not isinstance(amount.value, ast.Name) or _depth > 20:
        return amount
    let = constants.get(amount.value.name)
    if let is None:
        return amount
    target = resolve(constants, let.value, _depth + 1)
    if isinstance(target, ast.Quantity):
        return ast.Quantity(target.value, amount.units or target.units, span=amount.span)
    return target


def resolve_value(constants: dict[str, ast.Let], value: ast.Value) -> ast.Value:
    """A bare value position (``plan pays NAME``): the constant's value if it is a plain quantity."""
    target = resolve(constants, ast.Quantity(value, span=value.span))
    if isinstance(target, ast.Quantity):
        return target.value
    return value


def _is_unknown_name(ctx: Context, value: ast.Value) -> bool:
    return isinstance(value, ast.Name) and value.name not in ctx.constants


KIND_WORDS = {
    ast.Money: "a dollar amount",
    ast.Percent: "a percentage",
    ast.Number: "a number",
    ast.Date: "a date",
    ast.Duration: "a duration",
    ast.Name: "a name",
    ast.String: "a string",
}
KIND_EXAMPLES = {
    ast.Money: "$1,500",
    ast.Percent: "80%",
    ast.Number: "20",
    ast.Date: "2026-01-01",
    ast.Duration: "12 months",
    ast.String: '"text"',
}


def _what(value: ast.Value, use: ast.Value | None = None) -> str:
    """Describe a value for a message: 'a percentage (80%)', noting a constant it came through."""
    text = f"{KIND_WORDS[type(value)]} ({value_text(value)})"
    if isinstance(use, ast.Name):
        return f"`{use.name}`, {text}"
    return text


def _amount_what(amount: ast.Amount) -> str:
    if isinstance(amount, ast.Quantity):
        return _what(amount.value)
    if isinstance(amount, ast.Share):
        return f"a share ({amount_text(amount)})"
    return f"a tier table ({amount_text(amount)})"


def expect_value(
    ctx: Context,
    value: ast.Value,
    kinds: tuple[type, ...],
    what: str,
    *,
    span: Span | None = None,
) -> tuple[ast.Value | None, list[Diagnostic]]:
    """Resolve ``value`` and require one of ``kinds``; returns the resolved value when it fits."""
    if _is_unknown_name(ctx, value):
        return None, []  # reported by check_unknown_constants
    resolved = resolve_value(ctx.constants, value)
    where = span or value.span
    if isinstance(resolved, ast.Name) and resolved.name in ctx.constants:
        let = ctx.constants[resolved.name]
        return None, [
            _diag(
                "E205",
                f"{what} must be {' or '.join(KIND_WORDS[k] for k in kinds)}, "
                f"but `{resolved.name}` is {_amount_what(let.value)}",
                where,
                f"write {' or '.join(KIND_EXAMPLES.get(k, KIND_WORDS[k]) for k in kinds)} here",
            )
        ]
    if not isinstance(resolved, kinds):
        return None, [
            _diag(
                "E205",
                f"{what} must be {' or '.join(KIND_WORDS[k] for k in kinds)}, not {_what(resolved, value)}",
                where,
                f"write {' or '.join(KIND_EXAMPLES.get(k, KIND_WORDS[k]) for k in kinds)} here",
            )
        ]
    return resolved, []


def expect_quantity(
    ctx: Context,
    quantity: ast.Amount,
    kinds: tuple[type, ...],
    allowed_units: Sequence[Sequence[str]],
    what: str,
) -> tuple[ast.Value | None, list[Diagnostic]]:
    """Require a quantity of one of ``kinds`` whose units are one of ``allowed_units`` (written order)."""
    if not isinstance(quantity, ast.Quantity):
        return None, [
            _diag(
                "E205",
                f"{what} must be a single value, not {_amount_what(quantity)}",
                quantity.span,
                f"write {' or '.join(KIND_EXAMPLES.get(k, KIND_WORDS[k]) for k in kinds)} here",
            )
        ]
    if _is_unknown_name(ctx, quantity.value):
        return None, []
    resolved = resolve(ctx.constants, quantity)
    if not isinstance(resolved, ast.Quantity):
        return None, [
            _diag(
                "E205",
                f"{what} must be {' or '.join(KIND_WORDS[k] for k in kinds)}, "
                f"but `{value_text(quantity.value)}` is {_amount_what(resolved)}",
                quantity.span,
                f"write {' or '.join(KIND_EXAMPLES.get(k, KIND_WORDS[k]) for k in kinds)} here",
            )
        ]
    if not isinstance(resolved.value, kinds):
        if isinstance(quantity.value, ast.Name):
            found = f"`{quantity.value.name}` is {_what(resolved.value)}"
        else:
            found = f"not {_what(resolved.value)}"
        return None, [
            _diag(
                "E205",
                f"{what} must be {' or '.join(KIND_WORDS[k] for k in kinds)}, "
                + ("but " if isinstance(quantity.value, ast.Name) else "")
                + found,
                quantity.value.span,
                f"write {' or '.join(KIND_EXAMPLES.get(k, KIND_WORDS[k]) for k in kinds)} here",
            )
        ]
    value = resolved.value
    units = tuple(resolved.units)
    allowed = [tuple(u) for u in allowed_units]
    if units not in allowed:
        shown = _units_text(allowed)
        written = " ".join(units) if units else "without a unit"
        return value, [
            _diag(
                "E205",
                f"{what} is {written}, but it must be {shown}",
                quantity.span,
                f"write {what} {shown}",
            )
        ]
    return value, []


def _units_text(allowed: Sequence[tuple[str, ...]]) -> str:
    """``[("per person",), ()]`` -> ``per person (or without a unit)``."""
    named = [" ".join(u) for u in allowed if u]
    text = " or ".join(named) if named else "without a unit"
    if named and () in allowed:
        text += " (or without a unit)"
    return text


def _money_of(ctx: Context, amount: ast.Amount | None) -> Decimal | None:
    if amount is None:
        return None
    resolved = resolve(ctx.constants, amount)
    if isinstance(resolved, ast.Quantity) and isinstance(resolved.value, ast.Money):
        return resolved.value.amount
    return None


# ============================================================================ names


def _children(node: object) -> Iterator[object]:
    """The fields of an AST node (its attrs fields, except positions and comments)."""
    for field in getattr(type(node), "__attrs_attrs__", ()):
        if field.name not in ("span", "comments"):
            yield getattr(node, field.name)


def _names_in(node: object, skip_words: bool = False) -> Iterator[ast.Name]:
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
    for child in _children(node):
        yield from _names_in(child)


def check_unknown_constants(ctx: Context) -> Iterator[Diagnostic]:
    """E201: every name in value position refers to a ``let`` constant (in any file)."""
    for _, statement in ctx.statements:
        for name in _names_in(statement):
            if name.name not in ctx.constants:
                yield _diag(
                    "E201",
                    f"unknown constant `{name.name}`",
                    name.span,
                    _did_you_mean(name.name, ctx.constants)
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
    for child in _children(node):
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
                    yield _diag(
                        "E202",
                        f"unknown tier `{entry.tier}` in a tier table",
                        entry.span,
                        _did_you_mean(entry.tier, ctx.tiers)
                        + f"the declared tiers are {_listing(ctx.tiers)}",
                    )
                elif entry.tier in seen:
                    yield _diag(
                        "E305",
                        f"tier `{entry.tier}` appears twice in the tier table",
                        entry.span,
                        "list every tier exactly once",
                    )
                else:
                    seen[entry.tier] = entry
            missing = [t for t in ctx.tiers if t not in seen]
            if missing:
                yield _diag(
                    "E304",
                    f"the tier table misses tier{'s' if len(missing) > 1 else ''} {_listing(missing)}",
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
                yield _diag(
                    "E202",
                    f"unknown tier `{item.tier}` for test member {_q(item.member_id)}",
                    item.span,
                    _did_you_mean(item.tier, ctx.tiers) + f"the declared tiers are {_listing(ctx.tiers)}",
                )


def _line_hint(ctx: Context, line: str) -> str:
    known = [c for c in ctx.coverages if coverage_kind(c) is not None]
    return _did_you_mean(line, known) + f"the coverage lines are {_listing(known)}"


def _unknown_line(ctx: Context, line: str, span: Span, where: str) -> Diagnostic:
    return _diag("E203", f"unknown coverage line `{line}` in {where}", span, _line_hint(ctx, line))


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
                            ctx, test_item.line, test_item.span, f"test claim {_q(test_item.claim_id)}"
                        )


SPECIFIC_LINE_KINDS = ("medical", "rx")
AGGREGATE_LINE_KINDS = ("medical", "rx", "dental", "vision", "std")


def check_stop_loss_lines(ctx: Context) -> Iterator[Diagnostic]:
    """E317: specific stop-loss covers only medical and rx lines; the aggregate may add dental,
    vision and STD, never LTD (DOMAIN.md 6.2, 7)."""
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
                    yield _diag(
                        "E317",
                        f"{'specific' if specific else 'aggregate'} stop-loss cannot cover `{line}`"
                        + (f" (a {kind} line)" if kind != line else ""),
                        item.span,
                        f"{'specific' if specific else 'aggregate'} stop-loss covers "
                        f"{_listing(allowed)} lines",
                    )


def _duplicates(
    items: Iterable[tuple[str, Span]], what: str, hint: str = "remove one of them, or rename it"
) -> Iterator[Diagnostic]:
    first: dict[str, Span] = {}
    for key, span in items:
        if key in first:
            other = first[key]
            where = f"{other.file}:{other.line}" if other.file != span.file else f"line {other.line}"
            yield _diag("E204", f"{what} `{key}` is defined twice (first at {where})", span, hint)
        else:
            first[key] = span


def check_duplicate_definitions(ctx: Context) -> Iterator[Diagnostic]:
    """E204: constants, coverage lines, excluded lines, fee schedules, stop-loss contracts, fees,
    tests and tiers are each defined once across the root file and every include; a line is not
    both covered and excluded; there is one ruleset header, one aggregate, one assumptions block."""
    stmts = [s for _, s in ctx.statements]
    yield from _duplicates(((s.name, s.span) for s in stmts if isinstance(s, ast.Let)), "constant")
    yield from _duplicates(((s.line, s.span) for s in stmts if isinstance(s, ast.Coverage)), "coverage")
    yield from _duplicates(
        ((line, s.span) for s in stmts if isinstance(s, ast.ExcludeCoverage) for line in s.lines),
        "excluded line",
    )
    yield from _duplicates(
        ((s.line, s.span) for s in stmts if isinstance(s, ast.FeeSchedule)), "fee schedule of line"
    )
    yield from _duplicates(
        ((s.name, s.span) for s in stmts if isinstance(s, ast.StopLossSpecific | ast.StopLossAggregate)),
        "stop-loss contract",
    )
    yield from _duplicates(
        ((f.name, f.span) for s in stmts if isinstance(s, ast.AdminFees) for f in s.fees), "fee"
    )
    yield from _duplicates(((s.name, s.span) for s in stmts if isinstance(s, ast.Test)), "test")
    yield from _duplicates(
        (("ruleset", s.span) for s in stmts if isinstance(s, ast.Ruleset)),
        "header",
        "a program has one `ruleset` header; included files hold sections only",
    )
    yield from _duplicates(
        (("stop_loss aggregate", s.span) for s in stmts if isinstance(s, ast.StopLossAggregate)),
        "contract",
        "a plan year has one aggregate stop-loss contract",
    )
    yield from _duplicates(
        (("assumptions", s.span) for s in stmts if isinstance(s, ast.Assumptions)),
        "block",
        "merge the assumptions into one block",
    )
    for s in stmts:
        if isinstance(s, ast.Coverage) and s.line in ctx.excluded_lines:
            yield _diag(
                "E204",
                f"coverage `{s.line}` is both defined and excluded",
                s.span,
                f"remove `coverage {s.line}` or remove `{s.line}` from `exclude coverage`",
            )
    if ctx.header is not None:
        for item in ctx.header.items:
            if isinstance(item, ast.Tiers):
                yield from _duplicates(((t.code, t.span) for t in item.tiers), "tier")


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
                yield f"stop-loss {_q(statement.name)}", statement.items
            case ast.Assumptions():
                yield "assumptions", statement.items


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
                    yield _diag(
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
                    yield _diag(
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
                    yield _diag(
                        "E204",
                        f"`limit {item.category}` is stated twice in {where} "
                        f"(first at line {seen[key].line})",
                        item.span,
                        "state each limit once",
                    )
                else:
                    seen[key] = item.span


# ============================================================================ header


def check_header(ctx: Context) -> Iterator[Diagnostic]:
    """E315, E205, E314, E306: a program has a ruleset header with a plan year (two calendar dates,
    the end not before the start) and tiers."""
    header = ctx.header
    root = ctx.program.root
    if header is None:
        if root.statements:
            yield _diag(
                "E315",
                "the program has no `ruleset` header",
                root.statements[0].span,
                'start the root file with `ruleset "NAME" { plan_year ... tiers ... }`',
            )
        return
    plan_years = [i for i in header.items if isinstance(i, ast.PlanYear)]
    if not plan_years:
        yield _diag(
            "E315",
            "the ruleset header has no `plan_year`",
            header.span,
            "add `plan_year 2026-01-01 to 2026-12-31`",
        )
    if not any(isinstance(i, ast.Tiers) for i in header.items):
        yield _diag(
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
                    yield _diag(
                        "E314",
                        f"{value_text(resolved)} is not a calendar date",
                        value.span,
                        "write a real date as YYYY-MM-DD",
                    )
                dates.append(day)
        if len(dates) == 2 and dates[0] is not None and dates[1] is not None and dates[1] < dates[0]:
            yield _diag(
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
                yield _diag(
                    "E207",
                    f"`{item.key}` cannot be `{item.value}`",
                    item.span,
                    _did_you_mean(item.value, allowed) + f"`{item.key}` is one of {_listing(allowed)}",
                )
            if where and place not in where:
                yield _diag(
                    "E208",
                    f"`{item.key}` does not belong in the {place}",
                    item.span,
                    f"write it in the {' or the '.join(where)}",
                )


# ============================================================================ coverage


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
            yield _diag(
                "E308",
                f"`{statement.line}` coverage is not suited to ASO funding",
                statement.span,
                "life insurance is insured, not self-funded: write "
                f'`exclude coverage {statement.line} "REASON"`',
            )
            continue
        if kind is None:
            yield _diag(
                "E209",
                f"unknown kind of coverage `{statement.line}`",
                statement.span,
                _did_you_mean(statement.line, LINE_KINDS)
                + f"a coverage line is one of {_listing(LINE_KINDS)} (or starts with one, e.g. medical_hmo)",
            )
            continue
        allowed = ALLOWED_ITEMS[kind]
        for item in statement.items:
            if not isinstance(item, allowed):
                word = ITEM_NAMES.get(type(item), type(item).__name__)
                yield _diag(
                    "E208",
                    f"`{word}` does not belong in a {kind} coverage",
                    item.span,
                    _placement_hint(type(item)),
                )
            if isinstance(item, ast.Network):
                for inner in item.items:
                    if not isinstance(inner, allowed):
                        yield _diag(
                            "E208",
                            f"`{ITEM_NAMES.get(type(inner), '?')}` does not belong in a {kind} coverage",
                            inner.span,
                            _placement_hint(type(inner)),
                        )
        if kind in DISABILITY and not any(isinstance(i, ast.Benefit) for i in statement.items):
            yield _diag(
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
    return _money_of(ctx, stmt.amount), _money_of(ctx, stmt.family)


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
                yield _diag(
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
            yield _diag(
                "E302",
                f"the out-of-pocket maximum (${o_person:,}) is below the deductible (${d_person:,})",
                span,
                "the out-of-pocket maximum includes the deductible, so it must be at least as large",
            )
        elif d_family is not None and o_family is not None and o_family < d_family:
            yield _diag(
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
        yield from _percent_range(value, pays.rate.span, "`plan pays`")


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


def _percent_range(value: ast.Value | None, span: Span, what: str) -> Iterator[Diagnostic]:
    if isinstance(value, ast.Percent) and not (0 <= value.value <= 100):
        yield _diag(
            "E301",
            f"{what} is {value_text(value)}, outside 0-100%",
            span,
            "a percentage here is between 0% and 100%",
        )


def check_family_out_of_pocket_cap(ctx: Context) -> Iterator[Diagnostic]:
    """E309: an aggregate (non-embedded) family out-of-pocket maximum states `individual_cap`
    (the ACA self-only limit inside family coverage, DOMAIN.md 3.4); the mode follows the
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
                    yield _diag(
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
                    yield _diag(
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
                yield from _percent_range(value, item.pays.span, f"class `{item.name}` pays")
                if item.waiting is not None:
                    waiting, d2 = expect_value(ctx, item.waiting, (ast.Duration,), "a waiting period")
                    yield from d2
                    if isinstance(waiting, ast.Duration) and (
                        waiting.unit != "months" or waiting.amount != int(waiting.amount)
                    ):
                        yield _diag(
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
                    yield from _percent_range(value, item.share.value.span, "the benefit")
                    if item.share.base not in ("weekly_earnings", "monthly_earnings", "annual_earnings"):
                        yield _diag(
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
                            yield _diag(
                                "E205",
                                "an elimination period is in days or weeks, not months",
                                entry.period.span,
                                "write e.g. `7 days` or `90 days`",
                            )
                        if entry.cause is not None and entry.cause not in CAUSES:
                            yield _diag(
                                "E212",
                                f"unknown cause `{entry.cause}`",
                                entry.span,
                                _did_you_mean(entry.cause, CAUSES) + "a cause is `illness` or `accident`",
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
                        yield from _percent_range(
                            value, item.alternative.value.span, "the minimum percentage"
                        )


# ============================================================================ repricing


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
                    yield from _percent_range(value, item.share.value.span, f"`{item.network}`")
                    if item.share.base != "billed":
                        yield _diag(
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
                        f"the price of code {_q(item.code)}",
                    )[1]
                case ast.CategoryPrice():
                    yield from expect_quantity(
                        ctx,
                        item.amount,
                        (ast.Money,),
                        [(), ("per day",), ("per unit",), ("per visit",)],
                        f"the price of `{item.category}`",
                    )[1]


# ============================================================================ stop-loss


def _deductible_of(ctx: Context, contract: ast.StopLossSpecific) -> Decimal | None:
    for item in contract.items:
        if isinstance(item, ast.Deductible):
            return _money_of(ctx, item.amount)
    return None


def _maximum_of(ctx: Context, contract: ast.StopLossSpecific | ast.StopLossAggregate) -> Decimal | None:
    for item in contract.items:
        if isinstance(item, ast.Maximum):
            return _money_of(ctx, item.amount)
    return None


def _rates(ctx: Context, amount: ast.Amount, what: str, units: Sequence[str]) -> Iterator[Diagnostic]:
    """A rate: money (or a tier table of money) with one of ``units``."""
    resolved = resolve(ctx.constants, amount)
    if isinstance(amount, ast.Quantity) and _is_unknown_name(ctx, amount.value):
        return
    if isinstance(resolved, ast.TierTable):
        for entry in resolved.entries:
            yield from expect_value(ctx, entry.value, (ast.Money,), f"{what} for {entry.tier}")[1]
        if tuple(resolved.units) not in [(u,) for u in units]:
            yield _diag(
                "E205",
                f"{what} is {' '.join(resolved.units) or 'without a unit'}, "
                f"but it must be {' or '.join(units)}",
                amount.span,
                f"end the tier table with {' or '.join(units)}",
            )
        return
    yield from expect_quantity(ctx, amount, (ast.Money,), [(u,) for u in units], what)[1]


def check_specific_stop_loss(ctx: Context) -> Iterator[Diagnostic]:
    """E315, E205, E301, E313, W302: a specific contract states its deductible (money per
    claimant), lasers are money per claimant (a laser below the deductible is a warning), the
    aggregating deductible and maximum are money, `reimburses` a percentage, the basis at least
    12/12, the premium money pepm or pmpm."""
    for contract in ctx.specifics:
        deductible = _deductible_of(ctx, contract)
        if not any(isinstance(i, ast.Deductible) for i in contract.items):
            yield _diag(
                "E315",
                f"specific stop-loss {_q(contract.name)} has no `deductible`",
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
                        yield _diag(
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
                        f"the laser of {_q(item.member)}",
                    )
                    yield from diags
                    if isinstance(laser, ast.Money) and deductible is not None and laser.amount < deductible:
                        yield _diag(
                            "W302",
                            f"the laser of {_q(item.member)} ({value_text(laser)}) is below the specific "
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
                    yield from _percent_range(value, item.rate.span, "`reimburses`")
                case ast.Basis():
                    yield from _basis(item)
                case ast.Premium():
                    yield from _rates(ctx, item.amount, "the premium", ("pepm", "pmpm"))


def _basis(item: ast.Basis) -> Iterator[Diagnostic]:
    if not item.paid_basis and (item.incurred_months < 12 or item.paid_months < 12):
        yield _diag(
            "E313",
            f"basis {item.incurred_months}/{item.paid_months}: both windows are at least 12 months",
            item.span,
            "write 12/12, 12/15, 15/12, 24/12 or `basis paid` (run-in and run-out extend 12 months)",
        )


def check_specific_tiers(ctx: Context) -> Iterator[Diagnostic]:
    """E307, W301: stacked specific tiers meet exactly: SD(k+1) = SD(k) + max(k) (DOMAIN.md 6.4);
    lower is an overlap (error), higher a gap the employer keeps (warning)."""
    tiers = [(d, c) for c in ctx.specifics if (d := _deductible_of(ctx, c)) is not None]
    tiers.sort(key=lambda pair: pair[0])
    for (low_sd, low), (high_sd, high) in itertools.pairwise(tiers):
        maximum = _maximum_of(ctx, low)
        if maximum is None:
            yield _diag(
                "E307",
                f"specific tiers {_q(low.name)} and {_q(high.name)} overlap: {_q(low.name)} has no maximum, "
                f"so it also pays above ${high_sd:,}",
                high.span,
                f"give {_q(low.name)} `maximum ${high_sd - low_sd:,} per claimant`",
            )
            continue
        top = low_sd + maximum
        if high_sd < top:
            yield _diag(
                "E307",
                f"specific tiers overlap: {_q(low.name)} pays up to ${top:,} "
                f"but {_q(high.name)} starts at ${high_sd:,}",
                high.span,
                f"start {_q(high.name)} at ${top:,}, "
                f"or lower {_q(low.name)}'s maximum to ${high_sd - low_sd:,}",
            )
        elif high_sd > top:
            yield _diag(
                "W301",
                f"specific tiers leave a gap: {_q(low.name)} pays up to ${top:,} but {_q(high.name)} "
                f"starts at ${high_sd:,}",
                high.span,
                f"the employer keeps claims between ${top:,} and ${high_sd:,}; start {_q(high.name)} "
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
            yield _diag(
                "E315",
                f"aggregate stop-loss {_q(contract.name)} has no `attachment`",
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
                        yield from _percent_range(value, item.amount.value.span, "the minimum attachment")
                        if item.amount.base != "first_month":
                            yield _diag(
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
                    yield from _percent_range(value, item.rate.span, "`reimburses`")
                case ast.Basis():
                    yield from _basis(item)
                case ast.Premium():
                    yield from _rates(ctx, item.amount, "the premium", ("pepm", "pmpm"))


def _attachment(
    ctx: Context, item: ast.Attachment, expected: ast.ExpectedClaims | None
) -> Iterator[Diagnostic]:
    amount = resolve(ctx.constants, item.amount) if not isinstance(item.amount, ast.Share) else item.amount
    if isinstance(amount, ast.Share):
        value, diags = expect_value(ctx, amount.value, (ast.Percent,), "the attachment")
        yield from diags
        if amount.base != "expected_claims":
            yield _diag(
                "E212",
                f"unknown base `{amount.base}` of the attachment",
                amount.span,
                "write a percentage `of expected_claims`, or monthly factors by tier",
            )
            return
        if expected is None:
            yield _diag(
                "E312",
                "the attachment is a percentage of expected claims, but no `expected_claims` is assumed",
                item.span,
                "add `expected_claims EE $X, ... pepm` to the assumptions block, or give monthly factors",
            )
        if isinstance(value, ast.Percent) and value.value < 100:
            yield _diag(
                "W303",
                f"the aggregate attachment ({value_text(value)} of expected claims) is below 100%",
                item.span,
                "an attachment below expected claims makes the aggregate pay in a normal year; "
                "it is usually about 125%",
            )
        return
    yield from _rates(ctx, item.amount, "the attachment", ("pepm",))
    if expected is not None:
        factors = _tier_values(ctx, item.amount)
        claims = _tier_values(ctx, expected.amount)
        low = [t for t in ctx.tiers if t in factors and t in claims and factors[t] < claims[t]]
        if low:
            yield _diag(
                "W303",
                f"the aggregate attachment factors are below expected claims for {_listing(low)}",
                item.span,
                "attachment factors are usually about 125% of expected claims per tier",
            )


# ============================================================================ fees and assumptions


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
                yield from _percent_range(value, amount.value.span, f"fee `{fee.name}`")
                if amount.base not in ("paid_claims", "savings"):
                    yield _diag(
                        "E212",
                        f"unknown base `{amount.base}` of fee `{fee.name}`",
                        amount.span,
                        "a percentage fee is `of paid_claims` or `of savings`",
                    )
            elif isinstance(amount, ast.TierTable):
                yield from _rates(ctx, fee.amount, f"fee `{fee.name}`", ("pepm", "pmpm"))
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
        yield _diag(
            "E310",
            f"{what} must be {'above' if strict else 'at least'} 0, not {value_text(resolved)}",  # type: ignore[arg-type]
            value.span,
            "a claim-cost or count model needs positive parameters",
        )


def check_assumptions(ctx: Context) -> Iterator[Diagnostic]:
    """E205, E301, E310: expected claims and fully insured rates are money pepm; claimants a
    percentage (0-100%) of members; tier ratios plain numbers; distribution parameters in range
    (mean > 0, cv > 0, alpha > 0, scale > 0, dispersion >= 0)."""
    for block in ctx.assumptions:
        for item in block.items:
            match item:
                case ast.ExpectedClaims():
                    yield from _rates(ctx, item.amount, "expected claims", ("pepm",))
                case ast.FullyInsured():
                    yield from _rates(ctx, item.amount, "the fully insured rate", ("pepm",))
                case ast.Claimants():
                    value, diags = expect_value(ctx, item.share.value, (ast.Percent,), "claimants")
                    yield from diags
                    yield from _percent_range(value, item.share.value.span, "claimants")
                    if item.share.base != "members":
                        yield _diag(
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
                        yield _diag(
                            "E205",
                            "tier ratios are a tier table of numbers",
                            item.span,
                            "write e.g. `tier_ratios EE 1.00, ES 2.10, EC 1.85, FAM 3.00`",
                        )
                case ast.FundingMargin():
                    value, diags = expect_value(ctx, item.rate, (ast.Percent,), "the funding margin")
                    yield from diags
                    yield from _percent_range(value, item.rate.span, "the funding margin")
                case ast.ClaimantCost():
                    model = item.model
                    match model:
                        case ast.Lognormal() | ast.Gamma():
                            yield from _positive(ctx, model.mean, (ast.Money,), "the mean")
                            yield from _positive(ctx, model.cv, (ast.Number,), "the cv")
                        case ast.Pareto():
                            yield from _positive(ctx, model.alpha, (ast.Number,), "alpha")
                            yield from _positive(ctx, model.scale, (ast.Money,), "the scale")
                case ast.ClaimCount():
                    if isinstance(item.model, ast.NegativeBinomial):
                        yield from _positive(
                            ctx, item.model.dispersion, (ast.Number,), "the dispersion", strict=False
                        )


def table_path(rule_file: str, path: str) -> Path:
    """Where a continuance table named in ``rule_file`` lives (relative to the rule file's folder)."""
    return Path(rule_file).parent / path


def check_continuance_tables(ctx: Context) -> Iterator[Diagnostic]:
    """E311: a `claimant_cost table "FILE" [named "NAME"]` file exists, relative to the rule file,
    and holds a well-formed continuance table (with that name, when named)."""
    from aso_rules.price.continuance import ContinuanceTableError, load_continuance_table

    for rule_file, statement in ctx.statements:
        if not isinstance(statement, ast.Assumptions):
            continue
        for item in statement.items:
            if isinstance(item, ast.ClaimantCost) and isinstance(item.model, ast.ContinuanceTable):
                model = item.model
                try:
                    load_continuance_table(table_path(rule_file.path, model.path), model.name)
                except ContinuanceTableError as exc:
                    yield _diag(
                        "E311",
                        str(exc).splitlines()[0] if str(exc) else "unreadable continuance table",
                        model.span,
                        "the path is relative to the rule file; the file is an AV Calculator "
                        "continuance table (av2015 or av2026 layout)",
                    )


def check_money_cents(ctx: Context) -> Iterator[Diagnostic]:
    """E316: money is written to the cent at most (``$42.10``, not ``$42.105``): amounts are exact
    cents and rounding happens only where DOMAIN.md section 11 says."""
    for _, statement in ctx.statements:
        for node in _values_in(statement):
            if isinstance(node, ast.Money) and node.amount != node.amount.quantize(Decimal("0.01")):
                yield _diag(
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
    for child in _children(node):
        yield from _values_in(child)


# ============================================================================ tests


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
        yield from _duplicates(((m.member_id, m.span) for m in members), "test member")
        yield from _duplicates(((c.claim_id, c.span) for c in claims), "test claim")
        for member in members:
            yield from _options(ctx, member.options, MEMBER_OPTIONS, f"member {_q(member.member_id)}")
        for claim in claims:
            if claim.member_id not in member_ids:
                yield _diag(
                    "E206",
                    f"test claim {_q(claim.claim_id)} names member {_q(claim.member_id)}, "
                    "who is not in the test",
                    claim.span,
                    _did_you_mean(claim.member_id, member_ids)
                    + f'add `member {_q(claim.member_id)} family "..." tier ...` to the test',
                )
            incurred, diags = expect_value(ctx, claim.incurred, (ast.Date,), "the incurred date")
            yield from diags
            yield from _calendar(incurred, claim.incurred.span)
            yield from _options(ctx, claim.options, CLAIM_OPTIONS, f"claim {_q(claim.claim_id)}")
        expectations = 0
        for item in test.items:
            match item:
                case ast.ExpectClaim():
                    expectations += 1
                    if item.claim_id not in claim_ids:
                        yield _diag(
                            "E210",
                            f"expectation names claim {_q(item.claim_id)}, which is not in the test",
                            item.span,
                            _did_you_mean(item.claim_id, claim_ids)
                            + f"the test's claims are {_listing(f'{_q(c)}' for c in sorted(claim_ids))}",
                        )
                    for field in item.fields:
                        yield from _claim_field(ctx, field)
                case ast.ExpectSpecific():
                    expectations += 1
                    if item.tier not in specific_names:
                        yield _diag(
                            "E210",
                            f"no specific stop-loss contract is named {_q(item.tier)}",
                            item.span,
                            _did_you_mean(item.tier, specific_names)
                            + f"the specific contracts are {_listing(f'{_q(n)}' for n in specific_names)}",
                        )
                    if item.field not in SPECIFIC_FIELDS:
                        yield _diag(
                            "E211",
                            f"unknown specific stop-loss field `{item.field}`",
                            item.span,
                            f"expect one of {_listing(SPECIFIC_FIELDS)}",
                        )
                    yield from expect_value(ctx, item.value, (ast.Money,), f"`{item.field}`")[1]
                case ast.ExpectAggregate():
                    expectations += 1
                    if not ctx.aggregates:
                        yield _diag(
                            "E210",
                            "the ruleset has no aggregate stop-loss contract to expect from",
                            item.span,
                            "add a `stop_loss aggregate` block, or remove the expectation",
                        )
                    if item.field not in AGGREGATE_FIELDS:
                        yield _diag(
                            "E211",
                            f"unknown aggregate stop-loss field `{item.field}`",
                            item.span,
                            _did_you_mean(item.field, AGGREGATE_FIELDS)
                            + f"expect one of {_listing(AGGREGATE_FIELDS)}",
                        )
                    yield from expect_value(ctx, item.value, (ast.Money,), f"`{item.field}`")[1]
                case ast.ExpectDiagnostic():
                    expectations += 1
                    if item.code not in CODES and item.code not in DESCRIPTIONS:
                        yield _diag(
                            "E211",
                            f"unknown diagnostic code `{item.code}`",
                            item.span,
                            "expect a code listed in docs/diagnostics.md",
                        )
                case ast.ExpectSummary():
                    expectations += 1
        if expectations == 0:
            yield _diag(
                "W304",
                f"test {_q(test.name)} expects nothing",
                test.span,
                'add `expect "CLAIM" member_paid $X plan_paid $Y` or another expectation',
            )


def _calendar(value: ast.Value | None, span: Span) -> Iterator[Diagnostic]:
    if isinstance(value, ast.Date) and value.to_date() is None:
        yield _diag(
            "E314", f"{value_text(value)} is not a calendar date", span, "write a real date as YYYY-MM-DD"
        )


def _claim_field(ctx: Context, field: ast.FieldValue) -> Iterator[Diagnostic]:
    if field.field not in CLAIM_FIELDS:
        yield _diag(
            "E211",
            f"unknown claim field `{field.field}`",
            field.span,
            _did_you_mean(field.field, CLAIM_FIELDS)
            + f"a claim expectation names one of {_listing(CLAIM_FIELDS)}",
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
            yield _diag(
                "E208",
                f"`{option.key}` does not belong to a test {owner.split()[0]}",
                option.span,
                f"a test {owner.split()[0]} takes {_listing(allowed)}",
            )
            continue
        if option.key in seen:
            yield _diag("E204", f"`{option.key}` is stated twice for {owner}", option.span, "state it once")
        seen.add(option.key)
        if option.key == "relationship":
            word = option.values[0] if option.values else None
            if not (isinstance(word, ast.Name) and word.name in RELATIONSHIPS):
                yield _diag(
                    "E212",
                    f"unknown relationship `{value_text(word) if word else ''}`",
                    option.span,
                    f"a relationship is one of {_listing(RELATIONSHIPS)}",
                )
        elif option.key == "cause":
            word = option.values[0] if option.values else None
            if not (isinstance(word, ast.Name) and word.name in CAUSES):
                yield _diag(
                    "E212",
                    f"unknown cause `{value_text(word) if word else ''}`",
                    option.span,
                    "a cause is `illness` or `accident`",
                )
        elif option.key in OPTION_KINDS:
            for value in option.values:
                resolved, diags = expect_value(ctx, value, OPTION_KINDS[option.key], f"`{option.key}`")
                yield from diags
                yield from _calendar(resolved, value.span)


# ============================================================================ the registry

Check = Callable[[Context], Iterator[Diagnostic]]

CHECKS: tuple[Check, ...] = (
    check_header,
    check_settings,
    check_unknown_constants,
    check_duplicate_definitions,
    check_repeated_statements,
    check_tier_tables,
    check_test_tiers,
    check_unknown_lines,
    check_stop_loss_lines,
    check_coverage_kinds,
    check_cost_sharing,
    check_copays,
    check_family_out_of_pocket_cap,
    check_limits,
    check_dental,
    check_disability,
    check_fee_schedules,
    check_specific_stop_loss,
    check_specific_tiers,
    check_aggregate_stop_loss,
    check_fees,
    check_assumptions,
    check_continuance_tables,
    check_money_cents,
    check_tests,
)


def check_program(program: ast.Program) -> list[Diagnostic]:
    """Every diagnostic of ``program``, sorted by position (file, line, column) then code."""
    ctx = Context.of(program)
    found: list[Diagnostic] = []
    for check in CHECKS:
        found.extend(check(ctx))
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda d: (d.span.file, d.span.line, d.span.column, d.code))
