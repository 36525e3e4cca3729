"""Adjudicated settlement (``settle --adjudicated``) in every engine: the reference, vector and Dask
engines give the same ledger, rejects, summary and stop-loss to the cent.

P-ADJ-E1 (differential): for any administrator's file of claims with versions, voids, signed
adjustments (negative lines included, so that claimants cross the specific deductible up and back
down) and members whose coverage ends, under any specific tier, aggregate contract, fees and the
settings that change stop-loss order, claimants and fee bases, the vector and Dask engines equal the
reference engine: ledger, rejects and summary.json (the ``engine`` key aside), and for the vector
engine every tier's claimants and per-line shares.
P-ADJ-E2 (the issue's property, every engine): settling as adjudicated claims the ledger of a
settlement gives the same stop-loss, fees and employer cost as that settlement.

The Dask engine runs on the in-process client of ``tests.dask.inline`` (its exact stage functions,
no cluster); ``tests/dask`` runs a real cluster.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numba")
pytest.importorskip("distributed")

import aso_rules
from aso_rules.cli import main
from aso_rules.model import Settings
from aso_rules.settle import assemble, settle
from aso_rules.settle.distributed import read_ledger
from tests.dask.inline import InlineClient
from tests.settle.test_adjudicated_properties import FEES, _enrollment, _figures, _ruleset
from tests.strategies.settle import cents
from tests.strategies.stoploss import (
    CLAIMANTS,
    KINDS,
    aggregate_terms,
    line_results,
    members,
    specific_terms,
)
from tests.sweeps import examples

ROOT = Path(__file__).resolve().parents[2]
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COLUMNS = (
    "claim_id",
    "member_id",
    "line",
    "category",
    "incurred",
    "paid",
    "billed",
    "allowed",
    "plan_paid",
    "member_paid",
    "status",
    "claim_version",
    "adjustment_of",
)


@st.composite
def adjudicated_file(draw: st.DrawFn) -> pa.Table:
    """Claims as an administrator reports them: each claim's versions (paid, denied or void, each
    paid after the one before), then signed adjustments (often negative) paid later still."""
    rows: list[dict[str, Any]] = []
    for c in range(draw(st.integers(0, 8))):
        who = draw(st.sampled_from(CLAIMANTS))
        line = draw(st.sampled_from(KINDS))
        incurred = date(2024, 10, 1) + timedelta(days=draw(st.integers(0, 515)))
        paid = incurred
        base = {"member_id": who, "line": line, "category": "OP", "incurred": incurred.isoformat()}
        for v in range(draw(st.integers(1, 3))):
            paid += timedelta(days=draw(st.integers(0, 90)))
            plan = draw(st.one_of(cents(0, 5_000_000), cents(5_000_000, 40_000_000)))
            rows.append(
                {
                    **base,
                    "claim_id": f"C{c}",
                    "paid": paid.isoformat(),
                    "billed": str(plan),
                    "allowed": str(plan),
                    "plan_paid": str(plan),
                    "member_paid": "0.00",
                    "status": draw(st.sampled_from(["paid", "paid", "paid", "void", "denied"])),
                    "claim_version": str(v + 1),
                    "adjustment_of": None,
                }
            )
        for a in range(draw(st.integers(0, 2))):
            paid += timedelta(days=draw(st.integers(0, 90)))
            amount = draw(cents(-40_000_000, 10_000_000))
            rows.append(
                {
                    **base,
                    "claim_id": f"J{c}.{a}",
                    "paid": paid.isoformat(),
                    "billed": "0.00",
                    "allowed": str(amount),
                    "plan_paid": str(amount),
                    "member_paid": "0.00",
                    "status": "paid",
                    "claim_version": None,
                    "adjustment_of": f"C{c}",
                }
            )
    order = draw(st.permutations(range(len(rows))))  # versions need not come in order
    return pa.table({k: pa.array([rows[i][k] for i in order], type=pa.string()) for k in COLUMNS})


RULE_SETTINGS = st.builds(
    Settings,
    processing_order=st.sampled_from(["paid", "incurred"]),
    per_claim_fee_unit=st.sampled_from(["claim", "line"]),
    per_claim_fee_counts_denied=st.booleans(),
    pct_of_claims_base=st.sampled_from(["gross", "net_of_stop_loss"]),
    rounding=st.sampled_from(["half_up", "half_even"]),
    specific_claimant_key=st.sampled_from(["member", "family"]),
)


def _no_engine(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "engine"}


def _engines(rs: aso_rules.Ruleset, claims: Any, enrollment: Any, tmp: Path) -> dict[str, Any]:
    return {
        "reference": settle(rs, claims, enrollment, adjudicated=True),
        "vector": settle(rs, claims, enrollment, adjudicated=True, engine="vector"),
        "dask": settle(
            rs,
            claims,
            enrollment,
            adjudicated=True,
            engine="dask",
            client=InlineClient(),
            out_dir=tmp,
            buckets=3,
        ),
    }


@PROPS
@given(
    members(),
    adjudicated_file(),
    st.lists(specific_terms(), min_size=1, max_size=2),
    st.one_of(st.none(), aggregate_terms()),
    FEES,
    RULE_SETTINGS,
)
def test_p_adj_e1__every_engine_equals_the_reference(
    tmp_path_factory, mm, claims, tiers, agg, fees, rule_settings
):
    _every_engine_equals_the_reference(tmp_path_factory, mm, claims, tiers, agg, fees, rule_settings)


@pytest.mark.slow
@settings(max_examples=examples(100, 600), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members(),
    adjudicated_file(),
    st.lists(specific_terms(), min_size=1, max_size=2),
    st.one_of(st.none(), aggregate_terms()),
    FEES,
    RULE_SETTINGS,
)
def test_p_adj_e1__every_engine_equals_the_reference__sweep(
    tmp_path_factory, mm, claims, tiers, agg, fees, rule_settings
):
    """P-ADJ-E1 on 200 examples (``pytest -m slow``; 600 passed once in 74 s of CPU on a loaded machine)."""
    _every_engine_equals_the_reference(tmp_path_factory, mm, claims, tiers, agg, fees, rule_settings)


def _every_engine_equals_the_reference(tmp_path_factory, mm, claims, tiers, agg, fees, rule_settings):
    tiers = [attrs.evolve(t, name=f"spec{k}") for k, t in enumerate(tiers)]
    rs = attrs.evolve(_ruleset(tiers, agg, fees), settings=rule_settings)
    runs = _engines(rs, claims, _enrollment(mm), tmp_path_factory.mktemp("dask"))
    ref, vec, dsk = runs["reference"], runs["vector"], runs["dask"]
    assert _no_engine(vec.summary) == ref.summary
    assert vec.ledger.equals(ref.ledger)
    assert vec.rejects.equals(ref.rejects)
    assert vec.specific == ref.specific  # claimants, per-line eligibility, shares and ASD absorbed
    assert vec.aggregate == ref.aggregate
    assert _no_engine(dsk.summary) == ref.summary
    assert dsk.ledger.equals(ref.ledger)
    assert dsk.rejects.equals(ref.rejects)


@PROPS
@given(members(), line_results(), specific_terms(), st.one_of(st.none(), aggregate_terms()), FEES)
def test_p_adj_e2__a_ledger_settles_back_in_every_engine(tmp_path_factory, mm, lines, tier, agg, fees):
    rs = _ruleset([tier], agg, fees)
    original = assemble(rs, mm, lines)
    runs = _engines(rs, original.ledger, _enrollment(mm), tmp_path_factory.mktemp("dask"))
    for name, again in runs.items():
        assert again.rejects.num_rows == 0, name
        if name == "dask":  # its tiers list the claimants summary.json shows (the lines stay on workers)
            assert _shown(_figures(again)) == _shown(_figures(original)), name
        else:
            assert _figures(again) == _figures(original), name


def _shown(figures: Any) -> Any:
    specific, *rest = figures
    shown = [
        (*t[:3], {k: c for k, c in t[3].items() if c.excess > 0 or c.deductible is None or c.reimbursed > 0})
        for t in specific
    ]
    return (shown, *rest)


# --------------------------------------------------------------------------- worked examples

RULES = """\
ruleset "Adjudicated claims" {
  plan_year 2026-01-01 to 2026-12-31
  currency USD
  rounding half_up
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  plan pays 100%
}

stop_loss specific "Specific" {
  deductible $100,000 per claimant
  aggregating_deductible $4,000
  covers medical
  basis 12/15
}
"""
ENROLLMENT = "member_id,family_id,relationship,tier,coverage_start\nA,A,employee,EE,2026-01-01\n"
HEADER = "claim_id,member_id,line,category,incurred,paid,billed,allowed,plan_paid,member_paid,status"


def m(text: str) -> Decimal:
    return Decimal(text)


@pytest.mark.parametrize("engine", ["reference", "vector", "dask"])
def test_adjudicated__a_void_and_a_recovery_take_back_across_the_deductible(
    tmp_path: Path, engine: str
) -> None:
    """A's C1 (90,000) then C2 v1 (20,000) reach 110,000: 10,000 over the deductible, of which the
    4,000 ASD absorbs 4,000 and 6,000 is reimbursed (C2's share). C2 v2 voids it (May): A falls to
    90,000, the change -10,000 takes back the 6,000 reimbursed, then the 4,000 absorbed (the ASD
    regains it): share -6,000. C2 v3 (June) pays 15,000: 105,000, 5,000 over, the ASD absorbs
    4,000 again, 1,000 reimbursed. J1 (July) is a 3,000 recovery on C1: 102,000, the change
    -3,000 takes the 1,000 back, then 2,000 of the ASD's 4,000: share -1,000, 2,000 absorbed at
    the end. Net: eligible 102,000, reimbursed 0, ASD absorbed 2,000; shares add up to 0."""
    (tmp_path / "c.csv").write_text(
        HEADER
        + ",claim_version,adjustment_of\n"
        + "C1,A,medical,ip,2026-01-05,2026-02-01,90000.00,90000.00,90000.00,0.00,paid,1,\n"
        + "C2,A,medical,ip,2026-03-01,2026-04-01,20000.00,20000.00,20000.00,0.00,paid,1,\n"
        + "C2,A,medical,ip,2026-03-01,2026-05-01,20000.00,20000.00,20000.00,0.00,void,2,\n"
        + "C2,A,medical,ip,2026-03-01,2026-06-01,15000.00,15000.00,15000.00,0.00,paid,3,\n"
        + "J1,A,medical,ip,2026-01-05,2026-07-01,0.00,-3000.00,-3000.00,0.00,paid,,C1\n",
        encoding="utf-8",
    )
    (tmp_path / "e.csv").write_text(ENROLLMENT, encoding="utf-8")
    options: dict[str, Any] = (
        {"client": InlineClient(), "out_dir": tmp_path / "d"} if engine == "dask" else {}
    )
    s = settle(
        aso_rules.loads(RULES),
        tmp_path / "c.csv",
        tmp_path / "e.csv",
        adjudicated=True,
        engine=engine,
        **options,
    )
    shares = s.ledger.column("specific_reimbursed").to_pylist()
    assert shares == [m("0.00"), m("6000.00"), m("-6000.00"), m("1000.00"), m("-1000.00")]
    spec = s.summary["specific_stop_loss"][0]
    assert (spec["eligible_paid"], spec["reimbursed"], spec["asd_absorbed"]) == (
        "102000.00",
        "0.00",
        "2000.00",
    )
    assert s.summary["totals"]["plan_paid"] == "102000.00"


@pytest.mark.parametrize("engine", ["vector", "dask"])
def test_adjudicated__the_bundled_example_settles_back_in_each_engine(tmp_path: Path, engine: str) -> None:
    """The bundled example settled by an engine, its ledger settled again as adjudicated claims by
    the same engine: the same summary.json (stop-loss, fees, employer cost and all)."""
    rs = aso_rules.load(str(ROOT / "rulesets" / "acme-2026.aso"))
    claims, enrollment = ROOT / "examples" / "acme-claims.csv", ROOT / "examples" / "acme-enrollment.csv"
    options: dict[str, Any] = {}
    if engine == "dask":
        options = {"client": InlineClient(), "out_dir": tmp_path / "first"}
    original = settle(rs, claims, enrollment, engine=engine, **options)
    ledger = read_ledger(tmp_path / "first" / "ledger") if engine == "dask" else original.ledger
    if engine == "dask":
        options["out_dir"] = tmp_path / "again"
    again = settle(rs, ledger, enrollment, adjudicated=True, engine=engine, **options)
    assert again.summary["mode"] == "adjudicated"
    assert {k: v for k, v in _no_engine(again.summary).items() if k != "mode"} == _no_engine(original.summary)


def test_adjudicated__the_command_runs_on_every_engine(tmp_path: Path) -> None:
    """``aso settle --adjudicated`` with --engine vector (filings too) and --engine dask; --filings
    with dask is a usage error (its lines stay on the workers)."""
    rules = tmp_path / "rules.aso"
    rules.write_text(RULES, encoding="utf-8")
    (tmp_path / "c.csv").write_text(
        HEADER + "\nC1,A,medical,ip,2026-01-05,2026-02-01,120000.00,120000.00,120000.00,0.00,paid\n",
        encoding="utf-8",
    )
    (tmp_path / "e.csv").write_text(ENROLLMENT, encoding="utf-8")
    args = [
        "settle",
        str(rules),
        "--claims",
        str(tmp_path / "c.csv"),
        "--enrollment",
        str(tmp_path / "e.csv"),
    ]
    out = ["--adjudicated", "--out", str(tmp_path / "v"), "--filings", str(tmp_path / "f")]
    assert main([*args, *out, "--engine", "vector"]) == 0
    assert (tmp_path / "f" / "filings.json").exists()
    assert (
        main([*args, "--adjudicated", "--engine", "dask", "--out", str(tmp_path / "d"), "--filings", "x"])
        == 2
    )
