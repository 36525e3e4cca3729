"""The vector engine's first run says it is compiling; later runs, in other processes, load the
kernels from numba's cache and say nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aso_rules.settle.vector import warmup

ROOT = Path(__file__).resolve().parents[2]
SETTLE = [
    sys.executable, "-m", "aso_rules", "settle", str(ROOT / "rulesets" / "acme-2026.aso"),
    "--claims", str(ROOT / "examples" / "acme-claims.csv"),
    "--enrollment", str(ROOT / "examples" / "acme-enrollment.csv"), "--engine", "vector",
]  # fmt: skip


def test_announce__prints_once_when_the_kernels_are_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup, "_announced", False)
    monkeypatch.setattr(warmup, "needs_compiling", lambda: True)
    out = io.StringIO()
    assert warmup.announce(out) is True
    assert warmup.announce(out) is False
    assert out.getvalue() == "compiling settlement kernels (first run only)\n"


def test_announce__silent_when_the_kernels_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup, "_announced", False)
    monkeypatch.setattr(warmup, "needs_compiling", lambda: False)
    out = io.StringIO()
    assert warmup.announce(out) is False
    assert out.getvalue() == ""


@pytest.mark.slow
def test_first_run__announces_and_a_second_process_loads_the_cache(tmp_path: Path) -> None:
    """A fresh cache folder: the first process compiles (and says so), the second does not."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run([*SETTLE, "--out", str(tmp_path / f"out{k}")], env=env, capture_output=True,
                       text=True, timeout=1800, check=False)
        for k in (1, 2)
    ]  # fmt: skip
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    assert warmup.MESSAGE in runs[0].stderr
    assert warmup.MESSAGE not in runs[1].stderr
    assert any((tmp_path / "cache").rglob("*.nbi"))
    assert (tmp_path / "out1" / "summary.json").read_text() == (
        tmp_path / "out2" / "summary.json"
    ).read_text()
