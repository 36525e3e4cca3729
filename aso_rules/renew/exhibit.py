"""The renewal exhibit: one self-contained HTML page an actuary hands the employer.

On entry: renew.json (the dict ``project.renew`` returns). On exit: an HTML string in the pricing
report's style (``report_style``), with the headline figures, each step from incurred claims to the
projected rate, the tier rates, the leveraged trend and the flags. No script and nothing loaded from
the network.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aso_rules.report_style import CSS, card, esc, table, usd


def _pct(value: str | None) -> str:
    return "n/a" if value is None else f"{Decimal(value) * 100:.2f}%"


TIER_HEAD = ["Tier", "Expected claims", "Funding rate", "COBRA (102%)", "Aggregate factor", "Rate change"]


def render_exhibit(report: dict[str, Any]) -> str:
    """The exhibit's HTML page (see the module docstring)."""
    s = report["steps"]
    lines = report["lines"]
    line_rows = [
        [ln, usd(s["incurred"][ln]), usd(s["completed"][ln]), usd(s["pooled_excess"][ln]),
         usd(s["pooled"][ln]), s["trend_factor"][ln], usd(s["trended"][ln])]
        for ln in lines
    ]  # fmt: skip
    step_rows = [
        ["Completion factor", s["completion"]],
        ["Pooling point", usd(s["pooling_point"])],
        ["Months of trend", s["projection_months"]],
        ["Trended claims", usd(s["trended_total"])],
        [f"Plan-design change ({s['plan_design_change']['source']})", s["plan_design_change"]["factor"]],
        ["Adjusted experience claims", usd(s["adjusted"])],
        ["Experience rate (pepm)", usd(s["experience_pepm"])],
        ["Manual rate (pepm)", usd(s["manual_pepm"])],
        ["Credibility Z", s["credibility"]],
        ["Blended rate: Z x experience + (1 - Z) x manual", usd(s["blended_pepm"])],
        ["Pooling charge (pepm)", usd(s["pooling_charge_pepm"])],
        ["Projected rate (pepm)", usd(s["projected_pepm"])],
    ]
    factors = report["aggregate_attachment_factors"] or {}
    tier_rows = [
        [t, usd(v), usd(report["funding_rates"][t]), usd(report["cobra_rates"][t]),
         usd(factors.get(t)), _pct(report["funding_increase"].get(t))]
        for t, v in report["expected_claims"].items()
    ]  # fmt: skip
    lt = report["leveraged_trend"]
    leverage = (
        f"<p>Claims above the specific deductible {usd(lt['deductible'])} trend by "
        f"{_pct(lt['experience_layer_trend'])} on a ground-up trend of {_pct(lt['ground_up_trend'])} "
        "(this year's claimants, trended): the excess layer trends faster than the total. Under the "
        f"claimant model's claim-cost law: {_pct(lt.get('model_layer_trend'))}.</p>"
        if lt is not None
        else "<p>No specific stop-loss.</p>"
    )
    flags = "".join(f"<li>{esc(f)}</li>" for f in report["flags"]) or "<li>none</li>"
    e = report["exposure"]
    cards = [
        card("Expected claims next year", usd(report["expected_annual"])),
        card("Projected rate (pepm)", usd(s["projected_pepm"])),
        card("Credibility", s["credibility"]),
        card("Flags", str(len(report["flags"]))),
    ]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(report["ruleset"])}: renewal</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>{esc(report["ruleset"])}: renewal</h1>
<p class="sub">Experience: {e["employee_months"]:,} employee-months, {e["member_years"]} member-years;
next year's plan: {esc(report["next_ruleset"] or "as this year")}.</p>
<div class="cards">{"".join(cards)}</div>
<h2>Experience by coverage line</h2>
{table(["Line", "Incurred", "Completed", "Pooled excess", "Pooled", "Trend factor", "Trended"], line_rows)}
<h2>From experience to the projected rate</h2>
{table(["Step", "Figure"], step_rows)}
<h2>Next year by tier (per employee per month)</h2>
{table(TIER_HEAD, tier_rows)}
<h2>Specific stop-loss: leveraged trend</h2>
{leverage}
<h2>Flags</h2>
<ul>{flags}</ul>
<p class="note">Method and assumptions: docs/renewal.md.</p>
</body></html>
"""
