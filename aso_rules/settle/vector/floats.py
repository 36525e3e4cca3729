"""Float columns converted in bulk, with exactly the outcome of reading each value's ``repr``.

The readers define a float's value as the text of its shortest ``repr`` (``source.column_text``):
``0.3`` is ``"0.3"`` and 30 cents, ``0.1 + 0.2`` is ``"0.30000000000000004"`` and rejected as more
than two decimals. Printing a million floats one by one is most of the time a float table takes to
read, so the columns here are converted without printing, and only where the outcome provably equals
the printed text's; every other value is left for the reference row function (``fast`` False), which
prints it and decides with its usual reason.

Money: ``cents = rint(x * 100)``, fast only where ``cents / 100 == x`` (the same double), ``x`` is
finite, not negative (nor negative zero) and below ``bounds.MAX_DATA_MONEY`` (so a range the
row rules check is the row function's to report). Why that is the printed value: IEEE
division is correctly rounded, so ``cents / 100 == x`` says ``x`` is the double nearest the decimal
``D = cents/100``, and ``D``'s text (at most two decimals) reads back to ``x``. Below 10^13 doubles are
less than 2^-9 apart, so two decimals of at most two places (0.01 apart) never read back to the same
double: no other text as short as ``D``'s reads back to ``x``, and ``repr`` (the shortest such text)
prints ``D`` exactly; ``Decimal(repr(x))`` is ``D``, ``cents`` cents. Conversely a value the reference
accepts below 10^13 is such a ``D``'s double, ``x * 100`` lies within 0.1 of ``100 D`` and ``rint``
finds it. NaN and null are empty, as their text is. ``tests/vector/test_floats.py`` checks every
claim on hypothesis floats against the printed path.

Units: fast where ``x`` is a whole number from 1 to 2^53 (``repr`` prints ``"2.0"``, which
``fields.parse_units`` reads as 2).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from aso_rules.data.bounds import MAX_DATA_MONEY, MAX_UNITS

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

PROVEN_BELOW = 1e13  # below it doubles are < 2^-9 apart: see the module docstring
MONEY_BOUND = min(PROVEN_BELOW, float(MAX_DATA_MONEY))
UNITS_BOUND = float(MAX_UNITS)  # the data range of units (every whole number below 2^53 is a double)


def _values(arr: pa.Array) -> tuple[npt.NDArray[np.float64], B]:
    """(values as float64, empty): null and NaN are empty (their text is empty)."""
    values = np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    empty = np.isnan(values)  # a null arrives as NaN
    return values, empty


def float_money(arr: pa.Array) -> tuple[I64, B, B]:
    """(cents, present, fast) of a float money column (see the module docstring)."""
    values, empty = _values(arr)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.rint(values * 100.0)
        fast = np.isfinite(values) & ~np.signbit(values) & (values < MONEY_BOUND) & (scaled / 100.0 == values)
    cents = np.where(fast, scaled, 0.0).astype(np.int64)
    return cents, ~empty, fast | empty


def float_units(arr: pa.Array) -> tuple[I64, B]:
    """(units, fast) of a float units column: 1 when empty, as ``fields.parse_units``."""
    values, empty = _values(arr)
    with np.errstate(invalid="ignore"):
        fast = (values >= 1.0) & (values <= UNITS_BOUND) & (np.trunc(values) == values)
    units = np.where(fast, values, 1.0).astype(np.int64)
    return units, fast | empty


__all__ = ["float_money", "float_units"]
