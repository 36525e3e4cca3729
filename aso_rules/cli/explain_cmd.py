"""``aso explain RULESET --claims F --enrollment F --claim ID``: the step-by-step trace of one claim.

Settles the files as ``aso settle`` does (reference engine), then prints the claim's adjudication
steps (amount, accumulators before -> after, the rule-file statement) and its stop-loss share, as
text or JSON. Exit codes: 0 explained, 1 ruleset errors, 2 usage or I/O error, or a claim id that
is not in the ledger (a rejected row says why it was rejected).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aso_rules.cli.settle_common import Failed, error, load_ruleset, settle_files


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain how one claim line was settled",
        description="Print the step-by-step settlement of one claim line (docs/settlement.md).",
    )
    parser.add_argument("ruleset", metavar="RULESET", help="the rule file (*.aso)")
    parser.add_argument("--claims", required=True, metavar="F", help="claims .csv or .parquet")
    parser.add_argument("--enrollment", required=True, metavar="F", help="enrollment .csv or .parquet")
    parser.add_argument("--claim", required=True, metavar="ID", help="the claim_id to explain")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="--format json")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        ruleset = load_ruleset("explain", args.ruleset)
        settlement = settle_files("explain", ruleset, args.claims, args.enrollment)
    except Failed as failed:
        return failed.code
    try:
        explanation = settlement.explain(args.claim)
    except KeyError as missing:
        rejected = [r for r in settlement.rejects.to_pylist() if r["claim_id"] == args.claim]
        if rejected:
            r = rejected[0]
            error("explain", f"claim {args.claim!r} was rejected (row {r['row']}): {r['reason']}")
        else:
            nearest = getattr(missing, "nearest", ())
            hint = f"; nearest ids: {', '.join(nearest)}" if nearest else ""
            error("explain", f"no claim {args.claim!r} in {args.claims}{hint}")
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(explanation.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(explanation.to_text())
    return 0
