"""Float money and units converted in bulk give what printing each value and parsing it gives.

The readers' meaning of a float is the text of its ``repr`` (``source.column_text``), parsed by
``fields.parse_money`` / ``parse_units``. ``floats.float_money`` converts without printing and marks
``fast`` only the values whose outcome it knows; the rest go to the reference row function. So:
every fast, present value has the printed text's cents; every empty one has empty text; and every
value the printed text accepts as a non-negative amount below 10^13 (negative zero aside) is fast,
so the bulk path is taken wherever it can be, not just sometimes.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aso_rules.data.fields import RowError, clean, parse_money, parse_units
from aso_rules.data.readers import read_claims, read_enrollment
from aso_rules.data.source import column_text
from aso_rules.money import to_cents
from aso_rules.settle.vector.floats import MONEY_BOUND, float_money, float_units
from aso_rules.settle.vector.reader import money_column, read_claims_fast, read_enrollment_fast
from tests.strategies.scenarios import settle_scenarios

SPECIAL = [
    0.0, -0.0, 5e-324, 2.2250738585072014e-308, -5e-324, math.nan, -math.nan, math.inf, -math.inf,
    0.1 + 0.2, 0.3, 0.01, 0.005, 0.015, 1.005, 123.456, 99999.999, 1e13, 1e13 - 0.01,
    9999999999999.99, 1.2e13, 1e15, 1e16, 1e22, 2.0**53, 2.0**53 + 2, -12.5, 1e-5, 12.3400001,
]  # fmt: skip

# two-decimal amounts, amounts with 3 to 6 decimals, and anything at all (subnormals, NaN, inf)
amounts = st.one_of(
    st.integers(0, 10**15).map(lambda c: c / 100),
    st.integers(-(10**6), 10**9).map(lambda c: c / 1000),
    st.integers(3, 6).flatmap(lambda p: st.decimals(min_value=0, max_value=10**12, places=p)).map(float),
    st.floats(allow_subnormal=True),
    st.floats(min_value=1e13, max_value=1e300),
    st.sampled_from(SPECIAL),
)


# below 1e15 dollars: larger amounts overflow int64 cents in every reader (a range the row rules
# are to reject), which is not what this test is about
readable = amounts.filter(lambda v: not abs(v) >= 1e15)


def _printed(value: float | None) -> Decimal | str | None:
    """The per-value path: the value's text (``column_text``), then ``parse_money``; a reason string
    when it is rejected."""
    text = column_text(pa.chunked_array([pa.array([value], type=pa.float64())]))[0]
    try:
        return parse_money(clean(text), "billed")
    except RowError as err:
        return err.reason
    except InvalidOperation:  # parse_money cannot quantize amounts past 1e26: never a fast value
        return "InvalidOperation"


FAST = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
float_lists = st.lists(st.one_of(st.none(), amounts), min_size=1, max_size=20)


@FAST
@given(float_lists)
@example([*SPECIAL, None])
def test_float_money__fast_values_are_the_printed_values(values: list[float | None]) -> None:
    _check_money(values)


@pytest.mark.slow
@SLOW
@given(float_lists)
def test_float_money__fast_values_are_the_printed_values__sweep(values: list[float | None]) -> None:
    """The same over a larger sweep (CI runs slow tests)."""
    _check_money(values)


def _check_money(values: list[float | None]) -> None:
    arr = pa.array(values, type=pa.float64())
    cents, present, fast = float_money(arr)
    for i, v in enumerate(values):
        want = _printed(v)
        if fast[i] and present[i]:
            assert isinstance(want, Decimal) and want >= 0, (v, want)
            assert int(cents[i]) == to_cents(want), (v, want)
        if not present[i]:
            assert want is None and fast[i], v
        if isinstance(want, Decimal) and v is not None and 0 <= v < MONEY_BOUND and math.copysign(1, v) > 0:
            assert fast[i] and present[i], (v, want)  # the bulk path is taken wherever it can be
    # the column reader takes the same path for float32 and float64 columns
    got = money_column(arr)
    assert got[0].tolist() == cents.tolist() and got[1].tolist() == present.tolist()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(), st.integers(-3, 10**6).map(float)), max_size=20))
@example([0.0, -0.0, 1.0, 2.5, 2.0**53, 2.0**53 + 2, 1e300, math.nan, math.inf, None])
def test_float_units__fast_values_are_the_printed_values(values: list[float | None]) -> None:
    units, fast = float_units(pa.array(values, type=pa.float64()))
    texts = column_text(pa.chunked_array([pa.array(values, type=pa.float64())]))
    for i, text in enumerate(texts):
        if fast[i]:
            assert int(units[i]) == parse_units(clean(text)), (values[i], text)


def _float(text: str, draw: Any) -> float:
    """The double of an amount's text; a drawn float for text that is no number (``"abc"``)."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return float(draw(readable))


def _as_floats(table: pa.Table, columns: tuple[str, ...], draw: Any) -> pa.Table:
    """``table`` with the money ``columns`` as float64: each value its text's double, or a float
    drawn from ``amounts`` (any float at all), so the column mixes exact amounts and bad ones."""
    for name in columns:
        if name not in table.column_names:
            continue
        texts = table.column(name).to_pylist()
        floats = [
            None if t in (None, "") else (draw(readable) if draw(st.integers(0, 3)) == 0 else _float(t, draw))
            for t in texts
        ]
        table = table.set_column(table.column_names.index(name), name, pa.array(floats, type=pa.float64()))
    return table


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(settle_scenarios(), st.data())
def test_read_claims_fast__float_money_reads_as_the_reference_reader(scenario: Any, data: Any) -> None:
    """Float money columns (claims and enrollment): the reference reader's rejects and records."""
    _check_reader(scenario, data)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(settle_scenarios(), st.data())
def test_read_claims_fast__float_money_reads_as_the_reference_reader__sweep(scenario: Any, data: Any) -> None:
    """The same over a larger sweep (CI runs slow tests)."""
    _check_reader(scenario, data)


def _check_reader(scenario: Any, data: Any) -> None:
    rs, claims, enrollment = scenario
    claims = _as_floats(claims, ("billed", "allowed", "weekly_earnings"), data.draw)
    enrollment = _as_floats(enrollment, ("annual_salary", "weekly_earnings"), data.draw)
    ref_enrolled = read_enrollment(enrollment, rs)
    fe = read_enrollment_fast(enrollment, rs)
    assert fe.rejects == ref_enrolled.rejects
    members = ref_enrolled.by_id()
    ref = read_claims(claims, rs, members)
    fast = read_claims_fast(claims, rs, fe.members, fe.records)
    assert fast.rejects == ref.rejects
    assert fast.claims.n == len(ref.claims)
    for i, want in enumerate(ref.claims):
        assert fast.claims.record(i, want.extra) == want
