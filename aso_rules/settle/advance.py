"""Specific advance funding: what the plan asks its carrier to fund before it pays a large claim.

Under ``advance_funding on`` (a ``stop_loss specific`` term), the carrier funds its share of a claim
over the specific deductible once the administrator has adjudicated it, before the plan has paid
it, so the employer does not front the cash. On entry: a tier, its claimants as the run settled
them (``ClaimantResult``: eligible paid to date, excess, ASD absorbed, reimbursed) and the lines of
``settle --adjudicated`` whose rows are ``approved`` (adjudicated, not yet paid:
``LineResult.awaiting_funding``). On exit: one ``AdvanceRequest`` per claimant whose awaiting lines
inside the tier's contract window (incurred window, adjudication date in the paid window, lines
covered, the covered-person test) would be reimbursed at least the tier's ``advance_minimum``.

Each awaiting line is booked as if paid now, after every paid line, in stop-loss order (adjudication
date, claim id, row) across claimants, with the reference ``ExcessAllocator`` resumed where the run
ended: the amount over the deductible (the laser's, when one applies), less what the aggregating
specific deductible still absorbs, at the tier's percentage, within its maximum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from aso_rules.data.records import MemberRecord
from aso_rules.model import Ruleset, SpecificStopLoss
from aso_rules.money import ZERO, Money
from aso_rules.settle.results import LineResult
from aso_rules.settle.stoploss import ClaimantResult, ExcessAllocator, claimant_of, contract_flags
from aso_rules.settle.windows import Window, contract_window


@attrs.frozen
class AdvanceRequest:
    """One claimant's advance-funding request under one tier."""

    contract: str
    claimant: str
    window: Window
    deductible: Money
    eligible_paid: Money  # eligible claims paid to date
    awaiting: Money  # eligible plan paid adjudicated, not yet paid
    requested: Money
    lines: tuple[tuple[LineResult, Money], ...]  # each awaiting line (plan paid = awaiting) and its share


def tier_window(ruleset: Ruleset, tier: SpecificStopLoss) -> Window:
    return contract_window(ruleset.plan_year.start, tier.basis, terminal_liability=tier.terminal_liability)


def awaiting_lines(
    ruleset: Ruleset, tier: SpecificStopLoss, lines: Sequence[LineResult], members: Mapping[str, MemberRecord]
) -> list[LineResult]:
    """The lines awaiting funding inside the tier's contract, as if paid: status ``paid`` and plan
    paid the amount awaiting (an empty list without advance funding)."""
    if not tier.advance_funding:
        return []
    pending = [
        attrs.evolve(r, status="paid", plan_paid=r.awaiting_funding) for r in lines if r.awaiting_funding
    ]
    flags = contract_flags(pending, tier.covers, tier_window(ruleset, tier), members)
    return [r for r, ok in zip(pending, flags, strict=True) if ok]


def advance_requests(
    ruleset: Ruleset,
    tier: SpecificStopLoss,
    claimants: Mapping[str, ClaimantResult],
    pending: Sequence[tuple[int, LineResult]],
    spent: Mapping[str, Money],
) -> list[AdvanceRequest]:
    """The tier's requests (sorted by claimant) from its settled ``claimants`` (a claimant missing
    there has not reached the deductible: ``spent`` gives its eligible paid), and the ``pending``
    lines of ``awaiting_lines`` with their input rows."""
    if not tier.advance_funding:
        return []
    key = ruleset.settings.specific_claimant_key
    allocator = ExcessAllocator.resumed(tier, ruleset.settings.rounding, claimants.values())
    running: dict[str, Money] = {}
    booked: dict[str, list[tuple[LineResult, Money]]] = {}
    for _, r in sorted(pending, key=lambda p: (p[1].claim.paid, p[1].claim.claim_id, p[0])):
        m = claimant_of(r, key)
        sd = tier.deductible_for(m)
        if sd is None:
            continue
        base = claimants[m].eligible_paid if m in claimants else spent.get(m, ZERO)
        before = running.get(m, base)
        after = running[m] = before + r.plan_paid
        excess = max(ZERO, after - sd) - max(ZERO, before - sd)
        share = allocator.add(m, excess)[0] if excess else ZERO
        booked.setdefault(m, []).append((r, share))
    out: list[AdvanceRequest] = []
    for m in sorted(booked):
        requested = sum((share for _, share in booked[m]), ZERO)
        if requested <= ZERO or requested < tier.advance_minimum:
            continue
        sd = tier.deductible_for(m)
        assert sd is not None
        out.append(
            AdvanceRequest(
                contract=tier.name,
                claimant=m,
                window=tier_window(ruleset, tier),
                deductible=sd,
                eligible_paid=claimants[m].eligible_paid if m in claimants else spent.get(m, ZERO),
                awaiting=sum((r.plan_paid for r, _ in booked[m]), ZERO),
                requested=requested,
                lines=tuple(booked[m]),
            )
        )
    return out


__all__ = ["AdvanceRequest", "advance_requests", "awaiting_lines", "tier_window"]
