"""The renewal's steps, each an exact function of stated figures (docs/renewal.md).

On entry: Decimal money and rates. On exit: Decimal figures; money is rounded to cents half-up only
where the step says so, factors are kept to ``FACTOR_PLACES`` decimal places (shown and used as
shown, so that every figure of renew.json can be checked by hand).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from aso_rules import model
from aso_rules.money import Money

FACTOR_PLACES = Decimal("0.000001")
CENT = Decimal("0.01")


def cents(value: Decimal) -> Money:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def factor(value: Decimal) -> Decimal:
    return value.quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)


def trend_factor(annual: Decimal, months: Decimal) -> Decimal:
    """``(1 + t) ** (months / 12)`` to 6 places."""
    return factor((1 + annual) ** (months / 12))


def completed(incurred: Money, completion: Decimal) -> Money:
    """Incurred-and-paid claims divided by the completion factor, to the cent."""
    return cents(incurred / completion)


def pooled_excess(claimants: Mapping[str, Money], pooling_point: Money | None) -> Money:
    """The sum over claimants of what each one's plan-paid claims exceed the pooling point."""
    if pooling_point is None:
        return Decimal(0)
    return sum((max(v - pooling_point, Decimal(0)) for v in claimants.values()), Decimal(0))


def credibility(method: model.CredibilityMethod, member_years: Decimal) -> Decimal:
    """Limited fluctuation ``min(1, sqrt(n / N))`` or Buhlmann ``n / (n + k)``, to 6 places."""
    if member_years <= 0:
        return Decimal(0)
    if isinstance(method, model.Buhlmann):
        return factor(member_years / (member_years + method.k))
    return factor(min(Decimal(1), (member_years / method.full).sqrt()))


def blend(z: Decimal, experience: Money, manual: Money) -> Money:
    """``Z x experience + (1 - Z) x manual``, to the cent."""
    return cents(z * experience + (1 - z) * manual)


def increase(new: Money, old: Money) -> Decimal | None:
    """``new / old - 1`` to 6 places (None when there is no old figure)."""
    if old <= 0:
        return None
    return factor(new / old - 1)
