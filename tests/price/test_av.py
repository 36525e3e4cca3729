"""Actuarial value against the AV Calculator oracle in shared/data/av2015."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from aso_rules import model
from aso_rules.price.av import (
    AVTable,
    SeparateDesign,
    actuarial_value,
    calculator_av,
    calculator_av_separate,
    calculator_parts,
    effective_plan_share,
    effective_plan_share_separate,
    load_av2015,
    moop_spend_level,
)
from aso_rules.price.continuance import load_continuance_table
from aso_rules.price.severity import CostShareTerms, PlanPaid, TableDist
from tests.shared import require_shared_data

AV2015 = require_shared_data() / "av2015"


def _cases(kind: str) -> list[dict[str, str]]:
    with (AV2015 / "expected_av_cases.csv").open() as fh:
        return [r for r in csv.DictReader(fh) if r["deductible_type"] == kind]


def _intermediates(quantity: str) -> list[dict[str, str]]:
    with (AV2015 / "expected_intermediate_values.csv").open() as fh:
        return [r for r in csv.DictReader(fh) if r["quantity"].startswith(quantity)]


def _table(tier: str, kind: str = "integrated") -> AVTable:
    return load_av2015(AV2015 / f"{tier}_{kind}.csv")


def _number(inputs: str, key: str) -> float:
    """A ``key=value`` number from an intermediate row's inputs text."""
    match = re.search(rf"{key}=([0-9.]+)", inputs)
    assert match is not None, (key, inputs)
    return float(match.group(1))


@pytest.mark.parametrize("case", _cases("integrated"), ids=lambda c: c["tier_table"])
def test_calculator_av__integrated_designs_to_4_decimals(case: dict[str, str]) -> None:
    """Integrated designs reproduce the calculator's AV to 4 decimals (effective coinsurance)."""
    av = calculator_av(
        _table(case["tier_table"]),
        float(case["deductible"]),
        float(case["coinsurance_plan_share"]),
        float(case["moop"]),
    )
    assert round(av, 4) == pytest.approx(float(case["expected_av"]), abs=1e-9)


@pytest.mark.parametrize("case", _cases("separate"), ids=lambda c: f"{c['case_group']}-{c['tier_table']}")
def test_calculator_av__separate_designs_to_4_decimals(case: dict[str, str]) -> None:
    """Separate medical/drug designs reproduce the calculator's AV to 4 decimals."""
    tier = case["tier_table"]
    design = SeparateDesign(
        medical_deductible=float(case["medical_deductible"]),
        medical_share=float(case["medical_coinsurance_plan_share"]),
        drug_deductible=float(case["drug_deductible"]),
        drug_share=float(case["drug_coinsurance_plan_share"]),
        moop=float(case["moop"]),
    )
    av = calculator_av_separate(_table(tier), _table(tier, "medical"), _table(tier, "drug"), design)
    assert round(av, 4) == pytest.approx(float(case["expected_av"]), abs=1e-9)


@pytest.mark.parametrize("case", _cases("integrated"), ids=lambda c: c["tier_table"])
def test_actuarial_value__plain_method_within_0_005(case: dict[str, str]) -> None:
    """The plain limited-expected-value method lands within 0.005 of the calculator (exactly to 4
    decimals on the deductible-only design, where effective coinsurance plays no part)."""
    share = float(case["coinsurance_plan_share"])
    av = actuarial_value(_table(case["tier_table"]), float(case["deductible"]), share, float(case["moop"]))
    expected = float(case["expected_av"])
    if share == 1.0:
        assert round(av, 4) == pytest.approx(expected, abs=1e-9)
    else:
        assert av == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize("row", _intermediates("effective_coinsurance"), ids=lambda r: r["tier_table"])
def test_effective_plan_share__integrated(row: dict[str, str]) -> None:
    """Effective coinsurance of integrated designs matches to 4 decimals."""
    share = float(row["inputs"].rsplit(" ", 1)[1])
    assert round(effective_plan_share(_table(row["tier_table"]), share), 4) == pytest.approx(
        float(row["expected_value"]), abs=1e-9
    )


@pytest.mark.parametrize("row", _intermediates("moop_cost_level"), ids=lambda r: r["inputs"].split(";")[0])
def test_moop_spend_level__integrated_and_separate(row: dict[str, str]) -> None:
    """The spend at which the OOP maximum is reached matches to the dollar."""
    table = _table(row["tier_table"])
    inputs = row["inputs"]
    moop = _number(inputs, "moop")
    if inputs.startswith("integrated"):
        ded = _number(inputs, "deductible")
        level = moop_spend_level(ded, effective_plan_share(table, _number(inputs, "share")), moop)
    else:
        med = re.search(r"med ded=([0-9.]+) share=([0-9.]+)", inputs)
        rx = re.search(r"drug ded=([0-9.]+) share=([0-9.]+)", inputs)
        assert med is not None and rx is not None
        design = SeparateDesign(
            float(med.group(1)), float(med.group(2)), float(rx.group(1)), float(rx.group(2)), moop
        )
        ded = design.medical_deductible + design.drug_deductible
        level = moop_spend_level(ded, effective_plan_share_separate(table, design), moop)
    assert round(level) == pytest.approx(round(float(row["expected_value"])), abs=1e-9)


@pytest.mark.parametrize(
    "row",
    _intermediates("coinsurance_band_plan_paid") + _intermediates("plan_paid_above_moop"),
    ids=lambda r: f"{r['quantity']}-{r['inputs']}",
)
def test_calculator_parts__bands_to_the_cent(row: dict[str, str]) -> None:
    """Plan paid in the coinsurance band and above the OOP spend level match to the cent."""
    inputs = row["inputs"]
    parts = calculator_parts(
        _table(row["tier_table"]),
        _number(inputs, "deductible"),
        _number(inputs, "share"),
        _number(inputs, "moop"),
    )
    value = parts.coinsurance_band if row["quantity"].startswith("coinsurance") else parts.above_moop
    assert round(value, 2) == pytest.approx(float(row["expected_value"]), abs=1e-9)


@pytest.mark.parametrize("row", _intermediates("total_cost_per_enrollee"), ids=lambda r: r["tier_table"])
def test_av_table__total_cost_per_enrollee(row: dict[str, str]) -> None:
    """The integrated tables' mean allowed cost per enrollee matches to the cent."""
    table = load_av2015(AV2015 / f"{row['tier_table']}_integrated.csv")
    assert round(table.mean, 2) == pytest.approx(float(row["expected_value"]), abs=1e-9)


@pytest.mark.parametrize("row", _intermediates("expenses_before_deductible"), ids=lambda r: r["inputs"])
def test_av_table__preventive_paid_below_deductible(row: dict[str, str]) -> None:
    """Plan-paid preventive care below the deductible matches the calculator to the cent."""
    kind = "integrated" if row["inputs"].startswith("integrated") else "medical"
    table = load_av2015(AV2015 / f"{row['tier_table']}_{kind}.csv")
    deductible = float(row["inputs"].rsplit("=", 1)[1])
    assert round(table.limited(deductible, full=True), 2) == pytest.approx(
        float(row["expected_value"]), abs=1e-9
    )


def test_table_dist__reproduces_table_levs_at_bounds() -> None:
    """A continuance table as a discrete law has E[min(X, b)] equal to the table at every bound."""
    table = load_continuance_table(AV2015 / "gold_integrated.csv")
    dist = TableDist.from_table(table)
    bounds = np.array([float(r.up_to) for r in table.rows[:-1]])
    levs = np.array([float(r.limited_expected_value) for r in table.rows[:-1]])
    assert np.allclose(dist.lev(bounds), levs, rtol=1e-9, atol=1e-6)
    assert dist.mean == pytest.approx(float(table.rows[-1].limited_expected_value), rel=1e-12)


def test_plan_paid__table_deductible_only_av_matches_interpolation() -> None:
    """The pricing engine's AV on a table (no preventive carve-out) equals the interpolated-LEV AV."""
    table = load_continuance_table(AV2015 / "silver_integrated.csv")
    y = PlanPaid(TableDist.from_table(table), CostShareTerms(deductible=3000, coinsurance=0.0, oop_max=3000))
    av_table = load_av2015(AV2015 / "silver_integrated.csv")
    no_carve_out = 1 - av_table.limited(3000) / av_table.mean
    assert y.mean / y.ground_up.mean == pytest.approx(no_carve_out, abs=0.002)
    assert isinstance(table, model.ContinuanceTable)


@pytest.mark.parametrize(
    "name", ["Platinum_Combined", "Gold_Med", "Silver_Rx", "Bronze_Combined"], ids=lambda n: n.lower()
)
def test_table_dist__av2026_tables_reproduce_levs(name: str) -> None:
    """av2026 tables read as laws reproduce their limited expected values at every finite bound."""
    table = load_continuance_table(AV2015.parent / "av2026" / "av2026_core_columns.csv", name)
    dist = TableDist.from_table(table)
    finite = [r for r in table.rows if r.up_to.is_finite()]
    bounds = np.array([float(r.up_to) for r in finite])
    levs = np.array([float(r.limited_expected_value) for r in finite])
    assert np.allclose(dist.lev(bounds), levs, rtol=1e-9, atol=1e-6)
    assert abs(dist.probs.sum() - 1) < 1e-12 and (dist.probs >= 0).all()
