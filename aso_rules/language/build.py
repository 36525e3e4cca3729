"""Parse tree -> AST: only changes shape.

On entry: a lark tree of ``aso.lark`` (``start``) parsed without errors, with positions
(``propagate_positions=True``). On exit: a ``RuleFile`` of ``ast`` nodes, each with its ``Span``.
Nothing is checked here (no name resolution, no unit or range checks); literals become ``Decimal``,
ints and unescaped strings exactly as written. Callbacks cannot fail on a tree the grammar produced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, cast

from lark import Token, Transformer, Tree

from aso_rules.language import ast
from aso_rules.language.diagnostics import Span

_ESCAPE = re.compile(r'\\(["\\])')


def unescape(token_text: str) -> str:
    """The value of a STRING token (quotes removed, ``\\"`` and ``\\\\`` unescaped)."""
    return _ESCAPE.sub(r"\1", token_text[1:-1])


def _tokens(children: Sequence[Any]) -> list[str]:
    return [str(c) for c in children if isinstance(c, Token)]


def _of(children: Sequence[Any], kind: type | tuple[type, ...]) -> list[Any]:
    return [c for c in children if isinstance(c, kind)]


def _first(children: Sequence[Any], kind: type | tuple[type, ...]) -> Any:
    found = _of(children, kind)
    return found[0] if found else None


_VALUE_TYPES = (ast.Money, ast.Percent, ast.Number, ast.Date, ast.Duration, ast.Name, ast.String)


class _Builder(Transformer[Token, Any]):
    """One method per grammar rule; each returns the AST node of the same name."""

    def __init__(self, path: str) -> None:
        super().__init__(visit_tokens=False)
        self.path = path

    # -- plumbing: every rule callback gets (children, span)

    def _call_userfunc(self, tree: Tree[Token], new_children: list[Any] | None = None) -> Any:
        children = new_children if new_children is not None else tree.children
        method: Callable[[list[Any], Span], Any] | None = getattr(self, "r_" + tree.data, None)
        if method is None:  # pragma: no cover - every rule has a method (tested)
            raise NotImplementedError(tree.data)
        return method(children, self._span(tree))

    def _span(self, tree: Tree[Token]) -> Span:
        meta = tree.meta
        if getattr(meta, "empty", True):
            return Span(self.path, 0, 0, 0, 0)
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    # ============================================================== values

    def r_money(self, c: list[Any], span: Span) -> ast.Money:
        return ast.Money(Decimal(str(c[0])[1:].replace(",", "")), span=span)

    def r_percent(self, c: list[Any], span: Span) -> ast.Percent:
        return ast.Percent(Decimal(str(c[0])[:-1]), span=span)

    def r_number(self, c: list[Any], span: Span) -> ast.Number:
        return ast.Number(Decimal(str(c[0])), span=span)

    def r_date(self, c: list[Any], span: Span) -> ast.Date:
        year, month, day = (int(part) for part in str(c[0]).split("-"))
        return ast.Date(year, month, day, span=span)

    def r_duration(self, c: list[Any], span: Span) -> ast.Duration:
        return ast.Duration(Decimal(str(c[0])), cast(ast.DurationUnit, c[1]), span=span)

    def r_duration_unit(self, c: list[Any], span: Span) -> str:
        return str(c[0])

    def r_name(self, c: list[Any], span: Span) -> ast.Name:
        return ast.Name(str(c[0]), span=span)

    def r_string(self, c: list[Any], span: Span) -> ast.String:
        return ast.String(unescape(str(c[0])), span=span)

    def r_per_unit(self, c: list[Any], span: Span) -> str:
        return f"per {c[0]}"

    def r_word_unit(self, c: list[Any], span: Span) -> str:
        return str(c[0])

    def r_unit_word(self, c: list[Any], span: Span) -> str:
        return str(c[0])

    def r_quantity(self, c: list[Any], span: Span) -> ast.Quantity:
        return ast.Quantity(c[0], tuple(str(u) for u in c[1:]), span=span)

    def r_share(self, c: list[Any], span: Span) -> ast.Share:
        return ast.Share(c[0], str(c[1]), span=span)

    def r_tier_amount(self, c: list[Any], span: Span) -> ast.TierAmount:
        return ast.TierAmount(str(c[0]), c[1], span=span)

    def r_tier_table(self, c: list[Any], span: Span) -> ast.TierTable:
        entries = tuple(_of(c, ast.TierAmount))
        units = tuple(u for u in c if isinstance(u, str))
        return ast.TierTable(entries, units, span=span)

    # ============================================================== file and header

    def r_start(self, c: list[Any], span: Span) -> list[Any]:
        return list(c)

    def r_ruleset(self, c: list[Any], span: Span) -> ast.Ruleset:
        return ast.Ruleset(unescape(str(c[0])), tuple(c[1:]), span=span)

    def r_administrator(self, c: list[Any], span: Span) -> ast.Administrator:
        return ast.Administrator(unescape(str(c[0])), span=span)

    def r_plan_year(self, c: list[Any], span: Span) -> ast.PlanYear:
        return ast.PlanYear(c[0], c[1], span=span)

    def r_currency(self, c: list[Any], span: Span) -> ast.Currency:
        return ast.Currency(str(c[0]), span=span)

    def r_tiers(self, c: list[Any], span: Span) -> ast.Tiers:
        return ast.Tiers(tuple(c), span=span)

    def r_tier_def(self, c: list[Any], span: Span) -> ast.TierDef:
        return ast.TierDef(str(c[0]), unescape(str(c[1])), span=span)

    def r_setting(self, c: list[Any], span: Span) -> ast.Setting:
        key, value = _tokens(c)
        return ast.Setting(key, value, span=span)

    def r_let(self, c: list[Any], span: Span) -> ast.Let:
        return ast.Let(str(c[0]), c[1], span=span)

    def r_include(self, c: list[Any], span: Span) -> ast.Include:
        return ast.Include(unescape(str(c[0])), span=span)

    # ============================================================== coverage

    def r_coverage(self, c: list[Any], span: Span) -> ast.Coverage:
        return ast.Coverage(str(c[0]), tuple(c[1:]), span=span)

    def r_family_mode(self, c: list[Any], span: Span) -> str:
        return str(c[0])

    def r_deductible(self, c: list[Any], span: Span) -> ast.Deductible:
        amounts = _of(c, ast.Quantity)
        mode = _first(c, str)
        return ast.Deductible(amounts[0], amounts[1] if len(amounts) > 1 else None, mode, span=span)

    def r_individual_cap(self, c: list[Any], span: Span) -> tuple[str, ast.Quantity]:
        return ("individual_cap", c[0])

    def r_out_of_pocket(self, c: list[Any], span: Span) -> ast.OutOfPocket:
        amounts = _of(c, ast.Quantity)
        mode = _first(c, str)
        cap = _first(c, tuple)
        return ast.OutOfPocket(
            amounts[0],
            amounts[1] if len(amounts) > 1 else None,
            mode,
            cap[1] if cap is not None else None,
            span=span,
        )

    def r_plan_pays(self, c: list[Any], span: Span) -> ast.PlanPays:
        return ast.PlanPays(c[0], span=span)

    def r_then_deductible(self, c: list[Any], span: Span) -> str:
        return "then_deductible"

    def r_counts_to_deductible(self, c: list[Any], span: Span) -> str:
        return "counts_to_deductible"

    def r_copay_entry(self, c: list[Any], span: Span) -> ast.CopayEntry:
        flags = set(c[2:])
        return ast.CopayEntry(
            str(c[0]),
            c[1],
            then_deductible="then_deductible" in flags,
            counts_to_deductible="counts_to_deductible" in flags,
            span=span,
        )

    def r_copay(self, c: list[Any], span: Span) -> ast.Copay:
        return ast.Copay(tuple(c), span=span)

    def r_covered_in_full(self, c: list[Any], span: Span) -> ast.CoveredInFull:
        return ast.CoveredInFull(tuple(_tokens(c)), span=span)

    def r_network_side(self, c: list[Any], span: Span) -> str:
        return str(c[0])

    def r_network(self, c: list[Any], span: Span) -> ast.Network:
        return ast.Network(c[0], tuple(c[1:]), span=span)

    def r_limit(self, c: list[Any], span: Span) -> ast.Limit:
        return ast.Limit(str(c[0]), c[1], span=span)

    def r_exclude(self, c: list[Any], span: Span) -> ast.Exclude:
        names = [str(t) for t in c if isinstance(t, Token) and t.type == "NAME"]
        reasons = [unescape(str(t)) for t in c if isinstance(t, Token) and t.type == "STRING"]
        return ast.Exclude(tuple(names), reasons[0] if reasons else None, span=span)

    def r_exclude_coverage(self, c: list[Any], span: Span) -> ast.ExcludeCoverage:
        names = [str(t) for t in c if isinstance(t, Token) and t.type == "NAME"]
        reasons = [unescape(str(t)) for t in c if isinstance(t, Token) and t.type == "STRING"]
        return ast.ExcludeCoverage(tuple(names), reasons[0] if reasons else None, span=span)

    def r_accumulator(self, c: list[Any], span: Span) -> str:
        return str(c[0])

    def r_shares(self, c: list[Any], span: Span) -> ast.Shares:
        return ast.Shares(c[0], str(c[1]), span=span)

    def r_waive_deductible(self, c: list[Any], span: Span) -> str:
        return "waive_deductible"

    def r_waiting(self, c: list[Any], span: Span) -> tuple[str, Any]:
        return ("waiting", c[0])

    def r_outside_maximum(self, c: list[Any], span: Span) -> str:
        return "outside_maximum"

    def r_dental_class(self, c: list[Any], span: Span) -> ast.DentalClass:
        rest = c[2:]
        waiting = _first(rest, tuple)
        return ast.DentalClass(
            str(c[0]),
            c[1],
            waive_deductible="waive_deductible" in rest,
            waiting=waiting[1] if waiting is not None else None,
            outside_maximum="outside_maximum" in rest,
            span=span,
        )

    def r_maximum(self, c: list[Any], span: Span) -> ast.Maximum:
        return ast.Maximum(c[0], span=span)

    def r_up_to(self, c: list[Any], span: Span) -> tuple[str, Any]:
        return ("up_to", c[0])

    def r_benefit(self, c: list[Any], span: Span) -> ast.Benefit:
        up_to = _first(c, tuple)
        return ast.Benefit(c[0], up_to[1] if up_to is not None else None, span=span)

    def r_elimination_entry(self, c: list[Any], span: Span) -> ast.EliminationEntry:
        return ast.EliminationEntry(c[0], str(c[1]) if len(c) > 1 else None, span=span)

    def r_elimination(self, c: list[Any], span: Span) -> ast.Elimination:
        return ast.Elimination(tuple(c), span=span)

    def r_benefit_duration(self, c: list[Any], span: Span) -> ast.BenefitDuration:
        return ast.BenefitDuration(c[0], span=span)

    def r_minimum(self, c: list[Any], span: Span) -> ast.Minimum:
        return ast.Minimum(c[0], c[1] if len(c) > 1 else None, span=span)

    def r_flag(self, c: list[Any], span: Span) -> ast.Flag:
        return ast.Flag(str(c[0]), span=span)

    # ============================================================== repricing

    def r_fee_schedule(self, c: list[Any], span: Span) -> ast.FeeSchedule:
        return ast.FeeSchedule(str(c[0]), tuple(c[1:]), span=span)

    def r_pricing_network(self, c: list[Any], span: Span) -> str:
        return str(c[0])

    def r_network_pricing(self, c: list[Any], span: Span) -> ast.NetworkPricing:
        return ast.NetworkPricing(c[0], c[1], span=span)

    def r_code_price(self, c: list[Any], span: Span) -> ast.CodePrice:
        return ast.CodePrice(unescape(str(c[0])), c[1], span=span)

    def r_category_price(self, c: list[Any], span: Span) -> ast.CategoryPrice:
        return ast.CategoryPrice(str(c[0]), c[1], span=span)

    # ============================================================== stop-loss

    def r_stop_loss_specific(self, c: list[Any], span: Span) -> ast.StopLossSpecific:
        return ast.StopLossSpecific(unescape(str(c[0])), tuple(c[1:]), span=span)

    def r_excluded(self, c: list[Any], span: Span) -> None:
        return None

    def r_laser(self, c: list[Any], span: Span) -> ast.Laser:
        return ast.Laser(unescape(str(c[0])), c[1], span=span)

    def r_aggregating_deductible(self, c: list[Any], span: Span) -> ast.AggregatingDeductible:
        return ast.AggregatingDeductible(c[0], span=span)

    def r_advance_funding(self, c: list[Any], span: Span) -> ast.AdvanceFunding:
        return ast.AdvanceFunding(str(c[0]) == "on", c[1] if len(c) > 1 else None, span=span)

    def r_advance_minimum(self, c: list[Any], span: Span) -> Any:
        return c[0]

    def r_reimburses(self, c: list[Any], span: Span) -> ast.Reimburses:
        return ast.Reimburses(c[0], span=span)

    def r_covers(self, c: list[Any], span: Span) -> ast.Covers:
        return ast.Covers(tuple(_tokens(c)), span=span)

    def r_paid_basis(self, c: list[Any], span: Span) -> str:
        return "paid"

    def r_basis(self, c: list[Any], span: Span) -> ast.Basis:
        if not isinstance(c[0], Token):  # ``paid``
            return ast.Basis(paid_basis=True, span=span)
        incurred, paid = str(c[0]).split("/")
        return ast.Basis(int(incurred), int(paid), span=span)

    def r_premium(self, c: list[Any], span: Span) -> ast.Premium:
        return ast.Premium(c[0], span=span)

    def r_stop_loss_aggregate(self, c: list[Any], span: Span) -> ast.StopLossAggregate:
        return ast.StopLossAggregate(unescape(str(c[0])), tuple(c[1:]), span=span)

    def r_attachment(self, c: list[Any], span: Span) -> ast.Attachment:
        return ast.Attachment(c[0], span=span)

    def r_minimum_attachment(self, c: list[Any], span: Span) -> ast.MinimumAttachment:
        return ast.MinimumAttachment(c[0], span=span)

    # ============================================================== fees

    def r_admin_fees(self, c: list[Any], span: Span) -> ast.AdminFees:
        return ast.AdminFees(tuple(c), span=span)

    def r_fee(self, c: list[Any], span: Span) -> ast.Fee:
        return ast.Fee(str(c[0]), c[1], tuple(_tokens(c[2:])), span=span)

    # ============================================================== assumptions

    def r_assumptions(self, c: list[Any], span: Span) -> ast.Assumptions:
        return ast.Assumptions(tuple(c), span=span)

    def r_expected_claims(self, c: list[Any], span: Span) -> ast.ExpectedClaims:
        return ast.ExpectedClaims(c[0], span=span)

    def r_claimants(self, c: list[Any], span: Span) -> ast.Claimants:
        return ast.Claimants(c[0], span=span)

    def r_claimant_cost(self, c: list[Any], span: Span) -> ast.ClaimantCost:
        return ast.ClaimantCost(c[0], span=span)

    def r_lognormal(self, c: list[Any], span: Span) -> ast.Lognormal:
        return ast.Lognormal(c[0], c[1], span=span)

    def r_gamma(self, c: list[Any], span: Span) -> ast.Gamma:
        return ast.Gamma(c[0], c[1], span=span)

    def r_pareto(self, c: list[Any], span: Span) -> ast.Pareto:
        return ast.Pareto(c[0], c[1], span=span)

    def r_continuance_table(self, c: list[Any], span: Span) -> ast.ContinuanceTable:
        return ast.ContinuanceTable(
            unescape(str(c[0])), unescape(str(c[1])) if len(c) > 1 else None, span=span
        )

    def r_claim_count(self, c: list[Any], span: Span) -> ast.ClaimCount:
        return ast.ClaimCount(c[0], span=span)

    def r_poisson(self, c: list[Any], span: Span) -> ast.Poisson:
        return ast.Poisson(span=span)

    def r_negative_binomial(self, c: list[Any], span: Span) -> ast.NegativeBinomial:
        return ast.NegativeBinomial(c[0], span=span)

    def r_fully_insured(self, c: list[Any], span: Span) -> ast.FullyInsured:
        return ast.FullyInsured(c[0], span=span)

    def r_tier_ratios(self, c: list[Any], span: Span) -> ast.TierRatios:
        return ast.TierRatios(c[0], span=span)

    def r_funding_margin(self, c: list[Any], span: Span) -> ast.FundingMargin:
        return ast.FundingMargin(c[0], span=span)

    def r_claims_basis(self, c: list[Any], span: Span) -> ast.ClaimsBasis:
        return ast.ClaimsBasis(str(c[0]), span=span)

    def r_seasonality(self, c: list[Any], span: Span) -> ast.Seasonality:
        return ast.Seasonality(tuple(c), span=span)

    # ============================================================== experience

    def r_experience(self, c: list[Any], span: Span) -> ast.Experience:
        return ast.Experience(tuple(c), span=span)

    def r_trend_entry(self, c: list[Any], span: Span) -> ast.TrendEntry:
        return ast.TrendEntry(str(c[0]), c[1], span=span)

    def r_trend(self, c: list[Any], span: Span) -> ast.Trend:
        return ast.Trend(tuple(c), span=span)

    def r_projection(self, c: list[Any], span: Span) -> ast.Projection:
        return ast.Projection(c[0], c[1] if len(c) > 1 else None, span=span)

    def r_completion(self, c: list[Any], span: Span) -> ast.Completion:
        return ast.Completion(c[0], span=span)

    def r_pooling_point(self, c: list[Any], span: Span) -> ast.PoolingPoint:
        return ast.PoolingPoint(c[0], span=span)

    def r_pooling_charge(self, c: list[Any], span: Span) -> ast.PoolingCharge:
        return ast.PoolingCharge(c[0], span=span)

    def r_count(self, c: list[Any], span: Span) -> ast.Number:
        return ast.Number(Decimal(str(c[0]).replace(",", "")), span=span)

    def r_limited_fluctuation(self, c: list[Any], span: Span) -> ast.LimitedFluctuation:
        return ast.LimitedFluctuation(c[0], span=span)

    def r_buhlmann(self, c: list[Any], span: Span) -> ast.Buhlmann:
        return ast.Buhlmann(c[0], span=span)

    def r_credibility(self, c: list[Any], span: Span) -> ast.Credibility:
        return ast.Credibility(c[0], span=span)

    def r_manual_rate(self, c: list[Any], span: Span) -> ast.ManualRate:
        return ast.ManualRate(c[0], span=span)

    def r_plan_design_change(self, c: list[Any], span: Span) -> ast.PlanDesignChange:
        return ast.PlanDesignChange(c[0], span=span)

    def r_rate_cap(self, c: list[Any], span: Span) -> ast.RateCap:
        return ast.RateCap(c[0], span=span)

    # ============================================================== tests

    def r_test(self, c: list[Any], span: Span) -> ast.Test:
        return ast.Test(unescape(str(c[0])), tuple(c[1:]), span=span)

    def r_option_key(self, c: list[Any], span: Span) -> str:
        return str(c[0])

    def r_option(self, c: list[Any], span: Span) -> ast.Option:
        return ast.Option(str(c[0]), (c[1],), span=span)

    def r_absence_option(self, c: list[Any], span: Span) -> ast.Option:
        return ast.Option("absence", (c[0], c[1]), span=span)

    def r_network_option(self, c: list[Any], span: Span) -> ast.Option:
        side_span = Span(self.path, span.line, span.end_column - len(c[0]), span.end_line, span.end_column)
        return ast.Option("network", (ast.Name(str(c[0]), span=side_span),), span=span)

    def r_test_member(self, c: list[Any], span: Span) -> ast.TestMember:
        return ast.TestMember(unescape(str(c[0])), unescape(str(c[1])), str(c[2]), tuple(c[3:]), span=span)

    def r_test_claim(self, c: list[Any], span: Span) -> ast.TestClaim:
        return ast.TestClaim(
            unescape(str(c[0])), unescape(str(c[1])), str(c[2]), str(c[3]), c[4], tuple(c[5:]), span=span
        )

    def r_within(self, c: list[Any], span: Span) -> tuple[str, Any]:
        return ("within", c[0])

    def _within(self, c: Sequence[Any]) -> Any:
        found = _first(c, tuple)
        return found[1] if found is not None else None

    def r_field_value(self, c: list[Any], span: Span) -> ast.FieldValue:
        return ast.FieldValue(str(c[0]), c[1], span=span)

    def r_expect_claim(self, c: list[Any], span: Span) -> ast.ExpectClaim:
        return ast.ExpectClaim(unescape(str(c[0])), tuple(_of(c, ast.FieldValue)), self._within(c), span=span)

    def r_dotted_path(self, c: list[Any], span: Span) -> tuple[str, ...]:
        return tuple(_tokens(c))

    def r_expect_summary(self, c: list[Any], span: Span) -> ast.ExpectSummary:
        return ast.ExpectSummary(c[0], c[1], self._within(c[2:]), span=span)

    def r_expect_specific(self, c: list[Any], span: Span) -> ast.ExpectSpecific:
        return ast.ExpectSpecific(unescape(str(c[0])), str(c[1]), c[2], self._within(c[3:]), span=span)

    def r_expect_aggregate(self, c: list[Any], span: Span) -> ast.ExpectAggregate:
        return ast.ExpectAggregate(str(c[0]), c[1], self._within(c[2:]), span=span)

    def r_expect_diagnostic(self, c: list[Any], span: Span) -> ast.ExpectDiagnostic:
        return ast.ExpectDiagnostic(str(c[0]), span=span)


def rule_names() -> set[str]:
    """The grammar rules the builder handles (a test checks it covers the grammar)."""
    return {name[2:] for name in dir(_Builder) if name.startswith("r_")}


def build_file(tree: Tree[Token], *, path: str, comments: Sequence[ast.Comment] = ()) -> ast.RuleFile:
    """The ``RuleFile`` of a parse tree of ``start``."""
    statements = _Builder(path).transform(tree)
    return ast.RuleFile(path, tuple(statements), tuple(comments), span=Span(path, 1, 1, 1, 1))
