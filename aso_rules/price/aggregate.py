"""Compound distributions ``S = X_1 + ... + X_N``: FFT (the method), Panjer (the cross-check), Monte Carlo.

On entry: severity masses on a grid ``0, h, 2h, ...`` (from ``severity.discretise``) and a claim
count (Poisson with mean ``lam``, or negative binomial with the same mean and variance
``lam (1 + dispersion lam)``). On exit: the masses of ``S`` on the same grid, with the probability
mass the grid could not hold reported (``Compound.tail``); ``compound`` widens the span until that
tail is below ``TAIL_TOLERANCE`` (docs/semantics.md 13.3). Monte Carlo is seeded and reports standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np

from aso_rules.price.severity import Distribution, FloatArray, Method, PricingError, discretise

TAIL_TOLERANCE = 1e-9
DEFAULT_POINTS = 2**16


@attrs.frozen
class ClaimCount:
    """Number of claimants: Poisson(lam), or negative binomial with variance lam (1 + d lam)."""

    lam: float
    dispersion: float = 0.0  # 0: Poisson

    @property
    def variance(self) -> float:
        return self.lam * (1 + self.dispersion * self.lam)

    def pgf(self, z: np.ndarray) -> np.ndarray:
        if self.dispersion <= 0:
            return np.exp(self.lam * (z - 1))
        beta, r = self.dispersion * self.lam, 1 / self.dispersion
        return (1 - beta * (z - 1)) ** (-r)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.dispersion <= 0:
            return rng.poisson(self.lam, n)
        r = 1 / self.dispersion
        p = r / (r + self.lam)
        return rng.negative_binomial(r, p, n)

    def thinned(self, p: float) -> ClaimCount:
        """The count of claims with probability ``p`` each: NB(r, beta) thins to NB(r, p beta), so the
        mean is ``p lam`` and the dispersion ``1/r`` is unchanged (Poisson stays Poisson)."""
        return ClaimCount(lam=self.lam * p, dispersion=self.dispersion)


@attrs.frozen
class Compound:
    """Masses of a compound sum on ``0, h, ..., (n-1)h``; ``tail`` = mass beyond the grid."""

    h: float
    probs: FloatArray = attrs.field(eq=False)
    tail: float

    @property
    def grid(self) -> FloatArray:
        return np.arange(len(self.probs), dtype=np.float64) * self.h

    @property
    def mean(self) -> float:
        return float(np.dot(self.grid, self.probs))

    def expect(self, fn: Callable[[FloatArray], FloatArray]) -> float:
        return float(np.dot(fn(self.grid), self.probs))

    def sf(self, x: float) -> float:
        """``P(S > x)``."""
        return float(self.probs[self.grid > x + 1e-9 * self.h].sum())


def fft_compound(severity: FloatArray, count: ClaimCount, pad: int = 2) -> Compound:
    """Compound masses by FFT on a grid ``pad`` times the severity's; tail = mass past the first part."""
    n = len(severity)
    size = n * pad
    f = np.zeros(size)
    f[:n] = severity
    phi = np.fft.rfft(f)
    g = np.fft.irfft(count.pgf(phi), size)
    g = np.maximum(g, 0.0)
    tail = float(g[n:].sum())
    return Compound(h=math.nan, probs=g[:n], tail=tail)


def panjer(severity: FloatArray, count: ClaimCount) -> FloatArray:
    """Compound masses by Panjer's recursion (O(n^2): cross-checks on small grids)."""
    f = np.asarray(severity, dtype=np.float64)
    n = len(f)
    g = np.zeros(n)
    if count.dispersion <= 0:
        a, b = 0.0, count.lam
        g[0] = math.exp(count.lam * (f[0] - 1))
    else:
        beta, r = count.dispersion * count.lam, 1 / count.dispersion
        a, b = beta / (1 + beta), (r - 1) * beta / (1 + beta)
        g[0] = (1 + beta * (1 - f[0])) ** (-r)
    if g[0] == 0.0:
        raise PricingError("Panjer recursion underflows (P(S = 0) is below float range)")
    j = np.arange(n, dtype=np.float64)
    scale = 1 / (1 - a * f[0])
    for s in range(1, n):
        js = j[1 : s + 1]
        g[s] = scale * np.dot((a + b * js / s) * f[1 : s + 1], g[s - 1 :: -1][:s])
    return g


def choose_span(mean: float, sd: float, points: int, unit: float | None = None) -> float:
    """A grid span ``h`` covering about mean + 12 sd; a divisor of ``unit`` when given."""
    target = max(mean + 12 * sd, 1.0) / (points / 2)
    if unit is None or unit <= 0:
        return target
    return unit / max(1, math.floor(unit / target))


def compound(
    dist: Distribution,
    count: ClaimCount,
    *,
    cap: float | None = None,
    points: int = DEFAULT_POINTS,
    method: Method = "moment",
    unit: float | None = None,
) -> Compound:
    """The compound law of ``sum min(X_i, cap)`` by FFT, widening ``h`` until the mass beyond the grid
    is below 1e-9: the compound's wrap-around mass plus the expected number of claims larger than the
    grid (which the discretisation would otherwise fold onto its last point)."""
    limit = math.inf if cap is None else cap
    m1 = float(dist.lev(np.array(limit)))
    m2 = _second_moment(dist, limit)
    var_s = count.lam * m2 + (count.variance - count.lam) * m1 * m1
    h = choose_span(count.lam * m1, math.sqrt(max(var_s, 0.0)), points, unit if unit else cap)
    for _ in range(40):
        sev = discretise(dist, h, points, method, cap)
        result = fft_compound(sev, count)
        top = (points - 1) * h
        # Severity mass the last point absorbed: expected claimants whose amount lies beyond the grid.
        beyond = 0.0 if cap is not None and cap <= top else count.lam * (1.0 - float(dist.cdf(np.array(top))))
        tail = result.tail + beyond
        if tail < TAIL_TOLERANCE:
            return Compound(h=h, probs=result.probs, tail=tail)
        base = unit if unit else cap
        steps = math.floor(base / (h * 2)) if base is not None and base > 0 else 0
        h = base / steps if base is not None and steps >= 1 else h * 2
    raise PricingError("the compound distribution does not fit a grid (tail mass stays above 1e-9)")


def _second_moment(dist: Distribution, limit: float) -> float:
    """``E[min(X, limit)^2]`` by integrating ``2 k P(X > k)`` numerically (for sizing the grid)."""
    if math.isinf(limit):
        limit = float(_quantile_upper(dist))
    k = np.linspace(0.0, limit, 4097)
    sf = 1.0 - dist.cdf(k)
    vals = 2 * k * sf
    return float(np.sum((vals[1:] + vals[:-1]) / 2 * np.diff(k)))


def _quantile_upper(dist: Distribution) -> float:
    """A point beyond which the survival is below 1e-12 (for sizing only)."""
    x = max(dist.mean, 1.0)
    while 1.0 - float(dist.cdf(np.array(x))) > 1e-12 and x < 1e15:
        x *= 2
    return x


# --------------------------------------------------------------------------- Monte Carlo


@attrs.frozen
class MonteCarlo:
    """Seeded simulation of plan years: per-year values of named statistics."""

    values: dict[str, FloatArray] = attrs.field(eq=False)
    seed: int
    simulations: int

    def mean(self, key: str) -> float:
        return float(self.values[key].mean())

    def standard_error(self, key: str) -> float:
        v = self.values[key]
        return float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else math.inf


def simulate(
    dist: Distribution,
    count: ClaimCount,
    statistics: dict[str, Callable[[FloatArray], FloatArray]],
    *,
    simulations: int,
    seed: int,
    chunk_draws: int = 2_000_000,
    progress: Callable[[int], object] | None = None,
) -> MonteCarlo:
    """Simulate ``simulations`` plan years; each statistic maps claimant costs to a per-claimant
    amount that is summed within the year (e.g. ``min(y, SD)``). ``progress`` is told how many
    years each chunk finished (for a progress bar)."""
    rng = np.random.default_rng(seed)
    counts = count.sample(rng, simulations)
    out = {key: np.zeros(simulations) for key in statistics}
    start = 0
    while start < simulations:
        stop = start + 1
        total = int(counts[start])
        while stop < simulations and total + int(counts[stop]) <= chunk_draws:
            total += int(counts[stop])
            stop += 1
        sims = np.repeat(np.arange(stop - start), counts[start:stop])
        draws = dist.sample(rng, total)
        for key, fn in statistics.items():
            out[key][start:stop] = np.bincount(sims, weights=fn(draws), minlength=stop - start)
        if progress is not None:
            progress(stop - start)
        start = stop
    return MonteCarlo(values=out, seed=seed, simulations=simulations)
