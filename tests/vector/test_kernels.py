"""The vector engine's integer building blocks against their Decimal and datetime definitions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules.money import from_cents, round_money, to_cents
from aso_rules.settle.order import add_months, plan_year_of
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import day_number
from aso_rules.settle.vector.engine import family_chunks, plan_years
from aso_rules.settle.vector.plan import fraction

RATES = st.one_of(
    st.integers(0, 1000).map(lambda n: Decimal(n) / 1000),
    st.sampled_from([Decimal(x) for x in ("0.15", "0.25", "0.35", "0.5", "0.625", "0.3333", "1")]),
)
DAYS = st.dates(date(1990, 1, 1), date(2060, 12, 31))


@settings(max_examples=400, deadline=None)
@given(st.integers(-(10**11), 10**11), RATES, st.sampled_from(["half_up", "half_even"]))
def test_round_div__equals_decimal_rounding(cents: int, rate: Decimal, mode: str) -> None:
    """round(x * num / den) in integers equals round_money(x * rate) in either mode, ties included."""
    num, den = fraction(rate)
    expected = to_cents(round_money(from_cents(cents) * rate, mode))  # type: ignore[arg-type]
    assert kernels.round_div(cents, num, den, mode == "half_even") == expected


@settings(max_examples=200, deadline=None)
@given(DAYS, st.integers(-30, 30))
def test_add_months_day__equals_order_add_months(day: date, months: int) -> None:
    """Calendar-month arithmetic on day numbers equals order.add_months (end-of-month clamping)."""
    assert kernels.add_months_day(day_number(day), months) == day_number(add_months(day, months))


@settings(max_examples=100, deadline=None)
@given(DAYS, st.integers(1, 12), st.integers(1, 28))
def test_plan_years__equals_plan_year_of(day: date, month: int, dom: int) -> None:
    """The plan year of a day over a table of days equals plan_year_of for any plan-year start."""
    start = date(2025, month, dom)
    days = np.array([day_number(day + timedelta(days=k)) for k in range(-3, 4)], dtype=np.int64)
    got = plan_years(days, start).tolist()
    assert got == [plan_year_of(day + timedelta(days=k), start) for k in range(-3, 4)]


@settings(deadline=None)
@given(st.lists(st.integers(0, 20), max_size=200))
def test_counting_sort__is_a_stable_sort(keys: list[int]) -> None:
    """The counting sort orders by key (less its offset) and keeps the incoming order of equal keys."""
    k = np.array(keys, dtype=np.int64)
    perm = np.arange(len(keys), dtype=np.int64)[::-1].copy()
    got = kernels.counting_sort(k + 5, 5, 21, perm)
    expected = perm[np.argsort(k[perm], kind="stable")]
    assert got.tolist() == expected.tolist()


@settings(deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=300), st.integers(1, 10))
def test_family_chunks__cut_only_between_families(families: list[int], chunks: int) -> None:
    """Chunk limits start at 0, end at n, ascend, and never split one family's lines."""
    fam = np.sort(np.array(families, dtype=np.int64))
    bounds = family_chunks(fam, int(fam.max()) + 1, chunks).tolist()
    assert bounds[0] == 0 and bounds[-1] == len(fam)
    assert bounds == sorted(set(bounds))
    for b in bounds[1:-1]:
        assert fam[b - 1] != fam[b]
