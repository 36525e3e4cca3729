"""The example enrollment files: reproducible from their seeded script, in docs/contracts.md's layout, and
readable as enrollment for their rulesets."""

from __future__ import annotations

import csv
import importlib.util
import io
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

import aso_rules

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
COLUMNS = [
    "member_id",
    "family_id",
    "relationship",
    "tier",
    "coverage_start",
    "coverage_end",
    "birth_date",
    "sex",
    "annual_salary",
]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_enrollment", EXAMPLES / "make_enrollment.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


@pytest.mark.parametrize("entry", SCRIPT.FILES, ids=[f[0] for f in SCRIPT.FILES])
def test_make_enrollment__committed_file_is_what_the_seeded_script_writes(entry: tuple) -> None:  # type: ignore[type-arg]
    """Each committed enrollment file is byte-identical to the script's output for its seed."""
    name, employees, seed, prefix, turnover = entry
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SCRIPT.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(SCRIPT.make(employees, seed, 2026, prefix, turnover))
    assert (EXAMPLES / name).read_text(encoding="utf-8") == buffer.getvalue()


@pytest.mark.parametrize(
    ("ruleset", "employees"),
    [("small-employer-60", 60), ("large-employer-4000", 4000), ("hdhp-2026", 250)],
)
def test_make_enrollment__layout_families_and_tiers(ruleset: str, employees: int) -> None:
    """docs/contracts.md columns; one employee per family with member_id == family_id; tiers of the ruleset;
    family members share the employee's tier and coverage dates."""
    tiers = set(aso_rules.load(ROOT / "rulesets" / f"{ruleset}.aso").tier_codes)
    with (EXAMPLES / f"{ruleset}-enrollment.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        rows = list(reader)
    heads = {r["family_id"]: r for r in rows if r["relationship"] == "employee"}
    assert len(heads) == employees
    assert all(r["member_id"] == r["family_id"] for r in heads.values())
    for row in rows:
        head = heads[row["family_id"]]
        assert row["tier"] in tiers
        assert (row["tier"], row["coverage_start"], row["coverage_end"]) == (
            head["tier"],
            head["coverage_start"],
            head["coverage_end"],
        )
        assert row["relationship"] in ("employee", "spouse", "child")
    by_tier = {t: {r["relationship"] for r in rows if r["tier"] == t} for t in tiers}
    assert by_tier["EE"] == {"employee"}
    assert by_tier["ES"] == {"employee", "spouse"}
    assert by_tier["EC"] == {"employee", "child"}
    assert by_tier["FAM"] == {"employee", "spouse", "child"}


@pytest.mark.slow
@pytest.mark.parametrize("ruleset", ["small-employer-60", "large-employer-4000", "hdhp-2026"])
def test_examples__ruleset_prices_with_its_enrollment(ruleset: str) -> None:
    """Each example ruleset prices against its enrollment file: every enrolled employee counted,
    a fully insured comparison, and the maximum liability above expected claims when there is an
    aggregate contract."""
    rs = aso_rules.load(ROOT / "rulesets" / f"{ruleset}.aso")
    summary = rs.price(EXAMPLES / f"{ruleset}-enrollment.csv", simulations=2000, seed=1).summary
    assert summary["employees"] > 0 and summary["members"] > summary["employees"]
    assert summary["fully_insured"] is not None
    if rs.aggregate is not None:
        assert Decimal(summary["maximum_liability"]) > Decimal(summary["expected_claims"])
