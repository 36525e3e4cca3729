"""The synthetic data generator: seeded, valid against the acme ruleset, realistic in shape."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from aso_rules.data.generate import LARGE_RUN, generate_claims, generate_enrollment
from aso_rules.data.readers import known_categories, read_claims, read_enrollment
from aso_rules.model import Ruleset
from tests.data.plans import PLAN_YEAR_2026

DEFAULT_CATEGORIES = {"outpatient", "lab", "imaging", "disability"}  # priced by the line's default terms


@pytest.fixture(scope="module")
def enrollment() -> pa.Table:
    return generate_enrollment(300, PLAN_YEAR_2026, seed=11)


@pytest.fixture(scope="module")
def claims(enrollment: pa.Table) -> pa.Table:
    return generate_claims(enrollment, 20_000, PLAN_YEAR_2026, seed=11, high_cost={"M-1042": 460_000})


def allowed_by_member(claims: pa.Table) -> dict[str, Decimal]:
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    for member, allowed in zip(claims["member_id"].to_pylist(), claims["allowed"].to_pylist(), strict=True):
        totals[member] += allowed or Decimal(0)
    return dict(totals)


def test_generate__same_seed_same_tables(enrollment: pa.Table, claims: pa.Table) -> None:
    """The same arguments give identical tables; another seed gives different ones."""
    again = generate_enrollment(300, PLAN_YEAR_2026, seed=11)
    assert again.equals(enrollment)
    assert generate_claims(again, 20_000, PLAN_YEAR_2026, seed=11, high_cost={"M-1042": 460_000}).equals(
        claims
    )
    assert not generate_enrollment(300, PLAN_YEAR_2026, seed=12).equals(enrollment)


def test_generate__reads_clean(acme: Ruleset, enrollment: pa.Table, claims: pa.Table) -> None:
    """Every generated row passes the readers: no rejects, exactly n_lines claims."""
    members = read_enrollment(enrollment, acme)
    assert members.rejects == () and members.received == enrollment.num_rows
    result = read_claims(claims, acme, members.by_id())
    assert result.rejects == ()
    assert len(result.claims) == result.received == 20_000
    for line in ("medical", "rx", "dental"):
        used = {c.category for c in result.claims if c.line == line}
        assert used <= known_categories(acme, line) | DEFAULT_CATEGORIES, line


def test_generate__families_by_tier(enrollment: pa.Table) -> None:
    """Employees head their families; spouses only in ES/FAM, children only in EC/FAM; one tier a family."""
    rows = enrollment.to_pylist()
    assert sum(r["relationship"] == "employee" for r in rows) == 300
    families: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        families.setdefault(str(r["family_id"]), []).append(r)
    for fid, members in families.items():
        employee = [m for m in members if m["relationship"] == "employee"]
        assert len(employee) == 1 and employee[0]["member_id"] == fid
        assert employee[0]["annual_salary"] is not None
        tiers = {m["tier"] for m in members}
        assert len(tiers) == 1
        rels = Counter(str(m["relationship"]) for m in members)
        tier = tiers.pop()
        assert (rels["spouse"] == 1) == (tier in ("ES", "FAM"))
        assert (rels["child"] >= 1) == (tier in ("EC", "FAM"))
    assert {r["tier"] for r in rows} == {"EE", "ES", "EC", "FAM"}


def test_generate__realistic_mix(claims: pa.Table) -> None:
    """Lines of every kind, fee-schedule lines without allowed, out-of-network, run-out past year end."""
    rows = claims.to_pylist()
    lines = Counter(r["line"] for r in rows)
    assert set(lines) == {"medical", "rx", "dental", "std"}
    assert lines["medical"] > lines["rx"] > lines["dental"] > lines["std"] > 0
    unpriced = [r for r in rows if r["allowed"] is None and r["line"] == "medical"]
    assert {r["code"] for r in unpriced} >= {"99213", "99214"}
    assert any(r["category"] == "inpatient" and r["units"] > 1 for r in unpriced)
    assert any(r["network"] == "out" for r in rows)
    assert any(r["paid"] > date(2026, 12, 31) for r in rows)
    assert all(r["paid"] >= r["incurred"] for r in rows)
    assert all(r["billed"] >= r["allowed"] for r in rows if r["allowed"] is not None)
    std = [r for r in rows if r["line"] == "std"]
    assert all(r["absence_start"] <= r["absence_end"] and r["cause"] in ("illness", "accident") for r in std)
    assert claims.schema.field("billed").type == pa.decimal128(18, 2)


def test_generate__heavy_tail(claims: pa.Table) -> None:
    """A few claimants pass $150,000 of allowed charges; the named one gets at least its target."""
    totals = allowed_by_member(claims)
    big = [m for m, t in totals.items() if t > 155_000]
    assert len(big) >= 3
    assert totals["M-1042"] >= 460_000 - 1


def test_generate__million_dollar_claimant_in_large_runs() -> None:
    """Runs of LARGE_RUN lines or more hold one claimant above $1,000,000."""
    enrollment = generate_enrollment(6_000, PLAN_YEAR_2026, seed=3)
    claims = generate_claims(enrollment, LARGE_RUN, PLAN_YEAR_2026, seed=3)
    assert claims.num_rows == LARGE_RUN
    allowed = pc.fill_null(claims["allowed"], Decimal(0))
    grouped = pa.table({"m": claims["member_id"], "a": allowed}).group_by("m").aggregate([("a", "sum")])
    assert max(grouped["a_sum"].to_pylist()) > 1_000_000


def test_generate__tiny_runs(enrollment: pa.Table) -> None:
    """Tiny and empty requests give exactly that many lines."""
    assert generate_claims(enrollment, 0, PLAN_YEAR_2026, seed=1).num_rows == 0
    assert generate_claims(enrollment, 7, PLAN_YEAR_2026, seed=1).num_rows == 7
