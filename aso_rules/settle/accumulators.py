"""Running totals of a settlement (docs/semantics.md 3.6): deductible, out-of-pocket, visits, plan dollars.

On entry: nothing (all totals start at zero). On exit, after each covered line: the totals it moved.
Keys are plain tuples so the reference engine stays fast:

* deductible / out-of-pocket: ``(owner, plan_year, member_id)`` and ``(owner, plan_year, family_id)``
  where ``owner`` is ``"coverage/network"`` (``"*"`` for cross-network accumulators);
* visits / dollars: ``(limit_key, period, member_id)`` where ``period`` is the plan year, or
  ``LIFETIME`` for lifetime limits (never reset).

A new plan year is a new key, so every annual total of a new plan year starts at zero (I-ACC-4).
"""

from __future__ import annotations

import attrs

from aso_rules.money import ZERO, Money

LIFETIME = -1
Key = tuple[str, int, str]


@attrs.define
class Accumulators:
    ded_member: dict[Key, Money] = attrs.field(factory=dict)
    ded_family: dict[Key, Money] = attrs.field(factory=dict)
    oop_member: dict[Key, Money] = attrs.field(factory=dict)
    oop_family: dict[Key, Money] = attrs.field(factory=dict)
    visits: dict[Key, int] = attrs.field(factory=dict)
    dollars: dict[Key, Money] = attrs.field(factory=dict)

    def deductible(self, owner: str, plan_year: int, member_id: str) -> Money:
        """A member's deductible total, e.g. ``deductible("medical/in", 2025, "M1")``."""
        return self.ded_member.get((owner, plan_year, member_id), ZERO)

    def family_deductible(self, owner: str, plan_year: int, family_id: str) -> Money:
        return self.ded_family.get((owner, plan_year, family_id), ZERO)

    def out_of_pocket(self, owner: str, plan_year: int, member_id: str) -> Money:
        return self.oop_member.get((owner, plan_year, member_id), ZERO)

    def family_out_of_pocket(self, owner: str, plan_year: int, family_id: str) -> Money:
        return self.oop_family.get((owner, plan_year, family_id), ZERO)

    def plan_dollars(self, limit_key: str, period: int, member_id: str) -> Money:
        """Plan payments counted against a dollar limit (``period``: plan year or ``LIFETIME``)."""
        return self.dollars.get((limit_key, period, member_id), ZERO)

    def visit_count(self, limit_key: str, period: int, member_id: str) -> int:
        return self.visits.get((limit_key, period, member_id), 0)
