"""The family stage on records: one bucket of families settled on a worker with a records
adjudicator, what any bucket tells the second stage, and the atomic write of a ledger part.

The default bucket runs on columns (``columnar.py``) and reports the same ``BucketSummary``; this
path (``settle_dask(..., adjudicator=...)``) validates ``ClaimRecord``s and settles ``LineResult``s
with any adjudicator of the reference signature, for comparisons.

On entry: every input row of the families whose ``family_id`` hashes to this bucket, as Arrow rows
with their global row numbers (validated here by the readers). A bucket holds all of a family's
lines, and accumulators, specific claimants and aggregate caps are per member or per family, so it
is self-contained for adjudication. Also the compiled ``Ruleset``, the members by id and a per-partition
adjudicator with the reference ``adjudicate`` signature.

On exit: a ``BucketState`` holding the bucket's ``LineResult`` list (kept on the worker) and a small
``BucketSummary`` for the client: counts and money totals, paid-month fee activity, per specific
tier the claimants worth listing and every *excess event* (an eligible line that takes its claimant
over the specific deductible, with its excess before the aggregating specific deductible), and the
aggregate contract's family-local eligible claims by plan month. Everything that depends on other
families (ASD absorption in paid order across claimants, the resulting shares, the aggregate's
``net_of_specific`` and ``asd_counts`` adjustments, fees) is left to ``combine``; the per-line
arithmetic here is the reference ``stoploss`` module's, line for line.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from aso_rules.data.enrollment import plan_months
from aso_rules.data.records import MemberRecord, Reject
from aso_rules.model import Ruleset
from aso_rules.money import ZERO, Money
from aso_rules.settle import line_totals
from aso_rules.settle.fees import MonthActivity, month_activity
from aso_rules.settle.ledger import ledger_table
from aso_rules.settle.results import LineResult
from aso_rules.settle.stoploss import aggregate_contributions, claimant_of, contract_flags, processing_indices
from aso_rules.settle.windows import add_months, contract_window

Adjudicator = Callable[..., list[LineResult]]

ORDER_COLUMN = "row"  # the partitioned ledger's extra column: the 1-based input row of each line
ORDER_KEY = b"aso_rules.order_column"  # Parquet schema metadata naming the order column


@attrs.frozen
class ExcessEvent:
    """An eligible line that changes its claimant's excess over the specific deductible, before the
    ASD (docs/semantics.md 6.3); negative for a void or recovery of adjudicated settlement."""

    tier: int
    paid: date
    claim_id: str
    claimant: str
    excess: Money  # max(0, after - SD) - max(0, before - SD)
    bucket: int
    index: int  # the line's index in its bucket (``BucketState.lines``, ``ColumnState`` columns)
    line: str  # line of coverage (the fee base of net_of_stop_loss)
    aggregate: bool  # aggregate-eligible and inside the lowest tier's covers
    month: int  # plan month index for the aggregate accommodation, -1 after the last plan month


@attrs.frozen
class ClaimantTotal:
    """A specific claimant worth listing: one with an excess event or excluded by a laser."""

    claimant: str
    eligible_paid: Money


@attrs.frozen
class TierPart:
    """One specific tier over one bucket."""

    eligible_paid: Money
    claimants: tuple[ClaimantTotal, ...]
    events: tuple[ExcessEvent, ...]


@attrs.frozen
class AggregatePart:
    """The aggregate contract over one bucket, before the cross-family adjustments."""

    eligible: Money  # sum of family-local contributions
    by_month: tuple[Money, ...]  # the same, by plan month of payment (accommodation)


@attrs.frozen
class BucketSummary:
    """What the second stage needs from one bucket (small: no per-line data but excess events and
    rejects)."""

    rejects: tuple[Reject, ...]
    columns: tuple[str, ...]
    settled: int
    paid: int
    billed: Money
    allowed: Money
    member_paid: Money
    plan_paid: Money
    by_line: tuple[tuple[str, int, Money, Money, Money], ...]  # line, claims, allowed, member, plan
    unknown: tuple[tuple[str, str, int], ...]  # line, category, count
    activity: tuple[tuple[date, MonthActivity], ...]
    tiers: tuple[TierPart, ...]
    aggregate: AggregatePart | None


@attrs.frozen(eq=False)
class BucketState:
    """A settled bucket, kept on its worker until the ledger stage."""

    bucket: int
    lines: list[LineResult]  # one per accepted line, in the adjudicator's (processing) order
    rows: npt.NDArray[np.int64]  # global input row of each bucket row (``claim.row`` is local)
    aggregate_eligible: tuple[bool, ...]
    summary: BucketSummary


def accommodation_ends(ruleset: Ruleset) -> list[date]:
    """The last day of each plan month: the accommodation's cut-offs (docs/semantics.md 7.3)."""
    return [add_months(first, 1) - timedelta(days=1) for first in plan_months(ruleset.plan_year)]


def _month_index(paid: date, ends: Sequence[date]) -> int:
    for k, end in enumerate(ends):
        if paid <= end:
            return k
    return -1


def settle_bucket(
    bucket: int,
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    adjudicator: Adjudicator,
    *pieces: tuple[pa.Table, npt.NDArray[np.int64]],
) -> BucketState:
    """Validate and adjudicate one bucket's rows and compute its ``BucketSummary``."""
    from aso_rules.settle.distributed.inputs import read_bucket

    read = read_bucket(ruleset, members, pieces)
    claims = read.claims
    lines = adjudicator(ruleset, members, claims) if claims else []
    return bucket_state(bucket, ruleset, members, lines, read.rows, read.rejects, read.columns)


def bucket_state(
    bucket: int,
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    lines: list[LineResult],
    rows: npt.NDArray[np.int64],
    rejects: Sequence[Reject],
    columns: tuple[str, ...],
) -> BucketState:
    """A bucket's settled ``lines`` (``claim.row`` numbered 1.. within the bucket, ``rows`` their
    global input rows) with its ``BucketSummary``."""
    order = processing_indices(lines)
    agg_flags, agg_part, adjusts = _aggregate_part(ruleset, lines, members, order)
    tiers = tuple(
        _tier_part(ruleset, k, lines, members, order, bucket, adjusts) for k in range(len(ruleset.specific))
    )
    totals = line_totals(ruleset, lines)
    summary = BucketSummary(
        rejects=tuple(rejects),
        columns=columns,
        settled=totals.settled,
        paid=totals.paid,
        billed=totals.billed,
        allowed=totals.allowed,
        member_paid=totals.member_paid,
        plan_paid=totals.plan_paid,
        by_line=tuple(
            (line, s.claims, s.allowed, s.member_paid, s.plan_paid) for line, s in totals.by_line.items()
        ),
        unknown=tuple(
            (line, cat, n) for line, cats in totals.unknown_categories.items() for cat, n in cats.items()
        ),
        activity=tuple(month_activity(ruleset, lines).items()),
        tiers=tiers,
        aggregate=agg_part,
    )
    return BucketState(bucket=bucket, lines=lines, rows=rows, aggregate_eligible=agg_flags, summary=summary)


def _tier_part(
    ruleset: Ruleset,
    k: int,
    lines: Sequence[LineResult],
    members: Mapping[str, MemberRecord],
    order: Sequence[int],
    bucket: int,
    adjusts: Mapping[int, int],
) -> TierPart:
    """``stoploss.specific_tier`` without the ASD: spend per claimant and the excess events."""
    tier = ruleset.specific[k]
    window = contract_window(ruleset.plan_year.start, tier.basis, terminal_liability=tier.terminal_liability)
    eligible = contract_flags(lines, tier.covers, window, members)
    lasers = dict(tier.lasers)
    standard = tier.deductible
    key = ruleset.settings.specific_claimant_key
    spent: dict[str, Money] = {}
    listed: set[str] = set()
    events: list[ExcessEvent] = []
    for i in order:
        if not eligible[i]:
            continue
        r = lines[i]
        m = claimant_of(r, key)
        sd = lasers.get(m, standard)
        before = spent.get(m, ZERO)
        after = before + r.plan_paid
        spent[m] = after
        if sd is None:
            listed.add(m)
            continue
        if after > sd:
            listed.add(m)
        # the line's change of the claimant's excess (``stoploss.specific_tier``): negative only for
        # the signed lines of adjudicated settlement, a take-back ``combine``'s allocator books
        excess_line = max(ZERO, after - sd) - max(ZERO, before - sd)
        if not excess_line:
            continue
        events.append(
            ExcessEvent(
                tier=k,
                paid=r.claim.paid,
                claim_id=r.claim.claim_id,
                claimant=m,
                excess=excess_line,
                bucket=bucket,
                index=i,
                line=r.claim.line,
                aggregate=i in adjusts,
                month=adjusts.get(i, -1),
            )
        )
    return TierPart(
        eligible_paid=sum(spent.values(), ZERO),
        claimants=tuple(ClaimantTotal(m, spent[m]) for m in sorted(listed)),
        events=tuple(events),
    )


def _aggregate_part(
    ruleset: Ruleset,
    lines: Sequence[LineResult],
    members: Mapping[str, MemberRecord],
    order: Sequence[int],
) -> tuple[tuple[bool, ...], AggregatePart | None, dict[int, int]]:
    """``stoploss.aggregate_contributions`` with every specific share and ASD absorption taken as zero.

    Returns the ledger's ``aggregate_eligible`` flags, the bucket's part and the lines whose
    contribution a specific share (``net_of_specific``) or ASD absorption (``asd_counts``) changes,
    each with its accommodation month index (-1: after the last plan month).
    """
    agg = ruleset.aggregate
    if agg is None:
        return (False,) * len(lines), None, {}
    window = contract_window(ruleset.plan_year.start, agg.basis, terminal_liability=agg.terminal_liability)
    eligible = contract_flags(lines, agg.covers, window, members)
    contribution, adjusted = aggregate_contributions(ruleset, lines, eligible, order)
    ends = accommodation_ends(ruleset)
    by_month = [ZERO] * len(ends)
    month_of: dict[int, int] = {}
    for i in order:
        if not eligible[i]:
            continue
        k = month_of[i] = _month_index(lines[i].claim.paid, ends)
        if k >= 0:
            by_month[k] += contribution[i]
    adjusts = {i: month_of[i] for i in adjusted}
    part = AggregatePart(eligible=sum(contribution, ZERO), by_month=tuple(by_month))
    return tuple(eligible), part, adjusts


class SettledBucket(Protocol):
    """A settled bucket of either path (``BucketState`` here, ``columnar.ColumnState``)."""

    @property
    def summary(self) -> BucketSummary: ...


def bucket_summary(state: SettledBucket) -> BucketSummary:
    """The small part of a settled bucket (a task of its own, so only it travels to the client)."""
    return state.summary


def write_bucket_ledger(
    state: BucketState,
    shares: Mapping[int, Money],
    columns: Sequence[str],
    directory: str,
) -> int:
    """Write the bucket's ledger part (``write_part``) from its ``LineResult``s. Returns the number
    of rows written."""
    line_shares = [shares.get(i, ZERO) for i in range(len(state.lines))]
    table = ledger_table(columns, state.lines, line_shares, state.aggregate_eligible)
    local = np.sort(np.fromiter((r.claim.row for r in state.lines), dtype=np.int64, count=len(state.lines)))
    return write_part(table, state.rows[local - 1], state.bucket, directory)


def write_part(table: pa.Table, rows: npt.NDArray[np.int64], bucket: int, directory: str) -> int:
    """Write one ledger part atomically: ``table`` (ledger rows in input order) with the column of
    their global input ``rows`` appended, to a temporary file renamed over ``part-NNNNN.parquet``, so
    that a retried task rewrites the same complete file and a killed one leaves no partial part.
    Returns the number of rows written.

    As the vector engine's ledger file: text columns may be dictionary arrays, the Arrow schema is
    not stored (the part reads back with the ledger's plain types) and column statistics are written
    only for the row column (on decimal columns they cost more than the rest of the write)."""
    name = ORDER_COLUMN
    while name in table.column_names:
        name = "_" + name
    table = table.append_column(name, pa.array(rows, type=pa.int64()))
    target = Path(directory) / part_name(bucket)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    with pq.ParquetWriter(tmp, table.schema, store_schema=False, write_statistics=[name]) as writer:
        writer.write_table(table)
        writer.add_key_value_metadata({ORDER_KEY: name.encode()})
    os.replace(tmp, target)
    return int(table.num_rows)


def part_name(bucket: int) -> str:
    return f"part-{bucket:05d}.parquet"
