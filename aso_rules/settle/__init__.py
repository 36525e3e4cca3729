"""Settlement: the one place that knows the order of a run's stages.

``settle`` reads the inputs (``aso_rules.data.readers``), adjudicates every accepted line
(``aso_rules.settle.adjudicate``), then applies specific and aggregate stop-loss, fees and premiums,
employer cost and the fully insured comparison, and builds the ledger, rejects and summary.
``assemble`` is the same pipeline from already-read records and already-adjudicated lines.

The end of a run is written once, in ``settle_end``, for every engine (reference, vector, dask)
and for adjudicated (paid-claims) settlement. An engine runs its own per-line passes (adjudication
or the administrator's figures, the specific tiers and the aggregate's per-line contributions,
fee activity and line sums: Decimal loops in the reference engine, int64-cent kernels in the
others) and fills an ``AdjudicatedLines`` with their small results; ``settle_end`` then settles, in
this order, the aggregate contract (``stoploss.aggregate_result``), fees and premiums
(``fees.compute_fees``), employer cost and the fully insured comparison (``employer``), and
summary.json (``ledger.build_summary``). Only the ledger stays each engine's own.

On exit ``Settlement`` holds every result; ``received = settled + rejected`` for the claims file,
the ledger has one row per accepted line and the ledger's ``specific_reimbursed`` column adds up to
the specific tiers' total reimbursement exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, cast

import attrs
import pyarrow as pa

from aso_rules import progress as lines_progress
from aso_rules.data.enrollment import MonthEnrollment, monthly_enrollment
from aso_rules.data.records import ClaimRecord, MemberRecord, Reject
from aso_rules.extras import has as has_extra
from aso_rules.extras import require as require_extra
from aso_rules.model import FrozenMap, Ruleset, fmap
from aso_rules.money import ZERO, Money
from aso_rules.notebook import SettlementViews
from aso_rules.settle.employer import (
    EmployerCost,
    FullyInsured,
    employer_cost,
    fully_insured,
    unknown_categories,
)
from aso_rules.settle.explain import Explanation, explain_line
from aso_rules.settle.fees import FeeResult, MonthActivity, compute_fees, month_activity
from aso_rules.settle.ledger import (
    Counts,
    build_summary,
    ledger_table,
    rejects_table,
    write_outputs,
)
from aso_rules.settle.lookup import unknown_claim
from aso_rules.settle.results import LineResult, LineSum, LineTotals
from aso_rules.settle.stoploss import (
    AggregateClaims,
    AggregateResult,
    SpecificResult,
    aggregate_claims,
    aggregate_result,
    specific_line_shares,
    specific_stop_loss,
)

__all__ = [
    "ENGINES",
    "AdjudicateFn",
    "AdjudicatedLines",
    "EngineUnavailable",
    "Explanation",
    "LineSum",
    "LineTotals",
    "RunEnd",
    "Settlement",
    "assemble",
    "line_totals",
    "records_settle",
    "settle",
    "settle_end",
]

ENGINES = ("reference", "vector", "dask")

AdjudicateFn = Callable[..., list[LineResult]]


class EngineUnavailable(ValueError):
    """The requested engine does not exist (yet) in this installation."""


def reference_adjudicator() -> AdjudicateFn:
    """The reference engine's ``adjudicate`` (imported on first use)."""
    from aso_rules.settle.adjudicate import adjudicate

    fn: AdjudicateFn = adjudicate
    return fn


# --------------------------------------------------------------------------- the end of a run


def line_totals(ruleset: Ruleset, lines: Sequence[LineResult]) -> LineTotals:
    """``LineTotals`` of ``LineResult``s (the reference engine and adjudicated settlement)."""
    by_line: dict[str, list[Any]] = {}
    billed = allowed = member_paid = plan_paid = ZERO
    paid = 0
    for r in lines:
        row = by_line.setdefault(r.claim.line, [0, ZERO, ZERO, ZERO])
        row[0] += 1
        row[1] += r.allowed
        row[2] += r.member_paid
        row[3] += r.plan_paid
        billed += r.claim.billed
        allowed += r.allowed
        member_paid += r.member_paid
        plan_paid += r.plan_paid
        paid += r.status == "paid"
    return LineTotals(
        settled=len(lines),
        paid=paid,
        billed=billed,
        allowed=allowed,
        member_paid=member_paid,
        plan_paid=plan_paid,
        by_line={line: LineSum(*row) for line, row in sorted(by_line.items())},
        unknown_categories={k: fmap(v) for k, v in unknown_categories(ruleset, lines).items()},
    )


@attrs.frozen(eq=False)
class AdjudicatedLines:
    """What an engine's per-line passes hand to the end of a run (``settle_end``).

    ``specific``: each tier settled (ASD, percentage, maximum over the claimants' excess);
    ``aggregate``: the aggregate contract's eligible claims after the specific adjustments, ``None``
    without one; ``activity``: fee activity by paid month, net of specific shares when the ruleset
    says so; ``members_by_tier``: the members of each plan month by tier (tiered pmpm fees).
    """

    totals: LineTotals
    received: int
    rejected: int
    specific: tuple[SpecificResult, ...]
    aggregate: AggregateClaims | None
    activity: FrozenMap[date, MonthActivity] = attrs.field(converter=fmap)
    members_by_tier: tuple[Mapping[str, int], ...]


@attrs.frozen(eq=False)
class RunEnd:
    """The end of a run: every figure summary.json reports, and summary.json itself."""

    specific: tuple[SpecificResult, ...]
    aggregate: AggregateResult | None
    fees: FeeResult
    employer: EmployerCost
    insured: FullyInsured | None
    summary: dict[str, Any]


def settle_end(ruleset: Ruleset, months: Sequence[MonthEnrollment], lines: AdjudicatedLines) -> RunEnd:
    """The stages after the per-line passes, in order: aggregate stop-loss, fees and premiums,
    employer cost, the fully insured comparison and summary.json (see the module docstring)."""
    aggregate = None if lines.aggregate is None else aggregate_result(ruleset, months, lines.aggregate)
    fees = compute_fees(ruleset, months, lines.activity, list(lines.members_by_tier))
    t = lines.totals
    cost = employer_cost(t.plan_paid, lines.specific, aggregate, fees)
    insured = fully_insured(ruleset, months, cost)
    counts = Counts(
        received=lines.received,
        settled=t.settled,
        paid=t.paid,
        denied=t.settled - t.paid,
        rejected=lines.rejected,
    )
    summary = build_summary(
        ruleset,
        counts=counts,
        totals=t,
        specific=lines.specific,
        aggregate=aggregate,
        fees=fees,
        cost=cost,
        insured=insured,
    )
    return RunEnd(
        specific=lines.specific,
        aggregate=aggregate,
        fees=fees,
        employer=cost,
        insured=insured,
        summary=summary,
    )


# --------------------------------------------------------------------------- settlement


@attrs.frozen(eq=False, repr=False)
class Settlement(SettlementViews):
    """Everything a settlement run produced."""

    ruleset: Ruleset
    members: FrozenMap[str, MemberRecord] = attrs.field(converter=fmap)
    lines: list[LineResult]  # one per accepted claim line, in processing order
    ledger: pa.Table
    rejects: pa.Table
    enrollment_rejects: pa.Table
    summary: dict[str, Any]
    months: tuple[MonthEnrollment, ...]
    specific: tuple[SpecificResult, ...]
    aggregate: AggregateResult | None
    fees: FeeResult
    employer: EmployerCost
    specific_shares: tuple[Money, ...]  # aligned with ``lines``
    adjudicator: AdjudicateFn | None = None

    def explain(self, claim_id: str) -> Explanation:
        """The step-by-step trace of one claim line, with its stop-loss share.

        Adjudication is re-run with explanation on for the claimant's family only: accumulators are
        per member and family, so the family's lines alone reproduce the line exactly.
        """
        index = next((i for i, r in enumerate(self.lines) if r.claim.claim_id == claim_id), None)
        if index is None:
            raise unknown_claim(claim_id, (r.claim.claim_id for r in self.lines))
        target = self.lines[index]
        family = [r.claim for r in self.lines if r.claim.family_id == target.claim.family_id]
        adjudicate = self.adjudicator or reference_adjudicator()
        traced = adjudicate(self.ruleset, self.members, family, explain=True)
        line = next((r for r in traced if r.claim.claim_id == claim_id), target)
        return explain_line(line, index, self.specific, self.aggregate)

    def write(self, out_dir: str | Path, ledger_format: str = "csv") -> list[Path]:
        """Write ledger.csv|.parquet, rejects.csv and summary.json to ``out_dir``."""
        lines_progress.stage("writing")
        written = write_outputs(
            out_dir,
            ledger=self.ledger,
            rejects=self.rejects,
            enrollment_rejects=self.enrollment_rejects,
            summary=self.summary,
            ledger_format=ledger_format,
        )
        lines_progress.advance(len(self.lines))
        return written


def assemble(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    lines: Sequence[LineResult],
    *,
    columns: Sequence[str] | None = None,
    claim_rejects: Sequence[Reject] = (),
    enrollment_rejects: Sequence[Reject] = (),
    received: int | None = None,
    adjudicator: AdjudicateFn | None = None,
) -> Settlement:
    """Stop-loss, fees, employer cost and outputs over adjudicated lines.

    ``columns`` are the claims input's column names in input order (default: the docs/contracts.md
    required columns); ``received`` defaults to settled + rejected.
    """
    line_list = list(lines)
    members_map: FrozenMap[str, MemberRecord] = FrozenMap(members)
    months = monthly_enrollment(members_map.values(), ruleset.plan_year, ruleset.tier_codes)
    specific = specific_stop_loss(ruleset, line_list, members_map)
    shares = specific_line_shares(specific, len(line_list))
    end = settle_end(
        ruleset,
        months,
        AdjudicatedLines(
            totals=line_totals(ruleset, line_list),
            received=received if received is not None else len(line_list) + len(claim_rejects),
            rejected=len(claim_rejects),
            specific=specific,
            aggregate=aggregate_claims(ruleset, line_list, members_map, months, specific),
            activity=month_activity(ruleset, line_list, shares),
            members_by_tier=tuple(m.members_by_tier for m in months),
        ),
    )
    aggregate = end.aggregate
    agg_flags = aggregate.line_eligible if aggregate is not None else (False,) * len(line_list)
    return Settlement(
        ruleset=ruleset,
        members=members_map,
        lines=line_list,
        ledger=ledger_table(columns or DEFAULT_COLUMNS, line_list, shares, agg_flags),
        rejects=rejects_table(claim_rejects),
        enrollment_rejects=rejects_table(enrollment_rejects),
        summary=end.summary,
        months=months,
        specific=specific,
        aggregate=aggregate,
        fees=end.fees,
        employer=end.employer,
        specific_shares=shares,
        adjudicator=adjudicator,
    )


DEFAULT_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "member_id",
    "line",
    "category",
    "incurred",
    "paid",
    "billed",
)


def settle(
    ruleset: Ruleset,
    claims: Any,
    enrollment: Any,
    *,
    engine: str = "reference",
    progress: bool = False,
    adjudicated: bool = False,
    **dask_options: Any,
) -> Settlement:
    """Settle ``claims`` against ``enrollment`` (each a path to .csv/.parquet, a pyarrow Table, or a
    pandas or polars DataFrame) under ``ruleset``.

    ``engine="dask"`` returns the distributed engine's ``DistributedSettlement`` (same ``summary``,
    ``ledger``, ``rejects`` and ``write``; the ledger a partitioned Parquet folder) and takes its
    options (``out_dir``, ``client``, ``scheduler``, ...: ``aso_rules.settle.distributed``).
    Raises ``EngineUnavailable`` for an engine this installation lacks and the readers'
    ``InputError`` for a file-level input problem; bad rows become rejects, never exceptions.

    ``adjudicated=True`` takes the administrator's paid claims as they are (``allowed``,
    ``plan_paid``, ``member_paid``, ``status``, versions and adjustments) and settles stop-loss, fees
    and employer cost on them, in any engine with the same results (``aso_rules.settle.adjudicated``,
    ``vector.adjudicated``, ``distributed``'s ``adjudicated=True``); ``auto`` is the reference engine
    there (the rows are read and netted the same way in every engine).
    """
    if adjudicated:
        return _settle_adjudicated(ruleset, claims, enrollment, engine, dask_options)
    if engine == "auto" and not has_extra("vector"):
        engine = "reference"  # the same results, only slower: auto never needs an extra
    if engine == "auto":
        from aso_rules.settle.vector.auto import choose_engine

        engine = choose_engine(claims)
    if engine in ("vector", "dask"):
        require_extra(engine)
    if engine == "dask":
        from aso_rules.settle.distributed import settle_dask

        # a DistributedSettlement: duck-typed for what callers of ``settle`` use (see above)
        return cast(Settlement, settle_dask(ruleset, claims, enrollment, **dask_options))
    if engine == "vector":
        from aso_rules.settle.vector.settle import settle_vector

        return settle_vector(ruleset, claims, enrollment, progress=progress)  # type: ignore[return-value]
    if engine != "reference":
        if engine not in ENGINES:
            raise EngineUnavailable(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
        raise EngineUnavailable(f"the {engine!r} engine is not available yet; use --engine reference")
    from aso_rules.data.readers import read_claims, read_enrollment

    adjudicate = reference_adjudicator()
    enrolled = read_enrollment(enrollment, ruleset)
    members = {m.member_id: m for m in enrolled.members}
    lines_progress.stage("reading")
    claims_in = read_claims(claims, ruleset, members)
    lines_progress.advance(claims_in.received)
    lines_progress.stage("settling")
    stages = _Progress(progress and len(claims_in.claims) >= LONG_RUN_LINES, total=2)
    stages.start("adjudication")
    lines: list[LineResult] = adjudicate(ruleset, members, list(claims_in.claims))
    lines_progress.advance(len(lines))
    stages.step("stop-loss, fees and outputs")
    result = assemble(
        ruleset,
        members,
        lines,
        columns=claims_in.columns,
        claim_rejects=claims_in.rejects,
        enrollment_rejects=enrolled.rejects,
        received=claims_in.received,
        adjudicator=adjudicate,
    )
    stages.step("done")
    stages.close()
    return result


def _settle_adjudicated(
    ruleset: Ruleset, claims: Any, enrollment: Any, engine: str, dask_options: Mapping[str, Any]
) -> Settlement:
    if engine not in (*ENGINES, "auto"):
        raise EngineUnavailable(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine in ("vector", "dask"):
        require_extra(engine)
    if engine == "dask":
        from aso_rules.settle.distributed import settle_dask

        return cast(Settlement, settle_dask(ruleset, claims, enrollment, adjudicated=True, **dask_options))
    from aso_rules.settle.adjudicated import settle_adjudicated

    return settle_adjudicated(
        ruleset, claims, enrollment, engine="vector" if engine == "vector" else "reference"
    )


LONG_RUN_LINES = 50_000  # below this a run takes well under a few seconds: no progress bar


class _Progress:
    """A stage progress bar (tqdm) on stderr when asked for; silent otherwise."""

    def __init__(self, enabled: bool, total: int) -> None:
        self._enabled = enabled
        self._total = total
        self._bar: Any = None

    def start(self, stage: str) -> None:
        if self._enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=self._total, desc=stage, unit="stage", leave=False)

    def step(self, next_stage: str) -> None:
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_description(next_stage)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def records_settle(
    ruleset: Ruleset,
    members: Sequence[MemberRecord],
    claims: Sequence[ClaimRecord],
    *,
    adjudicator: AdjudicateFn | None = None,
) -> Settlement:
    """Settle already-validated records (the test runner's path): adjudicate, then ``assemble``."""
    adjudicate = adjudicator or reference_adjudicator()
    by_id = {m.member_id: m for m in members}
    lines = adjudicate(ruleset, by_id, list(claims))
    return assemble(ruleset, by_id, lines, adjudicator=adjudicate)
