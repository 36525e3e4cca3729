"""The employer's position for the contract year, read from the projection's simulation.

On entry: an ``Experience`` and its ``Projection``. On exit a ``Position``: per simulated year the
specific reimbursement of every tier, the aggregate reimbursement, the employer cost and the surplus
against the fully insured premium; the probability the aggregate attaches; the largest claimants to
date with the share of their specific deductible reached.

Per simulated year, with ``g`` the year's IBNR factor of the stop-loss lines (``Projection``):

* a known claimant's year is ``g x`` its plan paid to date; the new claimants are the simulated ones;
* specific tier ``t``: ``pct_t x (sum_i min((y_i - D_i)+, max_t) - ASD_t)+`` with ``D_i`` the
  claimant's laser or the tier's deductible (a laser of ``none`` excludes the claimant);
* aggregate: ``pct x min((S' - A)+, max)`` with ``S' = sum_i min(y_i, D_i)`` (``D_i`` the lowest
  tier's deductible for the claimant, when the contract caps per claimant) and ``A`` the attachment
  point on the enrollment (``aso_rules.settle.stoploss.attachment_point``, as settlement and pricing
  compute it);
* employer cost = incurred plan paid (every line) - specific - aggregate + fixed costs (pepm and
  pmpm fees and stop-loss premiums for the year's enrollment: ``aso_rules.price.funding``).

Left out, as in pricing: per-claim and percent-of-claims fees, the contracts' paid-date windows
(every claim incurred in the year is assumed paid inside the contract's basis).
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.money import ZERO, Money
from aso_rules.track.experience import Experience
from aso_rules.track.projection import Projection

FloatArray = npt.NDArray[np.float64]
TOP_CLAIMANTS = 20


@attrs.frozen
class Claimant:
    member_id: str
    paid: Decimal  # stop-loss lines' plan paid to date, dollars (exact cents)
    deductible: Decimal | None  # the lowest tier's deductible for this claimant; None: excluded
    share_of_deductible: float | None
    laser: Decimal | None
    lasered: bool


@attrs.frozen
class Position:
    employer_cost: FloatArray = attrs.field(eq=False)  # per simulation, cents
    specific: dict[str, FloatArray] = attrs.field(eq=False)  # tier -> reimbursement per simulation
    aggregate: FloatArray | None = attrs.field(eq=False)
    eligible_capped: FloatArray = attrs.field(eq=False)  # S' per simulation
    attachment_point: Money | None
    fixed_costs: Money
    fully_insured: Money | None
    claimants: tuple[Claimant, ...]

    @property
    def probability_aggregate_attaches(self) -> float | None:
        if self.attachment_point is None:
            return None
        return float((self.eligible_capped > float(self.attachment_point) * 100).mean())

    @property
    def surplus(self) -> FloatArray | None:
        """Fully insured premium minus employer cost (positive: ASO costs less), per simulation."""
        if self.fully_insured is None:
            return None
        return np.asarray(float(self.fully_insured) * 100 - self.employer_cost, dtype=np.float64)


def _deductibles(exp: Experience, members: tuple[str, ...], tier_index: int) -> FloatArray:
    tier = exp.ruleset.specific[tier_index]
    out = np.empty(len(members))
    for k, m in enumerate(members):
        d = tier.deductible_for(m)
        out[k] = np.inf if d is None else float(d) * 100
    return out


def position(exp: Experience, proj: Projection) -> Position:
    from aso_rules.price import funding as fund
    from aso_rules.settle.stoploss import attachment_point

    ruleset = exp.ruleset
    mode = ruleset.settings.rounding
    sims = proj.simulations
    g = proj.eligible_scale
    known = proj.known
    tiers = sorted(range(len(ruleset.specific)), key=lambda i: ruleset.specific[i].deductible)
    specific: dict[str, FloatArray] = {}
    for i in tiers:
        tier = ruleset.specific[i]
        d_known = _deductibles(exp, known.members, i)
        width = np.inf if tier.maximum is None else float(tier.maximum) * 100
        d = float(tier.deductible) * 100
        layer = np.zeros(sims)
        # known claimants who can reach the layer in some simulated year
        near = np.flatnonzero(known.paid * g.max() > d_known) if len(known.paid) else np.zeros(0, dtype=int)
        for k in near:
            layer += np.minimum(np.maximum(known.paid[k] * g - d_known[k], 0.0), width)
        if len(proj.new_cost):
            per = np.minimum(np.maximum(proj.new_cost - d, 0.0), width)
            layer += np.bincount(proj.new_sim, weights=per, minlength=sims)
        asd = float(tier.aggregating_deductible) * 100
        specific[tier.name] = float(tier.reimbursement_pct) * np.maximum(layer - asd, 0.0)
    # S': every claimant capped at the lowest tier's deductible for it
    agg = ruleset.aggregate
    cap_known = _deductibles(exp, known.members, tiers[0]) if tiers else np.full(len(known.paid), np.inf)
    cap_new = float(ruleset.specific[tiers[0]].deductible) * 100 if tiers else np.inf
    if agg is not None and not agg.cap_per_claimant:
        cap_known = np.full(len(known.paid), np.inf)
        cap_new = np.inf
    big = np.flatnonzero(known.paid * (g.max() if sims else 1.0) >= cap_known)
    small = np.setdiff1d(np.arange(len(known.paid)), big)
    s_prime = g * float(known.paid[small].sum())
    for k in big:
        s_prime = s_prime + np.minimum(known.paid[k] * g, cap_known[k])
    if len(proj.new_cost):
        s_prime = s_prime + np.bincount(
            proj.new_sim, weights=np.minimum(proj.new_cost, cap_new), minlength=sims
        )
    attachment: Money | None = None
    aggregate: FloatArray | None = None
    expected_t, _ = fund.expected_by_tier(ruleset, exp.enrollment, mode)
    if agg is not None:
        factors = fund.attachment_factors(agg, expected_t, ruleset.tier_codes, mode)
        attachment = attachment_point(agg, factors, exp.enrollment, mode).point
        a = float(attachment) * 100
        top = np.inf if agg.maximum is None else float(agg.maximum) * 100
        aggregate = float(agg.reimbursement_pct) * np.minimum(np.maximum(s_prime - a, 0.0), top)
    fixed = fund.fixed_costs(ruleset, exp.enrollment).total
    cost = proj.total + float(fixed) * 100
    for v in specific.values():
        cost = cost - v
    if aggregate is not None:
        cost = cost - aggregate
    insured: Money | None = None
    assumptions = ruleset.assumptions
    if assumptions is not None and assumptions.fully_insured is not None:
        rates = assumptions.fully_insured
        insured = sum((rates.for_tier(t) * n for m in exp.enrollment for t, n in m.employees.items()), ZERO)
    return Position(
        employer_cost=np.asarray(cost, dtype=np.float64),
        specific=specific,
        aggregate=aggregate,
        eligible_capped=np.asarray(s_prime, dtype=np.float64),
        attachment_point=attachment,
        fixed_costs=fixed,
        fully_insured=insured,
        claimants=_top_claimants(exp, proj, tiers),
    )


def _top_claimants(exp: Experience, proj: Projection, tiers: list[int]) -> tuple[Claimant, ...]:
    out: list[Claimant] = []
    lowest = exp.ruleset.specific[tiers[0]] if tiers else None
    for m, cents in zip(proj.known.members[:TOP_CLAIMANTS], proj.known.paid[:TOP_CLAIMANTS], strict=True):
        paid = Decimal(int(cents)) / 100
        if lowest is None:
            out.append(Claimant(m, paid, None, None, None, False))
            continue
        lasered = m in lowest.lasers
        d = lowest.deductible_for(m)
        share = float(paid / d) if d is not None and d > 0 else None
        out.append(Claimant(m, paid, d, share, lowest.lasers.get(m) if lasered else None, lasered))
    return tuple(out)
