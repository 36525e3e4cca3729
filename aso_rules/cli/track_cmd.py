"""``aso track DB --as-of D`` (or ``--ledger DIR --ruleset R --enrollment E``): in-year tracking.

On entry: parsed arguments. On exit: an exit code (docs/contracts.md): 0 tracked, 1 the rule file has
errors, 2 usage or I/O error (no ledger, unreadable folder or enrollment, a bad date, an as-of date
before the plan year, unwritable output). Errors go to stderr, never a traceback; ``--json`` prints
track.json to stdout. docs/tracking.md describes the method and every figure.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from aso_rules.cli import out_folder, seed
from aso_rules.cli.settle_common import Failed, error, load_ruleset

CMD = "track"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _simulations(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 100:
        raise argparse.ArgumentTypeError(f"must be at least 100: {text}")
    return value


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "track",
        help="in-year tracking: IBNR, the year's projection, stop-loss and the employer's position",
        description="Track a plan year as of a date from a ledger or a settled folder (docs/tracking.md).",
    )
    parser.add_argument("db", metavar="DB", nargs="?", help="the ledger (SQLite file or postgresql:// URL)")
    parser.add_argument(
        "--ledger", metavar="DIR", help="a folder from `aso settle --out` or `aso ledger export`"
    )
    parser.add_argument("--ruleset", metavar="R", help="the rule file (with --ledger)")
    parser.add_argument("--enrollment", metavar="E", help="enrollment.csv (with --ledger)")
    parser.add_argument("--as-of", dest="as_of", type=_day, required=True, metavar="YYYY-MM-DD")
    parser.add_argument(
        "--out", type=out_folder, default=None, metavar="DIR", help="write track.json and dashboard.html here"
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="print a summary or track.json"
    )
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="--format json")
    parser.add_argument(
        "--plotly",
        choices=("inline", "cdn"),
        default="inline",
        help="dashboard.html carries plotly.js (inline, offline) or loads it from its CDN",
    )
    parser.add_argument("--simulations", type=_simulations, default=4000, metavar="N", help="default 4000")
    parser.add_argument("--seed", type=seed, default=1, metavar="S", help="random seed (default 1)")
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from aso_rules.extras import require

    parser: argparse.ArgumentParser = args.parser
    if (args.db is None) == (args.ledger is None):
        parser.error("give a ledger DB or --ledger DIR (one of them)")
    if args.ledger is not None and (args.ruleset is None or args.enrollment is None):
        parser.error("--ledger DIR needs --ruleset R and --enrollment E")
    if args.db is not None and (args.ruleset is not None or args.enrollment is not None):
        parser.error(
            "a ledger DB carries its ruleset and enrollment: --ruleset and --enrollment go with --ledger"
        )
    require("pricing", "scipy", what="tracking")
    try:
        return _run(args)
    except Failed as failed:
        return failed.code


def _run(args: argparse.Namespace) -> int:
    from aso_rules.data.source import InputError
    from aso_rules.ledger import LedgerError, LedgerUnavailable
    from aso_rules.track import TrackError, sources, track_table

    try:
        if args.ledger is not None:
            ruleset = load_ruleset(CMD, args.ruleset)
            rs, members, table, rejects = sources.from_folder(args.ledger, ruleset, args.enrollment)
        else:
            rs, members, table, rejects = sources.from_ledger(args.db)
        for reject in rejects[:20]:
            print(
                f"aso track: warning: enrollment row {reject.row} skipped: {reject.reason}", file=sys.stderr
            )
        result = track_table(
            rs, members, table, as_of=args.as_of, simulations=args.simulations, seed=args.seed
        )
    except (TrackError, LedgerError, LedgerUnavailable, InputError) as exc:
        error(CMD, str(exc))
        return 2
    except OSError as exc:
        error(CMD, f"{exc.filename or ''}: {exc.strerror or exc}")
        return 2
    written: tuple[Any, ...] = ()
    if args.out is not None:
        try:
            written = result.write(args.out, plotly=args.plotly)
        except OSError as exc:
            error(CMD, f"cannot write to {args.out}: {exc.strerror or exc}")
            return 2
    if args.format == "json":
        sys.stdout.write(result.to_json())
        return 0
    s = result.summary
    p = s["projection"]["incurred_plan_paid"]
    print(
        f"as of {s['as_of']}: paid {s['projection']['paid_to_date']}, IBNR {s['ibnr']['plan_paid']} "
        f"(s.e. {s['ibnr']['standard_error']}); year projected {p['expected']} "
        f"(90% band {p['p05']} to {p['p95']})"
    )
    pos = s["position"]
    cost = pos["employer_cost"]
    print(f"employer cost {cost['expected']} (band {cost['p05']} to {cost['p95']})")
    if pos["aggregate"] is not None:
        print(f"aggregate attaches with probability {pos['aggregate']['probability_of_attachment']:.1%}")
    for path in written:
        print(f"wrote {path}")
    return 0
