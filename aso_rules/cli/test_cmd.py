"""``aso test PATH... [--format text|json] [--junit FILE] [--coverage] [--fail-under N]``.

Runs the ``test`` blocks of rule files. A folder stands for every ``*.aso`` under it. A file that
another file of the same run includes is run as part of that root, not on its own, so its tests run
once (includes merge test blocks too): a test file that ``include``s a ruleset runs the ruleset's
tests and its own. A file with errors counts as a failure and its diagnostics go to stderr.

Each failed expectation shows expected vs actual, the difference and the claim's trace.
``--coverage`` adds the rule coverage report (statements exercised and thresholds reached, per file
and in total); ``--fail-under N`` fails the run when statement coverage is below N percent;
``--junit FILE`` also writes a JUnit XML report. Exit codes: 0 all pass, 1 any fail (or a file with
errors, or coverage under ``--fail-under``), 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from aso_rules.cli.settle_common import error, print_diagnostics


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100: {text}")
    return value


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run the test blocks of rule files",
        description="Run the test blocks of rule files (a folder: every *.aso under it).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="rule files or folders")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="--format json")
    parser.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report to FILE")
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="report the statements the tests exercise and the thresholds they reach",
    )
    parser.add_argument(
        "--fail-under",
        type=_percent,
        metavar="N",
        help="fail (exit 1) when statement coverage is below N percent",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from aso_rules.language.loader import RulesetError, load, parse_program, rule_files
    except ImportError as exc:
        error("test", f"cannot load rule files in this installation: {exc}")
        return 2
    from aso_rules.language.diagnostics import Diagnostic
    from aso_rules.testing.coverage import Coverage, render_coverage
    from aso_rules.testing.junit import render_junit
    from aso_rules.testing.runner import CaseResult, as_json, render_text, run_ruleset, tally

    files, missing = rule_files(args.paths)
    files = list({Path(f).resolve(): f for f in reversed(files)}.values())[::-1]  # each file once
    for d in missing:
        error("test", d.message)
    if missing:
        return 2
    parsed: dict[str, tuple[Any, list[Diagnostic]]] = {}
    included: dict[Path, str] = {}
    for path in files:
        program, diagnostics = parse_program(path)
        parsed[path] = (program, diagnostics)
        if program is not None:
            for rule_file in program.includes:
                included.setdefault(Path(os.path.join(os.getcwd(), rule_file.path)).resolve(), path)
    measuring = args.coverage or args.fail_under is not None
    coverage = Coverage()
    results: list[tuple[str, list[CaseResult]]] = []
    broken: list[tuple[str, list[Diagnostic]]] = []
    notes: list[str] = []
    for path in files:
        root = included.get(Path(path).resolve())
        if root is not None and root != path:
            notes.append(f"{path}: run as part of {root}, which includes it")
            continue
        program, diagnostics = parsed[path]
        try:
            if program is None:
                raise RulesetError(diagnostics)
            ruleset = load(path)
        except RulesetError as exc:
            print_diagnostics(exc.diagnostics)
            broken.append((path, exc.diagnostics))
            continue
        except ImportError as exc:
            error("test", f"cannot compile rule files in this installation: {exc}")
            return 2
        except OSError as exc:
            error("test", f"{path}: {exc.strerror or exc}")
            return 2
        recorder = None
        if measuring:
            coverage.add_program(program, ruleset)

            def recorder(settlement: Any, program: Any = program, ruleset: Any = ruleset) -> None:
                coverage.record(program, ruleset, settlement)

        cases = run_ruleset(ruleset, diagnostics=_diagnostics(ruleset, path), recorder=recorder)
        results.append((path, cases))
    report = coverage.report() if measuring else None
    if args.junit:
        try:
            Path(args.junit).write_text(render_junit(results, broken), encoding="utf-8")
        except OSError as exc:
            error("test", f"cannot write {args.junit}: {exc.strerror or exc}")
            return 2
    if args.format == "json":
        out: dict[str, Any] = as_json(results)
        out["files_with_errors"] = len(broken)
        from aso_rules.language.render import as_dict

        out["file_errors"] = {path: [as_dict(d) for d in diagnostics] for path, diagnostics in broken}
        if report is not None:
            out["coverage"] = report
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    else:
        for note in notes:
            sys.stdout.write(note + "\n")
        sys.stdout.write(render_text(results))
        if args.coverage and report is not None:
            sys.stdout.write(render_coverage(report))
    if broken:
        print(f"{len(broken)} file(s) with errors", file=sys.stderr)
    _, failed = tally(results)
    code = 1 if failed or broken else 0
    if args.fail_under is not None and report is not None:
        percent = report["total"]["percent"]
        if percent < args.fail_under:
            print(
                f"aso test: statement coverage {percent}% is below --fail-under {args.fail_under:g}%",
                file=sys.stderr,
            )
            code = 1
    return code


def _diagnostics(ruleset: Any, path: str) -> Any:
    """The checker's diagnostics of a file, only when one of its tests expects a diagnostic."""
    if not any(e.target == "diagnostic" for case in ruleset.tests for e in case.expectations):
        return None
    from aso_rules.language.loader import check

    return check(path)
