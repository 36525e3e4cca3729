"""The terms that apply to one kind of claim line, resolved once per (line, network, category).

On entry: a ``Ruleset``. On exit: ``LineTerms``, everything the per-line pipeline needs about a
(coverage line, network, category) triple, with shared accumulators (``shares_deductible_with`` /
``shares_oop_with``) already pointed at the owning coverage, dental classes turned into category
rules, and the benefit limits split into visit and dollar limits. The adjudicator caches one
``LineTerms`` per triple, so the rule lookups happen once per kind of line, not once per line.

Where the model is silent (documented decisions):
* ``network_accumulators = "cross"`` keys every network's accumulators together (``"*"``);
  ``"separate"`` keys them by the claim's network, also when that network falls back to the
  in-network terms because the coverage declares no ``network out``.
* An integrated accumulator uses the owning coverage's amounts (deductible or out-of-pocket, same
  network) as well as its running totals: rx that ``shares out_of_pocket with medical`` is capped by
  medical's out-of-pocket maximum.
* A dental claim's category is its class; the class becomes a category rule with no copay, the
  class's deductible waiver, and member coinsurance ``1 - plan_rate``. The dental annual maximum is a
  per-person, per-plan-year dollar limit on the plan payments of the classes that count toward it.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from aso_rules.model import (
    CategoryRule,
    CostSharing,
    Coverage,
    DentalClass,
    DisabilityTerms,
    ExcludedLine,
    Exclusion,
    FeeSchedule,
    Ruleset,
    Source,
)
from aso_rules.money import Money

ONE = Decimal(1)
ANNUAL_MAX = "annual maximum"


@attrs.frozen
class DollarLimit:
    """A cap on plan payments: ``key`` names its accumulator; ``lifetime`` never resets."""

    key: str
    amount: Money
    lifetime: bool
    label: str
    source: Source | None
    name: str  # the accumulator's readable name in explanations


@attrs.frozen
class VisitLimit:
    key: str
    amount: int
    lifetime: bool
    label: str
    source: Source | None
    name: str


@attrs.frozen
class LineTerms:
    """What applies to one (line, network, category). ``kind`` says which pipeline runs.

    kind: ``cost`` (medical, rx, vision: repricing and cost sharing), ``dental`` (the same with a
    class rule), ``std`` / ``ltd`` (disability), ``excluded_line`` (denied with ``reason``),
    ``no_coverage`` (the ruleset has no such line: denied).
    """

    kind: str
    line: str
    reason: str = ""
    coverage: Coverage | None = None
    schedule: FeeSchedule | None = None
    exclusion: Exclusion | None = None
    excluded_line: ExcludedLine | None = None
    rule: CategoryRule = attrs.field(factory=CategoryRule)
    dental_class: DentalClass | None = None
    disability: DisabilityTerms | None = None
    deductible: CostSharing = attrs.field(factory=CostSharing)  # whose deductible amounts apply
    deductible_owner: str = ""  # accumulator key prefix: "coverage/network"
    oop: CostSharing = attrs.field(factory=CostSharing)  # whose out-of-pocket amounts apply
    oop_owner: str = ""
    coinsurance_source: Source | None = None
    visit_limits: tuple[VisitLimit, ...] = ()
    dollar_limits: tuple[DollarLimit, ...] = ()


def _owner(ruleset: Ruleset, shared_with: str | None, line: str) -> str:
    """The coverage whose accumulators a line uses: the one it shares with, else its own."""
    return shared_with if shared_with is not None and shared_with in ruleset.coverages else line


def resolve_terms(ruleset: Ruleset, line: str, network: str, category: str) -> LineTerms:
    """Resolve the terms of one (line, network, category) against the ruleset."""
    excluded = ruleset.excluded_lines.get(line)
    if excluded is not None:
        return LineTerms(kind="excluded_line", line=line, reason=excluded.reason, excluded_line=excluded)
    coverage = ruleset.coverages.get(line)
    if coverage is None:
        return LineTerms(
            kind="no_coverage", line=line, reason=f"not covered: the plan has no coverage {line}"
        )
    if coverage.disability is not None:
        return LineTerms(
            kind=coverage.disability.kind, line=line, coverage=coverage, disability=coverage.disability
        )
    net_key = "*" if ruleset.settings.network_accumulators == "cross" else network
    own = coverage.cost_sharing(network)
    ded_name = _owner(ruleset, coverage.shares_deductible_with, line)
    oop_name = _owner(ruleset, coverage.shares_oop_with, line)
    ded_cov = ruleset.coverages[ded_name]
    oop_cov = ruleset.coverages[oop_name]
    rule = own.rule_for(category)
    dental_class = None
    kind = "cost"
    dollar_limits: list[DollarLimit] = []
    if coverage.dental is not None:
        kind = "dental"
        dental_class = coverage.dental.classes.get(category)
        if dental_class is not None:
            rule = CategoryRule(
                deductible_applies=dental_class.deductible_applies,
                coins=ONE - dental_class.plan_rate,
                source=dental_class.source,
            )
            if dental_class.counts_to_annual_max and coverage.dental.annual_max is not None:
                dollar_limits.append(
                    DollarLimit(
                        key=f"{line}/{ANNUAL_MAX}",
                        amount=coverage.dental.annual_max,
                        lifetime=False,
                        label=f"{ANNUAL_MAX} {coverage.dental.annual_max} per person per year",
                        source=coverage.dental.annual_max_source,
                        name="annual_maximum.member",
                    )
                )
    visit_limits: list[VisitLimit] = []
    for index, limit in enumerate(coverage.limits):
        if limit.category != category:
            continue
        lifetime = limit.period == "lifetime"
        per = "lifetime" if lifetime else "per year"
        if limit.kind == "visits":
            visit_limits.append(
                VisitLimit(
                    key=f"{line}/{category}/visits/{index}",
                    amount=int(limit.amount),
                    lifetime=lifetime,
                    label=f"{category} {int(limit.amount)} visits per person {per}",
                    source=limit.source,
                    name=f"visits.{category}",
                )
            )
        else:
            dollar_limits.append(
                DollarLimit(
                    key=f"{line}/{category}/dollars/{index}",
                    amount=limit.amount,
                    lifetime=lifetime,
                    label=f"{category} ${limit.amount} per person {per}",
                    source=limit.source,
                    name=f"plan_paid.{category}" + (".lifetime" if lifetime else ""),
                )
            )
    return LineTerms(
        kind=kind,
        line=line,
        coverage=coverage,
        schedule=ruleset.fee_schedules.get(line),
        exclusion=coverage.exclusion_for(category),
        rule=rule,
        dental_class=dental_class,
        deductible=ded_cov.cost_sharing(network),
        deductible_owner=f"{ded_name}/{net_key}",
        oop=oop_cov.cost_sharing(network),
        oop_owner=f"{oop_name}/{net_key}",
        coinsurance_source=rule.source or own.coinsurance_source,
        visit_limits=tuple(visit_limits),
        dollar_limits=tuple(dollar_limits),
    )
