"""Properties of adjudicated settlement (``settle --adjudicated``), each with its preconditions.

P-ADJ-1: settling as adjudicated claims the ledger of a settlement gives the same stop-loss, fees
and employer cost as that settlement (any lines, tiers, aggregate contract and fees).
P-ADJ-2: splitting each claim's plan paid into a first version and an adjustment paid on the same
day changes no stop-loss figure when the specific tier is 100% with no ASD and no maximum (then
only each claimant's eligible total matters) and the adjustments are non-negative.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.model import Coverage, DentalClass, DentalTerms, Fee, Ruleset
from aso_rules.money import ZERO
from aso_rules.settle import assemble
from aso_rules.settle.adjudicated import settle_adjudicated
from tests.settle.sl_plans import PLAN_2025, TIERS
from tests.strategies.settle import cents
from tests.strategies.stoploss import aggregate_terms, line_results, members, specific_terms

COVERAGES = {
    "medical": Coverage("medical", "medical"),
    "rx": Coverage("rx", "rx"),
    "dental": Coverage("dental", "dental", dental=DentalTerms(classes={"OP": DentalClass("OP", Decimal(1))})),
}
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ruleset(spec, agg, fees=()) -> Ruleset:
    return Ruleset(
        name="p",
        plan_year=PLAN_2025,
        tiers=TIERS,
        coverages=COVERAGES,
        specific=tuple(spec),
        aggregate=agg,
        fees=tuple(fees),
    )


def _enrollment(mm) -> pa.Table:
    rows = list(mm.values())
    return pa.table(
        {
            "member_id": [m.member_id for m in rows],
            "family_id": [m.family_id for m in rows],
            "relationship": [m.relationship for m in rows],
            "tier": [m.tier for m in rows],
            "coverage_start": [m.coverage_start.isoformat() for m in rows],
            "coverage_end": [m.coverage_end.isoformat() if m.coverage_end else None for m in rows],
        }
    )


def _figures(s):
    return (
        [(t.eligible_paid, t.asd_absorbed, t.reimbursed, dict(t.claimants)) for t in s.specific],
        None if s.aggregate is None else (s.aggregate.eligible_claims, s.aggregate.reimbursed),
        s.fees,
        s.employer,
        s.summary["fees"],
        s.summary["employer_cost"],
    )


FEES = st.lists(
    st.sampled_from(
        [
            Fee("claims", "per_claim", amount=Decimal("2.50")),
            Fee("savings", "pct_savings", pct=Decimal("0.25")),
            Fee("share", "pct_paid_claims", pct=Decimal("0.013")),
        ]
    ),
    max_size=3,
    unique_by=lambda f: f.name,
)


@PROPS
@given(members(), line_results(), specific_terms(), st.one_of(st.none(), aggregate_terms()), FEES)
def test_p_adj_1__the_ledger_settles_back_to_the_same_figures(mm, lines, tier, agg, fees):
    rs = _ruleset([tier], agg, fees)
    original = assemble(rs, mm, lines)
    again = settle_adjudicated(rs, original.ledger, _enrollment(mm))
    assert again.rejects.num_rows == 0
    assert _figures(again) == _figures(original)


@PROPS
@given(members(), line_results(), specific_terms(simple=True), st.data())
def test_p_adj_2__versions_and_adjustments_net_per_claim(mm, lines, tier, data):
    rs = _ruleset([tier], None)
    original = assemble(rs, mm, lines)
    table = original.ledger
    rows = table.to_pylist()
    split = []
    for i, row in enumerate(rows):
        part = data.draw(cents(0, int(row["plan_paid"] * 100))) if row["status"] == "paid" else ZERO
        first = dict(row, plan_paid=row["plan_paid"] - part, adjustment_of=None)
        split.append(first)
        if part:
            split.append(
                dict(
                    row,
                    claim_id=f"ADJ{i}",
                    plan_paid=part,
                    allowed=ZERO,
                    member_paid=ZERO,
                    billed=ZERO,
                    adjustment_of=row["claim_id"],
                )
            )
    schema = table.schema.append(pa.field("adjustment_of", pa.string()))
    again = settle_adjudicated(rs, pa.Table.from_pylist(split, schema=schema), _enrollment(mm))
    assert again.rejects.num_rows == 0
    got, want = again.specific[0], original.specific[0]
    assert (got.eligible_paid, got.reimbursed) == (want.eligible_paid, want.reimbursed)
    assert {k: (c.eligible_paid, c.reimbursed) for k, c in got.claimants.items()} == {
        k: (c.eligible_paid, c.reimbursed) for k, c in want.claimants.items()
    }
