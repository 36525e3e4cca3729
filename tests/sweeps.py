"""Sizes of the slow sweeps: what CI runs, and the full sweeps (``ASO_FULL_SWEEPS=1``, see
docs/testing.md) that take too long for CI's 20 minutes."""

from __future__ import annotations

import os

FULL = os.environ.get("ASO_FULL_SWEEPS") == "1"


def examples(ci: int, full: int) -> int:
    """Hypothesis examples of a slow sweep: ``ci`` in CI, ``full`` with ``ASO_FULL_SWEEPS=1``."""
    return full if FULL else ci
