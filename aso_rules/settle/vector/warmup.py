"""The vector engine's first run: say so while numba compiles the kernels, once per process.

numba compiles the kernels (``kernels``, ``strindex``) on their first call and keeps the machine
code in its on-disk cache (``cache=True``): beside the package when that folder is writable, else in
the user's cache folder (``~/.cache/numba`` on Linux), or where ``NUMBA_CACHE_DIR`` says. Every later
process, on any input, loads the kernels from there in well under a second. The first run compiles
for about half a minute; ``announce`` prints ``compiling settlement kernels (first run only)`` on
stderr before it, so the run does not sit silent.

The kernels of ``kernels`` are cached under a key that includes a fingerprint of every kernel
module's source and constants (``kernels.cache``): code compiled before a column position or a
kernel changed is not theirs, and they compile again.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

MESSAGE = "compiling settlement kernels (first run only)"
_announced = False


def _core() -> tuple[Any, ...]:
    """Kernels every vector run calls: when these are not cached, the engine has not run before."""
    from aso_rules.settle.vector import kernels, strindex

    return (kernels.adjudicate, kernels.prepare, strindex._build)


def needs_compiling() -> bool:
    """Whether numba's cache lacks a compiled copy of the core kernels for the installed source."""
    from aso_rules.settle.vector.kernels.cache import KernelCache

    for dispatcher in _core():
        cache = dispatcher._cache
        try:
            if isinstance(cache, KernelCache):
                fresh = cache.holds_current()
            else:
                fresh = bool(cache._cache_file._load_index())  # {} when absent or stale
        except Exception:  # numba's cache internals moved: say nothing rather than guess
            return False
        if not fresh:
            return True
    return False


def announce(stream: TextIO | None = None) -> bool:
    """Print ``MESSAGE`` (once per process) when the kernels are about to be compiled; whether it did."""
    global _announced
    if _announced or not needs_compiling():
        return False
    _announced = True
    out = stream or sys.stderr
    print(MESSAGE, file=out, flush=True)
    return True


__all__ = ["MESSAGE", "announce", "needs_compiling"]
