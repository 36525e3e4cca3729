"""``settle(adjudicated=True, engine="vector")``: stop-loss, fees and employer cost on the
administrator's paid claims, over the vector engine's columns.

On entry: a ruleset and claims/enrollment sources as ``aso_rules.settle.adjudicated`` takes them.
The rows are read, validated and netted per claim by the reference reader and ``paid_lines``
(versions, voids and adjustments become each row's signed *change* to its claim, in input row
order); nothing is adjudicated. On exit: a ``Settlement`` equal to the reference engine's (the same
lines, ledger, rejects, summary, per-line stop-loss shares), whose stop-loss, aggregate and fee
activity come from the vector engine's compiled passes: ``kernels.stoploss_lines`` and
``kernels.specific_events`` (where a negative change of a claimant's excess takes back
reimbursement, last dollars first) and ``kernels.line_sums``.

Two differences from a re-adjudicating vector run make the kernels equal the reference here:

* stop-loss order is (paid, claim_id) with ties by input row whatever ``processing_order`` says
  (the reference's lines are in row order); ``adj.order`` is that order itself;
* a paid line the ruleset would not cover (an excluded service, a member not covered on the
  incurred date) is paid for fees and employer cost but passes stop-loss as not paid, so no
  contract counts it (``LineResult.stop_loss_eligible``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.data.records import MemberRecord, Reject
from aso_rules.model import Ruleset
from aso_rules.money import ZERO, Money, from_cents, to_cents
from aso_rules.settle import AdjudicatedLines, AdjudicateFn, Settlement, line_totals, settle_end
from aso_rules.settle.ledger import ledger_table, rejects_table
from aso_rules.settle.results import LineResult
from aso_rules.settle.stoploss import AggregateClaims, SpecificResult
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import (
    NONE,
    ClaimColumns,
    MemberColumns,
    claims_from_records,
    members_from_records,
)
from aso_rules.settle.vector.engine import Adjudicated
from aso_rules.settle.vector.plan import build_terms
from aso_rules.settle.vector.settle import LineSums, activity, month_enrollment
from aso_rules.settle.vector.stoploss import AggregateLines, TierLines, stop_loss, stop_loss_tables

I64 = npt.NDArray[np.int64]


def paid_columns(
    ruleset: Ruleset, claims: ClaimColumns, members: MemberColumns, lines: Sequence[LineResult]
) -> Adjudicated:
    """The administrator's figures of ``lines`` (aligned with ``claims``) as ``Adjudicated``
    columns; ``order`` is the stop-loss order (paid, claim_id, row). The term table and per-line
    terms are empty: nothing here reads them."""
    n = claims.n

    def cents(field: str) -> I64:
        return np.fromiter((to_cents(getattr(r, field)) for r in lines), dtype=np.int64, count=n)

    rows = np.arange(n, dtype=np.int64)
    order: I64 = np.lexsort((rows, claims.cid_rank, claims.paid)).astype(np.int64) if n else rows
    family = members.family[claims.member] if n else np.zeros(0, dtype=np.int64)
    return Adjudicated(
        order=order,
        status=np.fromiter((r.status != "paid" for r in lines), dtype=np.int8, count=n),
        reason=np.full(n, -1, dtype=np.int32),
        allowed=cents("allowed"),
        copay=cents("copay"),
        deductible=cents("deductible"),
        coinsurance=cents("coinsurance"),
        over_max=cents("over_max"),
        plan_paid=cents("plan_paid"),
        repriced=np.full(n, NONE, dtype=np.int64),
        period=np.zeros(n, dtype=np.int32),
        first_year=ruleset.plan_year.start.year,
        fallback=np.zeros(n, dtype=np.bool_),
        fallback_reasons={},
        terms=build_terms(ruleset, ()),
        term=np.zeros(0, dtype=np.int64),
        term_lines=np.zeros(0, dtype=np.int64),
        family=family,
        family_order=order,
        family_bounds=np.array([0, n], dtype=np.int64),
        paid_days=kernels.span(claims.paid) if n else (0, 0),
        ids_ascending=n == 0 or bool(kernels.is_identity(claims.cid_rank)),
    )


def _tier_lines(t: TierLines, result: SpecificResult, n: int) -> SpecificResult:
    """A tier's result with the reference's per-line tuples (eligible, share, ASD absorbed)."""
    eligible = kernels.flag_bit(t.flags, t.bit) if n else np.zeros(0, dtype=np.bool_)
    shares = np.zeros(n, dtype=np.int64)
    absorbed = np.zeros(n, dtype=np.int64)
    shares[t.events] = t.event_share
    absorbed[t.events] = t.event_absorbed
    return attrs.evolve(
        result,
        line_eligible=tuple(eligible.tolist()),
        line_shares=tuple(from_cents(v) for v in shares.tolist()),
        line_absorbed=tuple(from_cents(v) for v in absorbed.tolist()),
    )


def _aggregate_lines(lines: AggregateLines, claims: AggregateClaims) -> AggregateClaims:
    return attrs.evolve(
        claims,
        line_eligible=tuple(lines.eligible.tolist()),
        line_contribution=tuple(from_cents(v) for v in lines.contribution.tolist()),
    )


def settle_paid_lines(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    lines: Sequence[LineResult],
    *,
    columns: Sequence[str],
    claim_rejects: Sequence[Reject] = (),
    enrollment_rejects: Sequence[Reject] = (),
    received: int | None = None,
    adjudicator: AdjudicateFn | None = None,
) -> Settlement:
    """``aso_rules.settle.assemble`` for paid lines (input row order), with stop-loss and fee
    activity on the vector engine's columns (see the module docstring)."""
    line_list = list(lines)
    n = len(line_list)
    mcols = members_from_records(list(members.values()), ruleset.tier_codes)
    ccols = claims_from_records([r.claim for r in line_list], mcols)
    adj = paid_columns(ruleset, ccols, mcols, line_list)
    sums = LineSums.of(ruleset, ccols, adj)
    eligible = np.fromiter((r.stop_loss_eligible for r in line_list), dtype=np.bool_, count=n)
    # a line outside stop-loss whatever the contracts say passes stop-loss as not paid
    for_stop_loss = attrs.evolve(adj, status=np.where(eligible, adj.status, 1).astype(np.int8))
    months, member_counts = month_enrollment(ruleset, mcols)
    months = tuple(attrs.evolve(m, members_by_tier=t) for m, t in zip(months, member_counts, strict=True))
    specific, tier_lines, aggregate, agg_lines = stop_loss(
        ruleset,
        ccols,
        mcols,
        for_stop_loss,
        months,
        stop_loss_tables(ruleset, ccols, mcols),
        ties_by_row=True,
        every_claimant=True,
    )
    specific = tuple(_tier_lines(t, r, n) for t, r in zip(tier_lines, specific, strict=True))
    if aggregate is not None and agg_lines is not None:
        aggregate = _aggregate_lines(agg_lines, aggregate)
    end = settle_end(
        ruleset,
        months,
        AdjudicatedLines(
            totals=line_totals(ruleset, line_list),
            received=received if received is not None else n + len(claim_rejects),
            rejected=len(claim_rejects),
            specific=specific,
            aggregate=aggregate,
            activity=activity(ruleset, ccols, adj, tier_lines, sums),
            members_by_tier=member_counts,
        ),
    )
    shares = _line_shares(tier_lines, n)
    agg_flags = aggregate.line_eligible if aggregate is not None else (False,) * n
    return Settlement(
        ruleset=ruleset,
        members=members,
        lines=line_list,
        ledger=ledger_table(columns, line_list, shares, agg_flags),
        rejects=rejects_table(claim_rejects),
        enrollment_rejects=rejects_table(enrollment_rejects),
        summary=end.summary,
        months=months,
        specific=specific,
        aggregate=end.aggregate,
        fees=end.fees,
        employer=end.employer,
        specific_shares=shares,
        adjudicator=adjudicator,
    )


def _line_shares(tiers: Sequence[TierLines], n: int) -> tuple[Money, ...]:
    """Each line's specific share summed over the tiers (the ledger column)."""
    total = np.zeros(n, dtype=np.int64)
    for t in tiers:
        t.add_shares(total, 0)
    return tuple(from_cents(v) if v else ZERO for v in total.tolist())


__all__ = ["paid_columns", "settle_paid_lines"]
