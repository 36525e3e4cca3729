"""One claims basis: the stated and modelled expected claims on the same basis, a warning when they
differ by more than 2%, a gross figure converted net of the specific layer for funding and the
attachment (the layer is funded once, by the specific premium), and the model fallback capped."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from aso_rules.price.quote import claimant_model, price
from tests.price.fixtures import acme, acme_months, flat


def _capped_and_gross() -> tuple[Decimal, Decimal]:
    """The claimant model's E[S'] (capped at the $150,000 specific deductible) and E[S] for a year."""
    y, count = claimant_model(acme(), acme_months())
    net = Decimal(repr(count.lam * float(y.lev(np.array(150_000.0)))))
    return net, Decimal(repr(count.lam * y.mean))


def test_basis__states_both_figures_and_warns_past_2pct() -> None:
    """The acme fixture's stated $2,602,800 against the model's capped figure: +35.9%, warned, and the
    summary names which figure each output uses."""
    q = price(acme(), acme_months(), simulations=0)
    basis = q.summary["claims_basis"]
    net, _ = _capped_and_gross()
    assert basis["basis"] == "net_of_specific"
    assert Decimal(basis["stated_expected_claims"]) == Decimal(q.summary["expected_claims"])
    assert Decimal(basis["modelled_expected_claims"]) == pytest.approx(net, abs=Decimal("0.01"))
    assert basis["difference_pct"] == pytest.approx(float(100 * (Decimal("2602800") / net - 1)), abs=0.01)
    (warning,) = q.summary["warnings"]
    assert "$2,602,800.00" in warning and "claimant model implies" in warning


def test_basis__agreeing_figures_do_not_warn() -> None:
    """Stated at the model's capped figure (within 2%): no warning."""
    net, _ = _capped_and_gross()
    pepm = (net / 3000).quantize(Decimal("0.01"))  # 250 employees x 12 months, one rate for every tier
    q = price(acme(expected_claims=flat(str(pepm))), acme_months(), simulations=0)
    assert abs(q.summary["claims_basis"]["difference_pct"]) <= 2
    assert q.summary["warnings"] == []


def test_basis__gross_is_funded_net_of_the_specific_layer() -> None:
    """A gross figure G funds G x E[S']/E[S] (rounded per tier): the same rates as stating that net
    figure, so the specific layer is paid by the premium only, never also through the claims."""
    net, gross = _capped_and_gross()
    net_q = price(acme(), acme_months(), simulations=0)
    gross_q = price(acme(claims_basis="gross"), acme_months(), simulations=0)
    ratio = net / gross
    for tier, expected in net_q.summary["funding"]["expected_pepm"].items():
        converted = (Decimal(expected) * ratio).quantize(Decimal("0.01"))
        assert Decimal(gross_q.summary["funding"]["expected_pepm"][tier]) == converted
    assert gross_q.summary["claims_basis"]["basis"] == "gross"
    assert Decimal(gross_q.summary["claims_basis"]["modelled_expected_claims"]) == pytest.approx(
        gross, abs=Decimal("0.01")
    )


def test_basis__fallback_is_capped_at_the_specific_deductible() -> None:
    """Without expected_claims the funded figure is the model's E[S'] (capped), not the uncapped mean."""
    q = price(acme(expected_claims=None), acme_months(), simulations=0)
    net, gross = _capped_and_gross()
    funded = Decimal(q.summary["expected_claims"])
    assert abs(funded - net) < 3000 * Decimal("0.005") * 4  # per-tier cent rounding only
    assert funded < gross
