"""The pricing report: one self-contained HTML page an actuary can hand to a CFO.

On entry: a ``Quote`` (read through ``QuoteView``, so this module does not import ``price.quote``).
On exit: an HTML string with the headline figures, the employer cost distribution (expected cost,
maximum liability and fully insured premium marked), the breakdown of expected cost, funding rates
per tier and the assumptions used, in the house style (``report_style``). plotly.js is inlined by
default (``include_plotlyjs=True``): the page loads nothing from the network and uses system fonts
only; ``plotly="cdn"`` (``aso price --plotly cdn``) loads it from plotly's CDN instead, for a small page.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from aso_rules.extras import MissingExtra

try:
    import plotly.graph_objects as go
    import plotly.io as pio
except ImportError as exc:  # pragma: no cover - exercised by the install tests in a subprocess
    raise MissingExtra("report", "plotly") from exc

from aso_rules import model
from aso_rules.report_style import CSS as _CSS
from aso_rules.report_style import card as _card
from aso_rules.report_style import esc as _esc
from aso_rules.report_style import table as _table
from aso_rules.report_style import usd as _usd


class QuoteView(Protocol):
    """What the report reads of a ``price.quote.Quote`` (named here so this module needs no import of it)."""

    @property
    def summary(self) -> dict[str, Any]: ...
    @property
    def ruleset(self) -> model.Ruleset: ...
    @property
    def cost_grid(self) -> np.ndarray: ...
    @property
    def cost_probs(self) -> np.ndarray: ...


def cost_figure(quote: QuoteView) -> go.Figure:
    """The employer cost distribution as a histogram of probabilities, with the key levels marked."""
    s = quote.summary
    cost, probs = quote.cost_grid, quote.cost_probs
    cum = np.cumsum(probs)
    lo = cost[min(int(np.searchsorted(cum, 1e-4)), len(cost) - 1)]
    hi = cost[min(int(np.searchsorted(cum, 1 - 1e-4)), len(cost) - 1)]
    marks: list[tuple[str, float, str]] = [
        ("Expected cost", float(s["employer_cost"]["expected"]), "#1f77b4")
    ]
    if s["maximum_liability"] is not None:
        marks.append(("Maximum liability", float(s["maximum_liability"]), "#d62728"))
    if s["fully_insured"] is not None:
        marks.append(("Fully insured premium", float(s["fully_insured"]["premium"]), "#2ca02c"))
    right = max([hi] + [m[1] for m in marks]) * 1.02
    left = min([lo] + [m[1] for m in marks]) * 0.98
    edges = np.linspace(left, right, 81)
    hist, _ = np.histogram(cost, bins=edges, weights=probs)
    centres = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure(
        go.Bar(
            x=centres, y=hist, width=float(edges[1] - edges[0]), marker_color="#9ab6d3", name="probability"
        )
    )
    for i, (label, value, colour) in enumerate(marks):
        fig.add_vline(x=value, line_color=colour, line_width=2, line_dash="dash")
        fig.add_annotation(
            x=value, y=1 - 0.14 * i, yref="paper", text=f"{label}<br>{_usd(value)}", showarrow=False,
            xanchor="right" if i else "left", yanchor="top", font={"color": colour},
            bgcolor="rgba(255,255,255,0.85)",
        )  # fmt: skip
    fig.update_layout(
        title="Employer cost for the plan year: distribution",
        xaxis_title="employer cost (USD)",
        yaxis_title="probability",
        bargap=0,
        showlegend=False,
        template="plotly_white",
        font={"family": "system-ui, Arial, sans-serif"},
        height=430,
        margin={"t": 60, "l": 60, "r": 30, "b": 50},
    )
    return fig


def breakdown_figure(parts: list[tuple[str, float]]) -> go.Figure:
    """Expected cost split into retained claims, stop-loss premiums and admin fees."""
    fig = go.Figure(
        go.Bar(
            x=[p[1] for p in parts], y=[p[0] for p in parts], orientation="h",
            marker_color=["#1f77b4", "#ff7f0e", "#7f7f7f"][: len(parts)],
            text=[_usd(round(p[1], 2)) for p in parts], textposition="auto",
        )
    )  # fmt: skip
    fig.update_layout(
        title="Where the expected cost goes",
        template="plotly_white",
        font={"family": "system-ui, Arial, sans-serif"},
        height=260,
        margin={"t": 50, "l": 170, "r": 30, "b": 40},
    )
    return fig


def _assumption_rows(ruleset: model.Ruleset, summary: dict[str, Any]) -> list[list[str]]:
    a = ruleset.assumptions
    rows: list[list[str]] = []
    if a is None:
        return rows
    cost = a.claimant_cost
    if isinstance(cost, model.Lognormal):
        law = f"lognormal, mean {_usd(cost.mean)}, cv {cost.cv}"
    elif isinstance(cost, model.Gamma):
        law = f"gamma, mean {_usd(cost.mean)}, cv {cost.cv}"
    elif isinstance(cost, model.Pareto):
        law = f"pareto, alpha {cost.alpha}, scale {_usd(cost.scale)}"
    elif isinstance(cost, model.ContinuanceTable):
        law = f'continuance table "{cost.path}"' + (f' named "{cost.name}"' if cost.name else "")
    else:
        law = "none"
    count = a.claim_count
    count_text = (
        f"negative binomial, dispersion {count.dispersion}"
        if isinstance(count, model.NegativeBinomial)
        else "Poisson"
    )
    cm = summary["claimant_model"]
    rows.append(
        ["Share of members with claims", f"{a.claimants_pct * 100:.1f}%" if a.claimants_pct else "100%"]
    )
    rows.append(["Claim cost per claimant (allowed)", law])
    rows.append(["Number of claimants", f"{count_text}, mean {cm['expected_claimants']:,.1f}"])
    rows.append(["Plan-paid share (actuarial value)", f"{cm['actuarial_value'] * 100:.2f}%"])
    rows.append(["Funding margin", f"{a.funding_margin * 100:.1f}%"])
    for t in ruleset.specific:
        mx = f", maximum {_usd(t.maximum)}" if t.maximum is not None else ""
        asd = f", aggregating deductible {_usd(t.aggregating_deductible)}" if t.aggregating_deductible else ""
        rows.append([f"Specific stop-loss: {t.name}", f"deductible {_usd(t.deductible)}{asd}{mx}"])
    if ruleset.aggregate is not None:
        g = ruleset.aggregate
        mx = f", maximum {_usd(g.maximum)}" if g.maximum is not None else ""
        rows.append(
            [
                f"Aggregate stop-loss: {g.name}",
                f"attachment {_usd(summary['aggregate_attachment_point'])}{mx}",
            ]
        )
    m = summary["method"]
    rows.append(["Method", f"FFT on {m['grid_points']:,} points (span {_usd(m['span'])}); Monte Carlo check "
                 f"{m['simulations']:,} years, seed {m['seed']}"])  # fmt: skip
    return rows


PLOTLY = ("inline", "cdn")  # plotly.js in the page (about 4.8 MB, works offline) or from plotly's CDN


def render_report(quote: QuoteView, plotly: str = "inline") -> str:
    """The full HTML page: self-contained with ``plotly="inline"``; about 25 kB with ``"cdn"``,
    which loads plotly.js from its CDN when the page is opened."""
    s = quote.summary
    rs = quote.ruleset
    ec = s["employer_cost"]
    cards = [
        _card("Expected employer cost", _usd(ec["expected"])),
        _card("95th percentile cost", _usd(ec["p95"])),
        _card("Maximum liability", _usd(s["maximum_liability"])),
        _card("Expected claims (funded)", _usd(s["expected_claims"])),
        _card("Fixed costs", _usd(s["fixed_costs"]["total"])),
    ]
    if s["fully_insured"] is not None:
        fi = s["fully_insured"]
        cards.append(_card("Fully insured premium", _usd(fi["premium"])))
        cards.append(_card("Expected savings vs fully insured", _usd(fi["expected_savings"])))
        cards.append(_card("Chance ASO costs more", f"{fi['probability_aso_costs_more'] * 100:.2f}%"))
    fixed = s["fixed_costs"]
    retained = float(ec["expected"]) - float(fixed["total"])
    parts = [
        ("Claims retained", retained),
        ("Stop-loss premiums", float(fixed["stop_loss_premium"])),
        ("Administration fees", float(fixed["fees"])),
    ]
    chart = pio.to_html(
        cost_figure(quote),
        include_plotlyjs=True if plotly == "inline" else "cdn",
        full_html=False,
        config={"displaylogo": False},
    )
    chart2 = pio.to_html(breakdown_figure(parts), include_plotlyjs=False, full_html=False)
    funding = s["funding"]
    tier_rows = [
        [
            f"{t.code} ({t.label})" if t.label and t.label != t.code else t.code,
            _usd(funding["expected_pepm"][t.code]),
            _usd(funding["fixed_pepm"][t.code]),
            _usd(s["funding_rates"][t.code]),
            _usd(funding["cobra_rates"][t.code]),
        ]
        for t in rs.tiers
    ]
    pct_rows = [[k, _usd(v)] for k, v in ec.items()]
    spec_rows = [
        [t["name"], _usd(t["deductible"]), _usd(t["expected_reimbursement"]),
         f"{t['expected_claimants_over_deductible']:.3f}", _usd(t["premium"])]
        for t in s["specific"]["tiers"]
    ]  # fmt: skip
    agg = s["aggregate"]
    agg_text = (
        f"<p>Attachment point {_usd(s['aggregate_attachment_point'])}; probability of reaching it "
        f"{agg['probability_of_attachment'] * 100:.3f}%; "
        f"expected reimbursement {_usd(agg['expected_reimbursement'])}; "
        f"premium {_usd(agg['premium'])}.</p>"
        if agg is not None
        else "<p>No aggregate stop-loss.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_esc(rs.name)}: pricing</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body>
<h1>{_esc(rs.name)}: self-funded pricing</h1>
<p class="sub">Plan year {rs.plan_year.start} to {rs.plan_year.end}; {s["employees"]:,} employees,
{s["members"]:,} members ({s["employee_months"]:,} employee-months).</p>
<div class="cards">{"".join(cards)}</div>
<h2>Employer cost distribution</h2>
{chart}
<p class="note">Employer cost = fixed costs + eligible claims capped per claimant at the specific deductible,
up to the aggregate attachment point (+ any amount above the aggregate maximum). The maximum liability is
the attachment point plus fixed costs: a ceiling only under the conditions stated in docs/pricing.md.</p>
{_table(["Percentile", "Employer cost"], pct_rows)}
<h2>Breakdown of expected cost</h2>
{chart2}
<h2>Funding rates per tier (per employee per month)</h2>
{_table(["Tier", "Expected claims", "Fixed costs", "Funding rate", "COBRA (102%)"], tier_rows)}
<p class="note">Annual funding {_usd(funding["funding_annual"])}; rounding residual of tier rates
{_usd(funding["rounding_residual"])} (reported, not spread).</p>
<h2>Stop-loss</h2>
{_table(["Specific tier", "Deductible", "Expected reimbursement", "Over deductible", "Premium"], spec_rows)}
{agg_text}
<h2>Assumptions used</h2>
{_table(["Assumption", "Value"], _assumption_rows(rs, s), "text")}
</body></html>
"""
