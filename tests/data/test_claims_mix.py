"""Mixes of good and bad claim rows: exactly the bad ones are rejected, each with its own row number."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules.data.readers import EnrollmentInput, read_claims
from aso_rules.data.records import MemberRecord
from aso_rules.model import Ruleset

HEADER = ("claim_id", "member_id", "line", "category", "incurred", "paid", "billed", "allowed",
          "absence_start", "absence_end", "units", "network")  # fmt: skip

Row = dict[str, str]


def good(i: int, billed: str = "250.00", day: int = 10, member: str = "M-1") -> Row:
    return {
        "claim_id": f"C-{i}", "member_id": member, "line": "medical", "category": "specialist",
        "incurred": f"2026-05-{day:02d}", "paid": f"2026-06-{day:02d}", "billed": billed,
        "allowed": "", "absence_start": "", "absence_end": "", "units": "1", "network": "in",
    }  # fmt: skip


def _std(r: Row, **over: str) -> Row:
    r.update(line="std", category="disability", absence_start="2026-05-01", absence_end="2026-05-20")
    r.update(over)
    return r


# Each mutation turns a good row into a row that must be rejected (with the reason key it must give).
MUTATIONS: dict[str, Callable[[Row], Row]] = {
    "missing_field": lambda r: {**r, "member_id": ""},
    "bad_date": lambda r: {**r, "incurred": "2026-02-30"},
    "bad_amount": lambda r: {**r, "billed": "12,34"},
    "negative_billed": lambda r: {**r, "billed": "-0.01"},
    "unknown_member": lambda r: {**r, "member_id": "NOBODY"},
    "unknown_line": lambda r: {**r, "line": "vision"},
    "paid_before_incurred": lambda r: {**r, "paid": "2026-01-01"},
    "duplicate_claim_id": lambda r: {**r, "claim_id": "C-0"},
    "disability_without_dates": lambda r: _std(dict(r), absence_start=""),
    "disability_without_earnings": lambda r: _std(dict(r), member_id="M-2"),
    "bad_units": lambda r: {**r, "units": "0"},
    "bad_value": lambda r: {**r, "network": "OUT-OF-AREA"},
}


def table_of(rows: list[Row]) -> pa.Table:
    return pa.table({h: pa.array([r[h] for r in rows], type=pa.string()) for h in HEADER})


def test_read_claims__thousand_rows_hundred_bad(acme: Ruleset, enrollment: EnrollmentInput) -> None:
    """1,000 rows with 100 bad ones spread through them: exactly those 100 rejected, the rest accepted."""
    rng = random.Random(20260101)
    bad_at = set(rng.sample(range(1, 1000), 100))  # row 0 stays good: duplicates point at C-0
    kinds = sorted(MUTATIONS)
    rows: list[Row] = []
    expected: dict[int, str] = {}
    for i in range(1000):
        r = good(i, billed=f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02d}", day=rng.randint(1, 28))
        if i in bad_at:
            kind = kinds[len(expected) % len(kinds)]
            r = MUTATIONS[kind](r)
            expected[i + 1] = kind
        rows.append(r)
    result = read_claims(table_of(rows), acme, enrollment.by_id())
    assert result.received == 1000
    assert len(result.rejects) == 100 and len(result.claims) == 900
    assert {r.row: r.reason.split(":")[0] for r in result.rejects} == expected
    assert {c.row for c in result.claims} == set(range(1, 1001)) - set(expected)


amounts = st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2).map(lambda d: f"{d:.2f}")


@st.composite
def mixes(draw: st.DrawFn) -> tuple[list[Row], dict[int, str]]:
    n = draw(st.integers(min_value=1, max_value=40))
    rows = [good(0, billed=draw(amounts))]
    expected: dict[int, str] = {}
    for i in range(1, n):
        r = good(i, billed=draw(amounts), day=draw(st.integers(1, 28)),
                 member=draw(st.sampled_from(["M-1", "M-1-S", "M-1-C1", "M-3"])))  # fmt: skip
        kind = draw(st.none() | st.sampled_from(sorted(MUTATIONS)))
        if kind is not None:
            r = MUTATIONS[kind](r)
            expected[i + 1] = kind
        rows.append(r)
    return rows, expected


@settings(max_examples=60, deadline=None)
@given(mix=mixes())
def test_read_claims__received_is_accepted_plus_rejected(mix: tuple[list[Row], dict[int, str]]) -> None:
    """For any mix, received == accepted + rejected and each bad row is rejected with its own row number."""
    from tests.data.conftest import ENROLLMENT_CSV
    from tests.data.plans import acme_2026

    rows, expected = mix
    ruleset = acme_2026()
    members = _members(ENROLLMENT_CSV, ruleset)
    result = read_claims(table_of(rows), ruleset, members)
    assert result.received == len(rows) == len(result.claims) + len(result.rejects)
    assert {r.row: r.reason.split(":")[0] for r in result.rejects} == expected
    assert [c.row for c in result.claims] == [i + 1 for i in range(len(rows)) if i + 1 not in expected]


def _members(csv: str, ruleset: Ruleset) -> dict[str, MemberRecord]:
    import io

    import pyarrow.csv as pacsv

    from aso_rules.data.readers import read_enrollment

    table = pacsv.read_csv(io.BytesIO(csv.encode()), convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(csv.splitlines()[0].split(","), pa.string())))  # fmt: skip
    return dict(read_enrollment(table, ruleset).by_id())
