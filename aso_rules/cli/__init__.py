"""The ``aso`` command: a thin layer that parses arguments, calls the library and renders.

Each subcommand lives in its own module with ``add_parser(subparsers)`` and ``run(args) -> int``.
Exit codes (docs/contracts.md): 0 success, 1 findings (errors, failures, would-change), 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS = ("check", "fmt", "test", "settle", "explain", "price", "diff")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aso", description="Rules engine for self-funded (ASO) benefit plans.")
    from aso_rules import __version__

    parser.add_argument("--version", action="version", version=f"aso {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"aso_rules.cli.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name != f"aso_rules.cli.{name}_cmd":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        print("aso: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
