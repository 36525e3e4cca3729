"""The plan year's projection: paid to date + IBNR + the remaining months, with a simulated band.

On entry: an ``Experience`` and its claim groups' IBNR (``blend.group_ibnr``). On exit a
``Projection``: the expected plan paid on claims incurred in the plan year (whenever paid) and the
seeded simulation of it, from which the band (p05, p50, p95) and the employer's position are read.

* **Remaining months** (after the evaluation month): the group's projected PMPM x their member
  months. For the stop-loss lines the simulation draws them from the pricing model's compound
  distribution (``aso_rules.price``: the claimant count for those member months and one claimant's
  plan-paid cost), every claimant's cost multiplied by one factor so that the mean is the projected
  mean. Without a claimant model, and for the other lines, the remaining months are gamma with the
  month-to-month coefficient of variation of the group's mature months (25% when fewer than two),
  divided by the square root of the number of remaining months.
* **IBNR**: lognormal per group with the IBNR as mean and its standard error, independent of the
  remaining months and of the other groups.
* The simulated claimants of the remaining months are new claimants: a claimant known to date keeps
  the claims paid so far (grossed up by the simulated IBNR of the stop-loss lines) and is not drawn
  again.

Figures are float64 cents; callers round them to cents at the output.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.track.blend import GroupIBNR
from aso_rules.track.experience import Experience

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_SIMULATIONS = 4000
DEFAULT_MONTH_CV = 0.25


@attrs.frozen
class Claimants:
    """Known claimants of the stop-loss lines: member ids and plan paid to date (cents)."""

    members: tuple[str, ...]
    paid: FloatArray = attrs.field(eq=False)


@attrs.frozen
class Projection:
    paid: float  # plan paid to date on claims incurred in the plan year, all groups
    ibnr: float
    ibnr_standard_error: float
    remaining: float  # expected plan paid on the months after the evaluation month
    simulations: int
    seed: int
    total: FloatArray = attrs.field(eq=False)  # simulated incurred plan paid, all groups
    eligible_paid: float  # stop-loss lines, paid to date
    eligible_scale: FloatArray = attrs.field(
        eq=False
    )  # per simulation: (paid + IBNR) / paid, stop-loss lines
    new_cost: FloatArray = attrs.field(eq=False)  # simulated new claimants' costs (stop-loss lines), cents
    new_sim: IntArray = attrs.field(eq=False)  # their simulation index
    known: Claimants
    remaining_by_month: tuple[float, ...]  # expected, per remaining month (all groups)

    @property
    def expected(self) -> float:
        return self.paid + self.ibnr + self.remaining

    def quantile(self, q: float) -> float:
        return float(np.quantile(self.total, q))


def _lognormal(rng: np.random.Generator, mean: float, sd: float, n: int) -> FloatArray:
    if mean <= 0 or sd <= 0:
        return np.full(n, max(mean, 0.0))
    s2 = math.log(1.0 + (sd / mean) ** 2)
    return np.asarray(rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), n), dtype=np.float64)


def _gamma(rng: np.random.Generator, mean: float, cv: float, n: int) -> FloatArray:
    if mean <= 0 or cv <= 0:
        return np.full(n, max(mean, 0.0))
    shape = 1.0 / cv**2
    return np.asarray(rng.gamma(shape, mean / shape, n), dtype=np.float64)


def _month_cv(group: GroupIBNR, member_months: FloatArray) -> float:
    mature = [i for i, m in enumerate(group.method) if m == "chain_ladder" and member_months[i] > 0]
    if len(mature) < 2:
        return DEFAULT_MONTH_CV
    pmpm = group.ultimate[mature] / group.exposure(member_months)[mature]
    mean = float(pmpm.mean())
    return float(pmpm.std(ddof=1) / mean) if mean > 0 else DEFAULT_MONTH_CV


def known_claimants(exp: Experience) -> Claimants:
    mask = exp.line_mask(exp.eligible_lines)
    totals: dict[str, int] = {}
    for k in np.flatnonzero(mask):
        totals[exp.member[k]] = totals.get(exp.member[k], 0) + int(exp.cents[k])
    members = tuple(sorted(totals, key=lambda m: (-totals[m], m)))
    return Claimants(members=members, paid=np.array([totals[m] for m in members], dtype=np.float64))


def project(
    exp: Experience,
    groups: tuple[GroupIBNR, ...],
    eligible: GroupIBNR | None,
    *,
    simulations: int = DEFAULT_SIMULATIONS,
    seed: int = 1,
) -> Projection:
    from aso_rules.price.quote import claimant_model
    from aso_rules.price.severity import PricingError

    rng = np.random.default_rng([seed, 18])
    n = exp.observed
    mm_all = np.array(exp.member_months, dtype=np.float64)
    rem_mm = mm_all[n:]
    total = np.zeros(simulations)
    paid = ibnr = remaining = 0.0
    var = 0.0
    rem_by_month = np.zeros(len(rem_mm))
    scale = np.ones(simulations)
    new_cost = np.zeros(0)
    new_sim = np.zeros(0, dtype=np.int64)
    eligible_paid = 0.0
    model = None
    try:
        model = claimant_model(exp.ruleset, exp.enrollment)
    except PricingError:
        model = None
    for g in groups:
        g_paid = float(g.paid.sum())
        g_ibnr = float(g.ibnr.sum())
        g_rem = g.credibility.projected_pmpm * g.exposure(mm_all)[n:]
        paid += g_paid
        ibnr += g_ibnr
        remaining += float(g_rem.sum())
        rem_by_month += g_rem
        var += g.total_standard_error**2
        sim_ibnr = _lognormal(rng, g_ibnr, g.total_standard_error, simulations)
        total += g_paid + sim_ibnr
        rem_mean = float(g_rem.sum())
        if g is eligible:
            eligible_paid = g_paid
            scale = (g_paid + sim_ibnr) / g_paid if g_paid > 0 else np.ones(simulations)
        if g is eligible and model is not None and rem_mean > 0 and mm_all.sum() > 0:
            y, count = model
            share = float(rem_mm.sum() / mm_all.sum())
            rem_count = attrs.evolve(count, lam=count.lam * share)
            counts = rem_count.sample(rng, simulations).astype(np.int64)
            factor = rem_mean / (rem_count.lam * y.mean * 100.0) if rem_count.lam * y.mean > 0 else 0.0
            new_cost = np.asarray(y.sample(rng, int(counts.sum())), dtype=np.float64) * 100.0 * factor
            new_sim = np.repeat(np.arange(simulations, dtype=np.int64), counts)
            total += np.bincount(new_sim, weights=new_cost, minlength=simulations)
        elif rem_mean > 0:
            cv = _month_cv(g, mm_all) / math.sqrt(max(len(rem_mm), 1))
            total += _gamma(rng, rem_mean, cv, simulations)
    return Projection(
        paid=paid,
        ibnr=ibnr,
        ibnr_standard_error=math.sqrt(var),
        remaining=remaining,
        simulations=simulations,
        seed=seed,
        total=total,
        eligible_paid=eligible_paid,
        eligible_scale=np.asarray(scale, dtype=np.float64),
        new_cost=new_cost,
        new_sim=new_sim,
        known=known_claimants(exp),
        remaining_by_month=tuple(float(v) for v in rem_by_month),
    )
