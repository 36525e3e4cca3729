"""numba's cache of the kernels is keyed on every kernel module's source and constants: a changed
layout constant (a column position, a reason code) compiles the kernels again instead of loading code
that froze the old value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from numba.core.dispatcher import Dispatcher

from aso_rules.settle.vector import kernels, layout
from aso_rules.settle.vector.kernels import cache, lines

PACKAGE = Path(kernels.__file__).parent


def _dispatchers() -> list[Dispatcher]:
    return [
        v
        for m in kernels.MODULES
        for v in vars(m).values()
        if isinstance(v, Dispatcher) and v.py_func.__module__ == m.__name__
    ]


def _index_key(dispatcher: object) -> tuple[object, ...]:
    """The cache index key numba would file ``dispatcher``'s entry under (numba internals)."""
    kernel: Any = dispatcher
    return tuple(kernel._cache._index_key((), kernel.targetctx.codegen()))


def test_every_kernel_is_cached_under_the_fingerprinted_key() -> None:
    found = _dispatchers()
    assert len(found) > 30
    assert all(isinstance(getattr(d, "_cache", None), cache.KernelCache) for d in found)


def test_every_module_with_kernels_is_fingerprinted() -> None:
    with_kernels = {p.stem for p in PACKAGE.glob("*.py") if "@njit" in p.read_text()}
    assert with_kernels == {m.__name__.rsplit(".", 1)[1] for m in kernels.MODULES}


def test_a_changed_layout_constant_changes_every_kernels_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.fingerprint()
    key = _index_key(kernels.prepare)
    assert key[-1] == before
    monkeypatch.setattr(lines, "NOT_ENROLLED", layout.NOT_ENROLLED - 40)
    assert cache.fingerprint() != before
    assert _index_key(kernels.adjudicate)[-1] != before
    monkeypatch.undo()
    assert cache.fingerprint() == before


# A fresh process: optionally move a layout constant that ``prepare`` reads, in the kernel module
# and before any kernel is compiled or loaded (as an edit of layout.py or plan.py, not of the kernel
# module, would), then settle one unenrolled line and print its reason and whether ``prepare`` came
# from the cache.
_RUN = """
import sys
import numpy as np
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.kernels import lines
if sys.argv[1] == "moved":
    lines.NOT_ENROLLED = -42
from aso_rules.settle.vector.plan import TERM_COLUMNS
one = lambda v=0: np.full(1, v, dtype=np.int64)
out = [one() for _ in range(6)] + [np.zeros(1, dtype=np.bool_)]
kernels.prepare(
    one(), one(-1), one(), one(), one(-1), one(), one(1), one(), one(), one(), one(), one(),
    np.zeros((1, len(TERM_COLUMNS)), dtype=np.int64), np.zeros((1, 7), dtype=np.int64),
    np.zeros((1, 1), dtype=np.int64), one(), one(), one(), one(), False, False, 0, one(), *out,
)
print(int(out[1][0]), sum(kernels.prepare.stats.cache_hits.values()) > 0)
"""


@pytest.mark.slow
def test_a_moved_layout_constant_is_not_read_from_a_stale_cache(tmp_path: Path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}

    def run(mode: str) -> str:
        done = subprocess.run([sys.executable, "-c", _RUN, mode], env=env, capture_output=True, text=True,
                              timeout=1800, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run("as_is") == f"{layout.NOT_ENROLLED} False"  # compiled
    assert run("as_is") == f"{layout.NOT_ENROLLED} True"  # loaded from the cache
    assert run("moved") == "-42 False"  # not the cached code, which froze the old value
    assert run("as_is") == f"{layout.NOT_ENROLLED} True"
