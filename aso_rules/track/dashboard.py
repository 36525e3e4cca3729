"""dashboard.html: the tracking figures for the employer, in the pricing report's style.

One page (plotly.js inlined by default, nothing fetched; ``plotly="cdn"`` loads it from its CDN):
headline cards, plan paid by paid month against expected with the cumulative lines, the lag
triangle of the stop-loss lines as a heat map, the projection fan (paid to date, then the projected
months with the 5-95% band of the year), the aggregate attachment gauge and the high-claimant table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aso_rules.extras import MissingExtra

try:
    import plotly.graph_objects as go
    import plotly.io as pio
except ImportError as exc:  # pragma: no cover - exercised by the install tests in a subprocess
    raise MissingExtra("report", "plotly") from exc

from aso_rules.report_style import CSS, card, esc, table, usd

if TYPE_CHECKING:
    from aso_rules.track import Tracking


def months_figure(s: dict[str, Any]) -> go.Figure:
    months = [m["month"] for m in s["months"]]
    fig = go.Figure()
    fig.add_bar(x=months, y=[float(m["paid"]) for m in s["months"]], name="Plan paid (paid month)")
    if all(m["expected"] is not None for m in s["months"]):
        fig.add_bar(x=months, y=[float(m["expected"]) for m in s["months"]], name="Expected claims")
        fig.add_scatter(
            x=months, y=[float(m["cumulative_expected"]) for m in s["months"]], name="Cumulative expected",
            yaxis="y2", line={"dash": "dash"},
        )  # fmt: skip
    fig.add_scatter(
        x=months, y=[float(m["cumulative_paid"]) for m in s["months"]], name="Cumulative paid", yaxis="y2"
    )
    fig.update_layout(
        barmode="group", height=380, margin={"t": 20}, yaxis={"title": "per month ($)"},
        yaxis2={"title": "cumulative ($)", "overlaying": "y", "side": "right"}, legend={"orientation": "h"},
    )  # fmt: skip
    return fig


def triangle_figure(group: dict[str, Any]) -> go.Figure:
    tri = group["triangle"]
    n = len(tri)
    z = [[float(row[j]) if j < len(row) else None for j in range(n)] for row in tri]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[f"lag {j}" for j in range(n)], y=group["incurred_months"], colorscale="Blues",
            colorbar={"title": "$"}, hoverongaps=False,
        )
    )  # fmt: skip
    fig.update_layout(height=360, margin={"t": 20}, yaxis={"autorange": "reversed", "title": "incurred"})
    return fig


def fan_figure(s: dict[str, Any]) -> go.Figure:
    p = s["projection"]
    band = p["incurred_plan_paid"]
    incurred = [(m["incurred"], float(m["ultimate"])) for m in s["ibnr"]["by_month"]]
    rest = [(m["month"], float(m["expected"])) for m in p["remaining_by_month"]]
    x = [m for m, _ in incurred + rest]
    cum: list[float] = []
    total = 0.0
    for _, v in incurred + rest:
        total += v
        cum.append(total)
    k = len(incurred)
    expected = float(band["expected"])
    lo_ratio = float(band["p05"]) / expected if expected else 1.0
    hi_ratio = float(band["p95"]) / expected if expected else 1.0
    # the band widens linearly from the evaluation month to the year's 5-95% range at year end
    lo, hi = [], []
    for i, c in enumerate(cum):
        w = 0.0 if i < k - 1 else (i - (k - 1)) / max(len(cum) - k, 1)
        lo.append(c * (1 + (lo_ratio - 1) * w))
        hi.append(c * (1 + (hi_ratio - 1) * w))
    fig = go.Figure()
    fig.add_scatter(x=x, y=hi, line={"width": 0}, showlegend=False, hoverinfo="skip")
    fig.add_scatter(
        x=x, y=lo, fill="tonexty", line={"width": 0}, name="5-95% band", fillcolor="rgba(31,119,180,0.2)"
    )
    fig.add_scatter(x=x[:k], y=cum[:k], name="Incurred to date (paid + IBNR)", line={"width": 3})
    fig.add_scatter(x=x[k - 1 :], y=cum[k - 1 :], name="Projected", line={"dash": "dash"})
    fig.update_layout(height=380, margin={"t": 20}, yaxis={"title": "cumulative incurred plan paid ($)"})
    return fig


def gauge_figure(agg: dict[str, Any]) -> go.Figure:
    a = float(agg["attachment_point"])
    chance = agg["probability_of_attachment"]
    lo, hi = float(agg["eligible_claims"]["p05"]), float(agg["eligible_claims"]["p95"])
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number+delta",
            value=float(agg["eligible_claims"]["expected"]),
            delta={"reference": a, "relative": True},
            number={"prefix": "$", "valueformat": ",.0f"},
            title={"text": f"Projected aggregate claims vs attachment (P(attach) {chance:.1%})"},
            gauge={
                "axis": {"range": [0, max(a * 1.25, float(agg["eligible_claims"]["p95"]))]},
                "threshold": {"line": {"color": "#c0392b", "width": 4}, "value": a},
                "steps": [{"range": [lo, hi], "color": "#d6e6f5"}],
            },
        )
    )  # fmt: skip
    fig.update_layout(height=300, margin={"t": 60})
    return fig


def render(tracking: Tracking, plotly: str = "inline") -> str:
    s = tracking.summary
    p = s["projection"]["incurred_plan_paid"]
    pos = s["position"]
    cards = [
        card("Paid to date", usd(s["projection"]["paid_to_date"])),
        card("IBNR (± s.e.)", f"{usd(s['ibnr']['plan_paid'])} ± {usd(s['ibnr']['standard_error'])}"),
        card("Projected year (incurred)", usd(p["expected"])),
        card("5-95% band", f"{usd(p['p05'])} to {usd(p['p95'])}"),
        card("Projected employer cost", usd(pos["employer_cost"]["expected"])),
    ]
    if pos["fully_insured"] is not None:
        fi = pos["fully_insured"]
        cards.append(card("Surplus vs fully insured", usd(fi["surplus"]["expected"])))
        cards.append(card("Chance ASO costs more", f"{fi['probability_aso_costs_more'] * 100:.1f}%"))
    first = True

    def chart(fig: go.Figure) -> str:
        nonlocal first
        js: bool | str = (True if plotly == "inline" else "cdn") if first else False
        first = False
        return str(pio.to_html(fig, include_plotlyjs=js, full_html=False, config={"displaylogo": False}))

    gauge = (
        chart(gauge_figure(pos["aggregate"]))
        if pos["aggregate"] is not None
        else "<p>No aggregate stop-loss.</p>"
    )
    claimants = [
        [c["member_id"], usd(c["paid"]), usd(c["specific_deductible"]),
         "n/a" if c["share_of_deductible"] is None else f"{c['share_of_deductible'] * 100:.1f}%",
         usd(c["laser"]) if c["lasered"] else ""]
        for c in pos["high_claimants"]
    ]  # fmt: skip
    group = s["groups"][0]
    cred = group["credibility"]
    rs = tracking.experience.ruleset
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(rs.name)}: tracking as of {s["as_of"]}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>{esc(rs.name)}: the plan year as of {s["as_of"]}</h1>
<p class="sub">Plan year {rs.plan_year.start} to {rs.plan_year.end};
{s["months_observed"]} months observed.</p>
<div class="cards">{"".join(cards)}</div>
<h2>Plan paid by month against expected</h2>
{chart(months_figure(s))}
<h2>Lag triangle: {esc(group["name"])} (plan paid by incurred month and months of lag)</h2>
{chart(triangle_figure(group))}
<p class="note">Completion factors {", ".join(f"{c:.1%}" for c in group["completion"])};
credibility Z = {cred["z"]:.3f} ({esc(cred["standard"])}); projected PMPM {usd(cred["projected_pmpm"])}.</p>
<h2>Projection of the year</h2>
{chart(fan_figure(s))}
<h2>Aggregate stop-loss</h2>
{gauge}
<h2>Largest claimants to date</h2>
{table(["Member", "Paid to date", "Specific deductible", "Share reached", "Laser"], claimants)}
<p class="note">Method and assumptions: docs/tracking.md.
Figures from {s["method"]["simulations"]:,} simulated years (seed {s["method"]["seed"]}).</p>
</body></html>
"""
