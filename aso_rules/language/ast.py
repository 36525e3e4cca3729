"""The syntax tree of a rule file: one frozen attrs class per statement, block and value kind.

On entry (from ``build.py``): the text parsed without syntax errors; every node is exactly what was
written, in source order, with nothing checked (names unresolved, units unvalidated, dates not
validated as calendar dates). On exit (to ``check.py`` / ``compile.py``): the same, unchanged.

Every node has ``span`` (where it was written) excluded from equality, so parsed, hand-built and
generated nodes compare equal. Comments are kept per file (``RuleFile.comments``), also excluded from
equality. Class names match grammar rules (rule ``plan_pays`` -> ``PlanPays``).

Values keep their unit: ``Money``, ``Percent`` (as written: ``Percent(Decimal("80"))`` is 80%),
``Number``, ``Date``, ``Duration``, ``Name`` (a reference to a ``let`` constant, or a bare word such
as ``illness`` or ``denied``: the checker decides from context), ``String``. A value with what it is
per is a ``Quantity`` (``$1,500 per person`` -> ``Quantity(Money(1500), ("per person",))``); a
percent of a base is a ``Share``; a tier table is a ``TierTable``.

Change log (names are a contract with the checker and compiler): ``Experience`` and its items added
(the renewal block).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Literal, TypeAlias

import attrs

from aso_rules.language.diagnostics import Span

NO_SPAN = Span("", 0, 0, 0, 0)


# =========================================================================================== values


@attrs.frozen
class Money:
    """``$1,500`` -> ``Money(Decimal("1500"))``; the digits after the point are kept as written."""

    amount: Decimal
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Percent:
    """``62.5%`` -> ``Percent(Decimal("62.5"))`` (the number as written, not the rate 0.625)."""

    value: Decimal
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)

    @property
    def rate(self) -> Decimal:
        return self.value / 100


@attrs.frozen
class Number:
    """A plain number: a count (``20``), a ratio (``1.00``), a coefficient (``3.0``)."""

    value: Decimal
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Date:
    """``2026-01-01``; not validated as a calendar date (``to_date`` returns None if invalid)."""

    year: int
    month: int
    day: int
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)

    def to_date(self) -> datetime.date | None:
        try:
            return datetime.date(self.year, self.month, self.day)
        except ValueError:
            return None


DurationUnit = Literal["days", "weeks", "months"]


@attrs.frozen
class Duration:
    """``7 days``, ``26 weeks``, ``12 months``."""

    amount: Decimal
    unit: DurationUnit
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Name:
    """A bare snake_case word in value position: a ``let`` constant or a word like ``illness``."""

    name: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class String:
    """A double-quoted string; ``value`` is unescaped (``\\"`` -> ``"``, ``\\\\`` -> ``\\``)."""

    value: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


Value: TypeAlias = Money | Percent | Number | Date | Duration | Name | String


@attrs.frozen
class Quantity:
    """A value with what it is per, in written order.

    ``units`` items are ``"per person"``, ``"per family"``, ``"per claimant"``, ``"per claim"``,
    ``"per day"``, ``"per week"``, ``"per month"``, ``"per visit"``, ``"per unit"``, ``"per year"``
    (any ``per NAME``), ``"pepm"``, ``"pmpm"``, ``"visits"``, ``"lifetime"``.
    ``20 visits per person per year`` -> ``Quantity(Number(20), ("visits", "per person", "per year"))``.
    """

    value: Value
    units: tuple[str, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Share:
    """``125% of expected_claims`` -> ``Share(Percent(125), "expected_claims")``."""

    value: Value
    base: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TierAmount:
    tier: str
    value: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TierTable:
    """``EE $42.10, ES $95.00 pepm``: one entry per tier as written, then the units."""

    entries: tuple[TierAmount, ...]
    units: tuple[str, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


Rates: TypeAlias = Quantity | TierTable
Amount: TypeAlias = Quantity | Share | TierTable


# =========================================================================================== header


@attrs.frozen
class Administrator:
    name: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class PlanYear:
    start: Value
    end: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Currency:
    code: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TierDef:
    code: str
    label: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Tiers:
    tiers: tuple[TierDef, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Setting:
    """A configuration point ``KEY VALUE``: ``rounding half_even``, ``terminal_liability on``.

    In the ruleset header and in stop-loss blocks; ``value`` is the word as written.
    """

    key: str
    value: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


HeaderItem: TypeAlias = Administrator | PlanYear | Currency | Tiers | Setting


@attrs.frozen
class Ruleset:
    name: str
    items: tuple[HeaderItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== top level


@attrs.frozen
class Let:
    name: str
    value: Amount
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Include:
    path: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== coverage

FamilyMode = Literal["embedded", "aggregate"]


@attrs.frozen
class Deductible:
    """``deductible A per person[, B per family] [embedded|aggregate]``; also a stop-loss deductible."""

    amount: Quantity
    family: Quantity | None = None
    mode: FamilyMode | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class OutOfPocket:
    """``out_of_pocket A per person[, B per family] [embedded|aggregate] [individual_cap C]``."""

    amount: Quantity
    family: Quantity | None = None
    mode: FamilyMode | None = None
    individual_cap: Quantity | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class PlanPays:
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class CopayEntry:
    """``CATEGORY $X [then deductible] [counts_to_deductible]``."""

    category: str
    amount: Quantity
    then_deductible: bool = False
    counts_to_deductible: bool = False
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Copay:
    entries: tuple[CopayEntry, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class CoveredInFull:
    categories: tuple[str, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


CostSharingItem: TypeAlias = Deductible | OutOfPocket | PlanPays | Copay | CoveredInFull


@attrs.frozen
class Network:
    """``network in|out { ...cost sharing... }``."""

    network: Literal["in", "out"]
    items: tuple[CostSharingItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Limit:
    """``limit CATEGORY 20 visits per person per year`` / ``limit CATEGORY $X per person lifetime``."""

    category: str
    amount: Quantity
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Exclude:
    """``exclude CATEGORY, ... ["REASON"]`` inside a coverage."""

    categories: tuple[str, ...]
    reason: str | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Shares:
    """``shares deductible|out_of_pocket with LINE``."""

    accumulator: Literal["deductible", "out_of_pocket"]
    line: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class DentalClass:
    """``class NAME pays P% [waive deductible] [waiting N months] [outside maximum]``."""

    name: str
    pays: Value
    waive_deductible: bool = False
    waiting: Value | None = None
    outside_maximum: bool = False
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Maximum:
    """``maximum $X per person per year`` (dental) / ``maximum $X [per claimant]`` (stop-loss)."""

    amount: Quantity
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Benefit:
    """``benefit 60% of weekly_earnings [up to $1,000 per week]``."""

    share: Share
    maximum: Quantity | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class EliminationEntry:
    """``7 days illness``: a waiting period and the cause it applies to (None: every cause)."""

    period: Value
    cause: str | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Elimination:
    entries: tuple[EliminationEntry, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class BenefitDuration:
    """``duration 26 weeks``: the longest payable period."""

    period: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Minimum:
    """``minimum $100 [or 10% of benefit]`` (LTD minimum benefit)."""

    amount: Quantity
    alternative: Share | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Flag:
    """A bare option word: ``maximum_includes_elimination``."""

    name: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


CoverageItem: TypeAlias = (
    CostSharingItem
    | Network
    | Limit
    | Exclude
    | Shares
    | DentalClass
    | Maximum
    | Benefit
    | Elimination
    | BenefitDuration
    | Minimum
    | Flag
)


@attrs.frozen
class Coverage:
    line: str
    items: tuple[CoverageItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExcludeCoverage:
    """``exclude coverage LINE, ... ["REASON"]`` at top level."""

    lines: tuple[str, ...]
    reason: str | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== repricing


@attrs.frozen
class NetworkPricing:
    """``in_network 58% of billed`` / ``out_of_network 100% of billed``."""

    network: Literal["in_network", "out_of_network"]
    share: Share
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class CodePrice:
    """``code "99213" $92.00`` (per unit)."""

    code: str
    amount: Quantity
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class CategoryPrice:
    """``category inpatient $2,450 per day``."""

    category: str
    amount: Quantity
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


FeeScheduleItem: TypeAlias = NetworkPricing | CodePrice | CategoryPrice


@attrs.frozen
class FeeSchedule:
    line: str
    items: tuple[FeeScheduleItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== stop-loss


@attrs.frozen
class Laser:
    """``laser "ID" $X`` or ``laser "ID" excluded`` (``amount`` None)."""

    member: str
    amount: Quantity | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class AggregatingDeductible:
    amount: Quantity
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Reimburses:
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Covers:
    lines: tuple[str, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Basis:
    """``basis 12/15`` (incurred/paid months) or ``basis paid`` (``paid_basis``, months unused)."""

    incurred_months: int = 12
    paid_months: int = 12
    paid_basis: bool = False
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Premium:
    amount: Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class AdvanceFunding:
    """``advance_funding on [minimum $5,000]`` (or ``off``): the carrier funds its share of an
    adjudicated claim over the specific deductible before the plan pays it."""

    on: bool
    minimum: Quantity | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


SpecificItem: TypeAlias = (
    Deductible
    | Laser
    | AggregatingDeductible
    | Maximum
    | Reimburses
    | Covers
    | Basis
    | Premium
    | AdvanceFunding
    | Setting
)


@attrs.frozen
class StopLossSpecific:
    name: str
    items: tuple[SpecificItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Attachment:
    """``attachment 125% of expected_claims`` or ``attachment EE $450.00, ... pepm``."""

    amount: Share | Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class MinimumAttachment:
    """``minimum_attachment $1,800,000`` or ``minimum_attachment 95% of first_month``."""

    amount: Share | Quantity
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


AggregateItem: TypeAlias = (
    Attachment | MinimumAttachment | Maximum | Reimburses | Covers | Basis | Premium | Setting
)


@attrs.frozen
class StopLossAggregate:
    name: str
    items: tuple[AggregateItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== fees


@attrs.frozen
class Fee:
    """``NAME $X pepm``, ``NAME <tier table> pepm``, ``NAME $X per claim``,
    ``NAME P% of paid_claims [LINE, ...]``, ``NAME P% of savings``.

    ``lines`` is only written after a ``Share``.
    """

    name: str
    amount: Amount
    lines: tuple[str, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class AdminFees:
    fees: tuple[Fee, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== assumptions


@attrs.frozen
class ExpectedClaims:
    amount: Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Claimants:
    """``claimants 78% of members``."""

    share: Share
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Lognormal:
    mean: Value
    cv: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Gamma:
    mean: Value
    cv: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Pareto:
    alpha: Value
    scale: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ContinuanceTable:
    """``table "FILE" [named "NAME"]``; the path is relative to the rule file's folder."""

    path: str
    name: str | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


SeverityModel: TypeAlias = Lognormal | Gamma | Pareto | ContinuanceTable


@attrs.frozen
class ClaimantCost:
    model: SeverityModel
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Poisson:
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class NegativeBinomial:
    dispersion: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


CountModel: TypeAlias = Poisson | NegativeBinomial


@attrs.frozen
class ClaimCount:
    model: CountModel
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class FullyInsured:
    amount: Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TierRatios:
    """``tier_ratios EE 1.00, ES 2.10, EC 1.85, FAM 3.00``."""

    amount: Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class FundingMargin:
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ClaimsBasis:
    """``claims_basis net_of_specific | gross``: what ``expected_claims`` counts."""

    basis: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


AssumptionItem: TypeAlias = (
    ExpectedClaims
    | Claimants
    | ClaimantCost
    | ClaimCount
    | FullyInsured
    | TierRatios
    | FundingMargin
    | ClaimsBasis
)


@attrs.frozen
class Assumptions:
    items: tuple[AssumptionItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== experience


@attrs.frozen
class TrendEntry:
    """``medical 8.5%``: a coverage line and its annual trend."""

    line: str
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Trend:
    entries: tuple[TrendEntry, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Projection:
    """``projection 12 months`` (``end`` None) or ``projection DATE to DATE`` (midpoint to midpoint)."""

    start: Value
    end: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Completion:
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class PoolingPoint:
    amount: Quantity
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class PoolingCharge:
    amount: Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class LimitedFluctuation:
    """``limited_fluctuation full at 2,000 lives``."""

    full: Number
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Buhlmann:
    """``buhlmann k 1,500`` (Z = n / (n + k), n in member-years)."""

    k: Number
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Credibility:
    method: LimitedFluctuation | Buhlmann
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ManualRate:
    amount: Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class PlanDesignChange:
    factor: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class RateCap:
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


ExperienceItem: TypeAlias = (
    Trend
    | Projection
    | Completion
    | PoolingPoint
    | PoolingCharge
    | Credibility
    | ManualRate
    | PlanDesignChange
    | RateCap
)


@attrs.frozen
class Experience:
    """``experience { ... }``: how this year's experience becomes next year's rates."""

    items: tuple[ExperienceItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== tests


@attrs.frozen
class Option:
    """An optional ``KEY VALUE`` of a test member or claim, as written.

    Keys: relationship, from, to, salary, weekly_earnings (members); paid, billed, allowed, code,
    units, cause, weekly_earnings, ``network`` (value ``Name("in"|"out")``) and ``absence``
    (two values: start and end) (claims).
    """

    key: str
    values: tuple[Value, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TestMember:
    """``member "ID" family "FID" tier T [options]``."""

    __test__ = False  # not a pytest class

    member_id: str
    family_id: str
    tier: str
    options: tuple[Option, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TestClaim:
    """``claim "ID" member "M" LINE CATEGORY incurred DATE [options]``."""

    __test__ = False

    claim_id: str
    member_id: str
    line: str
    category: str
    incurred: Value
    options: tuple[Option, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class FieldValue:
    field: str
    value: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectClaim:
    """``expect "CLAIM" FIELD VALUE [FIELD VALUE ...] [within TOL]``."""

    claim_id: str
    fields: tuple[FieldValue, ...]
    within: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectSummary:
    """``expect summary employer_cost.total $X [within TOL]``."""

    path: tuple[str, ...]
    value: Value
    within: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectSpecific:
    """``expect specific "TIER" reimbursed $X [within TOL]``."""

    tier: str
    field: str
    value: Value
    within: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectAggregate:
    """``expect aggregate reimbursed|attachment_point|eligible_claims $X [within TOL]``."""

    field: str
    value: Value
    within: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectDiagnostic:
    """``expect diagnostic W301``."""

    code: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


TestItem: TypeAlias = (
    TestMember | TestClaim | ExpectClaim | ExpectSummary | ExpectSpecific | ExpectAggregate | ExpectDiagnostic
)


@attrs.frozen
class Test:
    """``test "NAME" { ... }``."""

    __test__ = False

    name: str
    items: tuple[TestItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


# =========================================================================================== files

Statement: TypeAlias = (
    Ruleset
    | Let
    | Include
    | Coverage
    | ExcludeCoverage
    | FeeSchedule
    | StopLossSpecific
    | StopLossAggregate
    | AdminFees
    | Assumptions
    | Experience
    | Test
)


@attrs.frozen
class Comment:
    """``# text`` on ``line`` (``text`` excludes the ``#`` and the spaces after it)."""

    line: int
    text: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class RuleFile:
    """One parsed rule file; ``path`` as the loader read it."""

    path: str
    statements: tuple[Statement, ...] = ()
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False)
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Program:
    """The loader's output: the root file, then each included file in the order first included.

    Every statement's ``span.file`` is the path of the file it was written in.
    """

    root: RuleFile
    includes: tuple[RuleFile, ...] = ()

    @property
    def files(self) -> tuple[RuleFile, ...]:
        return (self.root, *self.includes)

    def statements(self) -> Iterator[tuple[RuleFile, Statement]]:
        """Every statement of every file, root first, with the file it belongs to."""
        for rule_file in self.files:
            for statement in rule_file.statements:
                yield rule_file, statement
