"""Optional parts of the installation: which extra provides what, and a clear error when one is missing.

The core install (``pip install aso-rules``) has what ``aso check``, ``aso fmt``, ``aso test`` and
the reference engine need. The rest is in extras, each named for what it enables::

    vector      the vector engine (numba-compiled kernels)
    pricing     aso price: special functions (scipy) and the report's charts (plotly)
    report      the HTML report's charts alone (plotly)
    dask        the distributed engine (dask, distributed, numba)
    excel       .xlsx claims and enrollment in, settlement.xlsx and price.xlsx out
    postgresql  a PostgreSQL ledger store (psycopg)
    all         every one of the above

``require(extra, module, ...)`` raises ``MissingExtra`` (an ``ImportError`` whose message names the
extra and the pip command) when a module is not importable; the ``aso`` command turns it into a
message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib.util

EXTRAS: dict[str, tuple[str, ...]] = {
    "vector": ("numba",),
    "pricing": ("scipy", "plotly"),
    "report": ("plotly",),
    "dask": ("dask", "distributed", "numba"),
    "excel": ("python_calamine", "openpyxl"),
    "postgresql": ("psycopg",),
}

_WHAT = {
    "vector": "the vector engine",
    "pricing": "pricing",
    "report": "the HTML report",
    "dask": "the dask engine",
    "excel": "Excel files",
    "postgresql": "the PostgreSQL store",
}


class MissingExtra(ImportError):
    """A feature needs an extra that is not installed; the message says which and how to add it."""

    def __init__(self, extra: str, module: str, what: str | None = None) -> None:
        self.extra = extra
        self.module = module
        feature = what or _WHAT.get(extra, extra)
        super().__init__(
            f"{feature} needs the '{extra}' extra ({module} is not installed): "
            f"pip install 'aso-rules[{extra}]'",
            name=module,
        )


def available(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(extra: str, *modules: str, what: str | None = None) -> None:
    """Raise ``MissingExtra`` unless every one of ``modules`` (default: the extra's own) imports."""
    for module in modules or EXTRAS[extra]:
        if not available(module):
            raise MissingExtra(extra, module, what)


def has(extra: str) -> bool:
    """Whether every module of ``extra`` is installed."""
    return all(available(m) for m in EXTRAS[extra])
