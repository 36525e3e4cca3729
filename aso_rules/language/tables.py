"""The files a program names beside its rule files (continuance tables), read once by the loader.

On entry: a parsed ``Program``. On exit: ``Tables``, one ``TableRead`` per distinct
``claimant_cost table "FILE" [named "NAME"]`` of each rule file, keyed by (the rule file's path, the
path as written, the name): the table, or why it could not be read. The checker turns a refusal into
E320 and a reading error into E311; the compiler puts the table in the ``Ruleset``. Nothing else in
the front end opens these files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TypeAlias

import attrs

from aso_rules import model
from aso_rules.language import ast

MAX_TABLE_BYTES = 16 * 1024 * 1024

TableKey: TypeAlias = tuple[str, str, str | None]  # (rule file path, path as written, table name)


@attrs.frozen
class TableRead:
    """One table as the loader found it: exactly one of the three is set."""

    table: model.ContinuanceTable | None = None
    refusal: str | None = None  # why the file may not be read (see ``table_refusal``)
    error: str | None = None  # the reader's message when the file could not be read as a table


Tables: TypeAlias = Mapping[TableKey, TableRead]


def table_path(rule_file: str, path: str) -> Path:
    """Where a continuance table named in ``rule_file`` lives (relative to the rule file's folder)."""
    return Path(rule_file).parent / path


def table_refusal(root_file: str, rule_file: str, path: str) -> str | None:
    """Why a file named by a rule file may not be read, or None when it may.

    Confined like includes: the resolved path (symlinks followed) lies inside the folder of the
    root rule file, is a regular file (no FIFO, device or folder: nothing is opened before this is
    known, so nothing blocks) and is at most ``MAX_TABLE_BYTES``. Missing files are left to the
    reader (E311)."""
    root = Path(root_file).parent.resolve()
    try:
        target = table_path(rule_file, path).resolve()
    except (OSError, RuntimeError, ValueError):
        return "the path cannot be resolved"
    if not target.is_relative_to(root):
        return "the file lies outside the ruleset folder"
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return "the file cannot be inspected"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_size > MAX_TABLE_BYTES:
        return f"the file is larger than {MAX_TABLE_BYTES // (1024 * 1024)} MiB"
    return None


def named_tables(program: ast.Program) -> list[tuple[TableKey, ast.ContinuanceTable]]:
    """Every ``claimant_cost table`` of the program with its key, in source order."""
    found: list[tuple[TableKey, ast.ContinuanceTable]] = []
    for rule_file, statement in program.statements():
        if isinstance(statement, ast.Assumptions):
            for item in statement.items:
                if isinstance(item, ast.ClaimantCost) and isinstance(item.model, ast.ContinuanceTable):
                    found.append(((rule_file.path, item.model.path, item.model.name), item.model))
    return found


def read_tables(program: ast.Program) -> dict[TableKey, TableRead]:
    """Read every table the program names, each once (see the module docstring)."""
    reads: dict[TableKey, TableRead] = {}
    for key, _node in named_tables(program):
        if key in reads:
            continue
        rule_file, path, name = key
        refusal = table_refusal(program.root.path, rule_file, path)
        if refusal is not None:
            reads[key] = TableRead(refusal=refusal)
            continue
        # imported here: the pricing package is heavy and most programs have no table
        from aso_rules.price.continuance import ContinuanceTableError, load_continuance_table

        try:
            reads[key] = TableRead(table=load_continuance_table(table_path(rule_file, path), name))
        except ContinuanceTableError as exc:
            reads[key] = TableRead(error=str(exc))
    return reads
