"""Error-controlled compound law of ``S = min(X_1, c) + ... + min(X_N, c)`` for stop-loss figures.

On entry: a severity ``Distribution``, a ``ClaimCount``, an optional per-claimant cap ``c`` and the
points of ``S`` that must be resolved (the attachment point, the aggregate maximum, a fully insured
threshold). On exit: a ``Lattice``: the masses of ``S`` on ``0, h, ..., top`` with the mean of ``S``
kept exact (``lam E[min(X, c)]``, in closed form), so that every figure of the form
``E[(S - a)+] = E[S] - E[min(S, a)]`` needs the law of ``S`` below ``a`` only. A heavy severity tail
beyond the grid therefore costs no accuracy: claims above ``top`` are held at ``top`` (their excess
enters through the exact mean) and the compound's wrap-around is damped by exponential tilting.

The span comes from the body of the law, not from its tail: ``top`` covers the points to resolve and
the compound's mean plus 10 standard deviations of ``min(X, M)`` (``M`` the largest of them), and
``h = top / points``, so the attachment, each deductible and the standard deviation are resolved by
hundreds of thousands of points. The discretisation error is estimated by pricing again at span
``2h`` (Richardson, first order: ``|v_h - v_2h|``, a bound when the error falls at least linearly).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np

from aso_rules.price.aggregate import ClaimCount
from aso_rules.price.severity import Distribution, FloatArray, PricingError, discretise_lev

LATTICE_POINTS = 2**19
TILT = 20.0  # exp(-TILT) damps the mass that wraps around the padded FFT


@attrs.frozen
class Lattice:
    """Masses of ``S`` on ``0..top`` (``probs``; the rest lies above ``top``) and its exact mean."""

    h: float
    probs: FloatArray = attrs.field(eq=False)
    mean: float

    @property
    def top(self) -> float:
        return (len(self.probs) - 1) * self.h

    @property
    def grid(self) -> FloatArray:
        return np.arange(len(self.probs), dtype=np.float64) * self.h

    @property
    def beyond(self) -> float:
        """``P(S > top)`` (the mass the lattice does not place)."""
        return max(1.0 - float(self.probs.sum()), 0.0)

    def sf(self, x: float) -> float:
        """``P(S > x)`` for ``x <= top``."""
        return max(1.0 - float(self.probs[self.grid <= x + 1e-9 * self.h].sum()), 0.0)

    def limited(self, a: float) -> float:
        """``E[min(S, a)]`` for ``a <= top``."""
        if math.isinf(a):
            return self.mean
        g = self.grid
        return float(np.dot(np.minimum(g, a), self.probs)) + a * self.beyond

    def excess(self, a: float) -> float:
        """``E[(S - a)+]`` (exact mean minus the limited mean)."""
        if math.isinf(a):
            return 0.0
        return max(self.mean - self.limited(a), 0.0)

    def quantile(self, q: float) -> float:
        """Smallest grid point with ``P(S <= s) >= q`` (``top`` if the lattice does not reach ``q``)."""
        cum = np.cumsum(self.probs)
        idx = int(np.searchsorted(cum, q - 1e-12))
        return float(min(idx, len(cum) - 1) * self.h)

    def expect_below(self, fn: Callable[[FloatArray], FloatArray]) -> float:
        """``E[fn(S); S <= top]``."""
        return float(np.dot(fn(self.grid), self.probs))


def second_moment(dist: Distribution, limit: float, points: int = 4097) -> float:
    """``E[min(X, limit)^2] = int_0^limit 2 k P(X > k) dk`` (trapezoid on a geometric grid)."""
    k = np.concatenate(([0.0], np.geomspace(max(limit, 1.0) * 1e-9, max(limit, 1.0), points)))
    vals = 2 * k * (1.0 - dist.cdf(k))
    return float(np.sum((vals[1:] + vals[:-1]) / 2 * np.diff(k)))


def lattice_top(dist: Distribution, count: ClaimCount, cap: float | None, resolve: list[float]) -> float:
    """The largest point the lattice must hold: the points to resolve and mean + 10 sd of the body."""
    finite = [r for r in resolve if math.isfinite(r) and r > 0]
    limit = cap if cap is not None else max([50 * dist.mean, *finite])
    m1 = float(dist.lev(np.array(limit)))
    m2 = second_moment(dist, limit)
    var = count.lam * m2 + (count.variance - count.lam) * m1 * m1
    body = count.lam * m1 + 10 * math.sqrt(max(var, 0.0))
    return max([body, *finite]) * 1.05


def lattice_span(top: float, points: int, unit: float | None) -> float:
    """``top / points``, or the largest divisor of ``unit`` at most that (a deductible on the grid)."""
    if top <= 0 or not math.isfinite(top):
        raise PricingError("the compound distribution has no finite range to price on")
    h = top / (points - 1)
    if unit is not None and unit > 0 and math.isfinite(unit):
        h = unit / math.ceil(unit / h)
    return h


def lattice_from_lev(lev: FloatArray, h: float, count: ClaimCount, mean: float) -> Lattice:
    """The compound law from the severity's ``E[min(X, jh)]`` at ``j = 0..n-1`` (held at the last
    point), by a padded, exponentially tilted FFT."""
    n = len(lev)
    size = 1 << math.ceil(math.log2(2 * n))
    sev = np.zeros(size)
    sev[:n] = discretise_lev(lev, h, "moment")
    theta = TILT / size
    j = np.arange(size, dtype=np.float64)
    tilted = np.fft.rfft(sev * np.exp(-theta * j))
    g = np.fft.irfft(count.pgf(tilted), size)[:n] * np.exp(theta * j[:n])
    return Lattice(h=h, probs=np.maximum(g, 0.0), mean=mean)


def lattice(
    dist: Distribution,
    count: ClaimCount,
    *,
    cap: float | None = None,
    top: float,
    points: int = LATTICE_POINTS,
    unit: float | None = None,
) -> Lattice:
    """The law of ``S`` on about ``points`` lattice points up to ``top``."""
    return lattice_pair(dist, count, cap=cap, top=top, points=points, unit=unit)[0]


@attrs.frozen
class Priced:
    """A figure and its estimated discretisation error ``|v_h - v_2h|``."""

    value: float
    error: float


def with_error(fine: Lattice, coarse: Lattice, fn: Callable[[Lattice], float]) -> Priced:
    v = fn(fine)
    return Priced(value=v, error=abs(v - fn(coarse)))


def lattice_pair(
    dist: Distribution,
    count: ClaimCount,
    *,
    cap: float | None = None,
    resolve: list[float] | None = None,
    top: float | None = None,
    points: int = LATTICE_POINTS,
    unit: float | None = None,
) -> tuple[Lattice, Lattice]:
    """The lattice at span ``h`` and at ``2h`` (the Richardson pair) over the same range; the
    severity is evaluated once (the coarse grid is every other fine point)."""
    if top is None:
        top = lattice_top(dist, count, cap, resolve or [])
    h = lattice_span(top, points, unit)
    n = math.ceil(top / h) + 1
    n += n % 2 == 0  # odd: the coarse grid ends on the same point
    grid = np.arange(n, dtype=np.float64) * h
    # min(X, top): a claim above the last point pushes S past it all the same.
    limit = grid[-1] if cap is None else min(cap, grid[-1])
    lev = dist.lev(np.minimum(grid, limit))
    mean = count.lam * float(dist.lev(np.array(math.inf if cap is None else cap)))
    fine = lattice_from_lev(lev, h, count, mean)
    coarse = lattice_from_lev(lev[::2], 2 * h, count, mean)
    return fine, coarse
