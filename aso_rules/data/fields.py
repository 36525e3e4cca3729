"""Parsing one field of an input row: text in, typed value or a ``RowError`` with a stable reason.

On entry: the field's text, stripped, or ``None`` when empty (``cleaned`` makes a column so).
On exit: a ``date``, exact money (``Decimal`` to cents, never via float), a positive ``int`` or
a string; or a ``RowError``
whose ``reason`` starts with a stable key (``missing_field``, ``bad_date``, ``bad_amount``,
``bad_units``, ``bad_value``), followed by a short human sentence naming the column and value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal

from aso_rules.data.bounds import MAX_DATA_MONEY, MAX_UNITS, money_in_range
from aso_rules.money import CENT, Money

MAX_DATA_DIGITS = len(str(int(MAX_DATA_MONEY)))  # whole-number digits past which a value is out of range


class RowError(Exception):
    """A row-level problem: the row is rejected with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_CACHE: dict[str, date] = {}
# the accepted forms of money (docs/input.md "Money and dates"): ASCII digits, an optional leading
# minus, an optional decimal point followed by digits; commas may group thousands
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_GROUPED = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")  # 1,234,567.89
_WHOLE = re.compile(r"[0-9]+(\.0+)?")  # units: a whole number, "2.0" from a float column too


def clean(text: str | None) -> str | None:
    """The stripped text, or ``None`` when empty."""
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


def cleaned(values: list[str | None]) -> list[str | None]:
    """A column with each value stripped, and blanks as ``None``."""
    return [(v.strip() or None) if v else None for v in values]


def required_text(value: str | None, column: str) -> str:
    if value is None:
        raise RowError(f"missing_field: {column} is empty")
    return value


def parse_date(value: str | None, column: str) -> date | None:
    """An ISO ``YYYY-MM-DD`` date (``None`` when empty)."""
    if value is None:
        return None
    cached = _DATE_CACHE.get(value)
    if cached is not None:
        return cached
    if _DATE.fullmatch(value) is None:
        raise RowError(f"bad_date: {column} {value!r} is not a date")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise RowError(f"bad_date: {column} {value!r} is not a date") from None
    if len(_DATE_CACHE) < 100_000:
        _DATE_CACHE[value] = parsed
    return parsed


def required_date(text: str | None, column: str) -> date:
    value = parse_date(text, column)
    if value is None:
        raise RowError(f"missing_field: {column} is empty")
    return value


def parse_money(value: str | None, column: str) -> Money | None:
    """Exact money with at most two decimals (``None`` when empty); thousands commas allowed."""
    if value is None:
        return None
    text = value
    if "," in text:
        if _GROUPED.fullmatch(text) is None:
            raise RowError(f"bad_amount: {column} {value!r} is not an amount")
        text = text.replace(",", "")
    elif _PLAIN.fullmatch(text) is None:
        raise RowError(f"bad_amount: {column} {value!r} is not an amount")
    whole = text.lstrip("-").split(".", 1)[0].lstrip("0")
    if len(whole) > MAX_DATA_DIGITS:  # far out of range: never handed to Decimal arithmetic
        raise RowError(_out_of_range(column))
    amount = Decimal(text)
    cents = amount.quantize(CENT)
    if cents != amount:
        raise RowError(f"bad_amount: {column} {value!r} is not an amount in cents (more than two decimals)")
    if not money_in_range(cents):
        raise RowError(_out_of_range(column))
    return cents


def _out_of_range(column: str) -> str:
    return (
        f"out_of_range: {column} is outside the supported range (below ${MAX_DATA_MONEY:,} in absolute value)"
    )


def required_money(text: str | None, column: str) -> Money:
    value = parse_money(text, column)
    if value is None:
        raise RowError(f"missing_field: {column} is empty")
    return value


def non_negative(value: Money | None, column: str, key: str = "negative_amount") -> Money | None:
    if value is not None and value < 0:
        raise RowError(f"{key}: {column} {value} is negative")
    return value


def parse_units(value: str | None, column: str = "units") -> int:
    """A positive whole number (default 1 when empty); ``"2.0"`` from a float column is 2."""
    if value is None:
        return 1
    if _WHOLE.fullmatch(value) is None:
        raise RowError(f"bad_units: {column} {value!r} is not a positive whole number")
    digits = value.split(".", 1)[0].lstrip("0")
    if not digits:
        raise RowError(f"bad_units: {column} {value!r} is not a positive whole number")
    if len(digits) > 7 or int(digits) > MAX_UNITS:
        raise RowError(f"out_of_range: {column} is outside the supported range (1 to {MAX_UNITS:,})")
    return int(digits)


def no_nul(values: Sequence[str | None], columns: Sequence[str]) -> None:
    """Reject a row any of whose values holds a NUL character (it would cut text in other tools)."""
    for value, column in zip(values, columns, strict=True):
        if value is not None and "\x00" in value:
            raise RowError(f"bad_value: {column} contains a NUL character")


def parse_choice(
    value: str | None, column: str, choices: Collection[str], default: str | None = None
) -> str | None:
    """One of ``choices`` (case-insensitive), or ``default`` when empty."""
    if value is None:
        return default
    lowered = value.lower()
    if lowered not in choices:
        allowed = "|".join(choices)
        raise RowError(f"bad_value: {column} {value!r} is not one of {allowed}")
    return lowered
