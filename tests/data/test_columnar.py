"""The columnar fast path accepts exactly the rows the row-by-row checks accept, with equal records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings

from aso_rules.data.columnar import fast_claims
from aso_rules.data.generate import generate_claims, generate_enrollment
from aso_rules.data.readers import CLAIMS_OPTIONAL, CLAIMS_REQUIRED, _read_claims, read_enrollment
from aso_rules.model import Ruleset
from tests.data.conftest import ENROLLMENT_CSV
from tests.data.plans import PLAN_YEAR_2026, acme_2026
from tests.data.test_claims_mix import Row, _members, mixes, table_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@settings(max_examples=60, deadline=None)
@given(mix=mixes())
def test_read_claims__columnar_and_row_paths_agree(mix: tuple[list[Row], dict[int, str]]) -> None:
    """On any mix of good and bad rows both paths give the same records and the same rejects."""
    ruleset = acme_2026()
    members = _members(ENROLLMENT_CSV, ruleset)
    table = table_of(mix[0])
    fast = _read_claims(table, ruleset, members, columnar=True)
    slow = _read_claims(table, ruleset, members, columnar=False)
    assert fast == slow


def test_read_claims__columnar_agrees_on_example_files(acme: Ruleset) -> None:
    """The example files (clean and bad) read the same through both paths."""
    members = read_enrollment(EXAMPLES / "acme-enrollment.csv", acme).by_id()
    for name in ("acme-claims.csv", "bad-claims.csv"):
        fast = _read_claims(EXAMPLES / name, acme, members, columnar=True)
        slow = _read_claims(EXAMPLES / name, acme, members, columnar=False)
        assert fast == slow, name


def test_fast_claims__accepts_clean_generated_data(acme: Ruleset) -> None:
    """Clean generated claims (typed, dictionary-encoded) all pass the columnar checks, so the fast
    path is the one that reads them, and the records equal the row-by-row ones."""
    enrollment = generate_enrollment(200, PLAN_YEAR_2026, seed=5)
    claims = generate_claims(enrollment, 3_000, PLAN_YEAR_2026, seed=5)
    members = read_enrollment(enrollment, acme).by_id()
    kinds = {name: c.kind for name, c in acme.coverages.items()}
    names = CLAIMS_REQUIRED + CLAIMS_OPTIONAL
    rows = fast_claims(claims, names, kinds, set(acme.excluded_lines), members, np.zeros(3_000, dtype=bool))
    assert rows is not None and rows.accepted.all()
    assert rows.records == list(_read_claims(claims, acme, members, columnar=False).claims)


def test_fast_claims__float_columns_take_the_row_path(acme: Ruleset) -> None:
    """A float column has no exact Arrow text, so the columnar path declines the whole table."""
    table = pa.table({"claim_id": ["C-1"], "billed": pa.array([1.5])})
    assert fast_claims(table, ("claim_id", "billed"), {}, set(), {}, np.zeros(1, dtype=bool)) is None


@pytest.mark.slow
@settings(max_examples=1_000, deadline=None)
@given(mix=mixes())
def test_read_claims__paths_agree_long_sweep(mix: tuple[list[Row], dict[int, str]]) -> None:
    """The long sweep of the path agreement and of received == accepted + rejected (run with -m slow)."""
    ruleset = acme_2026()
    members = _members(ENROLLMENT_CSV, ruleset)
    rows, expected = mix
    fast = _read_claims(table_of(rows), ruleset, members, columnar=True)
    assert fast == _read_claims(table_of(rows), ruleset, members, columnar=False)
    assert fast.received == len(fast.claims) + len(fast.rejects)
    assert {r.row: r.reason.split(":")[0] for r in fast.rejects} == expected
