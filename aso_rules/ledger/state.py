"""Settlement state as a value, and one batch settled against it: ``(batch, state) -> (lines, state)``.

Accumulators (deductible and out-of-pocket per member and family, visit and dollar-limit counters,
disability periods) never cross a family: a family's lines alone, in processing order, reproduce
each of its lines exactly. So the state that carries from one batch to the next is, per family,
its current claim lines in processing order with their adjudication. A batch is settled by
re-adjudicating only the families it touches (new lines, reversed lines, changed enrollment) from
their stored lines plus the new ones, in canonical processing order; every other family is neither
read nor settled. Stop-loss, fees and the summary are year-level figures computed from the current
lines (``aso_rules.ledger.export``), so posting a year in batches gives exactly one settlement of it.

On entry: a ruleset, the enrolled members, a state, the batch's validated claim records (rows
numbered across the ledger) and the claim ids it reverses. On exit: the new state and a
``BatchOutcome`` naming the lines that are new, re-adjudicated (an amount or status differs) or
voided. The state serialises to JSON text and back exactly (``to_json`` / ``from_json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import attrs

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.ledger.engines import adjudicate_lines, can_continue, settle_carried
from aso_rules.ledger.lines import line_from_dict, line_to_dict, outcome
from aso_rules.model import FrozenMap, Ruleset, fmap
from aso_rules.settle.order import processing_key
from aso_rules.settle.results import LineResult

__all__ = ["BatchOutcome", "SettlementState", "settle_batch"]


@attrs.frozen
class SettlementState:
    """Per family, its current (not voided) claim lines in processing order, adjudicated, and
    (for families the reference engine settled last) its carry: the accumulators after its last
    line (``aso_rules.ledger.engines``)."""

    families: FrozenMap[str, tuple[LineResult, ...]] = attrs.field(factory=FrozenMap, converter=fmap)
    carries: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=fmap)

    @property
    def lines(self) -> list[LineResult]:
        return [line for family in self.families.values() for line in family]

    def to_json(self) -> str:
        families = {fam: [line_to_dict(r) for r in lines] for fam, lines in self.families.items()}
        carries = {fam: json.loads(c) for fam, c in self.carries.items()}
        return json.dumps({"families": families, "carries": carries}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> SettlementState:
        data = json.loads(text)
        return cls(
            FrozenMap({fam: tuple(line_from_dict(d) for d in v) for fam, v in data["families"].items()}),
            FrozenMap({fam: json.dumps(c, separators=(",", ":")) for fam, c in data["carries"].items()}),
        )


@attrs.frozen
class BatchOutcome:
    """What one batch changed: lines whose adjudication is new or differs, and voided lines."""

    changed: tuple[LineResult, ...]  # new lines and re-adjudicated ones (an outcome differs)
    new_rows: frozenset[int]  # ledger rows of the batch's own lines (the rest of ``changed`` moved)
    voided: tuple[LineResult, ...]
    families: tuple[str, ...]  # the families settled (continued or re-adjudicated)
    continued: tuple[str, ...] = ()  # of those, the families continued from their carry


def settle_batch(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    state: SettlementState,
    claims: Iterable[ClaimRecord],
    *,
    reverses: Iterable[str] = (),
    families: Iterable[str] = (),
    engine: str = "reference",
) -> tuple[BatchOutcome, SettlementState]:
    """Settle one batch against ``state``: ``(outcome, new state)``.

    ``reverses`` are claim ids of current lines the batch voids (each must be in ``state``);
    ``families`` names families to re-adjudicate even without new lines (changed enrollment).
    A touched family with a carry whose new lines all sort after its last line is continued from
    the carry (reference engine); every other touched family is re-adjudicated from its first line
    in ``state``, in processing order, with ``engine``. Untouched families are not read.
    """
    key = processing_key(ruleset)
    batch = list(claims)
    voided_ids = set(reverses)
    forced = dict.fromkeys(families)
    touched: dict[str, None] = dict(forced)
    new_by_family: dict[str, list[ClaimRecord]] = {}
    for c in batch:
        touched[c.family_id] = None
        new_by_family.setdefault(c.family_id, []).append(c)
    voided: list[LineResult] = []
    blocked = set(forced)
    if voided_ids:
        for fam, lines in state.families.items():
            hit = [r for r in lines if r.claim.claim_id in voided_ids]
            if hit:
                voided.extend(hit)
                touched[fam] = None
                blocked.add(fam)
    missing = voided_ids - {r.claim.claim_id for r in voided}
    if missing:
        raise KeyError(f"no current line with claim id {', '.join(sorted(missing))}")
    continued = {
        fam: state.carries[fam]
        for fam in new_by_family
        if fam in state.carries
        and fam not in blocked
        and can_continue(ruleset, state.carries[fam], new_by_family[fam])
    }
    before: dict[int, LineResult] = {}
    replay: list[ClaimRecord] = [c for c in batch if c.family_id not in continued]
    for fam in touched:
        if fam in continued:
            continue
        for r in state.families.get(fam, ()):
            if r.claim.claim_id not in voided_ids:
                before[r.claim.row] = r
                replay.append(r.claim)
    carries = {fam: c for fam, c in state.carries.items() if fam not in touched}
    if engine == "vector":
        settled = adjudicate_lines(ruleset, members, replay, "vector")
    else:
        settled, replayed_carries = settle_carried(ruleset, members, replay)
        carries.update(replayed_carries)
    if continued:
        carried_new = [c for fam in continued for c in new_by_family[fam]]
        more, continued_carries = settle_carried(ruleset, members, carried_new, continued)
        settled = sorted([*settled, *more], key=lambda r: key(r.claim))
        carries.update(continued_carries)
    grouped: dict[str, list[LineResult]] = {fam: [] for fam in touched}
    for fam in continued:
        grouped[fam].extend(state.families.get(fam, ()))
    for r in settled:
        grouped[r.claim.family_id].append(r)
    changed = tuple(
        r for r in settled if r.claim.row not in before or outcome(before[r.claim.row]) != outcome(r)
    )
    new_families = dict(state.families)
    for fam, family_lines in grouped.items():
        family_lines.sort(key=lambda r: key(r.claim))
        if family_lines:
            new_families[fam] = tuple(family_lines)
        else:
            new_families.pop(fam, None)
    result = BatchOutcome(
        changed=changed,
        new_rows=frozenset(c.row for c in batch),
        voided=tuple(voided),
        families=tuple(touched),
        continued=tuple(continued),
    )
    return result, SettlementState(FrozenMap(new_families), FrozenMap(carries))
