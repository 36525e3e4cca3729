"""``aso ledger init|post|export|close|status|history``: a durable settlement ledger (docs/ledger.md).

DB is a file path (SQLite) or a ``postgresql://`` URL. Exit codes: 0 done (``post`` of a batch
already posted with the same content is done: it says so and changes nothing), 1 the ruleset has
errors, 2 usage, I/O or a refused operation (a batch id re-used with other content, a line paid in
a closed month, not a ledger): nothing changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aso_rules.cli.settle_common import Failed, error, load_ruleset

CMD = "ledger"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ledger",
        help="a durable settlement ledger: post monthly batches, export, close months",
        description="Post claims in batches to a ledger database and close monthly statements "
        "(docs/ledger.md).",
    )
    sub = parser.add_subparsers(dest="ledger_command", metavar="ACTION", parser_class=type(parser))
    sub.required = True

    p = sub.add_parser("init", help="create a ledger for a ruleset and an enrollment")
    p.add_argument("db", metavar="DB", help="SQLite file path or postgresql:// URL")
    p.add_argument("--ruleset", required=True, metavar="R", help="the rule file (*.aso)")
    p.add_argument("--enrollment", required=True, metavar="E", help="enrollment .csv or .parquet")
    p.set_defaults(run=run_init)

    p = sub.add_parser("post", help="post one batch of claims (one transaction)")
    p.add_argument("db", metavar="DB")
    p.add_argument("--claims", required=True, metavar="F", help="claims .csv or .parquet")
    p.add_argument("--batch", required=True, metavar="ID", help="the batch id (idempotence key)")
    p.add_argument("--enrollment", metavar="E", help="a new enrollment, in force from this batch")
    p.add_argument("--engine", choices=("reference", "vector", "auto"), default="auto")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=run_post)

    p = sub.add_parser("export", help="write the current view as aso settle's files")
    p.add_argument("db", metavar="DB")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--ledger-format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--json", action="store_true", help="print summary.json")
    p.set_defaults(run=run_export)

    p = sub.add_parser("close", help="close a month: the settlement statement (JSON and HTML)")
    p.add_argument("db", metavar="DB")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    p.add_argument("--out", metavar="DIR", help="write statement-YYYY-MM.json and .html here")
    p.add_argument("--reopen", action="store_true", help="reopen a closed month instead")
    p.add_argument("--json", action="store_true", help="print the statement JSON")
    p.set_defaults(run=run_close)

    p = sub.add_parser("status", help="batches, months and totals to date")
    p.add_argument("db", metavar="DB")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_status)

    p = sub.add_parser("history", help="every adjudication of a claim line, with its batch")
    p.add_argument("db", metavar="DB")
    p.add_argument("--claim", required=True, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_history)


def _guard(fn: Any) -> Any:
    """Turn the ledger's, the readers' and the database's user errors into a message and exit 2."""

    def wrapped(args: argparse.Namespace) -> int:
        from aso_rules.data.source import InputError
        from aso_rules.ledger import LedgerError, LedgerUnavailable

        try:
            code: int = fn(args)
            return code
        except Failed as failed:
            return failed.code
        except (LedgerError, LedgerUnavailable, InputError) as exc:
            error(CMD, str(exc))
            return 2
        except OSError as exc:
            error(CMD, f"{exc.filename or ''}: {exc.strerror or exc}")
            return 2
        except Exception as exc:  # a database error (sqlite3 / psycopg): no traceback for a user
            if type(exc).__module__.split(".")[0] in ("sqlite3", "psycopg"):
                error(CMD, f"database error: {exc}")
                return 2
            raise

    return wrapped


def _open(db: str) -> Any:
    from aso_rules.ledger import open as open_ledger

    return open_ledger(db)


@_guard
def run_init(args: argparse.Namespace) -> int:
    from aso_rules.ledger import init

    ruleset = load_ruleset(CMD, args.ruleset)  # diagnostics, exit 1
    del ruleset
    with init(args.db, args.ruleset, args.enrollment) as ledger:
        members = len(ledger.members)
    print(f"aso ledger: created {args.db} ({members} members)")
    return 0


@_guard
def run_post(args: argparse.Namespace) -> int:
    with _open(args.db) as ledger:
        result = ledger.post(args.claims, batch=args.batch, enrollment=args.enrollment, engine=args.engine)
    if args.json:
        import attrs

        sys.stdout.write(json.dumps(attrs.asdict(result), indent=2) + "\n")
    elif result.already_posted:
        print(f"aso ledger: batch {args.batch!r} already posted with the same content; nothing changed")
    else:
        print(
            f"aso ledger: posted batch {args.batch!r}: {result.lines} lines, {result.rejected} rejected, "
            f"{result.reversals} reversals, {result.readjudicated} earlier lines re-adjudicated "
            f"({result.families} families, {result.engine} engine)"
        )
    if result.rejected and not args.json:
        print(
            f"aso ledger: {result.rejected} rows rejected (see `aso ledger export` rejects.csv)",
            file=sys.stderr,
        )
    return 0


@_guard
def run_export(args: argparse.Namespace) -> int:
    from aso_rules.settle.ledger import summary_json

    with _open(args.db) as ledger:
        result = ledger.export(args.out, ledger_format=args.ledger_format)
    if args.json:
        sys.stdout.write(summary_json(result.summary))
    else:
        from aso_rules.cli.settle_cmd import summary_table

        sys.stdout.write(summary_table(result.summary))
    return 0


@_guard
def run_close(args: argparse.Namespace) -> int:
    with _open(args.db) as ledger:
        doc = ledger.close_month(args.month, args.out, reopen=args.reopen)
    if args.json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    elif args.reopen:
        print(f"aso ledger: reopened {args.month}")
    else:
        c = doc["employer_cost"]
        print(
            f"aso ledger: closed {args.month}: claims paid {doc['claims_paid']['plan_paid']}, "
            f"specific due {doc['specific_reimbursement_due']['total']}, employer cost {c['month']} "
            f"(year to date {c['year_to_date']})"
        )
    return 0


@_guard
def run_status(args: argparse.Namespace) -> int:
    with _open(args.db) as ledger:
        doc = ledger.status()
    if args.json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 0
    print(f"{doc['ruleset']}  (schema version {doc['schema_version']})")
    for b in doc["batches"]:
        print(
            f"  batch {b['batch']:<20} {b['posted_at']}  {b['lines']:>9} lines {b['rejected']:>6} rejected "
            f"{b['reversals']:>5} reversals {b['readjudicated']:>6} re-adjudicated"
        )
    for m in doc["months"]:
        closed = "  closed" if m["month"] in doc["closed_months"] else ""
        print(f"  month {m['month']}  {m['lines']:>9} lines  plan paid {m['plan_paid']:>16}{closed}")
    t = doc["totals"]
    print(f"  to date: {t['lines']} lines, allowed {t['allowed']}, plan paid {t['plan_paid']}")
    return 0


@_guard
def run_history(args: argparse.Namespace) -> int:
    with _open(args.db) as ledger:
        rows = ledger.history(args.claim)
    if not rows:
        error(CMD, f"no line with claim id {args.claim!r} in the ledger")
        return 2
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    for r in rows:
        print(
            f"row {r['row']}  batch {r['batch']}  {r['kind']:<13} {r['status']:<8} "
            f"allowed {r['allowed']:>12} deductible {r['deductible']:>10} "
            f"plan paid {r['plan_paid']:>12}  {r['reason']}"
        )
    return 0
