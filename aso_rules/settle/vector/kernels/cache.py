"""numba's on-disk cache of the kernels, keyed on everything their machine code depends on.

numba keys a cached kernel on its own bytecode and drops a module's cache when that module's source
file changes. It does not see two things a kernel's machine code also depends on: a module-level
constant imported from another module (``layout.py``'s column positions and codes, derived from
``plan.py``'s column tuples, or ``columns.NODAY``), which numba freezes into the code; and a kernel
of another module that it inlines or calls (``arithmetic.round_div`` in ``adjudicate``). Either
could change while the cached code stayed, and the kernels would give wrong numbers without a word
(docs/performance.md, trap 3).

So the package's kernels are cached under a key with one more part, ``fingerprint()``: a hash of the
source of every kernel module and of the value of every scalar global those modules see. A changed
column position, code or kernel source gives a new key: the kernels compile again, once, and the
entries of the old key are never read. ``key_caches`` gives every kernel of a module that key;
the package's ``__init__`` calls it for every kernel module before any kernel is compiled or loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numba.core.caching import FunctionCache
from numba.core.dispatcher import Dispatcher

_MODULES: list[ModuleType] = []  # the kernel modules ``key_caches`` was given


@cache
def _source_hash(path: str) -> bytes:
    """A source file's hash (sources do not change while a process runs)."""
    return hashlib.sha256(Path(path).read_bytes()).digest()


def _frozen(value: Any) -> bool:
    """Whether numba would freeze ``value``, read as a global, into a kernel's code."""
    if isinstance(value, tuple):
        return all(_frozen(v) for v in value)
    return isinstance(value, bool | int | float | np.generic)


def fingerprint() -> str:
    """A hash of the kernel modules' sources and of every scalar global they hold."""
    h = hashlib.sha256()
    for module in sorted(_MODULES, key=lambda m: m.__name__):
        h.update(module.__name__.encode())
        h.update(_source_hash(str(module.__file__)))
        for name, value in sorted(vars(module).items()):
            if not name.startswith("__") and _frozen(value):
                h.update(f"{name}={value!r};".encode())
    return h.hexdigest()


class KernelCache(FunctionCache):
    """numba's function cache with ``fingerprint()`` as the last part of every key."""

    def _index_key(self, sig: Any, codegen: Any) -> Any:
        key: tuple[Any, ...] = super()._index_key(sig, codegen)  # type: ignore[no-untyped-call]
        return (*key, fingerprint())

    def holds_current(self) -> bool:
        """Whether the cache holds code compiled under the current fingerprint."""
        now = fingerprint()
        index: dict[Any, str] = self._cache_file._load_index()  # type: ignore[no-untyped-call]
        return any(key[-1] == now for key in index)


def key_caches(modules: Iterable[ModuleType]) -> None:
    """Cache every kernel defined in ``modules`` with ``cache=True`` under the fingerprinted key."""
    for module in modules:
        if module not in _MODULES:
            _MODULES.append(module)
        for kernel in _kernels_of(module):
            if isinstance(kernel._cache, FunctionCache) and not isinstance(kernel._cache, KernelCache):
                kernel._cache = KernelCache(kernel.py_func)  # type: ignore[no-untyped-call]


def _kernels_of(module: ModuleType) -> list[Any]:
    """The numba dispatchers ``module`` defines (not those it imports)."""
    return [
        v
        for v in vars(module).values()
        if isinstance(v, Dispatcher) and v.py_func.__module__ == module.__name__
    ]


__all__ = ["KernelCache", "fingerprint", "key_caches"]
