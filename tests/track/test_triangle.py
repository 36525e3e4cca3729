"""The chain ladder: volume-weighted development factors, IBNR and Mack's standard error.

Checked three ways: a 3 x 3 triangle by hand, the RAA triangle against Mack's (1993) published
figures, and the ``chainladder`` package (a test-only dependency) on RAA and on a monthly triangle of
plan-paid cents built from claim lines.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules.track.triangle import chain_ladder, cumulative, incremental_triangle

# Mack (1993), "Distribution-free calculation of the standard error of chain ladder reserve
# estimates", the RAA triangle (cumulative, accident years 1981-1990, thousands).
RAA = [
    [5012, 8269, 10907, 11805, 13539, 16181, 18009, 18608, 18662, 18834],
    [106, 4285, 5396, 10666, 13782, 15599, 15496, 16169, 16704],
    [3410, 8992, 13873, 16141, 18735, 22214, 22863, 23466],
    [5655, 11555, 15766, 21266, 23425, 26083, 27067],
    [1092, 9565, 15836, 22169, 25955, 26180],
    [1513, 6445, 11702, 12935, 15852],
    [557, 4020, 10946, 12314],
    [1351, 6947, 13112],
    [3133, 5395],
    [2063],
]


def square(rows: list[list[int]]) -> np.ndarray:
    n = len(rows)
    out = np.zeros((n, n))
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def test_hand_checked_three_by_three() -> None:
    # cumulative:   100 150 165 / 120 174 / 130
    # f0 = (150 + 174) / (100 + 120) = 324/220 = 1.472727..; f1 = 165/150 = 1.1
    # ultimates: 165; 174 x 1.1 = 191.4; 130 x 1.472727 x 1.1 = 130 x 1.62 = 210.6 -> IBNR 17.4 + 80.6 = 98
    # sigma0^2 = 100 (1.5 - f0)^2 + 120 (1.45 - f0)^2 = 0.0743802 + 0.0619835 = 0.1363636 (m - 1 = 1)
    # sigma1^2: one row, no extrapolation (needs two earlier sigmas) -> 0
    # row 2 mse = 210.6^2 x sigma0^2 / f0^2 x (1/130 + 1/220) = 44352.36 x 0.0628718 x 0.0122378 = 34.125
    cl = chain_ladder(square([[100, 150, 165], [120, 174], [130]]))
    assert cl.factors == pytest.approx([324 / 220, 1.1], rel=1e-12)
    assert cl.ultimate == pytest.approx([165, 191.4, 210.6], rel=1e-12)
    assert cl.ibnr.sum() == pytest.approx(98.0, rel=1e-12)
    assert cl.sigma2 == pytest.approx([0.1363636363636, 0.0], rel=1e-9)
    assert cl.completion == pytest.approx([1.0, 174 / 191.4, 130 / 210.6], rel=1e-12)
    assert cl.mse[2] == pytest.approx(34.125, rel=1e-4)
    assert cl.total_standard_error == pytest.approx(math.sqrt(34.125), rel=1e-4)


def test_raa_published_figures() -> None:
    # Mack (1993), table 2 and section 5: total IBNR 52,135 and its standard error 26,909
    cl = chain_ladder(square(RAA))
    assert cl.factors == pytest.approx(
        [2.999, 1.624, 1.271, 1.172, 1.113, 1.042, 1.033, 1.017, 1.009], abs=5e-4
    )
    assert round(cl.ibnr.sum()) == 52135
    assert round(cl.total_standard_error) == 26909
    assert round(cl.standard_error[-1]) == 24566  # 1990, the youngest year
    assert round(cl.standard_error[1]) == 206  # 1982


def test_raa_matches_the_chainladder_package() -> None:
    cl_pkg = pytest.importorskip("chainladder")
    raa = cl_pkg.load_sample("raa")
    dev = cl_pkg.Development(average="volume", sigma_interpolation="mack").fit_transform(raa)
    mack = cl_pkg.MackChainladder().fit(dev)
    ours = chain_ladder(np.nan_to_num(raa.values[0, 0]))
    assert ours.factors == pytest.approx(dev.ldf_.values[0, 0, 0], rel=1e-12)
    assert ours.ibnr == pytest.approx(np.nan_to_num(mack.ibnr_.values[0, 0, :, 0]), rel=1e-12, abs=1e-9)
    assert ours.standard_error == pytest.approx(
        np.nan_to_num(mack.mack_std_err_.values[0, 0, :, -1]), rel=1e-10, abs=1e-9
    )
    assert ours.total_standard_error == pytest.approx(float(mack.total_mack_std_err_.values[0, 0]), rel=1e-10)


def _monthly_lines(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    k = 4000
    inc = rng.integers(0, n, k)
    lag = np.minimum(rng.geometric(0.45, k) - 1, n - 1)
    keep = inc + lag <= n - 1
    cents = rng.lognormal(9.0, 1.2, k).astype(np.int64)
    return inc[keep], lag[keep], cents[keep]


def test_monthly_cents_triangle_matches_the_chainladder_package() -> None:
    cl_pkg = pytest.importorskip("chainladder")
    pd = pytest.importorskip("pandas")
    n = 9
    inc, lag, cents = _monthly_lines(7, n)
    tri = incremental_triangle(inc, lag, cents, n)
    rows = [
        {
            "origin": pd.Timestamp(2026, 1 + i, 1),
            "development": pd.Timestamp(2026, 1 + i + j, 1),
            "v": float(tri[i, j]),
        }
        for i in range(n)
        for j in range(n - i)
    ]
    t = cl_pkg.Triangle(
        pd.DataFrame(rows), origin="origin", development="development", columns="v", cumulative=False
    ).incr_to_cum()
    dev = cl_pkg.Development(average="volume", sigma_interpolation="mack").fit_transform(t)
    mack = cl_pkg.MackChainladder().fit(dev)
    ours = chain_ladder(cumulative(tri))
    assert ours.factors == pytest.approx(dev.ldf_.values[0, 0, 0], rel=1e-12)
    assert ours.ibnr == pytest.approx(np.nan_to_num(mack.ibnr_.values[0, 0, :, 0]), rel=1e-10, abs=1e-6)
    assert ours.total_standard_error == pytest.approx(float(mack.total_mack_std_err_.values[0, 0]), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=60),
    st.lists(st.integers(0, 5), min_size=60, max_size=60),
    st.lists(st.integers(1, 10**7), min_size=60, max_size=60),
)
def test_development_is_consistent(inc: list[int], lag: list[int], cents: list[int]) -> None:
    # Precondition: every line lies in the observed 6 x 6 triangle.
    n = 6
    pairs = [(i, j, c) for i, j, c in zip(inc, lag, cents, strict=False) if i + j <= n - 1]
    if not pairs:
        return
    i_, j_, c_ = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    tri = incremental_triangle(i_, j_, c_, n)
    cl = chain_ladder(cumulative(tri))
    # paid to date is every line's cents; the ultimate never falls below it (factors >= 1 here,
    # since cumulative paid never decreases with non-negative lines); completion is in (0, 1]
    assert cl.latest.sum() == pytest.approx(float(c_.sum()))
    assert (cl.factors >= 1 - 1e-12).all()
    assert (cl.ultimate >= cl.latest - 1e-6).all()
    assert ((cl.completion > 0) & (cl.completion <= 1 + 1e-12)).all()
    assert cl.total_mse >= -1e-9


def test_a_line_outside_the_triangle_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        incremental_triangle(np.array([2]), np.array([1]), np.array([5]), 3)
