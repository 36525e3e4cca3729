"""Money and rates: exact decimals, explicit rounding.

Money is a ``decimal.Decimal`` quantised to cents; rates are ``Decimal`` kept exact. Every rounding
call names its mode (``half_up`` or ``half_even``), because Python's defaults are half-even and a
silent default would change half-cent ties (docs/semantics.md section 11).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

Money = Decimal
Rate = Decimal
RoundingMode = Literal["half_up", "half_even"]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal(1)

_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def round_money(value: Decimal, mode: RoundingMode) -> Money:
    """Round ``value`` to cents under ``mode`` (symmetric: half-up moves ties away from zero)."""
    return value.quantize(CENT, rounding=_MODES[mode])


def money(text: str | int | Decimal) -> Money:
    """Exact money from a string, int or Decimal (never from a float); must have at most 2 decimals."""
    if isinstance(text, float):  # pragma: no cover - guarded by type checkers too
        raise TypeError("money is never built from a float")
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    quantised = value.quantize(CENT)
    if quantised != value:
        raise ValueError(f"more than two decimals: {text!r}")
    return quantised


def to_cents(value: Money) -> int:
    """Integer cents of an exact money value."""
    return int((value * 100).to_integral_value())


def from_cents(cents: int) -> Money:
    """Money from integer cents."""
    return (Decimal(cents) / 100).quantize(CENT)


def format_money(value: Money) -> str:
    """The JSON/CSV form: a plain number with exactly two decimals."""
    return f"{value.quantize(CENT):f}"
