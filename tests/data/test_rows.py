"""A data row that cannot be read, or holds a value outside the documented forms and ranges, is
rejected alone, with its row and file line, identically by the reference and the vector readers.

docs/input.md "Money and dates", "Rows that cannot be read" and "Ranges" state what is tested here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules.data.fields import RowError, parse_money, parse_units
from aso_rules.data.readers import read_claims, read_enrollment
from aso_rules.data.records import Reject
from aso_rules.model import Ruleset
from aso_rules.settle.vector.reader import read_claims_fast, read_enrollment_fast
from tests.data.conftest import ENROLLMENT_CSV

HEADER = b"claim_id,member_id,line,category,incurred,paid,billed,allowed,units,code"


def row(cid: str, billed: bytes = b"180.00", *, units: bytes = b"", code: bytes = b"") -> bytes:
    return b"%s,M-1,medical,office_visit,2026-02-03,2026-02-20,%s,120.00,%s,%s" % (
        cid.encode(),
        billed,
        units,
        code,
    )


def both(path: Path | pa.Table, ruleset: Ruleset, tmp_path: Path) -> tuple[tuple[Reject, ...], list[str]]:
    """The rejects and accepted claim ids of both readers, asserted equal."""
    enrollment_path = tmp_path / "enrollment.csv"
    enrollment_path.write_text(ENROLLMENT_CSV)
    enrollment = read_enrollment(enrollment_path, ruleset)
    ref = read_claims(path, ruleset, enrollment.by_id())
    fast_enrollment = read_enrollment_fast(enrollment_path, ruleset)
    vec = read_claims_fast(path, ruleset, fast_enrollment.members, fast_enrollment.records)
    assert vec.rejects == ref.rejects
    ids = [c.claim_id for c in ref.claims]
    assert vec.claims.claim_id.to_pylist() == ids
    assert vec.received == ref.received == len(ids) + len(ref.rejects)
    return ref.rejects, ids


def test_unreadable_rows_are_rejected_alone_with_their_file_lines(tmp_path: Path, acme: Ruleset) -> None:
    """Invalid UTF-8, a wrong field count and a last line cut short reject their rows only; blank
    lines are no rows but count as lines, so each reject names the line an editor shows."""
    lines = [
        HEADER,  # line 1
        row("C-1"),  # line 2, row 1
        row("C-2").replace(b"office_visit", b"office\xff"),  # line 3, row 2: not UTF-8
        b"",  # line 4: blank
        row("C-3") + b",extra",  # line 5, row 3: 11 fields
        b"",  # line 6: blank
        row("C-4"),  # line 7, row 4
        b"C-5,M-1,medical",  # line 8, row 5: cut short, no line end
    ]
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(lines))
    rejects, ids = both(path, acme, tmp_path)
    assert ids == ["C-1", "C-4"]
    assert rejects == (
        Reject(2, "", "bad_encoding: line 3 is not valid UTF-8 text", line=3),
        Reject(3, "", "bad_field_count: line 5 has 11 fields, the header 10", line=5),
        Reject(
            5,
            "",
            "truncated_row: line 8, the last line, has 3 of 10 fields (the file ends inside the row)",
            line=8,
        ),
    )


def test_reject_lines_count_blank_lines_and_quoted_line_breaks(tmp_path: Path, acme: Ruleset) -> None:
    """A readable file keeps pyarrow's fast path; the reject still names its file line."""
    lines = [
        HEADER,  # line 1
        row("C-1").replace(b"office_visit", b'"office\nvisit"'),  # lines 2-3, row 1 (category with a break)
        b"",  # line 4
        row("C-2", b"1e3"),  # line 5, row 2
        b"\r",  # line 6: a blank line ending in a lone CR
        row("C-3", b"-5.00"),  # line 7, row 3
    ]
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    rejects, ids = both(path, acme, tmp_path)
    assert ids == ["C-1"]
    assert [(r.row, r.line, r.reason.split(":")[0]) for r in rejects] == [
        (2, 5, "bad_amount"),
        (3, 7, "negative_billed"),
    ]


@pytest.mark.parametrize(
    ("billed", "reason"),
    [
        (b"1e3", "bad_amount: billed '1e3' is not an amount"),
        (b"1_000", "bad_amount: billed '1_000' is not an amount"),
        (b"+5.00", "bad_amount: billed '+5.00' is not an amount"),
        (b".5", "bad_amount: billed '.5' is not an amount"),
        (b"5.", "bad_amount: billed '5.' is not an amount"),
        ("\u0661\u0660\u0660".encode(), "bad_amount: billed '\u0661\u0660\u0660' is not an amount"),
        ("\uff15".encode(), "bad_amount: billed '\uff15' is not an amount"),  # fullwidth 5
        (b"NaN", "bad_amount: billed 'NaN' is not an amount"),
        (b"Infinity", "bad_amount: billed 'Infinity' is not an amount"),
        (b"5.001", "bad_amount: billed '5.001' is not an amount in cents (more than two decimals)"),
        (
            b"1000000000.00",
            "out_of_range: billed is outside the supported range (below $1,000,000,000 in absolute value)",
        ),
        (
            b"9" * 40,
            "out_of_range: billed is outside the supported range (below $1,000,000,000 in absolute value)",
        ),
        (b"12\x0034", "bad_value: billed contains a NUL character"),
    ],
)
def test_money_accepts_only_the_documented_forms(
    tmp_path: Path, acme: Ruleset, billed: bytes, reason: str
) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(HEADER + b"\n" + row("C-1") + b"\n" + row("C-2", billed) + b"\n")
    rejects, ids = both(path, acme, tmp_path)
    assert ids == ["C-1"]
    assert rejects == (Reject(2, "C-2", reason, line=3),)


@pytest.mark.parametrize(
    ("units", "code", "reason"),
    [
        (b"1000001", b"", "out_of_range: units is outside the supported range (1 to 1,000,000)"),
        (b"9223372036854775808", b"", "out_of_range: units is outside the supported range (1 to 1,000,000)"),
        (b"1e3", b"", "bad_units: units '1e3' is not a positive whole number"),
        (b"+2", b"", "bad_units: units '+2' is not a positive whole number"),
        (b"0", b"", "bad_units: units '0' is not a positive whole number"),
        (b"", b"99\x00213", "bad_value: code contains a NUL character"),
    ],
)
def test_units_and_text_outside_the_forms_are_rejected(
    tmp_path: Path, acme: Ruleset, units: bytes, code: bytes, reason: str
) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(
        HEADER + b"\n" + row("C-1", units=b"1000000") + b"\n" + row("C-2", units=units, code=code)
    )
    rejects, ids = both(path, acme, tmp_path)
    assert ids == ["C-1"]
    assert rejects == (Reject(2, "C-2", reason, line=3),)


def test_typed_columns_out_of_range_are_rejected_too(tmp_path: Path, acme: Ruleset) -> None:
    """Decimal and integer columns take the same ranges as text (no file: no line)."""
    n = 4
    table = pa.table(
        {
            "claim_id": [f"C-{i}" for i in range(n)],
            "member_id": ["M-1"] * n,
            "line": ["medical"] * n,
            "category": ["lab"] * n,
            "incurred": ["2026-01-02"] * n,
            "paid": ["2026-01-03"] * n,
            "billed": pa.array(
                [Decimal("999999999.99"), Decimal("1000000000.00"), Decimal("5"), Decimal("5")],
                type=pa.decimal128(18, 2),
            ),
            "allowed": pa.array([1, 2, 10**9, 3], type=pa.int64()),
            "units": pa.array([1, 1, 1, 2**62], type=pa.int64()),
        }
    )
    rejects, ids = both(table, acme, tmp_path)
    assert ids == ["C-0"]
    assert [(r.row, r.reason.split(":")[0], r.line) for r in rejects] == [
        (2, "out_of_range", None),
        (3, "out_of_range", None),
        (4, "out_of_range", None),
    ]


def test_enrollment_rows_are_checked_the_same_way(tmp_path: Path, acme: Ruleset) -> None:
    text = ENROLLMENT_CSV.encode().splitlines()
    text[2] = text[2].replace(b"spouse", b"spou\xffse")  # row 2, line 3
    text[3] = text[3] + b",1"  # row 3, line 4: one field too many
    text[4] = text[4] + b"1e20"  # row 4, line 5: salary
    text.insert(5, b"")  # line 6 blank: M-3 is row 5, line 7
    text[6] = text[6].replace(b"130000", b"100000000000000000000")
    path = tmp_path / "enrollment.csv"
    path.write_bytes(b"\n".join(text) + b"\n")
    ref = read_enrollment(path, acme)
    vec = read_enrollment_fast(path, acme)
    assert vec.rejects == ref.rejects
    assert [(r.row, r.line, r.reason.split(":")[0]) for r in ref.rejects] == [
        (2, 3, "bad_encoding"),
        (3, 4, "bad_field_count"),
        (4, 5, "bad_amount"),
        (5, 7, "out_of_range"),
    ]
    assert [m.member_id for m in ref.members] == ["M-1"] == list(vec.members.ids)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=14))
def test_parse_money__a_value_is_accepted_only_in_a_documented_form(text: str) -> None:
    """Whatever the text, parsing either rejects it or gives the Decimal of an ASCII
    ``-?digits[.digits]`` form (commas grouping thousands) inside the data range."""
    import re

    value = text.strip() or None
    try:
        got = parse_money(value, "billed")
    except RowError as err:
        assert err.reason.split(":")[0] in ("bad_amount", "out_of_range")
        return
    if value is None:
        assert got is None
        return
    assert re.fullmatch(r"-?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?", value)
    assert got == Decimal(value.replace(",", "")) and abs(got) < 10**9


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=10))
def test_parse_units__whole_ascii_numbers_in_range_only(text: str) -> None:
    value = text.strip() or None
    try:
        got = parse_units(value)
    except RowError as err:
        assert err.reason.split(":")[0] in ("bad_units", "out_of_range")
        return
    assert 1 <= got <= 1_000_000
    assert value is None or value.split(".")[0].isascii()


def test_a_wide_decimal_column_never_wraps_into_range(tmp_path: Path, acme: Ruleset) -> None:
    """decimal(18, 0) holds 10^17: as cents 10^19 passes int64, so the vector reader must not
    multiply it blindly (a wrapped value could land inside the range and be accepted)."""
    n = 2
    table = pa.table(
        {
            "claim_id": ["C-0", "C-1"],
            "member_id": ["M-1"] * n,
            "line": ["medical"] * n,
            "category": ["lab"] * n,
            "incurred": ["2026-01-02"] * n,
            "paid": ["2026-01-03"] * n,
            "billed": pa.array([Decimal(120), Decimal(10**17)], type=pa.decimal128(18, 0)),
        }
    )
    rejects, ids = both(table, acme, tmp_path)
    assert ids == ["C-0"]
    assert [(r.row, r.reason.split(":")[0]) for r in rejects] == [(2, "out_of_range")]
