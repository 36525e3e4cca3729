"""The ``experience`` block's nodes (docs/language.md 11.1): how this year's experience becomes next
year's rates. Re-exported by ``aso_rules.language.ast``."""

from __future__ import annotations

from typing import TypeAlias

import attrs

from aso_rules.language.ast_values import (
    NO_SPAN,
    Number,
    Quantity,
    Rates,
    Value,
)
from aso_rules.language.diagnostics import Span


@attrs.frozen
class TrendEntry:
    """``medical 8.5%``: a coverage line and its annual trend."""

    line: str
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Trend:
    entries: tuple[TrendEntry, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Projection:
    """``projection 12 months`` (``end`` None) or ``projection DATE to DATE`` (midpoint to midpoint)."""

    start: Value
    end: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Completion:
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class PoolingPoint:
    amount: Quantity
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class PoolingCharge:
    amount: Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class LimitedFluctuation:
    """``limited_fluctuation full at 2,000 lives``."""

    full: Number
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Buhlmann:
    """``buhlmann k 1,500`` (Z = n / (n + k), n in member-years)."""

    k: Number
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class Credibility:
    method: LimitedFluctuation | Buhlmann
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ManualRate:
    amount: Rates
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class PlanDesignChange:
    factor: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class RateCap:
    rate: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


ExperienceItem: TypeAlias = (
    Trend
    | Projection
    | Completion
    | PoolingPoint
    | PoolingCharge
    | Credibility
    | ManualRate
    | PlanDesignChange
    | RateCap
)


@attrs.frozen
class Experience:
    """``experience { ... }``: how this year's experience becomes next year's rates."""

    items: tuple[ExperienceItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)
