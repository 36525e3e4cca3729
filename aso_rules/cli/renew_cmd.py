"""``aso renew RULESET --claims F --enrollment E [--next NEXT] [--out DIR] [--json]``: next year's
expected claims, funding and COBRA rates and attachment factors from this year's experience.

Exit codes (docs/contracts.md): 0 renew.json written, 1 ruleset errors (a rule file does not load,
or the ruleset has no ``experience`` block), 2 usage or I/O error. Flags (rate cap, new lasers) are
printed as warnings and kept in renew.json; they do not change the exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from aso_rules.cli import out_folder
from aso_rules.cli.settle_common import Failed, error, load_ruleset, settle_files


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "renew",
        help="project this year's experience to next year's expected claims and funding rates",
        description="Renew a self-funded plan from its settled experience (docs/renewal.md).",
    )
    parser.add_argument("ruleset", metavar="RULESET", help="this year's rule file, with an experience block")
    parser.add_argument("--claims", required=True, metavar="F", help="the experience period's claims")
    parser.add_argument("--enrollment", required=True, metavar="E", help="the experience period's enrollment")
    parser.add_argument("--next", metavar="NEXT", help="next year's rule file (plan-design change, lasers)")
    parser.add_argument(
        "--out",
        type=out_folder,
        default="renew-out",
        metavar="DIR",
        help="output folder (default renew-out/)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="print a line or renew.json"
    )
    parser.add_argument(
        "--engine",
        choices=("reference", "vector", "auto"),
        default="reference",
        help="the engine that settles the experience (the same results; default reference)",
    )
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="--format json")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from aso_rules.renew.project import RenewalError, renew

    try:
        ruleset = load_ruleset("renew", args.ruleset)
        next_ruleset = load_ruleset("renew", args.next) if args.next else None
        settlement = settle_files("renew", ruleset, args.claims, args.enrollment, engine=args.engine)
        next_settlement = (
            settle_files("renew", next_ruleset, args.claims, args.enrollment, engine=args.engine)
            if next_ruleset
            else None
        )
    except Failed as failed:
        return failed.code
    try:
        report = renew(ruleset, settlement, next_ruleset, next_settlement)
    except RenewalError as exc:
        error("renew", str(exc))
        return 1
    from aso_rules.language.loader import parse_file
    from aso_rules.renew.exhibit import render_exhibit
    from aso_rules.renew.rulefile import projection_file

    base = args.next or args.ruleset
    source, _ = parse_file(base)
    assert source is not None  # it loaded above
    expected = {t: Decimal(v) for t, v in report["expected_claims"].items()}
    rule_text = projection_file(source, expected, move_year=args.next is None)
    text = json.dumps(report, indent=2) + "\n"
    path = Path(args.out) / "renew.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        (Path(args.out) / "next.aso").write_text(rule_text, encoding="utf-8")
        (Path(args.out) / "renew.html").write_text(render_exhibit(report), encoding="utf-8")
    except OSError as exc:
        error("renew", f"cannot write to {args.out}: {exc.strerror or exc}")
        return 2
    for flag in report["flags"]:
        print(f"aso renew: warning: {flag}", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(text)
    else:
        print(f"expected claims next year {report['expected_annual']}; wrote {path}, renew.html and next.aso")
    return 0
