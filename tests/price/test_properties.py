"""docs/semantics.md section 9 invariants in pricing, with their preconditions, over generated assumptions."""

from __future__ import annotations

from decimal import Decimal

import attrs
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules import model
from aso_rules.money import money
from aso_rules.price import price
from aso_rules.price.aggregate import ClaimCount, compound
from aso_rules.price.quote import _layer_expectation
from aso_rules.price.severity import CostShareTerms, LognormalDist, PlanPaid
from tests.price.fixtures import acme, constant_months

SETTINGS = settings(max_examples=15, deadline=None)

claimant_laws = st.builds(
    lambda mean, cv, ded, coins: PlanPaid(
        LognormalDist.from_mean_cv(mean, cv), CostShareTerms(ded, coins, 6000.0)
    ),
    st.floats(1000, 20_000),
    st.floats(0.5, 4.0),
    st.sampled_from([0.0, 500.0, 2000.0]),
    st.sampled_from([0.0, 0.2, 0.3]),
)


def _tier(sd: float, asd: float = 0.0, maximum: float | None = None) -> model.SpecificStopLoss:
    return model.SpecificStopLoss(
        name="t",
        deductible=money(f"{sd:.2f}"),
        aggregating_deductible=money(f"{asd:.2f}"),
        maximum=None if maximum is None else money(f"{maximum:.2f}"),
    )


@SETTINGS
@given(claimant_laws, st.floats(20_000, 200_000), st.floats(1.0, 50_000), st.sampled_from([0.0, 25_000.0]))
def test_specific__raising_deductible_never_raises_reimbursement(
    y: PlanPaid, sd: float, raise_by: float, asd: float
) -> None:
    """I-MONO-3: a higher specific deductible never raises the expected specific reimbursement (to within
    half a cent, the precision it is reported at: the FFT carries float noise of about 1e-6 dollars)."""
    count = ClaimCount(80.0)
    low = _layer_expectation(y, count, _tier(sd, asd), 2**12).value
    high = _layer_expectation(y, count, _tier(sd + raise_by, asd), 2**12).value
    assert high <= low * (1 + 1e-6) + 0.005


@SETTINGS
@given(claimant_laws, st.floats(0.8, 1.6), st.floats(0.01, 0.5))
def test_aggregate__raising_attachment_never_raises_reimbursement(
    y: PlanPaid, ratio: float, step: float
) -> None:
    """I-MONO-4: a higher attachment point never raises E[min((S'-A)+, max)] nor P(S' > A)."""
    s = compound(y, ClaimCount(60.0), cap=50_000.0, points=2**12)
    a1 = ratio * s.mean
    a2 = a1 * (1 + step)

    def reimb(a: float) -> float:
        return s.expect(lambda v: np.minimum(np.maximum(v - a, 0.0), 1e6))

    assert reimb(a2) <= reimb(a1) + 1e-9
    assert s.sf(a2) <= s.sf(a1) + 1e-12


@SETTINGS
@given(
    st.integers(5, 60),
    st.sampled_from(["1.00", "1.10", "1.25"]),
    st.floats(2000, 15_000),
    st.sampled_from(["50000", "150000"]),
)
def test_price__ceiling_and_ordered_percentiles(employees: int, pct: str, mean: float, sd: str) -> None:
    """Under I-EMP-2's preconditions (100% reimbursement, no ASD, no maximums, no lasers) the expected
    employer cost on the eligible lines is at most A + fixed costs, and percentiles are ordered."""
    base = acme(claimant_cost=model.Lognormal(mean=money(f"{mean:.2f}"), cv=Decimal("2.0")))
    rs = model.Ruleset(
        name=base.name,
        plan_year=base.plan_year,
        tiers=base.tiers,
        coverages=base.coverages,
        specific=(model.SpecificStopLoss(name="s", deductible=money(sd)),),
        aggregate=model.AggregateStopLoss(name="a", pct_of_expected=Decimal(pct)),
        fees=base.fees,
        assumptions=base.assumptions,
    )
    q = price(rs, constant_months(employees, employees // 3, employees // 4, employees // 2, 3 * employees),
              simulations=0, grid=2**12)  # fmt: skip
    ec = q.summary["employer_cost"]
    values = [Decimal(ec[k]) for k in ("p50", "p75", "p90", "p95", "p99")]
    assert values == sorted(values)
    assert Decimal(ec["expected"]) <= Decimal(q.summary["maximum_liability"])
    assert values[-1] <= Decimal(q.summary["maximum_liability"])


severities = st.one_of(
    st.builds(
        lambda m, cv: model.Lognormal(mean=money(f"{m:.2f}"), cv=Decimal(str(cv))),
        st.floats(100, 50_000),
        st.sampled_from([0.3, 1.0, 2.5, 4.0]),
    ),
    st.builds(
        lambda m, cv: model.Gamma(mean=money(f"{m:.2f}"), cv=Decimal(str(cv))),
        st.floats(100, 50_000),
        st.sampled_from([0.3, 1.0, 2.5]),
    ),
    st.builds(
        lambda a, s: model.Pareto(alpha=Decimal(str(a)), scale=money(f"{s:.2f}")),
        st.sampled_from([1.5, 2.0, 3.5]),
        st.floats(500, 40_000),
    ),
)


@SETTINGS
@given(
    severities,
    st.sampled_from([model.Poisson(), model.NegativeBinomial(Decimal("0.05"))]),
    st.sampled_from(["0.10", "0.78", "1.00"]),
    st.sampled_from(["0.00", "25000.00"]),
    st.sampled_from([None, "250000.00"]),
    st.integers(1, 400),
)
def test_price__any_valid_assumptions_price_cleanly(
    severity: model.Severity, count: model.CountModel, pct: str, asd: str, maximum: str | None, employees: int
) -> None:
    """Any well-formed claimant model prices to finite two-decimal money with ordered percentiles and a
    non-negative specific reimbursement (never a crash)."""
    base = acme(claimant_cost=severity, claim_count=count, claimants_pct=Decimal(pct))
    tier = model.SpecificStopLoss(
        name="s",
        deductible=money("100000"),
        aggregating_deductible=money(asd),
        maximum=None if maximum is None else money(maximum),
    )
    rs = attrs.evolve(base, specific=(tier,))
    q = price(rs, constant_months(employees, 0, 0, 0, employees), simulations=0, grid=2**12)
    ec = q.summary["employer_cost"]
    values = [Decimal(ec[k]) for k in ("p50", "p75", "p90", "p95", "p99")]
    assert values == sorted(values)
    assert Decimal(q.summary["specific"]["expected_reimbursement"]) >= 0
    assert q.summary["method"]["tail_mass"] < 1e-9
