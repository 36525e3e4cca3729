"""Leveraged trend: the specific layer trends faster than the claims it sits on.

With claims ``X`` trended by ``t`` the layer above ``d`` (of width ``m``) pays
``E[((1+t)X - d)+ ^ m] = (1+t) (E[(X - d/(1+t))+] - E[(X - (d+m)/(1+t))+])``, so the layer's
trend is that over ``E[(X - d)+] - E[(X - d - m)+]``, less one. ``excess(k) = E[(X - k)+]`` is the
severity's (``E[X] - LEV(k)``); for claimants of the experience it is their empirical excess.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence


def layer_trend(
    excess: Callable[[float], float], deductible: float, trend: float, width: float = math.inf
) -> float:
    """The layer's trend ``E[L((1+t)X)] / E[L(X)] - 1`` for the layer ``[d, d + width)``."""
    g = 1.0 + trend
    top = deductible + width

    def layer(scale: float) -> float:
        upper = 0.0 if math.isinf(top) else excess(top / scale)
        return scale * (excess(deductible / scale) - upper)

    base = layer(1.0)
    if base <= 0:
        raise ValueError("the layer is empty: no claims reach the deductible")
    return layer(g) / base - 1.0


def empirical_excess(claims: Sequence[float]) -> Callable[[float], float]:
    """``k -> sum over claimants of (x - k)+`` (a total, not a mean: ratios are the same)."""
    values = list(claims)
    return lambda k: sum(max(x - k, 0.0) for x in values)
