"""Stop-loss filings: what an employer sends its carrier to claim a reimbursement.

On entry: a reference-engine ``Settlement`` (re-adjudicated, or on adjudicated claims). On exit:

* a **specific filing** per tier and claimant whose eligible paid claims are over the claimant's
  deductible or within ``NEAR`` (10%) of it (a notice a carrier asks for before the deductible is
  reached): the claimant, the contract window, eligible paid claims by paid month, the deductible
  (and the laser, when one applies), the aggregating specific deductible absorbed, the
  reimbursement requested, and its supporting lines;
* **advance-funding requests** when a specific tier has ``advance_funding on``
  (``aso_rules.settle.advance``): per claimant, the lines adjudicated but not yet paid inside the
  contract window, the plan paid awaiting funding and the amount requested (``None`` when no tier
  funds in advance);
* an **aggregate filing** when the ruleset has an aggregate contract: eligible claims and the
  attachment by plan month (cumulative), the attachment point, the reimbursement requested (the
  final settlement after any monthly accommodation).

``write_filings`` writes ``filings.json``, one ``specific-<tier>-<claimant>.csv`` of supporting
lines per specific filing, one ``advance-<tier>-<claimant>.csv`` per advance-funding request,
``aggregate.csv`` (by month) and ``filings.html`` (a self-contained summary) to a folder.
Money is text with two decimals, as in summary.json.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from aso_rules.money import ZERO, Money
from aso_rules.settle import Settlement
from aso_rules.settle.advance import AdvanceRequest, advance_requests, awaiting_lines
from aso_rules.settle.results import LineResult
from aso_rules.settle.stoploss import AggregateResult, claimant_of
from aso_rules.settle.windows import Window

NEAR = Decimal("0.10")  # a claimant within 10% of the deductible gets a filing (a notice)
LINE_COLUMNS = (
    "claim_id",
    "member_id",
    "line",
    "category",
    "incurred",
    "paid",
    "plan_paid",
    "eligible",
    "reimbursed",
)


def _m(value: Money) -> str:
    return f"{value:.2f}"


def _window(w: Window) -> dict[str, str | None]:
    return {
        "incurred_from": w.incurred_from.isoformat() if w.incurred_from else None,
        "incurred_to": w.incurred_to.isoformat(),
        "paid_from": w.paid_from.isoformat(),
        "paid_to": w.paid_to.isoformat(),
    }


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def specific_filings(s: Settlement) -> list[dict[str, Any]]:
    """One filing per tier and claimant over, or within 10% of, the claimant's deductible."""
    key = s.ruleset.settings.specific_claimant_key
    out: list[dict[str, Any]] = []
    lines_of: dict[str, list[int]] = {}
    for i, r in enumerate(s.lines):
        lines_of.setdefault(claimant_of(r, key), []).append(i)
    for tier, result in zip(s.ruleset.specific, s.specific, strict=True):
        for claimant, c in result.claimants.items():
            if c.deductible is None or c.eligible_paid < c.deductible * (1 - NEAR):
                continue
            idx = sorted(
                (i for i in lines_of.get(claimant, []) if result.line_eligible[i]),
                key=lambda i: (s.lines[i].claim.paid, s.lines[i].claim.claim_id),
            )
            by_month: dict[str, Money] = {}
            for i in idx:
                month = _month(s.lines[i].claim.paid)
                by_month[month] = by_month.get(month, ZERO) + s.lines[i].plan_paid
            laser = claimant in tier.lasers
            out.append(
                {
                    "kind": "specific",
                    "contract": result.name,
                    "claimant": claimant,
                    "status": "over_deductible" if c.eligible_paid > c.deductible else "near_deductible",
                    "window": _window(result.window),
                    "deductible": _m(c.deductible),
                    "laser": laser,
                    "standard_deductible": _m(tier.deductible),
                    "eligible_paid": _m(c.eligible_paid),
                    "eligible_paid_by_month": {k: _m(v) for k, v in sorted(by_month.items())},
                    "excess": _m(c.excess),
                    "asd_absorbed": _m(c.asd_absorbed),
                    "reimbursement_pct": str(tier.reimbursement_pct),
                    "maximum": None if tier.maximum is None else _m(tier.maximum),
                    "reimbursement_requested": _m(c.reimbursed),
                    "lines": [_line_row(s.lines[i], True, result.line_shares[i]) for i in idx],
                }
            )
    return out


def _line_row(r: LineResult, eligible: bool, share: Money) -> dict[str, str]:
    c = r.claim
    return {
        "claim_id": c.claim_id,
        "member_id": c.member_id,
        "line": c.line,
        "category": c.category,
        "incurred": c.incurred.isoformat(),
        "paid": c.paid.isoformat(),
        "plan_paid": _m(r.plan_paid),
        "eligible": "true" if eligible else "false",
        "reimbursed": _m(share),
    }


def advance_funding(s: Settlement) -> list[dict[str, Any]] | None:
    """The advance-funding requests of every tier with ``advance_funding on`` (``None``: none has it)."""
    if not any(t.advance_funding for t in s.ruleset.specific):
        return None
    requests: list[AdvanceRequest] = []
    for tier, result in zip(s.ruleset.specific, s.specific, strict=True):
        pending = [(r.claim.row, r) for r in awaiting_lines(s.ruleset, tier, s.lines, s.members)]
        requests += advance_requests(s.ruleset, tier, result.claimants, pending, {})
    return advance_section(s.ruleset, requests)


def advance_section(ruleset: Any, requests: Sequence[AdvanceRequest]) -> list[dict[str, Any]]:
    """filings.json's ``advance_funding`` list."""
    tiers = {t.name: t for t in ruleset.specific}
    return [
        {
            "kind": "advance_funding",
            "contract": q.contract,
            "claimant": q.claimant,
            "window": _window(q.window),
            "deductible": _m(q.deductible),
            "laser": q.claimant in tiers[q.contract].lasers,
            "eligible_paid": _m(q.eligible_paid),
            "awaiting_funding": _m(q.awaiting),
            "advance_minimum": _m(tiers[q.contract].advance_minimum),
            "amount_requested": _m(q.requested),
            "lines": [_line_row(r, True, share) for r, share in q.lines],
        }
        for q in requests
    ]


def aggregate_filing(s: Settlement) -> dict[str, Any] | None:
    """Eligible claims and attachment by plan month, and the reimbursement requested."""
    agg: AggregateResult | None = s.aggregate
    if agg is None:
        return None
    months = [m.month for m in s.months]
    by_month = [ZERO] * len(months)
    late = ZERO  # eligible claims paid after the last plan month (run-out)
    for r, ok, amount in zip(s.lines, agg.line_eligible, agg.line_contribution, strict=True):
        if not ok:
            continue
        k = _month_index(months, r.claim.paid)
        if k is None:
            late += amount
        else:
            by_month[k] += amount
    rows = []
    claims = attachment = ZERO
    for k, month in enumerate(months):
        claims += by_month[k]
        attachment += agg.attachment.monthly[k] if k < len(agg.attachment.monthly) else ZERO
        rows.append(
            {
                "month": _month(month),
                "eligible_claims": _m(by_month[k]),
                "eligible_claims_to_date": _m(claims),
                "attachment_to_date": _m(attachment),
                "accommodation": _m(agg.accommodation[k]) if agg.accommodation else "0.00",
            }
        )
    return {
        "kind": "aggregate",
        "contract": agg.name,
        "window": _window(agg.window),
        "attachment_point": _m(agg.attachment.point),
        "eligible_claims": _m(agg.eligible_claims),
        "eligible_claims_after_plan_year": _m(late),
        "by_month": rows,
        "reimbursed": _m(agg.reimbursed),
        "accommodation_paid": _m(sum(agg.accommodation, ZERO)),
        "reimbursement_requested": _m(agg.final_settlement),
    }


def _month_index(months: Sequence[date], day: date) -> int | None:
    """The plan month a paid date falls in; 0 before the plan year, ``None`` after it."""
    for k, month in enumerate(months):
        if (month.year, month.month) == (day.year, day.month):
            return k
    return 0 if months and day < months[0] else None


def filings(s: Settlement) -> dict[str, Any]:
    """All filings of a run: ``{"ruleset", "specific": [...], "aggregate": {...} | None}``."""
    return {
        "ruleset": s.summary["ruleset"],
        "specific": specific_filings(s),
        "advance_funding": advance_funding(s),
        "aggregate": aggregate_filing(s),
    }


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def write_filings(s: Settlement, out_dir: str | Path) -> list[Path]:
    """Write filings.json, the supporting-line CSVs, aggregate.csv and filings.html to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = filings(s)
    written: list[Path] = []
    for f in data["specific"]:
        path = out / f"specific-{_slug(f['contract'])}-{_slug(f['claimant'])}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=LINE_COLUMNS)
            writer.writeheader()
            writer.writerows(f["lines"])
        f["supporting_lines"] = path.name
        written.append(path)
    for f in data["advance_funding"] or ():
        path = out / f"advance-{_slug(f['contract'])}-{_slug(f['claimant'])}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=LINE_COLUMNS)
            writer.writeheader()
            writer.writerows(f["lines"])
        f["supporting_lines"] = path.name
        written.append(path)
    if data["aggregate"] is not None:
        path = out / "aggregate.csv"
        rows = data["aggregate"]["by_month"]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["month"])
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    summary = {**data, "specific": [{k: v for k, v in f.items() if k != "lines"} for f in data["specific"]]}
    if data["advance_funding"] is not None:
        summary["advance_funding"] = [
            {k: v for k, v in f.items() if k != "lines"} for f in data["advance_funding"]
        ]
    path = out / "filings.json"
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    path = out / "filings.html"
    path.write_text(filings_html(summary), encoding="utf-8")
    written.append(path)
    return written


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2937}"
    "table{border-collapse:collapse;margin:1rem 0}td,th{padding:.3rem .7rem;border-bottom:1px solid #e5e7eb}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f4f6;text-align:left}"
)


def filings_html(data: dict[str, Any]) -> str:
    """A self-contained HTML summary of the filings."""
    e = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Stop-loss filings: {e(data['ruleset'])}"
        f"</title><style>{_STYLE}</style></head><body><h1>Stop-loss filings</h1><p>{e(data['ruleset'])}</p>"
    ]
    parts.append("<h2>Specific</h2>")
    if data["specific"]:
        head = ("contract", "claimant", "status", "deductible", "eligible paid", "ASD absorbed", "requested")
        parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>")
        for f in data["specific"]:
            laser = " (laser)" if f["laser"] else ""
            cells = (e(f["contract"]), e(f["claimant"]), e(f["status"].replace("_", " ")))
            nums = (
                f["deductible"] + laser,
                f["eligible_paid"],
                f["asd_absorbed"],
                f["reimbursement_requested"],
            )
            parts.append(
                "<tr>"
                + "".join(f"<td>{c}</td>" for c in cells)
                + "".join(f"<td class='n'>{e(n)}</td>" for n in nums)
                + "</tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No claimant is over or within 10% of a specific deductible.</p>")
    if data.get("advance_funding") is not None:
        parts.append("<h2>Advance funding</h2>")
        if data["advance_funding"]:
            advance_head = (
                "contract",
                "claimant",
                "deductible",
                "eligible paid",
                "awaiting funding",
                "requested",
            )
            parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in advance_head) + "</tr>")
            for f in data["advance_funding"]:
                laser = " (laser)" if f["laser"] else ""
                nums = (
                    f["deductible"] + laser,
                    f["eligible_paid"],
                    f["awaiting_funding"],
                    f["amount_requested"],
                )
                parts.append(
                    f"<tr><td>{e(f['contract'])}</td><td>{e(f['claimant'])}</td>"
                    + "".join(f"<td class='n'>{e(n)}</td>" for n in nums)
                    + "</tr>"
                )
            parts.append("</table>")
        else:
            parts.append("<p>No claim awaiting funding takes a claimant over a specific deductible.</p>")
    agg = data["aggregate"]
    if agg is not None:
        parts.append(
            f"<h2>Aggregate: {e(agg['contract'])}</h2><p>Attachment point {e(agg['attachment_point'])}; "
            f"eligible claims {e(agg['eligible_claims'])}; reimbursement requested "
            f"{e(agg['reimbursement_requested'])}.</p>"
        )
        agg_head = ("month", "eligible claims", "to date", "attachment to date", "accommodation")
        parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in agg_head) + "</tr>")
        for row in agg["by_month"]:
            parts.append(
                f"<tr><td>{e(row['month'])}</td>"
                + "".join(
                    f"<td class='n'>{e(row[k])}</td>"
                    for k in (
                        "eligible_claims",
                        "eligible_claims_to_date",
                        "attachment_to_date",
                        "accommodation",
                    )
                )
                + "</tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)


__all__ = [
    "NEAR",
    "advance_funding",
    "advance_section",
    "aggregate_filing",
    "filings",
    "filings_html",
    "specific_filings",
    "write_filings",
]
