"""Speed and memory of the vector settlement engine against the reference engine, in one run.

One command: ``PYTHONPATH=. python benchmarks/bench_vector.py [--lines 1000000 10000000]``.
For each size it generates a seeded realistic mix with the project's generator (medical, rx, dental
and STD lines of families, about 21 lines per employee; 2.1 members per employee) settled under
rulesets/acme-2026.aso (copays, deductibles and out-of-pocket maxima, visit and dollar limits,
out-of-network terms, rx sharing medical's out-of-pocket, dental classes, STD, two stacked specific
stop-loss tiers with a laser, an aggregate contract, fees), writes it as Parquet and measures:

* engine: ``settle_columns`` on inputs already in memory (adjudication, stop-loss, fees, summary,
  reasons; no file I/O), lines per second;
* floor: one pass reading the input columns the engine reads (``np.add.reduce`` over each), the
  memory-bandwidth floor measured the same way, and the engine's ratio to it;
* reference: the reference engine (records already read: adjudication, stop-loss, fees, outputs)
  on the first ``--reference-lines`` lines of the smallest size, and the vector engine's ratio;
* end to end: ``aso settle --engine vector``, Parquet in and Parquet out, in a fresh process:
  wall time and peak resident memory (bytes per claim line); ``--stages`` adds, per stage (reading
  enrollment, reading claims, settling, writing), its time, its own memory high-water mark and the
  resident memory it leaves.

Absolute numbers move ±30% on a shared machine; ratios measured in the same run are steadier.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aso_rules  # noqa: E402
from aso_rules.data.generate import generate_claims, generate_enrollment  # noqa: E402
from aso_rules.settle.vector.reader import read_claims_fast, read_enrollment_fast  # noqa: E402
from aso_rules.settle.vector.settle import settle_columns  # noqa: E402

RULESET = ROOT / "rulesets" / "acme-2026.aso"
LINES_PER_EMPLOYEE = 50


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def floor_pass(claims) -> float:  # type: ignore[no-untyped-def]
    """One pass over the input columns the engine reads: the memory-bandwidth floor."""
    cols = [
        claims.member, claims.family, claims.line, claims.network, claims.category, claims.incurred,
        claims.paid, claims.billed, claims.allowed, claims.code, claims.units, claims.cid_rank,
    ]  # fmt: skip

    def run() -> None:
        for c in cols:
            np.add.reduce(c)

    return best_of(run, 5)


def reference_time(rs, claims_path: Path, enroll_path: Path, n: int) -> float:  # type: ignore[no-untyped-def]
    from aso_rules.data.readers import read_claims, read_enrollment
    from aso_rules.settle import assemble
    from aso_rules.settle.adjudicate import adjudicate

    table = pq.read_table(claims_path).slice(0, n)
    members = {m.member_id: m for m in read_enrollment(str(enroll_path), rs).members}
    records = read_claims(table, rs, members)
    t = time.perf_counter()
    lines = adjudicate(rs, members, list(records.claims))
    assemble(
        rs, members, lines, columns=records.columns, claim_rejects=records.rejects, received=records.received
    )
    return time.perf_counter() - t


# Run in the child with --stages: each stage of ``aso settle`` reports its wall time, its own memory
# high-water mark (VmHWM, reset between stages through /proc/self/clear_refs) and the resident
# memory it leaves behind.
STAGES_PROBE = """
import time, sys
from aso_rules.settle.vector import output, settle
def status():
    out = {}
    for line in open('/proc/self/status'):
        if line.startswith(('VmHWM', 'VmRSS')):
            out[line.split(':')[0]] = int(line.split()[1]) * 1024
    return out
last = [time.perf_counter()]
def mark(stage):
    s = status()
    sys.stderr.write(f"STAGE {stage} {time.perf_counter() - last[0]:.3f} {s['VmHWM']} {s['VmRSS']}\\n")
    with open('/proc/self/clear_refs', 'w') as fh:
        fh.write('5')
    last[0] = time.perf_counter()
def staged(module, name, stage):
    inner = getattr(module, name)
    def run(*args, **kwargs):
        result = inner(*args, **kwargs)
        mark(stage)
        return result
    setattr(module, name, run)
mark('start: Python and the vector engine loaded')
staged(settle, 'read_enrollment_fast', 'ruleset parsed, enrollment read')
staged(settle, 'read_claims_fast', 'claims read and validated')
staged(settle, 'settle_columns', 'settled (adjudication, stop-loss, fees, summary)')
staged(output, 'write_vector_outputs', 'ledger, rejects and summary written')
"""


def end_to_end(
    claims_path: Path, enroll_path: Path, out: Path, stages: bool = False
) -> tuple[float, int, list[tuple[str, float, int, int]]]:
    cmd = [
        sys.executable, "-m", "aso_rules", "settle", str(RULESET), "--claims", str(claims_path),
        "--enrollment", str(enroll_path), "--out", str(out), "--engine", "vector",
        "--ledger-format", "parquet", "--json",
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # the child reports its own high-water mark (VmHWM): a forked child's ru_maxrss would count the
    # pages it shared with this (large) process before exec
    probe = (STAGES_PROBE if stages else "") + (
        "import runpy, sys, atexit\n"
        "def report():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM'): sys.stderr.write('PEAK ' + line.split()[1] + '\\n')\n"
        "atexit.register(report)\n"
        "sys.argv = ['aso'] + sys.argv[1:]\n"
        "runpy.run_module('aso_rules', run_name='__main__')\n"
    )
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *cmd[3:]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    peak_kib = int(next(x.split()[1] for x in done.stderr.splitlines() if x.startswith("PEAK")))
    marks = []
    for x in done.stderr.splitlines():
        if x.startswith("STAGE "):
            *label, seconds, hwm, rss = x[len("STAGE ") :].split(" ")
            marks.append((" ".join(label), float(seconds), int(hwm), int(rss)))
    peak = peak_kib * 1024
    if marks:  # each stage reset the high-water mark: the run's peak is the highest stage's
        peak = max(peak, *(hwm for _, _, hwm, _ in marks))
    return wall, peak, marks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--reference-lines", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-end-to-end", action="store_true")
    ap.add_argument(
        "--stages",
        action="store_true",
        help="end to end: print each stage's time, memory high-water mark and resident memory",
    )
    args = ap.parse_args()
    rs = aso_rules.load(str(RULESET))
    ref_rate = None
    print(f"{'lines':>12} {'engine s':>9} {'lines/s':>12} {'floor lines/s':>14} {'x floor':>8} "
          f"{'x reference':>11} {'e2e s':>7} {'peak B/line':>11}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in args.lines:
            enrollment = generate_enrollment(max(n // LINES_PER_EMPLOYEE, 10), rs.plan_year, args.seed)
            claims = generate_claims(enrollment, n, rs.plan_year, args.seed)
            cpath, epath = work / f"claims-{n}.parquet", work / f"enrollment-{n}.parquet"
            pq.write_table(claims, cpath)
            pq.write_table(enrollment, epath)
            del claims, enrollment
            fe = read_enrollment_fast(str(epath), rs)
            read = read_claims_fast(str(cpath), rs, fe.members, fe.records)
            inputs = (rs, read, fe.members, fe.records, fe.rejects)
            settle_columns(*inputs)  # compile and warm
            engine = best_of(lambda inputs=inputs: settle_columns(*inputs), 3)
            floor = floor_pass(read.claims)
            rate = n / engine
            if ref_rate is None:
                m = min(n, args.reference_lines)
                ref_rate = m / reference_time(rs, cpath, epath, m)
            del read, fe, inputs
            wall, peak, marks = (
                (float("nan"), 0, [])
                if args.no_end_to_end
                else end_to_end(cpath, epath, work / f"out-{n}", args.stages)
            )
            print(f"{n:>12,} {engine:>9.3f} {rate:>12,.0f} {n / floor:>14,.0f} {rate / (n / floor):>8.3f} "
                  f"{rate / ref_rate:>11,.0f} {wall:>7.1f} {peak / n:>11,.0f}", flush=True)  # fmt: skip
            for label, seconds, hwm, rss in marks:
                mib = 2**20
                print(f"{'':>12} stage {label:<50} {seconds:>7.2f} s  peak {hwm / mib:>7,.0f} MiB "
                      f"({hwm / n:>5,.0f} B/line)  resident after {rss / mib:>7,.0f} MiB")  # fmt: skip
    print(
        f"reference engine: {ref_rate:,.0f} lines/s (first {args.reference_lines:,} lines of the first size)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
