"""A worked plan year small enough to check by hand: chain ladder, projected PMPM, credibility."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

import aso_rules
from aso_rules.track import track_table
from aso_rules.track.blend import credibility, full_credibility_claimants

PLAN = """\
ruleset "Tracking worked example 2026" {
  plan_year 2026-01-01 to 2026-12-31
  tiers EE "Employee only"
}

coverage medical {
  plan pays 100%
}

assumptions {
  expected_claims EE $100.00 pepm
  claims_basis gross
}
"""

MEMBERS = [f"E{k}" for k in range(10)]
# (member, incurred, paid, allowed): plan pays 100%, so plan paid = allowed
LINES = [
    ("E0", "2026-01-10", "2026-01-20", "1000.00"),
    ("E1", "2026-01-12", "2026-02-03", "500.00"),
    ("E2", "2026-01-15", "2026-03-09", "100.00"),
    ("E3", "2026-02-02", "2026-02-25", "1200.00"),
    ("E4", "2026-02-10", "2026-03-01", "600.00"),
    ("E5", "2026-03-05", "2026-03-20", "900.00"),
    ("E6", "2026-03-20", "2026-04-02", "777.00"),  # paid after the as-of date: left out
]


def _enrollment() -> pa.Table:
    return pa.table(
        {
            "member_id": MEMBERS,
            "family_id": MEMBERS,
            "relationship": ["employee"] * 10,
            "tier": ["EE"] * 10,
            "coverage_start": ["2026-01-01"] * 10,
        }
    )


def _claims() -> pa.Table:
    return pa.table(
        {
            "claim_id": [f"C{k}" for k in range(len(LINES))],
            "member_id": [r[0] for r in LINES],
            "line": ["medical"] * len(LINES),
            "category": ["office_visit"] * len(LINES),
            "incurred": [r[1] for r in LINES],
            "paid": [r[2] for r in LINES],
            "billed": [r[3] for r in LINES],
            "allowed": [r[3] for r in LINES],
        }
    )


def test_worked_plan_year(tmp_path: Path) -> None:
    (tmp_path / "plan.aso").write_text(PLAN, encoding="utf-8")
    rs = aso_rules.load(tmp_path / "plan.aso")
    settlement = rs.settle(_claims(), _enrollment())
    t = track_table(rs, settlement.members.values(), settlement.ledger, as_of=date(2026, 3, 31), seed=3)
    s = t.summary
    # cumulative triangle (dollars): Jan 1000 1500 1600 / Feb 1200 1800 / Mar 900
    g = s["groups"][0]
    assert g["triangle"] == [["1000.00", "500.00", "100.00"], ["1200.00", "600.00"], ["900.00"]]
    # f0 = (1500 + 1800) / (1000 + 1200) = 1.5; f1 = 1600 / 1500 = 1.066667
    assert g["development_factors"] == [1.5, 1.066667]
    # exponential tail: f_j - 1 = 0.5 (2/15)^j fits both factors exactly (log-linear through two
    # points), so tail = prod_{j=2..25} (1 + 0.5 (2/15)^j) = 1.008889 x 1.001185 x ... = 1.010269
    tail = math.prod(1 + 0.5 * (2 / 15) ** j for j in range(2, 26))
    assert tail == pytest.approx(1.0102688, abs=1e-7)
    # completion: Jan 1/tail = 0.989836; Feb 0.9375/tail = 0.927974 (on a factor from one month,
    # below 95%: projected PMPM); Mar 0.625/tail = 0.618649 (below 75%: projected PMPM)
    assert g["completion"] == [round(1 / tail, 6), round(0.9375 / tail, 6), round(0.625 / tail, 6)]
    assert g["method"] == ["chain_ladder", "projected_pmpm", "projected_pmpm"]
    # experience PMPM: every observed month, the mature Jan at its chain-ladder ultimate 1600 x tail,
    # Feb and Mar completed with the manual rate: 1800 + (1 - 0.927974) x 100 x 10 = 1872.03 and
    # 900 + (1 - 0.618649) x 100 x 10 = 1281.35; over 30 member months = 158.99
    # manual PMPM: $100 pepm x 10 employees / 10 members = 100.00
    # full credibility with no claimant model (CV 0): (1.644854/0.05)^2 = 1082.22 claimants;
    # claimants in the observed months: E0 to E5 -> Z = sqrt(6/1082.22) = 0.074459
    # projected PMPM = 0.074459 x 158.99 + 0.925541 x 100 = 104.39
    c = g["credibility"]
    assert c["full_credibility_claimants"] == 1082.2
    assert c["claimants"] == 6
    z = math.sqrt(6 / full_credibility_claimants(0.0))
    assert c["z"] == pytest.approx(z, abs=1e-6) and z == pytest.approx(0.074459, abs=1e-6)
    experience = (1600 * tail + 1800 + (1 - 0.9375 / tail) * 1000 + 900 + (1 - 0.625 / tail) * 1000) / 30
    assert c["experience_pmpm"] == f"{experience:.2f}" == "158.99"
    assert c["manual_pmpm"] == "100.00"
    pmpm = z * experience + (1 - z) * 100
    assert c["projected_pmpm"] == f"{pmpm:.2f}" == "104.39"
    # IBNR: Jan 1600 (tail - 1) = 16.43; Feb (1 - 0.9375/tail) x 104.39 x 10 = 75.19;
    # Mar (1 - 0.625/tail) x 104.39 x 10 = 398.10
    ibnr = [1600 * (tail - 1), (1 - 0.9375 / tail) * pmpm * 10, (1 - 0.625 / tail) * pmpm * 10]
    by_month = s["ibnr"]["by_month"]
    assert [m["ibnr"] for m in by_month] == [f"{v:.2f}" for v in ibnr]
    assert by_month[0]["ibnr"] == "16.43"
    assert s["ibnr"]["plan_paid"] == f"{sum(ibnr):.2f}"
    # paid to date: 4300.00 (the line paid on April 2 is after the as-of date)
    assert s["projection"]["paid_to_date"] == "4300.00"
    assert s["lines_excluded"] == {"incurred outside the plan year": 0, "paid after the as-of date": 1}
    # remaining months: 9 x 10 members x projected PMPM; expected = paid + IBNR + remaining
    assert s["projection"]["remaining_months"] == f"{9 * 10 * pmpm:.2f}"
    expected = 4300 + sum(ibnr) + 90 * pmpm
    assert s["projection"]["incurred_plan_paid"]["expected"] == f"{expected:.2f}"
    band = s["projection"]["incurred_plan_paid"]
    assert float(band["p05"]) <= float(band["p50"]) <= float(band["p95"])
    # months: paid by paid month against expected (100 x 10 employees)
    assert [m["paid"] for m in s["months"]] == ["1000.00", "1700.00", "1600.00"]
    assert [m["expected"] for m in s["months"]] == ["1000.00"] * 3
    assert s["months"][-1]["cumulative_paid"] == "4300.00"
    # no stop-loss, no aggregate, no fully insured quote
    assert s["position"]["aggregate"] is None and s["position"]["fully_insured"] is None


def test_credibility_rule() -> None:
    # (1.6448536 / 0.05)^2 = 1082.22; with CV 2: x 5 = 5411.09
    assert full_credibility_claimants(0.0) == pytest.approx(1082.22, abs=0.01)
    assert full_credibility_claimants(2.0) == pytest.approx(5411.09, abs=0.01)
    assert credibility(1083, 1082.22) == 1.0
    assert credibility(271, 1082.22) == pytest.approx(math.sqrt(271 / 1082.22))
    assert credibility(0, 1082.22) == 0.0
    assert credibility(5, 0.0) == 1.0


def test_seasonality_shapes_the_manual_rate_and_the_remaining_months(tmp_path: Path) -> None:
    """The same year with ``seasonality``: rates are per seasonal member month (factors scaled to
    average 1), so each remaining month's expected claims are the projected rate x its members x
    its factor, and the manual rate is the year's expected claims over the seasonal member months."""
    factors = [0.5, 0.5, 0.5] + [1.0] * 6 + [2.0, 2.0, 2.0]  # mean 1.125: scaled by 1 / 1.125
    plan = PLAN.replace(
        "claims_basis gross", "claims_basis gross\n  seasonality " + ", ".join(map(str, factors))
    )
    (tmp_path / "plan.aso").write_text(plan, encoding="utf-8")
    rs = aso_rules.load(tmp_path / "plan.aso")
    settlement = rs.settle(_claims(), _enrollment())
    s = track_table(
        rs, settlement.members.values(), settlement.ledger, as_of=date(2026, 3, 31), seed=3
    ).summary
    season = [f / 1.125 for f in factors]
    c = s["groups"][0]["credibility"]
    # manual: $100 x 10 employees x 12 months over sum(10 x season) = 12,000 / 120 = 100.00 (the
    # factors average 1), and the experience: Jan 1600 x tail; Feb, Mar completed with the manual
    # rate x their seasonal member months (10 x 0.444444); over 30 x 0.444444 seasonal member months
    assert c["manual_pmpm"] == "100.00"
    tail = math.prod(1 + 0.5 * (2 / 15) ** j for j in range(2, 26))
    low = 10 * season[0]
    experience = (
        1600 * tail + 1800 + (1 - 0.9375 / tail) * 100 * low + 900 + (1 - 0.625 / tail) * 100 * low
    ) / (3 * low)
    assert c["experience_pmpm"] == f"{experience:.2f}"
    pmpm = float(c["z"]) * experience + (1 - float(c["z"])) * 100
    # (Z is reported to 6 places, so the figure computed from it can differ by a cent)
    assert float(s["projection"]["remaining_months"]) == pytest.approx(
        sum(pmpm * 10 * f for f in season[3:]), abs=0.011
    )
