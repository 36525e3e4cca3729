"""The orchestrator: the only module that knows the stage order.

    read -> parse (parser.py, build.py) -> includes -> tables (tables.py) -> check (check.py)
         -> compile (compile.py)

On entry: paths or text from a user, anything at all. On exit: a ``Ruleset`` (``load``, ``loads``),
or diagnostics (``check``, ``parse_program``); user errors never raise anything but
``RulesetError`` (from ``load``/``loads``, carrying ``.diagnostics``).

Includes (``include "PATH"``) are resolved relative to the including file and confined to the root
folder (the folder of the root file; for ``loads``, ``root`` or the current folder). Each file is
read once: a file included twice is merged once. Include diagnostics, at the include statement:

- E290 include not found (or not a file)
- E291 include outside the root folder
- E292 include cycle
- E293 includes nested deeper than ``MAX_INCLUDE_DEPTH`` or more than ``MAX_INCLUDES`` files
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aso_rules.language import ast
from aso_rules.language.diagnostics import Diagnostic, Span, printable
from aso_rules.language.parser import MAX_FILE_BYTES, decode, parse_text, too_large

if TYPE_CHECKING:
    from aso_rules.language.check import CheckedProgram
    from aso_rules.model import Ruleset

MAX_INCLUDE_DEPTH = 16
MAX_INCLUDES = 256

PathLike = str | os.PathLike[str]
# Diagnostics that mean "could not read the input" (missing, unreadable, binary, not UTF-8, too
# large), not "the rules are wrong": the commands exit 2 for them, as for any I/O error.
IO_CODES = frozenset({"E104", "E105"})


class RulesetError(Exception):
    """A rule file has errors; ``diagnostics`` holds all of them (errors and warnings)."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        summary = f"{len(errors)} error(s)"
        if first is not None:
            s = first.span
            summary += f"; first: {s.file}:{s.line}:{s.column}: {first.code} {first.message}"
        super().__init__(summary)


def _has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def read_source(path: PathLike) -> tuple[str | None, list[Diagnostic]]:
    """The text of a rule file, or E104/E105 (missing, unreadable, binary, not UTF-8, too large)."""
    shown = os.fspath(path)
    at = Span(shown, 1, 1, 1, 1)
    try:
        info = os.stat(shown)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(shown)
        if not stat.S_ISREG(info.st_mode):
            # a FIFO, socket or device: opening or reading it may block forever or never end
            return None, [Diagnostic("E104", "error", f"not a regular file: {shown}", at, "name a rule file")]
        size = info.st_size
        if size > MAX_FILE_BYTES:
            return None, [too_large(size, shown)]
        with open(shown, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [Diagnostic("E104", "error", f"file not found: {shown}", at, "check the path")]
    except IsADirectoryError:
        return None, [Diagnostic("E104", "error", f"not a file: {shown} is a folder", at, "")]
    except OSError as exc:
        return None, [Diagnostic("E104", "error", f"cannot read {shown}: {exc.strerror or exc}", at, "")]
    return decode(data, shown)


def parse_file(path: PathLike) -> tuple[ast.RuleFile | None, list[Diagnostic]]:
    """Read and parse one file (no includes)."""
    text, diagnostics = read_source(path)
    if text is None:
        return None, diagnostics
    return parse_text(text, os.fspath(path))


class _Includes:
    """Depth-first include resolution, each file once, in order of first inclusion."""

    def __init__(self, root_dir: Path) -> None:
        self.root_dir = root_dir
        self.loaded: dict[Path, ast.RuleFile] = {}
        self.order: list[ast.RuleFile] = []
        self.diagnostics: list[Diagnostic] = []

    def follow(
        self, rule_file: ast.RuleFile, real: Path, chain: tuple[Path, ...], base_shown: str | None = None
    ) -> None:
        """Load the includes of ``rule_file`` (read from ``real``); paths are shown relative to
        ``base_shown`` (default: the folder of ``rule_file.path``)."""
        if base_shown is None:
            base_shown = os.path.dirname(rule_file.path)
        for statement in rule_file.statements:
            if isinstance(statement, ast.Include):
                self._include(statement, base_shown, real.parent, (*chain, real))

    def _error(self, code: str, message: str, statement: ast.Include, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, "error", message, statement.span, hint))

    def _include(
        self, statement: ast.Include, base_shown: str, base_real: Path, chain: tuple[Path, ...]
    ) -> None:
        written = statement.path
        shown_path = printable(written)
        target = Path(os.path.normpath(base_real / written))
        try:
            real = target.resolve()
        except (OSError, RuntimeError):
            real = target
        if not real.is_relative_to(self.root_dir):
            self._error(
                "E291",
                f'include "{shown_path}" is outside the root folder {self.root_dir}',
                statement,
                "included files must be inside the folder of the root rule file",
            )
            return
        if real in chain:
            cycle = " -> ".join(p.name for p in (*chain[chain.index(real) :], real))
            self._error("E292", f"include cycle: {cycle}", statement, "remove one of these includes")
            return
        if real in self.loaded:
            return
        if len(chain) > MAX_INCLUDE_DEPTH or len(self.loaded) >= MAX_INCLUDES:
            self._error(
                "E293",
                f"too many includes: at most {MAX_INCLUDE_DEPTH} deep and {MAX_INCLUDES} files",
                statement,
            )
            return
        if not real.is_file():
            self._error(
                "E290",
                f'included file not found (or not a regular file): "{shown_path}"',
                statement,
                "the path is relative to this file",
            )
            return
        shown = os.path.normpath(os.path.join(base_shown, written))
        text, diagnostics = read_source(real)
        rule_file = None
        if text is not None:
            rule_file, diagnostics = parse_text(text, shown)
        self.diagnostics.extend(diagnostics)
        if rule_file is None:
            return
        self.loaded[real] = rule_file
        self.order.append(rule_file)
        self.follow(rule_file, real, chain)


def _program(
    root_file: ast.RuleFile, real: Path, root_dir: Path, base_shown: str | None = None
) -> tuple[ast.Program | None, list[Diagnostic]]:
    includes = _Includes(root_dir)
    includes.loaded[real] = root_file
    includes.follow(root_file, real, (), base_shown)
    program = ast.Program(root_file, tuple(includes.order))
    return (None if _has_errors(includes.diagnostics) else program), includes.diagnostics


def parse_program(path: PathLike) -> tuple[ast.Program | None, list[Diagnostic]]:
    """Read and parse a root rule file and everything it includes (no check).

    The program is None when any file has an error; the diagnostics list every problem found.
    """
    root_file, diagnostics = parse_file(path)
    if root_file is None:
        return None, diagnostics
    real = Path(os.fspath(path)).resolve()
    program, more = _program(root_file, real, real.parent)
    diagnostics = diagnostics + more
    return (None if _has_errors(diagnostics) else program), diagnostics


def parse_program_text(
    text: str, *, filename: str = "<string>", root: PathLike | None = None
) -> tuple[ast.Program | None, list[Diagnostic]]:
    """``parse_program`` for text; includes resolve against ``root`` (default: the current folder)."""
    root_file, diagnostics = parse_text(text, filename)
    if root_file is None:
        return None, diagnostics
    root_dir = Path(os.fspath(root) if root is not None else os.getcwd()).resolve()
    shown = os.fspath(root) if root is not None else ""
    program, more = _program(root_file, root_dir / "<string>", root_dir, shown)
    diagnostics = diagnostics + more
    return (None if _has_errors(diagnostics) else program), diagnostics


# ============================================================================ check and compile


def _check_program(program: ast.Program) -> CheckedProgram:
    from aso_rules.language.check import check_program
    from aso_rules.language.tables import read_tables

    return check_program(program, read_tables(program))


def _compile(program: ast.Program, diagnostics: list[Diagnostic]) -> Ruleset:
    checked = _check_program(program)
    diagnostics.extend(checked.diagnostics)
    if not _has_errors(diagnostics) and not any(isinstance(s, ast.Ruleset) for _, s in program.statements()):
        # `check` only warns (W101) about an empty file; loading it for a command needs a plan.
        root = program.root.path
        diagnostics.append(
            Diagnostic(
                "E315",
                "error",
                "the ruleset is empty: it has no `ruleset` header, so there is no plan to use",
                Span(root, 1, 1, 1, 1),
                'start the root file with `ruleset "NAME" { plan_year ... tiers ... }`',
            )
        )
    if _has_errors(diagnostics):
        raise RulesetError(diagnostics)
    from aso_rules.compile import compile_program

    return compile_program(checked)


def load(path: PathLike) -> Ruleset:
    """Load a rule file: read, parse, resolve includes, check, compile.

    Raises ``RulesetError`` (with every diagnostic) if there is any error.
    """
    program, diagnostics = parse_program(path)
    if program is None:
        raise RulesetError(diagnostics)
    return _compile(program, diagnostics)


def loads(text: str, *, filename: str = "<string>", root: PathLike | None = None) -> Ruleset:
    """Load rule-file text (includes resolve against ``root``, default the current folder)."""
    program, diagnostics = parse_program_text(text, filename=filename, root=root)
    if program is None:
        raise RulesetError(diagnostics)
    return _compile(program, diagnostics)


def rule_files(paths: PathLike | Iterable[PathLike]) -> tuple[list[str], list[Diagnostic]]:
    """Expand paths: a folder stands for every ``*.aso`` under it (sorted); missing paths -> E104."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    found: list[str] = []
    diagnostics: list[Diagnostic] = []
    for item in items:
        shown = os.fspath(item)
        if os.path.isdir(shown):
            found.extend(sorted(str(p) for p in Path(shown).rglob("*.aso") if p.is_file()))
        elif os.path.exists(shown):
            found.append(shown)
        else:
            diagnostics.append(
                Diagnostic(
                    "E104", "error", f"file not found: {shown}", Span(shown, 1, 1, 1, 1), "check the path"
                )
            )
    return found, diagnostics


def _checker_available() -> bool:
    try:
        import aso_rules.language.check  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name == "aso_rules.language.check":
            return False
        raise
    return True


def check(paths: PathLike | Iterable[PathLike]) -> list[Diagnostic]:
    """Every diagnostic of the given rule files or folders; never raises for user errors.

    In a folder, a file included by another file of the same run is checked as part of its root, not
    on its own. Without the checker installed, only syntax and include diagnostics are reported.
    """
    files, diagnostics = rule_files(paths)
    parsed: dict[Path, tuple[ast.Program | None, list[Diagnostic]]] = {}
    included: set[Path] = set()
    for name in files:
        real = Path(name).resolve()
        if real in parsed:
            continue
        program, found = parse_program(name)
        parsed[real] = (program, found)
        if program is not None:
            for rule_file in program.includes:
                included.add(Path(os.path.join(os.getcwd(), rule_file.path)).resolve())
    seen: set[Diagnostic] = set()
    checker = _checker_available()
    for real, (program, found) in parsed.items():
        if real in included:
            continue
        if program is not None and checker:
            found = found + list(_check_program(program).diagnostics)
        for diagnostic in found:
            if diagnostic not in seen:
                seen.add(diagnostic)
                diagnostics.append(diagnostic)
    return diagnostics
