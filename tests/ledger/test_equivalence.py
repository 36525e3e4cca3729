"""A year posted in batches equals one settlement of the year.

Scenarios from the settlement strategies (rulesets with stop-loss, fees and disability; claims with
corrupt rows) are sorted by paid date, split at drawn paid dates into batches and posted in order to
a ledger with each engine; the export (every ledger column and type, the rejects, summary.json)
must equal one ``settle`` of the whole sorted table. A state round-trip through JSON is exact.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import aso_rules.ledger as ledger_api
from aso_rules.ledger import SettlementState
from aso_rules.settle import settle
from tests.strategies.scenarios import paid_date_batches, settle_scenarios
from tests.sweeps import examples

FAST = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def batched_years(draw: st.DrawFn) -> tuple[Any, Any, Any, list[Any]]:
    rs, claims, enrollment = draw(settle_scenarios())
    table, batches = draw(paid_date_batches(claims))
    return rs, table, enrollment, batches


def assert_equal_settlement(exported: Any, whole: Any) -> None:
    assert exported.summary == whole.summary
    assert exported.rejects.equals(whole.rejects)
    # The ledger keeps its enrollment as CSV text, so its enrollment rejects carry that text's file
    # lines even where the enrollment was handed to settle as a table (which has no lines).
    keep = ["row", "claim_id", "reason"]
    assert exported.enrollment_rejects.select(keep).equals(whole.enrollment_rejects.select(keep))
    assert exported.ledger.schema == whole.ledger.schema
    for name in whole.ledger.column_names:
        assert exported.ledger.column(name).to_pylist() == whole.ledger.column(name).to_pylist(), name


def _post_year(rs: Any, enrollment: Any, batches: list[Any], engine: str) -> tuple[Any, SettlementState]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        ledger_api.init(str(Path(tmp) / "l.db"), rs, enrollment) as led,
    ):
        for k, batch in enumerate(batches):
            result = led.post(batch, batch=f"b{k}", engine=engine)
            assert not result.already_posted
            if result.continued:
                event("a family continued from its carry")
        return led.export(), led.state


@FAST
@given(batched_years(), st.sampled_from(["reference", "vector"]))
def test_ledger__batches_posted_in_order_export_one_settlement(scenario: Any, engine: str) -> None:
    """Precondition: batches in paid order, no claim id across batches. Then the ledger, rejects and
    summary of the batches equal one settlement of the year, with either engine."""
    rs, table, enrollment, batches = scenario
    whole = settle(rs, table, enrollment, engine="reference")
    exported, state = _post_year(rs, enrollment, batches, engine)
    assert_equal_settlement(exported, whole)
    assert sum(len(v) for v in state.families.values()) == whole.summary["counts"]["settled"]
    assert SettlementState.from_json(state.to_json()) == state


@pytest.mark.slow
@settings(max_examples=examples(100, 400), deadline=None, suppress_health_check=list(HealthCheck))
@given(batched_years(), st.sampled_from(["reference", "vector"]))
def test_ledger__batches_equal_one_settlement_on_a_larger_sweep(scenario: Any, engine: str) -> None:
    """The same equivalence over a larger sweep (CI runs slow tests)."""
    rs, table, enrollment, batches = scenario
    exported, _state = _post_year(rs, enrollment, batches, engine)
    assert_equal_settlement(exported, settle(rs, table, enrollment, engine="reference"))
