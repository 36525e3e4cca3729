"""``aso fmt PATH... [--check] [--diff]``: rewrite rule files in the canonical layout.

A folder stands for every ``*.aso`` under it. Without flags, files are rewritten in place (only
those that change); ``-`` reads one rule file from standard input and prints it formatted.
``--check`` only reports the files that would change; ``--diff`` prints a unified diff of each (both
write nothing).

Exit codes: 0 every file is canonical (or was rewritten), 1 a file would change (``--check`` /
``--diff``) or does not parse (its diagnostics go to stderr), 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
import tempfile

from aso_rules.language.format import format_file
from aso_rules.language.loader import read_source, rule_files
from aso_rules.language.parser import parse_text
from aso_rules.language.render import render_text


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "fmt",
        help="rewrite rule files in the canonical layout",
        description="Rewrite rule files in the canonical layout (a folder: every *.aso under it).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="rule files or folders")
    parser.add_argument("--check", action="store_true", help="only report files that would change")
    parser.add_argument("--diff", action="store_true", help="print a diff instead of rewriting")
    parser.set_defaults(run=run)


def _write(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".aso-fmt-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        with contextlib.suppress(OSError):  # keep the file's permissions where possible
            os.chmod(temp, os.stat(path).st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def format_stdin(args: argparse.Namespace) -> int:
    """``aso fmt -``: the formatted text of stdin on stdout (with ``--check``/``--diff``, the report)."""
    text = sys.stdin.read()
    rule_file, diagnostics = parse_text(text, "<stdin>")
    if rule_file is None:
        print(render_text(diagnostics, {"<stdin>": text}), file=sys.stderr)
        return 1
    formatted = format_file(rule_file)
    if args.diff:
        sys.stdout.writelines(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                formatted.splitlines(keepends=True),
                fromfile="<stdin>",
                tofile="<stdin> (formatted)",
            )
        )
    elif args.check:
        if formatted != text:
            print("would reformat <stdin>")
    else:
        sys.stdout.write(formatted)
        return 0
    return 1 if formatted != text else 0


def run(args: argparse.Namespace) -> int:
    if "-" in args.paths:
        if len(args.paths) > 1:
            print("aso fmt: error: '-' (standard input) cannot be combined with other paths", file=sys.stderr)
            return 2
        return format_stdin(args)
    files, missing = rule_files(args.paths)
    io_error = bool(missing)
    for diagnostic in missing:
        print(f"aso fmt: {diagnostic.message}", file=sys.stderr)
    findings = False
    for path in files:
        text, diagnostics = read_source(path)
        if text is None:
            for diagnostic in diagnostics:
                print(f"aso fmt: {path}: {diagnostic.message}", file=sys.stderr)
            io_error = True
            continue
        rule_file, diagnostics = parse_text(text, path)
        if rule_file is None:
            print(render_text(diagnostics, {path: text}), file=sys.stderr)
            findings = True
            continue
        formatted = format_file(rule_file)
        if formatted == text:
            continue
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    formatted.splitlines(keepends=True),
                    fromfile=path,
                    tofile=f"{path} (formatted)",
                )
            )
            findings = True
        elif args.check:
            print(f"would reformat {path}")
            findings = True
        else:
            try:
                _write(path, formatted)
            except OSError as exc:
                print(f"aso fmt: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
                io_error = True
                continue
            print(f"reformatted {path}")
    if io_error:
        return 2
    return 1 if findings else 0
