"""The renewal exhibit: one self-contained HTML page an actuary hands the employer.

On entry: renew.json (the dict ``project.renew`` returns). On exit: an HTML string in the pricing
report's style (its stylesheet when the report extra is installed), with the headline figures, each
step from incurred claims to the projected rate, the tier rates, the leveraged trend and the flags.
No script and nothing loaded from the network.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

_FALLBACK_CSS = "body { font-family: system-ui, Arial, sans-serif; margin: 2rem auto; max-width: 1080px; }"


def _css() -> str:
    try:
        from aso_rules.price.report import _CSS
    except ImportError:  # the report extra (plotly) is missing: MissingExtra is an ImportError too
        return _FALLBACK_CSS
    return _CSS


def _esc(text: object) -> str:
    return html.escape(str(text))


def _usd(value: str | None) -> str:
    return "n/a" if value is None else f"${Decimal(value):,.2f}"


def _pct(value: str | None) -> str:
    return "n/a" if value is None else f"{Decimal(value) * 100:.2f}%"


def _table(head: list[str], rows: list[list[str]], css: str = "") -> str:
    h = "".join(f"<th>{_esc(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def _card(label: str, value: str) -> str:
    return f'<div class="card"><div class="v">{_esc(value)}</div><div class="l">{_esc(label)}</div></div>'


TIER_HEAD = ["Tier", "Expected claims", "Funding rate", "COBRA (102%)", "Aggregate factor", "Rate change"]


def render_exhibit(report: dict[str, Any]) -> str:
    """The exhibit's HTML page (see the module docstring)."""
    s = report["steps"]
    lines = report["lines"]
    line_rows = [
        [ln, _usd(s["incurred"][ln]), _usd(s["completed"][ln]), _usd(s["pooled_excess"][ln]),
         _usd(s["pooled"][ln]), s["trend_factor"][ln], _usd(s["trended"][ln])]
        for ln in lines
    ]  # fmt: skip
    step_rows = [
        ["Completion factor", s["completion"]],
        ["Pooling point", _usd(s["pooling_point"])],
        ["Months of trend", s["projection_months"]],
        ["Trended claims", _usd(s["trended_total"])],
        [f"Plan-design change ({s['plan_design_change']['source']})", s["plan_design_change"]["factor"]],
        ["Adjusted experience claims", _usd(s["adjusted"])],
        ["Experience rate (pepm)", _usd(s["experience_pepm"])],
        ["Manual rate (pepm)", _usd(s["manual_pepm"])],
        ["Credibility Z", s["credibility"]],
        ["Blended rate: Z x experience + (1 - Z) x manual", _usd(s["blended_pepm"])],
        ["Pooling charge (pepm)", _usd(s["pooling_charge_pepm"])],
        ["Projected rate (pepm)", _usd(s["projected_pepm"])],
    ]
    factors = report["aggregate_attachment_factors"] or {}
    tier_rows = [
        [t, _usd(v), _usd(report["funding_rates"][t]), _usd(report["cobra_rates"][t]),
         _usd(factors.get(t)), _pct(report["funding_increase"].get(t))]
        for t, v in report["expected_claims"].items()
    ]  # fmt: skip
    lt = report["leveraged_trend"]
    leverage = (
        f"<p>Claims above the specific deductible {_usd(lt['deductible'])} trend by "
        f"{_pct(lt['experience_layer_trend'])} on a ground-up trend of {_pct(lt['ground_up_trend'])} "
        "(this year's claimants, trended): the excess layer trends faster than the total. Under the "
        f"claimant model's claim-cost law: {_pct(lt.get('model_layer_trend'))}.</p>"
        if lt is not None
        else "<p>No specific stop-loss.</p>"
    )
    flags = "".join(f"<li>{_esc(f)}</li>" for f in report["flags"]) or "<li>none</li>"
    e = report["exposure"]
    cards = [
        _card("Expected claims next year", _usd(report["expected_annual"])),
        _card("Projected rate (pepm)", _usd(s["projected_pepm"])),
        _card("Credibility", s["credibility"]),
        _card("Flags", str(len(report["flags"]))),
    ]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_esc(report["ruleset"])}: renewal</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_css()}</style></head>
<body>
<h1>{_esc(report["ruleset"])}: renewal</h1>
<p class="sub">Experience: {e["employee_months"]:,} employee-months, {e["member_years"]} member-years;
next year's plan: {_esc(report["next_ruleset"] or "as this year")}.</p>
<div class="cards">{"".join(cards)}</div>
<h2>Experience by coverage line</h2>
{_table(["Line", "Incurred", "Completed", "Pooled excess", "Pooled", "Trend factor", "Trended"], line_rows)}
<h2>From experience to the projected rate</h2>
{_table(["Step", "Figure"], step_rows)}
<h2>Next year by tier (per employee per month)</h2>
{_table(TIER_HEAD, tier_rows)}
<h2>Specific stop-loss: leveraged trend</h2>
{leverage}
<h2>Flags</h2>
<ul>{flags}</ul>
<p class="note">Method and assumptions: docs/renewal.md.</p>
</body></html>
"""
