"""The compiled domain model: what a checked rule file means, free of syntax.

Only ``compile.py`` builds a ``Ruleset`` from source; engines (settle/, price/) take a ``Ruleset``
and know nothing of syntax. Every class is a frozen, picklable attrs class. Money is ``Decimal`` to
cents, rates are exact ``Decimal`` fractions (``0.8`` for 80%), never floats.

Parameter names follow docs/semantics.md (its mapping table at the top). Each statement-level object carries
a ``source`` (file and line of the rule-file statement) so that explanations can cite it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

import attrs

from aso_rules.money import ZERO, Money, Rate, RoundingMode

K = TypeVar("K")
V = TypeVar("V")

LineKind = Literal["medical", "rx", "dental", "vision", "std", "ltd"]
LINE_KINDS: tuple[str, ...] = ("medical", "rx", "dental", "vision", "std", "ltd")
NOT_ASO_LINES: tuple[str, ...] = ("life", "accidental_death")
FamilyMode = Literal["embedded", "aggregate"]
Network = Literal["in", "out"]


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """An immutable, hashable, picklable mapping (insertion ordered)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[K, V] | Any = ()) -> None:
        self._data: dict[K, V] = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._data,))


def fmap(data: Mapping[Any, Any] | Any = ()) -> FrozenMap[Any, Any]:
    """attrs converter: any mapping (or iterable of pairs) to a FrozenMap."""
    return data if isinstance(data, FrozenMap) else FrozenMap(data)


@attrs.frozen
class Source:
    """Where a statement stands in a rule file (1-based line)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


# --------------------------------------------------------------------------- header and settings


@attrs.frozen
class PlanYear:
    start: date
    end: date


@attrs.frozen
class Tier:
    code: str
    label: str


@attrs.frozen
class Settings:
    """Ruleset-wide configuration points (docs/semantics.md section 12), with their defaults."""

    rounding: RoundingMode = "half_up"
    processing_order: Literal["paid", "incurred"] = "paid"
    lesser_of_billed: bool = True
    noncovered_basis: Literal["billed", "repriced"] = "billed"
    coinsurance_rounding_side: Literal["member", "plan"] = "member"
    # In/out-of-network accumulators: separate by default ("network accumulators").
    network_accumulators: Literal["separate", "cross"] = "separate"
    per_claim_fee_unit: Literal["claim", "line"] = "claim"
    per_claim_fee_counts_denied: bool = True
    pct_of_claims_base: Literal["gross", "net_of_stop_loss"] = "gross"
    specific_claimant_key: Literal["member", "family"] = "member"


@attrs.frozen
class TierAmounts:
    """A tier table (or one amount for every tier) with its unit, e.g. ``pepm``.

    ``amounts`` has one entry per declared tier after compilation (a single amount is spread to all).
    """

    amounts: FrozenMap[str, Money] = attrs.field(converter=fmap)
    unit: Literal["pepm", "pmpm"] = "pepm"

    def for_tier(self, tier: str) -> Money:
        return self.amounts.get(tier, ZERO)


# --------------------------------------------------------------------------- cost sharing


@attrs.frozen
class CategoryRule:
    """Cost sharing of one benefit category (docs/semantics.md 3.4 category parameters)."""

    copay: Money = ZERO
    deductible_applies: bool = True
    coins: Rate = Decimal(0)  # member coinsurance rate, 0..1
    copay_counts_to_oop: bool = True
    copay_counts_to_deductible: bool = False
    step_order: tuple[str, ...] = ("copay", "deductible", "coinsurance")
    source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class CostSharing:
    """Cost sharing of one network tier of a coverage line.

    ``categories`` holds the categories with their own rule (copays, covered in full, dental classes);
    every other category takes ``default`` (deductible, then ``coins``).
    Amounts are ``None`` where the plan has no such limit.
    """

    ded_ind: Money | None = None
    ded_fam: Money | None = None
    ded_mode: FamilyMode = "embedded"
    oop_ind: Money | None = None
    oop_fam: Money | None = None
    oop_mode: FamilyMode = "embedded"
    ind_oop_cap_in_family: Money | None = None
    default: CategoryRule = CategoryRule()
    categories: FrozenMap[str, CategoryRule] = attrs.field(factory=FrozenMap, converter=fmap)
    deductible_source: Source | None = attrs.field(default=None, eq=False)
    oop_source: Source | None = attrs.field(default=None, eq=False)
    coinsurance_source: Source | None = attrs.field(default=None, eq=False)

    def rule_for(self, category: str) -> CategoryRule:
        return self.categories.get(category, self.default)


@attrs.frozen
class Limit:
    """A benefit limit on a category: visits (denial beyond) or plan dollars (3.5)."""

    category: str
    kind: Literal["visits", "dollars"]
    amount: Decimal  # visits: a count; dollars: Money
    period: Literal["year", "lifetime"] = "year"
    scope: Literal["person"] = "person"
    source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Exclusion:
    categories: tuple[str, ...]
    reason: str
    source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class DentalClass:
    name: str
    plan_rate: Rate
    deductible_applies: bool = True
    waiting_months: int = 0
    counts_to_annual_max: bool = True
    source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class DentalTerms:
    classes: FrozenMap[str, DentalClass] = attrs.field(factory=FrozenMap, converter=fmap)
    annual_max: Money | None = None
    annual_max_source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class DisabilityTerms:
    """STD (weekly) or LTD (monthly) benefit (docs/semantics.md section 5)."""

    kind: Literal["std", "ltd"]
    pct: Rate
    maximum: Money | None  # per week (std) or per month (ltd)
    elimination_illness_days: int = 0
    elimination_accident_days: int = 0
    duration_days: int | None = None  # longest payable period, in days
    max_includes_ep: bool = False
    minimum_flat: Money | None = None  # ltd
    minimum_pct: Rate | None = None  # ltd
    source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Coverage:
    """One coverage line (the ``line`` column of claims)."""

    name: str
    kind: str  # one of LINE_KINDS
    networks: FrozenMap[str, CostSharing] = attrs.field(factory=FrozenMap, converter=fmap)
    limits: tuple[Limit, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    shares_deductible_with: str | None = None
    shares_oop_with: str | None = None
    dental: DentalTerms | None = None
    disability: DisabilityTerms | None = None
    source: Source | None = attrs.field(default=None, eq=False)

    def cost_sharing(self, network: str) -> CostSharing:
        """The network's terms, falling back to in-network terms."""
        return self.networks.get(network) or self.networks.get("in") or CostSharing()

    def exclusion_for(self, category: str) -> Exclusion | None:
        for exc in self.exclusions:
            if category in exc.categories:
                return exc
        return None


@attrs.frozen
class ExcludedLine:
    """``exclude coverage LINE "REASON"``: claims of this line are denied with the reason."""

    line: str
    reason: str
    source: Source | None = attrs.field(default=None, eq=False)


# --------------------------------------------------------------------------- repricing


@attrs.frozen
class FeeSchedule:
    """How billed becomes allowed for a line's claims without an allowed amount (3.2).

    Order: ``codes`` (amount x units), then ``categories`` (amount per day or unit x units), then the
    network percentage of billed. ``None`` percentages mean no percentage pricing for that network.
    """

    line: str
    in_network_pct: Rate | None = None
    out_of_network_pct: Rate | None = None
    codes: FrozenMap[str, Money] = attrs.field(factory=FrozenMap, converter=fmap)
    categories: FrozenMap[str, Money] = attrs.field(factory=FrozenMap, converter=fmap)
    source: Source | None = attrs.field(default=None, eq=False)


# --------------------------------------------------------------------------- stop-loss


@attrs.frozen
class Basis:
    """Contract basis ``I/P`` in months, or ``paid`` (any incurred date, paid in the year)."""

    incurred_months: int = 12
    paid_months: int = 12
    paid_basis: bool = False

    def __str__(self) -> str:
        return "paid" if self.paid_basis else f"{self.incurred_months}/{self.paid_months}"


@attrs.frozen
class SpecificStopLoss:
    """One specific (per-claimant) tier (docs/semantics.md section 6; stacked tiers 6.4)."""

    name: str
    deductible: Money
    lasers: FrozenMap[str, Money | None] = attrs.field(factory=FrozenMap, converter=fmap)
    aggregating_deductible: Money = ZERO
    maximum: Money | None = None  # per claimant per policy period
    reimbursement_pct: Rate = Decimal(1)
    covers: tuple[str, ...] = ("medical", "rx")
    basis: Basis = Basis()
    premium: TierAmounts | None = None
    terminal_liability: bool = False
    no_new_lasers: bool = False  # the contract allows no new laser at renewal
    # specific advance funding: the carrier funds its share of an adjudicated, not yet paid claim
    # over the deductible before the plan pays it (a request of at least ``advance_minimum``)
    advance_funding: bool = False
    advance_minimum: Money = ZERO
    source: Source | None = attrs.field(default=None, eq=False)

    def deductible_for(self, claimant: str) -> Money | None:
        """The claimant's deductible (a laser overrides it; ``None`` = excluded, never reimbursed)."""
        if claimant in self.lasers:
            return self.lasers[claimant]
        return self.deductible


@attrs.frozen
class AggregateStopLoss:
    """Aggregate stop-loss (docs/semantics.md section 7)."""

    name: str
    factors: TierAmounts | None = None  # monthly attachment factors per employee by tier
    pct_of_expected: Rate | None = None  # attachment as a percent of assumptions.expected_claims
    minimum_pct: Rate = Decimal("0.95")  # of the first month's attachment x 12
    minimum_fixed: Money | None = None
    maximum: Money | None = None
    reimbursement_pct: Rate = Decimal(1)
    covers: tuple[str, ...] = ("medical", "rx")
    basis: Basis = Basis()
    premium: TierAmounts | None = None
    laser_treatment: Literal["to_laser", "standard_only"] = "to_laser"
    claim_basis: Literal["capped", "net_of_specific"] = "capped"
    cap_per_claimant: bool = True  # cap each claimant at the lowest specific tier's deductible
    asd_counts: bool = False
    monthly_accommodation: bool = False
    terminal_liability: bool = False
    source: Source | None = attrs.field(default=None, eq=False)


# --------------------------------------------------------------------------- fees


@attrs.frozen
class Fee:
    """An administrative fee (docs/semantics.md 8.1).

    kind: ``pepm`` / ``pmpm`` (``amounts`` by tier), ``per_claim`` (``amount``),
    ``pct_paid_claims`` / ``pct_savings`` (``pct``, over ``lines``; empty = every line).
    """

    name: str
    kind: Literal["pepm", "pmpm", "per_claim", "pct_paid_claims", "pct_savings"]
    amounts: TierAmounts | None = None
    amount: Money | None = None
    pct: Rate | None = None
    lines: tuple[str, ...] = ()
    source: Source | None = attrs.field(default=None, eq=False)

    @property
    def fixed(self) -> bool:
        """Fixed fees depend on enrollment only (I-EMP-4)."""
        return self.kind in ("pepm", "pmpm")


# --------------------------------------------------------------------------- pricing assumptions


@attrs.frozen
class Lognormal:
    mean: Money
    cv: Decimal


@attrs.frozen
class Gamma:
    mean: Money
    cv: Decimal


@attrs.frozen
class Pareto:
    alpha: Decimal
    scale: Money


@attrs.frozen
class ContinuanceRow:
    """One bucket of a continuance table: upper bound, share of members, limited expected value."""

    up_to: Decimal
    share: Decimal
    limited_expected_value: Decimal


@attrs.frozen
class ContinuanceTable:
    path: str  # as written in the rule file, resolved against the rule file's folder
    rows: tuple[ContinuanceRow, ...] = ()
    name: str | None = None  # which table of a file holding several (``named "silver_integrated"``)


Severity = Lognormal | Gamma | Pareto | ContinuanceTable


@attrs.frozen
class Poisson:
    pass


@attrs.frozen
class NegativeBinomial:
    dispersion: Decimal


CountModel = Poisson | NegativeBinomial
ClaimsBasisName = Literal["net_of_specific", "gross"]
CLAIMS_BASES: tuple[ClaimsBasisName, ...] = ("net_of_specific", "gross")


@attrs.frozen
class Assumptions:
    expected_claims: TierAmounts | None = None  # pepm, stop-loss-eligible plan-paid claims
    claimants_pct: Rate | None = None  # share of members with claims
    claimant_cost: Severity | None = None
    claim_count: CountModel = Poisson()
    fully_insured: TierAmounts | None = None
    tier_ratios: FrozenMap[str, Decimal] | None = attrs.field(default=None)
    funding_margin: Rate = Decimal(0)
    # What expected_claims counts: plan-paid claims capped at the lowest specific deductible
    # ("net_of_specific"), or all plan-paid claims ("gross", the specific layer included).
    claims_basis: ClaimsBasisName = "net_of_specific"
    # Each plan month's claims per member month relative to the year's average (tracking's shape of
    # the year); ``None``: every month alike.
    seasonality: tuple[Decimal, ...] | None = None
    source: Source | None = attrs.field(default=None, eq=False)


# --------------------------------------------------------------------------- renewal experience


@attrs.frozen
class LimitedFluctuation:
    """Full credibility at ``full`` member-years; below it ``Z = sqrt(n / full)``."""

    full: Decimal


@attrs.frozen
class Buhlmann:
    """``Z = n / (n + k)`` with ``n`` member-years and ``k`` = EPV / VHM as stated."""

    k: Decimal


CredibilityMethod = LimitedFluctuation | Buhlmann


@attrs.frozen
class Experience:
    """The ``experience`` block: how this plan year's claims project to next year (docs/renewal.md).

    ``trend`` maps each projected coverage line to its annual trend rate (0.085 for 8.5%); only the
    lines it names enter the renewal. ``projection_months`` is the trend period, experience midpoint
    to projection midpoint. ``completion`` is the share of incurred claims already paid (1: complete).
    ``manual_rate`` is next year's manual claims rate by tier on the pooled basis.
    """

    trend: FrozenMap[str, Rate] = attrs.field(converter=fmap)
    projection_months: Decimal
    credibility: CredibilityMethod
    manual_rate: TierAmounts
    completion: Rate = Decimal(1)
    pooling_point: Money | None = None
    pooling_charge: TierAmounts | None = None
    plan_design_change: Decimal | None = None
    rate_cap: Rate | None = None
    source: Source | None = attrs.field(default=None, eq=False)


# --------------------------------------------------------------------------- tests in the language


@attrs.frozen
class TestMember:
    member_id: str
    family_id: str
    tier: str
    relationship: str = "employee"
    coverage_start: date | None = None  # None: the plan year's start
    coverage_end: date | None = None  # None: open
    annual_salary: Money | None = None
    weekly_earnings: Money | None = None
    source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class TestClaim:
    claim_id: str
    member_id: str
    line: str
    category: str
    incurred: date
    paid: date | None = None  # None: the incurred date
    billed: Money | None = None  # None: the allowed amount
    allowed: Money | None = None  # None: priced by the fee schedule
    network: str = "in"
    code: str | None = None
    units: int = 1
    absence_start: date | None = None
    absence_end: date | None = None
    cause: str | None = None
    weekly_earnings: Money | None = None
    source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Tolerance:
    kind: Literal["absolute", "relative"]
    value: Decimal  # money for absolute, a rate (0.005) for relative


@attrs.frozen
class Expectation:
    """One expected value in a test.

    target: ``claim`` (``subject`` = claim id, ``field`` = a ledger column),
    ``summary`` (``field`` = a dotted summary.json path, e.g. ``employer_cost.total``),
    ``specific`` (``subject`` = tier name, ``field`` = ``reimbursed``),
    ``aggregate`` (``field`` = ``reimbursed`` / ``attachment_point`` / ``eligible_claims``),
    ``diagnostic`` (``field`` = a diagnostic code expected from the checker).
    """

    target: Literal["claim", "summary", "specific", "aggregate", "diagnostic"]
    field: str
    value: Decimal | str
    subject: str | None = None
    tolerance: Tolerance | None = None
    source: Source | None = attrs.field(default=None, eq=False)


@attrs.frozen
class TestCase:
    name: str
    members: tuple[TestMember, ...] = ()
    claims: tuple[TestClaim, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    source: Source | None = attrs.field(default=None, eq=False)


# --------------------------------------------------------------------------- the ruleset


@attrs.frozen
class Ruleset:
    """A compiled, checked ruleset: immutable, thread-safe and picklable."""

    name: str
    plan_year: PlanYear
    administrator: str | None = None
    currency: str = "USD"
    settings: Settings = Settings()
    tiers: tuple[Tier, ...] = ()
    coverages: FrozenMap[str, Coverage] = attrs.field(factory=FrozenMap, converter=fmap)
    excluded_lines: FrozenMap[str, ExcludedLine] = attrs.field(factory=FrozenMap, converter=fmap)
    fee_schedules: FrozenMap[str, FeeSchedule] = attrs.field(factory=FrozenMap, converter=fmap)
    specific: tuple[SpecificStopLoss, ...] = ()  # ordered by deductible, lowest tier first
    aggregate: AggregateStopLoss | None = None
    fees: tuple[Fee, ...] = ()
    assumptions: Assumptions | None = None
    experience: Experience | None = None
    tests: tuple[TestCase, ...] = ()
    constants: FrozenMap[str, Decimal] = attrs.field(factory=FrozenMap, converter=fmap)
    files: tuple[str, ...] = ()  # the rule files it was compiled from, root first

    @property
    def tier_codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.tiers)

    def __repr__(self) -> str:
        from aso_rules.notebook import ruleset_repr

        return ruleset_repr(self)

    def _repr_html_(self) -> str:
        from aso_rules.notebook import ruleset_html

        return ruleset_html(self)

    def settle(self, claims: Any, enrollment: Any, *, engine: str = "reference", **kw: Any) -> Any:
        """Settle claims against enrollment; returns a ``Settlement``. A thin wrapper over the facade's
        ``aso_rules.settle_claims``, so that the model never imports the engines."""
        import aso_rules

        return aso_rules.settle_claims(self, claims, enrollment, engine=engine, **kw)

    def price(self, enrollment: Any, **kw: Any) -> Any:
        """Price the plan year for an enrollment; returns a ``Quote``. A thin wrapper over the facade's
        ``aso_rules.price_plan``, so that the model never imports the pricer."""
        import aso_rules

        return aso_rules.price_plan(self, enrollment, **kw)
