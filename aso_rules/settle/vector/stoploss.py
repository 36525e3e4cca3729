"""Specific and aggregate stop-loss over the vector engine's columns (docs/semantics.md 6 and 7).

On entry: the adjudicated columns (``Adjudicated``: plan paid per line, status, the accumulator
families and the lines grouped by family in processing order), the claim and member columns and the
monthly enrollment. On exit: per tier, the reference engine's ``SpecificResult`` totals and
claimants (only the claimants summary.json lists: excess above the deductible, excluded by a laser,
or reimbursed), plus per-line arrays (eligible, share, ASD absorbed) and the tier's event lines; for
the aggregate, its eligible claims (``AggregateClaims``, settled by ``aso_rules.settle.settle_end``)
and per-line arrays (eligible, contribution).

Stop-loss order is ascending (paid, claim_id), ties in processing order (``stoploss.
processing_indices``). Everything that stays inside one claimant (eligibility, running spend, excess
over the deductible, capped aggregate contribution) only needs each claimant's lines in that order,
and claimants never cross families: one compiled pass over the lines grouped by family
(``kernels.stoploss_lines``, family chunks in parallel) does it for every tier and the aggregate at
once. Only the lines that change their claimant's excess over its deductible ("event" lines, few; with
the signed lines of adjudicated settlement a void or recovery above the deductible is one too, with
a negative excess that takes reimbursement back) carry what crosses claimants: the aggregating
specific deductible. They alone are sorted into the global stop-loss
order and settled by ``kernels.specific_events``; the aggregate's ASD / net-of-specific parts are
added on them afterwards. Windows, attachment points and reimbursement rounding are the reference
functions themselves (they cost nothing per line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.model import Ruleset, SpecificStopLoss
from aso_rules.money import ZERO, from_cents, to_cents
from aso_rules.settle.stoploss import AggregateClaims, ClaimantResult, SpecificResult
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import NONE, ClaimColumns, MemberColumns, day_number
from aso_rules.settle.vector.engine import CHUNKS, Adjudicated, family_order
from aso_rules.settle.vector.layout import W_INCURRED_FROM, W_INCURRED_TO, W_PAID_FROM, W_PAID_TO
from aso_rules.settle.vector.plan import WINDOW_COLUMNS, fraction
from aso_rules.settle.windows import Window, add_months, contract_window

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class TierLines:
    """One specific tier per line (input order): eligibility is bit ``bit`` of ``flags`` (the
    contracts' flag bytes, shared by the tiers: no column of its own); ``events`` lists the lines
    with excess over their claimant's deductible, in stop-loss order, and ``event_share`` /
    ``event_absorbed`` their share of the reimbursement and ASD absorbed (every other line's are 0:
    only the events are stored, a few per thousand lines, not two full-size columns)."""

    flags: npt.NDArray[np.uint8]
    bit: int
    events: I64
    event_share: I64  # aligned with ``events``
    event_absorbed: I64

    def eligible_at(self, i: int) -> bool:
        """Whether line ``i`` is eligible for the tier."""
        return bool(self.flags[i] & np.uint8(1 << self.bit))

    def share_at(self, i: int) -> int:
        """Line ``i``'s share of the tier's reimbursement, in cents."""
        hit = np.flatnonzero(self.events == i)
        return int(self.event_share[hit[0]]) if len(hit) else 0

    def absorbed_at(self, i: int) -> int:
        """Line ``i``'s excess absorbed by the aggregating specific deductible, in cents."""
        hit = np.flatnonzero(self.events == i)
        return int(self.event_absorbed[hit[0]]) if len(hit) else 0

    def add_shares(self, out: I64, lo: int) -> None:
        """Add the shares of lines ``lo .. lo + len(out) - 1`` to ``out`` (a ledger batch)."""
        inside = (self.events >= lo) & (self.events < lo + len(out))
        np.add.at(out, self.events[inside] - lo, self.event_share[inside])


@attrs.frozen(eq=False)
class AggregateLines:
    eligible: B
    contribution: I64


@attrs.frozen(eq=False)
class StopLossTables:
    """The contracts as integer tables (specific tiers, then the aggregate if any), each line's
    claimant, and the per-line and per-claimant arrays ``kernels.stoploss_lines`` fills.

    ``in_family_order``: each claimant's lines lie in one accumulator family and stop-loss order is
    processing order (processing by paid date), so the accumulator loop's family order
    (``Adjudicated.family_order``) is an order in which every claimant's lines come in stop-loss
    order.
    """

    claimant: I64
    names: tuple[str, ...]
    index: Mapping[str, int]
    windows_of: tuple[Window, ...]
    covered: B  # bool[n_contracts, n_line_codes]
    windows: I64  # int64[n_contracts, 4]: columns ``WINDOW_COLUMNS`` (``layout.W_*``)
    deductible: I64  # int64[n_tiers, n_claimants]
    cap: I64
    in_spec: B
    net: bool
    claimant_is_family: bool
    in_family_order: bool
    flags: npt.NDArray[np.uint8]
    spent: I64
    seen: B
    event: npt.NDArray[np.int8]
    excess: I64
    agg_spent: I64
    contribution: I64

    def eligible(self, c: int) -> B:
        """Contract ``c``'s eligible lines."""
        out: B = kernels.flag_bit(self.flags[c >> 3], c & 7)
        return out


def claimants(ruleset: Ruleset, claims: ClaimColumns, members: MemberColumns) -> tuple[I64, tuple[str, ...]]:
    """Each line's claimant index and the claimant names (member, or family when family-specific)."""
    if ruleset.settings.specific_claimant_key == "family":
        return claims.family, claims.family_names
    member = claims.member
    if claims.n and int(member.min()) < 0:
        member = np.maximum(member, 0)
    return member, members.ids


def claimant_index(ruleset: Ruleset, claims: ClaimColumns, members: MemberColumns) -> Mapping[str, int]:
    """Claimant name -> index (the members' own index when claimants are members)."""
    if ruleset.settings.specific_claimant_key == "family":
        return {name: k for k, name in enumerate(claims.family_names)}
    return members.index


def _day(d: date | None) -> int:
    return -(1 << 40) if d is None else day_number(d)


def stop_loss_tables(ruleset: Ruleset, claims: ClaimColumns, members: MemberColumns) -> StopLossTables | None:
    """The run's ``StopLossTables``, or ``None`` when the ruleset has no stop-loss contract."""
    tiers = ruleset.specific
    agg = ruleset.aggregate
    if not tiers and agg is None:
        return None
    n = claims.n
    claimant, names = claimants(ruleset, claims, members)
    index = claimant_index(ruleset, claims, members)
    k = max(len(names), 1)
    start = ruleset.plan_year.start
    contracts: list[tuple[Sequence[str], Window]] = [
        (t.covers, contract_window(start, t.basis, terminal_liability=t.terminal_liability)) for t in tiers
    ]
    if agg is not None:
        window = contract_window(start, agg.basis, terminal_liability=agg.terminal_liability)
        contracts.append((agg.covers, window))
    covered = np.zeros((len(contracts), max(len(claims.line_names), 1)), dtype=np.bool_)
    windows = np.zeros((len(contracts), len(WINDOW_COLUMNS)), dtype=np.int64)
    for c, (covers, window) in enumerate(contracts):
        covered[c, : len(claims.line_names)] = [name in covers for name in claims.line_names]
        windows[c, W_INCURRED_FROM] = _day(window.incurred_from)
        windows[c, W_INCURRED_TO] = day_number(window.incurred_to)
        windows[c, W_PAID_FROM] = day_number(window.paid_from)
        windows[c, W_PAID_TO] = day_number(window.paid_to)
    deductible = np.empty((len(tiers), k), dtype=np.int64)
    for t, tier in enumerate(tiers):
        deductible[t] = to_cents(tier.deductible)
        for who, amount in tier.lasers.items():
            if who in index:
                deductible[t, index[who]] = NONE if amount is None else to_cents(amount)
    lowest: SpecificStopLoss | None = min(tiers, key=lambda t: t.deductible) if tiers else None
    cap = np.full(k, NONE, dtype=np.int64)
    if agg is not None and lowest is not None and agg.cap_per_claimant:
        cap[:] = to_cents(lowest.deductible)
        if agg.laser_treatment != "standard_only":
            for who, amount in lowest.lasers.items():
                if who in index:
                    cap[index[who]] = NONE if amount is None else to_cents(amount)
    specific_covers = lowest.covers if lowest is not None else ()
    by_family = ruleset.settings.specific_claimant_key == "family"
    grouped = True
    if by_family and n and members.n:
        # a family claimant's lines are in one accumulator family when every enrolled line's family
        # is its member's
        known = claims.member >= 0
        grouped = bool((claims.family[known] == members.family[claims.member[known]]).all())
    return StopLossTables(
        claimant=claimant,
        names=names,
        index=index,
        windows_of=tuple(w for _, w in contracts),
        covered=covered,
        windows=windows,
        deductible=deductible,
        cap=cap,
        in_spec=np.array([name in specific_covers for name in claims.line_names] or [False], dtype=np.bool_),
        net=agg is not None and agg.claim_basis == "net_of_specific",
        claimant_is_family=by_family,
        in_family_order=grouped and ruleset.settings.processing_order == "paid" and members.n > 0,
        flags=np.zeros(((len(contracts) + 7) // 8, n), dtype=np.uint8),
        spent=np.zeros((len(tiers), k), dtype=np.int64),
        seen=np.zeros((len(tiers), k), dtype=np.bool_),
        event=np.zeros((len(tiers), n), dtype=np.int8),
        excess=np.zeros((len(tiers), n), dtype=np.int64),
        agg_spent=np.zeros(k, dtype=np.int64),
        contribution=np.zeros(n if agg is not None else 1, dtype=np.int64),
    )


def line_pass(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    adj: Adjudicated,
    sl: StopLossTables,
    *,
    ties_by_row: bool = False,
) -> None:
    """``kernels.stoploss_lines`` over every line, grouped by claimant family with each claimant's
    lines in stop-loss order: the accumulator loop's family order when ``in_family_order``, else
    the lines sorted here. ``ties_by_row``: ``adj.order`` is the stop-loss order itself, ties in
    (paid, claim_id) broken by input row (adjudicated settlement, whose lines are in row order)."""
    n = claims.n
    if not n or not members.n:
        return
    if sl.in_family_order and not ties_by_row:
        order, bounds = adj.family_order, adj.family_bounds
    else:
        if ruleset.settings.processing_order == "paid" or ties_by_row:
            sl_order = adj.order
        else:
            pos = np.empty(n, dtype=np.int64)
            pos[adj.order] = np.arange(n, dtype=np.int64)
            sl_order = np.lexsort((pos, claims.cid_rank, claims.paid)).astype(np.int64)
        group = claims.family if sl.claimant_is_family else adj.family
        n_groups = int(group.max()) + 1
        order, bounds = family_order(group, n_groups, sl_order, CHUNKS)
    kernels.stoploss_lines(
        order,
        bounds,
        kernels.BLOCK,
        adj.status,
        claims.line,
        claims.incurred,
        claims.paid,
        adj.plan_paid,
        sl.claimant,
        sl.covered,
        sl.windows,
        sl.deductible,
        sl.cap,
        sl.in_spec,
        sl.net,
        sl.flags,
        sl.spent,
        sl.seen,
        sl.event,
        sl.excess,
        sl.agg_spent,
        sl.contribution,
    )


def _in_stop_loss_order(ruleset: Ruleset, claims: ClaimColumns, lines: I64, ties_by_row: bool = False) -> I64:
    """``lines`` (ascending indices) sorted into stop-loss order: (paid, claim_id), then processing
    order, which among equal (paid, claim_id) is (incurred, row) or row (always row with
    ``ties_by_row``)."""
    keys: list[I64] = [lines]
    if ruleset.settings.processing_order == "incurred" and not ties_by_row:
        keys.append(claims.incurred[lines])
    keys += [claims.cid_rank[lines], claims.paid[lines]]
    out: I64 = lines[np.lexsort(keys)]
    return out


def stop_loss(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    adj: Adjudicated,
    months: Sequence[MonthEnrollment],
    sl: StopLossTables | None,
    *,
    ties_by_row: bool = False,
    every_claimant: bool = False,
) -> tuple[tuple[SpecificResult, ...], tuple[TierLines, ...], AggregateClaims | None, AggregateLines | None]:
    """Every specific tier (6.4) and the aggregate contract (7), or ``None`` for the aggregate when
    the ruleset has none. ``sl`` is ``stop_loss_tables``' result (filled here): every line goes
    through ``kernels.stoploss_lines``, then each tier's event lines through
    ``kernels.specific_events``. ``ties_by_row``: see ``line_pass``; ``every_claimant``: each tier
    lists every claimant with an eligible line, as the reference engine does (filings read them),
    not only those summary.json shows."""
    if sl is None:
        return (), (), None, None
    tiers = ruleset.specific
    agg = ruleset.aggregate
    line_pass(ruleset, claims, members, adj, sl, ties_by_row=ties_by_row)
    k = max(len(sl.names), 1)
    half_even = ruleset.settings.rounding == "half_even"
    results: list[SpecificResult] = []
    per_line: list[TierLines] = []
    for t, tier in enumerate(tiers):
        events = _in_stop_loss_order(ruleset, claims, kernels.flat_nonzero(sl.event[t]), ties_by_row)
        share = np.zeros(len(events), dtype=np.int64)
        absorbed = np.zeros(len(events), dtype=np.int64)
        absorbed_by = np.zeros(k, dtype=np.int64)
        reimbursed = np.zeros(k, dtype=np.int64)
        num, den = fraction(tier.reimbursement_pct)
        kernels.specific_events(
            events,
            sl.claimant,
            sl.excess[t],
            k,
            to_cents(tier.aggregating_deductible),
            num,
            den,
            NONE if tier.maximum is None else to_cents(tier.maximum),
            half_even,
            share,
            absorbed,
            absorbed_by,
            reimbursed,
        )
        results.append(
            _tier_result(
                tier,
                sl.windows_of[t],
                sl.names,
                sl.deductible[t],
                sl.spent[t],
                sl.seen[t],
                absorbed_by,
                reimbursed,
                every_claimant,
            )
        )
        per_line.append(
            TierLines(
                flags=sl.flags[t >> 3], bit=t & 7, events=events, event_share=share, event_absorbed=absorbed
            )
        )
    if agg is None:
        return tuple(results), tuple(per_line), None, None
    agg_eligible = sl.eligible(len(tiers))
    contribution = sl.contribution
    if sl.net or agg.asd_counts:
        # the parts of a contribution that cross claimants: only event lines carry them
        for lines in per_line:
            keep = agg_eligible[lines.events] & sl.in_spec[claims.line[lines.events]]
            ev = lines.events[keep]
            if sl.net:
                contribution[ev] -= lines.event_share[keep]
            else:
                contribution[ev] += lines.event_absorbed[keep]
    result = _aggregate_claims(ruleset, claims, adj, months, agg_eligible, contribution)
    return (
        tuple(results),
        tuple(per_line),
        result,
        AggregateLines(eligible=agg_eligible, contribution=contribution),
    )


def _tier_result(
    tier: SpecificStopLoss,
    window: Window,
    names: Sequence[str],
    sd_of: I64,
    spent: I64,
    seen: B,
    absorbed_by: I64,
    reimbursed: I64,
    every_claimant: bool = False,
) -> SpecificResult:
    """The reference ``SpecificResult`` totals and the claimants summary.json lists (excess above
    the deductible, excluded by a laser, or reimbursed), or with ``every_claimant`` every claimant
    with an eligible line."""
    excess = np.where(sd_of >= 0, np.maximum(spent - sd_of, 0), 0)
    listed = seen if every_claimant else seen & ((excess > 0) | (sd_of < 0) | (reimbursed > 0))
    shown = np.flatnonzero(listed)
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
    return SpecificResult(
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


def _aggregate_claims(
    ruleset: Ruleset,
    claims: ClaimColumns,
    adj: Adjudicated,
    months: Sequence[MonthEnrollment],
    eligible: B,
    contribution: I64,
) -> AggregateClaims:
    """G and its parts by plan month of payment (7.2, 7.3) from the contributions: what
    ``stoploss.aggregate_result`` settles."""
    # claims paid on or before the last day of plan month k count in month k (7.3)
    ends = np.array([day_number(add_months(m.month, 1) - timedelta(days=1)) for m in months], dtype=np.int64)
    day0, day1 = adj.paid_days
    span = np.arange(day0, (day1 + 1) if claims.n else day0, dtype=np.int64)
    month_of_day = np.searchsorted(ends, span, side="left").astype(np.int64)
    month_of_day[month_of_day >= len(months)] = -1
    sums = kernels.month_sums(claims.paid, eligible, contribution, day0, month_of_day, len(months))
    # ineligible lines contribute 0
    by_month = [from_cents(int(v)) for v in sums[: len(months)].tolist()]
    return AggregateClaims(eligible=from_cents(int(sums[-1])), by_month=tuple(by_month))
