"""Output folders are whole or absent: ``aso settle`` killed at random moments never leaves a partial
folder, an earlier run's files never stay behind, and a folder no run wrote is refused.

No timing is assumed: each kill lands at a random delay and either outcome (absent, or complete and
consistent) is accepted; a partial folder is the only failure.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aso_rules.outputs import SETTLE_FILES, OutputRefused, output_folder

ROOT = Path(__file__).resolve().parents[2]
RULESET = ROOT / "rulesets" / "acme-2026.aso"
ENROLLMENT = ROOT / "examples" / "acme-enrollment.csv"


def _large_claims(path: Path, copies: int) -> Path:
    """The acme claims repeated ``copies`` times with fresh claim ids (5,000 lines a copy)."""
    lines = (ROOT / "examples" / "acme-claims.csv").read_text().splitlines()
    with path.open("w") as fh:
        fh.write(lines[0] + "\n")
        for k in range(copies):
            for line in lines[1:]:
                fh.write(f"K{k}-{line}\n")
    return path


def _settle(claims: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "aso_rules", "settle", str(RULESET), "--claims", str(claims),
         "--enrollment", str(ENROLLMENT), "--out", str(out), "--engine", "reference", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )  # fmt: skip


def _assert_absent_or_complete(out: Path) -> bool:
    """True when ``out`` is a complete, consistent settle folder; False when absent."""
    if not out.exists():
        return False
    names = {p.name for p in out.iterdir()}
    assert {"ledger.csv", "rejects.csv", "summary.json"} <= names <= SETTLE_FILES, names
    summary = json.loads((out / "summary.json").read_text())
    with (out / "ledger.csv").open(newline="") as fh:
        ledger = list(csv.DictReader(fh))
    with (out / "rejects.csv").open(newline="") as fh:
        rejects = list(csv.DictReader(fh))
    counts = summary["counts"]
    assert len(ledger) == counts["settled"] and len(rejects) == counts["rejected"]
    assert counts["received"] == counts["settled"] + counts["rejected"]
    assert all(row["claim_id"] for row in ledger)  # no row cut short
    return True


def _kill_runs(tmp_path: Path, kills: int, copies: int, seed: int) -> None:
    claims = _large_claims(tmp_path / "claims.csv", copies)
    rng = random.Random(seed)
    start = time.monotonic()
    probe = _settle(claims, tmp_path / "probe")
    probe.wait()
    span = max(time.monotonic() - start, 0.5)  # how long one run takes here, to spread the kills
    assert _assert_absent_or_complete(tmp_path / "probe")
    out = tmp_path / "out"
    for _ in range(kills):
        proc = _settle(claims, out)
        time.sleep(rng.uniform(0, span * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _assert_absent_or_complete(out)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
        assert all(".partial-" in n or ".old-" in n for n in leftovers)
    # the next run completes and clears what the killed ones left beside the folder
    final = _settle(claims, out)
    assert final.wait() == 0
    assert _assert_absent_or_complete(out)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_settle_killed_at_random_moments_leaves_no_partial_folder(tmp_path: Path) -> None:
    _kill_runs(tmp_path, kills=3, copies=1, seed=14)


@pytest.mark.slow
def test_settle_killed_many_times_leaves_no_partial_folder(tmp_path: Path) -> None:
    _kill_runs(tmp_path, kills=8, copies=2, seed=int.from_bytes(os.urandom(2), "big"))


def test_an_earlier_runs_files_never_stay_behind(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "ledger.parquet").write_text("an earlier run's ledger")
    (out / "enrollment_rejects.csv").write_text("row,claim_id,reason,line\n")
    with output_folder(out, SETTLE_FILES) as partial:
        (partial / "ledger.csv").write_text("new\n")
        assert not (out / "ledger.csv").exists()  # nothing is visible before the run completes
    assert sorted(p.name for p in out.iterdir()) == ["ledger.csv"]


def test_a_failed_run_leaves_the_earlier_folder_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    with pytest.raises(RuntimeError), output_folder(out, SETTLE_FILES) as partial:
        (partial / "ledger.csv").write_text("half")
        raise RuntimeError("killed")
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_other_entries_are_carried_over_and_a_big_foreign_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aso_rules import outputs

    out = tmp_path / "out"
    (out / "acme").mkdir(parents=True)
    (out / "acme" / "ledger.csv").write_text("another run's")
    (out / "notes.txt").write_text("mine")
    (out / "link").symlink_to("notes.txt")
    with output_folder(out, SETTLE_FILES) as partial:
        (partial / "summary.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == ["acme", "link", "notes.txt", "summary.json"]
    assert (out / "acme" / "ledger.csv").read_text() == "another run's"
    assert (out / "link").is_symlink() and (out / "link").read_text() == "mine"
    monkeypatch.setattr(outputs, "MAX_CARRIED", 2)
    with (
        pytest.raises(OutputRefused, match="more than 2 files no run writes"),
        output_folder(out, SETTLE_FILES),
    ):
        pass
    assert sorted(p.name for p in out.iterdir()) == ["acme", "link", "notes.txt", "summary.json"]


def test_settle_cli_refuses_an_out_that_is_a_file_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "project.txt"
    out.write_text("keep me")
    proc = _settle(ROOT / "examples" / "acme-claims.csv", out)
    assert proc.wait() == 2
    assert out.read_text() == "keep me"


def test_settle_and_price_share_a_folder(tmp_path: Path) -> None:
    """The other command's files are carried over (scripts/demo settles and prices into out/acme)."""
    from aso_rules.outputs import PRICE_FILES

    out = tmp_path / "acme"
    with output_folder(out, SETTLE_FILES) as partial:
        (partial / "ledger.csv").write_text("ledger\n")
    with output_folder(out, PRICE_FILES) as partial:
        (partial / "price.json").write_text("{}")
    with output_folder(out, SETTLE_FILES) as partial:
        (partial / "ledger.parquet").write_text("new ledger")
    assert sorted(p.name for p in out.iterdir()) == ["ledger.parquet", "price.json"]
    assert (out / "price.json").read_text() == "{}"
