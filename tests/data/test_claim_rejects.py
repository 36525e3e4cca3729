"""Each claim reject reason, with the exact 1-based data row it names."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from aso_rules.data.readers import ClaimsInput

Reader = Callable[[Sequence[str], Sequence[Sequence[str]]], ClaimsInput]

HEADER = (
    "claim_id", "member_id", "family_id", "line", "category", "incurred", "paid", "billed",
    "network", "units", "allowed", "weekly_earnings", "absence_start", "absence_end", "cause",
)  # fmt: skip


def row(cid: str, **over: str) -> list[str]:
    """A good medical row with some columns replaced."""
    base = {
        "claim_id": cid, "member_id": "M-1", "family_id": "", "line": "medical",
        "category": "outpatient", "incurred": "2026-03-02", "paid": "2026-03-20", "billed": "500.00",
        "network": "in", "units": "1", "allowed": "300.00", "weekly_earnings": "", "absence_start": "",
        "absence_end": "", "cause": "",
    }  # fmt: skip
    base.update(over)
    return [base[h] for h in HEADER]


def rejected_at(claims_from: Reader, bad: list[str], position: int = 3) -> tuple[ClaimsInput, str]:
    """Read good rows with ``bad`` inserted at 0-based ``position``; the single reject's reason."""
    rows = [row(f"G-{i}") for i in range(5)]
    rows.insert(position, bad)
    result = claims_from(HEADER, rows)
    assert result.received == 6
    assert len(result.claims) == 5
    assert len(result.rejects) == 1
    reject = result.rejects[0]
    assert reject.row == position + 1
    return result, reject.reason


def test_read_claims__good_rows_accepted(claims_from: Reader) -> None:
    """Rows that satisfy every rule become records, in input order, with their row numbers."""
    result = claims_from(HEADER, [row("A"), row("B", network="out", units="3", allowed="")])
    assert [c.claim_id for c in result.claims] == ["A", "B"]
    assert [c.row for c in result.claims] == [1, 2]
    assert result.claims[0].family_id == "M-1"
    assert result.claims[1].network == "out" and result.claims[1].units == 3
    assert result.claims[1].allowed is None
    assert result.columns == HEADER and not result.rejects


@pytest.mark.parametrize(
    "column", ["claim_id", "member_id", "line", "category", "incurred", "paid", "billed"]
)
def test_read_claims__missing_required_value(claims_from: Reader, column: str) -> None:
    """An empty required field rejects its row with missing_field naming the column."""
    _, reason = rejected_at(claims_from, row("X", **{column: ""}))
    assert reason == f"missing_field: {column} is empty"


def test_read_claims__whitespace_only_is_missing(claims_from: Reader) -> None:
    """A value of blanks counts as empty."""
    _, reason = rejected_at(claims_from, row("X", billed="   "), position=0)
    assert reason == "missing_field: billed is empty"


def test_read_claims__bad_date(claims_from: Reader) -> None:
    """An impossible date rejects the row with bad_date quoting the text."""
    _, reason = rejected_at(claims_from, row("X", paid="2026-13-01"), position=5)
    assert reason == "bad_date: paid '2026-13-01' is not a date"


def test_read_claims__non_iso_date(claims_from: Reader) -> None:
    """Dates must be ISO YYYY-MM-DD; 03/02/2026 is rejected, not guessed."""
    _, reason = rejected_at(claims_from, row("X", incurred="03/02/2026"))
    assert reason == "bad_date: incurred '03/02/2026' is not a date"


def test_read_claims__year_zero(claims_from: Reader) -> None:
    """Year 0000 is ISO-shaped and Arrow parses it, but it is no calendar date: bad_date, no crash."""
    _, reason = rejected_at(claims_from, row("X", incurred="0000-01-01"))
    assert reason == "bad_date: incurred '0000-01-01' is not a date"


def test_read_claims__bad_amount(claims_from: Reader) -> None:
    """An amount that is not a number rejects the row with bad_amount."""
    _, reason = rejected_at(claims_from, row("X", billed="12.3.4"), position=1)
    assert reason == "bad_amount: billed '12.3.4' is not an amount"


def test_read_claims__amount_with_fractions_of_cents(claims_from: Reader) -> None:
    """An amount with more than two decimals is rejected, never rounded."""
    _, reason = rejected_at(claims_from, row("X", allowed="10.005"), position=2)
    assert reason.startswith("bad_amount: allowed '10.005'")


def test_read_claims__negative_billed(claims_from: Reader) -> None:
    """Negative billed rejects the row."""
    _, reason = rejected_at(claims_from, row("X", billed="-5.00"), position=4)
    assert reason == "negative_billed: billed -5.00 is negative"


def test_read_claims__negative_allowed(claims_from: Reader) -> None:
    """Negative allowed rejects the row."""
    _, reason = rejected_at(claims_from, row("X", allowed="-1"))
    assert reason == "negative_allowed: allowed -1.00 is negative"


def test_read_claims__duplicate_claim_id(claims_from: Reader) -> None:
    """A second row with a claim_id keeps the first, rejects the later one naming the first row."""
    rows = [row("G-0"), row("G-1"), row("G-2"), row("C-1"), row("G-3"), row("C-1", billed="9.00")]
    result = claims_from(HEADER, rows)
    assert [(r.row, r.claim_id, r.reason) for r in result.rejects] == [
        (6, "C-1", "duplicate_claim_id: C-1 first seen on row 4")
    ]
    kept = [c for c in result.claims if c.claim_id == "C-1"]
    assert len(kept) == 1 and kept[0].row == 4 and str(kept[0].billed) == "500.00"


def test_read_claims__duplicate_of_a_rejected_row(claims_from: Reader) -> None:
    """The first row carrying an id owns it even when that row is rejected for another reason."""
    result = claims_from(HEADER, [row("C-1", paid="x"), row("C-1")])
    assert [(r.row, r.reason.split(":")[0]) for r in result.rejects] == [
        (1, "bad_date"),
        (2, "duplicate_claim_id"),
    ]
    assert result.claims == ()


def test_read_claims__unknown_member(claims_from: Reader) -> None:
    """A member not in the enrollment rejects the row."""
    _, reason = rejected_at(claims_from, row("X", member_id="M-9"), position=2)
    assert reason == "unknown_member: M-9 is not in the enrollment"


def test_read_claims__family_mismatch(claims_from: Reader) -> None:
    """A family_id that differs from the enrollment's rejects the row; a matching one is accepted."""
    _, reason = rejected_at(claims_from, row("X", family_id="M-2"))
    assert reason == "family_mismatch: family_id M-2 differs from the enrollment's M-1 for M-1"
    ok = claims_from(HEADER, [row("Y", member_id="M-1-C1", family_id="M-1")])
    assert ok.claims[0].family_id == "M-1" and not ok.rejects


def test_read_claims__unknown_line(claims_from: Reader) -> None:
    """A line the ruleset neither covers nor excludes rejects the row."""
    _, reason = rejected_at(claims_from, row("X", line="vision"), position=0)
    assert reason == "unknown_line: vision is not a coverage of this ruleset"


def test_read_claims__excluded_line_is_accepted(claims_from: Reader) -> None:
    """A claim of an excluded line (life) is accepted; adjudication denies it later."""
    result = claims_from(HEADER, [row("L", line="life", category="death_benefit")])
    assert not result.rejects and result.claims[0].line == "life"


def test_read_claims__paid_before_incurred(claims_from: Reader) -> None:
    """A paid date before the incurred date rejects the row."""
    _, reason = rejected_at(claims_from, row("X", incurred="2026-04-02", paid="2026-04-01"))
    assert reason == "paid_before_incurred: paid 2026-04-01 is before incurred 2026-04-02"


def test_read_claims__paid_on_incurred_day_is_fine(claims_from: Reader) -> None:
    """Paid on the day of service is accepted."""
    result = claims_from(HEADER, [row("X", incurred="2026-04-02", paid="2026-04-02")])
    assert not result.rejects


def std_row(cid: str, **over: str) -> list[str]:
    values = {
        "line": "std", "category": "disability", "billed": "0.00", "allowed": "",
        "absence_start": "2026-03-03", "absence_end": "2026-04-13", "cause": "illness",
    }  # fmt: skip
    values.update(over)
    return row(cid, **values)


def test_read_claims__disability_with_salary_in_enrollment(claims_from: Reader) -> None:
    """A std claim with dates is accepted when the member's enrollment gives a salary."""
    result = claims_from(HEADER, [std_row("S-1")])
    assert not result.rejects
    claim = result.claims[0]
    assert claim.cause == "illness" and claim.weekly_earnings is None
    assert str(claim.absence_start) == "2026-03-03"


def test_read_claims__disability_without_earnings(claims_from: Reader) -> None:
    """A std claim for a member with no salary and no weekly_earnings on the claim is rejected."""
    _, reason = rejected_at(claims_from, std_row("X", member_id="M-2"), position=1)
    assert reason.startswith("disability_without_earnings: a std claim needs weekly_earnings")
    ok = claims_from(HEADER, [std_row("Y", member_id="M-2", weekly_earnings="1200.00")])
    assert not ok.rejects and str(ok.claims[0].weekly_earnings) == "1200.00"


def test_read_claims__disability_without_dates(claims_from: Reader) -> None:
    """A std claim without an absence end date is rejected, naming what is missing."""
    _, reason = rejected_at(claims_from, std_row("X", absence_end=""), position=3)
    assert reason == "disability_without_dates: a std claim needs absence_end"


def test_read_claims__absence_end_before_start(claims_from: Reader) -> None:
    """An absence that ends before it starts is rejected."""
    _, reason = rejected_at(claims_from, std_row("X", absence_end="2026-03-01"))
    assert reason == "absence_end_before_start: absence_end 2026-03-01 is before absence_start 2026-03-03"


def test_read_claims__bad_network(claims_from: Reader) -> None:
    """network must be in or out."""
    _, reason = rejected_at(claims_from, row("X", network="maybe"))
    assert reason == "bad_value: network 'maybe' is not one of in|out"


@pytest.mark.parametrize("units", ["0", "-2", "1.5", "two"])
def test_read_claims__bad_units(claims_from: Reader, units: str) -> None:
    """units must be a positive whole number."""
    _, reason = rejected_at(claims_from, row("X", units=units))
    assert reason == f"bad_units: units {units!r} is not a positive whole number"


def test_read_claims__bad_cause(claims_from: Reader) -> None:
    """cause must be illness or accident."""
    _, reason = rejected_at(claims_from, std_row("X", cause="flu"))
    assert reason == "bad_value: cause 'flu' is not one of illness|accident"


def test_read_claims__thousands_separators(claims_from: Reader) -> None:
    """Commas that group thousands are accepted ("1,234.56"); any other comma is a bad amount."""
    result = claims_from(HEADER, [row("A", billed="1,234.56"), row("B", billed="12,34")])
    assert str(result.claims[0].billed) == "1234.56"
    assert [(r.row, r.reason) for r in result.rejects] == [(2, "bad_amount: billed '12,34' is not an amount")]


def test_read_claims__values_are_stripped(claims_from: Reader) -> None:
    """Blanks around values are ignored: ' M-1 ' is member M-1 and ' 2 ' is two units."""
    result = claims_from(HEADER, [row(" A ", member_id=" M-1 ", units=" 2 ", network=" OUT ")])
    claim = result.claims[0]
    assert (claim.claim_id, claim.member_id, claim.units, claim.network) == ("A", "M-1", 2, "out")
