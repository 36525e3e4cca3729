"""``aso check PATH... [--format text|json|sarif|github] [--strict]``: parse and check rule files.

On entry: the parsed arguments (a folder stands for every ``*.aso`` under it; ``-`` for a rule file
read from standard input, shown as ``<stdin>``, its includes resolved against the current folder).
On exit: the diagnostics of every file rendered to stdout in the chosen format (nothing in text
format when all is clean), and an exit code: 0 clean, 1 errors found (with ``--strict``, warnings
count as errors), 2 usage or I/O error (a path that does not exist, a file that cannot be read). I/O
problems are also written to stderr.
"""

from __future__ import annotations

import argparse
import sys

from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.loader import IO_CODES, check, rule_files
from aso_rules.language.render import SourceLookup, render

FORMATS = ("text", "json", "sarif", "github")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="parse and check rule files",
        description="Parse and check rule files (a folder: every *.aso under it).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="rule files or folders")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--json", dest="format", action="store_const", const="json", help="--format json")
    parser.add_argument("--strict", action="store_true", help="count warnings as errors")
    parser.set_defaults(run=run)


STDIN = "-"  # the path that stands for standard input (shown as <stdin>)


def check_stdin() -> tuple[list[Diagnostic], str]:
    """The diagnostics of a rule file read from stdin (includes resolve against the current folder)."""
    from aso_rules.language.loader import parse_program_text

    text = sys.stdin.read()
    program, diagnostics = parse_program_text(text, filename="<stdin>")
    if program is not None:
        from aso_rules.language.check import check_program

        diagnostics = diagnostics + list(check_program(program).diagnostics)
    return diagnostics, text


def run(args: argparse.Namespace) -> int:
    paths = [p for p in args.paths if p != STDIN]
    files, missing = rule_files(paths)
    for diagnostic in missing:
        print(f"aso check: {diagnostic.message}", file=sys.stderr)
    if missing:
        return 2
    diagnostics = check(files) if files else []
    sources: SourceLookup | None = None
    if len(paths) < len(args.paths):
        from aso_rules.language.render import file_sources

        stdin_diagnostics, text = check_stdin()
        diagnostics = stdin_diagnostics + diagnostics
        files.insert(0, "<stdin>")
        on_disk = file_sources()
        sources = lambda path: text if path == "<stdin>" else on_disk(path)  # noqa: E731
    io_errors = [d for d in diagnostics if d.code in IO_CODES and d.span.file in files]
    for diagnostic in io_errors:
        print(f"aso check: {diagnostic.span.file}: {diagnostic.message}", file=sys.stderr)
    output = render(diagnostics, args.format, files=len(files), sources=sources)
    if output:
        print(output)
    if io_errors:
        return 2
    errors = sum(1 for d in diagnostics if d.is_error or args.strict)
    return 1 if errors else 0
