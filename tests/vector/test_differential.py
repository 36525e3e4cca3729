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

from aso_rules.settle import settle
from tests.vector.scenarios import settle_scenarios

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


@pytest.mark.slow
@SLOW
@given(settle_scenarios())
def test_vector__equals_reference_on_a_large_sweep(scenario: Any) -> None:
    """The same comparison over a larger sweep (CI runs slow tests)."""
    assert_same(*scenario)
