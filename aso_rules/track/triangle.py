"""The lag triangle and the chain ladder: development factors, completion factors, IBNR, Mack's error.

On entry: claim lines as incurred-month index, lag in months (paid month minus incurred month) and
plan paid in integer cents, for incurred months ``0 .. n-1`` observed through the evaluation month
``n-1`` (so a cell is observed when ``incurred + lag <= n - 1``). On exit: the incremental and
cumulative triangles (cents), the volume-weighted development factors, each incurred month's
completion factor (the share of its ultimate already paid), the chain-ladder ultimate and IBNR, and
Mack's (1993) standard error of the IBNR, per incurred month and in total.

The statistics are float64 computations on cents; callers convert them to cents once, at the output.
A development column with no paid volume gets the factor 1 (nothing to develop from); lags beyond the
oldest incurred month's age are not observable and carry no development (no tail factor).
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
MAX_TAIL_RATIO = 0.5


def incremental_triangle(incurred: IntArray, lag: IntArray, cents: IntArray, n: int) -> IntArray:
    """``n x n`` incremental triangle of plan-paid cents: row = incurred month, column = lag.

    Lines with an incurred month outside ``0 .. n-1``, a negative lag, or paid after the evaluation
    month (``incurred + lag > n - 1``) are the caller's to exclude; they raise here."""
    incurred = np.asarray(incurred, dtype=np.int64)
    lag = np.asarray(lag, dtype=np.int64)
    if len(incurred) and (
        incurred.min() < 0 or incurred.max() >= n or lag.min() < 0 or (incurred + lag).max() >= n
    ):
        raise ValueError("a line lies outside the observed triangle")
    out = np.zeros((n, n), dtype=np.int64)
    np.add.at(out, (incurred, lag), np.asarray(cents, dtype=np.int64))
    return out


def cumulative(incremental: IntArray) -> IntArray:
    """Cumulative triangle; unobserved cells (below the latest diagonal) are 0."""
    n = incremental.shape[0]
    cum = np.cumsum(incremental, axis=1)
    return np.where(observed_mask(n), cum, 0)


def observed_mask(n: int) -> npt.NDArray[np.bool_]:
    i, j = np.indices((n, n))
    return np.asarray(i + j <= n - 1)


@attrs.frozen
class ChainLadder:
    """The volume-weighted chain ladder of one cumulative triangle (see the module docstring)."""

    cumulative: FloatArray = attrs.field(eq=False)  # n x n, unobserved cells 0
    factors: FloatArray = attrs.field(eq=False)  # f_j, j = 0 .. n-2: development from lag j to j+1
    sigma2: FloatArray = attrs.field(eq=False)  # Mack's sigma_j^2, j = 0 .. n-2
    latest: FloatArray = attrs.field(eq=False)  # each incurred month's paid to date
    cdf: FloatArray = attrs.field(eq=False)  # cumulative development factor to ultimate per row
    mse: FloatArray = attrs.field(eq=False)  # Mack's mean squared error of each row's IBNR
    total_mse: float

    @property
    def n(self) -> int:
        return int(self.cumulative.shape[0])

    @property
    def completion(self) -> FloatArray:
        """Completion factor per incurred month: paid to date / ultimate = 1 / cdf."""
        return np.asarray(1.0 / self.cdf, dtype=np.float64)

    @property
    def ultimate(self) -> FloatArray:
        return np.asarray(self.latest * self.cdf, dtype=np.float64)

    @property
    def ibnr(self) -> FloatArray:
        return np.asarray(self.ultimate - self.latest, dtype=np.float64)

    @property
    def standard_error(self) -> FloatArray:
        return np.asarray(np.sqrt(self.mse), dtype=np.float64)

    @property
    def total_standard_error(self) -> float:
        return math.sqrt(self.total_mse)

    @property
    def completed(self) -> FloatArray:
        """The square completed by the factors (observed cells kept)."""
        n = self.n
        full = self.cumulative.copy()
        for i in range(n):
            for j in range(n - i, n):
                full[i, j] = full[i, j - 1] * self.factors[j - 1]
        return full


def exponential_tail(factors: npt.ArrayLike, horizon: int = 24) -> float:
    """Tail factor beyond the last observed lag: ``log(f_j - 1) = a + b j`` fitted by least squares
    to the factors above 1, extrapolated for ``horizon`` more lags (``prod (1 + e^(a + b j))``).
    1 when fewer than two factors exceed 1 or the fit does not decay (``b >= 0``); a slower decay
    than ``MAX_TAIL_RATIO`` per lag is replaced by that ratio from the last factor above 1."""
    f = np.asarray(factors, dtype=np.float64)
    j = np.flatnonzero(f > 1 + 1e-9)
    if len(j) < 2:
        return 1.0
    b, a = np.polyfit(j.astype(np.float64), np.log(f[j] - 1.0), 1)
    if b >= 0:
        return 1.0
    # a decay slower than halving per lag is not extrapolated as fitted: with two or three noisy
    # factors a flat fit would give an unbounded tail; at ratio 1/2 the tail adds at most about
    # the last factor's own development
    b = min(b, math.log(MAX_TAIL_RATIO))
    a = float(np.log(f[j[-1]] - 1.0)) - b * float(j[-1]) if b == math.log(MAX_TAIL_RATIO) else a
    later = np.arange(len(f), len(f) + horizon, dtype=np.float64)
    return float(np.prod(1.0 + np.exp(a + b * later)))


def chain_ladder(cum: npt.ArrayLike, tail: float = 1.0) -> ChainLadder:
    """Volume-weighted development factors and Mack's standard error of a cumulative triangle.

    ``f_j = sum_i C[i, j+1] / sum_i C[i, j]`` over the rows observed at ``j + 1``.
    ``sigma_j^2 = 1/(m - 1) sum_i C[i, j] (C[i, j+1]/C[i, j] - f_j)^2`` over the ``m`` such rows with
    ``C[i, j] > 0``; where ``m = 1``, Mack's extrapolation
    ``min(sigma_{j-1}^4 / sigma_{j-2}^2, sigma_{j-2}^2, sigma_{j-1}^2)`` (0 when it is undefined).
    Row ``i``'s mean squared error: ``U_i^2 sum_k (sigma_k^2 / f_k^2) (1/C_ik + 1/S_k)`` over its
    unobserved developments ``k``, with ``C_ik`` the projected cumulative and ``S_k`` the column sum
    of ``C[., k]`` over the rows the factor was estimated from; the total adds the covariance term
    ``2 sum_i U_i (sum_{l > i} U_l) sum_k sigma_k^2 / (f_k^2 S_k)`` (Mack 1993, section 4).
    ``tail`` (default 1) multiplies every row's development to ultimate; the mean squared errors
    are scaled by ``tail^2`` (the tail's own uncertainty is not estimated)."""
    c = np.asarray(cum, dtype=np.float64)
    n = c.shape[0]
    if c.shape != (n, n) or n == 0:
        raise ValueError("the triangle must be square and non-empty")
    f = np.ones(max(n - 1, 0))
    s_col = np.zeros(max(n - 1, 0))
    sigma2 = np.zeros(max(n - 1, 0))
    known = np.zeros(max(n - 1, 0), dtype=bool)
    for j in range(n - 1):
        rows = n - 1 - j  # rows 0 .. n-2-j are observed at j + 1
        num, den = c[:rows, j + 1], c[:rows, j]
        s_col[j] = den.sum()
        if s_col[j] > 0:
            f[j] = num.sum() / s_col[j]
        pos = den > 0
        m = int(pos.sum())
        if m >= 2:
            ratio = num[pos] / den[pos]
            sigma2[j] = float((den[pos] * (ratio - f[j]) ** 2).sum() / (m - 1))
            known[j] = True
    for j in range(n - 1):
        if not known[j] and j >= 2 and sigma2[j - 2] > 0:
            sigma2[j] = min(sigma2[j - 1] ** 2 / sigma2[j - 2], sigma2[j - 2], sigma2[j - 1])
    latest = np.array([c[i, n - 1 - i] for i in range(n)])
    cdf = np.ones(n)
    for i in range(n):
        cdf[i] = float(np.prod(f[n - 1 - i :])) * tail
    full = c.copy()
    for i in range(n):
        for j in range(n - i, n):
            full[i, j] = full[i, j - 1] * f[j - 1]
    ult = full[:, n - 1] * tail
    mse = np.zeros(n)
    term = np.zeros(max(n - 1, 0))  # sigma_k^2 / (f_k^2 S_k), the estimation-error part
    for k in range(n - 1):
        if s_col[k] > 0 and f[k] > 0:
            term[k] = sigma2[k] / f[k] ** 2 / s_col[k]
    for i in range(1, n):
        acc = 0.0
        for k in range(n - 1 - i, n - 1):
            if f[k] > 0 and full[i, k] > 0:
                acc += sigma2[k] / f[k] ** 2 * (1.0 / full[i, k]) + term[k]
        mse[i] = ult[i] ** 2 * acc
    total = float(mse.sum())
    for i in range(1, n):
        later = float(ult[i + 1 :].sum())
        total += 2.0 * ult[i] * later * float(term[n - 1 - i :].sum())
    return ChainLadder(
        cumulative=c,
        factors=f,
        sigma2=sigma2,
        latest=latest,
        cdf=cdf,
        mse=mse,
        total_mse=total,
    )
