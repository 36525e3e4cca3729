"""Specific (docs/semantics.md 6) and aggregate (7) stop-loss over adjudicated lines.

On entry: the compiled ``Ruleset``, the adjudicated ``LineResult`` list (one per accepted claim
line, any order), the members by id (``None`` skips the covered-person test) and the monthly
enrollment of the plan year. Amounts are the lines' ``plan_paid`` (plan paid after benefit maximums).

On exit: a ``SpecificResult`` per tier and an ``AggregateResult`` (or ``None``). Per-line arrays are
aligned with the input list: each line's share of specific reimbursement is the increase of its
claimant's reimbursement caused by that line, so the shares add up to the tier's total exactly.

Eligible lines are processed in ascending ``(paid, claim_id)`` (6.3), whatever the adjudication
order. Rounding happens only where section 11 says: ``round(reimb_pct x X)`` when the percentage is
not 1, the minimum attachment, and an attachment factor derived from a percentage of expected claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import attrs

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.data.records import MemberRecord
from aso_rules.model import AggregateStopLoss, FrozenMap, Ruleset, SpecificStopLoss, fmap
from aso_rules.money import ONE, ZERO, Money, Rate, RoundingMode, round_money
from aso_rules.settle.results import LineResult
from aso_rules.settle.windows import Window, add_months, contract_window


class StopLossError(ValueError):
    """A contract the engine cannot evaluate (e.g. a percent-of-expected attachment without expected
    claims); the checker normally reports these first."""


# --------------------------------------------------------------------------- shared helpers


def claimant_of(result: LineResult, key: str) -> str:
    """The claimant key of a line: its member, or its family with the family-specific option."""
    return result.claim.family_id if key == "family" else result.claim.member_id


def processing_indices(lines: Sequence[LineResult]) -> list[int]:
    """Indices of ``lines`` in stop-loss order: ascending (paid, claim_id), stable."""
    keys = [(r.claim.paid, r.claim.claim_id) for r in lines]
    return sorted(range(len(keys)), key=keys.__getitem__)


def contract_flags(
    lines: Sequence[LineResult],
    covers: Sequence[str],
    window: Window,
    members: Mapping[str, MemberRecord] | None,
) -> list[bool]:
    """``line_in_contract`` for every line, in one pass with the window and coverage inlined."""
    covered = frozenset(covers)
    people = dict(members) if members is not None else None
    inc_from = window.incurred_from or date.min
    inc_to, paid_from, paid_to = window.incurred_to, window.paid_from, window.paid_to
    out: list[bool] = []
    append = out.append
    for r in lines:
        claim = r.claim
        incurred = claim.incurred
        if (
            r.status != "paid"
            or not r.stop_loss_eligible
            or claim.line not in covered
            or not inc_from <= incurred <= inc_to
            or not paid_from <= claim.paid <= paid_to
        ):
            append(False)
        elif people is None:
            append(True)
        else:
            member = people.get(claim.member_id)
            append(
                member is not None
                and member.coverage_start <= incurred
                and (member.coverage_end is None or incurred <= member.coverage_end)
            )
    return out


def line_in_contract(
    result: LineResult,
    covers: Sequence[str],
    window: Window,
    members: Mapping[str, MemberRecord] | None,
) -> bool:
    """A paid line of a covered line of coverage, inside both windows, for a covered person (6.2)."""
    claim = result.claim
    if result.status != "paid" or not result.stop_loss_eligible or claim.line not in covers:
        return False
    if not window.contains(claim.incurred, claim.paid):
        return False
    if members is None:
        return True
    member = members.get(claim.member_id)
    return member is not None and member.covered_on(claim.incurred)


def reimburse(x: Money, pct: Rate, maximum: Money | None, mode: RoundingMode) -> Money:
    """R = min(round(pct x X), maximum): rounding only when the percentage is not 1 (section 11);
    every engine's specific and aggregate reimbursement of an excess ``x``."""
    r = x if pct == ONE else round_money(pct * x, mode)
    return r if maximum is None else min(r, maximum)


# --------------------------------------------------------------------------- specific


@attrs.frozen
class ClaimantResult:
    """One claimant of one specific tier (docs/semantics.md 6.3)."""

    claimant: str
    deductible: Money | None  # None: excluded by a laser (never reimbursed)
    eligible_paid: Money  # E_m
    excess: Money  # (E_m - SD_m)+
    asd_absorbed: Money
    reimbursed: Money  # R_m

    @property
    def retained(self) -> Money:
        """What the employer keeps of the eligible amount: E_m - R_m."""
        return self.eligible_paid - self.reimbursed


@attrs.frozen
class SpecificResult:
    """One specific tier over a settlement run."""

    name: str
    window: Window
    claimants: FrozenMap[str, ClaimantResult] = attrs.field(converter=fmap)  # sorted by claimant
    eligible_paid: Money
    asd_absorbed: Money
    reimbursed: Money
    line_eligible: tuple[bool, ...]
    line_shares: tuple[Money, ...]  # per input line: its share of this tier's reimbursement
    line_absorbed: tuple[Money, ...]  # per input line: ASD absorbed on it


class ExcessAllocator:
    """The chronological part of specific stop-loss (docs/semantics.md 6.3) for one tier.

    Excess over each claimant's deductible arrives in (paid, claim_id) order, across claimants; the
    aggregating specific deductible absorbs the first dollars of it, then each claimant's remaining
    excess is reimbursed at the tier's percentage, capped at its maximum (ASD -> pct -> max).
    """

    def __init__(self, tier: SpecificStopLoss, mode: RoundingMode) -> None:
        self._pct = tier.reimbursement_pct
        self._maximum = tier.maximum
        self._mode = mode
        self.asd_left: Money = tier.aggregating_deductible
        self.excess: dict[str, Money] = {}
        self.absorbed: dict[str, Money] = {}
        self.reimbursed: dict[str, Money] = {}

    @classmethod
    def resumed(
        cls, tier: SpecificStopLoss, mode: RoundingMode, claimants: Iterable[ClaimantResult]
    ) -> ExcessAllocator:
        """An allocator in the state a run of the tier ended in, from its claimants: what a line
        booked after the run (an advance-funding request) would be reimbursed."""
        allocator = cls(tier, mode)
        for c in claimants:
            allocator.absorbed[c.claimant] = c.asd_absorbed
            allocator.excess[c.claimant] = c.excess - c.asd_absorbed
            allocator.reimbursed[c.claimant] = c.reimbursed
            allocator.asd_left -= c.asd_absorbed
        return allocator

    def add(self, claimant: str, excess_line: Money) -> tuple[Money, Money]:
        """Book one line's excess; returns (its share of reimbursement, the ASD it absorbed).

        A negative excess (a void or a downward adjustment, ``settle --adjudicated``) takes back the
        claimant's last dollars first: its reimbursable excess, then what the ASD absorbed of it
        (which the ASD regains); the share and the absorption come back negative.
        """
        if excess_line < ZERO:
            return self._take_back(claimant, -excess_line)
        absorbed = min(excess_line, self.asd_left)
        self.asd_left -= absorbed
        self.absorbed[claimant] = self.absorbed.get(claimant, ZERO) + absorbed
        self.excess[claimant] = self.excess.get(claimant, ZERO) + excess_line - absorbed
        before = self.reimbursed.get(claimant, ZERO)
        after = reimburse(self.excess[claimant], self._pct, self._maximum, self._mode)
        self.reimbursed[claimant] = after
        return after - before, absorbed

    def _take_back(self, claimant: str, amount: Money) -> tuple[Money, Money]:
        excess = self.excess.get(claimant, ZERO)
        from_excess = min(amount, excess)
        regained = min(amount - from_excess, self.absorbed.get(claimant, ZERO))
        self.excess[claimant] = excess - from_excess
        self.absorbed[claimant] = self.absorbed.get(claimant, ZERO) - regained
        self.asd_left += regained
        before = self.reimbursed.get(claimant, ZERO)
        after = reimburse(self.excess[claimant], self._pct, self._maximum, self._mode)
        self.reimbursed[claimant] = after
        return after - before, -regained


def claimant_results(
    tier: SpecificStopLoss, spent: Mapping[str, Money], allocator: ExcessAllocator
) -> dict[str, ClaimantResult]:
    """Each claimant's E_m, deductible, excess, ASD absorbed and R_m, sorted by claimant."""
    out: dict[str, ClaimantResult] = {}
    for m in sorted(spent):
        sd = tier.deductible_for(m)
        e = spent[m]
        out[m] = ClaimantResult(
            claimant=m,
            deductible=sd,
            eligible_paid=e,
            excess=ZERO if sd is None else max(ZERO, e - sd),
            asd_absorbed=allocator.absorbed.get(m, ZERO),
            reimbursed=allocator.reimbursed.get(m, ZERO),
        )
    return out


def specific_tier(
    tier: SpecificStopLoss,
    lines: Sequence[LineResult],
    members: Mapping[str, MemberRecord] | None,
    *,
    effective: date,
    claimant_key: str = "member",
    mode: RoundingMode = "half_up",
    order: Sequence[int] | None = None,
    flags: list[bool] | None = None,
) -> SpecificResult:
    """Settle one specific tier: ASD in chronological paid order, then percentage, then maximum.

    ``order`` (the stop-loss order of ``lines``, from ``processing_indices``) may be passed to share
    one sort between tiers; ``flags`` (from ``contract_flags`` for this tier's covers and window) may
    be passed likewise.
    """
    window = contract_window(effective, tier.basis, terminal_liability=tier.terminal_liability)
    n = len(lines)
    eligible = flags if flags is not None else contract_flags(lines, tier.covers, window, members)
    lasers = dict(tier.lasers)
    standard = tier.deductible
    by_family = claimant_key == "family"
    shares = [ZERO] * n
    absorbed_on = [ZERO] * n
    spent: dict[str, Money] = {}
    allocator = ExcessAllocator(tier, mode)
    for i in processing_indices(lines) if order is None else order:
        if not eligible[i]:
            continue
        r = lines[i]
        m = r.claim.family_id if by_family else r.claim.member_id
        sd = lasers.get(m, standard)
        before = spent.get(m, ZERO)
        after = before + r.plan_paid
        spent[m] = after
        if sd is None:
            continue
        # the line's change of the claimant's excess: 0 below the deductible; negative only for the
        # signed lines of adjudicated settlement (adjudication's plan paid is never negative)
        excess_line = max(ZERO, after - sd) - max(ZERO, before - sd)
        if excess_line:
            shares[i], absorbed_on[i] = allocator.add(m, excess_line)
    claimants = claimant_results(tier, spent, allocator)
    return SpecificResult(
        name=tier.name,
        window=window,
        claimants=claimants,
        eligible_paid=sum(spent.values(), ZERO),
        asd_absorbed=sum(allocator.absorbed.values(), ZERO),
        reimbursed=sum(allocator.reimbursed.values(), ZERO),
        line_eligible=tuple(eligible),
        line_shares=tuple(shares),
        line_absorbed=tuple(absorbed_on),
    )


def specific_stop_loss(
    ruleset: Ruleset,
    lines: Sequence[LineResult],
    members: Mapping[str, MemberRecord] | None,
) -> tuple[SpecificResult, ...]:
    """Every specific tier of the ruleset, each applied independently to the same lines (6.4)."""
    order = processing_indices(lines) if ruleset.specific else []
    shared: dict[tuple[frozenset[str], Window], list[bool]] = {}
    results: list[SpecificResult] = []
    for tier in ruleset.specific:
        window = contract_window(
            ruleset.plan_year.start, tier.basis, terminal_liability=tier.terminal_liability
        )
        key = (frozenset(tier.covers), window)
        if key not in shared:
            shared[key] = contract_flags(lines, tier.covers, window, members)
        results.append(
            specific_tier(
                tier,
                lines,
                members,
                effective=ruleset.plan_year.start,
                claimant_key=ruleset.settings.specific_claimant_key,
                mode=ruleset.settings.rounding,
                order=order,
                flags=shared[key],
            )
        )
    return tuple(results)


def specific_line_shares(results: Sequence[SpecificResult], n: int) -> tuple[Money, ...]:
    """Each line's share of specific reimbursement summed over tiers (the ledger column)."""
    if len(results) == 1:
        return results[0].line_shares
    totals = [ZERO] * n
    for res in results:
        for i, share in enumerate(res.line_shares):
            if share:
                totals[i] += share
    return tuple(totals)


def specific_line_absorbed(results: Sequence[SpecificResult], n: int) -> tuple[Money, ...]:
    """Each line's ASD absorption summed over tiers."""
    totals = [ZERO] * n
    for res in results:
        for i, amount in enumerate(res.line_absorbed):
            if amount:
                totals[i] += amount
    return tuple(totals)


# --------------------------------------------------------------------------- aggregate


@attrs.frozen
class Attachment:
    """The aggregate attachment point and its parts (docs/semantics.md 7.1, 7.4)."""

    factors: FrozenMap[str, Money] = attrs.field(converter=fmap)  # monthly, per employee, by tier
    monthly: tuple[Money, ...]  # M_k
    calculated: Money  # A_calc
    minimum: Money  # A_min
    fixed_minimum: Money | None
    terminal: Money  # M_10 + M_11 + M_12 with terminal liability, else 0
    point: Money  # A (with the terminal addition)


def attachment_factors(agg: AggregateStopLoss, ruleset: Ruleset) -> dict[str, Money]:
    """Monthly factors by tier: as written, or round(pct x expected claims) per tier."""
    if agg.factors is not None:
        return {t: agg.factors.for_tier(t) for t in ruleset.tier_codes or agg.factors.amounts}
    expected = ruleset.assumptions.expected_claims if ruleset.assumptions else None
    if agg.pct_of_expected is None or expected is None:
        raise StopLossError(
            f"aggregate stop-loss {agg.name!r} needs attachment factors or a percent of expected "
            "claims with expected_claims in assumptions"
        )
    tiers = ruleset.tier_codes or tuple(expected.amounts)
    return {
        t: round_money(agg.pct_of_expected * expected.for_tier(t), ruleset.settings.rounding) for t in tiers
    }


def attachment_point(
    agg: AggregateStopLoss,
    factors: Mapping[str, Money],
    months: Sequence[MonthEnrollment],
    mode: RoundingMode,
) -> Attachment:
    """A = max(A_calc, round(min_pct x M_1 x 12), fixed floor) (+ M_10..M_12 with terminal liability)."""
    monthly = tuple(
        sum((factors.get(t, ZERO) * n for t, n in month.employees.items()), ZERO) for month in months
    )
    calculated = sum(monthly, ZERO)
    minimum = round_money(agg.minimum_pct * monthly[0] * 12, mode) if monthly else ZERO
    point = max(calculated, minimum)
    if agg.minimum_fixed is not None:
        point = max(point, agg.minimum_fixed)
    terminal = sum(monthly[-3:], ZERO) if agg.terminal_liability else ZERO
    return Attachment(
        factors=factors,
        monthly=monthly,
        calculated=calculated,
        minimum=minimum,
        fixed_minimum=agg.minimum_fixed,
        terminal=terminal,
        point=point + terminal,
    )


@attrs.frozen
class AggregateResult:
    """The aggregate contract over a settlement run (docs/semantics.md 7.2-7.4)."""

    name: str
    window: Window
    attachment: Attachment
    eligible_claims: Money  # G
    reimbursed: Money  # R_agg, the final settlement amount before accommodations
    accommodation: tuple[Money, ...]  # pay_k by plan month (empty when the option is off)
    final_settlement: Money  # R_agg - sum of accommodations (negative: the employer refunds)
    line_eligible: tuple[bool, ...]
    line_contribution: tuple[Money, ...]  # each line's increase of G, in stop-loss order


@attrs.frozen
class AggregateClaims:
    """The aggregate contract's eligible claims G after the specific adjustments, as an engine's
    per-line pass found them: the input of ``aggregate_result``."""

    eligible: Money  # G
    by_month: tuple[Money, ...]  # G's parts by plan month of payment (may be empty without accommodation)
    line_eligible: tuple[bool, ...] = ()  # per line, when the engine keeps lines as records
    line_contribution: tuple[Money, ...] = ()


def claimant_cap(claimant: str, agg: AggregateStopLoss, lowest: SpecificStopLoss | None) -> Money | None:
    """cap_m of 7.2: the lowest tier's laser (to_laser) or standard deductible; None = uncapped."""
    if lowest is None or not agg.cap_per_claimant:
        return None
    if agg.laser_treatment == "standard_only":
        return lowest.deductible
    return lowest.deductible_for(claimant)


def aggregate_contributions(
    ruleset: Ruleset,
    lines: Sequence[LineResult],
    eligible: Sequence[bool],
    order: Sequence[int],
    spec_share: Sequence[Money] = (),
    absorbed: Sequence[Money] = (),
) -> tuple[list[Money], list[int]]:
    """Each line's contribution to the aggregate's eligible claims G (7.2), for the ruleset's
    aggregate contract; ``order`` is the lines' stop-loss order (``processing_indices``).

    An eligible line outside the lowest specific tier's covers counts its plan paid uncapped; one
    inside counts its plan paid less its specific share (``net_of_specific``), or its claimant's
    spend capped at cap_m plus the ASD absorbed on it (``asd_counts``). ``spec_share`` and
    ``absorbed`` (per line) empty count as zero: a bucket of the distributed engine, whose
    cross-claimant parts ``combine`` adds. Also returns the eligible lines inside the lowest tier's
    covers, in stop-loss order: the lines those parts change.
    """
    agg = ruleset.aggregate
    assert agg is not None
    lowest = min(ruleset.specific, key=lambda t: t.deductible) if ruleset.specific else None
    specific_covers = lowest.covers if lowest is not None else ()
    key = ruleset.settings.specific_claimant_key
    net = agg.claim_basis == "net_of_specific"
    add_absorbed = agg.asd_counts and bool(absorbed)
    contribution = [ZERO] * len(lines)
    adjusted: list[int] = []
    spent: dict[str, Money] = {}
    caps: dict[str, Money | None] = {}
    for i in order:
        if not eligible[i]:
            continue
        r = lines[i]
        if r.claim.line not in specific_covers:
            contribution[i] = r.plan_paid  # elected lines outside the specific: uncapped
            continue
        adjusted.append(i)
        if net:
            contribution[i] = r.plan_paid - spec_share[i] if spec_share else r.plan_paid
            continue
        m = claimant_of(r, key)
        if m not in caps:
            caps[m] = claimant_cap(m, agg, lowest)
        cap = caps[m]
        before = spent.get(m, ZERO)
        after = before + r.plan_paid
        spent[m] = after
        counted = after - before if cap is None else min(after, cap) - min(before, cap)
        if add_absorbed:
            counted += absorbed[i]
        contribution[i] = counted
    return contribution, adjusted


def aggregate_result(
    ruleset: Ruleset, months: Sequence[MonthEnrollment], claims: AggregateClaims
) -> AggregateResult:
    """The aggregate contract settled from its eligible claims G (7.1-7.4): the attachment point,
    R_agg and, with the monthly accommodation, each month's advance from ``claims.by_month``.
    Every engine's aggregate (``aso_rules.settle.settle_end``)."""
    agg = ruleset.aggregate
    assert agg is not None
    mode = ruleset.settings.rounding
    window = contract_window(ruleset.plan_year.start, agg.basis, terminal_liability=agg.terminal_liability)
    att = attachment_point(agg, attachment_factors(agg, ruleset), months, mode)
    r_agg = reimburse(max(ZERO, claims.eligible - att.point), agg.reimbursement_pct, agg.maximum, mode)
    accommodation: tuple[Money, ...] = ()
    if agg.monthly_accommodation:
        accommodation = accommodation_pays(claims.by_month, att.monthly)
    return AggregateResult(
        name=agg.name,
        window=window,
        attachment=att,
        eligible_claims=claims.eligible,
        reimbursed=r_agg,
        accommodation=accommodation,
        final_settlement=r_agg - sum(accommodation, ZERO),
        line_eligible=claims.line_eligible,
        line_contribution=claims.line_contribution,
    )


def aggregate_claims(
    ruleset: Ruleset,
    lines: Sequence[LineResult],
    members: Mapping[str, MemberRecord] | None,
    months: Sequence[MonthEnrollment],
    specific: Sequence[SpecificResult],
) -> AggregateClaims | None:
    """The reference engine's aggregate pass over its lines, or ``None`` without an aggregate."""
    agg = ruleset.aggregate
    if agg is None:
        return None
    window = contract_window(ruleset.plan_year.start, agg.basis, terminal_liability=agg.terminal_liability)
    n = len(lines)
    eligible = contract_flags(lines, agg.covers, window, members)
    spec_share = specific_line_shares(specific, n) if agg.claim_basis == "net_of_specific" else ()
    absorbed = specific_line_absorbed(specific, n) if agg.asd_counts else ()
    contribution, _ = aggregate_contributions(
        ruleset, lines, eligible, processing_indices(lines), spec_share, absorbed
    )
    by_month = _by_plan_month(lines, contribution, eligible, months) if agg.monthly_accommodation else []
    return AggregateClaims(
        eligible=sum(contribution, ZERO),
        by_month=tuple(by_month),
        line_eligible=tuple(eligible),
        line_contribution=tuple(contribution),
    )


def aggregate_stop_loss(
    ruleset: Ruleset,
    lines: Sequence[LineResult],
    members: Mapping[str, MemberRecord] | None,
    months: Sequence[MonthEnrollment],
    specific: Sequence[SpecificResult],
) -> AggregateResult | None:
    """Settle the ruleset's aggregate contract over lines, or ``None`` when it has none."""
    claims = aggregate_claims(ruleset, lines, members, months, specific)
    return None if claims is None else aggregate_result(ruleset, months, claims)


def _by_plan_month(
    lines: Sequence[LineResult],
    contribution: Sequence[Money],
    eligible: Sequence[bool],
    months: Sequence[MonthEnrollment],
) -> list[Money]:
    """C_k's monthly parts (7.3): the eligible aggregate claims paid in each plan month (on or
    before its last day, after the month before)."""
    ends = [add_months(month.month, 1) - timedelta(days=1) for month in months]
    by_month = [ZERO] * len(months)
    for c, ok, r in zip(contribution, eligible, lines, strict=True):
        if not ok:
            continue
        for k, end in enumerate(ends):
            if r.claim.paid <= end:
                by_month[k] += c
                break
    return by_month


def accommodation_pays(by_month: Sequence[Money], monthly: Sequence[Money]) -> tuple[Money, ...]:
    """pay_k = max(0, (C_k - T_k)+ - sum of earlier pay) (7.3), from the eligible claims paid in
    each plan month and each month's attachment; every engine's accommodation."""
    pays: list[Money] = []
    paid_so_far = claims_to_date = cumulative_attachment = ZERO
    for k in range(len(monthly)):
        claims_to_date += by_month[k]
        cumulative_attachment += monthly[k]
        pay = max(ZERO, max(ZERO, claims_to_date - cumulative_attachment) - paid_so_far)
        pays.append(pay)
        paid_so_far += pay
    return tuple(pays)
