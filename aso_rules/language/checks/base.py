"""What every check shares: the codes (``language.codes``), the words the language knows, the ``Context`` of a
program, constant resolution and the value/unit expectations.

On entry: a parsed ``Program``. On exit: nothing is reported here; these helpers build
``Diagnostic`` values for the check modules (names.py, program.py, coverage.py, stoploss.py,
pricing.py, test_blocks.py) and never raise on anything a user writes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

import attrs

from aso_rules.language import ast
from aso_rules.language.codes import CODES
from aso_rules.language.diagnostics import Diagnostic, Span
from aso_rules.language.format import amount_text, value_text
from aso_rules.language.tables import Tables
from aso_rules.model import LINE_KINDS

# Settings (docs/semantics.md section 12): key -> (allowed values, where it may be written).
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
    "no_new_lasers": (("on", "off"), (SPECIFIC,)),
}


# ACA essential-health-benefit categories of medical (docs/semantics.md 3.5, S-19): annual and lifetime
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


SPECIFIC_FIELDS = ("reimbursed", "eligible_paid", "asd_absorbed")


AGGREGATE_FIELDS = ("reimbursed", "attachment_point", "eligible_claims")


DISABILITY = ("std", "ltd")


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


def diag(code: str, message: str, span: Span, hint: str) -> Diagnostic:
    return Diagnostic(code, CODES[code][0], message, span, hint)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`? " if close else ""


def quoted(name: str) -> str:
    """A user-written name (member, claim, contract, test) as it is quoted in rule files."""
    return f'"{name}"'


def listing(names: Iterable[str]) -> str:
    items = list(names)
    return ", ".join(items) if items else "(none)"


@attrs.frozen
class Context:
    """What the checks share: the program, the tables the loader read for it (``tables``) and its
    definitions (first definition of each name)."""

    program: ast.Program
    tables: Tables
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
    def of(cls, program: ast.Program, tables: Tables) -> Context:
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
            tables=tables,
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


def is_unknown_name(ctx: Context, value: ast.Value) -> bool:
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


def describe(value: ast.Value, use: ast.Value | None = None) -> str:
    """Describe a value for a message: 'a percentage (80%)', noting a constant it came through."""
    text = f"{KIND_WORDS[type(value)]} ({value_text(value)})"
    if isinstance(use, ast.Name):
        return f"`{use.name}`, {text}"
    return text


def describe_amount(amount: ast.Amount) -> str:
    if isinstance(amount, ast.Quantity):
        return describe(amount.value)
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
    if is_unknown_name(ctx, value):
        return None, []  # reported by check_unknown_constants
    resolved = resolve_value(ctx.constants, value)
    where = span or value.span
    if isinstance(resolved, ast.Name) and resolved.name in ctx.constants:
        let = ctx.constants[resolved.name]
        return None, [
            diag(
                "E205",
                f"{what} must be {' or '.join(KIND_WORDS[k] for k in kinds)}, "
                f"but `{resolved.name}` is {describe_amount(let.value)}",
                where,
                f"write {' or '.join(KIND_EXAMPLES.get(k, KIND_WORDS[k]) for k in kinds)} here",
            )
        ]
    if not isinstance(resolved, kinds):
        return None, [
            diag(
                "E205",
                f"{what} must be {' or '.join(KIND_WORDS[k] for k in kinds)}, "
                f"not {describe(resolved, value)}",
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
            diag(
                "E205",
                f"{what} must be a single value, not {describe_amount(quantity)}",
                quantity.span,
                f"write {' or '.join(KIND_EXAMPLES.get(k, KIND_WORDS[k]) for k in kinds)} here",
            )
        ]
    if is_unknown_name(ctx, quantity.value):
        return None, []
    resolved = resolve(ctx.constants, quantity)
    if not isinstance(resolved, ast.Quantity):
        return None, [
            diag(
                "E205",
                f"{what} must be {' or '.join(KIND_WORDS[k] for k in kinds)}, "
                f"but `{value_text(quantity.value)}` is {describe_amount(resolved)}",
                quantity.span,
                f"write {' or '.join(KIND_EXAMPLES.get(k, KIND_WORDS[k]) for k in kinds)} here",
            )
        ]
    if not isinstance(resolved.value, kinds):
        if isinstance(quantity.value, ast.Name):
            found = f"`{quantity.value.name}` is {describe(resolved.value)}"
        else:
            found = f"not {describe(resolved.value)}"
        return None, [
            diag(
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
        shown = units_text(allowed)
        written = " ".join(units) if units else "without a unit"
        return value, [
            diag(
                "E205",
                f"{what} is {written}, but it must be {shown}",
                quantity.span,
                f"write {what} {shown}",
            )
        ]
    return value, []


def units_text(allowed: Sequence[tuple[str, ...]]) -> str:
    """``[("per person",), ()]`` -> ``per person (or without a unit)``."""
    named = [" ".join(u) for u in allowed if u]
    text = " or ".join(named) if named else "without a unit"
    if named and () in allowed:
        text += " (or without a unit)"
    return text


def money_of(ctx: Context, amount: ast.Amount | None) -> Decimal | None:
    if amount is None:
        return None
    resolved = resolve(ctx.constants, amount)
    if isinstance(resolved, ast.Quantity) and isinstance(resolved.value, ast.Money):
        return resolved.value.amount
    return None


def children(node: object) -> Iterator[object]:
    """The fields of an AST node (its attrs fields, except positions and comments)."""
    for field in getattr(type(node), "__attrs_attrs__", ()):
        if field.name not in ("span", "comments"):
            yield getattr(node, field.name)


def percent_range(value: ast.Value | None, span: Span, what: str) -> Iterator[Diagnostic]:
    if isinstance(value, ast.Percent) and not (0 <= value.value <= 100):
        yield diag(
            "E301",
            f"{what} is {value_text(value)}, outside 0-100%",
            span,
            "a percentage here is between 0% and 100%",
        )


def expect_rates(ctx: Context, amount: ast.Amount, what: str, units: Sequence[str]) -> Iterator[Diagnostic]:
    """A rate: money (or a tier table of money) with one of ``units``."""
    resolved = resolve(ctx.constants, amount)
    if isinstance(amount, ast.Quantity) and is_unknown_name(ctx, amount.value):
        return
    if isinstance(resolved, ast.TierTable):
        for entry in resolved.entries:
            yield from expect_value(ctx, entry.value, (ast.Money,), f"{what} for {entry.tier}")[1]
        if tuple(resolved.units) not in [(u,) for u in units]:
            yield diag(
                "E205",
                f"{what} is {' '.join(resolved.units) or 'without a unit'}, "
                f"but it must be {' or '.join(units)}",
                amount.span,
                f"end the tier table with {' or '.join(units)}",
            )
        return
    yield from expect_quantity(ctx, amount, (ast.Money,), [(u,) for u in units], what)[1]


def calendar_date(value: ast.Value | None, span: Span) -> Iterator[Diagnostic]:
    if isinstance(value, ast.Date) and value.to_date() is None:
        yield diag(
            "E314", f"{value_text(value)} is not a calendar date", span, "write a real date as YYYY-MM-DD"
        )


def duplicates(
    items: Iterable[tuple[str, Span]], what: str, hint: str = "remove one of them, or rename it"
) -> Iterator[Diagnostic]:
    first: dict[str, Span] = {}
    for key, span in items:
        if key in first:
            other = first[key]
            if other.file != span.file:
                where = f"first at {other.file}:{other.line}"
            elif other.line != span.line:
                where = f"first at line {other.line}"
            else:
                where = "first earlier on this line"
            yield diag("E204", f"{what} `{key}` is defined twice ({where})", span, hint)
        else:
            first[key] = span
