"""``aso test PATH... [--format text|json]``: run the ``test`` blocks of rule files.

A folder stands for every ``*.aso`` under it. Each file is loaded (a file with errors counts as a
failure and its diagnostics are printed), each test block is settled by the reference engine and its
expectations checked; a failure shows expected vs actual, the difference and the claim's trace.
The text report ends with ``N passed, N failed``; ``--coverage`` adds, per line of coverage, the
categories the ruleset names that no test claim exercises. Exit codes: 0 all pass, 1 any fail, 2 usage or I/O
error (a missing path, or a loader this installation lacks).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aso_rules.cli.settle_common import error, print_diagnostics


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run the test blocks of rule files",
        description="Run the test blocks of rule files (a folder: every *.aso under it).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="rule files or folders")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    parser.add_argument(
        "--coverage", action="store_true", help="also report which named categories the tests exercise"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from aso_rules.language.loader import RulesetError, load, rule_files
    except ImportError as exc:
        error("test", f"cannot load rule files in this installation: {exc}")
        return 2
    from aso_rules.testing.runner import (
        CaseResult,
        as_json,
        render_coverage,
        render_text,
        run_ruleset,
        tally,
        tested_coverage,
    )

    files, missing = rule_files(args.paths)
    for d in missing:
        error("test", d.message)
    if missing:
        return 2
    results: list[tuple[str, list[CaseResult]]] = []
    coverage: list[tuple[str, dict[str, dict[str, list[str]]]]] = []
    broken = 0
    for path in files:
        try:
            ruleset = load(path)
        except RulesetError as exc:
            print_diagnostics(exc.diagnostics)
            broken += 1
            continue
        except ImportError as exc:
            error("test", f"cannot compile rule files in this installation: {exc}")
            return 2
        except OSError as exc:
            error("test", f"{path}: {exc.strerror or exc}")
            return 2
        results.append((path, run_ruleset(ruleset, diagnostics=_diagnostics(ruleset, path))))
        if args.coverage:
            coverage.append((path, tested_coverage(ruleset)))
    if args.format == "json":
        report: dict[str, Any] = as_json(results)
        report["files_with_errors"] = broken
        if args.coverage:
            report["coverage"] = dict(coverage)
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        if args.coverage:
            sys.stdout.write(render_coverage(coverage))
        sys.stdout.write(render_text(results))
        if broken:
            print(f"{broken} file(s) with errors", file=sys.stderr)
    _, failed = tally(results)
    return 1 if failed or broken else 0


def _diagnostics(ruleset: Any, path: str) -> Any:
    """The checker's diagnostics of a file, only when one of its tests expects a diagnostic."""
    if not any(e.target == "diagnostic" for case in ruleset.tests for e in case.expectations):
        return None
    from aso_rules.language.loader import check

    return check(path)
