"""Speed of the input side: every input form through the public API, next to the kernel alone.

One command: ``PYTHONPATH=. python benchmarks/bench_input.py [--lines 1000000] [--forms ...]``.
Generates a seeded enrollment (``--lines / 50`` employees, about 2.1 members each) and ``--lines``
claim lines with the project's generator for rulesets/acme-2026.aso, builds each input form from
it and settles it through the public API (``rs.settle(claims, enrollment, engine="vector")``) after
one warm-up call of the same form, best of ``--repeat``. Printed per form: wall seconds, lines per
second and the ratio to the kernel alone (``settle_columns`` on claims already read: adjudication,
stop-loss, fees and summary, no reading) measured in the same run on the same data. The last rows
time writing the last form's ledger (``Settlement.write``: Parquet, then CSV).

Forms: ``arrow-decimal`` (the generator's table: dictionary text, decimal128 money, date32),
``arrow-float`` (money as float64), ``arrow-string`` (every column plain text, as a CSV holds it),
``arrow-large-string`` (large_string text), ``arrow-int-ids`` (member and family ids as integers),
``batch-reader`` (a ``pyarrow.RecordBatchReader``), ``pandas-float`` (numpy dtypes, float64
money), ``pandas-arrow`` (pyarrow dtypes), ``polars``, ``polars-lazy``, ``duckdb`` (a DuckDB
relation, read through ``__arrow_c_stream__``), ``parquet`` and ``csv`` paths. Forms whose library
is not installed are skipped. Absolute figures move by a third on a shared machine; the ratios to
the kernel, measured in the same run, are steadier.
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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aso_rules  # noqa: E402
from aso_rules.data.generate import generate_claims, generate_enrollment  # noqa: E402
from aso_rules.data.writers import write_csv  # noqa: E402
from aso_rules.settle.vector.reader import read_claims_fast, read_enrollment_fast  # noqa: E402
from aso_rules.settle.vector.settle import settle_columns  # noqa: E402

RULESET = ROOT / "rulesets" / "acme-2026.aso"
LINES_PER_EMPLOYEE = 50
MONEY = ("billed", "allowed", "weekly_earnings", "annual_salary")


def best_of(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _map(table: pa.Table, fn: Callable[[str, pa.ChunkedArray], pa.ChunkedArray]) -> pa.Table:
    return pa.table({n: fn(n, table.column(n)) for n in table.column_names})


def _plain(col: pa.ChunkedArray) -> pa.ChunkedArray:
    t = col.type
    return col.cast(t.value_type) if pa.types.is_dictionary(t) else col


def float_money(table: pa.Table) -> pa.Table:
    """Money as float64, each value the double nearest its amount (as ``float("12.34")`` and
    ``pandas.read_csv`` give; Arrow's decimal-to-float cast is not correctly rounded)."""

    def fn(name: str, col: pa.ChunkedArray) -> pa.ChunkedArray:
        if name not in MONEY:
            return col
        cents = pc.cast(pc.multiply(col, pa.scalar(100, pa.decimal128(3, 0))), pa.int64())
        values = cents.to_numpy(zero_copy_only=False).astype(np.float64) / 100
        return pa.chunked_array([pa.array(values, mask=np.asarray(cents.is_null()))])

    return _map(table, fn)


def string_table(table: pa.Table, text: pa.DataType | None = None) -> pa.Table:
    text = text or pa.string()
    return _map(table, lambda _n, col: _plain(col).cast(text))


def int_ids(table: pa.Table, members: pa.Array) -> pa.Table:
    """Member and family ids as integers (the member's position in the enrollment + 1000), claim
    ids as the integer of their digits (``C-0000001`` -> 1): ids a database keeps as numbers."""

    def fn(name: str, col: pa.ChunkedArray) -> pa.ChunkedArray:
        if name in ("member_id", "family_id"):
            return pc.add(pc.index_in(_plain(col), value_set=members).cast(pa.int64()), 1000)
        if name == "claim_id":
            return pc.cast(pc.utf8_slice_codeunits(_plain(col), 2), pa.int64())
        return col

    return _map(table, fn)


def forms(
    claims: pa.Table, enrollment: pa.Table, folder: Path
) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """Per form: (claims factory, enrollment factory); a factory builds a fresh input per call
    (a stream can be read once) and stays cheap (its cost is not the reader's)."""
    out: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {}
    f_claims, f_enrol = float_money(claims), float_money(enrollment)
    out["arrow-decimal"] = (lambda: claims, lambda: enrollment)
    out["arrow-float"] = (lambda: f_claims, lambda: f_enrol)
    s_claims, s_enrol = string_table(claims), string_table(enrollment)
    out["arrow-string"] = (lambda: s_claims, lambda: s_enrol)
    ls_claims = string_table(claims, pa.large_string())
    ls_enrol = string_table(enrollment, pa.large_string())
    out["arrow-large-string"] = (lambda: ls_claims, lambda: ls_enrol)
    members = enrollment.column("member_id").combine_chunks()
    i_claims, i_enrol = int_ids(claims, members), int_ids(enrollment, members)
    out["arrow-int-ids"] = (lambda: i_claims, lambda: i_enrol)
    out["batch-reader"] = (
        lambda: pa.RecordBatchReader.from_batches(claims.schema, claims.to_batches(1 << 17)),
        lambda: pa.RecordBatchReader.from_batches(enrollment.schema, enrollment.to_batches(1 << 17)),
    )
    try:
        import pandas

        plain_claims, plain_enrol = (
            _map(claims, lambda _n, c: _plain(c)),
            _map(enrollment, lambda _n, c: _plain(c)),
        )
        p_claims, p_enrol = float_money(plain_claims).to_pandas(), float_money(plain_enrol).to_pandas()
        out["pandas-float"] = (lambda: p_claims, lambda: p_enrol)
        a_claims = plain_claims.to_pandas(types_mapper=pandas.ArrowDtype)
        a_enrol = plain_enrol.to_pandas(types_mapper=pandas.ArrowDtype)
        out["pandas-arrow"] = (lambda: a_claims, lambda: a_enrol)
    except ImportError:
        print("pandas not installed: its forms skipped")
    try:
        import polars

        pl_claims = polars.from_arrow(claims)
        pl_enrol = polars.from_arrow(enrollment)
        out["polars"] = (lambda: pl_claims, lambda: pl_enrol)
        out["polars-lazy"] = (lambda: pl_claims.lazy(), lambda: pl_enrol.lazy())
    except ImportError:
        print("polars not installed: its forms skipped")
    try:
        import duckdb

        con = duckdb.connect()
        con.register("claims_t", claims)
        con.register("enrol_t", enrollment)
        out["duckdb"] = (lambda: con.sql("select * from claims_t"), lambda: con.sql("select * from enrol_t"))
    except ImportError:
        print("duckdb not installed: its form skipped")
    cpath, epath = folder / "claims.parquet", folder / "enrollment.parquet"
    pq.write_table(claims, cpath)
    pq.write_table(enrollment, epath)
    out["parquet"] = (lambda: str(cpath), lambda: str(epath))
    ccsv, ecsv = folder / "claims.csv", folder / "enrollment.csv"
    write_csv(claims, ccsv)
    write_csv(enrollment, ecsv)
    out["csv"] = (lambda: str(ccsv), lambda: str(ecsv))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--forms", nargs="*", help="only these forms (default: all)")
    parser.add_argument("--no-write", action="store_true", help="skip timing the ledger writers")
    args = parser.parse_args(argv)
    rs = aso_rules.load(str(RULESET))
    n = args.lines
    enrollment = generate_enrollment(max(n // LINES_PER_EMPLOYEE, 10), rs.plan_year, args.seed)
    claims = generate_claims(enrollment, n, rs.plan_year, args.seed)
    print(f"{n:,} claim lines, {enrollment.num_rows:,} members; machine shared, figures are wall time")

    fe = read_enrollment_fast(enrollment, rs)
    read = read_claims_fast(claims, rs, fe.members, fe.records)
    inputs = (rs, read, fe.members, fe.records, fe.rejects)
    settle_columns(*inputs)  # compile and warm
    kernel = best_of(lambda inputs=inputs: settle_columns(*inputs), max(args.repeat, 3))
    expected = settle_columns(*inputs).summary
    del read, inputs
    print(f"{'form':<22} {'seconds':>8} {'lines/s':>12} {'x kernel':>9}")
    print(f"{'kernel alone':<22} {kernel:>8.3f} {n / kernel:>12,.0f} {1.0:>9.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        made = forms(claims, enrollment, folder)
        last: Any = None
        for name, (make_claims, make_enrol) in made.items():
            if args.forms and name not in args.forms:
                continue

            def run(mc: Callable[[], Any] = make_claims, me: Callable[[], Any] = make_enrol) -> Any:
                return rs.settle(mc(), me(), engine="vector")

            try:
                got = run()  # warm
            except Exception as exc:  # a form the readers refuse or fail on: say so, time the rest
                print(f"{name:<22} failed: {type(exc).__name__}: {str(exc)[:80]}")
                continue
            # integer ids name other members (a laser names its member): compare what ids cannot move
            keys = ("counts", "totals") if name == "arrow-int-ids" else tuple(expected)
            if any(got.summary[k] != expected[k] for k in keys):
                print(f"{name}: summary differs from the kernel's", file=sys.stderr)
                return 1
            spent = best_of(run, args.repeat)
            print(f"{name:<22} {spent:>8.3f} {n / spent:>12,.0f} {spent / kernel:>9.2f}", flush=True)
            last = got
        if not args.no_write and last is not None:
            for fmt in ("parquet", "csv"):
                spent = best_of(lambda f=fmt: last.write(folder / f"out-{f}", f), 1)
                print(f"{'write ledger ' + fmt:<22} {spent:>8.3f} {n / spent:>12,.0f} {spent / kernel:>9.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
