"""Enrollment rows: each reject reason with its row number, and what an accepted member holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from aso_rules.data.readers import EnrollmentInput, InputError, read_enrollment
from aso_rules.model import Ruleset
from tests.data.conftest import csv_text

HEADER = ("member_id", "family_id", "relationship", "tier", "coverage_start", "coverage_end", "annual_salary")
GOOD = [
    ("E-1", "E-1", "employee", "EE", "2026-01-01", "", "52000.00"),
    ("E-2", "E-2", "employee", "FAM", "2026-01-01", "2026-08-31", ""),
    ("E-2-S", "E-2", "spouse", "FAM", "2026-01-01", "", ""),
]


def read(
    tmp_path: Path, ruleset: Ruleset, rows: Sequence[tuple[str, ...]], header: tuple[str, ...] = HEADER
) -> EnrollmentInput:
    path = tmp_path / "enrollment.csv"
    path.write_text(csv_text(header, rows))
    return read_enrollment(path, ruleset)


def only_reject(tmp_path: Path, ruleset: Ruleset, bad: tuple[str, ...]) -> tuple[int, str, str]:
    result = read(tmp_path, ruleset, [*GOOD[:2], bad, GOOD[2]])
    assert result.received == 4 and len(result.members) == 3 and len(result.rejects) == 1
    r = result.rejects[0]
    return r.row, r.claim_id, r.reason


def test_read_enrollment__good_rows(tmp_path: Path, acme: Ruleset) -> None:
    """Accepted members carry their typed fields; an empty coverage_end means open."""
    result = read(tmp_path, acme, GOOD)
    assert not result.rejects and result.received == 3
    e1, e2, spouse = result.members
    assert e1.coverage_end is None and str(e1.annual_salary) == "52000.00"
    assert e2.coverage_end == date(2026, 8, 31) and e2.annual_salary is None
    assert spouse.relationship == "spouse" and spouse.family_id == "E-2"


def test_read_enrollment__unknown_tier(tmp_path: Path, acme: Ruleset) -> None:
    """A tier the ruleset does not declare rejects the member row."""
    row, member, reason = only_reject(
        tmp_path, acme, ("X-1", "X-1", "employee", "GOLD", "2026-01-01", "", "")
    )
    assert (row, member) == (3, "X-1")
    assert reason == "unknown_tier: GOLD is not a tier of this ruleset (EC, EE, ES, FAM)"


def test_read_enrollment__bad_relationship(tmp_path: Path, acme: Ruleset) -> None:
    """relationship must be employee, spouse, child or other."""
    _, _, reason = only_reject(tmp_path, acme, ("X-1", "E-2", "cousin", "FAM", "2026-01-01", "", ""))
    assert reason == "bad_value: relationship 'cousin' is not one of employee|spouse|child|other"


def test_read_enrollment__missing_coverage_start(tmp_path: Path, acme: Ruleset) -> None:
    """An empty coverage_start rejects the row."""
    row, _, reason = only_reject(tmp_path, acme, ("X-1", "X-1", "employee", "EE", "", "", ""))
    assert row == 3 and reason == "missing_field: coverage_start is empty"


def test_read_enrollment__coverage_end_before_start(tmp_path: Path, acme: Ruleset) -> None:
    """coverage_end before coverage_start rejects the row."""
    _, _, reason = only_reject(
        tmp_path, acme, ("X-1", "X-1", "employee", "EE", "2026-05-01", "2026-04-30", "")
    )
    assert reason == "coverage_end_before_start: coverage_end 2026-04-30 is before coverage_start 2026-05-01"


def test_read_enrollment__duplicate_member(tmp_path: Path, acme: Ruleset) -> None:
    """A second row for a member_id is rejected, naming the first row."""
    row, member, reason = only_reject(tmp_path, acme, ("E-1", "E-1", "employee", "EE", "2026-01-01", "", ""))
    assert (row, member) == (3, "E-1")
    assert reason == "duplicate_member_id: E-1 first seen on row 1"


def test_read_enrollment__bad_salary(tmp_path: Path, acme: Ruleset) -> None:
    """A salary that is not an amount rejects the row."""
    _, _, reason = only_reject(tmp_path, acme, ("X-1", "X-1", "employee", "EE", "2026-01-01", "", "$50k"))
    assert reason == "bad_amount: annual_salary '$50k' is not an amount"


def test_read_enrollment__missing_column(tmp_path: Path, acme: Ruleset) -> None:
    """A missing required column is a file-level InputError, naming the column."""
    with pytest.raises(InputError, match="missing required column tier"):
        read(tmp_path, acme, [("E-1", "E-1", "employee", "2026-01-01")], header=HEADER[:3] + HEADER[4:5])
