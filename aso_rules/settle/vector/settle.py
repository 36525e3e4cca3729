"""``settle(engine="vector")``: read, adjudicate, stop-loss, fees, employer cost and outputs.

On entry: a ruleset and claims/enrollment sources (paths, Arrow tables, pandas or polars frames).
On exit: a ``VectorSettlement`` whose ``ledger``, ``rejects``, ``enrollment_rejects`` and
``summary`` equal the reference engine's (docs/contracts.md data contracts), plus ``summary["engine"]``
saying which engine ran and how many lines the reference fallback settled. The ledger is built
from columns (money as ``decimal128(18, 2)`` from integer cents, text by dictionary ``take``), and
``write`` streams it to Parquet or CSV in record batches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules import progress
from aso_rules.data.enrollment import MonthEnrollment, plan_months
from aso_rules.data.readers import known_categories
from aso_rules.data.records import MemberRecord
from aso_rules.model import FrozenMap, Ruleset
from aso_rules.money import from_cents
from aso_rules.notebook import SettlementViews
from aso_rules.settle import AdjudicatedLines, LineSum, LineTotals, settle_end
from aso_rules.settle.employer import EmployerCost
from aso_rules.settle.explain import Explanation, TierShare
from aso_rules.settle.fees import FeeResult, MonthActivity
from aso_rules.settle.ledger import LEDGER_COLUMNS, MONEY, rejects_table
from aso_rules.settle.stoploss import AggregateResult, SpecificResult
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import (
    CAUSES,
    NETWORKS,
    NODAY,
    ClaimColumns,
    MemberColumns,
    day_number,
    members_from_records,
)
from aso_rules.settle.vector.engine import (
    CHUNKS,
    Adjudicated,
    adjudicate_columns,
    reason_text,
)
from aso_rules.settle.vector.layout import NOT_COVERED, PAID, WAITING
from aso_rules.settle.vector.output import write_vector_outputs
from aso_rules.settle.vector.reader import FastClaims, read_claims_fast, read_enrollment_fast
from aso_rules.settle.vector.stoploss import AggregateLines, TierLines, stop_loss, stop_loss_tables

I64 = npt.NDArray[np.int64]

LEDGER_BATCH = 1 << 20  # rows per ledger batch when streaming to a file


def money_array(cents: I64, valid: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """``decimal128(18, 2)`` from int64 cents without Python objects (two's complement words)."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(MONEY, len(cents), [bitmap, pa.py_buffer(words)])


def _dates(days: I64, valid: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    values = np.ascontiguousarray(np.where(valid if valid is not None else True, days, 0).astype(np.int32))
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.date32(), len(values), [bitmap, pa.py_buffer(values)])


def _names(codes: I64, names: Sequence[str | None], dictionary: bool = False) -> pa.Array:
    """Text by code (NONE: null): plain strings, or a dictionary array for files (no copying)."""
    table = pa.array(list(names) or [None], type=pa.string())
    idx = pa.array(codes, mask=codes < 0) if (codes < 0).any() else pa.array(codes)
    if dictionary:
        values = pa.array(["" if v is None else v for v in names] or [""], type=pa.string())
        return pa.DictionaryArray.from_arrays(idx, values)
    return table.take(idx)


# --------------------------------------------------------------------------- enrollment by month


def month_enrollment(
    ruleset: Ruleset, members: MemberColumns
) -> tuple[tuple[MonthEnrollment, ...], tuple[FrozenMap[str, int], ...]]:
    """``monthly_enrollment`` (employees, members and members by tier) over member columns, counted
    by ``kernels.month_counts``."""
    tiers = list(ruleset.tier_codes)
    firsts = plan_months(ruleset.plan_year)
    fam_counts, mem_counts, covered = kernels.month_counts(
        np.array([day_number(first) for first in firsts], dtype=np.int64),
        members.family,
        members.tier,
        members.is_employee,
        members.start,
        members.end,
        len(members.family_names),
        len(members.tier_names),
    )
    out: list[MonthEnrollment] = []
    by_tier: list[FrozenMap[str, int]] = []
    for k, first in enumerate(firsts):
        employees = dict.fromkeys(tiers, 0)
        for t, c in enumerate(fam_counts[k].tolist()[: len(members.tier_names)]):
            if c:
                employees[members.tier_names[t]] = employees.get(members.tier_names[t], 0) + c
        out.append(MonthEnrollment(month=first, employees=employees, members=int(covered[k])))
        counts = mem_counts[k].tolist()[: len(members.tier_names)]
        by_tier.append(FrozenMap({members.tier_names[t]: c for t, c in enumerate(counts) if c}))
    return tuple(out), tuple(by_tier)


# --------------------------------------------------------------------------- fees


@attrs.frozen(eq=False)
class LineSums:
    """``kernels.line_sums`` over a run: by (paid month, line) and by line (``ACT_*`` / ``BY_*``
    columns), the first paid month and the line names."""

    by_month: I64  # int64[n_months * n_lines, 5], key = month index * n_lines + line
    by_line: I64  # int64[n_lines, 5]
    first_month: int  # months since 1970-01 of month index 0
    n_lines: int

    @staticmethod
    def of(ruleset: Ruleset, claims: ClaimColumns, adj: Adjudicated) -> LineSums:
        n_l = max(len(claims.line_names), 1)
        day0, day1 = adj.paid_days
        months = np.arange(day0, day1 + 1, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
        m_of_day = months.astype(np.int64)
        m0 = int(m_of_day[0]) if claims.n else 0
        m_of_day -= m0
        n_m = int(m_of_day[-1]) + 1 if claims.n else 0
        by_month, by_line = kernels.line_sums(
            CHUNKS,
            claims.paid,
            claims.line,
            adj.status,
            claims.billed,
            adj.allowed,
            adj.copay,
            adj.deductible,
            adj.coinsurance,
            adj.over_max,
            adj.plan_paid,
            day0,
            m_of_day,
            n_m,
            n_l,
            ruleset.settings.per_claim_fee_counts_denied,
        )
        return LineSums(by_month=by_month, by_line=by_line, first_month=m0, n_lines=n_l)

    def key(self, paid: I64, line: I64) -> I64:
        """The (paid month, line) key of lines."""
        months = paid.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) - self.first_month
        out: I64 = months * self.n_lines + line.astype(np.int64)
        return out


def activity(
    ruleset: Ruleset, claims: ClaimColumns, adj: Adjudicated, tiers: Sequence[TierLines], sums: LineSums
) -> dict[date, MonthActivity]:
    """``fees.month_activity`` from the run's sums by (paid month, line)."""
    s = ruleset.settings
    act = sums.by_month
    n_l = sums.n_lines
    counts = act[:, kernels.ACT_COUNTED]
    if s.per_claim_fee_unit == "claim" and claims.n:
        rank = claims.cid_rank
        if not adj.ids_ascending and not kernels.all_distinct(rank, int(rank.max()) + 1):
            # a claim id over several lines counts once per (month, line)
            counted = (adj.status == PAID) | s.per_claim_fee_counts_denied
            key = sums.key(claims.paid[counted], claims.line[counted])
            pairs = np.unique(np.stack([key, rank[counted]]), axis=1)
            counts = np.bincount(pairs[0], minlength=len(act))
    plan_sum = act[:, kernels.ACT_PLAN].copy()
    if s.pct_of_claims_base == "net_of_stop_loss":
        # specific shares are on event lines only (all of them paid)
        for t in tiers:
            np.subtract.at(plan_sum, sums.key(claims.paid[t.events], claims.line[t.events]), t.event_share)
    savings = act[:, kernels.ACT_SAVINGS]
    has_line = act[:, kernels.ACT_LINES] > 0
    has_paid = act[:, kernels.ACT_PAID] > 0
    out: dict[date, MonthActivity] = {}
    for mk in range(len(act) // n_l if claims.n else 0):
        lines = [li for li in range(n_l) if has_line[mk * n_l + li]]
        if not lines:
            continue
        first = np.datetime64(sums.first_month + mk, "M").astype("datetime64[D]").item()
        out[first] = MonthActivity(
            claims={
                claims.line_names[li]: int(counts[mk * n_l + li]) for li in lines if counts[mk * n_l + li]
            },
            plan_paid={
                claims.line_names[li]: from_cents(int(plan_sum[mk * n_l + li]))
                for li in lines
                if has_paid[mk * n_l + li]
            },
            savings={
                claims.line_names[li]: from_cents(int(savings[mk * n_l + li]))
                for li in lines
                if has_paid[mk * n_l + li]
            },
        )
    return out


# --------------------------------------------------------------------------- the result


@attrs.frozen(eq=False, repr=False)
class VectorSettlement(SettlementViews):
    """The vector engine's settlement: the ``Settlement`` surface without per-line Python objects."""

    ruleset: Ruleset
    read: FastClaims
    members: MemberColumns
    member_records: Mapping[str, MemberRecord]
    adjudicated: Adjudicated
    reason_table: pa.Array
    reason_codes: I64
    rejects: pa.Table
    enrollment_rejects: pa.Table
    summary: dict[str, Any]
    months: tuple[MonthEnrollment, ...]
    specific: tuple[SpecificResult, ...]
    specific_lines: tuple[TierLines, ...]
    aggregate: AggregateResult | None
    aggregate_lines: AggregateLines | None
    fees: FeeResult
    employer: EmployerCost

    @property
    def claims(self) -> ClaimColumns:
        return self.read.claims

    @property
    def fallback_lines(self) -> int:
        return self.adjudicated.fallback_lines

    @property
    def ledger(self) -> pa.Table:
        """The whole ledger as one table (built on each access; ``write`` streams it instead)."""
        n = self.claims.n
        batches = [ledger_batch(self, lo, min(lo + LEDGER_BATCH, n)) for lo in range(0, n, LEDGER_BATCH)]
        if not batches:
            batches = [ledger_batch(self, 0, 0)]
        return pa.Table.from_batches(batches)

    def ledger_batches(self, rows: int = LEDGER_BATCH, dictionary: bool = False) -> Any:
        """The ledger as record batches of ``rows`` rows (memory stays one batch wide)."""
        n = self.claims.n
        if n == 0:
            yield ledger_batch(self, 0, 0, dictionary)
        progress.stage("writing")
        for lo in range(0, n, rows):
            yield ledger_batch(self, lo, min(lo + rows, n), dictionary)
            progress.advance(min(rows, n - lo))

    def reason_column(self, lo: int, hi: int, dictionary: bool = False) -> pa.Array:
        codes = pa.array(self.reason_codes[lo:hi])
        if dictionary:
            return pa.DictionaryArray.from_arrays(codes, self.reason_table)
        return self.reason_table.take(codes)

    def explain(self, claim_id: str) -> Explanation:
        """The reference engine's trace of one line (its family re-run), with this run's stop-loss."""
        from aso_rules.settle.adjudicate import adjudicate

        hits = np.flatnonzero(np.asarray(pc.equal(self.claims.claim_id, claim_id).fill_null(False)))
        if not len(hits):
            from aso_rules.settle.lookup import arrow_candidates, unknown_claim

            raise unknown_claim(claim_id, arrow_candidates(claim_id, self.claims.claim_id))
        i = int(hits[0])
        fam = self.claims.family[i]
        member = self.claims.member[i]
        if member >= 0 and self.members.n:
            same = (self.claims.member >= 0) & (
                self.members.family[np.maximum(self.claims.member, 0)] == self.members.family[member]
            )
        else:
            same = self.claims.family == fam
        records = [self.claims.record(int(k)) for k in np.flatnonzero(same)]
        traced = adjudicate(self.ruleset, self.member_records, records, explain=True)
        line = next(r for r in traced if r.claim.claim_id == claim_id)
        tiers = tuple(
            TierShare(
                name=s.name,
                eligible=t.eligible_at(i),
                reimbursed=from_cents(t.share_at(i)),
                asd_absorbed=from_cents(t.absorbed_at(i)),
            )
            for s, t in zip(self.specific, self.specific_lines, strict=True)
        )
        agg = self.aggregate
        lines = self.aggregate_lines
        return Explanation(
            line=line,
            specific=tiers,
            aggregate_name=agg.name if agg is not None else None,
            aggregate_eligible=bool(lines.eligible[i]) if lines is not None else False,
            aggregate_counted=from_cents(int(lines.contribution[i])) if lines is not None else None,
        )

    def write(self, out_dir: str | Path, ledger_format: str = "csv") -> list[Path]:
        """Write ledger.csv|.parquet, rejects.csv and summary.json (the ledger in record batches)."""
        return write_vector_outputs(self, out_dir, ledger_format)


# --------------------------------------------------------------------------- the pipeline


def settle_vector(
    ruleset: Ruleset, claims: Any, enrollment: Any, *, progress: bool = False
) -> VectorSettlement:
    """Settle with the vector engine (see the module docstring)."""
    from aso_rules.settle import LONG_RUN_LINES, _Progress
    from aso_rules.settle.vector.auto import estimated_lines
    from aso_rules.settle.vector.warmup import announce

    announce()
    stages = _Progress(progress and estimated_lines(claims) >= LONG_RUN_LINES, total=2)
    stages.start("reading")
    enrolled = read_enrollment_fast(enrollment, ruleset)
    read = read_claims_fast(claims, ruleset, enrolled.members, enrolled.records)
    stages.step("settlement")
    result = settle_columns(ruleset, read, enrolled.members, enrolled.records, enrolled.rejects)
    stages.step("done")
    stages.close()
    return result


def settle_columns(
    ruleset: Ruleset,
    read: FastClaims,
    members: MemberColumns,
    member_records: Mapping[str, MemberRecord],
    enrollment_rejects: Sequence[Any] = (),
) -> VectorSettlement:
    """Everything after reading: adjudication, stop-loss, fees, employer cost, ledger, summary."""
    claims = read.claims
    progress.stage("settling")
    adj = adjudicate_columns(ruleset, claims, members, member_records=member_records)
    progress.advance(claims.n // 2)  # adjudication is about half the settling time
    # what reads the reason codes, terms and plan years first: they are freed before stop-loss
    texts, codes = reason_texts(ruleset, claims, members, adj)
    unknown = _unknown_categories(ruleset, claims, adj)
    sums = LineSums.of(ruleset, claims, adj)
    adj = adj.released(orders=False)
    sl = stop_loss_tables(ruleset, claims, members)
    months, member_counts = month_enrollment(ruleset, members)
    specific, tier_lines, aggregate, agg_lines = stop_loss(ruleset, claims, members, adj, months, sl)
    del sl
    end = settle_end(
        ruleset,
        months,
        AdjudicatedLines(
            totals=line_totals_of(sums, claims, unknown),
            received=read.received,
            rejected=len(read.rejects),
            specific=specific,
            aggregate=aggregate,
            activity=activity(ruleset, claims, adj, tier_lines, sums),
            members_by_tier=member_counts,
        ),
    )
    summary = end.summary
    summary["engine"] = {"name": "vector", "fallback_lines": adj.fallback_lines}
    progress.advance(claims.n - claims.n // 2)
    return VectorSettlement(
        ruleset=ruleset,
        read=read,
        members=members,
        member_records=member_records,
        # stop-loss is settled: the orders are freed too
        adjudicated=adj.released(),
        reason_table=texts,
        reason_codes=codes,
        rejects=rejects_table(read.rejects),
        enrollment_rejects=rejects_table(list(enrollment_rejects)),
        summary=summary,
        months=months,
        specific=specific,
        specific_lines=tier_lines,
        aggregate=end.aggregate,
        aggregate_lines=agg_lines,
        fees=end.fees,
        employer=end.employer,
    )


def line_totals_of(
    sums: LineSums, claims: ClaimColumns, unknown: Mapping[str, Mapping[str, int]]
) -> LineTotals:
    """The run's ``LineTotals`` from its line sums (integer cents, turned into Decimal once)."""
    by_line = sums.by_line
    lines = {}
    for li in sorted(range(len(claims.line_names)), key=lambda li: claims.line_names[li]):
        row = by_line[li].tolist()
        if not row[kernels.BY_LINES]:
            continue
        lines[claims.line_names[li]] = LineSum(
            claims=row[kernels.BY_LINES],
            allowed=from_cents(row[kernels.BY_ALLOWED]),
            member_paid=from_cents(row[kernels.BY_MEMBER]),
            plan_paid=from_cents(row[kernels.BY_PLAN]),
        )
    return LineTotals(
        settled=claims.n,
        paid=int(sums.by_month[:, kernels.ACT_PAID].sum()) if claims.n else 0,
        billed=from_cents(int(by_line[:, kernels.BY_BILLED].sum())),
        allowed=from_cents(int(by_line[:, kernels.BY_ALLOWED].sum())),
        member_paid=from_cents(int(by_line[:, kernels.BY_MEMBER].sum())),
        plan_paid=from_cents(int(by_line[:, kernels.BY_PLAN].sum())),
        by_line=lines,
        unknown_categories={k: FrozenMap(v) for k, v in unknown.items()},
    )


def _unknown_categories(
    ruleset: Ruleset, claims: ClaimColumns, adj: Adjudicated
) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    per_term = adj.term_lines
    for k, (line, _network, category) in enumerate(adj.terms.keys):
        if not per_term[k] or line not in ruleset.coverages:
            continue
        if category not in known_categories(ruleset, line):
            by_cat = counts.setdefault(line, {})
            by_cat[category] = by_cat.get(category, 0) + int(per_term[k])
    return {line: dict(sorted(c.items())) for line, c in sorted(counts.items())}


# --------------------------------------------------------------------------- the ledger

_RECORD_COLUMNS = [
    "claim_id",
    "member_id",
    "family_id",
    "line",
    "category",
    "incurred",
    "paid",
    "billed",
    "network",
    "code",
    "units",
    "allowed",
    "weekly_earnings",
    "absence_start",
    "absence_end",
    "cause",
]


def _input_column(name: str, read: FastClaims, lo: int, hi: int, dictionary: bool) -> pa.Array:
    c = read.claims.slice(lo, hi)
    if name == "claim_id":
        return c.claim_id.cast(pa.string())
    if name == "member_id":
        if dictionary and pa.types.is_dictionary(c.member_id.type):
            return c.member_id
        return c.member_id.cast(pa.string())
    if name == "family_id":
        return _names(c.family, c.family_names, dictionary)
    if name == "line":
        return _names(c.line, c.line_names, dictionary)
    if name == "category":
        return _names(c.category, c.category_names, dictionary)
    if name == "code":
        return _names(c.code, c.code_names, dictionary)
    if name == "network":
        return _names(c.network, NETWORKS, dictionary)
    if name == "cause":
        return _names(np.where(c.cause > 0, c.cause, -1), CAUSES, dictionary)
    if name in ("incurred", "paid"):
        return _dates(getattr(c, name))
    if name in ("absence_start", "absence_end"):
        days = getattr(c, name)
        return _dates(days, days != NODAY)
    if name == "billed":
        return money_array(c.billed)
    if name == "allowed":
        return money_array(c.allowed, c.allowed >= 0)
    if name == "weekly_earnings":
        return money_array(c.weekly, c.weekly >= 0)
    if name == "units":
        return pa.array(c.units, type=pa.int64())
    raise KeyError(name)


def _extra_column(name: str, read: FastClaims, lo: int, hi: int) -> pa.Array:
    from aso_rules.data.source import column_text

    assert read.table is not None  # kept whenever the input has extra columns
    col = read.table.column(name)
    rows = pa.array(read.claims.row[lo:hi] - 1)
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = col.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        out = col.take(rows).combine_chunks().cast(pa.string())
    else:
        out = pa.array(column_text(col.take(rows)), type=pa.string())
    return out.fill_null("")


def ledger_names(read: FastClaims) -> list[str]:
    """The ledger's column names: input columns (renamed when they clash), then LEDGER_COLUMNS."""
    names = [f"input_{c}" if c in LEDGER_COLUMNS else c for c in read.columns]
    return names + list(LEDGER_COLUMNS)


def ledger_batch(s: VectorSettlement, lo: int, hi: int, dictionary: bool = False) -> pa.RecordBatch:
    """Ledger rows ``lo:hi`` (``settle.ledger.ledger_table``'s columns and types, input row order).

    ``dictionary`` keeps text columns dictionary-encoded (for writing files: Parquet stores them
    as dictionary pages either way, and reads them back as plain strings).
    """
    read = s.read
    adj = s.adjudicated
    arrays: list[pa.Array] = []
    for column in read.columns:
        if column in _RECORD_COLUMNS:
            arrays.append(_input_column(column, read, lo, hi, dictionary))
        else:
            arrays.append(_extra_column(column, read, lo, hi))
    sl = slice(lo, hi)
    member_paid = adj.copay[sl] + adj.deductible[sl] + adj.coinsurance[sl] + adj.over_max[sl]
    spec_share = np.zeros(hi - lo, dtype=np.int64)
    for t in s.specific_lines:
        t.add_shares(spec_share, lo)
    agg = (
        s.aggregate_lines.eligible[sl] if s.aggregate_lines is not None else np.zeros(hi - lo, dtype=np.bool_)
    )
    computed = {
        "status": _names(adj.status[sl].astype(np.int64), ("paid", "denied"), dictionary),
        "reason": s.reason_column(lo, hi, dictionary),
        "allowed": money_array(adj.allowed[sl]),
        "deductible": money_array(adj.deductible[sl]),
        "copay": money_array(adj.copay[sl]),
        "coinsurance": money_array(adj.coinsurance[sl]),
        "member_paid": money_array(member_paid),
        "plan_paid": money_array(adj.plan_paid[sl]),
        "specific_reimbursed": money_array(spec_share),
        "aggregate_eligible": pa.array(agg, type=pa.bool_()),
    }
    for name in LEDGER_COLUMNS:
        arrays.append(computed[name])
    return pa.RecordBatch.from_arrays(arrays, names=ledger_names(read))


def reason_texts(
    ruleset: Ruleset, claims: ClaimColumns, members: MemberColumns, adj: Adjudicated
) -> tuple[pa.Array, I64]:
    """(texts, codes): every distinct reason once; per line an index into it ("" when paid).

    Static reasons (of a term or a limit) are shared; formatted ones (naming a member or a date)
    are built only for the lines that carry them (found in one compiled pass).
    """
    texts = list(adj.terms.reasons)
    uncovered, waiting, special = kernels.reason_lines(adj.reason, NOT_COVERED, WAITING)
    formatted: list[tuple[I64, I64]] = []
    if len(uncovered):
        # "not eligible: member M not covered on D", built by Arrow for every such line at once
        take = pa.array(uncovered)
        days = pa.Array.from_buffers(
            pa.date32(), len(uncovered), [None, pa.py_buffer(claims.incurred[uncovered].astype(np.int32))]
        )
        joined = pc.binary_join_element_wise(
            "not eligible: member ",
            claims.member_id.take(take).cast(pa.string()),
            " not covered on ",
            days.cast(pa.string()),
            "",
        )
        distinct = joined.dictionary_encode()
        indices = np.asarray(distinct.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        formatted.append((uncovered, len(texts) + indices))
        texts.extend(distinct.dictionary.to_pylist())
    if len(waiting):
        # "waiting period: class C is covered from D": D is the member's coverage start moved by the
        # class's waiting months; built by Arrow for every such line at once
        term = adj.term[waiting]
        months = adj.terms["waiting_months"][term]
        ends = kernels.add_months_many(members.start[claims.member[waiting]].astype(np.int64), months)
        class_names = [t.dental_class.name if t.dental_class is not None else "" for t in adj.terms.terms]
        days = pa.Array.from_buffers(pa.date32(), len(waiting), [None, pa.py_buffer(ends.astype(np.int32))])
        joined = pc.binary_join_element_wise(
            "waiting period: class ",
            pa.array(class_names, type=pa.string()).take(pa.array(term)),
            " is covered from ",
            days.cast(pa.string()),
            "",
        )
        distinct = joined.dictionary_encode()
        indices = np.asarray(distinct.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        formatted.append((waiting, len(texts) + indices))
        texts.extend(distinct.dictionary.to_pylist())
    if len(special):
        formatted.append((special, len(texts) + np.arange(len(special), dtype=np.int64)))
        texts.extend(reason_text(adj, claims, members, ruleset, i) for i in special.tolist())
    texts.append("")
    codes = kernels.static_codes(adj.reason, len(texts) - 1)
    for lines, code in formatted:
        codes[lines] = code
    return pa.array(texts, type=pa.string()), codes


def settle_records(
    ruleset: Ruleset,
    members: Sequence[MemberRecord],
    claims: Sequence[Any],
    *,
    columns: Sequence[str] | None = None,
) -> VectorSettlement:
    """The vector pipeline from validated records (worked examples, the test runner's inputs)."""
    from aso_rules.settle import DEFAULT_COLUMNS
    from aso_rules.settle.vector.columns import claims_from_records

    mcols = members_from_records(list(members), ruleset.tier_codes)
    records = sorted(claims, key=lambda c: c.row)
    ccols = claims_from_records(records, mcols)
    read = FastClaims(
        claims=ccols,
        rejects=(),
        received=len(records),
        columns=tuple(columns or DEFAULT_COLUMNS),
        table=None,
    )
    return settle_columns(ruleset, read, mcols, {m.member_id: m for m in members})
