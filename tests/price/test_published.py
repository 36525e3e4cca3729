"""Published stop-loss examples (shared/data/published_examples): leveraged trend and the ASD."""

from __future__ import annotations

import csv

import attrs
import numpy as np
import pytest

from aso_rules import model
from aso_rules.money import money
from aso_rules.price.aggregate import ClaimCount, simulate
from aso_rules.price.quote import _layer_expectation
from aso_rules.price.severity import FloatArray, Layer, LognormalDist
from tests.shared import require_shared_data

EXAMPLES = require_shared_data() / "published_examples"


def _rows(mechanism: str) -> list[dict[str, str]]:
    with (EXAMPLES / "stoploss_worked_examples.csv").open() as fh:
        return [r for r in csv.DictReader(fh) if r["mechanism"].startswith(mechanism)]


@attrs.frozen
class PointMass:
    """A claimant whose plan-paid cost is one known amount."""

    value: float

    @property
    def mean(self) -> float:
        return self.value

    def cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(np.asarray(x) >= self.value, dtype=np.float64)

    def lev(self, k: FloatArray) -> FloatArray:
        return np.asarray(np.minimum(np.asarray(k, dtype=np.float64), self.value), dtype=np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.full(n, self.value)


@pytest.mark.parametrize("row", _rows("specific stop-loss leveraged trend"), ids=lambda r: r["example_id"])
def test_specific_layer__leveraged_trend(row: dict[str, str]) -> None:
    """Excess over the deductible before and after trend, and the leveraged increase, as published."""
    sd = float(row["specific_deductible"])
    year1 = Layer(PointMass(float(row["claim_year1"])), sd).mean
    trended = Layer(PointMass(float(row["claim_year1"]) * (1 + float(row["trend"]))), sd).mean
    assert year1 == pytest.approx(float(row["expected_stoploss_pays_year1"]))
    assert trended == pytest.approx(float(row["expected_stoploss_pays_year2"]))
    assert trended / year1 - 1 == pytest.approx(float(row["expected_leveraged_increase"]))


def test_specific_layer__leveraged_trend_on_a_distribution() -> None:
    """Leverage holds in expectation: 8% ground-up trend raises the expected excess by more than 8%."""
    base = LognormalDist.from_mean_cv(6200, 3.0)
    trended = LognormalDist.from_mean_cv(6200 * 1.08, 3.0)
    grow = Layer(trended, 100_000).mean / Layer(base, 100_000).mean - 1
    assert grow > 0.08


@pytest.mark.parametrize("dispersion", [0.0, 0.02], ids=["poisson", "negbin"])
def test_asd__group_keeps_the_first_excess_dollars(dispersion: float) -> None:
    """ASD1 (SD 150,000, ASD 100,000): the carrier's expected payment is E[(sum of excesses - ASD)+],
    agrees with a 100,000-year simulation, and equals lam E[L] less what the ASD absorbs."""
    row = _rows("aggregating specific deductible")[0]
    sd, asd = float(row["specific_deductible"]), float(row["aggregating_specific_deductible"])
    y = LognormalDist.from_mean_cv(12_000, 4.0)
    count = ClaimCount(150.0, dispersion=dispersion)
    tier = model.SpecificStopLoss(
        name="asd", deductible=money(f"{sd:.2f}"), aggregating_deductible=money(f"{asd:.2f}")
    )
    exact = _layer_expectation(y, count, tier, 2**14).value
    layer = Layer(y, sd)
    mc = simulate(y, count, {"x": lambda v: np.maximum(v - sd, 0.0)}, simulations=100_000, seed=21)
    carrier = np.maximum(mc.values["x"] - asd, 0.0)
    se = float(carrier.std(ddof=1) / np.sqrt(len(carrier)))
    assert abs(exact - float(carrier.mean())) < 4 * se
    without = count.lam * layer.mean
    absorbed = float(np.minimum(mc.values["x"], asd).mean())
    assert exact == pytest.approx(without - absorbed, rel=0.02)
    assert exact < without


@pytest.mark.parametrize("asd", [0.0, 25_000.0])
def test_asd__unreachable_layer_prices_at_zero(asd: float) -> None:
    """A deductible the claimants essentially never reach gives ~0 reimbursement, with or without ASD."""
    y = LognormalDist.from_mean_cv(1_000, 0.5)
    tier = model.SpecificStopLoss(
        name="far", deductible=money("45000.00"), aggregating_deductible=money(f"{asd:.2f}")
    )
    assert 0.0 <= _layer_expectation(y, ClaimCount(80.0), tier, 2**12).value < 1e-6


def test_asd__rare_layer_matches_one_claimant_formula() -> None:
    """When claimants rarely reach the layer, the ASD expectation is lam E[(L - ASD)+] (FFT agrees)."""
    y = LognormalDist.from_mean_cv(6_200, 3.0)
    count = ClaimCount(0.02)
    tier = model.SpecificStopLoss(
        name="t", deductible=money("150000.00"), aggregating_deductible=money("50000.00")
    )
    layer = Layer(y, 150_000.0)
    one = count.lam * (layer.mean - float(layer.lev(np.array(50_000.0))))
    assert _layer_expectation(y, count, tier, 2**14).value == pytest.approx(one, rel=1e-3)
