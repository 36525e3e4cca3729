"""``aso settle RULESET --claims F --enrollment F``: settle a plan year's claims and write the outputs.

Writes ``ledger.csv`` (or ``.parquet``), ``rejects.csv`` and ``summary.json`` to ``--out`` (default
``out/``) and prints a summary table and the files written, or summary.json with ``--format json``
(``--json``; the files written then go to stderr). A progress bar shows on stderr only when stderr is
a terminal. Exit codes: 0 settled (rejected rows are reported, not fatal), 1 the ruleset has errors
(diagnostics printed) or more claim rows were rejected than ``--max-rejects N|P%`` allows (the
outputs are written all the same), 2 usage or I/O error (including an engine that does not exist).
"""

from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from aso_rules.cli import out_folder
from aso_rules.cli.settle_common import Failed, error, load_ruleset, settle_dask_files, settle_files
from aso_rules.progress import tracking

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
    parser.add_argument(
        "--adjudicated",
        action="store_true",
        help="claims as the administrator paid them (allowed, plan_paid, member_paid, status, "
        "claim_version, adjustment_of): settle stop-loss, fees and employer cost on them",
    )
    parser.add_argument(
        "--filings",
        metavar="DIR",
        help="also write the stop-loss filings (specific claimants near or over the deductible, the "
        "aggregate) to DIR",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="print the summary table or summary.json"
    )
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="--format json")
    parser.add_argument(
        "--xlsx", action="store_true", help="also write settlement.xlsx (needs the excel extra)"
    )
    parser.add_argument(
        "--date-format",
        metavar="FMT",
        help="dates in the inputs are in this strptime format (e.g. %%m/%%d/%%Y), not YYYY-MM-DD",
    )
    parser.add_argument(
        "--currency",
        action="store_true",
        help="accept amounts written like $1,234.56 or ($5.00) in the inputs",
    )
    parser.add_argument(
        "--max-rejects",
        type=reject_limit,
        metavar="N|P%%",
        help="exit 1 when more than N claim rows (or P%% of them) are rejected; outputs are written anyway",
    )
    parser.set_defaults(run=run)


def _long_run(claims: str) -> tuple[int, bool]:
    """(estimated lines, whether to show progress): on a terminal, for runs that take a while."""
    if not sys.stderr.isatty():
        return 0, False
    from aso_rules.extras import has
    from aso_rules.settle import LONG_RUN_LINES

    if has("vector"):
        from aso_rules.settle.vector.auto import estimated_lines

        lines = estimated_lines(claims)
    else:  # the same estimate, without importing the vector engine (its package needs numba)
        try:
            lines = os.path.getsize(claims) // 80  # bytes per CSV claim line, as the vector estimate
        except OSError:
            lines = 0
    return lines, lines >= LONG_RUN_LINES


def write(settlement: Any, args: argparse.Namespace, ledger_format: str) -> list[Path]:
    """The run's files (settlement.xlsx too with ``--xlsx``), written into a temporary sibling folder
    and renamed into place when complete (``aso_rules.outputs``); ``Failed(2)`` when they cannot be
    written or ``--out`` is a folder no run wrote."""
    from aso_rules.outputs import SETTLE_FILES, OutputRefused, inside, output_folder

    try:
        with output_folder(args.out, SETTLE_FILES) as partial:
            written = list(settlement.write(partial, ledger_format=ledger_format) or ())
            if args.xlsx:
                from aso_rules.workbook import write_settlement_xlsx

                written.append(write_settlement_xlsx(settlement, partial / "settlement.xlsx"))
    except OutputRefused as exc:
        error("settle", f"--out: {exc}")
        raise Failed(2) from None
    except OSError as exc:
        error("settle", f"cannot write to {args.out}: {exc.strerror or exc}")
        raise Failed(2) from None
    return inside(written, partial, Path(args.out))


def reject_limit(text: str) -> tuple[Decimal, bool]:
    """``--max-rejects``: ``N`` rows or ``P%`` of the claim rows read (``(limit, is_percent)``)."""
    percent = text.endswith("%")
    try:
        limit = Decimal(text[:-1] if percent else text)
    except InvalidOperation:
        limit = Decimal(-1)
    if not limit.is_finite() or limit < 0 or (not percent and limit != limit.to_integral_value()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a row count (N) or a percentage (P%)")
    if percent and limit > 100:
        raise argparse.ArgumentTypeError(f"{text!r}: a percentage is at most 100%")
    return limit, percent


def too_many_rejects(limit: tuple[Decimal, bool] | None, rejected: int, received: int) -> str | None:
    """The message when ``rejected`` of ``received`` claim rows exceeds ``limit``, else None."""
    if limit is None:
        return None
    value, percent = limit
    allowed = value * received / 100 if percent else value
    if rejected <= allowed:
        return None
    shown = f"{value}% of {received} rows" if percent else f"{value}"
    return f"{rejected} claim rows rejected, more than --max-rejects allows ({shown})"


def run(args: argparse.Namespace) -> int:
    from aso_rules.settle.ledger import summary_json

    dask = args.engine == "dask"
    if args.scheduler and not dask:
        error("settle", "--scheduler needs --engine dask")
        return 2
    if dask and args.filings:
        error("settle", "--filings reads every line's stop-loss share: use --engine reference or vector")
        return 2
    if dask and args.ledger_format == "csv":
        error("settle", "the dask engine writes a partitioned Parquet ledger: use --ledger-format parquet")
        return 2
    if dask and (args.date_format or args.currency):
        error("settle", "--date-format and --currency are read in memory: use --engine reference or vector")
        return 2
    ledger_format = args.ledger_format or ("parquet" if dask else "csv")
    try:
        ruleset = load_ruleset("settle", args.ruleset)
        if dask:
            from aso_rules.extras import require

            require("dask")
            settlement: Any = settle_dask_files(
                "settle",
                ruleset,
                args.claims,
                args.enrollment,
                out=args.out,
                scheduler=args.scheduler,
                adjudicated=args.adjudicated,
            )
            written = write(settlement, args, ledger_format)
        else:
            with tracking(*_long_run(args.claims)):  # lines read, settled and written, with an ETA
                settlement = settle_files(
                    "settle",
                    ruleset,
                    args.claims,
                    args.enrollment,
                    engine="reference" if args.adjudicated and args.engine == "auto" else args.engine,
                    date_format=args.date_format,
                    currency=args.currency,
                    adjudicated=args.adjudicated,
                )
                written = write(settlement, args, ledger_format)
    except Failed as failed:
        return failed.code
    if args.filings:
        code = _write_filings(settlement, args.filings)
        if code:
            return code
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
    if args.format == "json":
        sys.stdout.write(summary_json(settlement.summary))
        files = sys.stderr  # stdout stays one JSON document
    else:
        sys.stdout.write(summary_table(settlement.summary))
        files = sys.stdout
    for path in written:
        print(f"wrote {path}", file=files)
    exceeded = too_many_rejects(args.max_rejects, counts["rejected"], counts["received"])
    if exceeded:
        error("settle", exceeded)
        return 1
    return 0


def _write_filings(settlement: Any, out: str) -> int:
    """Write the stop-loss filings of a run; the filings read each line's stop-loss share."""
    from aso_rules.settle import Settlement
    from aso_rules.settle.filings import write_filings

    if not isinstance(settlement, Settlement):
        error(
            "settle",
            "--filings needs line-level results: --engine reference, or --adjudicated with --engine vector",
        )
        return 2
    try:
        written = write_filings(settlement, out)
    except OSError as exc:
        error("settle", f"cannot write to {out}: {exc.strerror or exc}")
        return 2
    print(f"aso settle: {len(written)} filing files written to {out}", file=sys.stderr)
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
