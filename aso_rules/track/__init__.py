"""In-year tracking of a plan year: what is incurred (paid + IBNR), where the year ends, and the
employer's position (docs/tracking.md).

``track(source, as_of=..., ruleset=None, enrollment=None)``: ``source`` is a ledger URL (a SQLite
file or ``postgresql://``; its ruleset and enrollment are the stored ones) or a folder holding
``ledger.csv``/``ledger.parquet`` from ``aso settle --out`` or ``aso ledger export`` (then
``ruleset`` and ``enrollment`` are required). Returns a ``Tracking`` (``summary``: the track.json
dict; ``write(out_dir)``: track.json and dashboard.html).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from aso_rules.model import Ruleset
from aso_rules.track.blend import GroupIBNR, group_ibnr
from aso_rules.track.experience import Experience, TrackError, experience
from aso_rules.track.position import Position, position
from aso_rules.track.projection import DEFAULT_SIMULATIONS, Projection, project

__all__ = ["TrackError", "Tracking", "track", "track_table"]


@attrs.frozen(eq=False)
class Tracking:
    experience: Experience
    groups: tuple[GroupIBNR, ...]
    projection: Projection
    position: Position
    summary: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(self.summary, indent=2) + "\n"

    def write(self, out_dir: str | Path, plotly: str = "inline") -> tuple[Path, Path]:
        """track.json and dashboard.html in ``out_dir`` (created)."""
        from aso_rules.track.dashboard import render

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        js = out / "track.json"
        js.write_text(self.to_json(), encoding="utf-8")
        html = out / "dashboard.html"
        html.write_text(render(self, plotly=plotly), encoding="utf-8")
        return js, html


def _claimant_cv(ruleset: Ruleset, exp: Experience) -> tuple[float | None, float]:
    """The claimant plan-paid cost's CV capped at the lowest specific deductible, and the gross/net
    ratio ``E[Y] / E[min(Y, SD)]`` (1 without a claimant model or a specific tier)."""
    import numpy as np

    from aso_rules.price.quote import claimant_model
    from aso_rules.price.severity import PricingError

    try:
        y, _count = claimant_model(ruleset, exp.enrollment)
    except PricingError:
        return None, 1.0
    cap = float(min(t.deductible for t in ruleset.specific)) if ruleset.specific else float("inf")
    top = cap if np.isfinite(cap) else float(y.mean) * 200
    k = np.linspace(0.0, top, 8193)
    sf = 1.0 - y.cdf(k)
    vals = 2 * k * sf
    m2 = float(np.sum((vals[1:] + vals[:-1]) / 2 * np.diff(k)))
    m1 = float(y.lev(np.array(cap))) if np.isfinite(cap) else float(y.mean)
    cv = float(np.sqrt(max(m2 - m1 * m1, 0.0)) / m1) if m1 > 0 else None
    ratio = float(y.mean) / m1 if m1 > 0 else 1.0
    return cv, ratio


def seasonal_factors(ruleset: Ruleset) -> tuple[float, ...]:
    """The assumptions' ``seasonality`` scaled to average 1 over the plan months (``()``: flat)."""
    stated = ruleset.assumptions.seasonality if ruleset.assumptions is not None else None
    if not stated:
        return ()
    mean = sum(stated, Decimal(0)) / len(stated)
    return tuple(float(f / mean) for f in stated)


def track_table(
    ruleset: Ruleset,
    members: Any,
    ledger: Any,
    *,
    as_of: date,
    simulations: int = DEFAULT_SIMULATIONS,
    seed: int = 1,
) -> Tracking:
    """Track from a ruleset, its members and a ledger table (``Settlement.ledger``)."""
    from aso_rules.track import report

    if simulations < 100:
        raise TrackError("simulations must be at least 100")
    exp = experience(ruleset, list(members), ledger, as_of)
    cv, gross_ratio = _claimant_cv(ruleset, exp)
    assumptions = ruleset.assumptions
    if assumptions is not None and assumptions.claims_basis == "gross":
        gross_ratio = 1.0
    eligible_lines = tuple(n for n in exp.eligible_lines if n in exp.lines) or exp.eligible_lines
    manual = None
    if exp.expected_by_month is not None:
        manual = tuple(float(v) * 100 * gross_ratio for v in exp.expected_by_month)
    groups: list[GroupIBNR] = [
        group_ibnr(
            exp,
            "+".join(eligible_lines),
            eligible_lines,
            manual_by_month=manual,
            claimant_cv=cv,
            season=seasonal_factors(ruleset),
        )
    ]
    eligible = groups[0]
    for name in exp.lines:
        if name not in eligible_lines:
            groups.append(group_ibnr(exp, name, (name,)))
    proj = project(exp, tuple(groups), eligible, simulations=simulations, seed=seed)
    pos = position(exp, proj)
    return Tracking(
        experience=exp,
        groups=tuple(groups),
        projection=proj,
        position=pos,
        summary=report.summary(exp, groups, proj, pos),
    )


def track(
    source: str | Path,
    *,
    as_of: date | str,
    ruleset: str | Path | Ruleset | None = None,
    enrollment: Any = None,
    simulations: int = DEFAULT_SIMULATIONS,
    seed: int = 1,
) -> Tracking:
    """Track a ledger (URL) or a settled folder (with ``ruleset`` and ``enrollment``) as of a date."""
    from aso_rules.track import sources

    day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    if Path(str(source)).is_dir():
        if ruleset is None or enrollment is None:
            raise TrackError(f"{source}: a settled folder needs the ruleset and the enrollment")
        rs, members, table, _rejects = sources.from_folder(source, ruleset, enrollment)
    else:
        rs, members, table, _rejects = sources.from_ledger(str(source))
    return track_table(rs, members, table, as_of=day, simulations=simulations, seed=seed)
