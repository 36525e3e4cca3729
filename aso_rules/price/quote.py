"""Price a plan year: the orchestrator from ruleset + projected enrollment to a ``Quote``.

On entry: a compiled ``Ruleset`` whose ``assumptions`` hold a claimant model (a continuance table
already loaded into rows) and an enrollment (a path or frame for ``read_enrollment``, member
records, or ``MonthEnrollment`` per plan month). On exit: a ``Quote`` whose ``summary`` has exactly
docs/contracts.md's price.json keys (plus documented extras beside them), money as two-decimal strings
rounded with the ruleset's mode, probabilities as numbers. The compound distributions are exact
to the grid (FFT, docs/semantics.md 13.3); the seeded Monte Carlo is an independent cross-check whose
means and standard errors are kept in ``Quote.checks``. Errors a user can cause raise
``PricingError`` (or ``InputError`` for unreadable enrollment), never anything else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from aso_rules import model
from aso_rules.data.enrollment import MonthEnrollment, monthly_enrollment
from aso_rules.data.records import MemberRecord
from aso_rules.money import ZERO, Money, RoundingMode, format_money, round_money
from aso_rules.price import funding as fund
from aso_rules.price.aggregate import DEFAULT_POINTS, ClaimCount, Compound, compound, fft_compound, simulate
from aso_rules.price.severity import (
    CostShareTerms,
    Distribution,
    Layer,
    PlanPaid,
    PricingError,
    discretise,
    distribution,
)
from aso_rules.settle.stoploss import Attachment, attachment_point

PERCENTILES = (50, 75, 90, 95, 99)


@attrs.frozen
class TierPrice:
    """One specific stop-loss tier priced: its layer, expected reimbursement and claimants over SD."""

    name: str
    deductible: Money
    maximum: Money | None
    aggregating_deductible: Money
    expected_reimbursement: float
    expected_claimants_over_deductible: float
    premium: Money
    expected_layer: float = 0.0  # lam E[L]: the layer's expected excess before ASD and percentage


@attrs.frozen
class Quote:
    """A priced plan year. ``summary`` is price.json; the rest feeds the report and the tests."""

    summary: dict[str, Any] = attrs.field(eq=False)
    ruleset: model.Ruleset = attrs.field(eq=False, repr=False)
    cost_grid: np.ndarray = attrs.field(eq=False, repr=False)  # employer cost values (float)
    cost_probs: np.ndarray = attrs.field(eq=False, repr=False)
    checks: dict[str, dict[str, float]] = attrs.field(eq=False, factory=dict)
    actuarial_value: float | None = None
    claimants: float = 0.0  # lambda

    def to_json(self) -> str:
        return json.dumps(self.summary, indent=2) + "\n"

    def __repr__(self) -> str:
        from aso_rules.notebook import quote_repr

        return quote_repr(self)

    def _repr_html_(self) -> str:
        """The key figures, funding rates and the report's cost chart (Jupyter shows this)."""
        from aso_rules.notebook import quote_html

        return quote_html(self)

    def write(self, out_dir: str | Path, plotly: str = "inline") -> tuple[Path, Path]:
        """Write ``price.json`` and ``report.html`` into ``out_dir`` (created); returns both paths."""
        from aso_rules.price.report import render_report

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        json_path = out / "price.json"
        json_path.write_text(self.to_json(), encoding="utf-8")
        html_path = out / "report.html"
        html_path.write_text(render_report(self, plotly=plotly), encoding="utf-8")
        return json_path, html_path


# --------------------------------------------------------------------------- enrollment


def projected_months(ruleset: model.Ruleset, enrollment: Any) -> tuple[MonthEnrollment, ...]:
    """Monthly enrollment from MonthEnrollment rows, member records, or a readable source."""
    if isinstance(enrollment, (list, tuple)) and enrollment and isinstance(enrollment[0], MonthEnrollment):
        return tuple(enrollment)
    if isinstance(enrollment, (list, tuple)) and all(isinstance(m, MemberRecord) for m in enrollment):
        members: Iterable[MemberRecord] = enrollment
    else:
        from aso_rules.data.readers import read_enrollment

        members = read_enrollment(enrollment, ruleset).members
    return monthly_enrollment(members, ruleset.plan_year, ruleset.tier_codes)


# --------------------------------------------------------------------------- the claimant model


def claimant_model(ruleset: model.Ruleset, months: Sequence[MonthEnrollment]) -> tuple[PlanPaid, ClaimCount]:
    """One claimant's plan-paid cost law and the claimant count for the year (13.1, 13.2)."""
    assumptions = ruleset.assumptions
    if assumptions is None or assumptions.claimant_cost is None:
        raise PricingError("pricing needs `assumptions { claimant_cost ... }` (a claim-cost distribution)")
    severity = assumptions.claimant_cost
    if isinstance(severity, model.ContinuanceTable) and not severity.rows:
        from aso_rules.price.continuance import load_continuance_table

        path = Path(severity.path)
        if not path.is_absolute() and not path.exists() and ruleset.files:
            path = Path(ruleset.files[0]).parent / path  # relative to the root rule file
        severity = load_continuance_table(path, severity.name)
    dist: Distribution = distribution(severity)
    pct = assumptions.claimants_pct
    if pct is None:
        if not isinstance(severity, model.ContinuanceTable):
            raise PricingError("pricing needs `claimants P% of members` with a parametric claim cost")
        pct = Decimal(1)  # a continuance table counts every member, zeros included
    member_years = sum(m.members for m in months) / 12
    lam = float(pct) * member_years
    dispersion = 0.0
    if isinstance(assumptions.claim_count, model.NegativeBinomial):
        dispersion = float(assumptions.claim_count.dispersion)
    return PlanPaid(dist, medical_terms(ruleset)), ClaimCount(lam=lam, dispersion=dispersion)


def medical_terms(ruleset: model.Ruleset) -> CostShareTerms:
    """The in-network individual cost sharing of the first medical line (none: no cost sharing)."""
    for coverage in ruleset.coverages.values():
        if coverage.kind == "medical":
            return CostShareTerms.from_cost_sharing(coverage.cost_sharing("in"))
    return CostShareTerms()


def _layer_expectation(
    y: Distribution, count: ClaimCount, tier: model.SpecificStopLoss, points: int
) -> float:
    """``E[(sum L(Y_i) - ASD)+]`` for the tier's layer; ``lam E[L]`` when there is no ASD."""
    layer = Layer(y, float(tier.deductible), _width(tier))
    asd = float(tier.aggregating_deductible)
    if asd <= 0:
        return count.lam * layer.mean
    p_over = 1.0 - float(layer.cdf(np.array(0.0)))
    if count.lam * p_over < 1e-6:
        # At most one claimant in the layer, up to O((lam p)^2): E[(L - ASD)+] per claimant.
        return count.lam * max(layer.mean - float(layer.lev(np.array(asd))), 0.0)
    thinned = count.thinned(p_over)
    over = _ConditionalLayer(layer, p_over)
    result = compound(over, thinned, points=points, unit=asd)
    return result.expect(lambda s: np.maximum(s - asd, 0.0))


def _width(tier: model.SpecificStopLoss) -> float:
    return math.inf if tier.maximum is None else float(tier.maximum)


@attrs.frozen
class _ConditionalLayer:
    """The layer given it is positive (a thinned count carries the zeros)."""

    layer: Layer
    p: float

    @property
    def mean(self) -> float:
        return self.layer.mean / self.p

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(np.maximum(self.layer.cdf(x) - (1 - self.p), 0.0) / self.p, dtype=np.float64)

    def lev(self, k: np.ndarray) -> np.ndarray:
        return np.asarray(self.layer.lev(k) / self.p, dtype=np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover - unused
        raise NotImplementedError


# --------------------------------------------------------------------------- price


def price(
    ruleset: model.Ruleset,
    enrollment: Any,
    *,
    simulations: int = 20_000,
    seed: int = 1,
    grid: int = DEFAULT_POINTS,
    progress: Callable[[int], object] | None = None,
) -> Quote:
    """Price the plan year (docs/semantics.md section 13) for the projected enrollment.

    ``progress`` (optional) is called with the number of simulated years each Monte Carlo chunk
    finished, for a progress bar."""
    if grid < 2**10 or grid & (grid - 1):
        raise PricingError(f"grid must be a power of two of at least 1024 points, not {grid}")
    if simulations < 0:
        raise PricingError("simulations must be zero or more")
    mode: RoundingMode = ruleset.settings.rounding
    months = projected_months(ruleset, enrollment)
    employee_months = sum(m.total_employees for m in months)
    if employee_months == 0:
        raise PricingError("the enrollment covers no employee in any plan month")
    fixed = fund.fixed_costs(ruleset, months)
    y, count = claimant_model(ruleset, months)

    expected_t, target = fund.expected_by_tier(ruleset, months, mode)
    if not expected_t:
        # No stated expected claims: the claimant model's plan-paid mean, spread by tier ratios.
        model_total = Decimal(repr(count.lam * y.mean)) * Decimal(len(months)) / 12
        ratios = dict.fromkeys(ruleset.tier_codes, Decimal(1))
        if ruleset.assumptions is not None and ruleset.assumptions.tier_ratios is not None:
            ratios.update(ruleset.assumptions.tier_ratios)
        target = model_total
        expected_t = fund.tier_expected(model_total, ratios, months, mode)
    margin = ruleset.assumptions.funding_margin if ruleset.assumptions is not None else Decimal(0)
    fixed_t = fund.fixed_pepm(ruleset, months, mode)
    rates = fund.funding(expected_t, fixed_t, months, mode, margin=margin, target=target)

    tiers = sorted(ruleset.specific, key=lambda t: t.deductible)
    tier_prices = [
        TierPrice(
            name=t.name,
            deductible=t.deductible,
            maximum=t.maximum,
            aggregating_deductible=t.aggregating_deductible,
            expected_reimbursement=float(t.reimbursement_pct) * _layer_expectation(y, count, t, grid),
            expected_claimants_over_deductible=count.lam
            * (1.0 - float(y.cdf(np.array(float(t.deductible))))),
            premium=fixed.by_specific.get(t.name, ZERO),
            expected_layer=count.lam * Layer(y, float(t.deductible), _width(t)).mean,
        )
        for t in tiers
    ]
    cap = float(tiers[0].deductible) if tiers else None
    agg = ruleset.aggregate
    if agg is not None and not agg.cap_per_claimant:
        cap = None
    s_capped = compound(y, count, cap=cap, points=grid)

    attachment: Attachment | None = None
    agg_summary: dict[str, Any] | None = None
    a = math.inf
    agg_max = math.inf
    if agg is not None:
        factors = fund.attachment_factors(agg, expected_t, ruleset.tier_codes, mode)
        attachment = attachment_point(agg, factors, months, mode)
        a = float(attachment.point)
        agg_max = math.inf if agg.maximum is None else float(agg.maximum)
        reimb = float(agg.reimbursement_pct) * s_capped.expect(
            lambda s: np.minimum(np.maximum(s - a, 0), agg_max)
        )
        agg_summary = {
            "expected_reimbursement": _money(reimb, mode),
            "probability_of_attachment": round(s_capped.sf(a), 6),
            "premium": format_money(fixed.aggregate_premium),
        }

    fixed_total = float(fixed.total)
    grid_values = s_capped.grid
    cost = fixed_total + np.minimum(grid_values, a) + np.maximum(grid_values - a - agg_max, 0.0)
    cost_mean = float(np.dot(cost, s_capped.probs))
    cum = np.cumsum(s_capped.probs)
    pct_values = {
        f"p{p}": float(cost[min(int(np.searchsorted(cum, p / 100 - 1e-12)), len(cost) - 1)])
        for p in PERCENTILES
    }

    fi_summary: dict[str, Any] | None = None
    fi_total: Money | None = None
    assumptions = ruleset.assumptions
    if assumptions is not None and assumptions.fully_insured is not None:
        fi = assumptions.fully_insured
        fi_total = sum((fund._tier_sum(fi.amounts, m.employees) for m in months), ZERO)
        fi_summary = {
            "premium": format_money(fi_total),
            "expected_savings": format_money(fi_total - Decimal(_money(cost_mean, mode))),
            "probability_aso_costs_more": round(float(s_capped.probs[cost > float(fi_total)].sum()), 6),
        }

    checks: dict[str, dict[str, float]] = {}
    if simulations > 0:
        checks = _monte_carlo(
            y, count, cap, a, agg_max, fixed_total, tiers, simulations, seed, fi_total, progress
        )

    # The total is the sum of the tiers' rounded figures, so the tiers add up to it exactly.
    specific_reimb = sum((Decimal(_money(t.expected_reimbursement, mode)) for t in tier_prices), ZERO)
    summary: dict[str, Any] = {
        "ruleset": ruleset.name,
        "employees": _whole(Decimal(employee_months) / len(months)),
        "members": _whole(Decimal(sum(m.members for m in months)) / len(months)),
        "employee_months": employee_months,
        "expected_claims": format_money(rates.expected_annual),
        "fixed_costs": {
            "fees": format_money(fixed.fees),
            "stop_loss_premium": format_money(fixed.stop_loss_premium),
            "total": format_money(fixed.total),
        },
        "funding_rates": {t: format_money(v) for t, v in rates.rates.items()},
        "aggregate_attachment_point": format_money(attachment.point) if attachment else None,
        "maximum_liability": format_money(fund.maximum_liability(attachment.point, fixed))
        if attachment
        else None,
        "specific": {
            "expected_reimbursement": format_money(specific_reimb),
            "expected_claimants_over_deductible": round(
                tier_prices[0].expected_claimants_over_deductible if tier_prices else 0.0, 6
            ),
            "premium": format_money(fixed.specific_premium),
            "tiers": [
                {
                    "name": t.name,
                    "deductible": format_money(t.deductible),
                    "expected_reimbursement": _money(t.expected_reimbursement, mode),
                    "expected_claimants_over_deductible": round(t.expected_claimants_over_deductible, 6),
                    "premium": format_money(t.premium),
                    "expected_excess_retained": _money(t.expected_layer - t.expected_reimbursement, mode),
                }
                for t in tier_prices
            ],
        },
        "aggregate": agg_summary,
        "employer_cost": {
            "expected": _money(cost_mean, mode),
            **{k: _money(v, mode) for k, v in pct_values.items()},
        },
        "fully_insured": fi_summary,
        "method": {
            "aggregate": "fft",
            "simulations": simulations,
            "seed": seed,
            "grid_points": grid,
            "span": round(s_capped.h, 6),
            "discretisation": "local moment matching",
            "tail_mass": s_capped.tail,
        },
        "funding": {
            "expected_pepm": {t: format_money(v) for t, v in rates.expected.items()},
            "fixed_pepm": {t: format_money(v) for t, v in rates.fixed.items()},
            "cobra_rates": {t: format_money(v) for t, v in rates.cobra.items()},
            "funding_annual": format_money(rates.funding_annual),
            "rounding_residual": format_money(rates.residual),
        },
        "claimant_model": {
            "expected_claimants": round(count.lam, 6),
            "mean_allowed_per_claimant": _money(y.ground_up.mean, mode),
            "mean_plan_paid_per_claimant": _money(y.mean, mode),
            "actuarial_value": round(y.mean / y.ground_up.mean, 6),
            "expected_eligible_claims_capped": _money(s_capped.mean, mode),
        },
    }
    return Quote(
        summary=summary,
        ruleset=ruleset,
        cost_grid=cost,
        cost_probs=s_capped.probs,
        checks=checks,
        actuarial_value=y.mean / y.ground_up.mean,
        claimants=count.lam,
    )


def _whole(value: Decimal) -> int:
    """An average count to the nearest whole number (halves up)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _money(value: float, mode: RoundingMode) -> str:
    """A float estimate as a two-decimal money string (the only float -> money conversion)."""
    if not math.isfinite(value):
        raise PricingError(f"a priced amount is not finite ({value}); check the assumptions")
    return format_money(round_money(Decimal(repr(value)), mode))


def _monte_carlo(
    y: PlanPaid,
    count: ClaimCount,
    cap: float | None,
    a: float,
    agg_max: float,
    fixed_total: float,
    tiers: Sequence[model.SpecificStopLoss],
    simulations: int,
    seed: int,
    fi_total: Money | None,
    progress: Callable[[int], object] | None = None,
) -> dict[str, dict[str, float]]:
    """Seeded plan-year simulation of the same quantities, with standard errors."""
    limit = math.inf if cap is None else cap
    stats: dict[str, Any] = {"capped": lambda v: np.minimum(v, limit)}
    for i, t in enumerate(tiers):
        low = float(t.deductible)
        width = math.inf if t.maximum is None else float(t.maximum)
        stats[f"layer{i}"] = lambda v, low=low, width=width: np.minimum(np.maximum(v - low, 0.0), width)
    mc = simulate(y, count, stats, simulations=simulations, seed=seed, progress=progress)
    s = mc.values["capped"]
    cost = fixed_total + np.minimum(s, a) + np.maximum(s - a - agg_max, 0.0)
    out: dict[str, dict[str, float]] = {}

    def record(key: str, v: np.ndarray) -> None:
        out[key] = {"mean": float(v.mean()), "standard_error": float(v.std(ddof=1) / math.sqrt(len(v)))}

    record("employer_cost", cost)
    record("eligible_claims_capped", s)
    if math.isfinite(a):
        record("aggregate_reimbursement", np.minimum(np.maximum(s - a, 0.0), agg_max))
        record("probability_of_attachment", (s > a).astype(float))
    for i, t in enumerate(tiers):
        asd = float(t.aggregating_deductible)
        record(
            f"specific:{t.name}", float(t.reimbursement_pct) * np.maximum(mc.values[f"layer{i}"] - asd, 0.0)
        )
    if fi_total is not None:
        record("probability_aso_costs_more", (cost > float(fi_total)).astype(float))
    return out


__all__ = ["Compound", "PricingError", "Quote", "TierPrice", "discretise", "fft_compound", "price"]
