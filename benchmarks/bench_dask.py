"""Scaling of the Dask engine from 1 to 2 workers, and its overhead against one machine.

One command: ``PYTHONPATH=. python benchmarks/bench_dask.py [--lines 1000000] [--employees 40000]
[--workers 1,2] [--seed 1] [--files 8]``. Loads rulesets/acme-2026.aso, generates a seeded book
(``aso_rules.data.generate``) and writes the claims as a Parquet dataset of ``--files`` files, then
times, on the same input:

* ``single``: the single-machine run with the vector engine's records adjudicator
  (read + validate, adjudicate, stop-loss, fees, ledger table) in this process;
* ``dask N``: ``settle_dask`` on a fresh ``LocalCluster`` of N single-threaded worker processes,
  run twice: the first run includes numba compiling the vector kernels on each worker, the second
  (reported) does not; the cluster start is excluded. The ledger is written as Parquet parts.

It checks that every run's summary equals the single-machine one and prints wall seconds, lines/s,
the speed-up of N workers over one, the overhead of one worker over the single-machine run, and how
many cores two CPU-bound processes actually get on the (shared) machine at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=40_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-single", action="store_true", help="only the Dask runs")
    args = parser.parse_args(argv)

    import distributed

    from aso_rules.data.generate import generate_claims, generate_enrollment
    from aso_rules.data.readers import read_claims, read_enrollment
    from aso_rules.language.loader import load
    from aso_rules.settle import assemble
    from aso_rules.settle.distributed import settle_dask
    from aso_rules.settle.vector import vector_adjudicate

    root = Path(__file__).resolve().parents[1]
    rs = load(str(root / "rulesets" / "acme-2026.aso"))
    t = time.perf_counter()
    enrollment = generate_enrollment(args.employees, rs.plan_year, seed=args.seed)
    claims = generate_claims(enrollment, args.lines, rs.plan_year, seed=args.seed)
    work = Path(tempfile.mkdtemp(prefix="aso-bench-dask-"))
    folder = work / "claims"
    folder.mkdir()
    size = -(-claims.num_rows // args.files)
    for i in range(args.files):
        pq.write_table(
            claims.slice(i * size, size), folder / f"claims-{i:03d}.parquet", row_group_size=100_000
        )
    pq.write_table(enrollment, work / "enrollment.parquet")
    print(
        f"input: {claims.num_rows:,} lines, {enrollment.num_rows:,} members, {args.files} Parquet files "
        f"(generated in {time.perf_counter() - t:.1f} s); {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    del claims

    results: dict[str, float] = {}
    want = None
    if not args.skip_single:
        t = time.perf_counter()
        cpu = time.process_time()
        enrolled = read_enrollment(work / "enrollment.parquet", rs)
        members = enrolled.by_id()
        got = read_claims(pq.read_table(folder), rs, members)
        lines = vector_adjudicate(rs, members, list(got.claims))
        single = assemble(
            rs, members, lines, columns=got.columns, claim_rejects=got.rejects, received=got.received
        )
        single.ledger  # noqa: B018 - built eagerly by assemble; named for clarity
        wall = time.perf_counter() - t
        results["single"] = wall
        want = single.summary
        print(
            f"single (vector records path): {wall:8.1f} s  {args.lines / wall:>10,.0f} lines/s  "
            f"CPU {time.process_time() - cpu:.1f} s  peak RSS {_rss_mib():,} MiB",
            flush=True,
        )
        del single, lines, got

    for n in (int(x) for x in args.workers.split(",")):
        with (
            distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit=0
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            cold = warm = 0.0
            cpu_before = sum(client.run(time.process_time).values())
            for attempt in range(2):  # the first run includes numba compilation on each worker
                t = time.perf_counter()
                out = settle_dask(
                    rs, folder, work / "enrollment.parquet", client=client, out_dir=work / f"out-{n}"
                )
                if attempt == 0:
                    cold = time.perf_counter() - t
                    cpu_before = sum(client.run(time.process_time).values())
                else:
                    warm = time.perf_counter() - t
            worker_cpu = sum(client.run(time.process_time).values()) - cpu_before
            wall = warm
        print(f"dask {n}: first run {cold:.1f} s (compiling), then worker CPU {worker_cpu:.1f} s", flush=True)
        results[f"dask {n}"] = wall
        same = "" if want is None else ("  summary equal" if out.summary == want else "  SUMMARY DIFFERS")
        print(
            f"dask {n} worker(s):          {wall:8.1f} s  {args.lines / wall:>10,.0f} lines/s{same}",
            flush=True,
        )
        if want is not None and out.summary != want:
            return 1
    if "dask 1" in results and "dask 2" in results:
        print(f"speed-up 1 -> 2 workers: {results['dask 1'] / results['dask 2']:.2f}x")
        print(f"effective cores for two processes now: {effective_cores():.2f} (the speed-up's ceiling)")
    if "single" in results and "dask 1" in results:
        print(f"overhead of dask (1 worker) over single: {results['dask 1'] / results['single']:.2f}x")
    if "single" in results and "dask 2" in results:
        print(f"dask (2 workers) over single: {results['dask 2'] / results['single']:.2f}x of the time")
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


def _rss_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


if __name__ == "__main__":
    sys.exit(main())
