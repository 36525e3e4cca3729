"""The Quote: price.json keys as docs/contracts.md, money strings, hand-checked figures, the report."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import attrs
import numpy as np
import pytest

from aso_rules import model
from aso_rules.price import PricingError, Quote, price
from tests.price.fixtures import acme, acme_months, constant_months

MONEY = re.compile(r"^-?\d+\.\d{2}$")
TOP_KEYS = {
    "ruleset", "employees", "members", "employee_months", "expected_claims", "fixed_costs", "funding_rates",
    "aggregate_attachment_point", "maximum_liability", "specific", "aggregate", "employer_cost",
    "fully_insured", "method",
}  # fmt: skip


@pytest.fixture(scope="module")
def quote() -> Quote:
    return price(acme(), acme_months(), simulations=4000, seed=1)


def test_price__summary_has_design_keys(quote: Quote) -> None:
    """price.json holds every docs/contracts.md key with the documented nesting (extras only beside them)."""
    s = quote.summary
    assert set(s) >= TOP_KEYS
    assert {"fees", "stop_loss_premium", "total"} <= set(s["fixed_costs"])
    assert {"expected_reimbursement", "expected_claimants_over_deductible", "premium"} <= set(s["specific"])
    assert {"expected_reimbursement", "probability_of_attachment", "premium"} <= set(s["aggregate"])
    assert {"expected", "p50", "p75", "p90", "p95", "p99"} == set(s["employer_cost"])
    assert {"premium", "expected_savings", "probability_aso_costs_more"} <= set(s["fully_insured"])
    assert {"aggregate", "simulations", "seed"} <= set(s["method"])
    assert set(s["funding_rates"]) == {"EE", "ES", "EC", "FAM"}


def test_price__money_is_two_decimal_strings(quote: Quote) -> None:
    """Every money value is a string with exactly two decimals; probabilities and counts are numbers."""
    s = quote.summary
    money_values = [
        s["expected_claims"], *s["fixed_costs"].values(), *s["funding_rates"].values(),
        s["aggregate_attachment_point"], s["maximum_liability"], s["specific"]["expected_reimbursement"],
        s["specific"]["premium"], s["aggregate"]["expected_reimbursement"], s["aggregate"]["premium"],
        *s["employer_cost"].values(), s["fully_insured"]["premium"], s["fully_insured"]["expected_savings"],
    ]  # fmt: skip
    assert all(isinstance(v, str) and MONEY.match(v) for v in money_values)
    assert isinstance(s["aggregate"]["probability_of_attachment"], float)
    assert isinstance(s["specific"]["expected_claimants_over_deductible"], float)
    assert isinstance(s["employees"], int) and isinstance(s["employee_months"], int)


def test_price__acme_exact_figures(quote: Quote) -> None:
    """Acme at 250 employees: expected claims, fixed costs, rates, attachment and ceiling by hand."""
    s = quote.summary
    # 12 x (110 x 480 + 50 x 1020 + 30 x 870 + 60 x 1450) = 2,602,800.00
    assert s["expected_claims"] == "2602800.00"
    assert s["fixed_costs"] == {"fees": "130050.00", "stop_loss_premium": "257382.00", "total": "387432.00"}
    # EE: 480 + 38.50 + 4.25 + 0.60 + 42.10 + 6.25 + 3.50 = 575.20
    assert s["funding_rates"] == {"EE": "575.20", "ES": "1168.10", "EC": "1003.10", "FAM": "1623.60"}
    assert s["aggregate_attachment_point"] == "3253500.00"
    assert s["maximum_liability"] == "3640932.00"
    assert s["fully_insured"]["premium"] == "3460200.00"  # 12 x (110x655 + 50x1320 + 30x1150 + 60x1930)


def test_price__percentiles_ordered_and_below_ceiling(quote: Quote) -> None:
    """p50 <= p75 <= p90 <= p95 <= p99, and each (and the mean) is at most the maximum liability."""
    ec = quote.summary["employer_cost"]
    values = [Decimal(ec[k]) for k in ("p50", "p75", "p90", "p95", "p99")]
    assert values == sorted(values)
    ceiling = Decimal(quote.summary["maximum_liability"])
    assert Decimal(ec["expected"]) <= ceiling and values[-1] <= ceiling


def test_price__agrees_with_its_monte_carlo(quote: Quote) -> None:
    """The exact expected employer cost and specific reimbursement lie within 4 standard errors of the
    seeded simulation of the same plan years."""
    s = quote.summary
    for key, exact in (
        ("employer_cost.expected", float(s["employer_cost"]["expected"])),
        (
            "specific.tiers.Acme Re first tier.expected_reimbursement",
            float(s["specific"]["tiers"][0]["expected_reimbursement"]),
        ),
    ):
        mc = quote.checks[key]
        assert abs(exact - mc["mean"]) < 4 * mc["standard_error"], key


def test_price__savings_is_premium_minus_expected_cost(quote: Quote) -> None:
    """expected_savings = fully insured premium - expected employer cost, to the cent."""
    s = quote.summary
    fi = s["fully_insured"]
    assert Decimal(fi["expected_savings"]) == Decimal(fi["premium"]) - Decimal(s["employer_cost"]["expected"])


def test_price__seed_reproducible() -> None:
    """The same seed gives the same quote, Monte Carlo checks included."""
    a = price(acme(), acme_months(), simulations=500, seed=3)
    b = price(acme(), acme_months(), simulations=500, seed=3)
    assert a.summary == b.summary and a.checks == b.checks


def test_price__without_claim_cost_is_a_pricing_error() -> None:
    """Assumptions without a claim-cost distribution give a PricingError that says what is missing."""
    with pytest.raises(PricingError, match="claimant_cost"):
        price(acme(claimant_cost=None), acme_months(), simulations=0)


def test_price__continuance_table_severity(shared_data: Path) -> None:
    """An av2026 table (loaded from its path) prices, with every member a draw from the table."""
    table = model.ContinuanceTable(
        path=str(shared_data / "av2026" / "av2026_core_columns.csv"), name="Gold_Combined"
    )
    q = price(acme(claimant_cost=table, claimants_pct=None), acme_months(), simulations=0)
    assert q.summary["claimant_model"]["expected_claimants"] == pytest.approx(585.0)
    assert 0.5 < q.summary["claimant_model"]["actuarial_value"] < 1.0


def test_price__negative_binomial_widens_the_distribution() -> None:
    """Same mean, more count variance: the same expected claims but a higher 99th percentile."""
    poisson = price(acme(), acme_months(), simulations=0).summary["employer_cost"]
    negbin = price(acme(claim_count=model.NegativeBinomial(Decimal("0.01"))), acme_months(), simulations=0)
    nb = negbin.summary["employer_cost"]
    assert Decimal(nb["p99"]) > Decimal(poisson["p99"])
    assert abs(Decimal(nb["expected"]) - Decimal(poisson["expected"])) < Decimal("0.005") * Decimal(
        poisson["expected"]
    )


def test_quote_write__files_and_json_roundtrip(quote: Quote, tmp_path: Path) -> None:
    """write() produces price.json (equal to summary) and a self-contained report.html."""
    json_path, html_path = quote.write(tmp_path / "out")
    assert json.loads(json_path.read_text()) == quote.summary
    page = html_path.read_text()
    assert "<script src=" not in page and "<link" not in page and "@import" not in page
    assert "Employer cost distribution" in page and "Funding rates per tier" in page
    assert "Maximum liability" in page and "Fully insured premium" in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_report__renders_in_headless_chromium(quote: Quote, tmp_path: Path) -> None:
    """Headless Chromium, offline, renders report.html to a non-blank screenshot with the chart drawn."""
    _, html_path = quote.write(tmp_path)
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    cmd = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--window-size=1200,1600", "--virtual-time-budget=5000", f"--screenshot={shot}", html_path.as_uri(),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000
    dom = subprocess.run(
        [*cmd[:-2], "--dump-dom", html_path.as_uri()], check=True, capture_output=True, timeout=120, text=True
    ).stdout
    assert "main-svg" in dom  # plotly drew its SVG: the inlined plotly.js ran without the network


def test_price__asd_retention_between_zero_and_asd(quote: Quote) -> None:
    """The first tier's expected excess kept by the employer (its $50,000 ASD) is in (0, 50,000]; the
    second tier, with no ASD, keeps nothing."""
    first, second = quote.summary["specific"]["tiers"]
    assert Decimal("0") < Decimal(first["expected_excess_retained"]) <= Decimal("50000.00")
    assert abs(Decimal(second["expected_excess_retained"])) <= Decimal("0.01")


def test_price__table_path_relative_to_rule_file(tmp_path: Path, shared_data: Path) -> None:
    """A table path written relative to the rule file is found beside the root rule file."""
    source = shared_data / "av2026" / "av2026_core_columns.csv"
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "av.csv").write_text(source.read_text())
    rs = attrs.evolve(
        acme(claimant_cost=model.ContinuanceTable(path="tables/av.csv", name="Silver_Combined")),
        files=(str(tmp_path / "plan.aso"),),
    )
    assert price(rs, acme_months(), simulations=0).summary["claimant_model"]["actuarial_value"] > 0.5


def test_ruleset_price__delegates_to_price() -> None:
    """Ruleset.price(enrollment, ...) returns the same Quote as price(ruleset, enrollment, ...)."""
    rs = acme()
    assert rs.price(acme_months(), simulations=0).summary == price(rs, acme_months(), simulations=0).summary


def test_quote__public_api_name() -> None:
    """``aso_rules.Quote`` is the pricing Quote (docs/contracts.md public API)."""
    import aso_rules

    assert aso_rules.Quote is Quote


def test_quote_write__without_aggregate_or_fully_insured(tmp_path: Path) -> None:
    """No aggregate and no fully insured rates: those keys are null and the report still renders."""
    rs = attrs.evolve(acme(fully_insured=None), aggregate=None)
    q = price(rs, acme_months(), simulations=0)
    assert q.summary["aggregate"] is None and q.summary["fully_insured"] is None
    assert q.summary["aggregate_attachment_point"] is None and q.summary["maximum_liability"] is None
    _, html_path = q.write(tmp_path)
    assert "No aggregate stop-loss" in html_path.read_text()


def test_price__specific_total_is_sum_of_tiers(quote: Quote) -> None:
    """specific.expected_reimbursement is exactly the sum of the tiers' figures."""
    spec = quote.summary["specific"]
    assert Decimal(spec["expected_reimbursement"]) == sum(
        (Decimal(t["expected_reimbursement"]) for t in spec["tiers"]), Decimal(0)
    )


def test_price__average_counts_round_half_up() -> None:
    """employees and members are monthly averages rounded half up (6 months of 10, 6 of 11 -> 11)."""
    months = constant_months(10, 0, 0, 0, 25)[:6] + constant_months(11, 0, 0, 0, 26)[6:]
    s = price(acme(), months, simulations=0).summary
    assert s["employees"] == 11 and s["members"] == 26 and s["employee_months"] == 126


def test_price__percentiles_match_simulated_probabilities() -> None:
    """Each FFT percentile p_k of employer cost has simulated P(C <= p_k) within 0.005 of k/100, and the
    attachment probability agrees with simulation to 0.005 (200,000 simulated years)."""
    from aso_rules.price.aggregate import simulate
    from aso_rules.price.quote import claimant_model

    rs = acme()
    months = constant_months(20, 10, 5, 10, 100)
    q = price(rs, months, simulations=0)
    s = q.summary
    y, count = claimant_model(rs, months)
    sims = simulate(y, count, {"s": lambda v: np.minimum(v, 150_000.0)}, simulations=200_000, seed=17).values[
        "s"
    ]
    a = float(s["aggregate_attachment_point"])
    fixed = float(s["fixed_costs"]["total"])
    cost = fixed + np.minimum(sims, a) + np.maximum(sims - a - 1_000_000.0, 0.0)
    for k in (50, 75, 90, 95, 99):
        assert float((cost <= float(s["employer_cost"][f"p{k}"]) + 0.005).mean()) == pytest.approx(
            k / 100, abs=0.005
        )
    assert s["aggregate"]["probability_of_attachment"] == pytest.approx(float((sims > a).mean()), abs=0.005)
