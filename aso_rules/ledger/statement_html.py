"""The monthly statement as one self-contained HTML page (no scripts, no network, system fonts),
in the pricing report's style (``aso_rules.price.report``)."""

from __future__ import annotations

from typing import Any

from aso_rules.price.report import _CSS, _card, _esc, _table, _usd

__all__ = ["statement_html"]


def statement_html(doc: dict[str, Any]) -> str:
    cost = doc["employer_cost"]
    spec = doc["specific_reimbursement_due"]
    cards = "".join(
        [
            _card("claims paid this month", _usd(doc["claims_paid"]["plan_paid"])),
            _card("fees billed", _usd(doc["fees_total"])),
            _card("stop-loss premium", _usd(doc["stop_loss_premium"])),
            _card("specific reimbursement due", _usd(spec["total"])),
            _card("employer cost this month", _usd(cost["month"])),
            _card("employer cost year to date", _usd(cost["year_to_date"])),
        ]
    )
    by_line = _table(
        ["line of coverage", "lines", "allowed", "member paid", "plan paid"],
        [
            [k, str(v["lines"]), _usd(v["allowed"]), _usd(v["member_paid"]), _usd(v["plan_paid"])]
            for k, v in doc["claims_paid"]["by_line"].items()
        ],
    )
    fees = _table(["fee or premium", "billed"], [[k, _usd(v)] for k, v in doc["fees"].items()])
    claimants = [
        [
            t["name"],
            c["member_id"],
            _usd(c["eligible_paid_to_date"]),
            _usd(c["deductible"]),
            _usd(c["due_this_month"]),
            "yes" if c["crossed_this_month"] else "",
        ]
        for t in spec["tiers"]
        for c in t["claimants"]
    ]
    specific = (
        _table(
            ["tier", "claimant", "eligible to date", "deductible", "due this month", "crossed this month"],
            claimants,
        )
        if claimants
        else '<p class="note">No specific reimbursement is due this month.</p>'
    )
    agg = doc["aggregate"]
    aggregate = (
        _table(
            ["aggregate", "amount"],
            [
                ["eligible claims to date", _usd(agg["eligible_claims_to_date"])],
                ["attachment to date", _usd(agg["attachment_to_date"])],
                ["annual attachment point", _usd(agg["attachment_point"])],
                ["accommodation this month", _usd(agg["accommodation_this_month"])],
            ],
        )
        if agg is not None
        else '<p class="note">The plan has no aggregate stop-loss.</p>'
    )
    comparison = _table(
        ["employer cost", "this month", "year to date"],
        [
            ["actual", _usd(cost["month"]), _usd(cost["year_to_date"])],
            ["funding level", _usd(cost["funding_month"]), _usd(cost["funding_year_to_date"])],
            [
                "fully insured premium",
                _usd(cost["fully_insured_month"]),
                _usd(cost["fully_insured_year_to_date"]),
            ],
        ],
    )
    title = f"{doc['ruleset']}: settlement statement {doc['month']}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_esc(title)}</h1>"
        f'<p class="sub">Claims paid {_esc(doc["period"]["start"])} to {_esc(doc["period"]["end"])}</p>'
        f'<div class="cards">{cards}</div>'
        f"<h2>Claims paid by line of coverage</h2>{by_line}"
        f"<h2>Fees and stop-loss premium billed</h2>{fees}"
        f"<h2>Specific stop-loss</h2>{specific}"
        f"<h2>Aggregate position</h2>{aggregate}"
        f"<h2>Employer cost</h2>{comparison}"
        '<p class="note">n/a: the ruleset states no assumptions for that comparison.</p>'
        "</body></html>\n"
    )
