"""One claims basis for funding, the attachment, the stop-loss figures and the employer cost.

On entry: the ruleset's ``claims_basis`` (``net_of_specific``, the default: ``expected_claims`` counts
plan-paid claims capped at the lowest specific deductible, the stop-loss-eligible claims the fund
pays before specific reimbursement; or ``gross``: every plan-paid dollar, the specific layer
included), the stated tier expected claims and the claimant model. On exit: a ``Basis`` with the
stated and the modelled annual figures on the same basis, the tier amounts funding and the
attachment use (always net of the specific layer, whose cost is the specific premium: a gross figure
is converted with the model's net-to-gross ratio, so the layer is never funded twice), the
``claims_basis`` section of price.json and a warning when the two figures differ by more than 2%.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from aso_rules import model
from aso_rules.data.enrollment import MonthEnrollment
from aso_rules.money import Money, RoundingMode, format_money, round_money
from aso_rules.price.aggregate import ClaimCount
from aso_rules.price.funding import _tier_sum
from aso_rules.price.severity import Distribution

TOLERANCE = Decimal("0.02")


@attrs.frozen
class Basis:
    """The claims basis and the stated and modelled annual expected claims on it."""

    basis: model.ClaimsBasisName
    stated: Decimal | None  # sum over months of stated expected_t x employees, on ``basis``
    modelled: Decimal  # the claimant model's figure on ``basis`` for the plan months
    net_ratio: Decimal  # E[min(Y, SD)] / E[Y] (1 without a specific tier)
    modelled_net: Decimal

    @property
    def difference(self) -> Decimal | None:
        """``stated / modelled - 1`` (``None`` without a stated figure or a modelled one)."""
        if self.stated is None or self.modelled <= 0:
            return None
        return self.stated / self.modelled - 1

    def net_rates(self, stated: Mapping[str, Money], mode: RoundingMode) -> dict[str, Money]:
        """The tier amounts funding and the attachment use: net of the specific layer."""
        if self.basis == "net_of_specific":
            return dict(stated)
        return {t: round_money(v * self.net_ratio, mode) for t, v in stated.items()}

    def summary(self) -> dict[str, Any]:
        diff = self.difference
        return {
            "basis": self.basis,
            "stated_expected_claims": None if self.stated is None else format_money(self.stated),
            "modelled_expected_claims": format_money(self.modelled),
            "difference_pct": None if diff is None else float(round(100 * diff, 2)),
            "funding_and_attachment_use": "stated" if self.stated is not None else "claimant model",
            "stop_loss_and_employer_cost_use": "claimant model",
        }

    def warning(self) -> str | None:
        diff = self.difference
        if diff is None or abs(diff) <= TOLERANCE:
            return None
        assert self.stated is not None
        return (
            f"expected_claims ({self.basis}) states ${self.stated:,.2f} for the plan year but the "
            f"claimant model implies ${self.modelled:,.2f} ({100 * diff:+.1f}%): funding rates and "
            "the aggregate attachment use the stated figure, the stop-loss expectations, employer "
            "cost and savings use the claimant model; align the assumptions"
        )


def claims_basis(
    ruleset: model.Ruleset,
    severity: Distribution,
    count: ClaimCount,
    months: Sequence[MonthEnrollment],
    stated: Mapping[str, Money],
    mode: RoundingMode,
) -> Basis:
    """Stated and modelled expected claims on the ruleset's basis for the plan months."""
    assumptions = ruleset.assumptions
    basis: model.ClaimsBasisName = assumptions.claims_basis if assumptions is not None else "net_of_specific"
    share = Decimal(len(months)) / 12
    gross = Decimal(repr(count.lam * severity.mean)) * share
    if ruleset.specific:
        cap = float(min(t.deductible for t in ruleset.specific))
        net = Decimal(repr(count.lam * float(severity.lev(np.array(cap))))) * share
    else:
        net = gross
    ratio = net / gross if gross > 0 else Decimal(1)
    total: Decimal | None = None
    if stated:
        total = sum((_tier_sum(stated, m.employees) for m in months), Decimal(0))
    return Basis(
        basis=basis,
        stated=None if total is None else round_money(total, mode),
        modelled=round_money(gross if basis == "gross" else net, mode),
        net_ratio=ratio,
        modelled_net=net,
    )
