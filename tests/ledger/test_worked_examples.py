"""Worked examples with hand-checked numbers, on SQLite and on a real PostgreSQL server.

Plan: medical deductible $1,000 per person, coinsurance 20% (plan pays 80%), out-of-pocket
$5,000 per person; specific stop-loss $10,000 per claimant on plan-paid medical claims.
"""

from __future__ import annotations

from pathlib import Path

import aso_rules.ledger as ledger_api
from tests.ledger.helpers import batch_table, claim, line_of, reversal, write_plan


def test_reversed_claim_that_met_the_deductible_moves_it_to_the_next_claim(
    ledger_url: str, tmp_path: Path
) -> None:
    """January: c1 allowed 1,500 takes the whole 1,000 deductible (coinsurance 20% x 500 = 100,
    plan 400); c2 allowed 500 has none left (coinsurance 100, plan 400). February reverses c1: c2
    is re-adjudicated, now the first line of the year: deductible 500, plan 0."""
    plan, enrollment = write_plan(tmp_path)
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        led.post(
            batch_table(
                [claim("c1", "A1", "2026-01-10", "1500.00"), claim("c2", "A1", "2026-01-20", "500.00")]
            ),
            batch="2026-01",
        )
        jan = led.export()
        assert (line_of(jan, "c1")["deductible"], line_of(jan, "c1")["plan_paid"]) == ("1000.00", "400.00")
        assert (line_of(jan, "c2")["deductible"], line_of(jan, "c2")["coinsurance"]) == ("0.00", "100.00")
        assert line_of(jan, "c2")["plan_paid"] == "400.00"
        result = led.post(batch_table([reversal("r1", "A1", "2026-02-03", "c1", "1500.00")]), batch="2026-02")
        assert (result.reversals, result.readjudicated, result.lines) == (1, 1, 0)
        feb = led.export()
        assert [r["claim_id"] for r in feb.ledger.to_pylist()] == ["c2"]
        c2 = line_of(feb, "c2")
        assert (c2["deductible"], c2["coinsurance"], c2["plan_paid"]) == ("500.00", "0.00", "0.00")
        assert feb.summary["totals"]["plan_paid"] == "0.00"
        history = led.history("c2")
        assert [(h["batch"], h["kind"], h["deductible"], h["plan_paid"]) for h in history] == [
            ("2026-01", "new", "0.00", "400.00"),
            ("2026-02", "readjudicated", "500.00", "0.00"),
        ]
        assert [(h["kind"], h["plan_paid"]) for h in led.history("c1")] == [
            ("new", "400.00"),
            ("reversed", "0.00"),
        ]


def test_reversal_above_the_specific_deductible_lowers_the_reimbursement_due(
    ledger_url: str, tmp_path: Path
) -> None:
    """January: s1 allowed 20,000 (deductible 1,000, coinsurance 3,800, plan 15,200) and s2 allowed
    5,000 (out-of-pocket left 200, plan 4,800): plan paid 20,000, specific due 10,000, B1 crosses.
    January is closed. February reverses s2: plan paid to date 15,200, reimbursed to date 5,200, so
    February's statement shows claims -4,800 and specific due -4,800 (against January's 10,000)."""
    plan, enrollment = write_plan(tmp_path)
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        led.post(
            batch_table(
                [claim("s1", "B1", "2026-01-05", "20000.00"), claim("s2", "B1", "2026-01-25", "5000.00")]
            ),
            batch="2026-01",
        )
        jan = led.close_month("2026-01", tmp_path / "out")
        assert jan["claims_paid"]["plan_paid"] == "20000.00"
        due = jan["specific_reimbursement_due"]
        assert due["total"] == "10000.00"
        assert [
            (c["member_id"], c["due_this_month"], c["crossed_this_month"])
            for c in due["tiers"][0]["claimants"]
        ] == [("B1", "10000.00", True)]
        # 4 employees (3 EE, 1 FAM): admin 4 x 30 = 120, premium 3 x 100 + 200 = 500
        assert (jan["fees_total"], jan["stop_loss_premium"]) == ("120.00", "500.00")
        assert jan["employer_cost"]["month"] == "10620.00"  # 20,000 - 10,000 + 120 + 500
        assert (tmp_path / "out" / "statement-2026-01.html").read_text().startswith("<!DOCTYPE html>")
        led.post(batch_table([reversal("r2", "B1", "2026-02-02", "s2", "5000.00")]), batch="2026-02")
        feb = led.close_month("2026-02")
        assert feb["claims_paid"]["plan_paid"] == "-4800.00"
        assert feb["specific_reimbursement_due"]["total"] == "-4800.00"
        assert feb["employer_cost"]["month"] == "620.00"  # -4,800 + 4,800 + 120 + 500
        assert led.export().summary["specific_stop_loss"][0]["reimbursed"] == "5200.00"


def test_a_late_claim_re_adjudicates_its_family_only(ledger_url: str, tmp_path: Path) -> None:
    """March: a1 600 (deductible 600, plan 0) and a2 600 (deductible 400, coinsurance 40, plan 160)
    for A1; c1 600 for C1. A later batch brings a0 300 for A1 paid before a1: A1 is re-adjudicated
    (a0 deductible 300; a1 unchanged, deductible 600; a2 deductible 100, coinsurance 100, plan 400);
    C1 is not touched (one adjudication in its history)."""
    plan, enrollment = write_plan(tmp_path)
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        led.post(
            batch_table(
                [
                    claim("a1", "A1", "2026-03-10", "600.00"),
                    claim("c1", "C1", "2026-03-15", "600.00"),
                    claim("a2", "A1", "2026-03-20", "600.00"),
                ]
            ),
            batch="2026-03",
        )
        mar = led.export()
        assert (line_of(mar, "a2")["deductible"], line_of(mar, "a2")["plan_paid"]) == ("400.00", "160.00")
        result = led.post(batch_table([claim("a0", "A1", "2026-03-05", "300.00")]), batch="2026-03-late")
        assert (result.lines, result.readjudicated, result.families) == (1, 1, 1)
        late = led.export()
        got = {
            c: (line_of(late, c)["deductible"], line_of(late, c)["plan_paid"])
            for c in ("a0", "a1", "a2", "c1")
        }
        assert got == {
            "a0": ("300.00", "0.00"),
            "a1": ("600.00", "0.00"),
            "a2": ("100.00", "400.00"),
            "c1": ("600.00", "0.00"),
        }
        assert [h["kind"] for h in led.history("a2")] == ["new", "readjudicated"]
        assert [h["kind"] for h in led.history("a1")] == ["new"]
        assert [h["kind"] for h in led.history("c1")] == ["new"]


def test_a_family_whose_new_lines_come_after_its_last_is_continued_from_its_carry(
    ledger_url: str, tmp_path: Path
) -> None:
    """January: a1 allowed 600 (deductible 600, plan 0). February: a2 allowed 600 is after a1, so
    A1 is settled from its carried accumulators alone (a1 is not re-read): deductible 400 left,
    coinsurance 20% x 200 = 40, plan 160; the same as settling both at once."""
    plan, enrollment = write_plan(tmp_path)
    with ledger_api.init(ledger_url, plan, enrollment) as led:
        led.post(batch_table([claim("a1", "A1", "2026-01-10", "600.00")]), batch="jan", engine="reference")
        result = led.post(
            batch_table([claim("a2", "A1", "2026-02-10", "600.00")]), batch="feb", engine="reference"
        )
        assert (result.families, result.continued, result.readjudicated) == (1, 1, 0)
        a2 = line_of(led.export(), "a2")
        assert (a2["deductible"], a2["coinsurance"], a2["plan_paid"]) == ("400.00", "40.00", "160.00")
        assert set(led.state.carries) == {"A1"}
