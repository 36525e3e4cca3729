"""Parsing one field of an input row: text in, typed value or a ``RowError`` with a stable reason.

On entry: the field's text, stripped, or ``None`` when empty (``cleaned`` makes a column so).
On exit: a ``date``, exact money (``Decimal`` to cents, never via float), a positive ``int`` or
a string; or a ``RowError``
whose ``reason`` starts with a stable key (``missing_field``, ``bad_date``, ``bad_amount``,
``bad_units``, ``bad_value``), followed by a short human sentence naming the column and value.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from decimal import Decimal, InvalidOperation

from aso_rules.money import CENT, Money


class RowError(Exception):
    """A row-level problem: the row is rejected with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_CACHE: dict[str, date] = {}
_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")  # 1,234,567.89: commas group thousands


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
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowError(f"bad_amount: {column} {value!r} is not an amount") from None
    if not amount.is_finite():
        raise RowError(f"bad_amount: {column} {value!r} is not an amount")
    cents = amount.quantize(CENT)
    if cents != amount:
        raise RowError(f"bad_amount: {column} {value!r} is not an amount in cents (more than two decimals)")
    return cents


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
    if value.isdigit() and value[0] != "0":
        return int(value)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"bad_units: {column} {value!r} is not a positive whole number") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 1:
        raise RowError(f"bad_units: {column} {value!r} is not a positive whole number")
    return int(number)


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
