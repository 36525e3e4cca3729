"""The ``aso`` command: a thin layer that parses arguments, calls the library and renders.

Each subcommand lives in its own module with ``add_parser(subparsers)`` and ``run(args) -> int``.
Exit codes (docs/contracts.md): 0 success, 1 findings (errors, failures, would-change), 2 usage or I/O error,
70 internal error (a bug: one line asking for a report; the traceback only with ``--debug``),
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from aso_rules.extras import MissingExtra

EX_SOFTWARE = 70

COMMANDS = (
    "check",
    "fmt",
    "test",
    "settle",
    "explain",
    "price",
    "diff",
    "renew",
    "init",
    "audit",
    "ledger",
    "track",
)


def out_folder(text: str) -> str:
    """``--out DIR``: a non-empty path (an empty one would write into the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the output folder cannot be empty")
    return text


def seed(text: str) -> int:
    """``--seed S``: an integer from 0 to 2**32 - 1 (what the random generator accepts)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {text!r}: expected an integer") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"invalid seed {value}: expected 0 to 4294967295")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aso", description="Rules engine for self-funded (ASO) benefit plans.")
    from aso_rules import __version__

    parser.add_argument("--version", action="version", version=f"aso {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="print the traceback of an internal error (exit 70)"
    )
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
    except MissingExtra as exc:  # a feature of an extra this installation lacks: say which to add
        print(f"aso {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # an internal error: a bug, never a user error
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(
            f"aso: internal error ({type(exc).__name__}); this is a bug, please report it with the "
            "command line (run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return EX_SOFTWARE
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
