"""Progress in claim lines across reading, settling and writing: every line is counted once per
stage, in every single-machine engine, and nothing is shown outside ``tracking``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import aso_rules
from aso_rules import progress

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = str(ROOT / "examples" / "acme-claims.csv")
ENROLLMENT = str(ROOT / "examples" / "acme-enrollment.csv")


@pytest.mark.parametrize("engine", ["reference", "vector"])
def test_tracking__counts_each_line_read_settled_and_written(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rs = aso_rules.load(str(ROOT / "rulesets" / "acme-2026.aso"))
    seen: list[str] = []
    with progress.tracking(5000) as bar:
        assert bar is not None
        describe = bar.set_description

        def record(name: str, *args: Any, **kwargs: Any) -> None:
            seen.append(name)
            describe(name, *args, **kwargs)

        bar.set_description = record
        settlement = rs.settle(CLAIMS, ENROLLMENT, engine=engine)
        settlement.write(tmp_path)
        assert bar.n == 3 * 5000 == bar.total
    assert [s for i, s in enumerate(seen) if s not in seen[:i]] == list(progress.STAGES)
    assert "steps" in capsys.readouterr().err  # the bar drew on stderr


def test_tracking__an_estimate_too_low_grows_the_total() -> None:
    with progress.tracking(10) as bar:
        progress.advance(25)
        assert bar.n == 25 and bar.total == 30
        progress.advance(10)
        assert bar.total == 35


def test_outside_tracking__nothing_is_shown(capsys: pytest.CaptureFixture[str]) -> None:
    progress.stage("reading")
    progress.advance(100)
    with progress.tracking(100, enabled=False) as bar:
        assert bar is None
        progress.advance(100)
    assert capsys.readouterr().err == ""
