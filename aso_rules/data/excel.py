"""Excel workbooks in: claims and enrollment from ``.xlsx``, read as the text a user sees in the cells.

On entry: a path to an ``.xlsx`` file (the first sheet, or ``sheet``), its first row the column names.
On exit: a ``pyarrow.Table`` of text columns, like a CSV file read by ``aso_rules.data.source``:
a text cell is its text; a whole number prints without a decimal point (``99213``, never
``99213.0``); any other number prints with the 15 significant digits Excel shows (``=0.1+0.2``
holds 0.30000000000000004 and shows, and reads, as ``0.3``); a date cell is ``YYYY-MM-DD``; an
empty cell is null. The money, date and id readers downstream then see exactly what a CSV export
of the sheet would hold. Needs the ``excel`` extra (python-calamine, else openpyxl).

``normalise`` applies what the user says about text formats (``--date-format``, ``--currency``) to
any input table: dates in the given ``strptime`` format become ISO dates, and with ``currency``
amounts like ``$1,234.56`` or ``($5.00)`` become ``1234.56`` and ``-5.00``. A value that does not
fit is left as it was, so the row is rejected downstream with its reason and value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from aso_rules.data.source import InputError, check_unique
from aso_rules.extras import available, require

DATE_COLUMNS = frozenset(
    {"incurred", "paid", "coverage_start", "coverage_end", "birth_date", "absence_start", "absence_end"}
)
MONEY_COLUMNS = frozenset({"billed", "allowed", "weekly_earnings", "annual_salary"})


def cell_text(value: Any) -> str | None:
    """One cell as the text a user sees (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 2.0**53:
            return str(int(value))
        return f"{Decimal(f'{value:.15g}'):f}"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _rows(path: Path, sheet: str | None) -> Iterator[Sequence[Any]]:
    if available("python_calamine"):
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        name = sheet or book.sheet_names[0]
        if name not in book.sheet_names:
            raise InputError(f"{path}: no sheet named {name!r} (sheets: {', '.join(book.sheet_names)})")
        data = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for row in data:
            yield [None if v == "" else v for v in row]
        return
    require("excel", "openpyxl", what="reading .xlsx files")
    import openpyxl

    workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputError(f"{path}: no sheet named {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        yield from worksheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def read_xlsx(path: str | Path, sheet: str | None = None) -> pa.Table:
    """The sheet as a table of text columns (see the module docstring)."""
    path = Path(path)
    if not available("python_calamine"):
        require("excel", "openpyxl", what="reading .xlsx files")
    try:
        rows = iter(_rows(path, sheet))
        header = next(rows, None)
        if header is None:
            raise InputError(f"{path}: the sheet is empty (the first row must name the columns)")
        names = [cell_text(v) or "" for v in header]
        while names and not names[-1]:
            names.pop()
        if not names or "" in names:
            raise InputError(f"{path}: every column of the first row needs a name")
        check_unique(names, str(path))
        columns: list[list[str | None]] = [[] for _ in names]
        for row in rows:
            cells = [cell_text(v) for v in row[: len(names)]]
            if not any(cells):
                continue  # a blank row (Excel sheets often end with some)
            cells += [None] * (len(names) - len(cells))
            for column, cell in zip(columns, cells, strict=True):
                column.append(cell)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: cannot read the workbook: {exc}") from exc
    except Exception as exc:  # the readers' own errors for a file that is not a workbook
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{path}: cannot read the workbook: {exc}") from exc
    return pa.table({n: pa.array(c, type=pa.string()) for n, c in zip(names, columns, strict=True)})


_AMOUNT = re.compile(r"(?P<sign>-?)\$?\s*(?P<number>[0-9][0-9,]*(\.[0-9]+)?)")
_PARENS = re.compile(r"\((?P<inner>.*)\)")


def currency_text(text: str | None) -> str | None:
    """``$1,234.56`` -> ``1234.56``, ``-$5.00`` and ``($5.00)`` -> ``-5.00``; anything else unchanged."""
    if text is None:
        return None
    value = text.strip()
    negative = False
    paren = _PARENS.fullmatch(value)
    if paren is not None:
        value, negative = paren["inner"].strip(), True
    match = _AMOUNT.fullmatch(value)
    if match is None or ("$" not in text and "," not in text):
        return text
    number = match["number"]
    if "," in number and re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", number) is None:
        return text  # commas that do not group thousands: not an amount
    number = number.replace(",", "")
    return f"-{number}" if negative or match["sign"] else number


def date_text(text: str | None, date_format: str) -> str | None:
    """The date in ``date_format`` (``strptime``) as ``YYYY-MM-DD``; anything else unchanged."""
    if text is None:
        return None
    try:
        return datetime.strptime(text.strip(), date_format).date().isoformat()
    except ValueError:
        return text


def normalise(table: pa.Table, *, date_format: str | None = None, currency: bool = False) -> pa.Table:
    """``table`` with its date columns read in ``date_format`` and, with ``currency``, its money
    columns' ``$1,234.56`` amounts as plain numbers (see the module docstring)."""
    if date_format is None and not currency:
        return table
    from aso_rules.data.source import column_text

    arrays = []
    for i, name in enumerate(table.column_names):
        column = table.column(i)
        if date_format is not None and name in DATE_COLUMNS:
            column = pa.array([date_text(v, date_format) for v in column_text(column)], type=pa.string())
        elif currency and name in MONEY_COLUMNS:
            column = pa.array([currency_text(v) for v in column_text(column)], type=pa.string())
        arrays.append(column)
    return pa.Table.from_arrays(arrays, names=table.column_names)


__all__ = [
    "DATE_COLUMNS",
    "MONEY_COLUMNS",
    "cell_text",
    "currency_text",
    "date_text",
    "normalise",
    "read_xlsx",
]
