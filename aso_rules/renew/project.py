"""The renewal: a settled experience period projected to next year's rates (docs/renewal.md).

On entry: a ruleset with an ``experience`` block, its settlement of the experience period (any
engine), and optionally the settlement of the same claims under next year's ruleset. On exit: the
renew.json dict, every step's figure as a string (money to the cent, factors to 6 places), and the
flags (rate cap exceeded, a laser added against no-new-laser terms). Errors a user can cause raise
``RenewalError``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from aso_rules import model
from aso_rules.money import ZERO, Money, format_money
from aso_rules.price import funding as fund
from aso_rules.renew import leveraged, steps


class RenewalError(ValueError):
    """The renewal cannot be made from these inputs (the message says why)."""


def _f(value: Decimal) -> str:
    return f"{value:f}"


def _line_totals(
    settlement: Any, lines: tuple[str, ...], key: str
) -> tuple[dict[str, Money], dict[str, dict[str, Money]]]:
    by_line: dict[str, Money] = dict.fromkeys(lines, ZERO)
    by_claimant: dict[str, dict[str, Money]] = defaultdict(lambda: dict.fromkeys(lines, ZERO))
    for r in settlement.lines:
        if r.status != "paid" or r.claim.line not in by_line:
            continue
        by_line[r.claim.line] += r.plan_paid
        who = r.claim.family_id if key == "family" else r.claim.member_id
        by_claimant[who][r.claim.line] += r.plan_paid
    return by_line, dict(by_claimant)


def _model_trend(ruleset: model.Ruleset, deductible: float, annual: float) -> str | None:
    """The layer's trend under the claimant model's claim-cost law (None without a parametric law
    or without the pricing extra)."""
    a = ruleset.assumptions
    if a is None or a.claimant_cost is None or isinstance(a.claimant_cost, model.ContinuanceTable):
        return None
    try:
        import numpy as np

        from aso_rules.price.severity import PricingError, distribution
    except ImportError:
        return None
    try:
        dist = distribution(a.claimant_cost)
    except PricingError:
        return None

    def excess(k: float) -> float:
        return dist.mean - float(dist.lev(np.array(k)))

    if excess(deductible) <= 0:
        return None
    return f"{leveraged.layer_trend(excess, deductible, annual):.6f}"


def renew(
    ruleset: model.Ruleset,
    settlement: Any,
    next_ruleset: model.Ruleset | None = None,
    next_settlement: Any = None,
) -> dict[str, Any]:
    """renew.json for ``ruleset``'s experience (see the module docstring)."""
    e = ruleset.experience
    if e is None:
        raise RenewalError(f"{ruleset.name}: the ruleset has no `experience` block (docs/renewal.md)")
    mode = ruleset.settings.rounding
    lines = tuple(e.trend)
    months = settlement.months
    employee_months = sum(m.total_employees for m in months)
    members = sum(m.members for m in months)
    if employee_months == 0:
        raise RenewalError("the enrollment covers no employee in the experience period")
    by_line, claimants = _line_totals(settlement, lines, ruleset.settings.specific_claimant_key)

    # completion, then pooling: each claimant's excess over the pooling point, split over the lines
    # in proportion to the claimant's plan-paid on each
    completed = {ln: steps.completed(v, e.completion) for ln, v in by_line.items()}
    excess_by_line = dict.fromkeys(lines, Decimal(0))
    for amounts in claimants.values():
        total = sum(amounts.values(), ZERO)
        over = steps.pooled_excess({"c": total}, e.pooling_point)
        if over > 0:
            for ln, v in amounts.items():
                excess_by_line[ln] += over * v / total
    pooled_excess = {ln: steps.cents(v) for ln, v in excess_by_line.items()}
    pooled = {ln: completed[ln] - pooled_excess[ln] for ln in lines}
    factors = {ln: steps.trend_factor(e.trend[ln], e.projection_months) for ln in lines}
    trended = {ln: steps.cents(pooled[ln] * factors[ln]) for ln in lines}
    trended_total = sum(trended.values(), ZERO)

    # plan-design change: next year's plan-paid over this year's on the same claims, or as stated
    design_source = "stated" if e.plan_design_change is not None else "none"
    design = e.plan_design_change if e.plan_design_change is not None else Decimal(1)
    if next_settlement is not None:
        now = sum(by_line.values(), ZERO)
        after, _ = _line_totals(next_settlement, lines, ruleset.settings.specific_claimant_key)
        if now > 0:
            design, design_source = steps.factor(sum(after.values(), ZERO) / now), "next ruleset"
    adjusted = steps.cents(trended_total * design)

    member_years = Decimal(members) / 12
    z = steps.credibility(e.credibility, member_years)
    experience_pepm = steps.cents(adjusted / employee_months)
    tiers = ruleset.tier_codes
    manual = {t: e.manual_rate.for_tier(t) for t in tiers}
    manual_weight = sum((fund._tier_sum(manual, m.employees) for m in months), ZERO)
    manual_pepm = steps.cents(manual_weight / employee_months)
    blended = steps.blend(z, experience_pepm, manual_pepm)
    pooling_pepm = ZERO
    if e.pooling_charge is not None:
        if e.pooling_charge.unit == "pmpm":
            rate = next(iter(e.pooling_charge.amounts.values()), ZERO)
            pooling_pepm = steps.cents(rate * members / employee_months)
        else:
            charged = sum((fund._tier_sum(e.pooling_charge.amounts, m.employees) for m in months), ZERO)
            pooling_pepm = steps.cents(charged / employee_months)
    projected_pepm = blended + pooling_pepm
    target = projected_pepm * employee_months
    expected_t = fund.tier_expected(target, manual, months, mode)

    priced = next_ruleset or ruleset
    margin = priced.assumptions.funding_margin if priced.assumptions is not None else Decimal(0)
    rates = fund.funding(
        expected_t, fund.fixed_pepm(priced, months, mode), months, mode, margin=margin, target=target
    )
    attachment = None
    if priced.aggregate is not None:
        attachment = fund.attachment_factors(priced.aggregate, expected_t, tiers, mode)

    flags: list[str] = []
    increases: dict[str, str | None] = {}
    a = ruleset.assumptions
    if a is not None and a.expected_claims is not None:
        current_expected = {t: a.expected_claims.for_tier(t) for t in tiers}
        current = fund.funding(
            current_expected, fund.fixed_pepm(ruleset, months, mode), months, mode, margin=a.funding_margin
        )
        for t in tiers:
            rise = steps.increase(rates.rates[t], current.rates[t])
            increases[t] = None if rise is None else _f(rise)
            if e.rate_cap is not None and rise is not None and rise > e.rate_cap:
                flags.append(
                    f"rate_cap: tier {t} funding rate rises {100 * rise:.2f}%, above the "
                    f"{100 * e.rate_cap:g}% cap"
                )
    if next_ruleset is not None:
        for tier in ruleset.specific:
            later = next((s for s in next_ruleset.specific if s.name == tier.name), None)
            if tier.no_new_lasers and later is not None:
                for member in later.lasers:
                    if member not in tier.lasers:
                        flags.append(f'no_new_lasers: "{tier.name}" adds a laser on "{member}" at renewal')

    leverage: dict[str, Any] | None = None
    if ruleset.specific and lines:
        d = float(min(t.deductible for t in ruleset.specific))
        main = "medical" if "medical" in e.trend else lines[0]
        annual = float(e.trend[main])
        totals = [float(sum(v.values(), ZERO)) for v in claimants.values()]
        excess = leveraged.empirical_excess(totals)
        leverage = {
            "deductible": format_money(Decimal(repr(d)).quantize(Decimal("0.01"))),
            "ground_up_trend": _f(e.trend[main]),
            "experience_layer_trend": None,
        }
        if excess(d) > 0:
            leverage["experience_layer_trend"] = f"{leveraged.layer_trend(excess, d, annual):.6f}"
        leverage["model_layer_trend"] = _model_trend(ruleset, d, annual)

    return {
        "ruleset": ruleset.name,
        "next_ruleset": None if next_ruleset is None else next_ruleset.name,
        "lines": list(lines),
        "exposure": {
            "employee_months": employee_months,
            "member_months": members,
            "member_years": _f(steps.factor(member_years)),
        },
        "steps": {
            "incurred": {ln: format_money(v) for ln, v in by_line.items()},
            "completion": _f(e.completion),
            "completed": {ln: format_money(v) for ln, v in completed.items()},
            "pooling_point": None if e.pooling_point is None else format_money(e.pooling_point),
            "pooled_excess": {ln: format_money(v) for ln, v in pooled_excess.items()},
            "pooled": {ln: format_money(v) for ln, v in pooled.items()},
            "projection_months": _f(e.projection_months),
            "trend_factor": {ln: _f(v) for ln, v in factors.items()},
            "trended": {ln: format_money(v) for ln, v in trended.items()},
            "trended_total": format_money(trended_total),
            "plan_design_change": {"factor": _f(design), "source": design_source},
            "adjusted": format_money(adjusted),
            "experience_pepm": format_money(experience_pepm),
            "manual_pepm": format_money(manual_pepm),
            "credibility": _f(z),
            "blended_pepm": format_money(blended),
            "pooling_charge_pepm": format_money(pooling_pepm),
            "projected_pepm": format_money(projected_pepm),
        },
        "expected_claims": {t: format_money(v) for t, v in expected_t.items()},
        "expected_annual": format_money(rates.expected_annual),
        "funding_rates": {t: format_money(v) for t, v in rates.rates.items()},
        "cobra_rates": {t: format_money(v) for t, v in rates.cobra.items()},
        "aggregate_attachment_factors": None
        if attachment is None
        else {t: format_money(v) for t, v in attachment.items()},
        "funding_increase": increases,
        "leveraged_trend": leverage,
        "flags": flags,
    }
