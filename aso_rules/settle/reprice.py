"""Repricing: billed becomes allowed (docs/semantics.md 3.2).

On entry: one claim line and the fee schedule of its coverage line (or ``None``). On exit: the
allowed amount and how it was found, or ``None`` with the reason the line is ``unpriced``.

Order: an ``allowed`` given on the claim is kept as is (pre-repriced, e.g. by a PBM); otherwise the
schedule's ``code`` amount x units, then its ``category`` amount x units (a per-day amount: units are
days), then the network's percentage of billed, rounded to cents in the ruleset's mode. With
``lesser_of_billed`` a schedule price above billed is cut to billed. An amount x units is an exact
cent value times a count, so only the percentage is a rounding point (docs/semantics.md 11, point 1).
"""

from __future__ import annotations

from decimal import Decimal

from aso_rules.data.records import ClaimRecord
from aso_rules.model import FeeSchedule
from aso_rules.money import Money, RoundingMode, round_money

GIVEN = "allowed given on the claim"
BY_CODE = "fee schedule code"
BY_CATEGORY = "fee schedule category"
BY_PERCENT = "percentage of billed"


def reprice(
    claim: ClaimRecord,
    schedule: FeeSchedule | None,
    *,
    lesser_of_billed: bool,
    mode: RoundingMode,
) -> tuple[Money | None, str]:
    """(allowed, method) for the line, or (None, "unpriced: ...") when no rate applies."""
    if claim.allowed is not None:
        return claim.allowed, GIVEN
    if schedule is None:
        return None, f"unpriced: no fee schedule for line {claim.line}"
    price: Decimal
    method: str
    code = claim.code
    if code is not None and code in schedule.codes:
        price, method = schedule.codes[code] * claim.units, BY_CODE
    elif claim.category in schedule.categories:
        price, method = schedule.categories[claim.category] * claim.units, BY_CATEGORY
    else:
        pct = schedule.out_of_network_pct if claim.network == "out" else schedule.in_network_pct
        if pct is None:
            what = f"code {code}" if code is not None else f"category {claim.category}"
            return (
                None,
                f"unpriced: no {claim.network}-network rate for {what} in fee schedule {schedule.line}",
            )
        price, method = round_money(claim.billed * pct, mode), BY_PERCENT
    if lesser_of_billed and price > claim.billed:
        return claim.billed, method + ", lesser of billed"
    return price, method
