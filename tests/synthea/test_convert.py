"""The Synthea converter: plan parameters, row counts, transaction parsing, and the written inputs."""

from __future__ import annotations

from decimal import Decimal

from aso_rules.data.readers import read_claims, read_enrollment
from aso_rules.model import CategoryRule, CostSharing, Coverage, Ruleset, Tier
from aso_rules.money import money
from tests.data.plans import PLAN_YEAR_2026
from tests.synthea.conftest import lines_by_period
from tests.synthea.convert import Conversion, SyntheaSample, rule_text, synthea_split


def test_convert__private_plans_read(synthea: SyntheaSample) -> None:
    """Each private company's generic plan is read with its deductible, payer share, copay and maximum."""
    got = {
        name: (p.plan_id, p.deductible, p.coinsurance, p.copay, p.oop_max)
        for name, p in synthea.plans.items()
    }
    assert got == {
        "Humana": ("40001", Decimal(6094), Decimal("0.6"), Decimal(0), Decimal(8700)),
        "Blue Cross Blue Shield": ("50001", Decimal(4500), Decimal("0.7"), Decimal(0), Decimal(8700)),
        "UnitedHealthcare": ("60001", Decimal(1458), Decimal("0.8"), Decimal(0), Decimal(8700)),
    }


def test_convert__row_counts(synthea: SyntheaSample, conversion: Conversion) -> None:
    """561 claims, 202 paid first by a private plan, 538 of their lines, 512 inside 50 enrolment periods."""
    assert synthea.claims_total == 561
    assert synthea.private_claims == 202
    assert len(synthea.lines) == 538
    assert len(synthea.periods) == 58
    assert len(conversion.lines) == 512
    assert len(lines_by_period(conversion.lines)) == 50
    assert len(conversion.rulesets) == 58
    assert conversion.claims_csv.read_text().count("\n") == 1 + 512
    assert conversion.enrollment_csv.read_text().count("\n") == 1 + 6


def test_convert__transactions_balance(synthea: SyntheaSample) -> None:
    """For every line, Synthea's payer payment plus the patient's responsibility is the charge."""
    assert all(line.payer_paid + line.patient_resp == line.charge for line in synthea.lines)
    assert sum(line.payer_paid for line in synthea.lines) > 0


def test_convert__claim_ids_follow_synthea_order(conversion: Conversion) -> None:
    """Claim ids are unique and numbered in Synthea's settlement order."""
    ids = [line.claim_id for line in conversion.lines]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_convert__documented_split_reproduces_synthea(synthea: SyntheaSample) -> None:
    """Below the maximum, the documented split (copay, deductible per period, payer share half-even)
    reproduces Synthea's payer payment on 357 of 394 lines; 31 of the rest were paid in full."""
    plans = {p.period_id: p.plan for p in synthea.periods}
    matched = paid_in_full = other = 0
    for pid, lines in lines_by_period(synthea.lines).items():
        if sum(x.patient_resp for x in lines) >= plans[pid].oop_max:
            continue
        for line, (payer, _) in zip(lines, synthea_split(plans[pid], [x.charge for x in lines]), strict=True):
            if payer == line.payer_paid:
                matched += 1
            elif line.payer_paid == line.charge:
                paid_in_full += 1
            else:
                other += 1
    assert (matched, paid_in_full, other) == (357, 31, 6)


def test_convert__rule_text(synthea: SyntheaSample) -> None:
    """A period's rule file states the plan year, half-even rounding and the plan's cost sharing."""
    period = next(p for p in synthea.periods if p.period_id == "9808a1c3-2017-01-16")
    text = rule_text(period)
    assert "plan_year 2017-01-16 to 2018-01-14" in text
    assert "rounding half_even" in text
    assert "deductible $1,458.00 per person, $1,458.00 per family embedded" in text
    assert "out_of_pocket $8,700.00 per person, $8,700.00 per family" in text
    assert "plan pays 80%" in text and "copay" not in text


def medical_ruleset() -> Ruleset:
    """A ruleset with the converted files' shape: one EE tier, a medical coverage (dates irrelevant here)."""
    sharing = CostSharing(
        ded_ind=money("1458"), oop_ind=money("8700"), default=CategoryRule(coins=Decimal("0.2"))
    )
    return Ruleset(
        name="synthea",
        plan_year=PLAN_YEAR_2026,
        tiers=(Tier("EE", "Employee only"),),
        coverages={"medical": Coverage(name="medical", kind="medical", networks={"in": sharing})},
    )


def test_convert__written_files_read_clean(conversion: Conversion) -> None:
    """The converted claims.csv and enrollment.csv pass the readers with no rejects; extras carried."""
    ruleset = medical_ruleset()
    enrollment = read_enrollment(conversion.enrollment_csv, ruleset)
    assert enrollment.rejects == () and len(enrollment.members) == 6
    claims = read_claims(conversion.claims_csv, ruleset, enrollment.by_id())
    assert claims.rejects == () and len(claims.claims) == 512
    first = claims.claims[0]
    assert first.allowed == first.billed
    assert set(first.extra) == {
        "period",
        "encounter_class",
        "synthea_copay",
        "synthea_payer_paid",
        "synthea_patient",
    }


def test_convert__paid_order_is_synthea_order(conversion: Conversion) -> None:
    """Sorting the written lines by (paid, claim_id), the engine's order, gives Synthea's order."""
    ordered = sorted(conversion.lines, key=lambda x: (x.paid_day, x.claim_id))
    assert [x.claim_id for x in ordered] == [x.claim_id for x in conversion.lines]
    assert all(x.paid_day >= x.day for x in conversion.lines)
