"""Running the adjudicator in tests: results by claim id, and the accumulators after the run."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import Ruleset
from aso_rules.settle.accumulators import Accumulators
from aso_rules.settle.adjudicate import Adjudicator, processing_key
from aso_rules.settle.results import LineResult


def run(
    ruleset: Ruleset,
    members: Sequence[MemberRecord],
    claims: Sequence[ClaimRecord],
    *,
    explain: bool = False,
) -> tuple[dict[str, LineResult], Accumulators]:
    adjudicator = Adjudicator(ruleset, {m.member_id: m for m in members}, explain=explain)
    results = [adjudicator.settle_line(c) for c in sorted(claims, key=processing_key(ruleset))]
    return {r.claim.claim_id: r for r in results}, adjudicator.accumulators


def D(text: str) -> Decimal:
    return Decimal(text)
