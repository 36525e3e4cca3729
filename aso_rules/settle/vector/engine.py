"""Vectorised adjudication: docs/semantics.md 3-5 over integer columns, equal to the reference engine.

On entry: ``ClaimColumns`` and ``MemberColumns`` (``columns.py``) and the compiled ``Ruleset``.
On exit: ``Adjudicated``: per line (input order) the status, reason, allowed, copay, deductible,
coinsurance, over-maximum and plan paid in cents, the processing order, and each line's accumulator
family with the lines grouped by it (processing order within a family) in chunks at family
boundaries (stop-loss reuses them).

The stages that do not depend on accumulators run in one compiled pass over the lines in input
order (``kernels.prepare``), in the reference engine's order so that the first failing check gives
the reason: excluded line -> enrolment -> eligibility on the incurred date -> STD weekly benefit ->
repricing -> excluded category -> unpriced -> dental class and waiting period. STD payable days
follow in processing order (``kernels.std_periods``: recurrent absences share a period). The lines
left go through the compiled loop (``kernels.adjudicate``), family by family in processing order:
visit limits, dollar maximums, cost sharing, maximums on plan payments and the accumulators.
Families with a line the loop does not cover (``plan.TermTable`` ``fallback``: LTD, unusual step
orders, many limits) are settled by the reference engine, family by family, and counted in
``fallback_lines``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.data.records import MemberRecord
from aso_rules.model import PlanYear, Ruleset
from aso_rules.money import to_cents
from aso_rules.settle.adjudicate import individual_tiers
from aso_rules.settle.order import add_months
from aso_rules.settle.results import LineResult
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import (
    NETWORKS,
    NONE,
    ClaimColumns,
    MemberColumns,
    day_date,
)
from aso_rules.settle.vector.layout import (
    D_DURATION,
    D_EP_ACCIDENT,
    D_EP_ILLNESS,
    D_MAX_INCLUDES_EP,
    D_PCT_DEN,
    D_PCT_NUM,
    D_WEEKLY_MAX,
    DENIED,
    DIS_DATES,
    FALLBACK,
    NO_EARNINGS,
    NO_REASON,
    NOT_COVERED,
    NOT_ENROLLED,
    PAID,
    UNPRICED,
    WAITING,
)
from aso_rules.settle.vector.plan import DISABILITY_COLUMNS, TermTable, build_terms, fraction

I64 = npt.NDArray[np.int64]
IX = npt.NDArray[np.signedinteger[Any]]  # positions and indices: int32 while they fit
B = npt.NDArray[np.bool_]

DIS_DATES_TEXT = "incomplete: a disability claim needs absence_start and absence_end (end on or after start)"


@attrs.frozen(eq=False)
class Adjudicated:
    """Adjudication results per line, in input order; ``order`` is the processing order."""

    order: I64
    status: npt.NDArray[np.int8]  # 0 paid, 1 denied
    reason: npt.NDArray[np.int32]  # -1 none; >= 0 static reason; < -1 special (see ``reason_text``)
    allowed: I64
    copay: I64
    deductible: I64
    coinsurance: I64
    over_max: I64
    plan_paid: I64
    repriced: I64  # the repriced amount of a denied line that had one (noncovered basis), else NONE
    period: npt.NDArray[np.int32]  # plan year of the incurred date, as an offset from ``first_year``
    first_year: int
    fallback: B  # lines settled by the reference engine
    fallback_reasons: dict[int, str]
    terms: TermTable
    term: I64
    term_lines: I64  # how many lines have each term (``terms.keys`` order)
    family: IX  # the accumulator family of each line (its member's, else the claim's)
    family_order: I64  # lines grouped by ``family``, each family's lines in processing order
    family_bounds: I64  # chunk limits in ``family_order`` at family boundaries (``family_chunks``)
    paid_days: tuple[int, int]  # the first and last paid day (0, 0 without lines)
    ids_ascending: bool  # claim id ranks are the rows' (every id once, ascending with the rows)

    @property
    def fallback_lines(self) -> int:
        return int(self.fallback.sum())

    def released(self, *, orders: bool = True) -> Adjudicated:
        """These results without the working columns a settlement no longer reads once its reason
        texts and sums are built (plan years, terms, reason codes, repriced amounts: 20 bytes a
        line) and, with ``orders``, once its stop-loss is settled (the processing and family
        orders and the families: 12 more), so that they are freed before the next stage. The
        ledger's money columns, statuses, the fallback marks and the term table stay."""
        empty = np.zeros(0, dtype=np.int64)
        kept = attrs.evolve(
            self,
            reason=np.zeros(0, dtype=np.int32),
            repriced=empty,
            period=np.zeros(0, dtype=np.int32),
            term=empty,
        )
        if orders:
            kept = attrs.evolve(kept, order=empty, family=empty, family_order=empty)
        return kept

    def plan_year(self, i: int) -> int:
        """The plan year (by its start year) of line ``i``."""
        return int(self.period[i]) + self.first_year


def plan_years(days: I64, plan_year: PlanYear) -> I64:
    """The plan year (by its start year) of each day: ``order.plan_year_for`` over a column (the
    declared plan year is one period whatever its length; outside it, years recur on its start's
    month/day, docs/semantics.md 3.1)."""
    start = plan_year.start
    d = days.astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = d.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12 + 1
    dom = (d - month_start).astype(np.int64) + 1
    before = (month < start.month) | ((month == start.month) & (dom < start.day))
    recurring = years - before.astype(np.int64)
    first = start.year
    day_start = (np.datetime64(start, "D") - np.datetime64(0, "D")).astype(np.int64)
    day_end = (np.datetime64(plan_year.end, "D") - np.datetime64(0, "D")).astype(np.int64)
    out: I64 = np.where(
        days < day_start,
        np.minimum(recurring, first - 1),
        np.where(days > day_end, np.maximum(recurring, first + 1), first),
    ).astype(np.int64)
    return out


CHUNKS = 8  # family chunks for the parallel accumulator loop (a few per thread, for balance)
BUCKET_LINES = 1 << 20  # ``family_order``: buckets of families average at most this many lines


def family_chunks(acc_family: IX, n_families: int, chunks: int) -> I64:
    """Chunk limits in family order, each at a family boundary, of roughly equal line counts."""
    n = len(acc_family)
    ends = np.cumsum(np.bincount(acc_family, minlength=n_families)) if n else np.zeros(1, dtype=np.int64)
    return chunk_bounds(ends, chunks)


def chunk_bounds(ends: I64, chunks: int) -> I64:
    """``family_chunks`` from where each family's lines end in family order (ascending, the last
    entry the number of lines)."""
    n = int(ends[-1]) if len(ends) else 0
    targets = (np.arange(1, chunks, dtype=np.int64) * n) // chunks
    cuts = ends[np.minimum(np.searchsorted(ends, targets), len(ends) - 1)] if n else targets[:0]
    out: I64 = np.unique(np.concatenate([[0], cuts, [n]])).astype(np.int64)
    return out


def family_order(
    acc_family: IX, n_families: int, order: IX, chunks: int, *, by_day: tuple[IX, int, int] | None = None
) -> tuple[IX, I64]:
    """``order`` stably grouped by family (each family's lines keep their order in ``order``) and
    ``family_chunks``' limits, from the per-family ends the grouping gives.

    ``by_day`` = (first, lo, n_days) says that ``order`` is the lines stably sorted by ``first``
    (``first - lo`` in 0..n_days-1) alone, as when claim ids ascend with the rows: the grouping is
    then ``kernels.family_day_order`` over the lines in input order (``order`` is not read),
    when its packed keys fit; else ``kernels.group_order`` of ``order``. Both sort buckets of
    consecutive families in cache with up to 16 bytes a line of the bucket as scratch: with so
    few families that a bucket would average more than ``BUCKET_LINES`` lines, one counting sort
    (few families: few write streams) does it instead."""
    n = len(acc_family)
    shift = max(int(n_families - 1).bit_length() - kernels.GROUP_BUCKET_BITS, 0)
    n_buckets = ((max(n_families, 1) - 1) >> shift) + 1
    if n > n_buckets * BUCKET_LINES:
        return kernels.counting_sort(acc_family, 0, n_families, order), family_chunks(
            acc_family, n_families, chunks
        )
    if by_day is not None:
        first, lo, n_days = by_day
        day_bits = max(int(n_days - 1).bit_length(), 1)
        fits = int(max(n - 1, 0)).bit_length() + day_bits + shift <= 63
        if fits and n_days * n_buckets <= max(n, 1 << 20):  # per-bucket day counts stay small
            out: IX = np.empty(n, dtype=order.dtype)
            ends = kernels.family_day_order(
                acc_family, first, lo, n_days, n_families, shift, day_bits, kernels.threads(), out
            )
            return out, chunk_bounds(ends, chunks)
    by_family, ends = kernels.group_order(acc_family, n_families, order)
    return by_family, chunk_bounds(ends, chunks)


def ordered(ruleset: Ruleset, claims: ClaimColumns) -> tuple[IX, tuple[IX, int, int] | None]:
    """Line indices in processing order, (paid or incurred, claim_id, row), and, when claim ids
    ascend with the rows (the order is then by day alone), ``family_order``'s ``by_day``: (the day
    column, its first day, its number of days).

    Lines are in ascending row order, so two stable counting sorts (claim id rank, then day) give
    the order in O(n); when ids already ascend with the rows the first sort is skipped and the
    rows are sorted by day in one parallel pass (``kernels.bucket_rows``).
    """
    n = claims.n
    # int32 positions while they fit (half the memory of the two orders kept for the run)
    dtype = np.int32 if n < (1 << 31) else np.int64
    if n == 0:
        return np.zeros(0, dtype=dtype), None
    first = claims.incurred if ruleset.settings.processing_order == "incurred" else claims.paid
    lo, hi = kernels.span(first)
    n_days = hi - lo + 1
    rank = claims.cid_rank
    if kernels.is_identity(rank):
        out: IX = np.empty(n, dtype=dtype)
        kernels.bucket_rows(first, lo, n_days, kernels.threads(), out)
        return out, (first, lo, n_days)
    perm = kernels.counting_sort(rank, 0, int(rank.max()) + 1, np.arange(n, dtype=dtype))
    return kernels.bucket_sort(first, lo, 0, n_days, perm, kernels.threads())[0], None


def term_keys(claims: ClaimColumns) -> tuple[I64, list[tuple[str, str, str]], I64]:
    """Each line's (line, network, category) triple as an index into the distinct triples, the
    triples, and how many lines have each."""
    n_cat = max(len(claims.category_names), 1)
    size = max(len(claims.line_names), 1) * 2 * n_cat
    inverse, counts = kernels.term_index(claims.line, claims.network, claims.category, n_cat, size)
    uniq = np.flatnonzero(counts)
    keys = []
    for u in uniq.tolist():
        line_net, cat = divmod(int(u), n_cat)
        line, net = divmod(line_net, 2)
        keys.append((claims.line_names[line], NETWORKS[net], claims.category_names[cat]))
    out: I64 = inverse
    lines: I64 = counts[uniq]
    return out, keys, lines


def adjudicate_columns(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    *,
    member_records: Mapping[str, MemberRecord] | None = None,
) -> Adjudicated:
    """Adjudicate every line (see the module docstring)."""
    settings = ruleset.settings
    half_even = settings.rounding == "half_even"
    n = claims.n
    term, keys, term_lines = term_keys(claims)
    T = build_terms(ruleset, keys)
    has_members = members.n > 0
    individual = individual_tiers(ruleset)
    tier_is_family = np.array([t not in individual for t in members.tier_names] or [False], dtype=np.bool_)
    # int32 family indices (per member: a cheap cast; per line: half the memory)
    m_family = members.family.astype(np.int32) if has_members else np.zeros(1, dtype=np.int32)
    all_known = n == 0 or int(claims.member.min()) >= 0
    mm = claims.member if all_known else np.maximum(claims.member, 0)
    if all_known and has_members:
        acc_family = m_family[mm]
    else:
        acc_family = np.where(claims.member >= 0, m_family[mm] if has_members else 0, claims.family)
    # whole families with a line the loops do not cover go to the reference engine
    n_fam = int(acc_family.max()) + 1 if n else 1
    fallback = np.zeros(n, dtype=np.bool_)
    needs_ref = T["fallback"][term] == 1 if bool((T["fallback"] == 1).any()) else fallback
    if needs_ref.any():
        marks = np.zeros(n_fam, dtype=np.bool_)
        marks[acc_family[needs_ref]] = True
        fallback = marks[acc_family]

    status = np.empty(n, dtype=np.int8)
    reason = np.empty(n, dtype=np.int32)  # reason codes are small: static indices, special codes
    allowed = np.empty(n, dtype=np.int64)
    plan = np.empty(n, dtype=np.int64)
    repriced = np.empty(n, dtype=np.int64)
    years = np.empty(n, dtype=np.int32)
    active = np.empty(n, dtype=np.bool_)
    empty = np.zeros(1, dtype=np.int64)
    day0, day1 = kernels.span(claims.incurred) if n else (0, 0)
    # plan years only grow with the date: the first and last days give the range
    year_table = plan_years(np.arange(day0, day1 + 1, dtype=np.int64), ruleset.plan_year)
    y0 = int(year_table[0])
    n_periods = int(year_table[-1]) - y0 + 2
    kernels.prepare(
        term,
        claims.member,
        claims.incurred,
        claims.billed,
        claims.allowed,
        claims.code,
        claims.units,
        claims.weekly,
        claims.absence_start,
        claims.absence_end,
        claims.cause,
        fallback,
        T.matrix(),
        disability_matrix(T),
        code_prices(ruleset, claims),
        members.start if has_members else empty,
        members.end if has_members else empty,
        members.weekly if has_members else empty,
        members.annual if has_members else empty,
        settings.lesser_of_billed,
        half_even,
        day0,
        year_table - y0,
        status,
        reason,
        allowed,
        plan,
        repriced,
        years,
        active,
    )
    is_family = tier_is_family[members.tier] if has_members else np.zeros(1, dtype=np.bool_)
    order, by_day = ordered(ruleset, claims)
    if not n:
        paid_days = (0, 0)
    elif by_day is not None and by_day[0] is claims.paid:
        paid_days = (by_day[1], by_day[1] + by_day[2] - 1)
    else:
        paid_days = kernels.span(claims.paid)
    # STD lines whose benefit depends on the member's earlier absences (few), in processing order
    pending = kernels.flat_equal(repriced, -2)
    if len(pending):
        first = claims.incurred if settings.processing_order == "incurred" else claims.paid
        pending = pending[np.lexsort((pending, claims.cid_rank[pending], first[pending]))]
        # each (member, line) pair's period state, numbered over the pairs present
        pairs = mm[pending].astype(np.int64) * max(len(claims.line_names), 1) + claims.line[pending]
        distinct, pair_keys = np.unique(pairs, return_inverse=True)
        kernels.std_periods(
            pending,
            pair_keys,
            len(distinct),
            term,
            claims.incurred,
            claims.absence_start,
            claims.absence_end,
            claims.cause,
            disability_matrix(T),
            half_even,
            allowed,
            plan,
            repriced,
        )
    copay = np.zeros(n, dtype=np.int64)
    ded = np.zeros(n, dtype=np.int64)
    coins = np.zeros(n, dtype=np.int64)
    over = np.zeros(n, dtype=np.int64)
    # lines grouped by family, each family's lines in processing order: accumulators never cross
    # families, so this is the reference order as far as any accumulator can tell, and each
    # family's accumulator slots stay in cache while its lines are settled
    by_family, bounds = family_order(acc_family, n_fam, order, CHUNKS, by_day=by_day)
    out_reason = reason
    kernels.adjudicate(
        by_family,
        bounds,
        kernels.BLOCK,
        active,
        mm,
        m_family,
        is_family,
        years,
        n_periods,
        term,
        allowed,
        T.matrix(),
        T.limit_tensor(),
        max(members.n, 1),
        max(len(claims.family_names), n_fam),
        max(len(T.owners), 1),
        max(len(T.visit_keys), 1),
        max(len(T.dollar_keys), 1),
        half_even,
        settings.coinsurance_rounding_side == "plan",
        status,
        out_reason,
        copay,
        ded,
        coins,
        over,
        plan,
        repriced,
    )
    reason = out_reason
    fallback_reasons: dict[int, str] = {}
    if fallback.any():
        _fallback(
            ruleset,
            claims,
            members,
            fallback,
            member_records,
            fallback_reasons,
            status,
            reason,
            allowed,
            copay,
            ded,
            coins,
            over,
            plan,
            repriced,
        )
    return Adjudicated(
        order=order,
        status=status,
        reason=reason,
        allowed=allowed,
        copay=copay,
        deductible=ded,
        coinsurance=coins,
        over_max=over,
        plan_paid=plan,
        repriced=repriced,
        period=years,
        first_year=y0,
        fallback=fallback,
        fallback_reasons=fallback_reasons,
        terms=T,
        term=term,
        term_lines=term_lines,
        family=acc_family,
        family_order=by_family,
        family_bounds=bounds,
        paid_days=paid_days,
        ids_ascending=n == 0 or by_day is not None,
    )


def disability_matrix(T: TermTable) -> I64:
    """Per term: pct numerator, denominator, weekly maximum, elimination (illness, accident),
    longest payable period, whether it includes the elimination period (NONE where absent)."""
    out = np.full((max(len(T.keys), 1), len(DISABILITY_COLUMNS)), NONE, dtype=np.int64)
    out[:, D_PCT_DEN] = 1
    for k, t in enumerate(T.terms):
        dis = t.disability
        if dis is None or t.kind != "std":
            continue
        out[k, D_PCT_NUM], out[k, D_PCT_DEN] = fraction(dis.pct)
        out[k, D_WEEKLY_MAX] = NONE if dis.maximum is None else to_cents(dis.maximum)
        out[k, D_EP_ILLNESS] = dis.elimination_illness_days
        out[k, D_EP_ACCIDENT] = dis.elimination_accident_days
        out[k, D_DURATION] = NONE if dis.duration_days is None else dis.duration_days
        out[k, D_MAX_INCLUDES_EP] = int(dis.max_includes_ep)
    return out


def code_prices(ruleset: Ruleset, claims: ClaimColumns) -> I64:
    """Fee-schedule amount of every (schedule, claim code) pair, NONE where the code is not listed."""
    schedules = list(ruleset.fee_schedules.values())
    table = np.full((max(len(schedules), 1), max(len(claims.code_names), 1)), NONE, dtype=np.int64)
    for s, schedule in enumerate(schedules):
        for c, name in enumerate(claims.code_names):
            if name in schedule.codes:
                table[s, c] = to_cents(schedule.codes[name])
    return table


def _fallback(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    fallback: B,
    member_records: Mapping[str, MemberRecord] | None,
    fallback_reasons: dict[int, str],
    status: npt.NDArray[np.int8],
    reason: npt.NDArray[np.int32],
    allowed: I64,
    copay: I64,
    ded: I64,
    coins: I64,
    over: I64,
    plan: I64,
    repriced: I64,
) -> None:
    """Settle the fallback families' lines with the reference engine and copy the results in."""
    from aso_rules.settle.adjudicate import adjudicate

    idx = np.flatnonzero(fallback)
    records = [claims.record(int(i)) for i in idx]
    by_row = {int(claims.row[i]): int(i) for i in idx}
    if member_records is None:
        member_records = _member_records(members)
    results: list[LineResult] = adjudicate(ruleset, member_records, records)
    for r in results:
        i = by_row[r.claim.row]
        status[i] = PAID if r.status == "paid" else DENIED
        if r.reason:
            reason[i] = FALLBACK
            fallback_reasons[i] = r.reason
        else:
            reason[i] = NO_REASON
        allowed[i] = to_cents(r.allowed)
        copay[i] = to_cents(r.copay)
        ded[i] = to_cents(r.deductible)
        coins[i] = to_cents(r.coinsurance)
        over[i] = to_cents(r.over_max)
        plan[i] = to_cents(r.plan_paid)
        if r.status != "paid" and ruleset.settings.noncovered_basis == "repriced":
            repriced[i] = to_cents(r.noncovered)


def _member_records(members: MemberColumns) -> dict[str, MemberRecord]:
    if members.records is not None:
        return {m.member_id: m for m in members.records}
    raise ValueError("member records are needed for the reference fallback")


def reason_text(
    adj: Adjudicated, claims: ClaimColumns, members: MemberColumns, ruleset: Ruleset, i: int
) -> str:
    """The denial reason of line ``i`` exactly as the reference engine words it ("" when paid)."""
    code = int(adj.reason[i])
    if code == NO_REASON:
        return ""
    if code >= 0:
        return adj.terms.reasons[code]
    if code == FALLBACK:
        return adj.fallback_reasons[i]
    member_id = str(claims.member_id[i].as_py())
    if code == NOT_ENROLLED:
        return f"not eligible: member {member_id} is not enrolled"
    if code == NOT_COVERED:
        return f"not eligible: member {member_id} not covered on {day_date(int(claims.incurred[i]))}"
    if code == DIS_DATES:
        return DIS_DATES_TEXT
    if code == NO_EARNINGS:
        return f"incomplete: no earnings for member {members.ids[int(claims.member[i])]}"
    t = adj.terms.terms[int(adj.term[i])]
    if code == UNPRICED:
        network = NETWORKS[int(claims.network[i])]
        c = int(claims.code[i])
        what = (
            f"code {claims.code_names[c]}"
            if c >= 0
            else f"category {claims.category_names[int(claims.category[i])]}"
        )
        assert t.schedule is not None
        return f"unpriced: no {network}-network rate for {what} in fee schedule {t.schedule.line}"
    if code == WAITING:
        cls = t.dental_class
        assert cls is not None
        ends = add_months(day_date(int(members.start[int(claims.member[i])])), cls.waiting_months)
        return f"waiting period: class {cls.name} is covered from {ends}"
    raise AssertionError(f"unknown reason code {code}")
