"""The monthly statement as one self-contained HTML page (no scripts, no network, system fonts),
in the pricing report's style (``aso_rules.report_style``)."""

from __future__ import annotations

from typing import Any

from aso_rules.report_style import CSS, card, esc, table, usd

__all__ = ["statement_html"]


def statement_html(doc: dict[str, Any]) -> str:
    cost = doc["employer_cost"]
    spec = doc["specific_reimbursement_due"]
    cards = "".join(
        [
            card("claims paid this month", usd(doc["claims_paid"]["plan_paid"])),
            card("fees billed", usd(doc["fees_total"])),
            card("stop-loss premium", usd(doc["stop_loss_premium"])),
            card("specific reimbursement due", usd(spec["total"])),
            card("employer cost this month", usd(cost["month"])),
            card("employer cost year to date", usd(cost["year_to_date"])),
        ]
    )
    by_line = table(
        ["line of coverage", "lines", "allowed", "member paid", "plan paid"],
        [
            [k, str(v["lines"]), usd(v["allowed"]), usd(v["member_paid"]), usd(v["plan_paid"])]
            for k, v in doc["claims_paid"]["by_line"].items()
        ],
    )
    fees = table(["fee or premium", "billed"], [[k, usd(v)] for k, v in doc["fees"].items()])
    claimants = [
        [
            t["name"],
            c["member_id"],
            usd(c["eligible_paid_to_date"]),
            usd(c["deductible"]),
            usd(c["due_this_month"]),
            "yes" if c["crossed_this_month"] else "",
        ]
        for t in spec["tiers"]
        for c in t["claimants"]
    ]
    specific = (
        table(
            ["tier", "claimant", "eligible to date", "deductible", "due this month", "crossed this month"],
            claimants,
        )
        if claimants
        else '<p class="note">No specific reimbursement is due this month.</p>'
    )
    agg = doc["aggregate"]
    aggregate = (
        table(
            ["aggregate", "amount"],
            [
                ["eligible claims to date", usd(agg["eligible_claims_to_date"])],
                ["attachment to date", usd(agg["attachment_to_date"])],
                ["annual attachment point", usd(agg["attachment_point"])],
                ["accommodation this month", usd(agg["accommodation_this_month"])],
            ],
        )
        if agg is not None
        else '<p class="note">The plan has no aggregate stop-loss.</p>'
    )
    comparison = table(
        ["employer cost", "this month", "year to date"],
        [
            ["actual", usd(cost["month"]), usd(cost["year_to_date"])],
            ["funding level", usd(cost["funding_month"]), usd(cost["funding_year_to_date"])],
            [
                "fully insured premium",
                usd(cost["fully_insured_month"]),
                usd(cost["fully_insured_year_to_date"]),
            ],
        ],
    )
    title = f"{doc['ruleset']}: settlement statement {doc['month']}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        f'<p class="sub">Claims paid {esc(doc["period"]["start"])} to {esc(doc["period"]["end"])}</p>'
        f'<div class="cards">{cards}</div>'
        f"<h2>Claims paid by line of coverage</h2>{by_line}"
        f"<h2>Fees and stop-loss premium billed</h2>{fees}"
        f"<h2>Specific stop-loss</h2>{specific}"
        f"<h2>Aggregate position</h2>{aggregate}"
        f"<h2>Employer cost</h2>{comparison}"
        '<p class="note">n/a: the ruleset states no assumptions for that comparison.</p>'
        "</body></html>\n"
    )
