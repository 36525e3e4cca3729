"""Enrollment by month: employees by tier and members covered on the 1st of each month.

Employees per month per tier = families covered on the 1st of the month (docs/contracts.md); a family's
tier is its employee's tier (the member whose ``member_id == family_id``), else any member's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from aso_rules.data.records import MemberRecord
from aso_rules.model import FrozenMap, PlanYear, fmap


@attrs.frozen
class MonthEnrollment:
    month: date  # the 1st of the month
    employees: FrozenMap[str, int] = attrs.field(converter=fmap)  # by tier code
    members: int = 0
    members_by_tier: FrozenMap[str, int] = attrs.field(factory=FrozenMap, converter=fmap)  # family's tier

    @property
    def total_employees(self) -> int:
        return sum(self.employees.values())


def plan_months(plan_year: PlanYear) -> list[date]:
    """The 1st of every month that starts inside the plan year (12 for a normal year)."""
    months: list[date] = []
    y, m = plan_year.start.year, plan_year.start.month
    first = date(y, m, 1)
    if first < plan_year.start:
        m += 1
        if m == 13:
            y, m = y + 1, 1
    while True:
        d = date(y, m, 1)
        if d > plan_year.end:
            return months
        months.append(d)
        m += 1
        if m == 13:
            y, m = y + 1, 1


def monthly_enrollment(
    members: Iterable[MemberRecord], plan_year: PlanYear, tiers: Iterable[str]
) -> tuple[MonthEnrollment, ...]:
    """Employees by tier, members, and members by their family's tier on the 1st of each plan month."""
    tier_codes = list(tiers)
    member_list = list(members)
    out: list[MonthEnrollment] = []
    for first in plan_months(plan_year):
        covered = [m for m in member_list if m.covered_on(first)]
        family_tier: dict[str, str] = {}
        for m in covered:
            if m.member_id == m.family_id or m.family_id not in family_tier:
                family_tier[m.family_id] = m.tier
        counts = dict.fromkeys(tier_codes, 0)
        for tier in family_tier.values():
            counts[tier] = counts.get(tier, 0) + 1
        by_tier: dict[str, int] = {}
        for m in covered:
            tier = family_tier[m.family_id]
            by_tier[tier] = by_tier.get(tier, 0) + 1
        out.append(
            MonthEnrollment(month=first, employees=counts, members=len(covered), members_by_tier=by_tier)
        )
    return tuple(out)
