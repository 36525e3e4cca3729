"""Tracking against the truth on generated plan years (tests/track/accuracy.py; the 50-seed sweep is
``benchmarks/track_accuracy.py``, its last result in docs/tracking.md).

The default suite runs a small group (400 employees, 8,000 lines) on 3 seeds: loose bounds that
catch a broken method; the sweep measures the accuracy."""

from __future__ import annotations

import pytest

from tests.track import accuracy

pytest.importorskip("scipy")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    ruleset = accuracy.study_ruleset()
    out: list[dict[str, object]] = []
    for seed in (1, 2, 3):
        out += accuracy.run_seed(ruleset, seed, simulations=1000)
    return out


def test_projection_and_ibnr_are_near_the_truth(rows: list[dict[str, object]]) -> None:
    bounds = {3: (2.0, 0.15), 6: (0.6, 0.15), 9: (0.5, 0.12)}  # (IBNR, projection) relative error
    for r in rows:
        ibnr_bound, proj_bound = bounds[int(r["month"])]  # type: ignore[call-overload]
        assert abs(float(r["ibnr_error"])) < ibnr_bound, r  # type: ignore[arg-type]
        assert abs(float(r["projection_error"])) < proj_bound, r  # type: ignore[arg-type]
    # the projection improves as the year matures: month 9 beats month 3 on average
    mean = {m: sum(abs(float(r["projection_error"])) for r in rows if r["month"] == m) / 3 for m in (3, 9)}  # type: ignore[arg-type, misc]
    assert mean[9] <= mean[3] + 0.02


def test_table_renders(rows: list[dict[str, object]]) -> None:
    text = accuracy.table(rows)
    assert text.count("| month ") == 3
