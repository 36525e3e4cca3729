"""What ``aso settle``, ``aso explain`` and ``aso test`` share: loading a ruleset for the command
line and settling input files, with every user error turned into a message and an exit code.

On entry: paths from the command line. On exit: a ``Ruleset`` / ``Settlement``, or a ``Failed``
exception carrying the exit code (1 ruleset errors, 2 usage or I/O) after the message was printed
to stderr. Nothing here prints a traceback for an error a user can cause.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from aso_rules.model import Ruleset


class Failed(Exception):
    """The command failed; ``code`` is its exit code, the message was already printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def error(command: str, message: str) -> None:
    print(f"aso {command}: error: {message}", file=sys.stderr)


def load_ruleset(command: str, path: str) -> Ruleset:
    """Load a rule file; print its diagnostics and raise ``Failed(1)`` if it has errors."""
    if not os.path.isfile(path):
        error(command, f"{path}: no such rule file")
        raise Failed(2)
    try:
        from aso_rules.language.loader import RulesetError, load
    except ImportError as exc:
        error(command, f"cannot load rule files in this installation: {exc}")
        raise Failed(2) from None
    try:
        return load(path)
    except RulesetError as exc:
        print_diagnostics(exc.diagnostics)
        raise Failed(1) from None
    except ImportError as exc:  # the checker or compiler is missing from this installation
        error(command, f"cannot compile rule files in this installation: {exc}")
        raise Failed(2) from None
    except OSError as exc:
        error(command, f"{path}: {exc.strerror or exc}")
        raise Failed(2) from None


def print_diagnostics(diagnostics: Any) -> None:
    """Diagnostics as text on stderr (file:line:col: severity[code]: message, source line, caret)."""
    from aso_rules.language.render import render

    text = render(list(diagnostics), "text")
    if text:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")


def settle_files(
    command: str,
    ruleset: Ruleset,
    claims: str,
    enrollment: str,
    *,
    engine: str = "reference",
    progress: bool = False,
    adjudicated: bool = False,
    date_format: str | None = None,
    currency: bool = False,
) -> Any:
    """Settle input files; I/O and file-level input problems become ``Failed(2)``, contract problems
    the checker should have caught become ``Failed(1)``."""
    from aso_rules.data.source import InputError
    from aso_rules.settle import EngineUnavailable, settle
    from aso_rules.settle.fees import FeeError
    from aso_rules.settle.stoploss import StopLossError

    for label, path in (("claims", claims), ("enrollment", enrollment)):
        if not os.path.isfile(path):
            error(command, f"{path}: no such {label} file")
            raise Failed(2)
    try:
        sources: tuple[Any, Any] = (claims, enrollment)
        if date_format is not None or currency:  # the user's text formats, read in memory
            from aso_rules.data.excel import normalise
            from aso_rules.data.source import to_arrow

            sources = (
                normalise(to_arrow(claims), date_format=date_format, currency=currency),
                normalise(to_arrow(enrollment), date_format=date_format, currency=currency),
            )
        return settle(ruleset, *sources, engine=engine, progress=progress, adjudicated=adjudicated)
    except EngineUnavailable as exc:
        error(command, str(exc))
        raise Failed(2) from None
    except InputError as exc:
        error(command, str(exc))
        raise Failed(2) from None
    except OSError as exc:
        error(command, f"{exc.filename or ''}: {exc.strerror or exc}")
        raise Failed(2) from None
    except (StopLossError, FeeError) as exc:
        error(command, str(exc))
        raise Failed(1) from None
