"""The loader: reading, includes (order, confinement, cycles, missing files) and error reporting,
tested through parse_program so that no checker or compiler is needed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from aso_rules.language import ast
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.loader import (
    MAX_INCLUDE_DEPTH,
    RulesetError,
    check,
    load,
    loads,
    parse_program,
    parse_program_text,
    rule_files,
)

HEADER = 'ruleset "r" {\n  currency USD\n}\n'


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _codes(diagnostics: Sequence[Diagnostic]) -> list[tuple[str, str, int]]:
    return [(d.code, os.path.basename(d.span.file), d.span.line) for d in diagnostics]


def test_parse_program__includes_in_order_each_statement_knows_its_file(tmp_path: Path) -> None:
    """Included files follow the root depth-first in order of first inclusion; spans name each file."""
    root = _write(tmp_path, "root.aso", HEADER + 'include "a.aso"\ninclude "sub/b.aso"\n')
    _write(tmp_path, "a.aso", 'include "sub/c.aso"\nlet a = 1\n')
    _write(tmp_path, "sub/b.aso", "let b = 2\n")
    _write(tmp_path, "sub/c.aso", "let c = 3\n")
    program, diagnostics = parse_program(root)
    assert diagnostics == []
    assert program is not None
    assert [os.path.basename(f.path) for f in program.files] == ["root.aso", "a.aso", "c.aso", "b.aso"]
    lets = [
        (s.name, os.path.relpath(s.span.file, tmp_path))
        for _, s in program.statements()
        if isinstance(s, ast.Let)
    ]
    assert lets == [("a", "a.aso"), ("c", os.path.join("sub", "c.aso")), ("b", os.path.join("sub", "b.aso"))]


def test_parse_program__file_included_twice_is_merged_once(tmp_path: Path) -> None:
    """A file reached by two include paths appears once in the program."""
    root = _write(tmp_path, "root.aso", 'include "a.aso"\ninclude "b.aso"\n')
    _write(tmp_path, "a.aso", 'include "common.aso"\n')
    _write(tmp_path, "b.aso", 'include "common.aso"\n')
    _write(tmp_path, "common.aso", "let x = 1\n")
    program, diagnostics = parse_program(root)
    assert program is not None and diagnostics == []
    assert [os.path.basename(f.path) for f in program.includes] == ["a.aso", "common.aso", "b.aso"]


def test_parse_program__include_cycle(tmp_path: Path) -> None:
    """A cycle is E292 at the include statement that closes it."""
    root = _write(tmp_path, "root.aso", 'include "a.aso"\n')
    _write(tmp_path, "a.aso", 'let a = 1\ninclude "b.aso"\n')
    _write(tmp_path, "b.aso", 'include "root.aso"\n')
    program, diagnostics = parse_program(root)
    assert program is None
    assert _codes(diagnostics) == [("E292", "b.aso", 1)]
    assert "root.aso -> a.aso -> b.aso -> root.aso" in diagnostics[0].message


def test_parse_program__self_include(tmp_path: Path) -> None:
    """A file including itself is a cycle."""
    root = _write(tmp_path, "root.aso", 'include "root.aso"\n')
    assert _codes(parse_program(root)[1]) == [("E292", "root.aso", 1)]


def test_parse_program__include_outside_root(tmp_path: Path) -> None:
    """An include that leaves the root folder (.. or an absolute path) is E291."""
    _write(tmp_path, "outside.aso", "let o = 1\n")
    root = _write(
        tmp_path, "plan/root.aso", f'include "../outside.aso"\ninclude "{tmp_path / "outside.aso"}"\n'
    )
    program, diagnostics = parse_program(root)
    assert program is None
    assert _codes(diagnostics) == [("E291", "root.aso", 1), ("E291", "root.aso", 2)]


def test_parse_program__symlink_out_of_root(tmp_path: Path) -> None:
    """A symbolic link inside the root that points outside it is still outside (E291)."""
    _write(tmp_path, "secret.aso", "let s = 1\n")
    root = _write(tmp_path, "plan/root.aso", 'include "link.aso"\n')
    try:
        (tmp_path / "plan" / "link.aso").symlink_to(tmp_path / "secret.aso")
    except OSError:
        pytest.skip("symbolic links unavailable")
    assert _codes(parse_program(root)[1]) == [("E291", "root.aso", 1)]


def test_parse_program__missing_include(tmp_path: Path) -> None:
    """A missing include is E290 at its statement; the rest of the program is still examined."""
    root = _write(tmp_path, "root.aso", 'include "nope.aso"\ninclude "bad.aso"\n')
    _write(tmp_path, "bad.aso", "let x = \n")
    program, diagnostics = parse_program(root)
    assert program is None
    assert _codes(diagnostics) == [("E290", "root.aso", 1), ("E101", "bad.aso", 1)]


def test_parse_program__include_depth_bounded(tmp_path: Path) -> None:
    """A chain of includes deeper than the bound stops with E293."""
    for i in range(MAX_INCLUDE_DEPTH + 5):
        _write(tmp_path, f"f{i}.aso", f'include "f{i + 1}.aso"\n')
    _write(tmp_path, f"f{MAX_INCLUDE_DEPTH + 5}.aso", "let z = 1\n")
    program, diagnostics = parse_program(tmp_path / "f0.aso")
    assert program is None
    assert [d.code for d in diagnostics] == ["E293"]


def test_parse_program__unreadable_root(tmp_path: Path) -> None:
    """A missing root, a folder as root and a binary root are E104 diagnostics."""
    assert [d.code for d in parse_program(tmp_path / "missing.aso")[1]] == ["E104"]
    assert [d.code for d in parse_program(tmp_path)[1]] == ["E104"]
    (tmp_path / "bin.aso").write_bytes(b"\x00\x01\x02")
    assert [d.code for d in parse_program(tmp_path / "bin.aso")[1]] == ["E104"]


def test_parse_program_text__includes_against_root(tmp_path: Path) -> None:
    """Text includes resolve against the given root folder."""
    _write(tmp_path, "a.aso", "let a = 1\n")
    program, diagnostics = parse_program_text('include "a.aso"\n', root=tmp_path)
    assert diagnostics == [] and program is not None
    assert [f.path for f in program.includes] == [str(tmp_path / "a.aso")]


def test_load__syntax_errors_raise_ruleset_error(tmp_path: Path) -> None:
    """load and loads raise RulesetError carrying every diagnostic when the text does not parse."""
    root = _write(tmp_path, "root.aso", "let a = \nlet b = \n")
    with pytest.raises(RulesetError) as info:
        load(root)
    assert [d.line for d in (x.span for x in info.value.diagnostics)] == [1, 2]
    with pytest.raises(RulesetError):
        loads("coverage {\n")


def test_check__never_raises_and_skips_included_files(tmp_path: Path) -> None:
    """check() reports syntax and include errors of a folder, checks included files only via their root."""
    _write(tmp_path, "root.aso", HEADER + 'include "part.aso"\n')
    _write(tmp_path, "part.aso", "let a = 1\n")
    _write(tmp_path, "broken.aso", "let = 1\n")
    diagnostics = check([tmp_path, tmp_path / "nope.aso"])
    codes = [(d.code, os.path.basename(d.span.file)) for d in diagnostics if d.is_error]
    assert ("E101", "broken.aso") in codes
    assert ("E104", "nope.aso") in codes
    via_root = [d for d in check(tmp_path / "root.aso") if d.span.file.endswith("part.aso")]
    assert [d for d in diagnostics if d.span.file.endswith("part.aso")] == via_root


def test_rule_files__folder_expands_to_sorted_aso_files(tmp_path: Path) -> None:
    """A folder stands for every *.aso under it, sorted; other files are ignored."""
    _write(tmp_path, "b.aso", "")
    _write(tmp_path, "a/c.aso", "")
    _write(tmp_path, "notes.txt", "")
    files, diagnostics = rule_files(tmp_path)
    assert diagnostics == []
    assert [os.path.relpath(f, tmp_path) for f in files] == [os.path.join("a", "c.aso"), "b.aso"]
