"""Writing result tables: CSV text forms of money, booleans, dates and nulls; Parquet keeps types."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aso_rules.data.writers import write_csv, write_table


def ledger() -> pa.Table:
    return pa.table(
        {
            "claim_id": ["C-1", "C-2, part 2", "C-3"],
            "paid": pa.array([date(2026, 1, 2), date(2027, 3, 31), None], type=pa.date32()),
            "plan_paid": pa.array([Decimal("0.30"), Decimal("-5.00"), None], type=pa.decimal128(18, 2)),
            "allowed": pa.array(
                [Decimal("12"), Decimal("0.5"), Decimal("1234567")], type=pa.decimal128(10, 1)
            ),
            "aggregate_eligible": pa.array([True, False, None]),
            "units": pa.array([1, 3, None], type=pa.int64()),
        }
    )


def test_write_csv__text_forms(tmp_path: Path) -> None:
    """Money has exactly two decimals, booleans true|false, ISO dates, empty nulls, quotes only if needed."""
    path = write_csv(ledger(), tmp_path / "ledger.csv")
    assert path.read_text().splitlines() == [
        "claim_id,paid,plan_paid,allowed,aggregate_eligible,units",
        "C-1,2026-01-02,0.30,12.00,true,1",
        '"C-2, part 2",2027-03-31,-5.00,0.50,false,3',
        "C-3,,,1234567.00,,",
    ]


def test_write_csv__fraction_of_a_cent_is_an_error(tmp_path: Path) -> None:
    """A money column holding a fraction of a cent is refused, never rounded by the writer."""
    table = pa.table({"x": pa.array([Decimal("0.125")], type=pa.decimal128(10, 3))})
    with pytest.raises(ValueError, match="fractions of a cent"):
        write_csv(table, tmp_path / "x.csv")


def test_write_table__parquet_keeps_types(tmp_path: Path) -> None:
    """Parquet (chosen by suffix) round-trips the table with its decimal and date types."""
    path = write_table(ledger(), tmp_path / "ledger.parquet")
    assert pq.read_table(path).equals(ledger())


def test_write_table__csv_reads_back_through_the_reader(tmp_path: Path) -> None:
    """A written CSV reads back as the same text the writer produced (the readers' string contract)."""
    from aso_rules.data.source import read_text_table

    path = write_table(ledger(), tmp_path / "ledger.csv")
    text = read_text_table(path)
    assert text.columns["plan_paid"] == ["0.30", "-5.00", ""]
    assert text.columns["claim_id"][1] == "C-2, part 2"


def test_write_csv__fast_path_matches_quoted_path(tmp_path: Path) -> None:
    """A table with nothing to quote (written by pyarrow) has the same text forms as the quoted path."""
    table = ledger().slice(0, 1)
    path = write_csv(pa.concat_tables([table, ledger().slice(2, 1)]), tmp_path / "plain.csv")
    assert path.read_text().splitlines() == [
        "claim_id,paid,plan_paid,allowed,aggregate_eligible,units",
        "C-1,2026-01-02,0.30,12.00,true,1",
        "C-3,,,1234567.00,,",
    ]
