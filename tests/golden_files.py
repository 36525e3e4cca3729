"""Comparing output with a golden file, or re-recording it with ``pytest --update-golden``."""

from __future__ import annotations

from pathlib import Path


def check_golden(path: Path, actual: str, update: bool) -> None:
    """Assert ``actual`` equals the golden file's text (write it instead when ``update``)."""
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not update:
            raise AssertionError(f"golden file {path} was missing and has been recorded; run again")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (re-record with --update-golden)"
