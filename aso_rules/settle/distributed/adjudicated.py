"""``settle_dask(..., adjudicated=True)``: adjudicated settlement on a Dask cluster.

On entry: a ruleset, the administrator's paid claims (a Parquet dataset folder or file, or anything
``aso_rules.data.adjudicated.read_adjudicated`` reads) and the enrollment. The rows are read,
validated and netted per claim on the client (``read_adjudicated``, ``paid_lines``): a claim's
versions and adjustments may lie anywhere in the input, and each row's reject reason depends on the
other rows of its claim, so netting needs every row of a claim together. The netted lines (each
row's signed change to its claim) then go to family buckets (all of a claimant's lines in one
bucket), where the workers run the records path's per-family stop-loss stage
(``local.bucket_state``: eligible spend, excess events, negative ones included, the aggregate's
family-local part, fee activity) and write the ledger parts; ``combine`` books the events across
claimants with the reference ``ExcessAllocator``, so a negative excess takes reimbursement back as
in the other engines.

On exit: a ``DistributedSettlement`` equal to the single-machine engines' adjudicated settlement
(summary with ``mode: adjudicated``, rejects, ledger parts that read back to the same ledger).
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.data.adjudicated import read_adjudicated
from aso_rules.data.enrollment import monthly_enrollment
from aso_rules.data.readers import read_enrollment
from aso_rules.model import Ruleset
from aso_rules.settle.distributed.local import bucket_state, write_bucket_ledger
from aso_rules.settle.results import LineResult

if TYPE_CHECKING:
    from aso_rules.settle.distributed import DistributedSettlement


def family_bucket(family_id: str, buckets: int) -> int:
    """A family's bucket: CRC-32 of its id (stable across processes, unlike ``hash``)."""
    return zlib.crc32(family_id.encode("utf-8")) % buckets


def bucket_lines(
    lines: Sequence[LineResult], buckets: int
) -> list[tuple[list[LineResult], npt.NDArray[np.int64]]]:
    """The lines of each bucket in input row order, renumbered 1.. within it, with their global rows."""
    grouped: list[list[LineResult]] = [[] for _ in range(buckets)]
    for r in lines:
        grouped[family_bucket(r.claim.family_id, buckets)].append(r)
    out = []
    for group in grouped:
        rows = np.array([r.claim.row for r in group], dtype=np.int64)
        local = [attrs.evolve(r, claim=attrs.evolve(r.claim, row=k + 1)) for k, r in enumerate(group)]
        out.append((local, rows))
    return out


def settle_dask_adjudicated(
    ruleset: Ruleset,
    claims: Any,
    enrollment: Any,
    *,
    out_dir: str | Path | None = None,
    client: Any = None,
    scheduler: str | None = None,
    buckets: int | None = None,
) -> DistributedSettlement:
    """Adjudicated settlement on a Dask cluster (see the module docstring); the options are
    ``settle_dask``'s. Raises ``InputError`` for a file-level input problem."""
    from aso_rules.settle.adjudicated import REPORTED_BILLED, paid_lines
    from aso_rules.settle.distributed import (
        LEDGER_DIR,
        RETRIES,
        _clear_parts,
        _Cluster,
        _is_dask_frame,
        _ship,
        combine_and_write,
        finished,
    )
    from aso_rules.settle.distributed.inputs import read_dataset

    enrolled = read_enrollment(enrollment, ruleset)
    members = enrolled.by_id()
    months = monthly_enrollment(members.values(), ruleset.plan_year, ruleset.tier_codes)
    source = claims
    if isinstance(claims, str | Path) and (
        Path(claims).is_dir() or str(claims).lower().endswith((".parquet", ".pq"))
    ):
        source = read_dataset(claims)  # an empty folder is an InputError, as in the other modes
    elif _is_dask_frame(claims):
        source = claims.compute()  # netting needs every row of a claim together: on the client
    paid = read_adjudicated(source, ruleset, members)
    lines = paid_lines(ruleset, members, paid.rows)
    columns = (*paid.columns, REPORTED_BILLED)
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="aso-settle-"))
    ledger_dir = out / LEDGER_DIR
    _clear_parts(ledger_dir)
    cluster = _Cluster(client, scheduler)
    try:
        c = cluster.client
        threads = sum(c.nthreads().values()) or 1
        n_buckets = buckets or 2 * threads
        ruleset_f = _ship(c, ruleset)
        members_f = _ship(c, dict(members))
        states = [
            c.submit(
                bucket_state,
                b,
                ruleset_f,
                members_f,
                _ship(c, group),
                rows,
                (),
                columns,
                pure=False,
                retries=RETRIES,
            )
            for b, (group, rows) in enumerate(bucket_lines(lines, n_buckets))
        ]

        def write(state: Any, shares: Any, columns: tuple[str, ...]) -> Any:
            return c.submit(
                write_bucket_ledger, state, shares, columns, str(ledger_dir), pure=False, retries=RETRIES
            )

        combined, rejects, written = combine_and_write(
            c, ruleset, months, states, write, lambda _: list(paid.rejects), paid.received
        )
        del states
    finally:
        cluster.close()
    combined.summary["mode"] = "adjudicated"
    return finished(ruleset, combined, rejects, enrolled.rejects, ledger_dir, n_buckets, written)


__all__ = ["bucket_lines", "family_bucket", "settle_dask_adjudicated"]
