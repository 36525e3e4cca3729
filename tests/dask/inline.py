"""An in-process stand-in for a ``distributed.Client``: each submitted task runs at once.

It runs the distributed engine's exact stage functions and orchestration without a cluster, so that
property tests can try many partitionings quickly; the cluster tests use a real ``LocalCluster``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class Done:
    """A finished task's result (the stand-in for a future)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _resolve(value: Any) -> Any:
    return value.value if isinstance(value, Done) else value


class InlineClient:
    """``submit``, ``map``, ``gather``, ``compute`` and ``nthreads`` as the engine uses them."""

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self.tasks = 0

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Done:
        for option in ("pure", "retries", "key"):
            kwargs.pop(option, None)
        self.tasks += 1
        return Done(fn(*(_resolve(a) for a in args), **{k: _resolve(v) for k, v in kwargs.items()}))

    def map(self, fn: Callable[..., Any], items: Sequence[Any], **kwargs: Any) -> list[Done]:
        return [self.submit(fn, item, **kwargs) for item in items]

    def gather(self, futures: Sequence[Done]) -> list[Any]:
        return [_resolve(f) for f in futures]

    def compute(self, delayed: Sequence[Any]) -> list[Done]:
        from dask.base import compute

        return [Done(v) for v in compute(*delayed, scheduler="sync")]

    def nthreads(self) -> dict[str, int]:
        return {"inline": self.threads}
