"""How rulesets, settlements and quotes show in a notebook or a REPL, and as data frames.

``Ruleset``, every engine's settlement and ``Quote`` delegate here for a one-line ``repr`` (never the
whole ledger: the reference settlement's attrs repr ran to megabytes) and a ``_repr_html_`` that
Jupyter shows: the ruleset's parts, the settlement's summary table, the quote's key figures and the
report's cost chart. ``frame`` gives a settlement's ledger, rejects or enrollment rejects as a pandas
or polars frame whose money columns stay numeric and exact (Arrow ``decimal128(18, 2)``: pandas
``ArrowDtype``, polars ``Decimal``), never text or binary floats.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

TABLES = ("ledger", "rejects", "enrollment_rejects")


def _esc(value: object) -> str:
    return html.escape(str(value))


def _usd(value: Any) -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)):,.2f}"


def _table(rows: Iterable[tuple[str, str]], caption: str = "") -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{_esc(k)}</th><td style='text-align:right'>{_esc(v)}</td></tr>"
        for k, v in rows
    )
    head = f"<caption style='text-align:left;font-weight:bold'>{_esc(caption)}</caption>" if caption else ""
    return f"<table>{head}{body}</table>"


# --------------------------------------------------------------------------- ruleset


def _ruleset_parts(rs: Any) -> list[tuple[str, str]]:
    agg = rs.aggregate
    return [
        ("plan year", f"{rs.plan_year.start} to {rs.plan_year.end}"),
        ("tiers", ", ".join(t.code for t in rs.tiers)),
        ("coverage lines", ", ".join(rs.coverages) or "none"),
        ("specific stop-loss", ", ".join(s.name for s in rs.specific) or "none"),
        ("aggregate stop-loss", "yes" if agg is not None else "none"),
        ("fees", str(len(rs.fees))),
        ("pricing assumptions", "yes" if rs.assumptions is not None else "none"),
        ("tests", str(len(rs.tests))),
    ]


def ruleset_repr(rs: Any) -> str:
    lines = ", ".join(rs.coverages) or "no lines"
    return (
        f"<Ruleset {rs.name!r} {rs.plan_year.start}..{rs.plan_year.end}: {lines}; "
        f"{len(rs.specific)} specific, {'1' if rs.aggregate is not None else '0'} aggregate, "
        f"{len(rs.tests)} tests>"
    )


def ruleset_html(rs: Any) -> str:
    return _table(_ruleset_parts(rs), caption=f"Ruleset {rs.name}")


# --------------------------------------------------------------------------- settlement


def settlement_repr(s: Any) -> str:
    summary = s.summary
    counts = summary["counts"]
    return (
        f"<{type(s).__name__} {summary['ruleset']!r}: {counts['received']} lines received, "
        f"{counts['settled']} settled, {counts['rejected']} rejected; "
        f"employer cost {_usd(summary['employer_cost']['total'])}>"
    )


def _summary_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    counts = summary["counts"]
    rows = [
        ("claim lines received", f"{counts['received']:,}"),
        ("settled (paid / denied)", f"{counts['settled']:,} ({counts['paid']:,} / {counts['denied']:,})"),
        ("rejected", f"{counts['rejected']:,}"),
    ]
    rows += [(k.replace("_", " "), _usd(v)) for k, v in summary["totals"].items()]
    for tier in summary.get("specific_stop_loss") or []:
        rows.append((f"specific {tier['name']}", _usd(tier.get("reimbursed"))))
    agg = summary.get("aggregate_stop_loss")
    if agg:
        rows.append(("aggregate reimbursed", _usd(agg.get("reimbursed"))))
    rows.append(("fees", _usd(summary["fees"]["total"])))
    rows.append(("stop-loss premium", _usd(summary["stop_loss_premium"]["total"])))
    rows.append(("employer cost", _usd(summary["employer_cost"]["total"])))
    insured = summary.get("fully_insured")
    if insured:
        rows.append(("fully insured premium", _usd(insured.get("premium"))))
    return rows


def _by_line(summary: Mapping[str, Any]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("line", "lines", "allowed", "member paid", "plan paid"))
    body = "".join(
        f"<tr><th style='text-align:left'>{_esc(name)}</th><td>{v['claims']:,}</td>"
        f"<td>{_usd(v['allowed'])}</td><td>{_usd(v['member_paid'])}</td><td>{_usd(v['plan_paid'])}</td></tr>"
        for name, v in summary["by_line"].items()
    )
    return f"<table style='text-align:right'><tr>{head}</tr>{body}</table>"


def settlement_html(s: Any) -> str:
    summary = s.summary
    return (
        "<div>"
        + _table(_summary_rows(summary), caption=f"Settlement of {summary['ruleset']}")
        + _by_line(summary)
        + "</div>"
    )


def frame(s: Any, library: str, table: str = "ledger") -> Any:
    """``s.ledger`` (or ``rejects``/``enrollment_rejects``) as a ``library`` ("pandas"/"polars") frame."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r} (choose from {', '.join(TABLES)})")
    arrow = getattr(s, table)
    from aso_rules.extras import require

    if library == "polars":
        require("polars", "polars", what="to_polars()")
        import polars as pl

        return pl.from_arrow(arrow)
    require("pandas", "pandas", what="to_pandas()")
    import pandas as pd

    return arrow.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if _is_decimal(t) else None)


def _is_decimal(t: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_decimal(t))


class SettlementViews:
    """What every engine's settlement shows in a notebook, and its tables as frames (a mixin: the
    attrs class that uses it sets ``repr=False`` so this ``__repr__`` stands)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return settlement_repr(self)

    def _repr_html_(self) -> str:
        return settlement_html(self)

    def to_pandas(self, table: str = "ledger") -> Any:
        """The ledger (or ``"rejects"``, ``"enrollment_rejects"``) as a pandas DataFrame; money
        columns are exact decimals (``ArrowDtype(decimal128(18, 2))``): they sum to the cent."""
        return frame(self, "pandas", table)

    def to_polars(self, table: str = "ledger") -> Any:
        """The ledger (or another table, as ``to_pandas``) as a polars DataFrame (money: ``Decimal``)."""
        return frame(self, "polars", table)


# --------------------------------------------------------------------------- quote


def quote_repr(q: Any) -> str:
    s = q.summary
    return (
        f"<Quote {s['ruleset']!r}: {s['employees']} employees; expected employer cost "
        f"{_usd(s['employer_cost']['expected'])}, maximum liability {_usd(s['maximum_liability'])}>"
    )


def quote_html(q: Any, chart: bool = True) -> str:
    """The key figures and funding rates; with ``chart`` (and plotly installed) the report's cost
    chart, its script loaded from plotly's CDN so a notebook stays small."""
    s = q.summary
    ec = s["employer_cost"]
    rows = [
        ("expected claims", _usd(s["expected_claims"])),
        ("fixed costs", _usd(s["fixed_costs"]["total"])),
        ("expected employer cost", _usd(ec["expected"])),
        ("95th percentile", _usd(ec.get("p95"))),
        ("maximum liability", _usd(s["maximum_liability"])),
    ]
    if s.get("fully_insured"):
        rows.append(("fully insured premium", _usd(s["fully_insured"]["premium"])))
    rates = [(f"funding rate {tier}", _usd(v)) for tier, v in s["funding_rates"].items()]
    out = "<div>" + _table(rows, caption=f"Quote for {s['ruleset']}") + _table(rates) + "</div>"
    if chart:
        from aso_rules.extras import available

        if available("plotly"):
            import plotly.io as pio

            from aso_rules.price.report import cost_figure

            out += pio.to_html(cost_figure(q), include_plotlyjs="cdn", full_html=False)
    return out


__all__ = [
    "TABLES",
    "SettlementViews",
    "frame",
    "quote_html",
    "quote_repr",
    "ruleset_html",
    "ruleset_repr",
    "settlement_html",
    "settlement_repr",
]
