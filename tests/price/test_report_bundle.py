"""``aso price --plotly cdn``: the same report without the 4.8 MB plotly.js bundle inlined."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aso_rules.cli import main

pytest.importorskip("plotly")
ROOT = Path(__file__).resolve().parents[2]


def report(tmp_path: Path, plotly: str) -> str:
    out = tmp_path / plotly
    assert main(["price", str(ROOT / "rulesets" / "acme-2026.aso"), "--enrollment",
                 str(ROOT / "examples" / "acme-enrollment.csv"), "--simulations", "0",
                 "--out", str(out), "--plotly", plotly]) == 0  # fmt: skip
    return (out / "report.html").read_text(encoding="utf-8")


def test_cdn_report__small_and_the_same_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inline, cdn = report(tmp_path, "inline"), report(tmp_path, "cdn")
    assert len(inline) > 3_000_000 and len(cdn) < 100_000
    tag = re.compile(r'<script[^>]* src="https://cdn\.plot\.ly/')
    assert tag.search(cdn) and not tag.search(inline)

    def cards(page: str) -> list[str]:
        return re.findall(r'<div class="card"><div class="v">([^<]*)</div>', page)

    assert cards(cdn) == cards(inline) and cards(cdn)
