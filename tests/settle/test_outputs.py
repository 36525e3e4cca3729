"""The output contracts of docs/contracts.md: ledger columns, rejects, summary.json keys and money format."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from aso_rules.data.records import ClaimRecord, Reject
from aso_rules.model import Assumptions, Fee
from aso_rules.settle import assemble
from aso_rules.settle.ledger import LEDGER_COLUMNS, summary_json
from aso_rules.settle.results import LineResult
from tests.settle.sl_plans import aggregate, families, line, m, member, ruleset, specific, tiered

MONEY = re.compile(r"^-?\d+\.\d\d$")
ALL = ("EE", "ES", "EC", "FAM")

DESIGN_KEYS = {
    "ruleset",
    "plan_year",
    "counts",
    "totals",
    "by_line",
    "specific_stop_loss",
    "aggregate_stop_loss",
    "fees",
    "stop_loss_premium",
    "employer_cost",
    "fully_insured",
}
EXTRA_KEYS = {"unknown_categories"}


def _settlement(**kw):
    emp = families({"EE": 3})
    ids = [x.member_id for x in emp]
    lines = [
        line(
            "C1",
            ids[0],
            "medical",
            "2025-02-01",
            "2025-02-10",
            "200000.00",
            allowed="201000.00",
            billed="300000.00",
        ),
        line("C2", ids[1], "dental", "2025-03-01", "2025-03-05", "80.00", allowed="100.00"),
        line("C3", ids[2], "medical", "2025-03-01", "2025-03-05", "0.00", status="denied"),
    ]
    rs = ruleset(
        specific_tiers=[specific(deductible="150000.00", premium=tiered(dict.fromkeys(ALL, "40.00")))],
        agg=aggregate(factors=dict.fromkeys(ALL, "500.00"), premium=tiered(dict.fromkeys(ALL, "5.00"))),
        fees=[
            Fee("admin", "pepm", amounts=tiered(dict.fromkeys(ALL, "30.00"))),
            Fee("pc", "per_claim", amount=m("1.00")),
        ],
        assumptions=Assumptions(fully_insured=tiered(dict.fromkeys(ALL, "900.00"))),
    )
    return assemble(rs, {x.member_id: x for x in emp}, lines, **kw)


def _money_leaves(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _money_leaves(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _money_leaves(v, f"{path}[{i}]")
    else:
        yield path, node


def test_summary__keys_exactly_as_design():
    """summary.json has docs/contracts.md's keys (plus the documented unknown_categories) at every level."""
    s = _settlement().summary
    assert set(s) == DESIGN_KEYS | EXTRA_KEYS
    assert list(s)[: len(DESIGN_KEYS)] == [
        "ruleset", "plan_year", "counts", "totals", "by_line", "specific_stop_loss",
        "aggregate_stop_loss", "fees", "stop_loss_premium", "employer_cost", "fully_insured",
    ]  # fmt: skip
    assert set(s["plan_year"]) == {"start", "end"}
    assert set(s["counts"]) == {"received", "settled", "paid", "denied", "rejected"}
    assert set(s["totals"]) == {"billed", "allowed", "member_paid", "plan_paid"}
    assert set(s["by_line"]["medical"]) == {"claims", "allowed", "member_paid", "plan_paid"}
    tier = s["specific_stop_loss"][0]
    assert {"name", "reimbursed", "claimants"} <= set(tier)
    assert {"member_id", "eligible_paid", "deductible", "reimbursed"} <= set(tier["claimants"][0])
    assert {"attachment_point", "eligible_claims", "reimbursed"} <= set(s["aggregate_stop_loss"])
    assert list(s["fees"]) == ["admin", "pc", "total"]
    assert set(s["stop_loss_premium"]) == {"specific", "aggregate", "total"}
    assert list(s["employer_cost"])[:5] == [
        "claims",
        "specific_reimbursed",
        "aggregate_reimbursed",
        "fixed_costs",
        "total",
    ]
    assert set(s["fully_insured"]) == {"premium", "difference"}


def test_summary__money_is_exact_decimal_cents():
    """Every money value in the summary is a Decimal of cents (equal to its two-decimal JSON text);
    counts are ints; summary.json writes the amounts as two-decimal strings."""
    s = _settlement().summary
    for path, value in _money_leaves(s):
        if path.startswith(".counts") or (path.endswith(".claims") and path.startswith(".by_line")):
            assert isinstance(value, int), path
        elif path in (".ruleset", ".plan_year.start", ".plan_year.end") or path.endswith(
            (".name", ".member_id")
        ):
            assert isinstance(value, str), path
        else:
            assert isinstance(value, Decimal) and value == value.quantize(Decimal("0.01")), (path, value)
            assert value == f"{value:f}" and MONEY.match(f"{value:f}"), (path, value)
    for path, value in _money_leaves(json.loads(summary_json(s))):
        if not (path.startswith(".counts") or path.endswith(".claims")):
            assert isinstance(value, str), path


def test_summary__values_and_identity():
    """The summary's numbers: counts, specific 50,000 for C1, employer identity holds exactly."""
    s = _settlement().summary
    assert s["counts"] == {"received": 3, "settled": 3, "paid": 2, "denied": 1, "rejected": 0}
    assert s["specific_stop_loss"][0]["reimbursed"] == "50000.00"
    assert s["specific_stop_loss"][0]["claimants"] == [
        {"member_id": "E-EE-0", "eligible_paid": "200000.00", "deductible": "150000.00",
         "reimbursed": "50000.00", "asd_absorbed": "0.00"}
    ]  # fmt: skip
    e = {k: m(v) for k, v in s["employer_cost"].items()}
    assert e["total"] == e["claims"] - e["specific_reimbursed"] - e["aggregate_reimbursed"] + e["fixed_costs"]
    # 3 employees x 12 months: admin 30, premiums 40 + 5; 3 claims x 1.00 per claim
    assert e["fixed_costs"] == 36 * m("30.00") + 36 * m("45.00") + m("3.00")
    fi = s["fully_insured"]
    assert m(fi["difference"]) == m(fi["premium"]) - e["total"]
    assert fi["premium"] == "32400.00"


def test_ledger__columns_in_order_and_extra_columns_carried():
    """Ledger: the input columns as given (extras kept, given allowed renamed), then the contract columns."""
    r = line("C9", "A", "medical", "2025-02-01", "2025-02-10", "90.00", allowed="100.00")
    claim = ClaimRecord(**{**_fields(r.claim), "allowed": m("100.00"), "extra": {"provider": "HOSP-1"}})
    r = LineResult(**{**_fields(r), "claim": claim})
    cols = ("claim_id", "member_id", "line", "category", "incurred", "paid", "billed", "allowed", "provider")
    s = assemble(ruleset(), {"A": member("A")}, [r], columns=cols)
    names = s.ledger.column_names
    assert names == [*cols[:7], "input_allowed", "provider", *LEDGER_COLUMNS]
    row = s.ledger.to_pylist()[0]
    assert row["provider"] == "HOSP-1"
    assert row["incurred"] == date(2025, 2, 1)
    assert (row["allowed"], row["member_paid"], row["plan_paid"]) == (m("100.00"), m("10.00"), m("90.00"))
    assert row["member_paid"] + row["plan_paid"] == row["allowed"]
    assert row["aggregate_eligible"] is False


def test_ledger__specific_column_adds_up_and_rows_in_input_order():
    """The specific_reimbursed column adds up to the summary's total; rows follow the input rows."""
    s = _settlement()
    assert sum(s.ledger.column("specific_reimbursed").to_pylist()) == m("50000.00")
    assert s.ledger.column("claim_id").to_pylist() == ["C1", "C2", "C3"]
    assert s.ledger.column("aggregate_eligible").to_pylist() == [True, False, False]


def test_write__files_and_formats(tmp_path):
    """write() puts ledger.csv (or .parquet), rejects.csv and summary.json in the folder."""
    s = _settlement(claim_rejects=[Reject(7, "BAD", "unknown member")], received=4)
    s.write(tmp_path / "out")
    with open(tmp_path / "out" / "ledger.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[-len(LEDGER_COLUMNS) :] == list(LEDGER_COLUMNS)
    assert rows[0]["specific_reimbursed"] == "50000.00"
    assert rows[0]["aggregate_eligible"] == "true"
    assert rows[2]["status"] == "denied"
    with open(tmp_path / "out" / "rejects.csv", newline="") as fh:
        assert list(csv.DictReader(fh)) == [
            {"row": "7", "claim_id": "BAD", "reason": "unknown member", "line": ""}
        ]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["counts"]["received"] == 4
    assert summary == json.loads(summary_json(s.summary))
    s.write(tmp_path / "pq", ledger_format="parquet")
    table = pq.read_table(tmp_path / "pq" / "ledger.parquet")
    assert table.column_names == s.ledger.column_names
    assert table.num_rows == 3


def _fields(obj):
    import attrs

    return attrs.asdict(obj, recurse=False)


def test_summary__validates_against_the_published_schema():
    """summary.json validates against docs/schemas/summary.schema.json, with and without stop-loss."""
    from pathlib import Path

    import jsonschema

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "docs/schemas/summary.schema.json").read_text()
    )
    jsonschema.validate(json.loads(summary_json(_settlement().summary)), schema)
    bare = assemble(
        ruleset(), {"A": member("A")}, [line("X", "A", "medical", "2025-01-01", "2025-01-02", "5.00")]
    )
    assert bare.summary["aggregate_stop_loss"] is None and bare.summary["fully_insured"] is None
    jsonschema.validate(json.loads(summary_json(bare.summary)), schema)
    broken = json.loads(summary_json(bare.summary))
    broken["totals"]["plan_paid"] = 5.0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
