"""``aso settle RULESET --claims F --enrollment F``: settle a plan year's claims and write the outputs.

Writes ``ledger.csv`` (or ``.parquet``), ``rejects.csv`` and ``summary.json`` to ``--out`` (default
``out/``) and prints a summary table, or summary.json with ``--json``. A progress bar shows on stderr
only when stderr is a terminal. Exit codes: 0 settled (rejected rows are reported, not fatal), 1 the
ruleset has errors (diagnostics printed), 2 usage or I/O error (including an engine that does not
exist yet).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from aso_rules.cli import out_folder
from aso_rules.cli.settle_common import Failed, error, load_ruleset, settle_files

ENGINES = ("reference", "vector", "dask")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "settle",
        help="settle claims: ledger, rejects, stop-loss, fees and employer cost",
        description="Settle a plan year's claims against enrollment (docs/settlement.md).",
    )
    parser.add_argument("ruleset", metavar="RULESET", help="the rule file (*.aso)")
    parser.add_argument("--claims", required=True, metavar="F", help="claims .csv or .parquet")
    parser.add_argument("--enrollment", required=True, metavar="F", help="enrollment .csv or .parquet")
    parser.add_argument(
        "--out", type=out_folder, default="out", metavar="DIR", help="output folder (default: out/)"
    )
    parser.add_argument(
        "--engine",
        choices=(*ENGINES, "auto"),
        default="auto",
        help="settlement engine (default auto: vector from 20,000 claim lines, else reference)",
    )
    parser.add_argument(
        "--ledger-format",
        choices=("csv", "parquet"),
        default=None,
        help="ledger file format (default csv; the dask engine writes a partitioned Parquet folder)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the Dask scheduler (e.g. tcp://host:8786); default a local cluster",
    )
    parser.add_argument("--json", action="store_true", help="print summary.json instead of the table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from aso_rules.settle.ledger import summary_json

    dask = args.engine == "dask"
    if args.scheduler and not dask:
        error("settle", "--scheduler needs --engine dask")
        return 2
    if dask and args.ledger_format == "csv":
        error("settle", "the dask engine writes a partitioned Parquet ledger: use --ledger-format parquet")
        return 2
    ledger_format = args.ledger_format or ("parquet" if dask else "csv")
    try:
        ruleset = load_ruleset("settle", args.ruleset)
        if dask:
            from aso_rules.settle.distributed.command import settle_dask_files

            settlement: Any = settle_dask_files(
                "settle", ruleset, args.claims, args.enrollment, out=args.out, scheduler=args.scheduler
            )
        else:
            settlement = settle_files(
                "settle",
                ruleset,
                args.claims,
                args.enrollment,
                engine=args.engine,
                progress=sys.stderr.isatty(),
            )
    except Failed as failed:
        return failed.code
    try:
        settlement.write(args.out, ledger_format=ledger_format)
    except OSError as exc:
        error("settle", f"cannot write to {args.out}: {exc.strerror or exc}")
        return 2
    counts = settlement.summary["counts"]
    if counts["rejected"]:
        print(
            f"aso settle: {counts['rejected']} of {counts['received']} claim rows rejected "
            f"(see {args.out}/rejects.csv)",
            file=sys.stderr,
        )
    if settlement.enrollment_rejects.num_rows:
        print(
            f"aso settle: {settlement.enrollment_rejects.num_rows} enrollment rows rejected "
            f"(see {args.out}/enrollment_rejects.csv)",
            file=sys.stderr,
        )
    if args.json:
        sys.stdout.write(summary_json(settlement.summary))
    else:
        sys.stdout.write(summary_table(settlement.summary))
    return 0


def _row(label: str, *values: str, width: int = 16) -> str:
    return f"{label:<34}" + "".join(f"{v:>{width}}" for v in values)


def summary_table(s: dict[str, Any]) -> str:
    """The summary as an aligned text table."""
    c = s["counts"]
    out = [
        f"{s['ruleset']}  (plan year {s['plan_year']['start']} to {s['plan_year']['end']})",
        f"claim lines: {c['received']} received, {c['settled']} settled ({c['paid']} paid, "
        f"{c['denied']} denied), {c['rejected']} rejected",
        "",
        _row("", "lines", "allowed", "member paid", "plan paid"),
    ]
    for line, v in s["by_line"].items():
        out.append(_row(line, str(v["claims"]), v["allowed"], v["member_paid"], v["plan_paid"]))
    t = s["totals"]
    out.append(_row("total", str(c["settled"]), t["allowed"], t["member_paid"], t["plan_paid"]))
    out.append("")
    for tier in s["specific_stop_loss"]:
        out.append(
            _row(f"specific {tier['name']}", f"{len(tier['claimants'])} claimants", tier["reimbursed"])
        )
    agg = s["aggregate_stop_loss"]
    if agg is not None:
        out.append(_row("aggregate attachment point", agg["attachment_point"]))
        out.append(_row("aggregate eligible claims", agg["eligible_claims"]))
        out.append(_row("aggregate reimbursed", agg["reimbursed"]))
    out.append("")
    for name, value in s["fees"].items():
        out.append(_row(f"fees: {name}", value))
    p = s["stop_loss_premium"]
    out.append(_row("stop-loss premium", p["total"]))
    out.append("")
    e = s["employer_cost"]
    out.append(_row("employer cost: claims", e["claims"]))
    out.append(_row("  - specific reimbursed", e["specific_reimbursed"]))
    out.append(_row("  - aggregate reimbursed", e["aggregate_reimbursed"]))
    out.append(_row("  + fees and premiums", e["fixed_costs"]))
    out.append(_row("  = total", e["total"]))
    fi = s["fully_insured"]
    if fi is not None:
        out.append(_row("fully insured premium", fi["premium"]))
        out.append(_row("difference (premium - total)", fi["difference"]))
    return "\n".join(out) + "\n"
