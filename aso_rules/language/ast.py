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

The values live in ``ast_values``, the ``experience`` block in ``ast_experience`` and the ``test``
blocks in ``ast_test_blocks``; all are re-exported here, so ``ast`` stays the one import of the tree.

Change log (names are a contract with the checker and compiler): ``Experience`` and its items added
(the renewal block).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, TypeAlias

import attrs

from aso_rules.language.ast_experience import (
    Buhlmann,
    Completion,
    Credibility,
    Experience,
    ExperienceItem,
    LimitedFluctuation,
    ManualRate,
    PlanDesignChange,
    PoolingCharge,
    PoolingPoint,
    Projection,
    RateCap,
    Trend,
    TrendEntry,
)
from aso_rules.language.ast_test_blocks import (
    ExpectAggregate,
    ExpectClaim,
    ExpectDiagnostic,
    ExpectSpecific,
    ExpectSummary,
    FieldValue,
    Option,
    Test,
    TestClaim,
    TestItem,
    TestMember,
)
from aso_rules.language.ast_values import (
    NO_SPAN,
    Amount,
    Date,
    Duration,
    DurationUnit,
    Money,
    Name,
    Number,
    Percent,
    Quantity,
    Rates,
    Share,
    String,
    TierAmount,
    TierTable,
    Value,
)
from aso_rules.language.diagnostics import Span

# The values and the test blocks live in their own modules; every node is still importable from here.
__all__ = [
    "NO_SPAN",
    "Amount",
    "Buhlmann",
    "Completion",
    "Credibility",
    "Date",
    "Duration",
    "DurationUnit",
    "ExpectAggregate",
    "ExpectClaim",
    "ExpectDiagnostic",
    "ExpectSpecific",
    "ExpectSummary",
    "Experience",
    "ExperienceItem",
    "FieldValue",
    "LimitedFluctuation",
    "ManualRate",
    "Money",
    "Name",
    "Number",
    "Option",
    "Percent",
    "PlanDesignChange",
    "PoolingCharge",
    "PoolingPoint",
    "Projection",
    "Quantity",
    "RateCap",
    "Rates",
    "Share",
    "String",
    "Test",
    "TestClaim",
    "TestItem",
    "TestMember",
    "TierAmount",
    "TierTable",
    "Trend",
    "TrendEntry",
    "Value",
]

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


@attrs.frozen
class Seasonality:
    """``seasonality 0.78, 0.75, ...``: each plan month's claims per member month, relative."""

    factors: tuple[Value, ...]
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
    | Seasonality
)


@attrs.frozen
class Assumptions:
    items: tuple[AssumptionItem, ...] = ()
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
