"""track.json: the tracking figures as one dict (docs/tracking.md lists every key).

Money is a string with two decimals: exact sums of cents where the figure is a sum of paid lines or
rates (paid to date, expected claims, fixed costs, the attachment point, the fully insured premium),
and float64 statistics (IBNR, projections, percentiles) rounded to the nearest cent once, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from aso_rules.money import format_money, from_cents
from aso_rules.track.blend import GroupIBNR
from aso_rules.track.experience import Experience
from aso_rules.track.position import Position
from aso_rules.track.projection import Projection

FloatArray = npt.NDArray[np.float64]
BAND = (0.05, 0.50, 0.95)


def cents(value: float) -> str:
    """Float cents to money text, rounded to the nearest cent (half to even)."""
    return format_money(from_cents(round(float(value))))


def _month(d: Any) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def band(samples: FloatArray, expected: float) -> dict[str, str]:
    q = np.quantile(samples, BAND) if len(samples) else np.zeros(3)
    return {"expected": cents(expected), "p05": cents(q[0]), "p50": cents(q[1]), "p95": cents(q[2])}


def months_report(exp: Experience) -> list[dict[str, Any]]:
    paid_month = exp.incurred + exp.lag
    out: list[dict[str, Any]] = []
    cum_paid = 0
    cum_expected = Decimal(0)
    eligible = exp.line_mask(exp.eligible_lines)
    for k in range(exp.observed):
        here = paid_month == k
        by_line = {
            name: format_money(from_cents(int(exp.cents[here & (exp.line == i)].sum())))
            for i, name in enumerate(exp.lines)
        }
        total = int(exp.cents[here].sum())
        cum_paid += total
        expected = exp.expected_by_month[k] if exp.expected_by_month is not None else None
        if expected is not None:
            cum_expected += expected
        m = exp.enrollment[k]
        out.append(
            {
                "month": _month(exp.months[k]),
                "employees": m.total_employees,
                "members": m.members,
                "paid": format_money(from_cents(total)),
                "paid_by_line": by_line,
                "stop_loss_lines_paid": format_money(from_cents(int(exp.cents[here & eligible].sum()))),
                "expected": None if expected is None else format_money(expected),
                "cumulative_paid": format_money(from_cents(cum_paid)),
                "cumulative_expected": None if expected is None else format_money(cum_expected),
            }
        )
    return out


def _group_report(exp: Experience, g: GroupIBNR) -> dict[str, Any]:
    cred = g.credibility
    return {
        "name": g.name,
        "lines": list(g.lines),
        "incurred_months": [_month(d) for d in exp.months[: exp.observed]],
        "triangle": [
            [format_money(from_cents(int(v))) for v in row[: exp.observed - i]]
            for i, row in enumerate(g.triangle)
        ],
        "development_factors": [round(float(f), 6) for f in g.chain.factors],
        "completion": [round(float(c), 6) for c in g.chain.completion],
        "method": list(g.method),
        "paid": cents(float(g.paid.sum())),
        "ibnr": cents(float(g.ibnr.sum())),
        "standard_error": cents(g.total_standard_error),
        "credibility": {
            "standard": cred.standard,
            "full_credibility_claimants": None
            if cred.full_credibility_claimants is None
            else round(cred.full_credibility_claimants, 1),
            "claimants": cred.claimants,
            "z": round(cred.z, 6),
            "experience_pmpm": None if cred.experience_pmpm is None else cents(cred.experience_pmpm),
            "manual_pmpm": None if cred.manual_pmpm is None else cents(cred.manual_pmpm),
            "projected_pmpm": cents(cred.projected_pmpm),
        },
    }


def ibnr_report(exp: Experience, groups: Sequence[GroupIBNR], proj: Projection) -> dict[str, Any]:
    n = exp.observed
    by_month = []
    for i in range(n):
        paid = sum(float(g.paid[i]) for g in groups)
        ult = sum(float(g.ultimate[i]) for g in groups)
        se = float(np.sqrt(sum(float(g.standard_error[i]) ** 2 for g in groups)))
        by_month.append(
            {
                "incurred": _month(exp.months[i]),
                "paid": cents(paid),
                "ibnr": cents(ult - paid),
                "ultimate": cents(ult),
                "completion": round(paid / ult, 6) if ult > 0 else None,
                "standard_error": cents(se),
                "method": {g.name: g.method[i] for g in groups},
            }
        )
    return {
        "plan_paid": cents(proj.ibnr),
        "by_month": by_month,
        "standard_error": cents(proj.ibnr_standard_error),
    }


def summary(exp: Experience, groups: Sequence[GroupIBNR], proj: Projection, pos: Position) -> dict[str, Any]:
    ruleset = exp.ruleset
    cost_expected = float(pos.employer_cost.mean())
    specific = {name: cents(float(v.mean())) for name, v in pos.specific.items()}
    aggregate: dict[str, Any] | None = None
    if pos.attachment_point is not None and pos.aggregate is not None:
        aggregate = {
            "attachment_point": format_money(pos.attachment_point),
            "eligible_claims": band(pos.eligible_capped, float(pos.eligible_capped.mean())),
            "probability_of_attachment": round(float(pos.probability_aggregate_attaches or 0.0), 6),
            "expected_reimbursement": cents(float(pos.aggregate.mean())),
        }
    insured: dict[str, Any] | None = None
    surplus = pos.surplus
    if pos.fully_insured is not None and surplus is not None:
        insured = {
            "premium": format_money(pos.fully_insured),
            "surplus": band(surplus, float(surplus.mean())),
            "probability_aso_costs_more": round(float((surplus < 0).mean()), 6),
        }
    return {
        "ruleset": ruleset.name,
        "as_of": exp.as_of.isoformat(),
        "evaluation_month": _month(exp.months[exp.evaluation]),
        "plan_year": {"start": ruleset.plan_year.start.isoformat(), "end": ruleset.plan_year.end.isoformat()},
        "months_observed": exp.observed,
        "lines_excluded": dict(exp.excluded),
        "months": months_report(exp),
        "groups": [_group_report(exp, g) for g in groups],
        "ibnr": ibnr_report(exp, groups, proj),
        "projection": {
            "incurred_plan_paid": band(proj.total, proj.expected),
            "paid_to_date": cents(proj.paid),
            "ibnr": cents(proj.ibnr),
            "remaining_months": cents(proj.remaining),
            "remaining_by_month": [
                {"month": _month(exp.months[exp.observed + k]), "expected": cents(v)}
                for k, v in enumerate(proj.remaining_by_month)
            ],
        },
        "position": {
            "employer_cost": band(pos.employer_cost, cost_expected),
            "fixed_costs": format_money(pos.fixed_costs),
            "specific_expected_reimbursement": specific,
            "aggregate": aggregate,
            "fully_insured": insured,
            "high_claimants": [
                {
                    "member_id": c.member_id,
                    "paid": format_money(c.paid),
                    "specific_deductible": None if c.deductible is None else format_money(c.deductible),
                    "share_of_deductible": None
                    if c.share_of_deductible is None
                    else round(c.share_of_deductible, 6),
                    "lasered": c.lasered,
                    "laser": None if c.laser is None else format_money(c.laser),
                }
                for c in pos.claimants
            ],
        },
        "method": {
            "development": "volume-weighted chain ladder, no tail factor",
            "standard_error": "Mack (1993)",
            "immature_months": "projected PMPM (Bornhuetter-Ferguson) below 50% completion or "
            "on a factor from fewer than two incurred months",
            "credibility": "limited fluctuation: P = 90%, k = 5%, "
            "full credibility (1.6449/0.05)^2 (1 + CV^2) claimants",
            "simulations": proj.simulations,
            "seed": proj.seed,
        },
    }
