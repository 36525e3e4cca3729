"""Speed of the input side: generating, writing and reading claim lines (CPU seconds and lines/s).

One command: ``PYTHONPATH=. python benchmarks/bench_input.py [--lines 1000000] [--employees 25000]``.
Generates a seeded enrollment and claims for rulesets/acme-2026.aso, writes the claims as CSV and
Parquet, then reads them back through ``read_claims`` (the columnar path for clean rows), through
the row-by-row checks alone and through the vector engine's reader (``read_claims_fast``: batches
into integer columns), and prints CPU seconds, lines per CPU second and the ratio of the first two
paths. CPU time, not wall time, because the machines this runs on are shared.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aso_rules.data.generate import generate_claims, generate_enrollment
from aso_rules.data.readers import _read_claims, read_enrollment
from aso_rules.data.writers import write_csv, write_parquet
from aso_rules.language.loader import load
from aso_rules.settle.vector.reader import read_claims_fast, read_enrollment_fast

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, lines: int, work: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    result = work()
    spent = time.process_time() - start
    print(f"{label:<34} {spent:8.2f} s cpu {lines / spent:>12,.0f} lines/s")
    return result, spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    ruleset = load(ROOT / "rulesets" / "acme-2026.aso")
    n = args.lines
    enrollment, _ = timed("generate enrollment", args.employees, lambda: generate_enrollment(
        args.employees, ruleset.plan_year, args.seed))  # fmt: skip
    claims, _ = timed(
        "generate claims", n, lambda: generate_claims(enrollment, n, ruleset.plan_year, args.seed)
    )
    members = read_enrollment(enrollment, ruleset).by_id()
    with tempfile.TemporaryDirectory() as folder:
        csv_path, parquet_path = Path(folder) / "claims.csv", Path(folder) / "claims.parquet"
        timed("write csv", n, lambda: write_csv(claims, csv_path))
        timed("write parquet", n, lambda: write_parquet(claims, parquet_path))
        for name, source in (("arrow", claims), ("csv", csv_path), ("parquet", parquet_path)):
            fast, t_fast = timed(f"read {name} (columnar + rows)", n, lambda s=source: _read_claims(
                s, ruleset, members, columnar=True))  # fmt: skip
            slow, t_slow = timed(f"read {name} (rows only)", n, lambda s=source: _read_claims(
                s, ruleset, members, columnar=False))  # fmt: skip
            assert fast == slow and not fast.rejects
            print(f"{'':<34} columnar speed-up x{t_slow / t_fast:.2f}")
        # the vector engine's reader: batches into integer columns, no records
        fe = read_enrollment_fast(enrollment, ruleset)
        for name, source in (("arrow", claims), ("csv", csv_path), ("parquet", parquet_path)):
            got, _ = timed(f"read {name} (vector reader)", n, lambda s=source: read_claims_fast(
                s, ruleset, fe.members, fe.records))  # fmt: skip
            assert got.claims.n == n and not got.rejects
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
