"""Semantics section 9's stop-loss, aggregate and employer invariants, each under its exact preconditions."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules.data.enrollment import MonthEnrollment, monthly_enrollment
from aso_rules.data.records import ClaimRecord, Reject
from aso_rules.model import Fee, Ruleset, TierAmounts
from aso_rules.money import ZERO
from aso_rules.settle import assemble
from aso_rules.settle.fees import compute_fees, month_activity
from aso_rules.settle.results import LineResult
from aso_rules.settle.stoploss import (
    aggregate_stop_loss,
    attachment_point,
    line_in_contract,
    specific_stop_loss,
    specific_tier,
)
from tests.settle.sl_plans import PLAN_2025, TIERS
from tests.strategies.settle import cents
from tests.strategies.stoploss import (
    CLAIMANTS,
    aggregate_terms,
    line_results,
    members,
    specific_terms,
)

EFFECTIVE = date(2025, 1, 1)
# SL_EXAMPLES widens the sweep locally (e.g. SL_EXAMPLES=2000); CI runs the default.
PROPS = settings(max_examples=int(os.environ.get("SL_EXAMPLES", "60")), deadline=None)


def _rs(spec=(), agg=None, fees=()) -> Ruleset:
    return Ruleset(
        name="p", plan_year=PLAN_2025, tiers=TIERS, specific=tuple(spec), aggregate=agg, fees=tuple(fees)
    )


def _tier(tier, lines, mm):
    return specific_tier(tier, lines, mm, effective=EFFECTIVE)


def _agg(rs, lines, mm):
    months = monthly_enrollment(mm.values(), rs.plan_year, rs.tier_codes)
    spec = specific_stop_loss(rs, lines, mm)
    return spec, aggregate_stop_loss(rs, lines, mm, months, spec)


# --------------------------------------------------------------------------- specific


@PROPS
@given(members(), line_results(), specific_terms())
def test_specific__i_spec_1_2_3(mm, lines, tier):
    """I-SPEC-1..3: 0 <= R_m <= (E_m - SD_m)+, R_m <= max, and retained >= min(E_m, SD_m)."""
    res = _tier(tier, lines, mm)
    for c in res.claimants.values():
        assert c.reimbursed >= ZERO
        if c.deductible is None:
            assert c.reimbursed == ZERO
            continue
        assert c.reimbursed <= max(ZERO, c.eligible_paid - c.deductible)
        if tier.maximum is not None:
            assert c.reimbursed <= tier.maximum
        assert c.retained >= min(c.eligible_paid, c.deductible)


@PROPS
@given(members(), line_results(), specific_terms(simple=True))
def test_specific__i_spec_4_retained_is_min_of_e_and_sd(mm, lines, tier):
    """I-SPEC-4: at 100%, no ASD, no maximum, the employer keeps exactly min(E_m, SD_m)."""
    res = _tier(tier, lines, mm)
    for c in res.claimants.values():
        expected = c.eligible_paid if c.deductible is None else min(c.eligible_paid, c.deductible)
        assert c.retained == expected


@PROPS
@given(members(), line_results(), specific_terms())
def test_specific__line_shares_add_up_and_e_counts_eligible_lines(mm, lines, tier):
    """I-EMP-1 and the allocation: sum E = sum retained + sum R; shares in [0, plan paid] add up to R."""
    res = _tier(tier, lines, mm)
    eligible_paid = sum((r.plan_paid for r, ok in zip(lines, res.line_eligible, strict=True) if ok), ZERO)
    assert res.eligible_paid == eligible_paid
    assert sum((c.retained + c.reimbursed for c in res.claimants.values()), ZERO) == eligible_paid
    assert sum(res.line_shares, ZERO) == res.reimbursed
    assert all(ZERO <= s <= r.plan_paid for s, r in zip(res.line_shares, lines, strict=True))
    assert all(s == ZERO for s, ok in zip(res.line_shares, res.line_eligible, strict=True) if not ok)


@PROPS
@given(members(), line_results(), specific_terms(), cents(0, 10_000_000), st.data())
def test_specific__i_mono_3_raising_sd_or_laser(mm, lines, tier, delta, data):
    """I-MONO-3: raising the deductible, or one claimant's laser, never increases total reimbursement."""
    base = _tier(tier, lines, mm).reimbursed
    higher = attrs.evolve(tier, deductible=tier.deductible + delta)
    assert _tier(higher, lines, mm).reimbursed <= base
    who = data.draw(st.sampled_from(CLAIMANTS))
    current = tier.deductible_for(who)
    raised = data.draw(st.one_of(st.none(), st.just(current + delta))) if current is not None else None
    lasered = attrs.evolve(tier, lasers={**tier.lasers, who: raised})
    assert _tier(lasered, lines, mm).reimbursed <= base


@PROPS
@given(members(), line_results(), specific_terms(), line_results(min_size=1, max_size=1))
def test_specific__i_mono_5a_adding_an_eligible_line(mm, lines, tier, extra):
    """I-MONO-5a: adding an eligible line never decreases total specific reimbursement."""
    new = attrs.evolve(extra[0], claim=attrs.evolve(extra[0].claim, claim_id="NEW", row=999))
    base = _tier(tier, lines, mm)
    window = base.window
    if not line_in_contract(new, tier.covers, window, mm):
        new = attrs.evolve(
            new,
            claim=attrs.evolve(
                new.claim,
                line=tier.covers[0],
                incurred=EFFECTIVE,
                paid=EFFECTIVE,
                member_id="M0",
                family_id="M0",
            ),
            status="paid",
            reason="",
            allowed=new.claim.billed,
            plan_paid=new.claim.billed,
        )
        mm = {**mm, "M0": attrs.evolve(mm["M0"], coverage_start=date(2024, 1, 1), coverage_end=None)}
        base = _tier(tier, lines, mm)
    assert line_in_contract(new, tier.covers, window, mm)
    assert _tier(tier, [*lines, new], mm).reimbursed >= base.reimbursed


# --------------------------------------------------------------------------- aggregate


@PROPS
@given(members(), line_results(), specific_terms(), aggregate_terms())
def test_aggregate__i_agg_1_2_3(mm, lines, tier, agg):
    """I-AGG-1..3: R_agg >= 0, R_agg <= agg_max, and G <= A implies R_agg = 0."""
    _, res = _agg(_rs([tier], agg), lines, mm)
    assert res.reimbursed >= ZERO
    if agg.maximum is not None:
        assert res.reimbursed <= agg.maximum
    if res.eligible_claims <= res.attachment.point:
        assert res.reimbursed == ZERO


@st.composite
def month_lists(draw):
    n = draw(st.integers(1, 12))
    return [
        MonthEnrollment(
            date(2025, k + 1, 1), {"EE": draw(st.integers(0, 50)), "FAM": draw(st.integers(0, 50))}
        )
        for k in range(n)
    ]


@PROPS
@given(aggregate_terms(), month_lists(), cents(0, 100_000), st.data())
def test_aggregate__i_agg_4_attachment_bounds_and_monotone(agg, months, bump, data):
    """I-AGG-4: A >= A_min and A >= A_calc; A never falls when a factor or a monthly count rises."""
    factors = {"EE": data.draw(cents(0, 200_000)), "FAM": data.draw(cents(0, 400_000))}
    att = attachment_point(agg, factors, months, "half_up")
    assert att.point >= att.minimum
    assert att.point >= att.calculated
    tier = data.draw(st.sampled_from(["EE", "FAM"]))
    assert (
        attachment_point(agg, {**factors, tier: factors[tier] + bump}, months, "half_up").point >= att.point
    )
    k = data.draw(st.integers(0, len(months) - 1))
    more = list(months)
    more[k] = MonthEnrollment(months[k].month, {**months[k].employees, tier: months[k].employees[tier] + 1})
    assert attachment_point(agg, factors, more, "half_up").point >= att.point


@PROPS
@given(members(), line_results(), specific_terms(), aggregate_terms(), cents(1, 50_000_000))
def test_aggregate__i_mono_4_raising_a(mm, lines, tier, agg, delta):
    """I-MONO-4: raising the attachment point never increases R_agg."""
    _, res = _agg(_rs([tier], agg), lines, mm)
    raised = attrs.evolve(agg, minimum_fixed=res.attachment.point - res.attachment.terminal + delta)
    _, res2 = _agg(_rs([tier], raised), lines, mm)
    assert res2.attachment.point > res.attachment.point
    assert res2.reimbursed <= res.reimbursed


@PROPS
@given(members(), line_results(), specific_terms(), aggregate_terms(), cents(0, 40_000_000), st.data())
def test_aggregate__i_mono_5b_adding_an_eligible_line(mm, lines, tier, agg, amount, data):
    """I-MONO-5b: adding a line eligible for the aggregate never decreases R_agg."""
    who = data.draw(st.sampled_from(CLAIMANTS))
    mm = {**mm, who: attrs.evolve(mm[who], coverage_start=date(2024, 1, 1), coverage_end=None)}
    day = data.draw(st.dates(date(2025, 1, 1), date(2025, 12, 31)))
    claim = ClaimRecord(999, "NEW", who, who, agg.covers[0], "OP", day, day, amount)
    new = LineResult(claim=claim, status="paid", reason="", allowed=amount, plan_paid=amount)
    rs = _rs([tier], agg)
    _, before = _agg(rs, lines, mm)
    _, after = _agg(rs, [*lines, new], mm)
    assert after.line_eligible[-1]
    assert after.reimbursed >= before.reimbursed


# --------------------------------------------------------------------------- employer


def _same_contract(tier, agg_data, **agg_fixed):
    """Aggregate terms with the specific's windows and lines (I-EMP-2's first precondition)."""
    return agg_data.draw(
        aggregate_terms(
            basis=tier.basis, covers=tier.covers, terminal_liability=tier.terminal_liability, **agg_fixed
        )
    )


def _net_eligible(lines, spec, agg):
    eligible = sum((r.plan_paid for r, ok in zip(lines, agg.line_eligible, strict=True) if ok), ZERO)
    return eligible - sum((s.reimbursed for s in spec), ZERO) - agg.reimbursed


@PROPS
@given(members(), line_results(), specific_terms(simple=True), st.data())
def test_employer__i_emp_2_liability_never_exceeds_attachment(mm, lines, tier, data):
    """I-EMP-2: same windows/lines, 100%, no ASD, no binding maxima, to_laser: liability = min(G, A) <= A."""
    agg = _same_contract(
        tier,
        data,
        reimbursement_pct=Decimal(1),
        maximum=None,
        laser_treatment="to_laser",
        claim_basis="capped",
    )
    spec, res = _agg(_rs([tier], agg), lines, mm)
    liability = _net_eligible(lines, spec, res)
    assert liability == min(res.eligible_claims, res.attachment.point)
    assert liability <= res.attachment.point


@PROPS
@given(members(), line_results(), specific_terms(simple=True), cents(0, 20_000_000), st.data())
def test_employer__i_emp_2_with_asd_counted(mm, lines, tier, asd, data):
    """I-EMP-2 with an ASD that counts toward the aggregate (asd_counts): liability still <= A."""
    tier = attrs.evolve(tier, aggregating_deductible=asd)
    agg = _same_contract(
        tier,
        data,
        reimbursement_pct=Decimal(1),
        maximum=None,
        laser_treatment="to_laser",
        claim_basis="capped",
        asd_counts=True,
    )
    spec, res = _agg(_rs([tier], agg), lines, mm)
    liability = _net_eligible(lines, spec, res)
    assert liability == min(res.eligible_claims, res.attachment.point)
    assert liability <= res.attachment.point


@PROPS
@given(members(), line_results(), specific_terms(), st.data())
def test_employer__i_emp_2_net_of_specific(mm, lines, tier, data):
    """I-EMP-2, net_of_specific: same windows/lines, aggregate 100%, no aggregate maximum: liability <= A."""
    agg = _same_contract(
        tier, data, reimbursement_pct=Decimal(1), maximum=None, claim_basis="net_of_specific"
    )
    spec, res = _agg(_rs([tier], agg), lines, mm)
    liability = _net_eligible(lines, spec, res)
    assert liability == min(res.eligible_claims, res.attachment.point)
    assert liability <= res.attachment.point


FEES = (
    Fee("admin", "pepm", amounts=TierAmounts({t.code: Decimal("38.50") for t in TIERS})),
    Fee("rx_admin", "pmpm", amounts=TierAmounts({t.code: Decimal("1.25") for t in TIERS}, unit="pmpm")),
    Fee("per_claim", "per_claim", amount=Decimal("1.10")),
    Fee("dental_pct", "pct_paid_claims", pct=Decimal("0.095"), lines=("dental",)),
    Fee("savings", "pct_savings", pct=Decimal("0.30")),
)


@PROPS
@given(members(), line_results(), specific_terms(simple=True), st.data())
def test_employer__i_emp_3_exact_bound(mm, lines, tier, data):
    """I-EMP-3: total <= A + fixed + ineligible plan paid + out-of-window plan paid + variable fees."""
    premium = TierAmounts({t.code: Decimal("42.10") for t in TIERS})
    tier = attrs.evolve(tier, premium=premium)
    agg = _same_contract(
        tier,
        data,
        reimbursement_pct=Decimal(1),
        maximum=None,
        laser_treatment="to_laser",
        claim_basis="capped",
        premium=premium,
    )
    s = assemble(_rs([tier], agg, FEES), mm, lines)
    assert s.aggregate is not None
    ineligible = sum((r.plan_paid for r in lines if r.claim.line not in tier.covers), ZERO)
    out_of_window = sum(
        (
            r.plan_paid
            for r, ok in zip(lines, s.aggregate.line_eligible, strict=True)
            if r.claim.line in tier.covers and not ok
        ),
        ZERO,
    )
    cost = s.employer
    bound = (
        s.aggregate.attachment.point + cost.enrollment_costs + ineligible + out_of_window + cost.variable_fees
    )
    assert cost.total <= bound
    assert cost.total == cost.claims - cost.specific_reimbursed - cost.aggregate_reimbursed + cost.fixed_costs


@PROPS
@given(members(), line_results(), line_results())
def test_employer__i_emp_4_fixed_costs_depend_on_enrollment_only(mm, lines, other):
    """I-EMP-4: fixed fees and premiums are the same whatever the claims."""
    premium = TierAmounts({t.code: Decimal("42.10") for t in TIERS})
    rs = _rs([specific_terms_plain(premium)], None, FEES)
    months = monthly_enrollment(mm.values(), rs.plan_year, rs.tier_codes)
    a = compute_fees(rs, months, month_activity(rs, lines))
    b = compute_fees(rs, months, month_activity(rs, other))
    assert (a.fixed_fees, a.premium_total) == (b.fixed_fees, b.premium_total)


def specific_terms_plain(premium):
    from aso_rules.model import SpecificStopLoss

    return SpecificStopLoss(name="spec", deductible=Decimal("100000.00"), premium=premium)


@PROPS
@given(members(), line_results(), st.integers(0, 5))
def test_settlement__rows_are_conserved(mm, lines, n_rejects):
    """Every input row is either a ledger row or a reject: received = settled + rejected."""
    rejects = [Reject(row=100 + i, claim_id=f"R{i}", reason="bad date") for i in range(n_rejects)]
    s = assemble(_rs(), mm, lines, claim_rejects=rejects, received=len(lines) + n_rejects)
    counts = s.summary["counts"]
    assert s.ledger.num_rows + s.rejects.num_rows == counts["received"]
    assert counts["received"] == counts["settled"] + counts["rejected"]
    assert counts["settled"] == counts["paid"] + counts["denied"]


@PROPS
@given(members(), line_results(), specific_terms(simple=True, lasers={}), cents(0, 30_000_000))
def test_specific__stacked_contiguous_tiers_act_as_one(mm, lines, tier, layer):
    """Tiers with SD_2 = SD_1 + max_1 (100%, no ASD, same lines) reimburse (E_m - SD_1)+ together."""
    first = attrs.evolve(tier, name="first", maximum=layer)
    second = attrs.evolve(tier, name="second", deductible=tier.deductible + layer)
    rs = attrs.evolve(_rs([first, second]), specific=(first, second))
    one, two = specific_stop_loss(rs, lines, mm)
    for m, c in one.claimants.items():
        total = c.reimbursed + two.claimants[m].reimbursed
        assert total == max(ZERO, c.eligible_paid - tier.deductible)


# --------------------------------------------------------------------------- long sweeps (pytest -m slow)

SWEEP = settings(max_examples=2000, deadline=None)


@pytest.mark.slow
@SWEEP
@given(members(), line_results(), specific_terms(simple=True), st.data())
def test_employer__i_emp_2_long_sweep(mm, lines, tier, data):
    """I-EMP-2 over 2,000 scenarios: liability = min(G, A) <= A under all of its preconditions."""
    agg = _same_contract(
        tier,
        data,
        reimbursement_pct=Decimal(1),
        maximum=None,
        laser_treatment="to_laser",
        claim_basis="capped",
    )
    spec, res = _agg(_rs([tier], agg), lines, mm)
    liability = _net_eligible(lines, spec, res)
    assert liability == min(res.eligible_claims, res.attachment.point) <= res.attachment.point


@pytest.mark.slow
@SWEEP
@given(members(), line_results(), specific_terms(), st.data())
def test_employer__i_emp_2_net_of_specific_long_sweep(mm, lines, tier, data):
    """I-EMP-2 (net_of_specific) over 2,000 scenarios: liability = min(E - sum R, A) <= A."""
    agg = _same_contract(
        tier, data, reimbursement_pct=Decimal(1), maximum=None, claim_basis="net_of_specific"
    )
    spec, res = _agg(_rs([tier], agg), lines, mm)
    liability = _net_eligible(lines, spec, res)
    assert liability == min(res.eligible_claims, res.attachment.point) <= res.attachment.point
