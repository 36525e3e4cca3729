"""Differential tests of the distributed engine on whole generated scenarios: every rule-file
feature the engines settle (limits, shared accumulators, dental classes and waiting periods, STD,
LTD through the reference fallback, fee schedules, stacked specific tiers with lasers, ASD,
percentages and maxima, every aggregate option, fees) and corrupted input cells, for any input
partitioning and number of family buckets: ledger, rejects and summary.json equal the reference
engine's (run in-process with the stand-in client)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.settle import settle
from aso_rules.settle.distributed import settle_dask
from tests.dask.inline import InlineClient
from tests.strategies.scenarios import settle_scenarios

FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))


def assert_dask_same(scenario: Any, rows_per_part: int, buckets: int, out: Path) -> None:
    rs, claims, enrollment = scenario
    ref = settle(rs, claims, enrollment, engine="reference")
    got = settle_dask(
        rs,
        claims,
        enrollment,
        client=InlineClient(),
        out_dir=out,
        rows_per_part=rows_per_part,
        buckets=buckets,
    )
    assert got.summary == ref.summary
    assert got.rejects.equals(ref.rejects)
    assert got.enrollment_rejects.equals(ref.enrollment_rejects)
    ledger: pa.Table = got.ledger
    assert ledger.schema == ref.ledger.schema
    for name in ref.ledger.column_names:
        assert ledger.column(name).to_pylist() == ref.ledger.column(name).to_pylist(), name


@FAST
@given(settle_scenarios(), st.integers(1, 40), st.integers(1, 7))
def test_dask__equals_reference_on_generated_scenarios(
    tmp_path_factory: pytest.TempPathFactory, scenario: Any, rows_per_part: int, buckets: int
) -> None:
    """Every ledger column, reject and summary figure equal the reference engine's, whatever the
    input partitions and family buckets."""
    assert_dask_same(scenario, rows_per_part, buckets, tmp_path_factory.mktemp("out"))


@pytest.mark.slow
@SLOW
@given(settle_scenarios(), st.integers(1, 40), st.integers(1, 7))
def test_dask__equals_reference_on_a_large_sweep(
    tmp_path_factory: pytest.TempPathFactory, scenario: Any, rows_per_part: int, buckets: int
) -> None:
    """The same comparison over a larger sweep (CI runs slow tests)."""
    assert_dask_same(scenario, rows_per_part, buckets, tmp_path_factory.mktemp("out"))
