"""The settlement stages work on narrowed integer columns (int8/int32 indices, days and codes).

The reader may store indices, days and codes in the smallest integer type that holds them (cents
stay int64). Settling the same scenario from int64 columns and from narrowed ones must give the same
ledger and summary.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from hypothesis import HealthCheck, given, settings

from aso_rules.settle.vector.columns import ClaimColumns, MemberColumns
from aso_rules.settle.vector.reader import read_claims_fast, read_enrollment_fast
from aso_rules.settle.vector.settle import settle_columns
from tests.strategies.scenarios import settle_scenarios

CENTS = {"billed", "allowed", "weekly", "annual"}
BYTES = {"line", "network", "category", "cause", "tier"}


def narrowed(columns: Any) -> Any:
    """``columns`` with every non-cents int64 array as int8 (small codes) or int32."""
    changes = {}
    for field in attrs.fields(type(columns)):
        value = getattr(columns, field.name)
        if isinstance(value, np.ndarray) and value.dtype == np.int64 and field.name not in CENTS:
            small = np.int8 if field.name in BYTES else np.int32
            if not len(value) or (np.iinfo(small).min <= value.min() and value.max() <= np.iinfo(small).max):
                changes[field.name] = value.astype(small)
    return attrs.evolve(columns, **changes)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(settle_scenarios(corrupt=False))
def test_settle_columns__narrowed_columns_settle_the_same(scenario: Any) -> None:
    """Ledger and summary from narrowed claim and member columns equal those from int64 columns."""
    rs, claims, enrollment = scenario
    enrolled = read_enrollment_fast(enrollment, rs)
    read = read_claims_fast(claims, rs, enrolled.members, enrolled.records)
    wide = settle_columns(rs, read, enrolled.members, enrolled.records, enrolled.rejects)
    members: MemberColumns = narrowed(enrolled.members)
    small: ClaimColumns = narrowed(read.claims)
    narrow = settle_columns(rs, attrs.evolve(read, claims=small), members, enrolled.records, enrolled.rejects)
    assert narrow.summary == wide.summary
    assert narrow.ledger.equals(wide.ledger)
