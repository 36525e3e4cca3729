"""AST -> text in the one canonical layout (what ``aso fmt`` writes).

On entry: a ``RuleFile`` (parsed, hand-built or generated; nodes must be ones the grammar can
produce). On exit: text such that ``parse(format_file(f)) == f`` and formatting that text again gives
the same bytes. The layout is the bundled example's (`rulesets/acme-2026.aso`): 2-space indent, one
statement per line,
``{`` at the end of the opening line and ``}`` alone, one blank line between top-level statements
(consecutive ``let`` or ``include`` lines stay together), money with thousands separators, single
spaces, ``, `` between list items, a file ending in one newline.

Comments are kept: a comment on its own line stays before the statement (or closing brace) that
follows it, at that statement's indent; a comment after code stays at the end of that line. At top
level a blank line after a comment is kept (one), so a file header stays apart from what follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from aso_rules.language import ast
from aso_rules.language.diagnostics import Diagnostic

INDENT = "  "

# ============================================================================ values


def decimal_text(value: Decimal) -> str:
    return f"{value:f}"


def count_text(value: Decimal) -> str:
    """A count as the credibility statement writes it: ``2,000`` (whole), ``12.5`` (with a fraction)."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return decimal_text(value)


def money_text(amount: Decimal) -> str:
    return f"${amount:,f}"


def string_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def value_text(value: ast.Value) -> str:
    match value:
        case ast.Money():
            return money_text(value.amount)
        case ast.Percent():
            return f"{decimal_text(value.value)}%"
        case ast.Number():
            return decimal_text(value.value)
        case ast.Date():
            return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        case ast.Duration():
            return f"{decimal_text(value.amount)} {value.unit}"
        case ast.Name():
            return value.name
        case ast.String():
            return string_text(value.value)
    raise TypeError(f"not a value: {value!r}")  # pragma: no cover


def _with_units(text: str, units: Sequence[str]) -> str:
    return " ".join([text, *units])


def amount_text(amount: ast.Amount) -> str:
    match amount:
        case ast.Quantity():
            return _with_units(value_text(amount.value), amount.units)
        case ast.Share():
            return f"{value_text(amount.value)} of {amount.base}"
        case ast.TierTable():
            table = ", ".join(f"{e.tier} {value_text(e.value)}" for e in amount.entries)
            return _with_units(table, amount.units)
    raise TypeError(f"not an amount: {amount!r}")  # pragma: no cover


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _reason(reason: str | None) -> str:
    return "" if reason is None else " " + string_text(reason)


def _within(within: ast.Value | None) -> str:
    return "" if within is None else " within " + value_text(within)


def _family(keyword: str, amount: ast.Quantity, family: ast.Quantity | None, mode: str | None) -> list[str]:
    parts = [keyword, amount_text(amount)]
    if family is not None:
        parts[-1] += ","
        parts.append(amount_text(family))
    if mode is not None:
        parts.append(mode)
    return parts


def _option(option: ast.Option) -> str:
    if option.key == "absence" and len(option.values) == 2:
        return f"absence {value_text(option.values[0])} to {value_text(option.values[1])}"
    return " ".join([option.key, *(value_text(v) for v in option.values)])


def _severity(model: ast.SeverityModel) -> str:
    match model:
        case ast.Lognormal():
            return f"lognormal mean {value_text(model.mean)} cv {value_text(model.cv)}"
        case ast.Gamma():
            return f"gamma mean {value_text(model.mean)} cv {value_text(model.cv)}"
        case ast.Pareto():
            return f"pareto alpha {value_text(model.alpha)} scale {value_text(model.scale)}"
        case ast.ContinuanceTable():
            named = "" if model.name is None else f" named {string_text(model.name)}"
            return f"table {string_text(model.path)}{named}"
    raise TypeError(f"not a severity model: {model!r}")  # pragma: no cover


def line_text(node: object) -> str:
    """The one line of a simple (non-block) statement, without indent."""
    match node:
        # ---------------------------------------------------------------- header
        case ast.Administrator():
            return f"administrator {string_text(node.name)}"
        case ast.PlanYear():
            return f"plan_year {value_text(node.start)} to {value_text(node.end)}"
        case ast.Currency():
            return f"currency {node.code}"
        case ast.Tiers():
            return "tiers " + ", ".join(f"{t.code} {string_text(t.label)}" for t in node.tiers)
        case ast.Setting():
            return f"{node.key} {node.value}"
        # ---------------------------------------------------------------- top level
        case ast.Let():
            return f"let {node.name} = {amount_text(node.value)}"
        case ast.Include():
            return f"include {string_text(node.path)}"
        case ast.ExcludeCoverage():
            return f"exclude coverage {_names(node.lines)}{_reason(node.reason)}"
        # ---------------------------------------------------------------- coverage
        case ast.Deductible():
            return " ".join(_family("deductible", node.amount, node.family, node.mode))
        case ast.OutOfPocket():
            parts = _family("out_of_pocket", node.amount, node.family, node.mode)
            if node.individual_cap is not None:
                parts += ["individual_cap", amount_text(node.individual_cap)]
            return " ".join(parts)
        case ast.PlanPays():
            return f"plan pays {value_text(node.rate)}"
        case ast.Copay():
            entries = []
            for entry in node.entries:
                text = f"{entry.category} {amount_text(entry.amount)}"
                if entry.then_deductible:
                    text += " then deductible"
                if entry.counts_to_deductible:
                    text += " counts_to_deductible"
                entries.append(text)
            return "copay " + ", ".join(entries)
        case ast.CoveredInFull():
            return f"covered in full {_names(node.categories)}"
        case ast.Limit():
            return f"limit {node.category} {amount_text(node.amount)}"
        case ast.Exclude():
            return f"exclude {_names(node.categories)}{_reason(node.reason)}"
        case ast.Shares():
            return f"shares {node.accumulator} with {node.line}"
        case ast.DentalClass():
            text = f"class {node.name} pays {value_text(node.pays)}"
            if node.waive_deductible:
                text += " waive deductible"
            if node.waiting is not None:
                text += f" waiting {value_text(node.waiting)}"
            if node.outside_maximum:
                text += " outside maximum"
            return text
        case ast.Maximum():
            return f"maximum {amount_text(node.amount)}"
        case ast.Benefit():
            text = f"benefit {amount_text(node.share)}"
            if node.maximum is not None:
                text += f" up to {amount_text(node.maximum)}"
            return text
        case ast.Elimination():
            entries = [
                value_text(e.period) + ("" if e.cause is None else f" {e.cause}") for e in node.entries
            ]
            return "elimination " + ", ".join(entries)
        case ast.BenefitDuration():
            return f"duration {value_text(node.period)}"
        case ast.Minimum():
            text = f"minimum {amount_text(node.amount)}"
            if node.alternative is not None:
                text += f" or {amount_text(node.alternative)}"
            return text
        case ast.Flag():
            return node.name
        # ---------------------------------------------------------------- repricing
        case ast.NetworkPricing():
            return f"{node.network} {amount_text(node.share)}"
        case ast.CodePrice():
            return f"code {string_text(node.code)} {amount_text(node.amount)}"
        case ast.CategoryPrice():
            return f"category {node.category} {amount_text(node.amount)}"
        # ---------------------------------------------------------------- stop-loss
        case ast.Laser():
            amount = "excluded" if node.amount is None else amount_text(node.amount)
            return f"laser {string_text(node.member)} {amount}"
        case ast.AggregatingDeductible():
            return f"aggregating_deductible {amount_text(node.amount)}"
        case ast.Reimburses():
            return f"reimburses {value_text(node.rate)}"
        case ast.AdvanceFunding():
            minimum = f" minimum {amount_text(node.minimum)}" if node.minimum is not None else ""
            return f"advance_funding {'on' if node.on else 'off'}{minimum}"
        case ast.Covers():
            return f"covers {_names(node.lines)}"
        case ast.Basis():
            if node.paid_basis:
                return "basis paid"
            return f"basis {node.incurred_months}/{node.paid_months}"
        case ast.Premium():
            return f"premium {amount_text(node.amount)}"
        case ast.Attachment():
            return f"attachment {amount_text(node.amount)}"
        case ast.MinimumAttachment():
            return f"minimum_attachment {amount_text(node.amount)}"
        # ---------------------------------------------------------------- fees
        case ast.Fee():
            text = f"{node.name} {amount_text(node.amount)}"
            if node.lines:
                text += f" {_names(node.lines)}"
            return text
        # ---------------------------------------------------------------- assumptions
        case ast.ExpectedClaims():
            return f"expected_claims {amount_text(node.amount)}"
        case ast.Claimants():
            return f"claimants {amount_text(node.share)}"
        case ast.ClaimantCost():
            return f"claimant_cost {_severity(node.model)}"
        case ast.ClaimCount():
            if isinstance(node.model, ast.NegativeBinomial):
                return f"claim_count negative_binomial dispersion {value_text(node.model.dispersion)}"
            return "claim_count poisson"
        case ast.FullyInsured():
            return f"fully_insured {amount_text(node.amount)}"
        case ast.TierRatios():
            return f"tier_ratios {amount_text(node.amount)}"
        case ast.FundingMargin():
            return f"funding_margin {value_text(node.rate)}"
        case ast.Seasonality():
            return "seasonality " + ", ".join(value_text(v) for v in node.factors)
        case ast.ClaimsBasis():
            return f"claims_basis {node.basis}"
        # ---------------------------------------------------------------- experience
        case ast.Trend():
            return "trend " + ", ".join(f"{e.line} {value_text(e.rate)}" for e in node.entries)
        case ast.Projection():
            end = "" if node.end is None else f" to {value_text(node.end)}"
            return f"projection {value_text(node.start)}{end}"
        case ast.Completion():
            return f"completion {value_text(node.rate)}"
        case ast.PoolingPoint():
            return f"pooling_point {amount_text(node.amount)}"
        case ast.PoolingCharge():
            return f"pooling_charge {amount_text(node.amount)}"
        case ast.Credibility():
            if isinstance(node.method, ast.Buhlmann):
                return f"credibility buhlmann k {count_text(node.method.k.value)}"
            return f"credibility limited_fluctuation full at {count_text(node.method.full.value)} lives"
        case ast.ManualRate():
            return f"manual_rate {amount_text(node.amount)}"
        case ast.PlanDesignChange():
            return f"plan_design_change {value_text(node.factor)}"
        case ast.RateCap():
            return f"rate_cap {value_text(node.rate)}"
        # ---------------------------------------------------------------- tests
        case ast.TestMember():
            text = (
                f"member {string_text(node.member_id)} family {string_text(node.family_id)} tier {node.tier}"
            )
            return " ".join([text, *(_option(o) for o in node.options)])
        case ast.TestClaim():
            text = (
                f"claim {string_text(node.claim_id)} member {string_text(node.member_id)} "
                f"{node.line} {node.category} incurred {value_text(node.incurred)}"
            )
            return " ".join([text, *(_option(o) for o in node.options)])
        case ast.ExpectClaim():
            fields = " ".join(f"{f.field} {value_text(f.value)}" for f in node.fields)
            return f"expect {string_text(node.claim_id)} {fields}{_within(node.within)}"
        case ast.ExpectSummary():
            path = ".".join(node.path)
            return f"expect summary {path} {value_text(node.value)}{_within(node.within)}"
        case ast.ExpectSpecific():
            return (
                f"expect specific {string_text(node.tier)} {node.field} {value_text(node.value)}"
                f"{_within(node.within)}"
            )
        case ast.ExpectAggregate():
            return f"expect aggregate {node.field} {value_text(node.value)}{_within(node.within)}"
        case ast.ExpectDiagnostic():
            return f"expect diagnostic {node.code}"
    raise TypeError(f"not a simple statement: {node!r}")  # pragma: no cover


def _block(node: object) -> tuple[str, Sequence[object]] | None:
    """(opening line without ``{``, children) of a block statement, None for a simple one."""
    match node:
        case ast.Ruleset():
            return f"ruleset {string_text(node.name)}", node.items
        case ast.Coverage():
            return f"coverage {node.line}", node.items
        case ast.Network():
            return f"network {node.network}", node.items
        case ast.FeeSchedule():
            return f"fee_schedule {node.line}", node.items
        case ast.StopLossSpecific():
            return f"stop_loss specific {string_text(node.name)}", node.items
        case ast.StopLossAggregate():
            return f"stop_loss aggregate {string_text(node.name)}", node.items
        case ast.AdminFees():
            return "admin_fees", node.fees
        case ast.Assumptions():
            return "assumptions", node.items
        case ast.Experience():
            return "experience", node.items
        case ast.Test():
            return f"test {string_text(node.name)}", node.items
    return None


# ============================================================================ layout


class _Writer:
    def __init__(self, comments: Sequence[ast.Comment]) -> None:
        self.lines: list[str] = []
        self.comments = sorted(comments, key=lambda c: (c.line, c.span.column))
        self.next = 0

    def _comment(self, comment: ast.Comment) -> str:
        """``# text``; a run of ``#`` (``## Section``) is kept as written."""
        if not comment.text:
            return "#"
        return "#" + comment.text if comment.text.startswith("#") else "# " + comment.text

    def flush_before(self, line: int | None, indent: str, *, keep_gaps: bool = False) -> None:
        """Own-line comments written before ``line`` (all that remain when ``line`` is None)."""
        if line is not None and line <= 0:  # a node built by hand: no position to anchor comments
            return

        def pending() -> bool:
            return self.next < len(self.comments) and (line is None or self.comments[self.next].line < line)

        while pending():
            comment = self.comments[self.next]
            self.lines.append(indent + self._comment(comment))
            self.next += 1
            if keep_gaps:
                following = self.comments[self.next].line if pending() else line
                if following is not None and following > comment.line + 1:
                    self.lines.append("")

    def trailing(self, line: int) -> str:
        """The comments written after code on ``line``, as a suffix."""
        parts = []
        while self.next < len(self.comments) and line > 0 and self.comments[self.next].line == line:
            parts.append(self._comment(self.comments[self.next]))
            self.next += 1
        return "".join("  " + p for p in parts)

    def statement(self, node: object, depth: int) -> None:
        indent = INDENT * depth
        span = getattr(node, "span", ast.NO_SPAN)
        if depth > 0:
            self.flush_before(span.line, indent)
        block = _block(node)
        if block is None:
            self.lines.append(indent + line_text(node) + self.trailing(span.line))
            return
        opening, children = block
        self.lines.append(indent + opening + " {" + self.trailing(span.line))
        for child in children:
            self.statement(child, depth + 1)
        self.flush_before(span.end_line, indent + INDENT)
        self.lines.append(indent + "}" + self.trailing(span.end_line))


def _grouped(previous: object, current: object) -> bool:
    return (isinstance(previous, ast.Let) and isinstance(current, ast.Let)) or (
        isinstance(previous, ast.Include) and isinstance(current, ast.Include)
    )


def format_file(rule_file: ast.RuleFile) -> str:
    """The canonical text of a rule file."""
    writer = _Writer(rule_file.comments)
    previous: object | None = None
    for statement in rule_file.statements:
        if previous is not None and not _grouped(previous, statement):
            writer.lines.append("")
        writer.flush_before(statement.span.line, "", keep_gaps=True)
        writer.statement(statement, 0)
        previous = statement
    if writer.next < len(writer.comments):
        if writer.lines:
            writer.lines.append("")
        writer.flush_before(None, "", keep_gaps=True)
    while writer.lines and writer.lines[-1] == "":
        writer.lines.pop()
    return "\n".join(writer.lines) + "\n" if writer.lines else ""


def format_source(text: str, path: str = "<string>") -> tuple[str | None, list[Diagnostic]]:
    """Parse and format text; None (with the syntax errors) when it does not parse."""
    from aso_rules.language.parser import parse_text

    rule_file, diagnostics = parse_text(text, path)
    if rule_file is None:
        return None, diagnostics
    return format_file(rule_file), diagnostics
