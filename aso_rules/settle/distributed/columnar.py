"""The family stage on the vector engine's columns: one bucket of families read, adjudicated and
summarised with numpy and numba over int64 cents, and its ledger part written from columns.

On entry: every input row of the families whose ``family_id`` hashes to this bucket, as Arrow rows
with their global row numbers (ascending); the compiled ``Ruleset``; the enrollment as the vector
engine's ``FastEnrollment`` (member columns and records); a column adjudicator with the signature of
``vector.engine.adjudicate_columns`` (the default). A bucket holds all of a family's lines, and
accumulators, specific claimants and aggregate caps are per member or per family, so it settles on
its own.

On exit: a ``ColumnState`` kept on the worker (the bucket's accepted lines as ``ClaimColumns`` in
input order, their adjudicated cents, reason codes and aggregate flags) and the same small
``BucketSummary`` the records path gives (``local.py``), built from group sums: counts and money
totals, paid-month fee activity by line, per specific tier the spend of the claimants worth listing
and every *excess event* (an eligible line taking its claimant over the specific deductible, with
its excess before the aggregating specific deductible), and the aggregate contract's family-local
contributions by plan month. ``combine`` does what crosses families; ``write_column_ledger`` then
writes the part with the specific shares it returns, as ``decimal128(18, 2)`` from cents.

No Python object is made per line: only per excess event, listed claimant, reject, and per distinct
reason text (the vector engine's own builders).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from aso_rules.data.readers import known_categories
from aso_rules.model import Ruleset
from aso_rules.money import Money, from_cents, to_cents
from aso_rules.settle.distributed import kernels as dk
from aso_rules.settle.distributed.local import (
    AggregatePart,
    BucketSummary,
    ClaimantTotal,
    ExcessEvent,
    TierPart,
    write_part,
)
from aso_rules.settle.ledger import LEDGER_COLUMNS
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import ClaimColumns, day_date, day_number
from aso_rules.settle.vector.engine import Adjudicated, adjudicate_columns
from aso_rules.settle.vector.layout import PAID
from aso_rules.settle.vector.reader import FastClaims, FastEnrollment, read_claims_fast
from aso_rules.settle.vector.settle import (
    _RECORD_COLUMNS,
    LineSums,
    _extra_column,
    _input_column,
    _names,
    activity,
    ledger_names,
    money_array,
    reason_texts,
)
from aso_rules.settle.vector.stoploss import StopLossTables, line_pass, stop_loss_tables
from aso_rules.settle.windows import add_months

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

ColumnAdjudicator = Callable[..., Adjudicated]


@attrs.frozen(eq=False)
class ColumnState:
    """A settled bucket on columns, kept on its worker until the ledger stage."""

    bucket: int
    read: FastClaims  # accepted lines in input order; ``claims.row`` is the row within the bucket
    rows: I64  # global input row of each bucket row
    status: npt.NDArray[np.int8]
    allowed: I64
    deductible: I64
    copay: I64
    coinsurance: I64
    member_paid: I64
    plan_paid: I64
    reason_table: pa.Array
    reason_codes: I64
    aggregate_eligible: B
    summary: BucketSummary


def bucket_table(pieces: Sequence[tuple[pa.Table, I64]]) -> tuple[pa.Table, I64]:
    """The bucket's rows from every input partition, in partition order, and their global rows."""
    tables = [t for t, _ in pieces]
    table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    rows = np.concatenate([r for _, r in pieces]) if pieces else np.zeros(0, dtype=np.int64)
    return table, rows.astype(np.int64)


def settle_bucket_columns(
    bucket: int,
    ruleset: Ruleset,
    enrollment: FastEnrollment,
    adjudicator: ColumnAdjudicator | None,
    *pieces: tuple[pa.Table, I64],
) -> ColumnState:
    """Read, adjudicate and summarise one bucket's rows on columns (see the module docstring).
    ``enrollment`` is the vector engine's reading of it (member columns and their records, which
    share the columns: shipped as one object, they travel once)."""
    members = enrollment.members
    member_records = enrollment.records
    table, rows = bucket_table(pieces)
    read = read_claims_fast(table, ruleset, members, member_records)
    del table
    claims = read.claims
    adjudicate = adjudicator or adjudicate_columns
    adj = adjudicate(ruleset, claims, members, member_records=member_records)
    # what stays inside a claimant (eligibility, spend, excess, capped contributions): the vector
    # engine's own stop-loss pass; what crosses claimants is ``combine``'s
    sl = stop_loss_tables(ruleset, claims, members)
    if sl is not None:
        line_pass(ruleset, claims, members, adj, sl)
    agg_eligible, agg_part, adjusted, month = _aggregate_part(ruleset, claims, sl)
    tiers = (
        tuple(_tier_part(k, claims, sl, bucket, adjusted, month) for k in range(len(ruleset.specific)))
        if sl is not None
        else ()
    )
    del sl
    member_paid = adj.copay + adj.deductible + adj.coinsurance + adj.over_max
    sums = LineSums.of(ruleset, claims, adj)
    texts, codes = reason_texts(ruleset, claims, members, adj)
    paid = int((adj.status == PAID).sum())
    row_of = rows.tolist() if read.rejects else []
    summary = BucketSummary(
        rejects=tuple(attrs.evolve(r, row=row_of[r.row - 1]) for r in read.rejects),
        columns=read.columns,
        settled=claims.n,
        paid=paid,
        billed=from_cents(int(claims.billed.sum())),
        allowed=from_cents(int(adj.allowed.sum())),
        member_paid=from_cents(int(member_paid.sum())),
        plan_paid=from_cents(int(adj.plan_paid.sum())),
        by_line=_by_line(claims, sums),
        unknown=_unknown(ruleset, adj),
        # no specific shares yet: ``combine`` takes them off a net-of-stop-loss fee base
        activity=tuple(activity(ruleset, claims, adj, (), sums).items()),
        tiers=tiers,
        aggregate=agg_part,
    )
    return ColumnState(
        bucket=bucket,
        read=read,
        rows=rows,
        status=adj.status,
        allowed=adj.allowed,
        deductible=adj.deductible,
        copay=adj.copay,
        coinsurance=adj.coinsurance,
        member_paid=member_paid,
        plan_paid=adj.plan_paid,
        reason_table=texts,
        reason_codes=codes,
        aggregate_eligible=agg_eligible,
        summary=summary,
    )


def _by_line(claims: ClaimColumns, sums: LineSums) -> tuple[tuple[str, int, Money, Money, Money], ...]:
    """(line, lines, allowed, member paid, plan paid) per line of coverage, by name."""
    by = sums.by_line
    return tuple(
        (
            claims.line_names[li],
            int(by[li, kernels.BY_LINES]),
            from_cents(int(by[li, kernels.BY_ALLOWED])),
            from_cents(int(by[li, kernels.BY_MEMBER])),
            from_cents(int(by[li, kernels.BY_PLAN])),
        )
        for li in sorted(range(len(claims.line_names)), key=lambda li: claims.line_names[li])
        if by[li, kernels.BY_LINES]
    )


def _unknown(ruleset: Ruleset, adj: Adjudicated) -> tuple[tuple[str, str, int], ...]:
    """(line, category, lines) for each category the ruleset never names on a covered line
    (``employer.unknown_categories``), counted per distinct (line, network, category) term."""
    counts: dict[tuple[str, str], int] = {}
    per_term = adj.term_lines
    for k, (line, _network, category) in enumerate(adj.terms.keys):
        if not per_term[k] or line not in ruleset.coverages:
            continue
        if category not in known_categories(ruleset, line):
            counts[line, category] = counts.get((line, category), 0) + int(per_term[k])
    return tuple((line, cat, n) for (line, cat), n in sorted(counts.items()))


def _tier_part(
    k: int, claims: ClaimColumns, sl: StopLossTables, bucket: int, adjusted: B, month: I64
) -> TierPart:
    """One specific tier without the ASD: claimant spend and the excess events (``local._tier_part``)."""
    at = np.flatnonzero(sl.event[k])
    claimant, names = sl.claimant, sl.names
    # listed: a claimant with an excess event, or an eligible one a laser excludes
    listed = sl.seen[k] & (sl.deductible[k] < 0)
    listed[claimant[at]] = True
    ids = claims.claim_id.take(pa.array(at)).to_pylist() if len(at) else []
    events = tuple(
        ExcessEvent(
            tier=k,
            paid=day_date(int(claims.paid[i])),
            claim_id=str(cid),
            claimant=names[int(claimant[i])],
            excess=from_cents(int(sl.excess[k, i])),
            bucket=bucket,
            index=i,
            line=claims.line_names[int(claims.line[i])],
            aggregate=bool(adjusted[i]),
            month=int(month[i]) if adjusted[i] else -1,
        )
        for i, cid in zip(at.tolist(), ids, strict=True)
    )
    spent = sl.spent[k]
    shown = sorted((names[c], int(spent[c])) for c in np.flatnonzero(listed).tolist())
    return TierPart(
        eligible_paid=from_cents(int(spent.sum())),
        claimants=tuple(ClaimantTotal(name, from_cents(cents)) for name, cents in shown),
        events=events,
    )


def plan_month_ends(ruleset: Ruleset) -> I64:
    """The last day of each plan month as a day number: the accommodation's cut-offs (semantics 7.3)."""
    from aso_rules.data.enrollment import plan_months

    return np.array(
        [day_number(add_months(first, 1) - timedelta(days=1)) for first in plan_months(ruleset.plan_year)],
        dtype=np.int64,
    )


def _aggregate_part(
    ruleset: Ruleset, claims: ClaimColumns, sl: StopLossTables | None
) -> tuple[B, AggregatePart | None, B, I64]:
    """The aggregate contract's per-line contributions with every specific share and ASD absorption
    taken as zero (``local._aggregate_part``): the line pass's capped contributions.

    Returns the ledger's ``aggregate_eligible`` flags, the bucket's part, the lines whose
    contribution a specific share (``net_of_specific``) or ASD absorption (``asd_counts``) changes
    (eligible lines of the lowest tier's covers), and each line's plan month of payment (-1 after
    the last plan month).
    """
    ends = plan_month_ends(ruleset)
    k_of = np.searchsorted(ends, claims.paid, side="left").astype(np.int64)
    month = np.where(k_of < len(ends), k_of, -1).astype(np.int64)
    if ruleset.aggregate is None or sl is None:
        none = np.zeros(claims.n, dtype=np.bool_)
        return none, None, none, month
    eligible = sl.eligible(len(ruleset.specific))
    contribution = np.where(eligible, sl.contribution, 0)
    inside = eligible & (month >= 0)
    by_month = dk.group_sum(np.maximum(month, 0), contribution, inside, len(ends))
    part = AggregatePart(
        eligible=from_cents(int(contribution.sum())),
        by_month=tuple(from_cents(int(v)) for v in by_month[: len(ends)].tolist()),
    )
    return eligible, part, eligible & sl.in_spec[claims.line], month


def write_column_ledger(state: ColumnState, shares: Mapping[int, Money], directory: str) -> int:
    """Write the bucket's ledger part from columns, atomically (``local.write_part``): the input
    columns and ledger columns of ``vector.settle.ledger_batch`` (text as dictionary arrays, read
    back as plain strings) with ``specific_reimbursed`` the shares ``combine`` returned (line index
    -> amount), then the global ``row``. Returns the rows written."""
    read = state.read
    n = read.claims.n
    share = np.zeros(n, dtype=np.int64)
    for i, amount in shares.items():
        share[i] = to_cents(amount)
    arrays: list[pa.Array] = []
    for column in read.columns:
        if column in _RECORD_COLUMNS:
            arrays.append(_input_column(column, read, 0, n, True))
        else:
            arrays.append(_extra_column(column, read, 0, n))
    computed = {
        "status": _names(state.status.astype(np.int64), ("paid", "denied"), True),
        "reason": pa.DictionaryArray.from_arrays(pa.array(state.reason_codes), state.reason_table),
        "allowed": money_array(state.allowed),
        "deductible": money_array(state.deductible),
        "copay": money_array(state.copay),
        "coinsurance": money_array(state.coinsurance),
        "member_paid": money_array(state.member_paid),
        "plan_paid": money_array(state.plan_paid),
        "specific_reimbursed": money_array(share),
        "aggregate_eligible": pa.array(state.aggregate_eligible, type=pa.bool_()),
    }
    arrays += [computed[name] for name in LEDGER_COLUMNS]
    table = pa.Table.from_arrays(arrays, names=ledger_names(read))
    return write_part(table, state.rows[read.claims.row - 1], state.bucket, directory)
