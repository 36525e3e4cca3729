"""Scaling of the Dask engine from 1 to 2 workers, and its overhead against the vector engine.

One command: ``PYTHONPATH=. python benchmarks/bench_dask.py [--lines 1000000] [--employees N]
[--workers 1,2] [--files 8] [--seed 1] [--data DIR]``. Loads rulesets/acme-2026.aso and, in a child
process, generates a seeded book (``aso_rules.data.generate``, ``--employees`` default: one per 50
lines) into ``--data`` (default: a new temporary folder; an existing folder of the same book is
reused): the claims as a Parquet dataset of ``--files`` files (``claims/``) and as one Parquet file
(``claims.parquet``, for the single-machine run), and ``enrollment.parquet``. Then, on that input:

* ``vector``: ``settle_vector`` on ``claims.parquet`` and ``write(..., "parquet")`` (Parquet in;
  ledger, rejects and summary out) in a child process, timed after its imports, the ruleset and a
  2,000-line warm-up run: wall time, CPU and the child's peak resident memory;
* ``dask N``: ``settle_dask`` on a fresh ``LocalCluster`` of N worker processes of one thread each
  (numba limited to one thread: ``NUMBA_NUM_THREADS=1``), run twice; the second run is reported (the
  first loads the compiled kernels in each worker); the cluster start is excluded. Reported: wall
  time, the workers' CPU time, each worker's peak resident memory, and this (client) process's.

Every dask run's summary is checked equal to the vector run's (the process exits 1 otherwise). At
the end: the overhead of one worker against the vector engine and the speed-up from 1 to 2 workers.
Before and after the runs it measures how many cores two CPU-bound processes actually get on the
(shared) machine (the ceiling of the speed-up); each line shows the load average before its run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets" / "acme-2026.aso"


def generate(folder: str | Path, lines: int, employees: int, files: int, seed: int) -> None:
    """The book as ``claims/`` (``files`` Parquet files), ``claims.parquet`` and ``enrollment.parquet``."""
    import pyarrow.parquet as pq

    from aso_rules.data.generate import generate_claims, generate_enrollment
    from aso_rules.language.loader import load

    folder = Path(folder)
    rs = load(str(RULESET))
    enrollment = generate_enrollment(employees, rs.plan_year, seed=seed)
    claims = generate_claims(enrollment, lines, rs.plan_year, seed=seed)
    (folder / "claims").mkdir(parents=True, exist_ok=True)
    size = -(-claims.num_rows // files)
    for i in range(files):
        part = claims.slice(i * size, size)
        pq.write_table(part, folder / "claims" / f"claims-{i:03d}.parquet", row_group_size=250_000)
    pq.write_table(claims, folder / "claims.parquet", row_group_size=1_000_000)
    pq.write_table(enrollment, folder / "enrollment.parquet")


def _book(args: argparse.Namespace) -> Path:
    folder = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="aso-bench-dask-"))
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / "book.json"
    book = {"lines": args.lines, "employees": args.employees, "files": args.files, "seed": args.seed}
    if marker.exists() and json.loads(marker.read_text()) == book:
        print(f"input: reusing {folder}", flush=True)
        return folder
    t = time.perf_counter()
    code = f"from benchmarks.bench_dask import generate; generate({str(folder)!r}, {args.lines}, " + (
        f"{args.employees}, {args.files}, {args.seed})"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=_env())
    marker.write_text(json.dumps(book))
    print(f"input: generated in {time.perf_counter() - t:.1f} s into {folder}", flush=True)
    return folder


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f})"


VECTOR_RUN = """
import json, sys, time
import pyarrow.parquet as pq
from aso_rules.language.loader import load
from aso_rules.settle.vector.settle import settle_vector
ruleset, claims, enrollment, out = sys.argv[1:5]
rs = load(ruleset)
settle_vector(rs, pq.ParquetFile(claims).read_row_group(0).slice(0, 2000), enrollment)  # loads kernels
t, cpu = time.perf_counter(), time.process_time()
s = settle_vector(rs, claims, enrollment)
s.write(out, "parquet")
print(json.dumps({"wall": time.perf_counter() - t, "cpu": time.process_time() - cpu}))
"""


def run_vector(folder: Path) -> tuple[float, float, int, dict[str, Any]]:
    """(wall s, CPU s, peak RSS MiB, summary) of ``settle_vector`` and writing its outputs (ledger
    as Parquet), timed in a child process after its imports, the ruleset and a small warm-up run."""
    out = folder / "out-vector"
    argv = [sys.executable, "-c", VECTOR_RUN, str(RULESET), str(folder / "claims.parquet")]
    argv += [str(folder / "enrollment.parquet"), str(out)]
    done = subprocess.run(argv, check=True, cwd=ROOT, env=_env(), capture_output=True, text=True)
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    summary = json.loads((out / "summary.json").read_text())
    summary.pop("engine", None)
    return float(timing["wall"]), float(timing["cpu"]), peak, summary


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def run_dask(folder: Path, workers: int) -> tuple[float, float, float, list[int], dict[str, Any]]:
    """(cold wall s, wall s, worker CPU s, per-worker peak RSS MiB, summary) of ``settle_dask``."""
    import distributed

    from aso_rules.language.loader import load
    from aso_rules.settle.distributed import settle_dask

    rs = load(str(RULESET))
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit=0,
            env={"NUMBA_NUM_THREADS": "1"},
            silence_logs=logging.CRITICAL,  # the workers' complaints while the cluster closes
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        enrollment = folder / "enrollment.parquet"
        out = folder / f"out-dask-{workers}"
        t = time.perf_counter()
        settle_dask(rs, folder / "claims", enrollment, client=client, out_dir=out)
        cold = time.perf_counter() - t
        cpu_before = sum(client.run(_cpu).values())
        t = time.perf_counter()
        got = settle_dask(rs, folder / "claims", enrollment, client=client, out_dir=out)
        wall = time.perf_counter() - t
        cpu = sum(client.run(_cpu).values()) - cpu_before
        peaks = sorted(client.run(_peak_mib).values())
    return cold, wall, cpu, peaks, json.loads(json.dumps(got.summary, default=str))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=0, help="default: one per 50 lines")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default="", help="folder for the generated book (reused if it matches)")
    parser.add_argument("--skip-vector", action="store_true", help="only the Dask runs")
    parser.add_argument("--prepare", action="store_true", help="only generate the book into --data")
    args = parser.parse_args(argv)
    args.employees = args.employees or max(1, args.lines // 50)

    folder = _book(args)
    if args.prepare:
        return 0
    print(f"{args.lines:,} lines, {args.employees:,} employees, {args.files} files; {os.cpu_count()} cores")
    print(f"effective cores for two processes before: {effective_cores():.2f}  [{_load()}]", flush=True)
    results: dict[str, float] = {}
    want: dict[str, Any] | None = None
    if not args.skip_vector:
        load = _load()
        wall, cpu, peak, want = run_vector(folder)
        results["vector"] = wall
        print(
            f"vector (settle_vector + write): {wall:7.1f} s  {args.lines / wall:>10,.0f} lines/s  "
            f"CPU {cpu:.1f} s  peak RSS {peak:,} MiB  [{load}]",
            flush=True,
        )
    for n in (int(x) for x in args.workers.split(",")):
        load = _load()
        cold, wall, cpu, peaks, summary = run_dask(folder, n)
        results[f"dask {n}"] = wall
        same = "" if want is None else ("summary equal" if summary == want else "SUMMARY DIFFERS")
        print(
            f"dask, {n} worker(s):             {wall:7.1f} s  {args.lines / wall:>10,.0f} lines/s  "
            f"worker CPU {cpu:.1f} s  worker peak RSS {', '.join(f'{p:,}' for p in peaks)} MiB  "
            f"(first run {cold:.1f} s)  {same}  [{load}]",
            flush=True,
        )
        if want is not None and summary != want:
            return 1
    print(f"client process peak RSS {_peak_mib():,} MiB")
    if "dask 1" in results and "dask 2" in results:
        print(f"speed-up 1 -> 2 workers: {results['dask 1'] / results['dask 2']:.2f}x")
    if "vector" in results and "dask 1" in results:
        print(f"overhead of dask (1 worker) against vector: {results['dask 1'] / results['vector']:.2f}x")
    if "vector" in results and "dask 2" in results:
        print(f"dask (2 workers) against vector: {results['dask 2'] / results['vector']:.2f}x of the time")
    cores = effective_cores()
    print(f"effective cores for two processes after: {cores:.2f} (the speed-up's ceiling)  [{_load()}]")
    return 0


def _burn(n: int) -> float:
    t = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - t


def effective_cores(n: int = 20_000_000) -> float:
    """How many cores two CPU-bound processes get right now (2.0 on an idle 2-core machine): the
    ceiling of any 1 -> 2 worker speed-up measured in the same minutes."""
    import multiprocessing

    t = time.perf_counter()
    _burn(n)
    one = time.perf_counter() - t
    with multiprocessing.Pool(2) as pool:
        t = time.perf_counter()
        pool.map(_burn, [n, n])
        two = time.perf_counter() - t
    return 2 * one / two


if __name__ == "__main__":
    sys.exit(main())
