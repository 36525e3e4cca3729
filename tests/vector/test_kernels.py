"""The vector engine's integer building blocks against their Decimal and datetime definitions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.money import from_cents, round_money, to_cents
from aso_rules.settle.order import add_months, plan_year_of
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import claims_from_records, day_number, members_from_records
from aso_rules.settle.vector.engine import (
    BUCKET_LINES,
    CHUNKS,
    adjudicate_columns,
    chunk_bounds,
    family_chunks,
    family_order,
    plan_years,
)
from aso_rules.settle.vector.plan import fraction
from aso_rules.settle.vector.reader import read_claims_fast, read_enrollment_fast
from tests.strategies.scenarios import settle_scenarios

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
    """The plan year of a day over a table of days equals plan_year_of for any start of a
    12-month plan year (tests/vector/test_plan_years.py takes other lengths)."""
    from aso_rules.model import PlanYear
    from aso_rules.settle.order import add_months

    start = date(2025, month, dom)
    year = PlanYear(start=start, end=add_months(start, 12) - timedelta(days=1))
    days = np.array([day_number(day + timedelta(days=k)) for k in range(-3, 4)], dtype=np.int64)
    got = plan_years(days, year).tolist()
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


@st.composite
def grouped_inputs(draw: st.DrawFn) -> tuple[npt.NDArray[np.int64], int, npt.NDArray[np.int64]]:
    """Keys in 0..n_keys-1 (from one key to a few thousand, so that buckets hold one or many keys,
    and keys with no line) and a drawn order of the lines."""
    n_keys = draw(st.sampled_from([1, 2, 7, 255, 256, 257, 1000, 5000]))
    keys = draw(st.lists(st.integers(0, n_keys - 1), max_size=400))
    if len(keys) > 0 and draw(st.booleans()):  # the largest key always used, as with the engine's families
        keys[draw(st.integers(0, len(keys) - 1))] = n_keys - 1
    order = draw(st.permutations(range(len(keys))))
    return np.array(keys, dtype=np.int64), n_keys, np.array(order, dtype=np.int64)


@settings(max_examples=200, deadline=None)
@given(grouped_inputs(), st.sampled_from([np.int32, np.int64]))
def test_group_order__equals_one_counting_sort(data: Any, dtype: Any) -> None:
    """Bucket pass then per-bucket sorts give exactly the single counting sort's order, and each
    key's end is where its run ends (the running count of lines by key)."""
    keys, n_keys, order = data
    keys, order = keys.astype(dtype), order.astype(dtype)
    got, ends = kernels.group_order(keys, n_keys, order)
    assert got.dtype == order.dtype
    assert got.tolist() == kernels.counting_sort(keys, 0, n_keys, order).tolist()
    assert ends.tolist() == np.cumsum(np.bincount(keys, minlength=n_keys)).tolist()


@settings(max_examples=200, deadline=None)
@given(grouped_inputs(), st.integers(1, 12))
def test_family_order__equals_counting_sort_and_family_chunks(data: Any, chunks: int) -> None:
    """The engine's family order and chunk limits are the counting sort's and ``family_chunks``',
    for any number of chunks (more chunks than families included)."""
    fam, n_fam, order = data
    got, bounds = family_order(fam, n_fam, order, chunks)
    assert got.tolist() == kernels.counting_sort(fam, 0, n_fam, order).tolist()
    assert bounds.tolist() == family_chunks(fam, n_fam, chunks).tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2999), st.integers(0, 40)), max_size=400),
    st.sampled_from([1, 2, 7, 255, 257, 3000]),
    st.sampled_from([0, 1, 3_000_000]),
    st.integers(1, 12),
)
def test_family_order__by_day_equals_counting_sorts(
    lines: list[tuple[int, int]], n_fam: int, spread: int, chunks: int
) -> None:
    """Lines ordered by day alone (claim ids ascending with the rows), then grouped by family from
    the lines in input order: the same order and limits as the two counting sorts, for one day or
    many, and for a day span too wide to pack (``group_order`` then)."""
    fam = np.array([f % n_fam for f, _ in lines], dtype=np.int32)
    days = np.array(
        [20_000 + d * (spread // 40 if spread > 40 else 1) + (d if spread else 0) for _, d in lines]
    )
    days = days.astype(np.int64)
    n = len(lines)
    lo = int(days.min()) if n else 0
    n_days = int(days.max()) - lo + 1 if n else 1
    order = kernels.counting_sort(days, lo, n_days, np.arange(n, dtype=np.int32))
    by_rows = np.empty(n, dtype=np.int32)
    kernels.bucket_rows(days, lo, n_days, 2, by_rows)
    assert by_rows.tolist() == order.tolist()
    got, bounds = family_order(fam, n_fam, order, chunks, by_day=(days, lo, n_days))
    assert got.dtype == order.dtype
    assert got.tolist() == kernels.counting_sort(fam, 0, n_fam, order).tolist()
    assert bounds.tolist() == family_chunks(fam, n_fam, chunks).tolist()


@settings(max_examples=3, deadline=None)
@given(st.integers(1, 3), st.integers(0, 2**32 - 1), st.booleans())
def test_family_order__few_families_many_lines(n_fam: int, seed: int, by_day: bool) -> None:
    """So few families for so many lines that buckets would be huge: one counting sort, the same
    order and limits."""
    rng = np.random.default_rng(seed)
    n = BUCKET_LINES * 2 + 7
    fam = rng.integers(0, n_fam, n).astype(np.int32)
    days = rng.integers(0, 30, n).astype(np.int32)
    order = kernels.counting_sort(days, 0, 30, np.arange(n, dtype=np.int32))
    got, bounds = family_order(fam, n_fam, order, CHUNKS, by_day=(days, 0, 30) if by_day else None)
    assert np.array_equal(got, kernels.counting_sort(fam, 0, n_fam, order))
    assert bounds.tolist() == family_chunks(fam, n_fam, CHUNKS).tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=100))
def test_span__is_min_and_max(values: list[int]) -> None:
    """One pass gives the least and the greatest value."""
    assert kernels.span(np.array(values, dtype=np.int64)) == (min(values), max(values))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-3, 60), max_size=300),
    st.integers(0, 4),
    st.integers(1, 5),
    st.randoms(use_true_random=False),
)
def test_bucket_sort__is_a_stable_sort_by_bucket(keys: list[int], shift: int, parts: int, rnd: Any) -> None:
    """Lines ordered by bucket ``(key - lo) >> shift``, equal buckets in the incoming order, however
    many parallel parts; the starts are the running counts by bucket."""
    k = np.array(keys, dtype=np.int64)
    perm = np.arange(len(keys), dtype=np.int64)
    rnd.shuffle(perm)
    n_buckets = ((63 + 3) >> shift) + 1
    got, starts = kernels.bucket_sort(k, -3, shift, n_buckets, perm, parts)
    buckets = (k + 3) >> shift
    assert got.tolist() == perm[np.argsort(buckets[perm], kind="stable")].tolist()
    assert starts.tolist() == [0, *np.cumsum(np.bincount(buckets, minlength=n_buckets)).tolist()]


def test_chunk_bounds__no_lines() -> None:
    """No lines: one limit, 0, whatever the number of families (as ``family_chunks``)."""
    assert chunk_bounds(np.zeros(3, dtype=np.int64), 8).tolist() == [0]
    assert family_chunks(np.zeros(0, dtype=np.int64), 3, 8).tolist() == [0]


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


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(settle_scenarios(), st.data())
def test_adjudicate_columns__family_order_is_the_counting_sort_of_the_processing_order(
    scenario: Any, data: st.DataObject
) -> None:
    """On whole scenarios with some members left out of the enrollment (their lines' family is the
    claim's own): each line's family is its member's, else the claim's; the family order is the
    processing order stably sorted by family, cut where ``family_chunks`` cuts."""
    rs, claims_table, enrollment = scenario
    enrolled = read_enrollment_fast(enrollment, rs)
    read = read_claims_fast(claims_table, rs, enrolled.members, enrolled.records).claims
    records = [read.record(i) for i in range(read.n)]
    people = sorted(enrolled.records.values(), key=lambda m: m.member_id)
    kept = [m for m in people if data.draw(st.booleans())]
    members = members_from_records(kept, rs.tier_codes)
    claims = claims_from_records(records, members)
    adj = adjudicate_columns(rs, claims, members, member_records={m.member_id: m for m in kept})
    known = claims.member >= 0
    expected = claims.family.astype(np.int64)
    if members.n:
        expected[known] = members.family[claims.member[known]]
    assert adj.family.tolist() == expected.tolist()
    n_fam = int(expected.max()) + 1 if claims.n else 1
    assert adj.family_order.tolist() == kernels.counting_sort(expected, 0, n_fam, adj.order).tolist()
    assert adj.family_bounds.tolist() == family_chunks(expected, n_fam, CHUNKS).tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(0, 4)), max_size=200))
def test_term_index__indexes_present_keys_and_counts_their_lines(triples: list[tuple[int, int, int]]) -> None:
    """Each line's index is its key's rank among the keys present; the counts are lines per key."""
    line, network, category = (np.array([t[k] for t in triples], dtype=np.int64) for k in range(3))
    inverse, counts = kernels.term_index(line, network, category, 5, 4 * 2 * 5)
    keys = (line * 2 + network) * 5 + category
    present = np.unique(keys)
    assert inverse.tolist() == np.searchsorted(present, keys).tolist()
    assert counts.tolist() == np.bincount(keys, minlength=40).tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-3, 3), max_size=300), st.integers(-3, 3))
def test_flat_nonzero_and_flat_equal__are_numpys(values: list[int], value: int) -> None:
    """The compiled line lists are numpy's ``flatnonzero`` of the column and of ``column == value``."""
    v = np.array(values, dtype=np.int8)
    assert kernels.flat_nonzero(v).tolist() == np.flatnonzero(v).tolist()
    assert kernels.flat_equal(v.astype(np.int64), value).tolist() == np.flatnonzero(v == value).tolist()
