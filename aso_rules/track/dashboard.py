"""dashboard.html (placeholder until the charts land)."""

from __future__ import annotations

from typing import Any


def render(tracking: Any, plotly: str = "inline") -> str:
    return "<!doctype html><title>tracking</title>"
