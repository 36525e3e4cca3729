"""`aso renew` end to end on a plan small enough to check every figure by hand."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from pathlib import Path

import pytest

from aso_rules.cli import main

RULES = """ruleset "Small 2026" {
  plan_year 2026-01-01 to 2026-12-31
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  plan pays 100%
}

coverage rx {
  plan pays 100%
}

stop_loss specific "Carrier" {
  deductible $150,000 per claimant
  no_new_lasers on
}

assumptions {
  expected_claims EE $2,500.00, FAM $8,000.00 pepm
  claimants 50% of members
  claimant_cost lognormal mean $6,000 cv 2.0
}

experience {
  trend medical 10%, rx 20%
  projection 12 months
  pooling_point $150,000 per claimant
  credibility buhlmann k 1
  manual_rate EE $1,000.00, FAM $3,000.00 pepm
  rate_cap 10%
}
"""

ENROLLMENT = """member_id,family_id,relationship,tier,coverage_start,coverage_end
E1,E1,employee,EE,2026-01-01,
F1,F1,employee,FAM,2026-01-01,
F1-S,F1,spouse,FAM,2026-01-01,
"""

CLAIMS = """claim_id,member_id,family_id,line,category,incurred,paid,billed,network,allowed
c1,E1,E1,medical,inpatient,2026-03-01,2026-03-20,200000.00,in,200000.00
c2,F1,F1,medical,outpatient,2026-04-01,2026-04-10,10000.00,in,10000.00
c3,F1-S,F1,rx,generic,2026-05-01,2026-05-01,1000.00,in,1000.00
"""


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    (tmp_path / "plan.aso").write_text(RULES, encoding="utf-8")
    (tmp_path / "enrollment.csv").write_text(ENROLLMENT, encoding="utf-8")
    (tmp_path / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    nxt = RULES.replace('"Small 2026"', '"Small 2027"').replace(
        "2026-01-01 to 2026-12-31", "2027-01-01 to 2027-12-31"
    )
    nxt = nxt.replace("coverage medical {\n  plan pays 100%", "coverage medical {\n  plan pays 90%")
    nxt = nxt.replace("  no_new_lasers on\n", '  no_new_lasers on\n  laser "E1" $250,000\n')
    (tmp_path / "next.aso").write_text(nxt, encoding="utf-8")
    return tmp_path


def aso(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``aso ARGS`` in-process in ``cwd`` (exit code, stdout, stderr as a subprocess would)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def test_renew__every_step_by_hand(plan: Path) -> None:
    done = aso(
        "renew", "plan.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv", "--json", cwd=plan
    )
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    s = r["steps"]
    # 2 employees x 12 months; 3 members x 12 = 36 member-months = 3 member-years
    assert r["exposure"] == {"employee_months": 24, "member_months": 36, "member_years": "3.000000"}
    assert s["incurred"] == {"medical": "210000.00", "rx": "1000.00"}  # plan pays 100%
    assert s["completed"] == s["incurred"]  # completion 100% (the default)
    # E1's $200,000 exceeds the $150,000 pooling point by $50,000, all of it medical
    assert s["pooled_excess"] == {"medical": "50000.00", "rx": "0.00"}
    # 160,000 x 1.10 = 176,000; 1,000 x 1.20 = 1,200; total 177,200
    assert s["trended"] == {"medical": "176000.00", "rx": "1200.00"}
    assert s["trended_total"] == "177200.00"
    assert s["experience_pepm"] == "7383.33"  # 177,200 / 24
    assert s["manual_pepm"] == "2000.00"  # (1,000 x 12 + 3,000 x 12) / 24
    assert s["credibility"] == "0.750000"  # Buhlmann 3 / (3 + 1)
    assert s["blended_pepm"] == "6037.50"  # 0.75 x 7,383.33 + 0.25 x 2,000 = 6,037.4975
    # 6,037.50 x 24 = 144,900 spread by the manual rates: 144,900 / 48,000 = 3.01875 per manual dollar
    assert r["expected_claims"] == {"EE": "3018.75", "FAM": "9056.25"}
    assert r["expected_annual"] == "144900.00"
    assert r["funding_rates"] == {"EE": "3018.75", "FAM": "9056.25"}  # no fees or premiums
    assert r["cobra_rates"] == {"EE": "3079.13", "FAM": "9237.38"}  # 102%: 3,079.125 and 9,237.375 half up
    # the layer above $150,000: E1's 200,000 -> 220,000 pays 50,000 -> 70,000: +40% on a 10% trend
    assert r["leveraged_trend"]["experience_layer_trend"] == "0.400000"
    # 3,018.75 / 2,500 - 1 = 20.75% and 9,056.25 / 8,000 - 1 = 13.20% are above the 10% cap
    assert r["funding_increase"] == {"EE": "0.207500", "FAM": "0.132031"}
    assert [f.split(":")[0] for f in r["flags"]] == ["rate_cap", "rate_cap"]


def test_renew__next_ruleset_design_change_and_new_laser(plan: Path) -> None:
    done = aso("renew", "plan.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv",
               "--next", "next.aso", "--json", cwd=plan)  # fmt: skip
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    # 90% of medical: (189,000 + 1,000) / (210,000 + 1,000) = 0.9004739...
    assert r["steps"]["plan_design_change"] == {"factor": "0.900474", "source": "next ruleset"}
    assert r["steps"]["adjusted"] == "159563.99"  # 177,200 x 0.900474 = 159,563.9928
    assert any(f.startswith('no_new_lasers: "Carrier" adds a laser on "E1"') for f in r["flags"])
    assert "no_new_lasers" in done.stderr


def test_renew__projection_prices_to_the_renewal(plan: Path) -> None:
    """renew-out/next.aso is a ruleset `aso price` accepts, and pricing it on the same (steady)
    enrollment reproduces the renewal's expected claims, by tier and in total, and funding rates."""
    pytest.importorskip("scipy")
    done = aso("renew", "plan.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv", cwd=plan)
    assert done.returncode == 0, done.stderr
    r = json.loads((plan / "renew-out" / "renew.json").read_text())
    priced = aso("price", "renew-out/next.aso", "--enrollment", "enrollment.csv", "--out", "p",
                 "--simulations", "0", cwd=plan)  # fmt: skip
    assert priced.returncode == 0, priced.stderr
    p = json.loads((plan / "p" / "price.json").read_text())
    assert p["funding"]["expected_pepm"] == r["expected_claims"]
    assert p["funding_rates"] == r["funding_rates"]
    assert p["expected_claims"] == r["expected_annual"]


@pytest.mark.parametrize(
    "args",
    [
        ["renew", "missing.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv"],
        ["renew", "plan.aso", "--claims", "nope.csv", "--enrollment", "enrollment.csv"],
        ["renew", "plan.aso", "--enrollment", "enrollment.csv"],
        ["renew", "plan.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv", "--out", ""],
        ["renew", "plan.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv", "--next", "x.aso"],
    ],
)
def test_renew__bad_arguments_exit_2_without_traceback(plan: Path, args: list[str]) -> None:
    done = aso(*args, cwd=plan)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_renew__no_experience_block_exits_1(plan: Path) -> None:
    text = RULES[: RULES.index("experience {")]
    (plan / "plain.aso").write_text(text, encoding="utf-8")
    done = aso("renew", "plain.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv", cwd=plan)
    assert done.returncode == 1
    assert "experience" in done.stderr and "Traceback" not in done.stderr


def test_renew__json_matches_its_schema(plan: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    root = Path(__file__).resolve().parents[2]
    schema = json.loads((root / "docs" / "schemas" / "renew.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    done = aso(
        "renew", "plan.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv", "--json", cwd=plan
    )
    report = json.loads(done.stdout)
    jsonschema.validate(report, schema)
    report["expected_annual"] = 1.5  # money is never a float
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema)


def test_renew__exhibit_shows_the_figures(plan: Path) -> None:
    done = aso("renew", "plan.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv", cwd=plan)
    assert done.returncode == 0, done.stderr
    page = (plan / "renew-out" / "renew.html").read_text(encoding="utf-8")
    for figure in ("$144,900.00", "$6,037.50", "$3,079.13", "0.750000", "40.00%", "rate_cap"):
        assert figure in page
    assert "<script" not in page


def test_renew__model_layer_trend_beats_ground_up(plan: Path) -> None:
    """The claimant model's lognormal (mean $6,000, cv 2) above $150,000: the layer trends faster
    than the 10% ground-up trend (the closed forms are checked in test_steps.py)."""
    pytest.importorskip("scipy")
    done = aso(
        "renew", "plan.aso", "--claims", "claims.csv", "--enrollment", "enrollment.csv", "--json", cwd=plan
    )
    trend = json.loads(done.stdout)["leveraged_trend"]["model_layer_trend"]
    assert trend is not None and float(trend) > 0.10
