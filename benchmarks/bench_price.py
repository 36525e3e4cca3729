"""Pricing benchmark: the acme example with 2^16-point FFTs, and one compound distribution beside the
``aggregate`` package (a peer) when a benchmark venv has it.

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_price.py [--bench-python PATH]``.
Prints medians of repeated runs (seconds) and ratios; the aggregate column is skipped when absent.
``--bench-python`` defaults to .venv-bench/bin/python (make it with ``python3 -m venv .venv-bench &&
.venv-bench/bin/pip install aggregate``; the peer is never a project dependency).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aso_rules.price import price
from aso_rules.price.aggregate import ClaimCount, compound
from aso_rules.price.severity import LognormalDist
from tests.price.fixtures import acme, acme_months

LAM, MEAN, CV, CAP = 456.3, 6200.0, 3.0, 150_000.0

PEER = f"""
import json, statistics, time
from aggregate import build
times = []
for i in range(7):
    t = time.perf_counter()
    a = build("agg BenchP{{}} {LAM} claims {CAP:.0f} xs 0 sev lognorm {MEAN:.0f} cv {CV} poisson".format(i),
              log2=16, update=True)
    times.append(time.perf_counter() - t)
print(json.dumps({{"median": statistics.median(times), "mean": float(a.agg_m), "bs": float(a.bs)}}))
"""


def median_time(fn: Callable[[], object], repeat: int = 7) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench-python", default=".venv-bench/bin/python")
    args = parser.parse_args()
    rs, months = acme(), acme_months()
    dist = LognormalDist.from_mean_cv(MEAN, CV)
    count = ClaimCount(LAM)
    rows: list[tuple[str, float]] = [
        ("acme price, FFT 2^16, no simulation", median_time(lambda: price(rs, months, simulations=0))),
        ("acme price, FFT 2^16 + 20,000-year Monte Carlo check", median_time(lambda: price(rs, months), 3)),
        (
            "one compound (lognormal capped, Poisson), 2^16 FFT",
            median_time(lambda: compound(dist, count, cap=CAP)),
        ),
    ]
    ours = compound(dist, count, cap=CAP)
    for name, seconds in rows:
        print(f"{name:58s} {seconds * 1000:9.1f} ms")
    print(f"  our compound mean {ours.mean:,.2f}, span h {ours.h:.2f}, tail {ours.tail:.1e}")
    peer = Path(args.bench_python)
    if peer.exists():
        done = subprocess.run([str(peer), "-c", PEER], capture_output=True, text=True, timeout=600)
        if done.returncode == 0:
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{'aggregate package, same compound, log2=16':58s} {result['median'] * 1000:9.1f} ms")
            print(f"  aggregate mean {result['mean']:,.2f}, bs {result['bs']:.2f}")
            print(f"  ratio ours / aggregate: {rows[2][1] / result['median']:.2f}")
        else:
            print("aggregate package failed:", done.stderr.strip().splitlines()[-1:])
    else:
        print("aggregate package: skipped (no benchmark venv at", peer, ")")


if __name__ == "__main__":
    main()
