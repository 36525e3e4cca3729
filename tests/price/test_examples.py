"""Every example ruleset prices end to end through ``aso price`` (the real loader), with its example
enrollment where one exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aso_rules.cli import main

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets").glob("*.aso"))
FALLBACK = ROOT / "examples" / "small-employer-60-enrollment.csv"


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda p: p.stem)
def test_price_cmd__example_rulesets(
    ruleset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0, report.html written, and a price.json whose employer cost percentiles are ordered."""
    enrollment = ROOT / "examples" / f"{ruleset.stem}-enrollment.csv"
    if not enrollment.exists():
        enrollment = FALLBACK
    if not enrollment.exists():
        pytest.skip("no example enrollment file")
    code = main(["price", str(ruleset), "--enrollment", str(enrollment), "--out", str(tmp_path),
                 "--simulations", "200", "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads(captured.out)
    assert (tmp_path / "report.html").exists()
    ec = summary["employer_cost"]
    values = [float(ec[k]) for k in ("p50", "p75", "p90", "p95", "p99")]
    assert values == sorted(values)
