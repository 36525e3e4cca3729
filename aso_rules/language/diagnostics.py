"""Diagnostics are values: one type for syntax errors, checks and bad data.

Renderers (text, JSON, SARIF, GitHub annotations) live in ``render.py``; this module only defines
the value and its position.
"""

from __future__ import annotations

from typing import Literal

import attrs

Severity = Literal["error", "warning"]


@attrs.frozen(order=True)
class Span:
    """A 1-based, end-inclusive-line / end-exclusive-column region of a file."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


@attrs.frozen
class Diagnostic:
    code: str  # stable: E1xx syntax, E2xx names and types, E3xx values and consistency, Wxxx warnings
    severity: Severity
    message: str  # one line
    span: Span
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped as ``\\xNN``: a path or a
    file's text echoed in a message cannot move the cursor, clear the screen or break a line."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def escaped(text: str, limit: int = 120) -> str:
    """A safe excerpt: printable ASCII kept, anything else escaped, at most ``limit`` characters."""
    shown = printable(text.encode("ascii", "backslashreplace").decode("ascii"))
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
