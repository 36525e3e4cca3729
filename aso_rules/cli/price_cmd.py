"""``aso price RULESET --enrollment F``: price the plan year, write price.json and report.html.

On entry: parsed arguments. On exit: an exit code (docs/contracts.md): 0 priced, 1 ruleset errors (the
rule file does not load, or its assumptions cannot be priced), 2 usage or I/O error (missing or
unreadable enrollment, bad option value, unwritable output). Errors go to stderr, never a
traceback; ``--json`` prints price.json to stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from aso_rules.cli import out_folder, seed
from aso_rules.cli.settle_common import Failed, load_ruleset

MAX_WARNINGS = 20  # skipped enrollment rows listed one by one; the rest are counted


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "price",
        help="price the plan year: expected cost, funding rates, stop-loss value, fully insured comparison",
        description="Price a self-funded plan year before it starts (docs/pricing.md).",
    )
    parser.add_argument("ruleset", metavar="RULESET", help="the rule file (*.aso)")
    parser.add_argument("--enrollment", required=True, metavar="F", help="projected enrollment.csv")
    parser.add_argument(
        "--out", type=out_folder, default="out", metavar="DIR", help="output folder (default: out/)"
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="print a line or price.json"
    )
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="--format json")
    parser.add_argument("--xlsx", action="store_true", help="also write price.xlsx (needs the excel extra)")
    parser.add_argument(
        "--plotly",
        choices=("inline", "cdn"),
        default="inline",
        help="report.html carries plotly.js (inline, 4.8 MB, offline) or loads it from its CDN (cdn, ~25 kB)",
    )
    parser.add_argument(
        "--simulations",
        type=_non_negative,
        default=20_000,
        metavar="N",
        help="Monte Carlo plan years for the cross-check (default 20000; 0 = none)",
    )
    parser.add_argument("--seed", type=seed, default=1, metavar="S", help="random seed (default 1)")
    parser.set_defaults(run=run)


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more: {text}")
    return value


def _warn(message: str) -> None:
    print(f"aso price: warning: {message}", file=sys.stderr)


def _error(message: str) -> None:
    print(f"aso price: error: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from aso_rules.data.readers import read_enrollment
    from aso_rules.data.source import InputError
    from aso_rules.price import price as price_plan
    from aso_rules.price.continuance import ContinuanceTableError
    from aso_rules.price.severity import PricingError

    try:
        ruleset = load_ruleset("price", args.ruleset)  # diagnostics: exit 1; a missing file: exit 2
    except Failed as exc:
        return exc.code
    try:
        enrollment = read_enrollment(args.enrollment, ruleset)
    except InputError as exc:
        _error(str(exc))  # the message names its file
        return 2
    except OSError as exc:
        _error(f"{args.enrollment}: {exc.strerror or exc}")
        return 2
    for reject in enrollment.rejects[:MAX_WARNINGS]:
        _warn(f"{args.enrollment}: row {reject.row} skipped: {reject.reason}")
    if len(enrollment.rejects) > MAX_WARNINGS:
        _warn(f"{args.enrollment}: {len(enrollment.rejects) - MAX_WARNINGS} more rows skipped")
    if not enrollment.members:
        _error(f"{args.enrollment}: no valid enrollment rows")
        return 2
    bar = None
    if sys.stderr.isatty() and args.simulations >= 2_000:
        from tqdm import tqdm

        bar = tqdm(
            total=args.simulations, unit="year", desc="Monte Carlo check", file=sys.stderr, leave=False
        )
    try:
        quote = price_plan(
            ruleset,
            list(enrollment.members),
            simulations=args.simulations,
            seed=args.seed,
            progress=bar.update if bar is not None else None,
        )
    except (PricingError, ContinuanceTableError) as exc:
        _error(str(exc))
        return 1
    finally:
        if bar is not None:
            bar.close()
    from aso_rules.outputs import PRICE_FILES, OutputRefused, output_folder

    try:
        with output_folder(args.out, PRICE_FILES) as partial:  # renamed into place when complete
            json_path, html_path = quote.write(partial, plotly=args.plotly)
            if args.xlsx:
                from aso_rules.workbook import write_price_xlsx

                write_price_xlsx(quote, partial / "price.xlsx")
        json_path, html_path = Path(args.out) / json_path.name, Path(args.out) / html_path.name
        if args.xlsx:
            stream = sys.stderr if args.format == "json" else sys.stdout
            print(f"wrote {Path(args.out) / 'price.xlsx'}", file=stream)
    except OutputRefused as exc:
        _error(f"--out: {exc}")
        return 2
    except OSError as exc:
        _error(f"cannot write to {args.out}: {exc.strerror or exc}")
        return 2
    for warning in quote.summary.get("warnings", []):
        _warn(warning)
    if args.format == "json":
        sys.stdout.write(quote.to_json())
    else:
        s = quote.summary
        print(f"expected employer cost {s['employer_cost']['expected']}; wrote {json_path} and {html_path}")
    return 0
