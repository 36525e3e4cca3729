"""The renewal's steps on hand-checked figures, and the leveraged trend against closed forms and
published examples."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aso_rules import model
from aso_rules.renew import leveraged, steps

D = Decimal


def test_steps__completion() -> None:
    # $975,000 paid of claims 97.5% complete: 975,000 / 0.975 = $1,000,000.00
    assert steps.completed(D("975000.00"), D("0.975")) == D("1000000.00")


def test_steps__pooling() -> None:
    # over $150,000: (400,000 - 150,000) + (160,000 - 150,000) = 260,000; the $100,000 claimant pools nothing
    claimants = {"a": D("400000"), "b": D("100000"), "c": D("160000")}
    assert steps.pooled_excess(claimants, D("150000")) == D("260000")
    assert steps.pooled_excess(claimants, None) == 0


def test_steps__trend_factor() -> None:
    # 12 months at 8.5%: 1.085; 18 months: 1.085 x sqrt(1.085) = 1.085 x 1.0416333 = 1.1301721
    assert steps.trend_factor(D("0.085"), D(12)) == D("1.085000")
    assert steps.trend_factor(D("0.085"), D(18)) == D("1.130172")


def test_steps__credibility() -> None:
    # 500 member-years: limited fluctuation sqrt(500 / 2,000) = 0.5; Buhlmann 500 / (500 + 1,500) = 0.25
    assert steps.credibility(model.LimitedFluctuation(D(2000)), D(500)) == D("0.5")
    assert steps.credibility(model.Buhlmann(D(1500)), D(500)) == D("0.25")
    # above the standard: full credibility
    assert steps.credibility(model.LimitedFluctuation(D(2000)), D(3000)) == 1


def test_steps__blend_and_increase() -> None:
    # 0.5 x $600 + 0.5 x $500 = $550.00; 550 / 500 - 1 = 10%
    assert steps.blend(D("0.5"), D("600"), D("500")) == D("550.00")
    assert steps.increase(D("550.00"), D("500.00")) == D("0.1")


# --------------------------------------------------------------------------- leveraged trend


# Published leveraged-trend rows: one claimant above a $100,000 specific deductible, 8% trend.
# Source: https://xlbenefits.com/resources/blog/leveraged-trend-stop-loss-costs
# LT1: $150,000 -> $162,000: the layer pays $50,000 -> $62,000, +24%.
# LT2: $200,000 -> $216,000: the layer pays $100,000 -> $116,000, +16%.
PUBLISHED = [(150_000.0, 100_000.0, 0.08, 0.24), (200_000.0, 100_000.0, 0.08, 0.16)]


@pytest.mark.parametrize(("claim", "deductible", "trend", "expected"), PUBLISHED)
def test_leveraged__published_rows(claim: float, deductible: float, trend: float, expected: float) -> None:
    excess = leveraged.empirical_excess([claim])
    assert leveraged.layer_trend(excess, deductible, trend) == pytest.approx(expected, abs=1e-12)


def single_pareto_excess(alpha: float, theta: float) -> Callable[[float], float]:
    """E[(X - k)+] for P(X > x) = (theta / x) ** alpha, k >= theta: theta^a k^(1-a) / (a - 1)."""
    return lambda k: theta**alpha * k ** (1 - alpha) / (alpha - 1)


@given(
    alpha=st.floats(1.2, 5.0),
    theta=st.floats(1_000.0, 50_000.0),
    trend=st.floats(0.0, 0.3),
    ratio=st.floats(1.5, 40.0),
)
def test_leveraged__pareto_layer_trends_by_the_power_alpha(
    alpha: float, theta: float, trend: float, ratio: float
) -> None:
    """Single-parameter Pareto, unlimited layer above d >= theta (1 + t): the layer's trend factor is
    (1 + t) ** alpha exactly, whatever d (the trended law is Pareto with scale theta (1 + t))."""
    d = theta * (1 + trend) * ratio
    got = leveraged.layer_trend(single_pareto_excess(alpha, theta), d, trend)
    assert got == pytest.approx((1 + trend) ** alpha - 1, rel=1e-9, abs=1e-12)


def test_leveraged__lomax_closed_form() -> None:
    """The engine's Pareto (Lomax) severity: E[(X-k)+] = theta^a (k + theta)^(1-a) / (a - 1), so the
    layer factor is g^a ((d + g theta) / (d + theta))^(1-a) with g = 1 + t."""
    pytest.importorskip("scipy")
    import numpy as np

    from aso_rules.price.severity import ParetoDist

    a, theta, d, t = 2.5, 60_000.0, 150_000.0, 0.085
    dist = ParetoDist(a, theta)
    got = leveraged.layer_trend(lambda k: dist.mean - float(dist.lev(np.array(k))), d, t)
    g = 1 + t
    assert got == pytest.approx(g**a * ((d + g * theta) / (d + theta)) ** (1 - a) - 1, rel=1e-9)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def lognormal_excess(mu: float, sigma: float) -> Callable[[float], float]:
    """E[X] - E[X ^ k], E[X ^ k] = e^(mu + s^2/2) Phi((ln k - mu - s^2)/s) + k (1 - Phi((ln k - mu)/s))."""
    mean = math.exp(mu + sigma**2 / 2)

    def excess(k: float) -> float:
        lev = mean * _phi((math.log(k) - mu - sigma**2) / sigma) + k * (1 - _phi((math.log(k) - mu) / sigma))
        return mean - lev

    return excess


@pytest.mark.parametrize("width", [math.inf, 850_000.0])
def test_leveraged__lognormal_closed_form(width: float) -> None:
    """Trended by t a lognormal is lognormal with mu + ln(1 + t): the layer's expected payment after
    trend, straight from the limited expected value formula, equals the scaling identity's; and the
    engine's lognormal severity gives the same trend. mean $6,200, cv 3 (sigma^2 = ln 10)."""
    mean, cv, d, t = 6_200.0, 3.0, 150_000.0, 0.085
    sigma = math.sqrt(math.log(1 + cv**2))
    mu = math.log(mean) - sigma**2 / 2
    before, after = lognormal_excess(mu, sigma), lognormal_excess(mu + math.log(1 + t), sigma)
    top = d + width
    direct = (after(d) - (0.0 if math.isinf(top) else after(top))) / (
        before(d) - (0.0 if math.isinf(top) else before(top))
    ) - 1
    got = leveraged.layer_trend(before, d, t, width)
    assert got == pytest.approx(direct, rel=1e-9)
    assert got > t  # the layer trends faster than the ground-up claims
    pytest.importorskip("scipy")
    import numpy as np

    from aso_rules.price.severity import LognormalDist

    dist = LognormalDist.from_mean_cv(mean, cv)
    engine = leveraged.layer_trend(lambda k: dist.mean - float(dist.lev(np.array(k))), d, t, width)
    assert engine == pytest.approx(direct, rel=1e-7)
