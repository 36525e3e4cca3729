"""What ``aso settle``, ``aso price``, ``aso explain`` and the other commands share: loading a
ruleset for the command line and settling input files (in process, or on a Dask cluster), with
every user error turned into a message and an exit code.

On entry: paths from the command line. On exit: a ``Ruleset`` / ``Settlement`` /
``DistributedSettlement``, or a ``Failed`` exception carrying the exit code (1 ruleset errors or a
contract the checker should have caught, 2 usage, I/O or an unreachable scheduler) after the
message was printed to stderr. Nothing here prints a traceback for an error a user can cause.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from aso_rules.model import Ruleset

if TYPE_CHECKING:
    from aso_rules.settle.distributed import DistributedSettlement


class Failed(Exception):
    """The command failed; ``code`` is its exit code, the message was already printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def error(command: str, message: str) -> None:
    print(f"aso {command}: error: {message}", file=sys.stderr)


def load_ruleset(command: str, path: str) -> Ruleset:
    """Load a rule file; print its diagnostics and raise ``Failed(1)`` if it has errors, or
    ``Failed(2)`` if the rule file itself is missing or cannot be read (``IO_CODES``)."""
    if not os.path.isfile(path):
        error(command, f"{path}: no such rule file")
        raise Failed(2)
    try:
        from aso_rules.language.loader import IO_CODES, RulesetError, load
    except ImportError as exc:
        error(command, f"cannot load rule files in this installation: {exc}")
        raise Failed(2) from None
    try:
        return load(path)
    except RulesetError as exc:
        io_errors = [d for d in exc.diagnostics if d.code in IO_CODES and d.span.file == str(path)]
        if io_errors:  # the rule file itself cannot be read (binary, not UTF-8, too large)
            for d in io_errors:
                error(command, f"{d.span.file}: {d.message}")
            raise Failed(2) from None
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


def settle_dask_files(
    command: str,
    ruleset: Ruleset,
    claims: str,
    enrollment: str,
    *,
    out: str,
    scheduler: str | None,
    adjudicated: bool = False,
) -> DistributedSettlement:
    """Settle input files on a Dask cluster (a local one sized to the machine without ``scheduler``)."""
    from aso_rules.data.source import InputError
    from aso_rules.settle.fees import FeeError
    from aso_rules.settle.stoploss import StopLossError

    try:
        import distributed  # noqa: F401 - only to report a missing extra plainly

        from aso_rules.settle.distributed import settle_dask
    except ImportError as exc:
        error(command, f"the dask engine needs the dask extra (pip install 'aso-rules[dask]'): {exc}")
        raise Failed(2) from None
    if not os.path.exists(claims):
        error(command, f"{claims}: no such claims file or folder")
        raise Failed(2)
    if not os.path.isfile(enrollment):
        error(command, f"{enrollment}: no such enrollment file")
        raise Failed(2)
    try:
        return settle_dask(
            ruleset, claims, enrollment, out_dir=out, scheduler=scheduler, adjudicated=adjudicated
        )
    except InputError as exc:
        error(command, str(exc))
        raise Failed(2) from None
    except (StopLossError, FeeError) as exc:
        error(command, str(exc))
        raise Failed(1) from None
    except OSError as exc:  # includes a scheduler that cannot be reached (connection errors)
        error(command, f"{getattr(exc, 'filename', None) or scheduler or ''}: {exc.strerror or exc}")
        raise Failed(2) from None
    except ValueError as exc:  # a malformed scheduler address
        error(command, f"dask: {exc}")
        raise Failed(2) from None
