"""docs/semantics.md section 9's line, accumulator, monotonicity and disability invariants, with their
exact preconditions, over generated plans, families and claims."""

from __future__ import annotations

import copy
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aso_rules.money import ZERO, round_money
from aso_rules.settle.accumulators import LIFETIME
from aso_rules.settle.adjudicate import Adjudicator, adjudicate, individual_tiers
from aso_rules.settle.disability import ltd_monthly, std_benefit
from aso_rules.settle.order import plan_year_of
from tests.strategies.settle import cents, claim_records, disability_terms, scenarios
from tests.sweeps import examples

CENT = Decimal("0.01")
PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SWEEP = settings(
    max_examples=examples(1000, 2000), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
MONEY_FIELDS = (
    "allowed",
    "copay",
    "deductible",
    "coinsurance",
    "over_max",
    "plan_paid",
    "contractual_adj",
    "noncovered",
    "balance_bill",
)


@PROPS
@given(scenarios())
def test_adjudicate__line_identities(sc) -> None:
    """I-LINE-1/2/4: allowed = plan + cost share + over_max, all parts >= 0, two decimals;
    I-LINE-3 under lesser-of: billed = allowed + contractual_adj with contractual_adj >= 0."""
    rs, members, claims = sc
    for r in adjudicate(rs, {m.member_id: m for m in members}, claims):
        assert r.allowed == r.plan_paid + r.cost_share + r.over_max  # I-LINE-1
        if r.status == "denied":
            assert r.allowed == r.plan_paid == r.cost_share == r.over_max == ZERO
            assert r.noncovered == r.claim.billed
        assert ZERO <= r.plan_paid <= r.allowed  # I-LINE-2
        assert min(r.copay, r.deductible, r.coinsurance, r.over_max) >= ZERO
        for name in MONEY_FIELDS:  # I-LINE-4
            assert getattr(r, name).as_tuple().exponent == -2, name
        priced = r.claim.line not in ("std", "ltd")  # a disability benefit is not a repriced charge
        if rs.settings.lesser_of_billed and r.status == "paid" and priced:  # I-LINE-3
            assert r.claim.billed == r.allowed + r.contractual_adj
            assert r.contractual_adj >= ZERO


@PROPS
@given(scenarios(cross=False))
def test_adjudicate__accumulators_stay_within_limits(sc) -> None:
    """I-ACC-1/2: deductible and out-of-pocket totals per member and family never pass their limits
    (separate network accumulators: each total counts one network tier)."""
    rs, members, claims = sc
    adj = Adjudicator(rs, {m.member_id: m for m in members})
    for c in sorted(claims, key=lambda c: (c.paid, c.claim_id)):
        adj.settle_line(c)
    acc = adj.accumulators
    tier = {m.member_id: m.tier for m in members}
    individual = individual_tiers(rs)

    def terms(owner: str):
        line, network = owner.split("/")
        return rs.coverages[line].cost_sharing(network)

    for (owner, _py, mid), value in acc.ded_member.items():
        t = terms(owner)
        if t.ded_ind is None and t.ded_fam is None:
            assert value == ZERO
        elif tier[mid] in individual or t.ded_mode == "embedded":
            assert t.ded_ind is not None and value <= t.ded_ind
        else:
            assert t.ded_fam is not None and value <= t.ded_fam
    for (owner, _py, _fid), value in acc.ded_family.items():
        t = terms(owner)
        assert value <= (t.ded_fam if t.ded_fam is not None else ZERO)
    for (owner, _py, mid), value in acc.oop_member.items():
        t = terms(owner)
        if (tier[mid] in individual or t.oop_mode == "embedded") and t.oop_ind is not None:
            assert value <= t.oop_ind
        if tier[mid] not in individual and t.oop_mode == "aggregate" and t.ind_oop_cap_in_family is not None:
            assert value <= t.ind_oop_cap_in_family
    for (owner, _py, _fid), value in acc.oop_family.items():
        t = terms(owner)
        if t.oop_fam is not None:
            assert value <= t.oop_fam


@PROPS
@given(scenarios(limits=True))
def test_adjudicate__visit_and_dollar_limits_hold(sc) -> None:
    """I-ACC-3: covered visits <= the visit limit; plan paid in a capped category <= its maximum."""
    rs, members, claims = sc
    visits_limit, dollars_limit = rs.coverages["medical"].limits
    dental = rs.coverages["dental"].dental
    visits: dict[tuple[str, int], int] = defaultdict(int)
    dollars: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    dental_paid: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for r in adjudicate(rs, {m.member_id: m for m in members}, claims):
        if r.status != "paid":
            continue
        if r.claim.line == "dental" and dental.classes[r.claim.category].counts_to_annual_max:
            dental_paid[(r.claim.member_id, r.plan_year)] += r.plan_paid
        if r.claim.line != "medical":
            continue
        if r.claim.category == "VISITS":
            period = LIFETIME if visits_limit.period == "lifetime" else r.plan_year
            visits[(r.claim.member_id, period)] += 1
        if r.claim.category == "DOLLARS":
            period = LIFETIME if dollars_limit.period == "lifetime" else r.plan_year
            dollars[(r.claim.member_id, period)] += r.plan_paid
    assert all(n <= visits_limit.amount for n in visits.values())
    assert all(d <= dollars_limit.amount for d in dollars.values())
    assert all(d <= dental.annual_max for d in dental_paid.values())


@PROPS
@given(scenarios())
def test_adjudicate__new_plan_year_starts_from_zero(sc) -> None:
    """I-ACC-4: a family's first line of a plan year sees zero annual accumulators (no carry-over)."""
    rs, members, claims = sc
    seen: set[tuple[str, int]] = set()
    by_member = {m.member_id: m for m in members}
    for r in adjudicate(rs, by_member, claims, explain=True):
        key = (by_member[r.claim.member_id].family_id, r.plan_year)
        if r.status != "paid" or key in seen:
            continue
        seen.add(key)
        # the first cost-sharing step and the out-of-pocket step show the totals the line started from
        sharing = [s for s in r.steps if s.name in ("copay", "deductible", "coinsurance")]
        for step in [*sharing[:1], *(s for s in r.steps if s.name == "out_of_pocket")]:
            assert all(v == ZERO for v in step.before.values()), step
        for step in r.steps:
            if step.name == "limit" and "lifetime" not in step.detail:
                assert all(v == ZERO for v in step.before.values()), step
            if step.name == "maximum" and "lifetime" not in step.detail:
                assert all(v == ZERO for v in step.before.values()), step


@PROPS
@given(st.data())
def test_adjudicate__raising_allowed_never_lowers_plan_or_member_share(data: st.DataObject) -> None:
    """I-MONO-1: for a fixed accumulator state, allowed + 0.01 never lowers plan paid or cost share."""
    rs, members, claims = data.draw(scenarios())
    adj = Adjudicator(rs, {m.member_id: m for m in members})
    for c in sorted(claims, key=lambda c: (c.paid, c.claim_id)):
        adj.settle_line(c)
    line = data.draw(claim_records(members, priced=True))
    assert line.allowed is not None
    higher = attrs.evolve(line, allowed=line.allowed + CENT, billed=line.billed + CENT)
    low = copy.deepcopy(adj).settle_line(line)
    high = copy.deepcopy(adj).settle_line(higher)
    assume(low.status == "paid")
    assert high.status == "paid"
    assert high.plan_paid >= low.plan_paid
    assert high.cost_share >= low.cost_share


@PROPS
@given(st.data())
def test_adjudicate__adding_a_line_never_lowers_family_plan_paid(data: st.DataObject) -> None:
    """I-MONO-2: with no visit or dollar limit to bind, an added line never lowers a family's
    total plan paid for any plan year (canonical processing order)."""
    rs, members, claims = data.draw(scenarios(limits=False))
    extra = data.draw(claim_records(members))
    by_member = {m.member_id: m for m in members}

    def totals(lines):
        out: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for r in adjudicate(rs, by_member, lines):
            out[(by_member[r.claim.member_id].family_id, r.plan_year)] += r.plan_paid
        return out

    before, after = totals(claims), totals([*claims, extra])
    for key, value in before.items():
        assert after[key] >= value, key


def test_adjudicate__i_acc_4_sees_a_reset_in_a_hand_built_case() -> None:
    """A member who met the 2025 deductible pays it again on the first 2026 line."""
    from tests.settle.helpers import run
    from tests.settle.plans import claim, med_a, member

    m = member("M1")
    res, _ = run(
        med_a(),
        [m],
        [
            claim("A", m, "OP", "2025-12-30", billed="2000.00", allowed="2000.00"),
            claim("B", m, "OP", "2026-01-02", billed="2000.00", allowed="2000.00"),
        ],
    )
    assert res["A"].deductible == res["B"].deductible == Decimal("1000.00")


@PROPS
@given(
    disability_terms("std"),
    st.integers(0, 900),
    st.sampled_from(["illness", "accident"]),
    cents(0, 10_000_000),
    st.sampled_from(["half_up", "half_even"]),
)
def test_std__payable_days_and_benefit_bounded(terms, length, cause, annual, mode) -> None:
    """I-DIS-1: 0 <= payable_days <= max_benefit_days, benefit <= round(weekly_max x max_days / 7)."""
    start = date(2025, 3, 1)
    b = std_benefit(terms, start, start + timedelta(days=length), cause, annual / 52, mode)
    assert b.payable_days >= 0
    assert b.benefit >= ZERO and b.benefit.as_tuple().exponent == -2
    if terms.duration_days is not None:
        assert b.payable_days <= terms.duration_days
        if terms.maximum is not None:
            assert b.benefit <= round_money(terms.maximum * terms.duration_days / 7, mode)
    assert b.payable_days <= b.disability_days


@PROPS
@given(
    disability_terms("ltd"),
    cents(0, 100_000_000),
    cents(0, 2_000_000),
    st.sampled_from(["half_up", "half_even"]),
)
def test_ltd__net_gross_minimum(terms, annual, offsets, mode) -> None:
    """I-DIS-2: net >= minimum, gross <= monthly max; net <= gross when gross >= minimum;
    net = minimum exactly when offsets >= gross - minimum."""
    gross, minimum, net = ltd_monthly(terms, annual, mode, offsets)
    assert net >= minimum
    if terms.maximum is not None:
        assert gross <= terms.maximum
    if gross >= minimum:
        assert net <= gross
    assert (net == minimum) == (offsets >= gross - minimum)


@PROPS
@given(st.dates(date(2000, 1, 1), date(2030, 12, 31)), st.integers(-800, 800))
def test_plan_year_of__matches_the_latest_start(start: date, offset: int) -> None:
    """plan_year(d) is the year of the latest plan-year start (start's month/day) on or before d."""
    assume((start.month, start.day) != (2, 29))
    d = start + timedelta(days=offset)
    py = plan_year_of(d, start)
    assert date(py, start.month, start.day) <= d < date(py + 1, start.month, start.day)


@pytest.mark.slow
@SWEEP
@given(scenarios())
def test_adjudicate__line_identities_sweep(sc) -> None:
    """The line identities (I-LINE-1..4) over a long sweep of generated scenarios."""
    test_adjudicate__line_identities.hypothesis.inner_test(sc)  # type: ignore[attr-defined]


@pytest.mark.slow
@SWEEP
@given(st.data())
def test_adjudicate__monotonicity_sweep(data: st.DataObject) -> None:
    """I-MONO-1 and I-MONO-2 over a long sweep of generated scenarios."""
    test_adjudicate__raising_allowed_never_lowers_plan_or_member_share.hypothesis.inner_test(data)  # type: ignore[attr-defined]
    test_adjudicate__adding_a_line_never_lowers_family_plan_paid.hypothesis.inner_test(data)  # type: ignore[attr-defined]


@PROPS
@given(
    disability_terms("std"),
    st.integers(0, 400),
    st.integers(0, 400),
    st.integers(0, 400),
    st.integers(0, 200),
)
def test_std__recurrence_keeps_the_period_within_its_maximum(terms, length, before, used, ep) -> None:
    """I-DIS-1 across a recurrent period: the period's payable days never exceed max_benefit_days."""
    from aso_rules.settle.disability import PeriodSoFar

    cap = terms.duration_days
    if cap is not None:
        used = min(used, cap, before)
    used = min(used, before)
    start = date(2025, 3, 1)
    prior = PeriodSoFar(ep, before, used)
    b = std_benefit(terms, start, start + timedelta(days=length), "illness", Decimal(1000), "half_up", prior)
    assert 0 <= b.payable_days <= b.disability_days
    assert b.elimination_days == max(0, ep - before)
    if cap is not None:
        if terms.max_includes_ep:
            assert before + b.payable_days <= max(cap, before)
        else:
            assert used + b.payable_days <= cap
