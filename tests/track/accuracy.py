"""The tracking accuracy study on generated plan years (docs/tracking.md).

A plan year is generated (``aso_rules.data.generate``: enrollment and claims, with runout into the
next year) and settled at once; the truth is then known: the plan paid on claims incurred in the plan
year (whenever paid), and at each as-of month the part of it not yet paid (the true IBNR). Tracking
runs on the same ledger as of the end of month 3, 6 and 9 (it sees only lines paid by then).

The manual rate is what a pricing actuary would have: the average incurred plan paid per employee
month of the stop-loss lines over independent calibration years (other seeds of the same generator),
stated ``gross``; the claimant model is the acme example's, rescaled by tracking to the blended mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

import aso_rules
from aso_rules.data.generate import generate_claims, generate_enrollment
from aso_rules.track import track_table

ROOT = Path(__file__).resolve().parents[2]
EMPLOYEES = 400
LINES = 8000
CALIBRATION_SEEDS = (9001, 9002, 9003)
MONTH_ENDS = {3: date(2026, 3, 31), 6: date(2026, 6, 30), 9: date(2026, 9, 30)}


def _year(ruleset: aso_rules.Ruleset, seed: int) -> tuple[Any, Any]:
    enrollment = generate_enrollment(EMPLOYEES, ruleset.plan_year, seed)
    claims = generate_claims(enrollment, LINES, ruleset.plan_year, seed)
    return enrollment, ruleset.settle(claims, enrollment, engine="reference")


def _incurred(settlement: Any, lines: Iterable[str] | None = None) -> Iterator[Any]:
    """The settled lines incurred in the plan year (whenever paid), of the named lines."""
    keep = set(lines) if lines is not None else None
    py = settlement.ruleset.plan_year
    for r in settlement.lines:
        if py.start <= r.claim.incurred <= py.end and (keep is None or r.claim.line in keep):
            yield r


def _incurred_plan_paid(settlement: Any, lines: Iterable[str] | None = None) -> tuple[Decimal, Decimal]:
    """(incurred in the plan year, whenever paid; of the named lines), and the employee months."""
    total = sum((r.plan_paid for r in _incurred(settlement, lines)), Decimal(0))
    months = sum(m.total_employees for m in settlement.months)
    return total, Decimal(months)


def study_ruleset() -> aso_rules.Ruleset:
    """acme, with expected claims calibrated on independent generated years (gross basis)."""
    text = (ROOT / "rulesets" / "acme-2026.aso").read_text(encoding="utf-8")
    base = aso_rules.loads(text, filename="acme-2026.aso")
    total = months = Decimal(0)
    by_month = [Decimal(0)] * 12
    member_months = [0] * 12
    for seed in CALIBRATION_SEEDS:
        _enr, s = _year(base, seed)
        t, m = _incurred_plan_paid(s, ("medical", "rx"))
        total += t
        months += m
        for i, month in enumerate(s.months):
            member_months[i] += month.members
        start = base.plan_year.start
        for r in _incurred(s, ("medical", "rx")):
            plan_month = (r.claim.incurred.year - start.year) * 12 + r.claim.incurred.month - start.month
            by_month[plan_month] += r.plan_paid
    pepm = (total / months).quantize(Decimal("0.01"))
    # the book's shape of the year: each month's plan paid per member month over the year's
    pmpm = [v / mm for v, mm in zip(by_month, member_months, strict=True)]
    average = sum(by_month, Decimal(0)) / sum(member_months)
    season = ", ".join(str((p / average).quantize(Decimal("0.001"))) for p in pmpm)
    text = re.sub(
        r"expected_claims [^\n]*",
        f"expected_claims ${pepm} pepm\n  claims_basis gross\n  seasonality {season}",
        text,
    )
    return aso_rules.loads(text, filename="acme-2026-study.aso")


def run_seed(ruleset: aso_rules.Ruleset, seed: int, simulations: int = 2000) -> list[dict[str, Any]]:
    _enrollment, settlement = _year(ruleset, seed)
    truth, _ = _incurred_plan_paid(settlement)
    py = ruleset.plan_year
    out = []
    for month, as_of in MONTH_ENDS.items():
        true_ibnr = sum(
            (
                r.plan_paid
                for r in settlement.lines
                if r.claim.incurred <= as_of and r.claim.paid > as_of and r.claim.incurred >= py.start
            ),
            Decimal(0),
        )
        t = track_table(
            ruleset,
            settlement.members.values(),
            settlement.ledger,
            as_of=as_of,
            simulations=simulations,
            seed=seed,
        )
        s = t.summary
        band = s["projection"]["incurred_plan_paid"]
        est_ibnr = Decimal(s["ibnr"]["plan_paid"])
        expected = Decimal(band["expected"])
        out.append(
            {
                "seed": seed,
                "month": month,
                "truth": float(truth),
                "true_ibnr": float(true_ibnr),
                "ibnr_error": float((est_ibnr - true_ibnr) / true_ibnr) if true_ibnr else 0.0,
                "projection_error": float((expected - truth) / truth),
                "in_band": Decimal(band["p05"]) <= truth <= Decimal(band["p95"]),
            }
        )
    return out


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: per as-of month, mean and worst absolute errors and the band's coverage."""
    lines = [
        "| as of | seeds | IBNR error: mean abs / max abs / mean "
        "| projection error: mean abs / max abs / mean | band holds truth |",
        "|---|---:|---:|---:|---:|",
    ]
    for month in sorted({r["month"] for r in rows}):
        rs = [r for r in rows if r["month"] == month]
        ie = np.array([r["ibnr_error"] for r in rs])
        pe = np.array([r["projection_error"] for r in rs])
        cover = np.mean([r["in_band"] for r in rs])
        lines.append(
            f"| month {month} | {len(rs)} "
            f"| {np.abs(ie).mean():.1%} / {np.abs(ie).max():.1%} / {ie.mean():+.1%} "
            f"| {np.abs(pe).mean():.1%} / {np.abs(pe).max():.1%} / {pe.mean():+.1%} | {cover:.0%} |"
        )
    return "\n".join(lines)
