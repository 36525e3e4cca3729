"""Plan years of any allowed length (1 to 24 months, E319): the declared plan year is one
accumulator period in every engine, and the years around it recur on its start's month/day.

A 24-month plan year once reset the vector engine's accumulators after 12 months while the
reference kept one period (found by the fuzz suite): the deductible was taken twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.model import PlanYear
from aso_rules.settle.order import add_months, plan_year_for
from aso_rules.settle.vector.engine import plan_years
from tests.strategies.scenarios import settle_scenarios
from tests.vector.test_differential import assert_same

DAY0 = date(1970, 1, 1)


def _plan_year(start: date, months: int) -> PlanYear:
    return PlanYear(start=start, end=date.fromordinal(add_months(start, months).toordinal() - 1))


@settings(max_examples=40, deadline=None)
@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 1)),
    st.integers(1, 24),
)
def test_plan_years__equals_the_reference_rule_on_every_day(start: date, months: int) -> None:
    """The vector column of plan years is ``plan_year_for`` on each day, two years either side."""
    year = _plan_year(start, months)
    first, last = start.toordinal() - 800, year.end.toordinal() + 800
    days = np.arange(first - DAY0.toordinal(), last - DAY0.toordinal() + 1, dtype=np.int64)
    expected = [plan_year_for(date.fromordinal(d), year) for d in range(first, last + 1)]
    assert plan_years(days, year).tolist() == expected


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(settle_scenarios(), st.sampled_from([1, 3, 6, 11, 12, 13, 18, 24]), st.sampled_from([1, 4, 7]))
def test_engines_agree_on_plan_years_of_every_length(scenario: Any, months: int, start_month: int) -> None:
    rs, claims, enrollment = scenario
    start = date(rs.plan_year.start.year, start_month, 1)
    assert_same(attrs.evolve(rs, plan_year=_plan_year(start, months)), claims, enrollment)


@pytest.mark.parametrize("engine", ["reference", "vector"])
def test_24_month_plan_year__one_deductible(engine: str, tmp_path: Any) -> None:
    """$500 deductible, 80%: $400 in month 2 and $400 in month 14 of a 24-month plan year. One
    period: the first line takes $400 of deductible, the second the last $100, then 20% of $300 =
    $60, so the member pays $560 and the plan $240 (a reset after 12 months would make it $800 / $0)."""
    import pyarrow as pa

    from aso_rules.language.loader import loads
    from aso_rules.settle import settle

    rs = loads(
        'ruleset "Two years" {\n  plan_year 2026-01-01 to 2027-12-31\n  tiers EE "Employee only"\n}\n'
        "coverage medical {\n  deductible $500 per person\n  plan pays 80%\n}\n"
    )
    enrollment = pa.table(
        {
            "member_id": ["M1"],
            "family_id": ["M1"],
            "relationship": ["employee"],
            "tier": ["EE"],
            "coverage_start": ["2026-01-01"],
        }
    )
    claims = pa.table(
        {
            "claim_id": ["C1", "C2"],
            "member_id": ["M1", "M1"],
            "line": ["medical", "medical"],
            "category": ["inpatient", "inpatient"],
            "incurred": ["2026-02-10", "2027-02-10"],
            "paid": ["2026-02-20", "2027-02-20"],
            "billed": ["400.00", "400.00"],
            "allowed": ["400.00", "400.00"],
        }
    )
    s = settle(rs, claims, enrollment, engine=engine)
    assert s.rejects.num_rows == 0
    assert s.ledger.column("status").to_pylist() == ["paid", "paid"]
    assert [str(v) for v in s.ledger.column("deductible").to_pylist()] == ["400.00", "100.00"]
    assert str(sum(s.ledger.column("member_paid").to_pylist())) == "560.00"
    assert str(sum(s.ledger.column("plan_paid").to_pylist())) == "240.00"
