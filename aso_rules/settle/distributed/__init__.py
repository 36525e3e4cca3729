"""Settlement on a Dask cluster (``engine="dask"``): the orchestrator of the distributed run.

On entry: a compiled ``Ruleset``, claims (a Parquet dataset folder or file, a Dask DataFrame, or any
table the readers take) and enrollment (read on the client by the vector engine's reader: it is
small and every stage needs it). The run, each arrow a set of tasks on the cluster and ``|`` a small
result gathered to the client::

    input partitions --scan--> claim ids by id hash --> repeated ids |
        --split--> Arrow rows by family_id hash --read, adjudicate on columns--> buckets (lines stay
        on workers) --> bucket summaries and rejects | --combine (client)--> shares --write--> parts

On exit: ``DistributedSettlement`` with summary.json, the rejects and a partitioned Parquet ledger
(``<out>/ledger/part-NNNNN.parquet``, one part per family bucket, rows in input order within a part
and a ``row`` column giving each line's input row), equal to the single-machine engines' outputs.
Every task is a pure function of its inputs and each ledger part is written to a temporary file then
renamed, so Dask may rerun any task after a worker dies without losing or duplicating a line.
A bucket settles on the vector engine's columns (``columnar.py``: ``read_claims_fast``,
``adjudicate_columns``, numba group sums); given a records ``adjudicator`` (the reference
``adjudicate`` signature), it validates ``ClaimRecord``s and settles ``LineResult``s instead
(``local.py``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.data.records import Reject
from aso_rules.data.source import InputError, to_arrow
from aso_rules.model import Ruleset
from aso_rules.notebook import SettlementViews
from aso_rules.settle.distributed.columnar import (
    ColumnAdjudicator,
    settle_bucket_columns,
    write_column_ledger,
)
from aso_rules.settle.distributed.combine import Combined, combine
from aso_rules.settle.distributed.inputs import (
    ROWS_PER_PART,
    InputPart,
    bucket_of,
    family_lookup,
    parquet_parts,
    pick,
    read_dataset,
    repeated_ids,
    scan_ids,
    split_part,
    split_summary,
)
from aso_rules.settle.distributed.local import (
    ORDER_COLUMN,
    ORDER_KEY,
    Adjudicator,
    BucketSummary,
    bucket_summary,
    settle_bucket,
    write_bucket_ledger,
)
from aso_rules.settle.employer import EmployerCost
from aso_rules.settle.fees import FeeResult
from aso_rules.settle.ledger import rejects_table, summary_json
from aso_rules.settle.stoploss import AggregateResult, SpecificResult
from aso_rules.settle.vector.columns import MemberColumns
from aso_rules.settle.vector.reader import read_enrollment_fast
from aso_rules.settle.vector.settle import month_enrollment

__all__ = [
    "DistributedSettlement",
    "read_dataset",
    "read_ledger",
    "settle_dask",
]

LEDGER_DIR = "ledger"
RETRIES = 3  # task retries after an exception (a lost worker is handled by the scheduler itself)


def read_ledger(directory: str | Path) -> pa.Table:
    """A partitioned ledger folder as one table in input row order, without the order column: the
    single-machine engines' ledger."""
    files = sorted(Path(directory).glob("part-*.parquet"))
    if not files:
        raise InputError(f"{directory}: no ledger parts")
    tables = [pq.read_table(f) for f in files]
    meta = tables[0].schema.metadata or {}
    order = meta.get(ORDER_KEY, ORDER_COLUMN.encode()).decode()
    table = pa.concat_tables([t.replace_schema_metadata(None) for t in tables])
    table = table.sort_by(order)
    return table.drop_columns([order])


@attrs.frozen(eq=False, repr=False)
class DistributedSettlement(SettlementViews):
    """What a distributed run produced; the ledger stays in its Parquet parts until asked for."""

    ruleset: Ruleset
    summary: dict[str, Any]
    rejects: pa.Table
    enrollment_rejects: pa.Table
    ledger_dir: Path
    parts: int
    months: tuple[MonthEnrollment, ...]
    specific: tuple[SpecificResult, ...]
    aggregate: AggregateResult | None
    fees: FeeResult
    employer: EmployerCost

    @property
    def ledger(self) -> pa.Table:
        """The whole ledger in input row order (reads every part: for tests and small runs)."""
        return read_ledger(self.ledger_dir)

    def write(self, out_dir: str | Path, ledger_format: str = "parquet") -> list[Path]:
        """Write rejects.csv, summary.json (and enrollment_rejects.csv) to ``out_dir``; the ledger is
        the partitioned Parquet folder ``out_dir/ledger`` (copied there if the run wrote it elsewhere)."""
        from aso_rules.data.writers import write_table

        if ledger_format != "parquet":
            raise ValueError("the dask engine writes a partitioned Parquet ledger (ledger format parquet)")
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        target = out / LEDGER_DIR
        if target.resolve() != self.ledger_dir.resolve():
            _clear_parts(target)
            for f in sorted(self.ledger_dir.glob("part-*.parquet")):
                shutil.copyfile(f, target / f.name)
        paths = [target, out / "rejects.csv", out / "summary.json"]
        write_table(self.rejects, paths[1])
        paths[2].write_text(summary_json(self.summary), encoding="utf-8")
        if self.enrollment_rejects.num_rows:
            paths.append(out / "enrollment_rejects.csv")
            write_table(self.enrollment_rejects, paths[-1])
        return paths


def _clear_parts(directory: Path) -> None:
    """Create the ledger folder, removing parts (and temporary files) of an earlier run."""
    directory.mkdir(parents=True, exist_ok=True)
    for f in directory.iterdir():
        if (f.name.startswith("part-") and f.name.endswith(".parquet")) or f.name.endswith(".tmp"):
            f.unlink()


def _same(value: Any) -> Any:
    """Identity: a task whose result is ``value``, so that data shipped once can be recomputed by
    the scheduler if the worker holding it dies (scattered data could not)."""
    return value


def _ship(client: Any, value: Any) -> Any:
    """``value`` as the result of a task (``_same``), without Dask's warning about a large graph:
    the value travels to the scheduler once by design."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sending large graph")
        return client.submit(_same, value, pure=False)


def _is_dask_frame(value: Any) -> bool:
    module = type(value).__module__ or ""
    return module.startswith("dask") and hasattr(value, "to_delayed") and hasattr(value, "npartitions")


def _input_parts(client: Any, claims: Any, rows_per_part: int) -> tuple[list[InputPart], list[Any]]:
    """The input partitions and, per partition, the data future (``None`` when read from storage)."""
    if isinstance(claims, str | Path) and (
        Path(claims).is_dir() or str(claims).lower().endswith((".parquet", ".pq"))
    ):
        parts = parquet_parts(claims, rows_per_part)
        return parts, [None] * len(parts)
    if _is_dask_frame(claims):
        futures = client.compute(claims.to_delayed())
        lengths = client.gather(client.map(len, futures, pure=False))
        parts, first = [], 1
        for i, n in enumerate(lengths):
            parts.append(InputPart(i, int(n), first))
            first += int(n)
        return parts, list(futures)
    table = to_arrow(claims)
    size = max(1, rows_per_part)
    slices = [table.slice(start, size) for start in range(0, max(table.num_rows, 1), size)]
    parts = []
    first = 1
    for i, piece in enumerate(slices):
        parts.append(InputPart(i, piece.num_rows, first))
        first += piece.num_rows
    return parts, [_ship(client, piece) for piece in slices]


class _Cluster:
    """A Dask client: the one given, one connected to ``scheduler``, or a local cluster sized to the
    machine (one single-threaded worker process per core, numba's parallel loop on one thread too);
    closes only what it created."""

    def __init__(self, client: Any = None, scheduler: str | None = None) -> None:
        import distributed

        Client: Any = distributed.Client
        LocalCluster: Any = distributed.LocalCluster

        self._owned: list[Any] = []
        if client is not None:
            self.client = client
        elif scheduler:
            self.client = Client(scheduler)
            self._owned.append(self.client)
        else:
            cluster = LocalCluster(
                n_workers=os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                env={"NUMBA_NUM_THREADS": "1"},  # one core per worker, the compiled loops included
            )
            self.client = Client(cluster)
            self._owned += [self.client, cluster]

    def close(self) -> None:
        for thing in self._owned:
            thing.close()


def enrollment_months(ruleset: Ruleset, members: MemberColumns) -> tuple[MonthEnrollment, ...]:
    """``enrollment.monthly_enrollment`` over member columns (employees, members and members by tier)."""
    months, by_tier = month_enrollment(ruleset, members)
    return tuple(attrs.evolve(m, members_by_tier=t) for m, t in zip(months, by_tier, strict=True))


def settle_dask(
    ruleset: Ruleset,
    claims: Any,
    enrollment: Any,
    *,
    out_dir: str | Path | None = None,
    client: Any = None,
    scheduler: str | None = None,
    buckets: int | None = None,
    adjudicator: Adjudicator | None = None,
    column_adjudicator: ColumnAdjudicator | None = None,
    rows_per_part: int = ROWS_PER_PART,
    adjudicated: bool = False,
) -> DistributedSettlement:
    """Settle on a Dask cluster (see the module docstring).

    ``out_dir`` receives the ledger parts in ``out_dir/ledger`` (default: a new temporary folder);
    it must be storage every worker can write (a shared file system on a multi-machine cluster).
    ``client`` or ``scheduler`` (an address) choose the cluster; neither: a local cluster.
    ``buckets`` is the number of family buckets (default: twice the cluster's threads, at least the
    number of input partitions). Buckets settle on columns with ``column_adjudicator`` (default
    ``vector.engine.adjudicate_columns``), or on records with ``adjudicator`` (the reference
    ``adjudicate`` signature) when one is given; not both. Raises ``InputError`` for file-level
    input problems.

    ``adjudicated=True`` settles the administrator's paid claims (``distributed.adjudicated``:
    read and netted on the client, stop-loss and the ledger in family buckets on the cluster).
    """
    if adjudicated:
        from aso_rules.settle.distributed.adjudicated import settle_dask_adjudicated

        if adjudicator is not None or column_adjudicator is not None:
            raise ValueError("adjudicated settlement takes the administrator's amounts: no adjudicator")
        return settle_dask_adjudicated(
            ruleset, claims, enrollment, out_dir=out_dir, client=client, scheduler=scheduler, buckets=buckets
        )
    if adjudicator is not None and column_adjudicator is not None:
        raise ValueError("give a records adjudicator or a column adjudicator, not both")
    enrolled = read_enrollment_fast(enrollment, ruleset)
    months = enrollment_months(ruleset, enrolled.members)
    lookup = family_lookup(enrolled.members)
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="aso-settle-"))
    ledger_dir = out / LEDGER_DIR
    _clear_parts(ledger_dir)
    cluster = _Cluster(client, scheduler)
    try:
        c = cluster.client
        parts, data = _input_parts(c, claims, rows_per_part)
        threads = sum(c.nthreads().values()) or 1
        n_buckets = buckets or max(2 * threads, len(parts))
        n_id = max(1, min(n_buckets, len(parts)))
        submit = c.submit

        # shipped once, recomputable: the ruleset and the enrollment (broadcast by the workers' fetches)
        ruleset_f = _ship(c, ruleset)
        lookup_f = _ship(c, lookup)
        if adjudicator is None:
            enrolled_f = _ship(c, enrolled)
        else:
            records_f = _ship(c, dict(enrolled.records))

        # claim ids seen more than once anywhere in the input
        scans = [
            submit(scan_ids, p, n_id, d, pure=False, retries=RETRIES)
            for p, d in zip(parts, data, strict=True)
        ]
        by_id_bucket = [
            submit(
                repeated_ids, *[submit(pick, s, b, pure=False) for s in scans], pure=False, retries=RETRIES
            )
            for b in range(n_id)
        ]
        repeated: dict[str, int] = {}
        for found in c.gather(by_id_bucket):
            repeated.update(found)
        del scans, by_id_bucket
        # a long list of repeated ids travels once, like the members; a short one inside each task
        repeated_arg: Any = _ship(c, repeated) if len(repeated) > 1_000 else repeated

        splits = [
            submit(split_part, p, lookup_f, repeated_arg, n_buckets, d, pure=False, retries=RETRIES)
            for p, d in zip(parts, data, strict=True)
        ]
        infos = c.gather([submit(split_summary, r, pure=False) for r in splits])
        received = sum(info[1] for info in infos)
        states = []
        for b in range(n_buckets):
            pieces = [submit(bucket_of, r, b, pure=False) for r in splits]
            if adjudicator is None:
                state = submit(
                    settle_bucket_columns,
                    b,
                    ruleset_f,
                    enrolled_f,
                    column_adjudicator,
                    *pieces,
                    pure=False,
                    retries=RETRIES,
                )
            else:
                state = submit(
                    settle_bucket, b, ruleset_f, records_f, adjudicator, *pieces, pure=False, retries=RETRIES
                )
            states.append(state)
        del splits, pieces

        def write(state: Any, shares: Any, columns: tuple[str, ...]) -> Any:
            if adjudicator is None:
                return submit(
                    write_column_ledger, state, shares, str(ledger_dir), pure=False, retries=RETRIES
                )
            return submit(
                write_bucket_ledger, state, shares, columns, str(ledger_dir), pure=False, retries=RETRIES
            )

        def all_rejects(summaries: Sequence[BucketSummary]) -> list[Reject]:
            return sorted(
                [r for info in infos for r in info[0]] + [r for s in summaries for r in s.rejects],
                key=lambda r: r.row,
            )

        combined, rejects, written = combine_and_write(
            c, ruleset, months, states, write, all_rejects, received
        )
        del states, data
    finally:
        cluster.close()
    return finished(ruleset, combined, rejects, enrolled.rejects, ledger_dir, n_buckets, written)


def combine_and_write(
    c: Any,
    ruleset: Ruleset,
    months: Sequence[MonthEnrollment],
    states: Sequence[Any],
    write: Callable[[Any, Any, tuple[str, ...]], Any],
    rejects_of: Callable[[Sequence[BucketSummary]], list[Reject]],
    received: int,
) -> tuple[Combined, list[Reject], int]:
    """The end of every distributed run, on the settled buckets' futures: their summaries to the
    client, ``combine`` (the rejects ``rejects_of`` the summaries counted), then each bucket's
    ledger part written by ``write(state, shares, columns)``. Returns the combined results, the
    rejects and the number of ledger rows written."""
    summaries = c.gather([c.submit(bucket_summary, s, pure=False) for s in states])
    rejects = rejects_of(summaries)
    columns = next((s.columns for s in summaries if s.columns), ())
    combined = combine(ruleset, months, summaries, received=received, rejected=len(rejects))
    writes = [write(state, combined.shares[b], columns) for b, state in enumerate(states)]
    return combined, rejects, sum(c.gather(writes))


def finished(
    ruleset: Ruleset,
    combined: Combined,
    rejects: Sequence[Reject],
    enrollment_rejects: Sequence[Reject],
    ledger_dir: Path,
    parts: int,
    written: int,
) -> DistributedSettlement:
    """The ``DistributedSettlement`` of a run whose ledger parts hold ``written`` lines."""
    settled = combined.summary["counts"]["settled"]
    if written != settled:  # pragma: no cover - a broken invariant, not a user error
        raise RuntimeError(f"ledger parts hold {written} lines, {settled} were settled")
    _clear_temporary(ledger_dir)
    return DistributedSettlement(
        ruleset=ruleset,
        summary=combined.summary,
        rejects=rejects_table(list(rejects)),
        enrollment_rejects=rejects_table(list(enrollment_rejects)),
        ledger_dir=ledger_dir,
        parts=parts,
        months=combined.months,
        specific=combined.specific,
        aggregate=combined.aggregate,
        fees=combined.fees,
        employer=combined.employer,
    )


def _clear_temporary(directory: Path) -> None:
    """Remove temporary files a killed writer left behind (the renamed parts are complete)."""
    for f in directory.glob(".part-*.tmp"):
        f.unlink(missing_ok=True)
