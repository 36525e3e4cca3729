"""Differential tests: the vector engine and the reference engine agree on every output.

Whole scenarios (``scenarios.settle_scenarios``) are settled by both engines from the same input
tables; the ledger (every column, type and row), the rejects and summary.json must be equal (the
vector summary's extra ``engine`` key aside). The slow sweep runs many more examples in CI.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.settle import settle
from tests.strategies.scenarios import settle_scenarios

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))


def assert_same(rs: Any, claims: pa.Table, enrollment: pa.Table) -> Any:
    ref = settle(rs, claims, enrollment, engine="reference")
    vec = settle(rs, claims, enrollment, engine="vector")
    summary = dict(vec.summary)
    engine = summary.pop("engine")
    assert engine["name"] == "vector"
    assert summary == ref.summary
    assert vec.rejects.equals(ref.rejects)
    assert vec.enrollment_rejects.equals(ref.enrollment_rejects)
    ledger = vec.ledger
    assert ledger.schema == ref.ledger.schema
    for name in ref.ledger.column_names:
        assert ledger.column(name).to_pylist() == ref.ledger.column(name).to_pylist(), name
    return vec


@FAST
@given(settle_scenarios())
def test_vector__equals_reference_on_generated_scenarios(scenario: Any) -> None:
    """Every ledger column, every reject and every summary figure equal the reference engine's."""
    assert_same(*scenario)


@st.composite
def shuffled_scenarios(draw: st.DrawFn) -> tuple[Any, pa.Table, pa.Table]:
    """A scenario with its claim rows in a drawn order: claim ids no longer ascend with the rows,
    and families, members and dates come in any order."""
    rs, claims, enrollment = draw(settle_scenarios())
    if draw(st.booleans()):
        # few distinct dates: lines of one family often share a paid (and incurred) date, so the
        # claim id decides their order for accumulators, STD periods and stop-loss
        k = claims.num_rows
        paid = draw(st.lists(st.sampled_from(["2025-03-02", "2025-06-01"]), min_size=k, max_size=k))
        incurred = draw(st.lists(st.sampled_from(["2025-02-01", "2025-03-01"]), min_size=k, max_size=k))
        claims = claims.set_column(claims.schema.get_field_index("paid"), "paid", pa.array(paid))
        claims = claims.set_column(claims.schema.get_field_index("incurred"), "incurred", pa.array(incurred))
    rows = draw(st.permutations(range(claims.num_rows)))
    return rs, claims.take(pa.array(rows, type=pa.int64())), enrollment


@FAST
@given(shuffled_scenarios())
def test_vector__equals_reference_on_shuffled_rows(scenario: Any) -> None:
    """Input order does not matter to either engine beyond the row tie-break: still equal."""
    assert_same(*scenario)


@pytest.mark.slow
@SLOW
@given(settle_scenarios())
def test_vector__equals_reference_on_a_large_sweep(scenario: Any) -> None:
    """The same comparison over a larger sweep (CI runs slow tests)."""
    assert_same(*scenario)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(shuffled_scenarios())
def test_vector__equals_reference_on_a_large_shuffled_sweep(scenario: Any) -> None:
    """The shuffled comparison over a larger sweep (ties on dates decided by claim id)."""
    assert_same(*scenario)


@st.composite
def many_tier_scenarios(draw: st.DrawFn) -> tuple[Any, pa.Table, pa.Table]:
    """A scenario with 8-10 stacked specific tiers: more contracts than one byte of eligibility
    flags holds."""
    import attrs

    from tests.strategies.scenarios import specific_tier
    from tests.strategies.settle import cents

    rs, claims, enrollment = draw(settle_scenarios(corrupt=False))
    people = sorted(
        set(enrollment.column("member_id").to_pylist() + enrollment.column("family_id").to_pylist())
    )
    tiers = []
    sd = draw(cents(0, 500_000))
    for k in range(draw(st.integers(8, 10))):
        tier = draw(specific_tier(f"tier{k}", sd, people))
        tiers.append(tier)
        sd = sd + (tier.maximum or draw(cents(0, 300_000)))
    return attrs.evolve(rs, specific=tuple(tiers)), claims, enrollment


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(many_tier_scenarios())
def test_vector__equals_reference_with_many_specific_tiers(scenario: Any) -> None:
    """Nine or more contracts (eligibility spills into a second flag byte): still equal."""
    assert_same(*scenario)


@FAST
@given(shuffled_scenarios(), st.integers(1, 5))
def test_vector__equals_reference_with_tiny_blocks(scenario: Any, block: int) -> None:
    """The accumulator and stop-loss passes gather, settle and scatter their lines in blocks;
    blocks of 1-5 lines put block boundaries inside families and claimants: still equal."""
    from aso_rules.settle.vector import kernels

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kernels, "BLOCK", block)
        assert_same(*scenario)
