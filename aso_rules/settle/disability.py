"""Disability benefits: STD weekly and LTD monthly (docs/semantics.md section 5).

On entry: the coverage's ``DisabilityTerms``, the absence (first and last day, inclusive), the cause,
and the earnings (weekly earnings, or the annual salary, unrounded). On exit: a ``DisabilityBenefit``
with the periodic benefit, the day counts, the payable window and the benefit for the absence.

STD: ``weekly = min(round(pct x weekly_earnings), maximum)``; the elimination period (by cause) is
served first; payable days are capped by ``duration_days`` (counted from the first payable day, or
from the first day of disability when ``max_includes_ep``); ``benefit = round(weekly x days / 7)``.

LTD: ``gross = min(round(pct x annual / 12), maximum)``; ``minimum = max(minimum_flat,
round(minimum_pct x gross))``; ``net = max(gross - offsets, minimum)`` with offsets 0 (the claims data
contract carries no offsets: SSDI and similar are out of scope here); the payable window is paid as
whole calendar months from the first payable day at ``net`` each, then the remaining days at
``round(net x days / 30)``.

Recurrence: an absence that starts fewer than 14 days after the previous absence of the same member,
line and cause ended continues that disability period (``PeriodSoFar``): the elimination period is
served once across the period and the duration caps the period's payable days. Overlapping or
out-of-order absences start their own period.

Rounding points (docs/semantics.md 11, points 6 and 7): the weekly benefit and each STD payment; LTD gross,
minimum and the partial month. Earnings are never rounded before the multiplication.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs

from aso_rules.model import DisabilityTerms
from aso_rules.money import ZERO, Money, RoundingMode, round_money
from aso_rules.settle.order import add_months

_WEEKS_PER_YEAR = Decimal(52)
_MONTHS_PER_YEAR = Decimal(12)


@attrs.frozen
class DisabilityBenefit:
    """The benefit of one absence; the payable days are None when nothing is payable."""

    periodic_benefit: Money  # weekly (std) or monthly net (ltd)
    disability_days: int
    elimination_days: int  # still to serve in this absence
    payable_days: int
    first_payable_day: date | None
    last_payable_day: date | None
    benefit: Money
    gross: Money | None = None  # ltd only
    minimum: Money | None = None  # ltd only


def elimination_days(terms: DisabilityTerms, cause: str | None) -> int:
    """The elimination period for the cause (``accident``; anything else counts as illness)."""
    if cause == "accident":
        return terms.elimination_accident_days
    return terms.elimination_illness_days


@attrs.frozen
class PeriodSoFar:
    """What earlier absences of the same disability period used (docs/semantics.md 5.1, recurrence).

    Absences separated by fewer than 14 days form one period: one elimination period (the first
    absence's), one maximum duration.
    """

    elimination_days: int  # the period's elimination period
    disability_days: int  # days disabled in the period's earlier absences
    payable_days: int  # payable days the earlier absences used


RECURRENCE_GAP_DAYS = 14


def _payable_window(
    terms: DisabilityTerms, start: date, end: date, cause: str | None, prior: PeriodSoFar | None
) -> tuple[int, int, int]:
    """(disability_days, elimination days still to serve, payable_days) for an inclusive absence."""
    days = (end - start).days + 1
    if prior is None:
        ep, days_before, payable_before = elimination_days(terms, cause), 0, 0
    else:
        days_before, payable_before = prior.disability_days, prior.payable_days
        ep = max(0, prior.elimination_days - days_before)
    cap = terms.duration_days
    if cap is None:
        payable = max(0, days - ep)
    elif terms.max_includes_ep:
        payable = max(0, min(days, cap - days_before) - ep)
    else:
        payable = max(0, min(days - ep, cap - payable_before))
    return days, ep, payable


def std_weekly_benefit(terms: DisabilityTerms, weekly_earnings: Decimal, mode: RoundingMode) -> Money:
    """``min(round(pct x weekly_earnings), maximum)``: the weekly STD benefit."""
    weekly = round_money(terms.pct * weekly_earnings, mode)
    if terms.maximum is not None and weekly > terms.maximum:
        return terms.maximum
    return weekly


def std_benefit(
    terms: DisabilityTerms,
    start: date,
    end: date,
    cause: str | None,
    weekly_earnings: Decimal,
    mode: RoundingMode,
    prior: PeriodSoFar | None = None,
) -> DisabilityBenefit:
    """The STD benefit of one absence (docs/semantics.md 5.1); ``prior``: it continues an earlier period."""
    weekly = std_weekly_benefit(terms, weekly_earnings, mode)
    days, ep, payable = _payable_window(terms, start, end, cause, prior)
    benefit = round_money(weekly * payable / 7, mode) if payable else ZERO
    first = start + timedelta(days=ep) if payable else None
    last = first + timedelta(days=payable - 1) if first is not None else None
    return DisabilityBenefit(weekly, days, ep, payable, first, last, benefit)


def ltd_monthly(
    terms: DisabilityTerms, annual_earnings: Decimal, mode: RoundingMode, offsets: Money = ZERO
) -> tuple[Money, Money, Money]:
    """(gross, minimum, net) monthly LTD benefit (docs/semantics.md 5.2); claims carry no offsets (0)."""
    gross = round_money(terms.pct * annual_earnings / _MONTHS_PER_YEAR, mode)
    if terms.maximum is not None and gross > terms.maximum:
        gross = terms.maximum
    minimum = terms.minimum_flat if terms.minimum_flat is not None else ZERO
    if terms.minimum_pct is not None:
        minimum = max(minimum, round_money(terms.minimum_pct * gross, mode))
    net = max(gross - offsets, minimum)
    return gross, minimum, net


def ltd_benefit(
    terms: DisabilityTerms,
    start: date,
    end: date,
    cause: str | None,
    annual_earnings: Decimal,
    mode: RoundingMode,
    prior: PeriodSoFar | None = None,
) -> DisabilityBenefit:
    """The LTD benefit of one absence: whole months at ``net``, the rest at 1/30 per day."""
    gross, minimum, net = ltd_monthly(terms, annual_earnings, mode)
    days, ep, payable = _payable_window(terms, start, end, cause, prior)
    if not payable:
        return DisabilityBenefit(net, days, ep, 0, None, None, ZERO, gross, minimum)
    first = start + timedelta(days=ep)
    last = first + timedelta(days=payable - 1)
    months = 0
    while add_months(first, months + 1) - timedelta(days=1) <= last:
        months += 1
    rest = (last - add_months(first, months)).days + 1
    benefit = net * months + (round_money(net * rest / 30, mode) if rest else ZERO)
    return DisabilityBenefit(net, days, ep, payable, first, last, benefit, gross, minimum)
