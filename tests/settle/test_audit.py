"""The claims audit (``aso audit``): hand-checked findings, and no finding on the engine's own ledger."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import aso_rules
from aso_rules.cli import main
from aso_rules.data.adjudicated import read_adjudicated
from aso_rules.data.readers import read_enrollment
from aso_rules.settle import settle
from aso_rules.settle.audit import audit

RULES = """\
ruleset "Audit" {
  plan_year 2026-01-01 to 2026-12-31
  currency USD
  rounding half_up
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  deductible $1,000 per person
  plan pays 80%
  exclude cosmetic "Not covered"
}
"""
ENROLLMENT = "member_id,family_id,relationship,tier,coverage_start\nA,A,employee,EE,2026-01-01\n"
HEADER = (
    "claim_id,member_id,line,category,incurred,paid,billed,allowed,plan_paid,member_paid,status,"
    "deductible,coinsurance"
)


def _files(tmp_path: Path, rows: list[str]) -> tuple[Path, Path, Path]:
    rules, claims, enrollment = tmp_path / "r.aso", tmp_path / "c.csv", tmp_path / "e.csv"
    rules.write_text(RULES, encoding="utf-8")
    claims.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    enrollment.write_text(ENROLLMENT, encoding="utf-8")
    return rules, claims, enrollment


def _audit(tmp_path: Path, rows: list[str]):
    rules, claims, enrollment = _files(tmp_path, rows)
    rs = aso_rules.load(rules)
    members = read_enrollment(enrollment, rs).by_id()
    return audit(rs, members, read_adjudicated(claims, rs, members), given=["deductible", "coinsurance"])


def test_audit__a_deductible_applied_twice(tmp_path: Path) -> None:
    """C1 (allowed 1,500) meets A's 1,000 deductible: coinsurance 100, plan 400, paid right. On C2
    (allowed 2,000) the administrator took the deductible again (1,000 + 20% of 1,000 = 200, plan
    800); the rules say 0 deductible, 400 coinsurance, plan 1,600: underpaid by 800."""
    result = _audit(
        tmp_path,
        [
            "C1,A,medical,ip,2026-01-10,2026-01-20,1500.00,1500.00,400.00,1100.00,paid,1000.00,100.00",
            "C2,A,medical,ip,2026-03-10,2026-03-20,2000.00,2000.00,800.00,1200.00,paid,1000.00,200.00",
        ],
    )
    assert [f.claim.claim_id for f in result.findings] == ["C2"]
    f = result.findings[0]
    assert f.kinds == ("underpaid", "wrong_accumulator")
    assert (f.rules.deductible, f.rules.coinsurance, f.rules.plan_paid) == (
        Decimal("0.00"),
        Decimal("400.00"),
        Decimal("1600.00"),
    )
    assert f.difference == Decimal("-800.00")
    assert (result.overpaid, result.underpaid) == (Decimal("0"), Decimal("800.00"))
    assert "deductible.member 1000.00 -> 1000.00" in f.explanation


def test_audit__excluded_service_paid_and_versions_netted(tmp_path: Path) -> None:
    """A paid cosmetic claim (plan 500) is an excluded service paid: overpaid 500. C1's second
    version corrects its plan paid to the rules' 400, so C1 does not differ."""
    header_rows = [
        "C1,A,medical,ip,2026-01-10,2026-01-20,1500.00,1500.00,500.00,1000.00,paid,1000.00,0.00,1",
        "C1,A,medical,ip,2026-01-10,2026-02-20,1500.00,1500.00,400.00,1100.00,paid,1000.00,100.00,2",
        "C2,A,medical,cosmetic,2026-03-10,2026-03-20,500.00,500.00,500.00,0.00,paid,0.00,0.00,1",
    ]
    rules, claims, enrollment = _files(tmp_path, header_rows)
    claims.write_text(HEADER + ",claim_version\n" + "\n".join(header_rows) + "\n", encoding="utf-8")
    rs = aso_rules.load(rules)
    members = read_enrollment(enrollment, rs).by_id()
    result = audit(rs, members, read_adjudicated(claims, rs, members), given=["deductible", "coinsurance"])
    assert [(f.claim.claim_id, f.kinds) for f in result.findings] == [
        ("C2", ("overpaid", "excluded_service_paid"))
    ]
    assert result.overpaid == Decimal("500.00")


def test_audit__the_engines_own_ledger_has_no_finding(tmp_path: Path) -> None:
    """The bundled example settled, then audited against the same rules: nothing differs."""
    rs = aso_rules.load("rulesets/acme-2026.aso")
    settle(rs, "examples/acme-claims.csv", "examples/acme-enrollment.csv").write(tmp_path / "run")
    members = read_enrollment("examples/acme-enrollment.csv", rs).by_id()
    paid = read_adjudicated(tmp_path / "run" / "ledger.csv", rs, members)
    result = audit(rs, members, paid, given=["deductible", "copay", "coinsurance"])
    assert result.audited > 4000 and result.findings == ()


def test_audit__cli_writes_files_and_exit_code(tmp_path: Path, capsys) -> None:
    rules, claims, enrollment = _files(
        tmp_path,
        [
            "C1,A,medical,ip,2026-01-10,2026-01-20,1500.00,1500.00,400.00,1100.00,paid,1000.00,100.00",
            "C2,A,medical,ip,2026-03-10,2026-03-20,2000.00,2000.00,800.00,1200.00,paid,1000.00,200.00",
        ],
    )
    args = [
        "audit",
        str(rules),
        "--claims",
        str(claims),
        "--enrollment",
        str(enrollment),
        "--out",
        str(tmp_path / "o"),
    ]
    assert main(args) == 0
    assert "underpaid 800.00" in capsys.readouterr().out
    assert main([*args, "--exit-code", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["claims_differing"] == 1 and data["by_kind"]["wrong_accumulator"] == 1
    assert (tmp_path / "o" / "audit.csv").read_text().splitlines()[1].startswith("C2,A,medical")
    assert (
        main(["audit", str(rules), "--claims", str(tmp_path / "nope.csv"), "--enrollment", str(enrollment)])
        == 2
    )
