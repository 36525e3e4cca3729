"""Continuance tables read from the AV Calculator layouts (av2015, av2026)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aso_rules.price.continuance import ContinuanceTableError, load_continuance_table


@pytest.fixture
def av2015(shared_data: Path) -> Path:
    return shared_data / "av2015"


@pytest.fixture
def av2026(shared_data: Path) -> Path:
    return shared_data / "av2026" / "av2026_core_columns.csv"


def test_load_continuance_table__av2015_integrated(av2015: Path) -> None:
    """An av2015 file reads as 84 buckets, shares from membership, the last unlimited."""
    table = load_continuance_table(av2015 / "silver_integrated.csv")
    assert len(table.rows) == 84
    assert table.rows[-1].up_to == Decimal("Infinity")
    assert table.rows[1].up_to == 100
    assert abs(sum((r.share for r in table.rows), Decimal(0)) - 1) < Decimal("1e-20")
    assert table.rows[-1].limited_expected_value == Decimal("5809.578026")


def test_load_continuance_table__av2015_thousands_separators(av2015: Path) -> None:
    """Quoted memberships with thousands separators ("356,360") are read as numbers."""
    table = load_continuance_table(av2015 / "silver_medical.csv")
    first = table.rows[0]
    assert first.up_to == 0 and first.share > 0


def test_load_continuance_table__av2026_named(av2026: Path) -> None:
    """An av2026 file yields only the named table's 166 buckets."""
    table = load_continuance_table(av2026, "Silver_Combined")
    assert len(table.rows) == 166
    assert table.name == "Silver_Combined"
    assert table.rows[1].up_to == 100


def test_load_continuance_table__av2026_name_case_insensitive(av2026: Path) -> None:
    """A table name differing only in case selects the table."""
    assert len(load_continuance_table(av2026, "silver_med").rows) == 166


def test_load_continuance_table__av2026_needs_name(av2026: Path) -> None:
    """A multi-table file without a name is an error listing the names available."""
    with pytest.raises(ContinuanceTableError, match="Gold_Med"):
        load_continuance_table(av2026)


def test_load_continuance_table__unknown_name(av2026: Path) -> None:
    """An unknown table name is an error naming the tables available."""
    with pytest.raises(ContinuanceTableError, match=r"unknown table name 'Tin'.*Silver_Rx"):
        load_continuance_table(av2026, "Tin")


def test_load_continuance_table__missing_file(tmp_path: Path) -> None:
    """A missing file is an error that says so."""
    with pytest.raises(ContinuanceTableError, match="not found"):
        load_continuance_table(tmp_path / "nope.csv")


def test_load_continuance_table__unknown_layout(tmp_path: Path) -> None:
    """A header of neither layout is an unknown-layout error."""
    f = tmp_path / "t.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(ContinuanceTableError, match="unknown continuance table layout"):
        load_continuance_table(f)


def test_load_continuance_table__missing_column(tmp_path: Path) -> None:
    """An av2015 header without Maxed_Value names the missing column."""
    f = tmp_path / "t.csv"
    f.write_text("Maximum,Membership\n0,1\n")
    with pytest.raises(ContinuanceTableError, match=r"missing column.*maxed_value"):
        load_continuance_table(f)


def test_load_continuance_table__non_numeric(tmp_path: Path) -> None:
    """A non-numeric cell is reported with its row number."""
    f = tmp_path / "t.csv"
    f.write_text("Maximum,Membership,Maxed_Value\n0,5,0\n100,x,50\n")
    with pytest.raises(ContinuanceTableError, match="non-numeric cell on row 3"):
        load_continuance_table(f)


def test_load_continuance_table__not_increasing(tmp_path: Path) -> None:
    """Buckets whose upper bounds do not increase are rejected."""
    f = tmp_path / "t.csv"
    f.write_text("Maximum,Membership,Maxed_Value\n0,5,0\n100,3,50\n100,2,60\n")
    with pytest.raises(ContinuanceTableError, match="not increasing"):
        load_continuance_table(f)


def test_load_continuance_table__shares_not_one(tmp_path: Path) -> None:
    """av2026 shares that do not sum to 1 are rejected."""
    f = tmp_path / "t.csv"
    f.write_text(
        "table,up_to,percent_of_enrollees,avg_cost_per_enrollee_maxd\nA,0,0.5,0\nA,Unlimited,0.4,100\n"
    )
    with pytest.raises(ContinuanceTableError, match=r"sum to 0\.9"):
        load_continuance_table(f)
