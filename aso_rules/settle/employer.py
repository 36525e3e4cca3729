"""Employer cost of a settlement run and the fully insured comparison (docs/semantics.md 8.2, 8.4).

On entry: the adjudicated lines, the stop-loss results and the fee result of the same run. On exit:
``EmployerCost`` with the identity of docs/contracts.md's summary holding exactly::

    total = claims - specific_reimbursed - aggregate_reimbursed + fixed_costs

where ``claims`` is the plan paid of every settled line (every line of coverage, in or out of the
stop-loss windows), ``aggregate_reimbursed`` is the aggregate's final amount (monthly accommodations
are advances against it, not extra money) and ``fixed_costs`` is everything billed besides claims:
fixed fees (pepm, pmpm) + variable fees (per claim, percent of claims or savings) + stop-loss
premiums. Putting the variable fees there keeps docs/contracts.md's identity and docs/semantics.md's
``total = net_claims + fixed + variable`` equal; the parts stay visible as ``fixed_fees``,
``variable_fees`` and ``stop_loss_premium``, and only ``fixed_fees + stop_loss_premium`` depends on
enrollment alone (I-EMP-4).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.data.readers import known_categories
from aso_rules.model import Ruleset
from aso_rules.money import ZERO, Money
from aso_rules.settle.fees import FeeResult, enrollment_charge
from aso_rules.settle.results import LineResult
from aso_rules.settle.stoploss import AggregateResult, SpecificResult


@attrs.frozen
class EmployerCost:
    claims: Money
    specific_reimbursed: Money
    aggregate_reimbursed: Money
    fixed_fees: Money
    variable_fees: Money
    stop_loss_premium: Money

    @property
    def fixed_costs(self) -> Money:
        """Everything billed besides claims (docs/contracts.md's ``employer_cost.fixed_costs``)."""
        return self.fixed_fees + self.variable_fees + self.stop_loss_premium

    @property
    def enrollment_costs(self) -> Money:
        """The costs that depend on enrollment only: fixed fees and stop-loss premiums."""
        return self.fixed_fees + self.stop_loss_premium

    @property
    def total(self) -> Money:
        return self.claims - self.specific_reimbursed - self.aggregate_reimbursed + self.fixed_costs


@attrs.frozen
class FullyInsured:
    premium: Money
    difference: Money  # premium - employer total (positive: the employer kept a surplus)


def employer_cost(
    claims: Money,
    specific: Sequence[SpecificResult],
    aggregate: AggregateResult | None,
    fees: FeeResult,
) -> EmployerCost:
    """The employer's cost of the run (8.2), from its plan-paid claims total."""
    return EmployerCost(
        claims=claims,
        specific_reimbursed=sum((s.reimbursed for s in specific), ZERO),
        aggregate_reimbursed=aggregate.reimbursed if aggregate is not None else ZERO,
        fixed_fees=fees.fixed_fees,
        variable_fees=fees.variable_fees,
        stop_loss_premium=fees.premium_total,
    )


def fully_insured(
    ruleset: Ruleset, months: Sequence[MonthEnrollment], cost: EmployerCost
) -> FullyInsured | None:
    """The fully insured premium for the same enrollment, or ``None`` without a quote (8.4)."""
    rates = ruleset.assumptions.fully_insured if ruleset.assumptions is not None else None
    if rates is None:
        return None
    premium = sum((enrollment_charge(rates, month) for month in months), ZERO)
    return FullyInsured(premium=premium, difference=premium - cost.total)


def unknown_categories(ruleset: Ruleset, lines: Sequence[LineResult]) -> dict[str, dict[str, int]]:
    """Lines whose category the ruleset never names, counted by line of coverage and category.

    Such lines are settled under the line's default cost sharing; the count tells an actuary whether a
    category was misspelt in the data or forgotten in the rules. Lines of an unknown coverage are
    not counted here (they are denied with a reason).
    """
    named: dict[str, frozenset[str]] = {}
    counts: dict[str, dict[str, int]] = {}
    for r in lines:
        line = r.claim.line
        if line not in ruleset.coverages:
            continue
        if line not in named:
            named[line] = known_categories(ruleset, line)
        if r.claim.category not in named[line]:
            by_cat = counts.setdefault(line, {})
            by_cat[r.claim.category] = by_cat.get(r.claim.category, 0) + 1
    return {line: dict(sorted(c.items())) for line, c in sorted(counts.items())}
