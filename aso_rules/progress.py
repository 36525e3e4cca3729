"""A run's progress in claim lines, across reading, settling and writing, with an ETA.

The ``aso settle`` command opens ``tracking(lines)`` around the run (only on a terminal, only for
long runs); the engines call ``stage(name)`` when a stage starts and ``advance(n)`` as each batch of
``n`` lines is read, settled or written. One tqdm bar counts ``3 x lines`` steps (each line is read,
settled and written once), so its rate and ETA cover the whole run, the ledger's writing included.
Outside ``tracking`` both calls do nothing, so library use stays silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

STAGES = ("reading", "settling", "writing")
_current: ContextVar[Any] = ContextVar("aso_progress", default=None)


@contextmanager
def tracking(lines: int, enabled: bool = True) -> Iterator[Any]:
    """A line-count progress bar on stderr for the run inside the block (``None`` when disabled)."""
    if not enabled or lines <= 0:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=len(STAGES) * lines, desc=STAGES[0], unit=" steps", unit_scale=True, leave=False)
    token = _current.set(bar)
    try:
        yield bar
    finally:
        _current.reset(token)
        bar.close()


def stage(name: str) -> None:
    """The run enters stage ``name`` (one of ``STAGES``)."""
    bar = _current.get()
    if bar is not None:
        bar.set_description(name)


def advance(lines: int) -> None:
    """``lines`` more claim lines went through the current stage."""
    bar = _current.get()
    if bar is not None and lines:
        if bar.total is not None and bar.n + lines > bar.total:  # the line count was an estimate
            bar.total = bar.n + lines
        bar.update(lines)


__all__ = ["STAGES", "advance", "stage", "tracking"]
