"""Claim-size distributions for one claimant's annual allowed cost, and the cost-sharing transform.

On entry: a ``model.Severity`` (lognormal, gamma, pareto or a loaded continuance table) and, for the
transform, the medical line's individual deductible, member coinsurance and out-of-pocket maximum.
On exit: a ``Distribution`` with the cdf, the limited expected value ``E[min(X, k)]``, sampling, and
a ``PlanPaid`` view ``Y = x - member_share(x)`` whose limited expected value is exact (closed form
from the ground-up one); ``discretise`` turns any of them into masses on a grid of span ``h`` by
local moment matching (mean preserved) or by rounding.

Numerics here are float64 estimates; money conversion happens only in ``quote.py``.
"""

from __future__ import annotations

import math
from typing import Literal, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules import model
from aso_rules.extras import MissingExtra

try:
    from scipy import special
except ImportError as exc:  # pragma: no cover - exercised by the install tests in a subprocess
    raise MissingExtra("pricing", "scipy") from exc

FloatArray = npt.NDArray[np.float64]
Method = Literal["moment", "rounding"]


class PricingError(ValueError):
    """Pricing inputs that cannot be priced (message says why); never a traceback to the user."""


class Distribution(Protocol):
    """A non-negative claim-size distribution."""

    @property
    def mean(self) -> float: ...

    def cdf(self, x: FloatArray) -> FloatArray: ...

    def lev(self, k: FloatArray) -> FloatArray:
        """Limited expected value ``E[min(X, k)]`` (``k >= 0``)."""
        ...

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray: ...


def _arr(x: FloatArray | float) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


@attrs.frozen
class LognormalDist:
    """Lognormal with the given mean and coefficient of variation."""

    mu: float
    sigma: float

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> LognormalDist:
        if mean <= 0 or cv <= 0:
            raise PricingError("lognormal needs a positive mean and cv")
        s2 = math.log1p(cv * cv)
        return cls(mu=math.log(mean) - s2 / 2, sigma=math.sqrt(s2))

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)

    def cdf(self, x: FloatArray) -> FloatArray:
        x = _arr(x)
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(x, 0.0)) - self.mu) / self.sigma
        return np.asarray(special.ndtr(z), dtype=np.float64)

    def lev(self, k: FloatArray) -> FloatArray:
        k = _arr(k)
        s = self.sigma
        with np.errstate(divide="ignore"):
            lk = np.log(np.maximum(k, 0.0))
        part = self.mean * special.ndtr((lk - self.mu - s * s) / s)
        with np.errstate(invalid="ignore"):
            tail = np.where(np.isinf(k), 0.0, k * special.ndtr(-(lk - self.mu) / s))
        return np.asarray(np.where(k > 0, part + tail, 0.0), dtype=np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.lognormal(self.mu, self.sigma, n)


@attrs.frozen
class GammaDist:
    """Gamma with the given mean and coefficient of variation (shape 1/cv^2)."""

    shape: float
    scale: float

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> GammaDist:
        if mean <= 0 or cv <= 0:
            raise PricingError("gamma needs a positive mean and cv")
        shape = 1.0 / (cv * cv)
        return cls(shape=shape, scale=mean / shape)

    @property
    def mean(self) -> float:
        return self.shape * self.scale

    def cdf(self, x: FloatArray) -> FloatArray:
        x = np.maximum(_arr(x), 0.0)
        return np.asarray(special.gammainc(self.shape, x / self.scale), dtype=np.float64)

    def lev(self, k: FloatArray) -> FloatArray:
        k = np.maximum(_arr(k), 0.0)
        u = k / self.scale
        part = self.mean * special.gammainc(self.shape + 1, u)
        with np.errstate(invalid="ignore"):
            tail = np.where(np.isinf(k), 0.0, k * special.gammaincc(self.shape, u))
        return np.asarray(part + tail, dtype=np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.gamma(self.shape, self.scale, n)


@attrs.frozen
class ParetoDist:
    """Pareto (type II, Lomax): ``P(X > x) = (scale / (x + scale)) ** alpha``, support from 0."""

    alpha: float
    scale: float

    def __attrs_post_init__(self) -> None:
        if self.alpha <= 1 or self.scale <= 0:
            raise PricingError("pareto needs alpha > 1 (a finite mean) and a positive scale")

    @property
    def mean(self) -> float:
        return self.scale / (self.alpha - 1)

    def cdf(self, x: FloatArray) -> FloatArray:
        x = np.maximum(_arr(x), 0.0)
        return np.asarray(1.0 - (self.scale / (x + self.scale)) ** self.alpha, dtype=np.float64)

    def lev(self, k: FloatArray) -> FloatArray:
        k = np.maximum(_arr(k), 0.0)
        return np.asarray(
            self.mean * (1.0 - (self.scale / (k + self.scale)) ** (self.alpha - 1)), dtype=np.float64
        )

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.asarray(self.scale * (rng.pareto(self.alpha, n)), dtype=np.float64)


@attrs.frozen
class TableDist:
    """A continuance table as the discrete law whose ``E[min(X, k)]`` is the table's limited expected
    value interpolated linearly between bucket bounds (the AV Calculator's reading).

    A linear piece of slope ``s_j`` on bucket ``j`` means ``P(X > k) = s_j`` inside it, so the law has
    point masses at the bounds (``s_j - s_{j+1}``) and, past the last finite bound, one point carrying
    the remaining mean. The membership shares are not used: in the av2015 tables they are not
    consistent with the limited values (``P(X > b) b`` exceeds ``E[min(X, b)]``).
    """

    points: FloatArray = attrs.field(eq=False)
    probs: FloatArray = attrs.field(eq=False)

    @classmethod
    def from_table(cls, table: model.ContinuanceTable) -> TableDist:
        if not table.rows:
            raise PricingError(f"continuance table {table.path} has no rows (not loaded)")
        bounds = np.array([float(r.up_to) for r in table.rows])
        levs = np.array([float(r.limited_expected_value) for r in table.rows])
        finite = np.isfinite(bounds)
        b, lev = bounds[finite], levs[finite]
        mean = float(levs[-1]) if not finite[-1] else float(lev[-1])
        if b[0] != 0.0:
            b, lev = np.concatenate(([0.0], b)), np.concatenate(([0.0], lev))
        slopes = np.diff(lev) / np.diff(b)  # P(X > k) on each bucket
        slopes = np.minimum.accumulate(np.clip(slopes, 0.0, 1.0))  # a survival never rises
        survival_end = float(slopes[-1])
        probs = np.empty(len(b) + 1)
        probs[0] = 1.0 - slopes[0]
        probs[1:-2] = slopes[:-1] - slopes[1:]
        probs[-2] = 0.0
        points = np.concatenate((b, [b[-1]]))
        excess = mean - float(lev[-1])
        if survival_end > 0 and excess > 0:
            probs[-2] = 0.0
            probs[-1] = survival_end
            points[-1] = b[-1] + excess / survival_end
        else:
            probs[-2] = survival_end
            probs[-1] = 0.0
        return cls(points=points, probs=probs)

    @property
    def mean(self) -> float:
        return float(np.dot(self.points, self.probs))

    def cdf(self, x: FloatArray) -> FloatArray:
        x = _arr(x)
        cum = np.cumsum(self.probs)
        idx = np.searchsorted(self.points, x, side="right")
        return np.asarray(np.where(idx > 0, cum[np.maximum(idx - 1, 0)], 0.0), dtype=np.float64)

    def lev(self, k: FloatArray) -> FloatArray:
        k = _arr(k)
        cum_p = np.concatenate(([0.0], np.cumsum(self.probs)))
        cum_px = np.concatenate(([0.0], np.cumsum(self.probs * self.points)))
        idx = np.searchsorted(self.points, k, side="right")
        with np.errstate(invalid="ignore"):
            tail = np.where(np.isinf(k), 0.0, k * np.maximum(1.0 - cum_p[idx], 0.0))
        return np.asarray(cum_px[idx] + tail, dtype=np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.asarray(rng.choice(self.points, size=n, p=self.probs), dtype=np.float64)


def distribution(severity: model.Severity) -> Distribution:
    """The numeric distribution of a model severity (a table must already hold its rows)."""
    if isinstance(severity, model.Lognormal):
        return LognormalDist.from_mean_cv(float(severity.mean), float(severity.cv))
    if isinstance(severity, model.Gamma):
        return GammaDist.from_mean_cv(float(severity.mean), float(severity.cv))
    if isinstance(severity, model.Pareto):
        return ParetoDist(alpha=float(severity.alpha), scale=float(severity.scale))
    return TableDist.from_table(severity)


# --------------------------------------------------------------------------- cost sharing


@attrs.frozen
class CostShareTerms:
    """Individual annual cost sharing: deductible, then member coinsurance, capped at the OOP max."""

    deductible: float = 0.0
    coinsurance: float = 0.0  # member rate
    oop_max: float | None = None

    @classmethod
    def from_cost_sharing(cls, terms: model.CostSharing) -> CostShareTerms:
        ded = float(terms.ded_ind) if terms.ded_ind is not None else 0.0
        oop = float(terms.oop_ind) if terms.oop_ind is not None else None
        return cls(deductible=ded, coinsurance=float(terms.default.coins), oop_max=oop)

    @property
    def _d(self) -> float:
        """The deductible actually paid (never above the OOP maximum)."""
        return self.deductible if self.oop_max is None else min(self.deductible, self.oop_max)

    @property
    def oop_point(self) -> float:
        """Allowed amount at which the member reaches the OOP maximum (inf if never)."""
        if self.oop_max is None:
            return math.inf
        if self.coinsurance <= 0:
            return self._d if self.deductible >= self.oop_max else math.inf
        return self._d + (self.oop_max - self._d) / self.coinsurance

    def member_share(self, x: FloatArray) -> FloatArray:
        x = _arr(x)
        d, k = self._d, self.oop_point
        return np.asarray(
            np.minimum(x, d) + self.coinsurance * np.maximum(np.minimum(x, k) - d, 0.0), dtype=np.float64
        )

    def plan_paid(self, x: FloatArray) -> FloatArray:
        """``Y = x - member_share(x)``: continuous, non-decreasing, piecewise linear."""
        x = _arr(x)
        return np.asarray(x - self.member_share(x), dtype=np.float64)

    def inverse(self, y: FloatArray) -> FloatArray:
        """Smallest allowed amount with plan paid ``>= y`` (for ``y > 0``)."""
        y = _arr(y)
        d, k, c = self._d, self.oop_point, self.coinsurance
        if c >= 1:
            return np.asarray(np.where(y > 0, k + y, d), dtype=np.float64)
        if not math.isfinite(k):
            return np.asarray(d + y / (1 - c), dtype=np.float64)
        y_at_k = (1 - c) * (k - d)
        return np.asarray(np.where(y <= y_at_k, d + y / (1 - c), k + (y - y_at_k)), dtype=np.float64)


@attrs.frozen
class PlanPaid:
    """The law of one claimant's plan-paid cost ``Y = g(X)`` for cost sharing ``g``."""

    ground_up: Distribution
    terms: CostShareTerms

    @property
    def mean(self) -> float:
        return float(self.lev(np.array(math.inf)))

    def cdf(self, y: FloatArray) -> FloatArray:
        y = _arr(y)
        inv = self.terms.inverse(np.maximum(y, 1e-300))
        return np.asarray(np.where(y < 0, 0.0, self.ground_up.cdf(inv)), dtype=np.float64)

    def lev(self, k: FloatArray) -> FloatArray:
        k = _arr(k)
        d, kk, c = self.terms._d, self.terms.oop_point, self.terms.coinsurance
        u = self.terms.inverse(np.maximum(k, 1e-300))
        u = np.where(k > 0, u, 0.0)
        lev = self.ground_up.lev
        if math.isfinite(kk):
            uk = np.minimum(u, kk)
            lev_uk = lev(uk)
            out = (1 - c) * (lev_uk - lev(np.minimum(u, d))) + lev(u) - lev_uk
        else:
            out = (1 - c) * (lev(u) - lev(np.minimum(u, d)))
        return np.asarray(np.where(k > 0, out, 0.0), dtype=np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return self.terms.plan_paid(self.ground_up.sample(rng, n))


def layer_lev(dist: Distribution, low: float, width: float, k: FloatArray) -> FloatArray:
    """``E[min(L, k)]`` for the layer ``L = min((Y - low)+, width)`` of ``dist``."""
    k = np.minimum(np.maximum(_arr(k), 0.0), width)
    return np.asarray(dist.lev(low + k) - dist.lev(np.array(low)), dtype=np.float64)


def discretise_lev(
    lev: FloatArray, h: float, method: Method = "moment", cdf: FloatArray | None = None
) -> FloatArray:
    """Masses on ``0, h, 2h, ...`` from ``E[min(X, jh)]`` at ``j = 0..n`` (``lev`` has n+1 values).

    ``moment``: local moment matching of order 1 (De Vylder): ``f_0 = 1 - LEV(h)/h``,
    ``f_j = (2 LEV(jh) - LEV((j-1)h) - LEV((j+1)h)) / h``; preserves the mean of ``min(X, nh)``.
    ``rounding``: ``f_j = F((j+1/2)h) - F((j-1/2)h)`` from ``cdf`` evaluated at ``(j+1/2)h``.
    The last point takes all remaining mass (the tail beyond the grid).
    """
    n = len(lev) - 1
    f = np.empty(n + 1)
    if method == "rounding":
        if cdf is None:
            raise ValueError("rounding needs the cdf at the half points")
        f[0] = cdf[0]
        f[1:n] = np.diff(cdf[:n])
        f[n] = 1.0 - cdf[n - 1]
        return np.maximum(f, 0.0)
    f[0] = 1.0 - lev[1] / h
    f[1:n] = (2 * lev[1:n] - lev[: n - 1] - lev[2 : n + 1]) / h
    f[n] = (lev[n] - lev[n - 1]) / h  # survival at the last point: all the tail mass
    return np.maximum(f, 0.0)


def discretise(
    dist: Distribution, h: float, n: int, method: Method = "moment", cap: float | None = None
) -> FloatArray:
    """Masses of ``min(X, cap)`` on ``n`` points ``0..(n-1)h`` (tail mass on the last point)."""
    grid = np.arange(n, dtype=np.float64) * h
    limit = math.inf if cap is None else cap
    if method == "rounding":
        half = np.minimum(grid + h / 2, limit)
        cdf = np.where(grid + h / 2 >= limit, 1.0, dist.cdf(half))
        return discretise_lev(np.zeros(n), h, "rounding", cdf)
    lev = dist.lev(np.minimum(grid, limit))
    return discretise_lev(lev, h, "moment")


@attrs.frozen
class Layer:
    """The layer ``L = min((Y - low)+, width)`` of a distribution (``width`` may be inf)."""

    base: Distribution
    low: float
    width: float = math.inf

    @property
    def mean(self) -> float:
        return float(layer_lev(self.base, self.low, self.width, np.array(math.inf)))

    def cdf(self, x: FloatArray) -> FloatArray:
        x = _arr(x)
        inner = self.base.cdf(self.low + np.maximum(x, 0.0))
        return np.asarray(np.where(x < 0, 0.0, np.where(x >= self.width, 1.0, inner)), dtype=np.float64)

    def lev(self, k: FloatArray) -> FloatArray:
        return layer_lev(self.base, self.low, self.width, k)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        y = self.base.sample(rng, n)
        return np.asarray(np.minimum(np.maximum(y - self.low, 0.0), self.width), dtype=np.float64)
