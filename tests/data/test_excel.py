"""Excel in and out: .xlsx claims and enrollment read as the text a user sees in the cells; the
pandas and Excel round trips give the CLI's employer cost to the cent; --date-format and --currency
read the formats a user names; settlement.xlsx and price.xlsx hold the outputs."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aso_rules.cli import main
from aso_rules.data.excel import cell_text, currency_text, date_text, normalise, read_xlsx
from aso_rules.data.source import InputError

pd = pytest.importorskip("pandas")
openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "examples" / "acme-claims.csv"
ENROLLMENT = ROOT / "examples" / "acme-enrollment.csv"
RULESET = str(ROOT / "rulesets" / "acme-2026.aso")
DATES = ("incurred", "paid", "coverage_start", "coverage_end", "birth_date", "absence_start", "absence_end")


def employer_cost(out: Path) -> Decimal:
    return Decimal(json.loads((out / "summary.json").read_text(encoding="utf-8"))["employer_cost"]["total"])


@cache
def cli_employer_cost() -> Decimal:
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        assert main(["settle", RULESET, "--claims", str(CLAIMS), "--enrollment", str(ENROLLMENT),
                     "--out", out, "--engine", "reference"]) == 0  # fmt: skip
        return employer_cost(Path(out))


def as_workbook(csv: Path, path: Path) -> Path:
    """The CSV as a user's workbook: read by pandas (codes and amounts become numbers), dates as
    real date cells."""
    frame = pd.read_csv(csv)
    for name in DATES:
        if name in frame:
            frame[name] = pd.to_datetime(frame[name])
    frame.to_excel(path, index=False)
    return path


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("xlsx")
    return as_workbook(CLAIMS, folder / "claims.xlsx"), as_workbook(ENROLLMENT, folder / "enrollment.xlsx")


def test_cell_text__what_excel_shows() -> None:
    assert cell_text(99213.0) == "99213"
    assert cell_text(0.1 + 0.2) == "0.3"  # Excel shows 15 significant digits
    assert cell_text(197.8) == "197.8"
    assert cell_text(80.00000000000001) == "80"
    assert cell_text(datetime(2026, 3, 2)) == "2026-03-02"
    assert cell_text(date(2026, 3, 2)) == "2026-03-02"
    assert cell_text("  ") is None and cell_text(None) is None and cell_text(float("nan")) is None
    assert cell_text(True) == "true"


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_cell_text__cents_read_back_exactly(cents: int) -> None:
    assert Decimal(cell_text(cents / 100) or "") == Decimal(cents) / 100


@pytest.mark.parametrize(
    ("text", "want"),
    [("$1,234.56", "1234.56"), ("($5.00)", "-5.00"), ("-$5.00", "-5.00"), ("$12", "12"),
     ("1,234.50", "1234.50"), ("12.34", "12.34"), ("1,23", "1,23"), ("abc", "abc"), ("$", "$"), (None, None)],
)  # fmt: skip
def test_currency_text(text: str | None, want: str | None) -> None:
    assert currency_text(text) == want


def test_date_text__the_users_format_or_unchanged() -> None:
    assert date_text("03/15/2026", "%m/%d/%Y") == "2026-03-15"
    assert date_text("2026-03-15", "%m/%d/%Y") == "2026-03-15"  # left for the reader to judge
    assert date_text("13/45/2026", "%m/%d/%Y") == "13/45/2026"


def test_normalise__only_the_named_columns() -> None:
    table = pa.table({"incurred": ["03/15/2026"], "billed": ["$1,200.00"], "claim_id": ["$1,200.00"]})
    out = normalise(table, date_format="%m/%d/%Y", currency=True)
    assert out.to_pylist() == [{"incurred": "2026-03-15", "billed": "1200.00", "claim_id": "$1,200.00"}]
    assert normalise(table) is table


def test_read_xlsx__text_columns_of_what_the_cells_show(workbooks: tuple[Path, Path]) -> None:
    claims = read_xlsx(workbooks[0])
    assert claims.num_rows == 5000 and all(pa.types.is_string(t) for t in claims.schema.types)
    first = claims.slice(0, 1).to_pylist()[0]
    assert (
        first["claim_id"] == "C-0000001" and first["incurred"] == "2026-01-01" and first["billed"] == "197.8"
    )
    assert "99213" in claims.column("code").to_pylist()


@pytest.mark.parametrize("engine", ["reference", "vector"])
def test_xlsx_round_trip__gives_the_cli_employer_cost(
    engine: str, workbooks: tuple[Path, Path], tmp_path: Path
) -> None:
    claims, enrollment = workbooks
    assert main(["settle", RULESET, "--claims", str(claims), "--enrollment", str(enrollment),
                 "--out", str(tmp_path), "--engine", engine]) == 0  # fmt: skip
    assert employer_cost(tmp_path) == cli_employer_cost()


def test_pandas_read_excel_round_trip__gives_the_cli_employer_cost(workbooks: tuple[Path, Path]) -> None:
    import aso_rules

    claims, enrollment = (pd.read_excel(p, engine="openpyxl") for p in workbooks)
    settled = aso_rules.load(RULESET).settle(claims, enrollment, engine="vector")
    assert len(settled.rejects) == 0
    assert settled.summary["employer_cost"]["total"] == cli_employer_cost()


def test_date_format_and_currency__read_a_us_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = pd.read_csv(CLAIMS, dtype=str, keep_default_na=False)
    enrollment = pd.read_csv(ENROLLMENT, dtype=str, keep_default_na=False)
    for frame in (claims, enrollment):
        for name in DATES:
            if name in frame:
                frame[name] = [f"{v[5:7]}/{v[8:10]}/{v[:4]}" if v else "" for v in frame[name]]
    claims["billed"] = [f"${Decimal(v):,.2f}" for v in claims["billed"]]
    claims.to_csv(tmp_path / "claims.csv", index=False)
    enrollment.to_csv(tmp_path / "enrollment.csv", index=False)
    argv = ["settle", RULESET, "--claims", str(tmp_path / "claims.csv"), "--enrollment",
            str(tmp_path / "enrollment.csv"), "--out", str(tmp_path / "out")]  # fmt: skip
    assert main([*argv, "--max-rejects", "0"]) == 1  # as written, every row is a bad date
    capsys.readouterr()
    assert main([*argv, "--date-format", "%m/%d/%Y", "--currency", "--max-rejects", "0"]) == 0
    assert employer_cost(tmp_path / "out") == cli_employer_cost()


def test_settlement_xlsx__its_sheets_and_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settle", RULESET, "--claims", str(CLAIMS), "--enrollment", str(ENROLLMENT),
                 "--out", str(tmp_path), "--engine", "vector", "--xlsx"]) == 0  # fmt: skip
    assert f"wrote {tmp_path / 'settlement.xlsx'}" in capsys.readouterr().out
    book = openpyxl.load_workbook(tmp_path / "settlement.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "ledger", "rejects", "enrollment rejects", "fees by month"]
    figures = {row[0]: row[1] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(figures["employer_cost.total"])) == cli_employer_cost()
    ledger = list(book["ledger"].iter_rows(values_only=True))
    assert len(ledger) == 5001 and ledger[0][0] == "claim_id"
    plan_paid = ledger[0].index("plan_paid")
    total = sum(Decimal(str(r[plan_paid])).quantize(Decimal("0.01")) for r in ledger[1:])
    assert total == Decimal(str(figures["totals.plan_paid"]))
    months = list(book["fees by month"].iter_rows(values_only=True))
    assert months[0][0] == "month" and months[0][-1] == "total" and len(months) >= 13


def test_price_xlsx__summary_and_funding_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("scipy")
    assert main(["price", RULESET, "--enrollment", str(ENROLLMENT), "--out", str(tmp_path),
                 "--simulations", "0", "--xlsx"]) == 0  # fmt: skip
    price = json.loads((tmp_path / "price.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(tmp_path / "price.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "funding rates"]
    rates = {r[0]: r[3] for r in book["funding rates"].iter_rows(min_row=2, values_only=True)}
    assert {k: Decimal(str(v)) for k, v in rates.items()} == {
        k: Decimal(v) for k, v in price["funding_rates"].items()
    }


def test_read_xlsx__not_a_workbook_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "claims.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read the workbook"):
        read_xlsx(tmp_path / "claims.xlsx")
