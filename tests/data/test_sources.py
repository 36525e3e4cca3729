"""One reader for every source: CSV, Parquet, pyarrow, pandas and polars give identical records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules.data.readers import ClaimsInput, EnrollmentInput, InputError, read_claims, read_enrollment
from aso_rules.model import Ruleset
from tests.data.conftest import csv_text
from tests.data.test_claims_mix import _members

TEXT: dict[str, list[str | None]] = {
    "claim_id": ["C-1", "C-2", "C-3", "C-4"],
    "member_id": ["M-1", "M-1-S", "M-3", "M-1"],
    "line": ["medical", "rx", "std", "medical"],
    "category": ["inpatient", "specialty", "disability", "office_visit"],
    "incurred": ["2026-01-05", "2026-02-01", "2026-03-01", "2026-12-20"],
    "paid": ["2026-01-30", "2026-02-01", "2026-04-15", "2027-02-02"],
    "billed": ["48000.00", "999999999.99", "0.00", "0.30"],
    "units": ["4", "1", "1", "2"],
    "allowed": [None, "999999999.99", None, "0.10"],
    "absence_start": [None, None, "2026-03-01", None],
    "absence_end": [None, None, "2026-04-10", None],
    "cause": [None, None, "accident", None],
    "provider_npi": ["0012345678", "", "0099", "7"],
}


def typed_table() -> pa.Table:
    """The same data with native types: decimals, dates, integers."""

    def dec(values: list[str | None]) -> pa.Array:
        return pa.array([None if v is None else Decimal(v) for v in values], type=pa.decimal128(20, 2))

    def dates(values: list[str | None]) -> pa.Array:
        return pa.array([None if v is None else date.fromisoformat(v) for v in values], type=pa.date32())

    cols: dict[str, Any] = {}
    for name, values in TEXT.items():
        if name in ("billed", "allowed"):
            cols[name] = dec(values)
        elif name in ("incurred", "paid", "absence_start", "absence_end"):
            cols[name] = dates(values)
        elif name == "units":
            cols[name] = pa.array([None if v is None else int(v) for v in values], type=pa.int64())
        else:
            cols[name] = pa.array(values, type=pa.string())
    return pa.table(cols)


def read(source: Any, acme: Ruleset, enrollment: EnrollmentInput) -> ClaimsInput:
    return read_claims(source, acme, enrollment.by_id())


def test_read_claims__same_records_from_every_source(
    tmp_path: Path, acme: Ruleset, enrollment: EnrollmentInput
) -> None:
    """CSV, Parquet (text and typed), pyarrow, pandas and polars sources give identical records."""
    csv_path = tmp_path / "claims.csv"
    names = list(TEXT)
    csv_path.write_text(csv_text(names, [[v or "" for v in row] for row in zip(*TEXT.values(), strict=True)]))
    text_table = pa.table({k: pa.array(v, type=pa.string()) for k, v in TEXT.items()})
    pq.write_table(text_table, tmp_path / "text.parquet")
    pq.write_table(typed_table(), tmp_path / "typed.parquet")
    sources: dict[str, Any] = {
        "csv": csv_path,
        "csv-str": str(csv_path),
        "parquet-text": tmp_path / "text.parquet",
        "parquet-typed": tmp_path / "typed.parquet",
        "arrow": text_table,
        "arrow-typed": typed_table(),
        "pandas": pd.DataFrame(TEXT),
        "pandas-typed": typed_table().to_pandas(),
        "polars": pl.DataFrame(TEXT),
        "polars-typed": pl.from_arrow(typed_table()),
    }
    baseline = read(sources.pop("csv"), acme, enrollment)
    assert not baseline.rejects and len(baseline.claims) == 4
    assert baseline.claims[1].billed == Decimal("999999999.99")
    for name, source in sources.items():
        got = read(source, acme, enrollment)
        assert got.rejects == (), name
        assert got.claims == baseline.claims, name
        assert got.columns == tuple(names), name


def test_read_claims__extra_columns_carried_as_text(
    tmp_path: Path, acme: Ruleset, enrollment: EnrollmentInput
) -> None:
    """Unknown columns reach the record untouched, as the original text (leading zeros kept)."""
    table = pa.table({k: pa.array(v, type=pa.string()) for k, v in TEXT.items()})
    result = read(table, acme, enrollment)
    assert [c.extra["provider_npi"] for c in result.claims] == ["0012345678", "", "0099", "7"]
    assert list(result.claims[0].extra) == ["provider_npi"]
    assert result.columns[-1] == "provider_npi"


def test_read_claims__money_never_touches_float(acme: Ruleset, enrollment: EnrollmentInput) -> None:
    """Money text stays exact; a float column's 0.1+0.2 is rejected, never rounded to 0.30."""
    table = pa.table({k: pa.array(v, type=pa.string()) for k, v in TEXT.items()})
    claims = read(table, acme, enrollment).claims
    assert claims[1].billed == Decimal("999999999.99")  # the largest data amount (data/bounds.py), exact
    assert claims[3].allowed is not None
    assert claims[3].allowed + claims[3].allowed + claims[3].allowed == claims[3].billed  # 0.1 * 3 == 0.3
    frame = pd.DataFrame({**{k: v[:2] for k, v in TEXT.items()}, "billed": [0.1 + 0.2, 0.3]})
    frame["allowed"] = [None, None]
    result = read(frame, acme, enrollment)
    assert [(r.row, r.reason) for r in result.rejects] == [
        (1, "bad_amount: billed '0.30000000000000004' is not an amount in cents (more than two decimals)")
    ]
    assert result.claims[0].billed == Decimal("0.30") and isinstance(result.claims[0].billed, Decimal)


def test_read_claims__missing_required_column(acme: Ruleset, enrollment: EnrollmentInput) -> None:
    """A claims table without a required column is an InputError naming every missing column."""
    table = pa.table({k: v for k, v in TEXT.items() if k not in ("billed", "paid")})
    with pytest.raises(InputError, match="missing required columns paid, billed"):
        read(table, acme, enrollment)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("claims.txt", "a,b\n", "unknown file type"),
        ("missing.csv", None, "no such file"),
        ("empty.csv", "", "cannot read CSV"),
        ("badheader.csv", b"claim_\xffid,member_id\nC-1,M-1\n", "header is not valid UTF-8"),
        ("twice.csv", "claim_id,claim_id\nC-1,C-2\n", "appears more than once"),
        ("bad.parquet", "not parquet", "cannot read Parquet"),
    ],
)
def test_read_claims__unreadable_file(
    tmp_path: Path,
    acme: Ruleset,
    enrollment: EnrollmentInput,
    name: str,
    content: str | bytes | None,
    message: str,
) -> None:
    """A file that cannot be read is an InputError with a readable message, never a traceback."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        read(path, acme, enrollment)


def test_read_claims__unsupported_object(acme: Ruleset, enrollment: EnrollmentInput) -> None:
    """An object that is no table is an InputError naming what is accepted."""
    with pytest.raises(InputError, match="unsupported input of type list"):
        read([{"claim_id": "C-1"}], acme, enrollment)


def test_read_enrollment__typed_parquet(tmp_path: Path, acme: Ruleset) -> None:
    """Enrollment from typed Parquet (dates, decimal salary) equals the same rows from CSV text."""
    rows = [("E-1", "E-1", "employee", "EE", "2026-01-01", "", "52000.00")]
    header = (
        "member_id",
        "family_id",
        "relationship",
        "tier",
        "coverage_start",
        "coverage_end",
        "annual_salary",
    )
    (tmp_path / "e.csv").write_text(csv_text(header, rows))
    typed = pa.table({
        "member_id": ["E-1"], "family_id": ["E-1"], "relationship": ["employee"], "tier": ["EE"],
        "coverage_start": pa.array([date(2026, 1, 1)]), "coverage_end": pa.array([None], type=pa.date32()),
        "annual_salary": pa.array([Decimal("52000.00")], type=pa.decimal128(12, 2)),
    })  # fmt: skip
    pq.write_table(typed, tmp_path / "e.parquet")
    assert read_enrollment(tmp_path / "e.parquet", acme) == read_enrollment(tmp_path / "e.csv", acme)


def test_known_categories__named_by_the_ruleset(acme: Ruleset) -> None:
    """known_categories lists a line's own category rules, limits, exclusions, classes and schedule."""
    medical = {"office_visit", "specialist", "emergency", "preventive", "chiropractic", "infertility",
               "cosmetic", "experimental", "inpatient"}  # fmt: skip
    from aso_rules.data.readers import known_categories

    assert known_categories(acme, "medical") == medical
    assert known_categories(acme, "rx") == {"generic", "preferred_brand", "non_preferred", "specialty"}
    assert known_categories(acme, "dental") == {"preventive", "basic", "major"}
    assert known_categories(acme, "life") == frozenset()
    assert known_categories(acme, "vision") == frozenset()


@settings(max_examples=40, deadline=None)
@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"), places=2),
        min_size=1,
        max_size=8,
    )
)
def test_read_claims__any_cent_amount_reads_back_exactly(amounts: list[Decimal]) -> None:
    """Any amount in cents, given as text or as a decimal column, reads back as the same Decimal."""
    from tests.data.conftest import ENROLLMENT_CSV
    from tests.data.plans import acme_2026

    ruleset = acme_2026()
    members = _members(ENROLLMENT_CSV, ruleset)
    n = len(amounts)
    base = {
        "claim_id": [f"C-{i}" for i in range(n)], "member_id": ["M-1"] * n, "line": ["medical"] * n,
        "category": ["lab"] * n, "incurred": ["2026-01-02"] * n, "paid": ["2026-01-03"] * n,
    }  # fmt: skip
    billed = [abs(a) for a in amounts]
    as_text = pa.table({**base, "billed": [f"{b:f}" for b in billed], "allowed": [f"{b:f}" for b in billed]})
    typed = pa.table({**base, "billed": pa.array(billed, type=pa.decimal128(38, 2))})
    for table in (as_text, typed):
        result = read_claims(table, ruleset, members)
        assert result.rejects == ()
        assert [c.billed for c in result.claims] == billed


def test_read_enrollment__spreadsheet_csv(tmp_path: Path, acme: Ruleset) -> None:
    """A CSV saved by a spreadsheet (byte-order mark, CRLF line ends, quoted fields) reads the same."""
    text = (
        "\ufeffmember_id,family_id,relationship,tier,coverage_start,annual_salary\r\n"
        '"E-1",E-1,employee,EE,2026-01-01,"52,000.00"\r\n'
    )
    (tmp_path / "e.csv").write_bytes(text.encode("utf-8"))
    result = read_enrollment(tmp_path / "e.csv", acme)
    assert result.rejects == ()
    assert result.members[0].member_id == "E-1" and str(result.members[0].annual_salary) == "52000.00"
