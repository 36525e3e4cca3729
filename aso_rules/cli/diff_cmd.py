"""``aso diff OLD.aso NEW.aso --claims F --enrollment F [--format text|json]``: review an amendment.

Loads both rule files (either with errors: its diagnostics on stderr, exit 1), settles the same claims
and enrollment under each with the reference engine, and reports the statements that differ and the
change in member paid, plan paid, stop-loss reimbursements, fees and employer cost, in total, by
line and by member (``aso_rules.testing.diff``). Exit codes: 0 report written (whether or not
anything changed; with ``--exit-code``, only when nothing changed), 1 ruleset errors (or, with
``--exit-code``, a change), 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aso_rules.cli.settle_common import Failed, load_ruleset, settle_files


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare two versions of a ruleset on the same claims",
        description="Settle the same claims under two rule files and report what changed.",
    )
    parser.add_argument("old", metavar="OLD", help="the rule file before the amendment")
    parser.add_argument("new", metavar="NEW", help="the rule file after the amendment")
    parser.add_argument("--claims", required=True, metavar="F", help="claims file (.csv or .parquet)")
    parser.add_argument("--enrollment", required=True, metavar="F", help="enrollment file (.csv or .parquet)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="--format json")
    parser.add_argument(
        "--exit-code", action="store_true", help="exit 1 when anything changed (statements or any figure)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from aso_rules.language.loader import parse_program
    from aso_rules.testing.diff import diff_report, no_change, render_diff_text

    try:
        old_rules = load_ruleset("diff", args.old)
        new_rules = load_ruleset("diff", args.new)
        old = settle_files("diff", old_rules, args.claims, args.enrollment)
        new = settle_files("diff", new_rules, args.claims, args.enrollment)
    except Failed as failed:
        return failed.code
    old_program, _ = parse_program(args.old)
    new_program, _ = parse_program(args.new)
    assert old_program is not None and new_program is not None  # both loaded above
    report = diff_report(old_program, new_program, old, new)
    if args.format == "json":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        sys.stdout.write(render_diff_text(report))
    return 1 if args.exit_code and not no_change(report) else 0
