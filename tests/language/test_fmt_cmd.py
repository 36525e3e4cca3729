"""`aso fmt`: rewriting, --check and --diff, and the documented exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aso_rules.cli import main

CANONICAL = "let a = $1,500\n"
MESSY = "let   a =   $1500\n"


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fmt__check_unchanged_exits_0(tmp_path: Path) -> None:
    """--check on canonical files exits 0 and writes nothing."""
    path = _file(tmp_path, "a.aso", CANONICAL)
    assert main(["fmt", "--check", str(tmp_path)]) == 0
    assert path.read_text() == CANONICAL


def test_fmt__check_would_change_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--check on a file that would change exits 1, names it and leaves it as it was."""
    path = _file(tmp_path, "a.aso", MESSY)
    assert main(["fmt", "--check", str(path)]) == 1
    assert f"would reformat {path}" in capsys.readouterr().out
    assert path.read_text() == MESSY


def test_fmt__diff_prints_unified_diff_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--diff prints a unified diff of the change and exits 1 without writing."""
    path = _file(tmp_path, "a.aso", MESSY)
    assert main(["fmt", "--diff", str(path)]) == 1
    out = capsys.readouterr().out
    assert "-let   a =   $1500" in out and "+let a = $1,500" in out
    assert path.read_text() == MESSY


def test_fmt__rewrites_in_place_exits_0(tmp_path: Path) -> None:
    """Without flags the file is rewritten in canonical layout and the exit code is 0."""
    path = _file(tmp_path, "a.aso", MESSY)
    assert main(["fmt", str(path)]) == 0
    assert path.read_text() == CANONICAL


def test_fmt__parse_error_exits_1_with_diagnostics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that does not parse exits 1 and prints its diagnostics to stderr; it is not touched."""
    path = _file(tmp_path, "bad.aso", "let = 1\n")
    assert main(["fmt", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:1:5: error[E101]" in err
    assert path.read_text() == "let = 1\n"


def test_fmt__missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist is an I/O error: exit 2."""
    assert main(["fmt", str(tmp_path / "missing.aso")]) == 2
    assert "not found" in capsys.readouterr().err


def test_fmt__binary_file_exits_2(tmp_path: Path) -> None:
    """An unreadable (binary) file is an I/O error: exit 2."""
    (tmp_path / "b.aso").write_bytes(b"\x00\xff")
    assert main(["fmt", "--check", str(tmp_path / "b.aso")]) == 2


def test_fmt__usage_error_exits_2() -> None:
    """No path at all is a usage error: exit 2."""
    with pytest.raises(SystemExit) as info:
        main(["fmt"])
    assert info.value.code == 2
