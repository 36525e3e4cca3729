"""The values of the syntax tree: amounts with their units, as written (see ``ast``).

``Money``, ``Percent`` (as written: ``Percent(Decimal("80"))`` is 80%), ``Number``, ``Date``,
``Duration``, ``Name``, ``String``; a value with what it is per is a ``Quantity``, a percent of a base
a ``Share``, a tier table a ``TierTable``. Every node's ``span`` is excluded from equality.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal, TypeAlias

import attrs

from aso_rules.language.diagnostics import Span

NO_SPAN = Span("", 0, 0, 0, 0)


@attrs.frozen
class Money:
    """``$1,500`` -> ``Money(Decimal("1500"))``; the digits after the point are kept as written."""

    amount: Decimal
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Percent:
    """``62.5%`` -> ``Percent(Decimal("62.5"))`` (the number as written, not the rate 0.625)."""

    value: Decimal
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)

    @property
    def rate(self) -> Decimal:
        return self.value / 100


@attrs.frozen
class Number:
    """A plain number: a count (``20``), a ratio (``1.00``), a coefficient (``3.0``)."""

    value: Decimal
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Date:
    """``2026-01-01``; not validated as a calendar date (``to_date`` returns None if invalid)."""

    year: int
    month: int
    day: int
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)

    def to_date(self) -> datetime.date | None:
        try:
            return datetime.date(self.year, self.month, self.day)
        except ValueError:
            return None


DurationUnit = Literal["days", "weeks", "months"]


@attrs.frozen
class Duration:
    """``7 days``, ``26 weeks``, ``12 months``."""

    amount: Decimal
    unit: DurationUnit
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Name:
    """A bare snake_case word in value position: a ``let`` constant or a word like ``illness``."""

    name: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class String:
    """A double-quoted string; ``value`` is unescaped (``\\"`` -> ``"``, ``\\\\`` -> ``\\``)."""

    value: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


Value: TypeAlias = Money | Percent | Number | Date | Duration | Name | String


@attrs.frozen
class Quantity:
    """A value with what it is per, in written order.

    ``units`` items are ``"per person"``, ``"per family"``, ``"per claimant"``, ``"per claim"``,
    ``"per day"``, ``"per week"``, ``"per month"``, ``"per visit"``, ``"per unit"``, ``"per year"``
    (any ``per NAME``), ``"pepm"``, ``"pmpm"``, ``"visits"``, ``"lifetime"``.
    ``20 visits per person per year`` -> ``Quantity(Number(20), ("visits", "per person", "per year"))``.
    """

    value: Value
    units: tuple[str, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Share:
    """``125% of expected_claims`` -> ``Share(Percent(125), "expected_claims")``."""

    value: Value
    base: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TierAmount:
    tier: str
    value: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TierTable:
    """``EE $42.10, ES $95.00 pepm``: one entry per tier as written, then the units."""

    entries: tuple[TierAmount, ...]
    units: tuple[str, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


Rates: TypeAlias = Quantity | TierTable
Amount: TypeAlias = Quantity | Share | TierTable
