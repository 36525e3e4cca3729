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
from aso_rules.price.aggregate import ClaimCount, Compound, fft_compound, simulate
from aso_rules.price.basis import claims_basis
from aso_rules.price.lattice import LATTICE_POINTS, Lattice, Priced, lattice_pair, with_error
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
) -> Priced:
    """``E[(sum L(Y_i) - ASD)+]`` for the tier's layer; ``lam E[L]`` (exact) when there is no ASD."""
    layer = Layer(y, float(tier.deductible), _width(tier))
    asd = float(tier.aggregating_deductible)
    if asd <= 0:
        return Priced(count.lam * layer.mean, 0.0)
    p_over = 1.0 - float(layer.cdf(np.array(0.0)))
    if count.lam * p_over < 1e-6:
        # At most one claimant in the layer, up to O((lam p)^2): E[(L - ASD)+] per claimant.
        return Priced(count.lam * max(layer.mean - float(layer.lev(np.array(asd))), 0.0), 0.0)
    thinned = count.thinned(p_over)
    over = _ConditionalLayer(layer, p_over)
    fine, coarse = lattice_pair(over, thinned, resolve=[asd], points=points, unit=asd)
    return with_error(fine, coarse, lambda s: s.excess(asd))


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
    grid: int = LATTICE_POINTS,
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
    claims = claims_basis(ruleset, y, count, months, expected_t, mode)
    if expected_t and claims.basis == "gross":
        # Funding and the attachment count claims net of the specific layer (its cost is the premium).
        expected_t = claims.net_rates(expected_t, mode)
        target = None if target is None else target * claims.net_ratio
    if not expected_t:
        # No stated expected claims: the claimant model's plan-paid mean capped at the specific
        # deductible (the layer above it is the specific premium's), spread by tier ratios.
        model_total = claims.modelled_net
        ratios = dict.fromkeys(ruleset.tier_codes, Decimal(1))
        if ruleset.assumptions is not None and ruleset.assumptions.tier_ratios is not None:
            ratios.update(ruleset.assumptions.tier_ratios)
        target = model_total
        expected_t = fund.tier_expected(model_total, ratios, months, mode)
    margin = ruleset.assumptions.funding_margin if ruleset.assumptions is not None else Decimal(0)
    fixed_t = fund.fixed_pepm(ruleset, months, mode)
    rates = fund.funding(expected_t, fixed_t, months, mode, margin=margin, target=target)

    tiers = sorted(ruleset.specific, key=lambda t: t.deductible)
    errors: dict[str, float] = {}
    tier_prices = []
    for t in tiers:
        layer_value = _layer_expectation(y, count, t, grid)
        pct_t = float(t.reimbursement_pct)
        errors[f"specific.tiers.{t.name}.expected_reimbursement"] = pct_t * layer_value.error
        tier_prices.append(
            TierPrice(
                name=t.name,
                deductible=t.deductible,
                maximum=t.maximum,
                aggregating_deductible=t.aggregating_deductible,
                expected_reimbursement=pct_t * layer_value.value,
                expected_claimants_over_deductible=count.lam
                * (1.0 - float(y.cdf(np.array(float(t.deductible))))),
                premium=fixed.by_specific.get(t.name, ZERO),
                expected_layer=count.lam * Layer(y, float(t.deductible), _width(t)).mean,
            )
        )
    cap = float(tiers[0].deductible) if tiers else None
    agg = ruleset.aggregate
    if agg is not None and not agg.cap_per_claimant:
        cap = None

    attachment: Attachment | None = None
    a = math.inf
    agg_max = math.inf
    if agg is not None:
        factors = fund.attachment_factors(agg, expected_t, ruleset.tier_codes, mode)
        attachment = attachment_point(agg, factors, months, mode)
        a = float(attachment.point)
        agg_max = math.inf if agg.maximum is None else float(agg.maximum)

    fixed_total = float(fixed.total)
    fi_total: Money | None = None
    assumptions = ruleset.assumptions
    if assumptions is not None and assumptions.fully_insured is not None:
        fi_total = sum((fund._tier_sum(assumptions.fully_insured.amounts, m.employees) for m in months), ZERO)
    threshold = _cost_threshold(fi_total, fixed_total, a, agg_max)
    fine, coarse = lattice_pair(y, count, cap=cap, resolve=[a, a + agg_max, threshold], points=grid, unit=cap)

    agg_summary: dict[str, Any] | None = None
    if agg is not None:
        pct_a = float(agg.reimbursement_pct)
        reimb = with_error(fine, coarse, lambda s: pct_a * (s.excess(a) - s.excess(a + agg_max)))
        attach = with_error(fine, coarse, lambda s: s.sf(a))
        errors["aggregate.expected_reimbursement"] = reimb.error
        errors["aggregate.probability_of_attachment"] = attach.error
        agg_summary = {
            "expected_reimbursement": _money(reimb.value, mode),
            "probability_of_attachment": round(attach.value, 6),
            "premium": format_money(fixed.aggregate_premium),
        }

    def expected_cost(s: Lattice) -> float:
        return fixed_total + s.limited(a) + s.excess(a + agg_max)

    def cost_at(v: float) -> float:
        return fixed_total + min(v, a) + max(v - a - agg_max, 0.0)

    cost_value = with_error(fine, coarse, expected_cost)
    cost_mean = cost_value.value
    errors["employer_cost.expected"] = cost_value.error
    pct_values: dict[str, float] = {}
    for p in PERCENTILES:

        def cost_quantile(s: Lattice, q: float = p / 100) -> float:
            return cost_at(s.quantile(q))

        q = with_error(fine, coarse, cost_quantile)
        pct_values[f"p{p}"] = q.value
        errors[f"employer_cost.p{p}"] = max(q.error, fine.h)
    grid_values = fine.grid
    cost = fixed_total + np.minimum(grid_values, a) + np.maximum(grid_values - a - agg_max, 0.0)

    fi_summary: dict[str, Any] | None = None
    if fi_total is not None:
        more = with_error(fine, coarse, lambda s: s.sf(threshold) if math.isfinite(threshold) else 0.0)
        errors["fully_insured.probability_aso_costs_more"] = more.error
        errors["fully_insured.expected_savings"] = cost_value.error
        fi_summary = {
            "premium": format_money(fi_total),
            "expected_savings": format_money(fi_total - Decimal(_money(cost_mean, mode))),
            "probability_aso_costs_more": round(more.value, 6),
        }

    checks: dict[str, dict[str, float]] = {}
    if simulations > 0:
        checks = _monte_carlo(
            y, count, cap, a, agg_max, fixed_total, tiers, simulations, seed, fi_total, progress,
            agg_pct=float(agg.reimbursement_pct) if agg is not None else 1.0,
        )  # fmt: skip

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
            "span": round(fine.h, 6),
            "discretisation": "local moment matching",
            "tail_mass": fine.beyond,
            "lattice_top": round(fine.top, 2),
            "error_estimate": "richardson: |value at span h - value at span 2h|",
            "discretisation_error": {k: float(f"{v:.6g}") for k, v in errors.items()},
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
            "expected_eligible_claims_capped": _money(fine.mean, mode),
        },
    }
    summary["claims_basis"] = claims.summary()
    summary["checks"] = checks
    basis_warning = claims.warning()
    summary["warnings"] = ([basis_warning] if basis_warning else []) + check_warnings(summary, checks)
    return Quote(
        summary=summary,
        ruleset=ruleset,
        cost_grid=cost,
        cost_probs=fine.probs,
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


def _cost_threshold(fi_total: Money | None, fixed_total: float, a: float, agg_max: float) -> float:
    """The eligible claims ``s`` above which the employer cost exceeds the fully insured premium."""
    if fi_total is None:
        return math.inf
    t = float(fi_total) - fixed_total
    if t <= a:
        return max(t, 0.0)
    return t + agg_max  # cost is flat at the attachment until the aggregate maximum is used up


CHECK_SIGMAS = 4.0


def check_warnings(summary: dict[str, Any], checks: dict[str, dict[str, float]]) -> list[str]:
    """A warning for each exact figure more than ``CHECK_SIGMAS`` standard errors from its simulation."""
    out: list[str] = []
    for path, mc in checks.items():
        value: Any = summary
        for part in path.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list):
                value = next((v for v in value if v.get("name") == part), None)
            else:
                value = None
                break
        if value is None:
            continue
        exact = float(value)
        se, mean = mc["standard_error"], mc["mean"]
        if not se > 0:
            continue  # no simulated year reached the figure: the simulation cannot check it
        # A figure rounded to cents (or 6 decimals) cannot agree more closely than its rounding.
        tolerance = CHECK_SIGMAS * se + (0.005 if isinstance(value, str) else 5e-7)
        if abs(exact - mean) > tolerance:
            sigmas = abs(exact - mean) / se if se > 0 else math.inf
            out.append(
                f"{path} = {value} is {sigmas:.1f} standard errors from its Monte Carlo check "
                f"({mean:.6g} +/- {se:.3g}): the exact figure or the simulation is not to be trusted"
            )
    return out


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
    *,
    agg_pct: float = 1.0,
) -> dict[str, dict[str, float]]:
    """Seeded plan-year simulation of the reported figures, keyed by their path in price.json."""
    limit = math.inf if cap is None else cap
    stats: dict[str, Any] = {"capped": lambda v: np.minimum(v, limit)}
    for i, t in enumerate(tiers):
        low = float(t.deductible)
        width = math.inf if t.maximum is None else float(t.maximum)
        stats[f"layer{i}"] = lambda v, low=low, width=width: np.minimum(np.maximum(v - low, 0.0), width)
        stats[f"over{i}"] = lambda v, low=low: (v > low).astype(float)
    mc = simulate(y, count, stats, simulations=simulations, seed=seed, progress=progress)
    s = mc.values["capped"]
    cost = fixed_total + np.minimum(s, a) + np.maximum(s - a - agg_max, 0.0)
    out: dict[str, dict[str, float]] = {}

    def record(key: str, v: np.ndarray) -> None:
        out[key] = {"mean": float(v.mean()), "standard_error": float(v.std(ddof=1) / math.sqrt(len(v)))}

    record("employer_cost.expected", cost)
    record("claimant_model.expected_eligible_claims_capped", s)
    if math.isfinite(a):
        record("aggregate.expected_reimbursement", agg_pct * np.minimum(np.maximum(s - a, 0.0), agg_max))
        record("aggregate.probability_of_attachment", (s > a).astype(float))
    total = np.zeros(simulations)
    for i, t in enumerate(tiers):
        asd = float(t.aggregating_deductible)
        paid = float(t.reimbursement_pct) * np.maximum(mc.values[f"layer{i}"] - asd, 0.0)
        total += paid
        record(f"specific.tiers.{t.name}.expected_reimbursement", paid)
        record(f"specific.tiers.{t.name}.expected_claimants_over_deductible", mc.values[f"over{i}"])
    if tiers:
        record("specific.expected_reimbursement", total)
        record("specific.expected_claimants_over_deductible", mc.values["over0"])
    if fi_total is not None:
        record("fully_insured.probability_aso_costs_more", (cost > float(fi_total)).astype(float))
        record("fully_insured.expected_savings", float(fi_total) - cost)
    return out


__all__ = ["Compound", "PricingError", "Quote", "TierPrice", "discretise", "fft_compound", "price"]
