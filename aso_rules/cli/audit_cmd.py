"""``aso audit RULESET --claims ADJUDICATED --enrollment E``: the claims audit.

Re-adjudicates the administrator's paid claims (the ``settle --adjudicated`` input) under the
ruleset and lists, per claim and in total, where the paid figures differ: overpaid, underpaid,
excluded service paid, a member not covered paid, the wrong accumulator, a price off the fee
schedule (with ``--reprice``), each with the rules' step-by-step trace. ``--out DIR`` writes
audit.json, audit.csv and rejects.csv. Exit codes: 0 audited (1 with ``--exit-code`` when a
claim differs), 1 ruleset errors, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

from aso_rules.cli.settle_common import Failed, error, load_ruleset

CSV_COLUMNS = (
    "claim_id",
    "member_id",
    "line",
    "category",
    "incurred",
    "paid",
    "kinds",
    "paid_plan_paid",
    "rules_plan_paid",
    "difference",
    "paid_deductible",
    "rules_deductible",
    "rules_status",
    "rules_reason",
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="audit an administrator's paid claims against the ruleset",
        description="Re-adjudicate adjudicated claims and list where the paid figures differ "
        "(docs/settlement.md, 'Adjudicated claims').",
    )
    parser.add_argument("ruleset", metavar="RULESET", help="the rule file (*.aso)")
    parser.add_argument("--claims", required=True, metavar="F", help="adjudicated claims .csv or .parquet")
    parser.add_argument("--enrollment", required=True, metavar="F", help="enrollment .csv or .parquet")
    parser.add_argument("--out", metavar="DIR", help="write audit.json, audit.csv and rejects.csv here")
    parser.add_argument("--json", action="store_true", help="print audit.json instead of the summary")
    parser.add_argument(
        "--reprice",
        action="store_true",
        help="price lines from the ruleset's fee schedules instead of taking the administrator's allowed",
    )
    parser.add_argument(
        "--exit-code", action="store_true", help="exit 1 when any claim differs (for CI and scripts)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from aso_rules.data.adjudicated import read_adjudicated
    from aso_rules.data.readers import read_enrollment
    from aso_rules.data.source import InputError
    from aso_rules.settle.audit import audit

    try:
        ruleset = load_ruleset("audit", args.ruleset)
    except Failed as failed:
        return failed.code
    for label, path in (("claims", args.claims), ("enrollment", args.enrollment)):
        if not os.path.isfile(path):
            error("audit", f"{path}: no such {label} file")
            return 2
    try:
        members = read_enrollment(args.enrollment, ruleset).by_id()
        paid = read_adjudicated(args.claims, ruleset, members)
    except InputError as exc:
        error("audit", str(exc))
        return 2
    except OSError as exc:
        error("audit", f"{exc.filename or ''}: {exc.strerror or exc}")
        return 2
    given = [n for n in ("deductible", "copay", "coinsurance") if n in paid.columns]
    result = audit(ruleset, members, paid, given=given, reprice=args.reprice)
    data = result.to_json()
    if args.out:
        try:
            _write(Path(args.out), data, result)
        except OSError as exc:
            error("audit", f"cannot write to {args.out}: {exc.strerror or exc}")
            return 2
    if args.json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(_summary(data))
    return 1 if args.exit_code and result.findings else 0


def _write(out: Path, data: dict[str, Any], result: Any) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "audit.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    with (out / "audit.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for f in data["findings"]:
            admin, rules = f["administrator"], f["rules"]
            writer.writerow(
                [
                    *(f[k] for k in ("claim_id", "member_id", "line", "category", "incurred", "paid")),
                    ";".join(f["kinds"]),
                    admin["plan_paid"],
                    rules["plan_paid"],
                    f["difference"],
                    admin["deductible"],
                    rules["deductible"],
                    rules["status"],
                    rules["reason"],
                ]
            )
    with (out / "rejects.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("row", "claim_id", "reason"))
        for r in result.rejects:
            writer.writerow((r.row, r.claim_id, r.reason))


def _summary(data: dict[str, Any]) -> str:
    c, t = data["counts"], data["totals"]
    out = [
        f"{data['ruleset']}: {c['claims_audited']} claims audited, {c['claims_differing']} differ "
        f"({c['claims_voided']} voided, {c['claims_not_audited']} disability not audited, "
        f"{c['rejected']} rows rejected)",
        f"overpaid {t['overpaid']}, underpaid {t['underpaid']}, net {t['net']}",
    ]
    kinds = {k: n for k, n in data["by_kind"].items() if n}
    if kinds:
        out.append("by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    for f in data["findings"][:20]:
        out.append(
            f"  {f['claim_id']:<14} {','.join(f['kinds']):<32} paid {f['administrator']['plan_paid']:>12} "
            f"rules {f['rules']['plan_paid']:>12}"
        )
    if len(data["findings"]) > 20:
        out.append(f"  ... {len(data['findings']) - 20} more (audit.json, audit.csv)")
    return "\n".join(out) + "\n"
