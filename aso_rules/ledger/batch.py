"""One batch of claims as read for posting: ordinary lines, reversals, rejects and a content hash.

A batch is a claims file (or table) in the ``aso settle`` claims format plus an optional column
``reverses``: a row whose ``reverses`` names a claim id is a *reversal* that voids the current
line with that id; its other columns are not adjudicated (their amounts, negative or not, are
ignored), and a corrected line may follow as an ordinary row in the same batch. Every other row is
read exactly as ``aso settle`` reads it (a negative ``billed`` is rejected there as everywhere).
Rows are the batch's 1-based data rows; the content hash identifies the batch's bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from aso_rules.data.readers import read_claims
from aso_rules.data.records import ClaimRecord, MemberRecord, Reject
from aso_rules.data.source import column_text, to_arrow
from aso_rules.model import Ruleset

__all__ = ["REVERSES", "Batch", "Reversal", "content_hash", "read_batch", "renumbered"]

REVERSES = "reverses"


@attrs.frozen
class Reversal:
    row: int
    claim_id: str  # the reversal row's own claim id (may repeat the voided one)
    reverses: str  # the claim id it voids


@attrs.frozen
class Batch:
    claims: tuple[ClaimRecord, ...]
    rejects: tuple[Reject, ...]
    reversals: tuple[Reversal, ...]
    received: int  # data rows in the batch, reversals included
    columns: tuple[str, ...]  # input column names in order, without ``reverses``
    content_hash: str


_ROW_IN_REASON = re.compile(r"(first seen on row )(\d+)$")


def renumbered(reject: Reject, row: Callable[[int], int]) -> Reject:
    """A reject with its row, and a row its reason names, mapped by ``row``."""
    reason = _ROW_IN_REASON.sub(lambda m: f"{m[1]}{row(int(m[2]))}", reject.reason)
    return Reject(row=row(reject.row), claim_id=reject.claim_id, reason=reason)


def content_hash(source: Any, extra: bytes = b"") -> str:
    """sha256 of a file's bytes, or of a table's Arrow IPC stream (plus ``extra``)."""
    digest = hashlib.sha256()
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    else:
        table = to_arrow(source)
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        digest.update(sink.getvalue())
    digest.update(extra)
    return digest.hexdigest()


def read_batch(
    source: Any, ruleset: Ruleset, members: Mapping[str, MemberRecord], *, extra_hash: bytes = b""
) -> Batch:
    """Read a batch (raises the readers' ``InputError`` for a file-level problem)."""
    digest = content_hash(source, extra_hash)
    table = to_arrow(source)
    if REVERSES not in table.column_names:
        read = read_claims(table, ruleset, members)
        return Batch(read.claims, read.rejects, (), read.received, read.columns, digest)
    marks = [v.strip() if v else "" for v in column_text(table.column(REVERSES))]
    ids = column_text(table.column("claim_id")) if "claim_id" in table.column_names else [None] * len(marks)
    ordinary = [i for i, v in enumerate(marks) if not v]
    reversals = tuple(
        Reversal(row=i + 1, claim_id=(ids[i] or "").strip(), reverses=v) for i, v in enumerate(marks) if v
    )
    body = table.drop_columns([REVERSES]).take(pa.array(ordinary, type=pa.int64()))
    read = read_claims(body, ruleset, members)
    rows = [i + 1 for i in ordinary]
    claims = tuple(attrs.evolve(c, row=rows[c.row - 1]) for c in read.claims)
    rejects = tuple(renumbered(r, lambda k: rows[k - 1]) for r in read.rejects)
    return Batch(claims, rejects, reversals, table.num_rows, read.columns, digest)
