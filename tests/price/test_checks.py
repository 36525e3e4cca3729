"""price.json ``checks`` and ``warnings``: every reported expected value and probability has its Monte
Carlo estimate keyed by its path; a figure more than 4 standard errors away is a warning; the output
validates against docs/schemas/price.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from aso_rules.price.quote import Quote, check_warnings, price
from tests.price.fixtures import acme, acme_months

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs/schemas/price.schema.json").read_text())


@pytest.fixture(scope="module")
def quote() -> Quote:
    return price(acme(), acme_months(), simulations=4_000, seed=2)


def test_checks__cover_every_expected_value_and_probability(quote: Quote) -> None:
    """Each expected reimbursement, claimant count, probability, the expected cost and savings."""
    tiers = [t["name"] for t in quote.summary["specific"]["tiers"]]
    wanted = {
        "employer_cost.expected",
        "aggregate.expected_reimbursement",
        "aggregate.probability_of_attachment",
        "specific.expected_reimbursement",
        "specific.expected_claimants_over_deductible",
        "fully_insured.probability_aso_costs_more",
        "fully_insured.expected_savings",
        "claimant_model.expected_eligible_claims_capped",
    } | {f"specific.tiers.{t}.expected_reimbursement" for t in tiers}
    assert wanted <= set(quote.summary["checks"])
    assert quote.summary["checks"] == json.loads(quote.to_json())["checks"]


def test_checks__acme_agrees_with_its_simulation(quote: Quote) -> None:
    """The exact figures of the acme example lie within 4 standard errors: no check warnings."""
    assert [w for w in quote.summary["warnings"] if "standard errors" in w] == []


def test_checks__price_json_matches_schema(quote: Quote) -> None:
    jsonschema.validate(json.loads(quote.to_json()), SCHEMA)
    without = price(acme(), acme_months(), simulations=0)
    jsonschema.validate(json.loads(without.to_json()), SCHEMA)
    assert without.summary["checks"] == {}
    assert [w for w in without.summary["warnings"] if "standard errors" in w] == []


def _summary(reimbursement: str) -> dict[str, Any]:
    return {"aggregate": {"expected_reimbursement": reimbursement, "probability_of_attachment": 0.25}}


def test_check_warnings__beyond_4_standard_errors_only() -> None:
    """4.5 s.e. away warns (naming the path, both figures); 3.5 s.e. does not; nor does an unreached
    figure (standard error 0) or a path the summary does not have."""
    checks = {
        "aggregate.expected_reimbursement": {"mean": 1000.0, "standard_error": 10.0},
        "aggregate.probability_of_attachment": {"mean": 0.25, "standard_error": 0.0},
        "specific.expected_reimbursement": {"mean": 1.0, "standard_error": 1.0},
    }
    (warning,) = check_warnings(_summary("1045.00"), checks)
    assert "aggregate.expected_reimbursement = 1045.00" in warning and "4.5 standard errors" in warning
    assert check_warnings(_summary("1035.00"), checks) == []


def test_check_warnings__tier_paths_resolve_by_name() -> None:
    summary = {"specific": {"tiers": [{"name": "First", "expected_reimbursement": "50.00"}]}}
    checks = {"specific.tiers.First.expected_reimbursement": {"mean": 100.0, "standard_error": 1.0}}
    assert len(check_warnings(summary, checks)) == 1
