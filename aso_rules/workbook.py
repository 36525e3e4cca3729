"""Excel workbooks out: ``settlement.xlsx`` and ``price.xlsx`` beside the CSV and JSON outputs.

``write_settlement_xlsx`` writes the sheets ``summary`` (every summary.json figure, one per row, by
its dotted path), ``ledger`` (continued on ``ledger 2``, ... past Excel's 1,048,575 data rows a
sheet), ``rejects``, ``enrollment rejects`` and ``fees by month`` (each fee and stop-loss premium per
month). ``write_price_xlsx`` writes ``summary`` (every price.json figure) and ``funding rates`` (per
tier: expected claims, fixed costs, funding rate and COBRA rate, per employee per month).

Amounts are written as the exact decimal text of their cents (the workbook's XML holds ``1234.56``)
and shown with a thousands separator and two decimals; dates are real dates shown ``yyyy-mm-dd``.
Needs the ``excel`` extra (openpyxl). Files are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from aso_rules.extras import require

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
SHEET_ROWS = 1_048_575  # data rows an Excel sheet holds under its header row
BATCH = 65_536


def _leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        yield path, node


class _Book:
    """A write-only openpyxl workbook with money and date cells formatted."""

    def __init__(self) -> None:
        require("excel", "openpyxl", what="writing .xlsx files")
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)

    def cell(self, sheet: Any, value: Any, money: bool) -> Any:
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, Decimal) and money:
            c = WriteOnlyCell(sheet, value=value)
            c.number_format = MONEY_FORMAT
            return c
        if isinstance(value, date):
            c = WriteOnlyCell(sheet, value=value)
            c.number_format = DATE_FORMAT
            return c
        return value

    def rows(self, title: str, header: list[str], rows: Iterable[list[Any]], money: bool = True) -> None:
        sheet = self.book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([self.cell(sheet, v, money) for v in row])

    def table(self, title: str, table: pa.Table) -> None:
        """An Arrow table, continued on further sheets past Excel's row limit."""
        names = list(table.column_names)
        sheets = max(1, -(-table.num_rows // SHEET_ROWS))
        for k in range(sheets):
            part = table.slice(k * SHEET_ROWS, SHEET_ROWS)
            sheet = self.book.create_sheet(title if k == 0 else f"{title} {k + 1}")
            sheet.append(names)
            for batch in part.to_batches(max_chunksize=BATCH):
                columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                for row in zip(*columns, strict=True):
                    sheet.append([self.cell(sheet, v, True) for v in row])

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".aso-", suffix=".xlsx", dir=target.parent)
        os.close(fd)
        try:
            self.book.save(temp)
            os.replace(temp, target)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
        return target


def _summary_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    return [[path, value] for path, value in _leaves(summary)]


def write_settlement_xlsx(settlement: Any, path: str | Path) -> Path:
    """``settlement.xlsx`` for any engine's settlement (see the module docstring)."""
    book = _Book()
    book.rows("summary", ["figure", "value"], _summary_rows(settlement.summary))
    book.table("ledger", settlement.ledger)
    book.table("rejects", settlement.rejects)
    book.table("enrollment rejects", settlement.enrollment_rejects)
    fees = settlement.fees
    names: list[str] = []
    for month in fees.by_month:
        names += [n for n in month if n not in names]
    book.rows(
        "fees by month",
        ["month", *(n.replace("premium:", "premium: ") for n in names), "total"],
        (
            [month, *(amounts.get(n, Decimal("0.00")) for n in names), sum(amounts.values(), Decimal("0.00"))]
            for month, amounts in zip(fees.months, fees.by_month, strict=True)
        ),
    )
    return book.save(path)


def write_price_xlsx(quote: Any, path: str | Path) -> Path:
    """``price.xlsx`` for a ``Quote`` (see the module docstring)."""
    book = _Book()
    summary = quote.summary
    money_like = [[k, Decimal(v) if isinstance(v, str) and _is_amount(v) else v] for k, v in _leaves(summary)]
    book.rows("summary", ["figure", "value"], money_like)
    funding = summary["funding"]
    book.rows(
        "funding rates",
        ["tier", "expected claims pepm", "fixed costs pepm", "funding rate", "COBRA rate"],
        (
            [
                tier,
                Decimal(funding["expected_pepm"][tier]),
                Decimal(funding["fixed_pepm"][tier]),
                Decimal(rate),
                Decimal(funding["cobra_rates"][tier]),
            ]
            for tier, rate in summary["funding_rates"].items()
        ),
    )
    return book.save(path)


def _is_amount(text: str) -> bool:
    head, dot, cents = text.lstrip("-").partition(".")
    return head.isdigit() and dot == "." and len(cents) == 2 and cents.isdigit()


__all__ = ["write_price_xlsx", "write_settlement_xlsx"]
