"""Parsing one field of an input row: text in, typed value or a ``RowError`` with a stable reason.

On entry: the field's text as read (``None`` or blank means empty). On exit: a ``date``, exact money
(``Decimal`` to cents, never via float), a positive ``int`` or a cleaned string; or a ``RowError``
whose ``reason`` starts with a stable key (``missing_field``, ``bad_date``, ``bad_amount``,
``bad_units``, ``bad_value``), followed by a short human sentence naming the column and value.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from decimal import Decimal, InvalidOperation

from aso_rules.money import Money, money


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


def required_text(text: str | None, column: str) -> str:
    value = clean(text)
    if value is None:
        raise RowError(f"missing_field: {column} is empty")
    return value


def parse_date(text: str | None, column: str) -> date | None:
    """An ISO ``YYYY-MM-DD`` date (``None`` when empty)."""
    value = clean(text)
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


def parse_money(text: str | None, column: str) -> Money | None:
    """Exact money with at most two decimals (``None`` when empty); thousands commas allowed."""
    value = clean(text)
    if value is None:
        return None
    if "," in value and _GROUPED.fullmatch(value) is None:
        raise RowError(f"bad_amount: {column} {value!r} is not an amount")
    try:
        return money(value)
    except ValueError:
        pass
    try:
        finite = Decimal(value.replace(",", "")).is_finite()
    except InvalidOperation:
        finite = False
    if not finite:
        raise RowError(f"bad_amount: {column} {value!r} is not an amount")
    raise RowError(f"bad_amount: {column} {value!r} is not an amount in cents (more than two decimals)")


def required_money(text: str | None, column: str) -> Money:
    value = parse_money(text, column)
    if value is None:
        raise RowError(f"missing_field: {column} is empty")
    return value


def non_negative(value: Money | None, column: str, key: str = "negative_amount") -> Money | None:
    if value is not None and value < 0:
        raise RowError(f"{key}: {column} {value} is negative")
    return value


def parse_units(text: str | None, column: str = "units") -> int:
    """A positive whole number (default 1 when empty); ``"2.0"`` from a float column is 2."""
    value = clean(text)
    if value is None:
        return 1
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"bad_units: {column} {value!r} is not a positive whole number") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 1:
        raise RowError(f"bad_units: {column} {value!r} is not a positive whole number")
    return int(number)


def parse_choice(
    text: str | None, column: str, choices: Collection[str], default: str | None = None
) -> str | None:
    """One of ``choices`` (case-insensitive), or ``default`` when empty."""
    value = clean(text)
    if value is None:
        return default
    lowered = value.lower()
    if lowered not in choices:
        allowed = "|".join(choices)
        raise RowError(f"bad_value: {column} {value!r} is not one of {allowed}")
    return lowered
