"""Which engine ``engine="auto"`` (the ``aso settle`` default) runs for an input.

On entry: the claims source. On exit: ``"vector"`` when the input has at least ``VECTOR_FROM_LINES``
lines (Parquet: the row count in its footer; CSV: estimated from the file size at
``CSV_BYTES_PER_LINE``; a table or frame: its length), else ``"reference"``. Both engines give the
same results; below the threshold the reference engine's start-up is shorter than the vector
engine's compiled-kernel load, above it the vector engine is many times faster.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

VECTOR_FROM_LINES = 20_000
CSV_BYTES_PER_LINE = 80


def estimated_lines(claims: Any) -> int:
    """The number of claim lines of a source, read cheaply (0 when unknown)."""
    if isinstance(claims, str | Path):
        path = Path(claims)
        name = path.name.lower()
        try:
            if name.endswith((".parquet", ".pq")):
                import pyarrow.parquet as pq

                return int(pq.ParquetFile(str(path)).metadata.num_rows)
            return os.path.getsize(path) // CSV_BYTES_PER_LINE
        except (OSError, ValueError):
            return 0
    try:
        return len(claims)
    except TypeError:
        return 0


def choose_engine(claims: Any) -> str:
    return "vector" if estimated_lines(claims) >= VECTOR_FROM_LINES else "reference"
