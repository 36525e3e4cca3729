"""The ledger's current view as ``aso settle``'s outputs: ledger, rejects and summary.json.

The current lines (every posted line not voided, at its latest adjudication) go through the same
stop-loss, fees, employer-cost and output stage as one ``aso settle`` (``aso_rules.settle.assemble``),
so a year posted in batches exports exactly the files of one settlement of the year: ledger rows in
ledger-row order (batches in posting order, then their data rows), the input columns of the batches
(without ``reverses``), rejects with their ledger row numbers, ``received = settled + rejected``.
``paid_through`` limits the view to lines paid on or before a date (the statement's year to date).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from aso_rules.data.records import MemberRecord, Reject
from aso_rules.ledger.post import load_families
from aso_rules.ledger.store import Store
from aso_rules.model import Ruleset
from aso_rules.settle import Settlement, assemble
from aso_rules.settle.order import processing_key

__all__ = ["input_columns", "settlement"]


def input_columns(store: Store) -> tuple[str, ...]:
    """The union of the batches' input columns, in first-seen order."""
    seen: dict[str, None] = {}
    for (cols,) in store.query("SELECT input_columns FROM batches ORDER BY seq"):
        seen.update(dict.fromkeys(json.loads(cols)))
    return tuple(seen)


def settlement(
    store: Store,
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    *,
    enrollment_rejects: tuple[Reject, ...] = (),
    paid_through: date | None = None,
) -> Settlement:
    """The current view settled for the year (or through ``paid_through``)."""
    lines = load_families(store, ruleset, None).lines
    stored = store.query("SELECT row_no, claim_id, reason FROM rejects")
    rejects = [Reject(int(r), c, why) for r, c, why in stored]
    if paid_through is not None:
        lines = [r for r in lines if r.claim.paid <= paid_through]
    key = processing_key(ruleset)
    lines.sort(key=lambda r: key(r.claim))
    columns: Any = input_columns(store) or None
    return assemble(
        ruleset,
        members,
        lines,
        columns=columns,
        claim_rejects=() if paid_through is not None else rejects,
        enrollment_rejects=enrollment_rejects,
    )
