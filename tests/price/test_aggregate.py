"""Compound distributions: FFT against Panjer's recursion and against Monte Carlo with 10^6 plan years."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aso_rules.price.aggregate import ClaimCount, compound, fft_compound, panjer, simulate
from aso_rules.price.severity import CostShareTerms, GammaDist, LognormalDist, PlanPaid, discretise


@pytest.mark.parametrize(
    "count", [ClaimCount(40.0), ClaimCount(40.0, dispersion=0.05)], ids=["poisson", "negbin"]
)
def test_fft_compound__equals_panjer(count: ClaimCount) -> None:
    """On the same discretised severity, FFT and Panjer's recursion give the same masses (1e-10)."""
    sev = discretise(GammaDist.from_mean_cv(1000, 1.0), 250.0, 2048, "moment", cap=50_000.0)
    by_fft = fft_compound(sev, count)
    by_panjer = panjer(sev, count)
    assert by_fft.tail < 1e-9
    assert np.max(np.abs(by_fft.probs - by_panjer)) < 1e-10


def test_compound__tail_below_tolerance_and_mean_exact() -> None:
    """The chosen grid holds all but < 1e-9 of the mass; E[S] = lam E[min(Y, SD)] to 1e-9 relative."""
    y = PlanPaid(LognormalDist.from_mean_cv(6200, 3.0), CostShareTerms(1500, 0.2, 5000))
    count = ClaimCount(456.3)
    s = compound(y, count, cap=150_000.0)
    assert s.tail < 1e-9
    assert s.mean == pytest.approx(456.3 * float(y.lev(np.array(150_000.0))), rel=1e-9)
    assert 150_000.0 / s.h == pytest.approx(round(150_000.0 / s.h))


@pytest.mark.slow
def test_compound__matches_monte_carlo_million_years() -> None:
    """With 10^6 simulated years: E[S], E[(S-A)+] within 0.5% and their 99.9% intervals; P(S>A) to 0.005."""
    y = PlanPaid(LognormalDist.from_mean_cv(6200, 3.0), CostShareTerms(1500, 0.2, 5000))
    count = ClaimCount(60.0, dispersion=0.01)
    s = compound(y, count, cap=150_000.0)
    a = 1.15 * s.mean
    mc = simulate(y, count, {"s": lambda v: np.minimum(v, 150_000.0)}, simulations=1_000_000, seed=11)
    sims = mc.values["s"]
    for exact, values in (
        (s.mean, sims),
        (s.expect(lambda v: np.maximum(v - a, 0)), np.maximum(sims - a, 0)),
    ):
        se = float(values.std(ddof=1) / math.sqrt(len(values)))
        assert abs(exact - float(values.mean())) < 3.3 * se
        assert exact == pytest.approx(float(values.mean()), rel=0.005)
    assert s.sf(a) == pytest.approx(float((sims > a).mean()), abs=0.005)


def test_compound__matches_monte_carlo_quick() -> None:
    """With 10^5 simulated years the FFT mean and attachment probability agree with the simulation."""
    y = PlanPaid(GammaDist.from_mean_cv(6200, 2.0), CostShareTerms(1000, 0.2, 4000))
    count = ClaimCount(30.0)
    s = compound(y, count, cap=50_000.0)
    a = 1.2 * s.mean
    mc = simulate(y, count, {"s": lambda v: np.minimum(v, 50_000.0)}, simulations=100_000, seed=5)
    assert abs(s.mean - mc.mean("s")) < 3.3 * mc.standard_error("s")
    assert s.sf(a) == pytest.approx(float((mc.values["s"] > a).mean()), abs=0.005)


def test_simulate__seeded_and_reproducible() -> None:
    """The same seed gives the same plan years; a different seed gives different ones."""
    d = LognormalDist.from_mean_cv(1000, 1.0)
    stats = {"x": lambda v: v}
    a = simulate(d, ClaimCount(5.0), stats, simulations=500, seed=3).values["x"]
    b = simulate(d, ClaimCount(5.0), stats, simulations=500, seed=3).values["x"]
    c = simulate(d, ClaimCount(5.0), stats, simulations=500, seed=4).values["x"]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_simulate__chunks_do_not_change_results() -> None:
    """Processing the simulated years in small chunks gives the same per-year sums as one chunk."""
    d = LognormalDist.from_mean_cv(1000, 1.0)
    stats = {"x": lambda v: v}
    big = simulate(d, ClaimCount(5.0), stats, simulations=300, seed=9).values["x"]
    small = simulate(d, ClaimCount(5.0), stats, simulations=300, seed=9, chunk_draws=7).values["x"]
    assert np.allclose(big, small)


def test_claim_count__negative_binomial_variance() -> None:
    """The negative binomial has mean lam and variance lam (1 + d lam) (checked by simulation)."""
    c = ClaimCount(50.0, dispersion=0.02)
    draws = c.sample(np.random.default_rng(1), 400_000)
    assert draws.mean() == pytest.approx(50.0, rel=0.005)
    assert draws.var() == pytest.approx(c.variance, rel=0.02)


def test_claim_count__thinning_keeps_dispersion() -> None:
    """Thinning by p: mean p lam, variance p lam (1 + d p lam), checked by simulation."""
    c = ClaimCount(80.0, dispersion=0.05)
    rng = np.random.default_rng(8)
    kept = rng.binomial(c.sample(rng, 400_000), 0.1)
    t = c.thinned(0.1)
    assert kept.mean() == pytest.approx(t.lam, rel=0.01)
    assert kept.var() == pytest.approx(t.variance, rel=0.03)


def test_compound__widens_span_until_tail_fits() -> None:
    """On a deliberately small grid the span is widened until < 1e-9 of the mass lies beyond it."""
    d = LognormalDist.from_mean_cv(6200, 3.0)
    count = ClaimCount(200.0)
    small = compound(d, count, points=2**10)
    assert small.tail < 1e-9
    cut = (len(small.probs) - 1) * small.h
    assert small.mean == pytest.approx(200.0 * float(d.lev(np.array(cut))), rel=1e-6)
