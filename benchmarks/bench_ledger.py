"""Posting speed of the settlement ledger: one big batch, and month 1 against month 12 of a year.

One command: ``PYTHONPATH=. python benchmarks/bench_ledger.py [--lines 1000000] [--year-lines 240000]
[--postgresql URL]``. With the project's seeded generator and rulesets/acme-2026.aso it measures:

* batch: ``--lines`` claim lines posted as one batch into an empty ledger (read, state loaded,
  settled with the vector engine, rows and state stored, committed), per database; with
  ``--compare`` the same batch again through the record path, and the ratio of the two;
* months: a year of ``--year-lines`` lines split by paid month and posted in order; the time of
  each month's post, and month 12 against month 1 (the touched families' lines are re-read);
* late: after the year, a late batch touching 1% of the families (one line each, paid on the
  first day of the year): its time against an average month.

PostgreSQL runs when ``--postgresql URL`` names a server (a throwaway database is created and
dropped), or with ``--start-postgresql`` a throwaway cluster like the tests' one.
Absolute numbers move ±30% on a shared machine: record ``uptime`` beside them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aso_rules.ledger as ledger_api  # noqa: E402
from aso_rules.data.generate import generate_claims, generate_enrollment  # noqa: E402
from aso_rules.language.loader import load  # noqa: E402

RULESET = ROOT / "rulesets" / "acme-2026.aso"
LINES_PER_EMPLOYEE = 21


def inputs(lines: int, seed: int) -> tuple[pa.Table, pa.Table]:
    rs = load(RULESET)
    enrollment = generate_enrollment(max(lines // LINES_PER_EMPLOYEE, 10), rs.plan_year, seed)
    claims = generate_claims(enrollment, lines, rs.plan_year, seed)
    return enrollment, claims


def fresh(kind: str, folder: Path, pg: str | None, name: str) -> str:
    if kind == "sqlite":
        return str(folder / f"{name}.db")
    import psycopg

    assert pg is not None
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return pg.rsplit("/", 1)[0] + f"/{name}"


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def bench_batch(kind: str, folder: Path, pg: str | None, lines: int, seed: int, compare: bool) -> None:
    enrollment, claims = inputs(lines, seed)
    path = folder / "batch.parquet"
    import pyarrow.parquet as pq

    pq.write_table(claims, path)
    with ledger_api.init(fresh(kind, folder, pg, "bench_warm"), RULESET, enrollment) as led:
        led.post(claims.slice(0, 1000), batch="warm", engine="vector")  # compiled kernels loaded
    url = fresh(kind, folder, pg, "bench_batch")
    with ledger_api.init(url, RULESET, enrollment) as led:
        seconds, result = timed(lambda: led.post(str(path), batch="big", engine="vector"))
    print(f"{kind:<10} one batch of {lines:,} lines: {seconds:6.2f} s  ({result.lines:,} posted)", flush=True)
    if compare:  # the same batch through the record path (every line a Python object), same run
        import aso_rules.ledger.core as core

        by_columns = core._by_columns
        core._by_columns = lambda claims, engine: False  # type: ignore[assignment]
        try:
            url = fresh(kind, folder, pg, "bench_records")
            with ledger_api.init(url, RULESET, enrollment) as led:
                before, _ = timed(lambda: led.post(str(path), batch="big", engine="vector"))
        finally:
            core._by_columns = by_columns
        print(
            f"{kind:<10} the same batch by the record path: {before:6.2f} s "
            f"(columnar path {before / seconds:.1f} x faster)",
            flush=True,
        )


def bench_months(kind: str, folder: Path, pg: str | None, lines: int, seed: int) -> None:
    enrollment, claims = inputs(lines, seed)
    month = pc.strftime(claims.column("paid"), format="%Y-%m")
    url = fresh(kind, folder, pg, "bench_months")
    times: list[float] = []
    with ledger_api.init(url, RULESET, enrollment) as led:
        for m in sorted(set(month.to_pylist()))[:12]:
            part = claims.filter(pc.equal(month, m))
            seconds, result = timed(lambda part=part, m=m: led.post(part, batch=m, engine="auto"))
            times.append(seconds)
            print(
                f"{kind:<10} month {m}: {result.lines:>8,} lines {result.families:>7,} families "
                f"({result.continued:,} continued, {result.engine}) {seconds:6.2f} s"
            )
        families = sorted(set(enrollment.column("family_id").to_pylist()))
        rng = np.random.default_rng(seed)
        chosen = rng.choice(len(families), size=max(len(families) // 100, 1), replace=False)
        first = claims.filter(pc.equal(month, sorted(set(month.to_pylist()))[0]))
        fam = first.column("family_id").to_pylist()
        picks = [fam.index(families[k]) for k in chosen if families[k] in fam]
        late = first.take(pa.array(picks, type=pa.int64()))
        late = late.set_column(0, "claim_id", pa.array([f"LATE-{i}" for i in range(late.num_rows)]))
        seconds, result = timed(lambda: led.post(late, batch="late", engine="auto"))
    avg = sum(times) / len(times)
    print(
        f"{kind:<10} month 12 / month 1 = {times[-1] / times[0]:.2f}; late batch touching "
        f"{result.families:,} families (1%): {seconds:.2f} s = {seconds / avg:.2f} x an average month"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--year-lines", type=int, default=240_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgresql", metavar="URL", help="a server to measure PostgreSQL on")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-months", action="store_true")
    parser.add_argument("--compare", action="store_true", help="also time the record path on the batch")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    kinds = ["sqlite", *(["postgresql"] if args.postgresql else [])]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            if not args.skip_batch:
                bench_batch(kind, Path(tmp), args.postgresql, args.lines, args.seed, args.compare)
            if not args.skip_months:
                bench_months(kind, Path(tmp), args.postgresql, args.year_lines, args.seed)


if __name__ == "__main__":
    main()
