"""Specific and aggregate stop-loss over the vector engine's columns (DOMAIN.md 6 and 7).

On entry: the adjudicated columns (plan paid per line, status), the claim and member columns and
the stop-loss order (ascending (paid, claim_id), ties in processing order: ``stoploss.
processing_indices``). On exit: per tier, the reference engine's ``SpecificResult`` totals and
claimants (only the claimants summary.json lists: excess above the deductible, excluded by a laser,
or reimbursed), plus per-line arrays (eligible, share, ASD absorbed); for the aggregate, the
reference ``AggregateResult`` totals and per-line arrays (eligible, contribution).

Windows, attachment points and reimbursement rounding are the reference functions themselves (they
cost nothing per line); the per-line work is ``kernels.specific`` / ``kernels.aggregate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.model import Ruleset, SpecificStopLoss
from aso_rules.money import ONE, ZERO, Money, from_cents, round_money, to_cents
from aso_rules.settle.stoploss import (
    AggregateResult,
    ClaimantResult,
    SpecificResult,
    attachment_factors,
    attachment_point,
)
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import NONE, ClaimColumns, MemberColumns, day_number
from aso_rules.settle.vector.plan import fraction
from aso_rules.settle.windows import Window, add_months, contract_window

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class TierLines:
    eligible: B
    share: I64
    absorbed: I64


@attrs.frozen(eq=False)
class AggregateLines:
    eligible: B
    contribution: I64


def eligible_lines(
    claims: ClaimColumns,
    members: MemberColumns,
    status: npt.NDArray[np.int8],
    covers: Sequence[str],
    window: Window,
) -> B:
    """``stoploss.contract_flags`` over columns: paid, a covered line, in both windows, covered person."""
    lines = np.array([name in covers for name in claims.line_names] or [False], dtype=np.bool_)
    out = np.zeros(claims.n, dtype=np.bool_)
    if not members.n:
        return out
    lowest = -(1 << 40)
    kernels.in_contract(
        status,
        claims.line,
        lines,
        claims.incurred,
        claims.paid,
        claims.member,
        members.start,
        members.end,
        lowest if window.incurred_from is None else day_number(window.incurred_from),
        day_number(window.incurred_to),
        day_number(window.paid_from),
        day_number(window.paid_to),
        out,
    )
    return out


def claimants(ruleset: Ruleset, claims: ClaimColumns, members: MemberColumns) -> tuple[I64, tuple[str, ...]]:
    """Each line's claimant index and the claimant names (member, or family when family-specific)."""
    if ruleset.settings.specific_claimant_key == "family":
        return claims.family, claims.family_names
    return np.maximum(claims.member, 0), members.ids


def specific_tiers(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    status: npt.NDArray[np.int8],
    plan: I64,
    order: I64,
) -> tuple[tuple[SpecificResult, ...], tuple[TierLines, ...]]:
    """Every specific tier, each on the same lines (6.4)."""
    claimant, names = claimants(ruleset, claims, members)
    index = {name: k for k, name in enumerate(names)}
    mode = ruleset.settings.rounding
    half_even = mode == "half_even"
    results: list[SpecificResult] = []
    per_line: list[TierLines] = []
    n = claims.n
    for tier in ruleset.specific:
        window = contract_window(
            ruleset.plan_year.start, tier.basis, terminal_liability=tier.terminal_liability
        )
        eligible = eligible_lines(claims, members, status, tier.covers, window)
        k = max(len(names), 1)
        sd_of = np.full(k, to_cents(tier.deductible), dtype=np.int64)
        for who, amount in tier.lasers.items():
            if who in index:
                sd_of[index[who]] = NONE if amount is None else to_cents(amount)
        share = np.zeros(n, dtype=np.int64)
        absorbed = np.zeros(n, dtype=np.int64)
        spent = np.zeros(k, dtype=np.int64)
        seen = np.zeros(k, dtype=np.bool_)
        absorbed_by = np.zeros(k, dtype=np.int64)
        reimbursed = np.zeros(k, dtype=np.int64)
        num, den = fraction(tier.reimbursement_pct)
        kernels.specific(
            order,
            eligible,
            claimant,
            plan,
            sd_of,
            k,
            to_cents(tier.aggregating_deductible),
            num,
            den,
            NONE if tier.maximum is None else to_cents(tier.maximum),
            half_even,
            share,
            absorbed,
            spent,
            seen,
            absorbed_by,
            reimbursed,
        )
        excess = np.where(sd_of >= 0, np.maximum(spent - sd_of, 0), 0)
        shown = np.flatnonzero(seen & ((excess > 0) | (sd_of < 0) | (reimbursed > 0)))
        rows = {}
        for c in sorted(shown.tolist(), key=lambda c: names[c]):
            name = names[c]
            sd = tier.deductible_for(name)
            rows[name] = ClaimantResult(
                claimant=name,
                deductible=sd,
                eligible_paid=from_cents(int(spent[c])),
                excess=ZERO if sd is None else from_cents(int(excess[c])),
                asd_absorbed=from_cents(int(absorbed_by[c])),
                reimbursed=from_cents(int(reimbursed[c])),
            )
        results.append(
            SpecificResult(
                name=tier.name,
                window=window,
                claimants=rows,
                eligible_paid=from_cents(int(spent.sum())),
                asd_absorbed=from_cents(int(absorbed_by.sum())),
                reimbursed=from_cents(int(reimbursed.sum())),
                line_eligible=(),
                line_shares=(),
                line_absorbed=(),
            )
        )
        per_line.append(TierLines(eligible=eligible, share=share, absorbed=absorbed))
    return tuple(results), tuple(per_line)


def _reimburse(x: Money, pct: Money, maximum: Money | None, ruleset: Ruleset) -> Money:
    r = x if pct == ONE else round_money(pct * x, ruleset.settings.rounding)
    return r if maximum is None else min(r, maximum)


def aggregate_contract(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    status: npt.NDArray[np.int8],
    plan: I64,
    order: I64,
    months: Sequence[MonthEnrollment],
    tiers: Sequence[TierLines],
) -> tuple[AggregateResult | None, AggregateLines | None]:
    """The aggregate contract (7.1-7.4), or ``(None, None)`` when the ruleset has none."""
    agg = ruleset.aggregate
    if agg is None:
        return None, None
    mode = ruleset.settings.rounding
    window = contract_window(ruleset.plan_year.start, agg.basis, terminal_liability=agg.terminal_liability)
    att = attachment_point(agg, attachment_factors(agg, ruleset), months, mode)
    lowest: SpecificStopLoss | None = (
        min(ruleset.specific, key=lambda t: t.deductible) if ruleset.specific else None
    )
    specific_covers = lowest.covers if lowest is not None else ()
    n = claims.n
    eligible = eligible_lines(claims, members, status, agg.covers, window)
    in_spec = np.array([name in specific_covers for name in claims.line_names] or [False], dtype=np.bool_)
    net = agg.claim_basis == "net_of_specific"
    spec_share = np.zeros(n, dtype=np.int64)
    absorbed = np.zeros(n, dtype=np.int64)
    for t in tiers:
        spec_share += t.share
        absorbed += t.absorbed
    claimant, names = claimants(ruleset, claims, members)
    k = max(len(names), 1)
    cap_of = np.full(k, NONE, dtype=np.int64)
    if lowest is not None and agg.cap_per_claimant:
        cap_of[:] = to_cents(lowest.deductible)
        if agg.laser_treatment != "standard_only":
            index = {name: c for c, name in enumerate(names)}
            for who, amount in lowest.lasers.items():
                if who in index:
                    cap_of[index[who]] = NONE if amount is None else to_cents(amount)
    contribution = np.zeros(n, dtype=np.int64)
    kernels.aggregate(
        order,
        eligible,
        in_spec[claims.line],
        claimant,
        plan,
        cap_of,
        net,
        spec_share,
        agg.asd_counts,
        absorbed,
        k,
        contribution,
    )
    g = from_cents(int(contribution[eligible].sum()))
    r_agg = _reimburse(max(ZERO, g - att.point), agg.reimbursement_pct, agg.maximum, ruleset)
    accommodation: tuple[Money, ...] = ()
    if agg.monthly_accommodation:
        ends = np.array(
            [day_number(add_months(m.month, 1) - timedelta(days=1)) for m in months], dtype=np.int64
        )
        k_of = np.searchsorted(ends, claims.paid, side="left")
        inside = eligible & (k_of < len(months))
        by_month = np.bincount(k_of[inside], weights=None, minlength=len(months))  # counts (unused)
        del by_month
        sums = np.zeros(len(months), dtype=np.int64)
        np.add.at(sums, k_of[inside], contribution[inside])
        pays: list[Money] = []
        paid_so_far = claims_to_date = cumulative = 0
        monthly = [to_cents(v) for v in att.monthly]
        for k_month in range(len(months)):
            claims_to_date += int(sums[k_month])
            cumulative += monthly[k_month]
            pay = max(0, max(0, claims_to_date - cumulative) - paid_so_far)
            pays.append(from_cents(pay))
            paid_so_far += pay
        accommodation = tuple(pays)
    result = AggregateResult(
        name=agg.name,
        window=window,
        attachment=att,
        eligible_claims=g,
        reimbursed=r_agg,
        accommodation=accommodation,
        final_settlement=r_agg - sum(accommodation, ZERO),
        line_eligible=(),
        line_contribution=(),
    )
    return result, AggregateLines(eligible=eligible, contribution=contribution)
