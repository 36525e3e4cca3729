"""Posting guarantees: idempotence, refused batch re-use, closed months, rejects, the command line,
two processes posting at once, and a post killed with SIGKILL at random points."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import aso_rules.ledger as ledger_api
from aso_rules.cli import main
from aso_rules.ledger import BatchConflict, MonthClosed
from tests.ledger.helpers import batch_table, claim, reversal, write_batch, write_plan

ROOT = Path(__file__).resolve().parents[2]


def _counts(url: str) -> tuple[int, int, int]:
    with ledger_api.open(url) as led:
        q = led.store.query
        return (
            int(q("SELECT COUNT(*) FROM batches")[0][0]),
            int(q("SELECT COUNT(*) FROM claims")[0][0]),
            int(q("SELECT COUNT(*) FROM adjudications")[0][0]),
        )


def test_same_batch_twice_is_a_no_op_and_other_content_is_refused(ledger_url: str, tmp_path: Path) -> None:
    plan, enrollment = write_plan(tmp_path)
    first = [claim("c1", "A1", "2026-01-10", "100.00"), claim("c2", "B1", "2026-01-11", "200.00")]
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        assert led.post(batch_table(first), batch="jan").lines == 2
        again = led.post(batch_table(first), batch="jan")
        assert again.already_posted and again.lines == 0
        before = _counts(ledger_url)
        with pytest.raises(BatchConflict):
            led.post(batch_table([*first, claim("c3", "A1", "2026-01-12", "50.00")]), batch="jan")
        assert _counts(ledger_url) == before == (1, 2, 2)


def test_rejects_keep_ledger_rows_and_reasons(ledger_url: str, tmp_path: Path) -> None:
    """Rows are numbered across the ledger (batches in posting order); a claim id still current, an
    unknown reversal and a negative billed on an ordinary row are rejects with their reason."""
    plan, enrollment = write_plan(tmp_path)
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        led.post(batch_table([claim("c1", "A1", "2026-01-10", "100.00")]), batch="jan")
        result = led.post(
            batch_table(
                [
                    claim("c1", "A1", "2026-02-10", "100.00"),  # row 2: still current
                    reversal("r9", "A1", "2026-02-10", "nope", "1.00"),  # row 3: nothing to reverse
                    claim("c4", "A1", "2026-02-11", "-5.00"),  # row 4: negative billed
                    claim("c5", "B1", "2026-02-12", "10.00"),  # row 5: fine
                ]
            ),
            batch="feb",
        )
        assert (result.lines, result.rejected) == (1, 3)
        rejects = led.export().rejects.to_pylist()
        assert [(r["row"], r["claim_id"], r["reason"].split(":")[0]) for r in rejects] == [
            (2, "c1", "duplicate_claim_id"),
            (3, "r9", "reverses_unknown"),
            (4, "c4", "negative_billed"),
        ]


def test_a_correction_replaces_a_reversed_line_in_the_same_batch(ledger_url: str, tmp_path: Path) -> None:
    """Reverse c1 (allowed 1,500) and post its corrected amount 1,200 under the same claim id:
    the corrected line takes the deductible 1,000, coinsurance 20% x 200 = 40, plan 160."""
    plan, enrollment = write_plan(tmp_path)
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        led.post(batch_table([claim("c1", "A1", "2026-01-10", "1500.00")]), batch="jan")
        led.post(
            batch_table(
                [
                    reversal("c1", "A1", "2026-02-01", "c1", "1500.00"),
                    claim("c1", "A1", "2026-02-01", "1200.00"),
                ]
            ),
            batch="feb",
        )
        rows = led.export().ledger.to_pylist()
        assert [(r["claim_id"], f"{r['allowed']:.2f}", f"{r['plan_paid']:.2f}") for r in rows] == [
            ("c1", "1200.00", "160.00")
        ]
        assert [h["kind"] for h in led.history("c1")] == ["new", "reversed", "new"]


def test_a_closed_month_is_locked_until_reopened(ledger_url: str, tmp_path: Path) -> None:
    plan, enrollment = write_plan(tmp_path)
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        led.post(batch_table([claim("c1", "A1", "2026-01-10", "100.00")]), batch="jan")
        led.close_month("2026-01")
        with pytest.raises(MonthClosed):
            led.post(batch_table([claim("c2", "A1", "2026-01-31", "100.00")]), batch="late")
        assert _counts(ledger_url)[0] == 1
        led.close_month("2026-01", reopen=True)
        assert led.post(batch_table([claim("c2", "A1", "2026-01-31", "100.00")]), batch="late").lines == 1


def test_command_line_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan, enrollment = write_plan(tmp_path)
    db = str(tmp_path / "l.db")
    jan = write_batch(tmp_path / "jan.csv", [claim("c1", "A1", "2026-01-10", "1500.00")])
    other = write_batch(tmp_path / "other.csv", [claim("c9", "A1", "2026-01-11", "1.00")])
    assert main(["ledger", "init", db, "--ruleset", plan, "--enrollment", enrollment]) == 0
    assert main(["ledger", "init", db, "--ruleset", plan, "--enrollment", enrollment]) == 2
    assert main(["ledger", "post", db, "--claims", jan, "--batch", "jan"]) == 0
    assert main(["ledger", "post", db, "--claims", jan, "--batch", "jan"]) == 0
    assert "already posted" in capsys.readouterr().out
    assert main(["ledger", "post", db, "--claims", other, "--batch", "jan"]) == 2
    assert "other content; nothing changed" in capsys.readouterr().err
    assert main(["ledger", "post", str(tmp_path / "missing.db"), "--claims", jan, "--batch", "x"]) == 2
    assert main(["ledger", "close", db, "--month", "2026-13"]) == 2
    assert main(["ledger", "close", db, "--month", "2026-01", "--out", str(tmp_path / "st"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["claims_paid"]["plan_paid"] == "400.00"
    assert main(["ledger", "export", db, "--out", str(tmp_path / "exp"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["settled"] == 1
    assert sorted(p.name for p in (tmp_path / "exp").iterdir()) == [
        "ledger.csv",
        "rejects.csv",
        "summary.json",
    ]
    assert main(["ledger", "status", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["closed_months"] == ["2026-01"]
    assert main(["ledger", "history", db, "--claim", "c1"]) == 0
    assert main(["ledger", "history", db, "--claim", "zzz"]) == 2
    bad = tmp_path / "bad.aso"
    bad.write_text("ruleset {", encoding="utf-8")
    assert (
        main(["ledger", "init", str(tmp_path / "b.db"), "--ruleset", str(bad), "--enrollment", enrollment])
        == 1
    )


# --------------------------------------------------------------------------- processes

POSTER = """
import sys, time
import aso_rules.ledger as L
url, claims, batch, mode = sys.argv[1:5]
with L.open(url) as led:
    def hook():
        print("writing", flush=True)
        if mode == "slow":
            time.sleep(0.5)
    r = led.post(claims, batch=batch, engine="reference", before_write=hook)
    print("already" if r.already_posted else f"posted {r.lines}", flush=True)
"""


def _poster(url: str, claims: str, batch: str, mode: str = "fast") -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", POSTER, url, claims, batch, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _year(tmp_path: Path, n: int) -> list[dict[str, str]]:
    rng = random.Random(n)
    members = ["A1", "B1", "C1", "F1", "F2"]
    return [
        claim(
            f"k{i:05d}", rng.choice(members), f"2026-03-{rng.randint(1, 28):02d}", f"{rng.randint(1, 900)}.00"
        )
        for i in range(n)
    ]


def test_two_processes_posting_at_once_are_serialised(ledger_url: str, tmp_path: Path) -> None:
    """Two different batches at once: both land, in one order, with disjoint ledger rows; the same
    batch from two processes at once: one posts it, the other finds it already posted."""
    plan, enrollment = write_plan(tmp_path)
    rows = _year(tmp_path, 400)
    one = write_batch(tmp_path / "one.csv", rows[:200])
    two = write_batch(tmp_path / "two.csv", rows[200:])
    ledger_api.init(ledger_url, plan, enrollment).close()
    procs = [_poster(ledger_url, one, "one", "slow"), _poster(ledger_url, two, "two", "slow")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all(o[0].strip().endswith("posted 200") for o in outs)
    with ledger_api.open(ledger_url) as led:
        ranges = led.store.query("SELECT row_offset, rows_received FROM batches ORDER BY seq")
        assert [(int(a), int(b)) for a, b in ranges] == [(0, 200), (200, 200)]
        assert led.export().summary["counts"]["settled"] == 400
    three = write_batch(
        tmp_path / "three.csv", [claim(f"t{i}", "C1", "2026-04-01", "10.00") for i in range(200)]
    )
    procs = [_poster(ledger_url, three, "three", "slow"), _poster(ledger_url, three, "three", "slow")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert sorted(o[0].split()[-1] for o in outs) == ["200", "already"], outs


@pytest.mark.parametrize("when", ["writing", "anytime"])
def test_a_post_killed_at_random_points_leaves_a_batch_boundary(
    ledger_url: str, tmp_path: Path, when: str
) -> None:
    """SIGKILL a post while it writes (or at a random moment): the ledger holds the batches before
    it and nothing of it; posting the batch again completes it, equal to an uninterrupted post."""
    plan, enrollment = write_plan(tmp_path)
    rows = _year(tmp_path, 3000)
    first = write_batch(tmp_path / "first.csv", rows[:1000])
    second = write_batch(tmp_path / "second.csv", rows[1000:])
    ledger_api.init(ledger_url, plan, enrollment).close()
    with ledger_api.open(ledger_url) as led:
        led.post(first, batch="first")
    before = _counts(ledger_url)
    rng = random.Random(f"{when}-{ledger_url[:9]}")
    for attempt in range(3):
        proc = _poster(ledger_url, second, "second")
        if when == "writing":
            assert proc.stdout is not None
            said = proc.stdout.readline().strip()
            if said == "already":  # an earlier kill came after the commit: the batch is complete
                proc.communicate(timeout=60)
                assert _counts(ledger_url)[:2] == (2, 3000)
                break
            assert said == "writing"
            time.sleep(rng.uniform(0.0, 0.02))
        else:
            time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        counts = _counts(ledger_url)
        if counts != before:  # the kill came after the commit: the whole batch is there
            assert counts[:2] == (2, 3000), (attempt, counts)
    with ledger_api.open(ledger_url) as led:
        result = led.post(second, batch="second")
        assert result.already_posted or result.lines == 2000
        crashed = led.export()
    clean_url = str(tmp_path / "clean.db")
    with ledger_api.init(clean_url, plan, enrollment) as clean:
        clean.post(first, batch="first")
        clean.post(second, batch="second")
        expected = clean.export()
    assert crashed.summary == expected.summary
    assert crashed.ledger.equals(expected.ledger)


def test_a_new_enrollment_re_adjudicates_the_families_it_changes(ledger_url: str, tmp_path: Path) -> None:
    """January's batch pays C1's line of 2026-02-15 (covered, open enrollment). February's batch
    brings an enrollment in which C1's coverage ends on 2026-01-31: C1's family is re-adjudicated
    and that line is now denied (not covered); A1, with a new line, is settled; B1 is not read."""
    plan, enrollment = write_plan(tmp_path)
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        january = [claim("a1", "A1", "2026-01-10", "100.00"), claim("c1", "C1", "2026-02-15", "100.00")]
        led.post(batch_table(january), batch="jan")
        assert {r["claim_id"]: r["status"] for r in led.export().ledger.to_pylist()}["c1"] == "paid"
        lines = Path(enrollment).read_text().splitlines()
        ended = [lines[0] + ",coverage_end"]
        ended += [r + (",2026-01-31" if r.startswith("C1,") else ",") for r in lines[1:]]
        changed = tmp_path / "enrollment-feb.csv"
        changed.write_text("\n".join(ended) + "\n", encoding="utf-8")
        february = batch_table([claim("a2", "A1", "2026-02-20", "50.00")])
        result = led.post(february, batch="feb", enrollment=str(changed))
        assert (result.lines, result.readjudicated, result.families) == (1, 1, 2)
        rows = {r["claim_id"]: r for r in led.export().ledger.to_pylist()}
        assert (rows["c1"]["status"], rows["a1"]["status"], rows["a2"]["status"]) == (
            "denied",
            "paid",
            "paid",
        )
        assert [h["kind"] for h in led.history("c1")] == ["new", "readjudicated"]
        assert [h["kind"] for h in led.history("a1")] == ["new"]
