"""Claim-size laws: limited expected values against independent methods, and the cost-sharing transform."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from aso_rules.price.severity import (
    CostShareTerms,
    GammaDist,
    Layer,
    LognormalDist,
    ParetoDist,
    PlanPaid,
    discretise,
)

REL = 0.005  # docs/semantics.md 13.3: expectations to 0.5% relative


def _mc_mean(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


@pytest.mark.parametrize("k", [500.0, 5_000.0, 50_000.0, 150_000.0])
def test_lognormal_lev__matches_numerical_integration(k: float) -> None:
    """The closed-form lognormal E[min(X,k)] equals the integral of the survival function from 0 to k."""
    d = LognormalDist.from_mean_cv(6200, 3.0)
    ref = stats.lognorm(s=d.sigma, scale=math.exp(d.mu))
    expected, _ = integrate.quad(lambda x: ref.sf(x), 0, k, limit=200, points=[k / 100, k / 10])
    assert float(d.lev(np.array(k))) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("k", [1_000.0, 6_200.0, 40_000.0])
def test_gamma_lev__matches_numerical_integration(k: float) -> None:
    """The closed-form gamma E[min(X,k)] equals the integral of the survival function."""
    d = GammaDist.from_mean_cv(6200, 1.5)
    ref = stats.gamma(a=d.shape, scale=d.scale)
    expected, _ = integrate.quad(lambda x: ref.sf(x), 0, k, limit=200)
    assert float(d.lev(np.array(k))) == pytest.approx(expected, rel=1e-6)


def test_pareto_lev__matches_numerical_integration() -> None:
    """The Lomax E[min(X,k)] equals the integral of its survival function."""
    d = ParetoDist(alpha=2.5, scale=9000.0)
    expected, _ = integrate.quad(lambda x: (9000.0 / (x + 9000.0)) ** 2.5, 0, 100_000)
    assert float(d.lev(np.array(100_000.0))) == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize(
    "dist",
    [LognormalDist.from_mean_cv(6200, 3.0), GammaDist.from_mean_cv(6200, 1.5), ParetoDist(3.0, 12_000.0)],
    ids=["lognormal", "gamma", "pareto"],
)
def test_lev__within_monte_carlo_confidence_interval(dist: LognormalDist | GammaDist | ParetoDist) -> None:
    """With 10^6 draws, E[min(X, 150000)] lies in the Monte Carlo 99.9% interval and within 0.5%."""
    rng = np.random.default_rng(2026)
    mean, se = _mc_mean(np.minimum(dist.sample(rng, 1_000_000), 150_000.0))
    exact = float(dist.lev(np.array(150_000.0)))
    assert abs(exact - mean) < 3.3 * se
    assert exact == pytest.approx(mean, rel=REL)


def test_cost_share_terms__member_share_by_hand() -> None:
    """Deductible 1,500, 20% coinsurance, OOP 5,000: x=1,000 -> 1,000; x=11,500 -> 3,500; x=1e6 -> 5,000."""
    t = CostShareTerms(deductible=1500, coinsurance=0.2, oop_max=5000)
    assert t.oop_point == pytest.approx(19_000)
    assert t.member_share(np.array([1000.0, 11_500.0, 1e6])).tolist() == pytest.approx([1000, 3500, 5000])
    assert t.plan_paid(np.array([19_000.0, 20_000.0])).tolist() == pytest.approx([14_000, 15_000])


def test_plan_paid__lev_matches_monte_carlo() -> None:
    """E[min(Y, k)] of the plan-paid law matches 10^6 simulated claimants within its interval and 0.5%."""
    y = PlanPaid(LognormalDist.from_mean_cv(6200, 3.0), CostShareTerms(1500, 0.2, 5000))
    draws = y.sample(np.random.default_rng(7), 1_000_000)
    for k in (2_000.0, 150_000.0, math.inf):
        mean, se = _mc_mean(np.minimum(draws, k))
        exact = float(y.lev(np.array(k)))
        assert abs(exact - mean) < 3.3 * se, k
        assert exact == pytest.approx(mean, rel=REL)


def test_plan_paid__cdf_matches_monte_carlo() -> None:
    """P(Y <= y) of the plan-paid law matches simulation to 0.005 absolute."""
    y = PlanPaid(GammaDist.from_mean_cv(6200, 1.5), CostShareTerms(1500, 0.2, 5000))
    draws = y.sample(np.random.default_rng(3), 1_000_000)
    for v in (0.0, 1_000.0, 14_000.0, 40_000.0):
        assert float(y.cdf(np.array(v))) == pytest.approx(float((draws <= v).mean()), abs=0.005)


def test_plan_paid__no_cost_sharing_is_ground_up() -> None:
    """With no deductible, coinsurance or OOP maximum, Y = x."""
    x = LognormalDist.from_mean_cv(1000, 1.0)
    y = PlanPaid(x, CostShareTerms())
    k = np.array([10.0, 500.0, 5000.0])
    assert y.lev(k) == pytest.approx(x.lev(k))


def test_layer__mean_is_difference_of_levs() -> None:
    """E[min((Y - 150k)+, 850k)] = LEV(1M) - LEV(150k)."""
    d = LognormalDist.from_mean_cv(6200, 3.0)
    layer = Layer(d, 150_000.0, 850_000.0)
    assert layer.mean == pytest.approx(float(d.lev(np.array(1e6)) - d.lev(np.array(1.5e5))))


@pytest.mark.parametrize("method", ["moment", "rounding"])
def test_discretise__masses_sum_to_one_and_keep_mean(method: str) -> None:
    """Discretised masses sum to 1; local moment matching keeps E[min(X, cap)] exactly."""
    d = LognormalDist.from_mean_cv(6200, 3.0)
    h, n = 100.0, 4096
    f = discretise(d, h, n, method, cap=150_000.0)  # type: ignore[arg-type]
    assert f.sum() == pytest.approx(1.0, abs=1e-12)
    mean = float(np.dot(np.arange(n) * h, f))
    tol = 1e-9 if method == "moment" else 2e-3
    assert mean == pytest.approx(float(d.lev(np.array(150_000.0))), rel=tol)
