"""IBNR by claim group: the chain ladder where months are mature, the projected-PMPM method where not,
and the credibility blend of the group's own experience with the manual rate.

On entry: an ``Experience``. On exit, per claim group (the stop-loss lines together, the group the
manual rate prices; every other coverage line on its own) a ``GroupIBNR``: the lag triangle, its chain
ladder, each incurred month's method (``chain_ladder`` or ``projected_pmpm``), ultimate, IBNR and
standard error, and the group's projected PMPM.

* **Maturity.** An incurred month is mature when its completion factor is at least
  ``MATURE_COMPLETION`` (50%) and its chain-ladder ultimate rests on factors estimated from at least
  two incurred months (or, on a factor from one month, its completion is at least 95%); otherwise
  its ultimate is the projected-PMPM (Bornhuetter-Ferguson) estimate
  ``paid + (1 - completion) x PMPM x member months``.
* **Credibility: limited fluctuation.** Full credibility is
  ``n_F = (z_0.95 / 0.05)^2 (1 + CV^2) = 1,082.2 (1 + CV^2)`` claimants (the experience's total within
  5% of its expected value with probability 90%), with ``CV`` the coefficient of variation of one
  claimant's plan-paid cost capped at the lowest specific deductible under the pricing assumptions.
  ``n`` is the number of distinct claimants with plan paid in the mature months;
  ``Z = min(1, sqrt(n / n_F))`` (the square-root rule). Projected PMPM =
  ``Z x experience PMPM + (1 - Z) x manual PMPM``, the experience PMPM being the mature months'
  chain-ladder ultimates over their member months, the manual PMPM the assumptions' ``expected_claims``
  per member month (put on the gross basis by the claimant model's gross-to-net ratio when they are
  stated net of the specific layer). A group without a manual rate has ``Z = 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.track.experience import Experience
from aso_rules.track.triangle import (
    ChainLadder,
    chain_ladder,
    cumulative,
    exponential_tail,
    incremental_triangle,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MATURE_COMPLETION = 0.75
STABLE_COMPLETION = 0.95  # a factor from one incurred month is used only this close to complete
CREDIBILITY_PROBABILITY = 0.90
CREDIBILITY_TOLERANCE = 0.05
Z_95 = 1.6448536269514722  # the standard normal's 95th percentile: P(|N| <= z) = 90%

Method = Literal["chain_ladder", "projected_pmpm"]


def full_credibility_claimants(cv: float) -> float:
    """``(z / k)^2 (1 + cv^2)`` claimants, P = 90%, k = 5% (limited fluctuation)."""
    return (Z_95 / CREDIBILITY_TOLERANCE) ** 2 * (1.0 + cv * cv)


def credibility(claimants: int, full: float) -> float:
    """``min(1, sqrt(n / n_F))``; 1 when no standard applies (``full <= 0``)."""
    if full <= 0:
        return 1.0
    return min(1.0, math.sqrt(max(claimants, 0) / full))


@attrs.frozen
class Credibility:
    standard: str
    full_credibility_claimants: float | None
    claimants: int
    z: float
    experience_pmpm: float | None  # cents
    manual_pmpm: float | None  # cents
    projected_pmpm: float  # cents


@attrs.frozen
class GroupIBNR:
    name: str
    lines: tuple[str, ...]
    triangle: IntArray = attrs.field(eq=False)  # incremental, cents
    chain: ChainLadder = attrs.field(eq=False)
    paid: FloatArray = attrs.field(eq=False)  # per incurred month, cents
    ultimate: FloatArray = attrs.field(eq=False)
    standard_error: FloatArray = attrs.field(eq=False)
    method: tuple[Method, ...]
    credibility: Credibility
    total_standard_error: float
    season: tuple[float, ...] = ()  # per plan month: its cost per member month over the year's average

    def exposure(self, member_months: FloatArray) -> FloatArray:
        return seasonal_exposure(member_months, self.season)

    @property
    def ibnr(self) -> FloatArray:
        return np.asarray(self.ultimate - self.paid, dtype=np.float64)


def seasonal_exposure(member_months: Sequence[float] | FloatArray, season: tuple[float, ...]) -> FloatArray:
    """Member months weighted by the season (``()``: unweighted): what a rate per seasonal member
    month multiplies."""
    mm = np.asarray(member_months, dtype=np.float64)
    if not season:
        return mm
    return np.asarray(mm * np.array(season[: len(mm)], dtype=np.float64), dtype=np.float64)


def _mature(chain: ChainLadder) -> npt.NDArray[np.bool_]:
    n = chain.n
    out = np.zeros(n, dtype=bool)
    for i in range(n):
        # row i's latest lag is n-1-i; its first projected factor f_{n-1-i} rests on i rows: one
        # row is an unstable basis unless the month is all but complete
        supported = i == 0 or i >= 2 or chain.completion[i] >= STABLE_COMPLETION
        out[i] = bool(chain.completion[i] >= MATURE_COMPLETION and supported and chain.latest[i] > 0)
    return out


def experience_pmpm(
    chain: ChainLadder, mature: npt.NDArray[np.bool_], mm: FloatArray, manual_pmpm: float | None
) -> float | None:
    """The group's own experience per member month, in cents (``None``: nothing to go on).

    With a manual rate: every observed month, a mature month at its chain-ladder ultimate and an
    immature one completed with the manual rate (``paid + (1 - completion) x manual x member
    months``, the Bornhuetter-Ferguson a priori), so the experience spans the whole observed period
    rather than its oldest months only. Without one: the mature months' ultimates, or every observed
    month's when none is mature."""
    if mm.sum() <= 0:
        return None
    if manual_pmpm is not None:
        if not mature.any() or mm[mature].sum() <= 0:
            return None
        ultimate = np.where(
            mature, chain.ultimate, chain.latest + (1.0 - chain.completion) * manual_pmpm * mm
        )
        return float(ultimate.sum() / mm.sum())
    if mature.any() and mm[mature].sum() > 0:
        return float(chain.ultimate[mature].sum() / mm[mature].sum())
    return float(chain.ultimate.sum() / mm.sum())


def group_ibnr(
    exp: Experience,
    name: str,
    lines: tuple[str, ...],
    *,
    manual_by_month: tuple[float, ...] | None = None,
    claimant_cv: float | None = None,
    season: tuple[float, ...] = (),
) -> GroupIBNR:
    """The group's IBNR (see the module docstring). ``manual_by_month``: the manual expected plan
    paid per plan month in cents (gross basis); ``claimant_cv`` sets the full-credibility standard."""
    n = exp.observed
    mask = exp.line_mask(lines)
    tri = incremental_triangle(exp.incurred[mask], exp.lag[mask], exp.cents[mask], n)
    cum = cumulative(tri)
    chain = chain_ladder(cum, tail=exponential_tail(chain_ladder(cum).factors))
    mature = _mature(chain)
    all_mm = seasonal_exposure(exp.member_months, season)
    mm = all_mm[:n]
    manual_pmpm: float | None = None
    if manual_by_month is not None and all_mm.sum() > 0:
        manual_pmpm = float(sum(manual_by_month) / all_mm.sum())
    exp_pmpm = experience_pmpm(chain, mature, mm, manual_pmpm)
    observed = set(range(n)) if manual_pmpm is not None else {i for i in range(n) if mature[i]}
    claimants = len(
        {exp.member[k] for k in np.flatnonzero(mask & (exp.cents > 0)) if int(exp.incurred[k]) in observed}
    )
    if manual_pmpm is None:
        full, z, standard = None, 1.0, "none: no manual rate, the group's own experience"
    else:
        full = full_credibility_claimants(claimant_cv if claimant_cv is not None else 0.0)
        z = credibility(claimants, full) if exp_pmpm is not None else 0.0
        standard = "limited fluctuation: P = 90%, k = 5%, square-root rule"
    if exp_pmpm is None and manual_pmpm is None:
        projected = 0.0
    elif exp_pmpm is None:
        projected = float(manual_pmpm or 0.0)
    elif manual_pmpm is None:
        projected = exp_pmpm
    else:
        projected = z * exp_pmpm + (1.0 - z) * manual_pmpm
    cred = Credibility(
        standard=standard,
        full_credibility_claimants=full,
        claimants=claimants,
        z=z,
        experience_pmpm=exp_pmpm,
        manual_pmpm=manual_pmpm,
        projected_pmpm=projected,
    )
    paid = chain.latest.copy()
    ult = chain.ultimate.copy()
    se = chain.standard_error.copy()
    cl_ibnr = chain.ibnr
    methods: list[Method] = []
    for i in range(n):
        if mature[i]:
            methods.append("chain_ladder")
            continue
        methods.append("projected_pmpm")
        bf = (1.0 - chain.completion[i]) * projected * mm[i]
        ult[i] = paid[i] + bf
        # the projected-PMPM reserve carries the chain ladder's coefficient of variation, or a
        # Poisson-like one (1 / sqrt(expected claimants' share)) when the chain ladder has no reserve
        se[i] = se[i] * bf / cl_ibnr[i] if cl_ibnr[i] > 0 else bf
    cl_total = float(cl_ibnr.sum())
    total_ibnr = float((ult - paid).sum())
    if cl_total > 0:
        total_se = chain.total_standard_error * total_ibnr / cl_total
    else:
        total_se = float(np.sqrt((se**2).sum()))
    total_se = max(total_se, float(np.sqrt((se**2).sum())) if cl_total <= 0 else total_se)
    return GroupIBNR(
        name=name,
        lines=lines,
        triangle=tri,
        chain=chain,
        paid=paid,
        ultimate=ult,
        standard_error=se,
        method=tuple(methods),
        credibility=cred,
        total_standard_error=total_se,
        season=tuple(float(v) for v in season),
    )
