"""Continuance tables: claim-cost distributions given as spending buckets (AV Calculator layout).

On entry: a path to a CSV file in one of two layouts, and optionally the name of one table in it.

- ``av2015`` (HHS/CMS AV Calculator 2015, one table per file): header ``Maximum, Membership,
  Maxed_Value, ...`` (case-insensitive, further columns ignored); ``Membership`` may be a quoted
  number with thousands separators; the share of a bucket is ``Membership / total membership``.
- ``av2026`` (several tables in one file): header ``table, up_to, percent_of_enrollees,
  avg_cost_per_enrollee_maxd, ...``; ``name`` selects the rows of one ``table``.

On exit: a ``model.ContinuanceTable`` whose rows have strictly increasing upper bounds (the last may
be ``Decimal("Infinity")``, written ``Unlimited``), exact ``Decimal`` shares summing to 1 within
0.001, and limited expected values ``E[min(X, up_to)]`` per member. Anything else raises
``ContinuanceTableError`` with a message naming the file and what is wrong; nothing else escapes.
"""

from __future__ import annotations

import csv
import itertools
from decimal import Decimal, InvalidOperation
from pathlib import Path

from aso_rules.model import ContinuanceRow, ContinuanceTable

__all__ = ["SHARE_TOLERANCE", "ContinuanceTableError", "load_continuance_table"]

SHARE_TOLERANCE = Decimal("0.001")
_UNLIMITED = ("unlimited", "inf", "infinity", "none")

_AV2015 = ("maximum", "membership", "maxed_value")
_AV2026 = ("table", "up_to", "percent_of_enrollees", "avg_cost_per_enrollee_maxd")


class ContinuanceTableError(ValueError):
    """A continuance table that cannot be read; the message says which file and what is wrong."""


def load_continuance_table(path: str | Path, name: str | None = None) -> ContinuanceTable:
    """Read a continuance table (av2015 or av2026 layout); ``name`` picks one table of a file."""
    file = Path(path)
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except FileNotFoundError:
        raise ContinuanceTableError(f"{file}: continuance table file not found") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ContinuanceTableError(f"{file}: cannot read continuance table: {exc}") from None
    if not lines:
        raise ContinuanceTableError(f"{file}: empty file, expected a continuance table header")
    header = [cell.strip().lower() for cell in lines[0]]
    body = [(number, row) for number, row in enumerate(lines[1:], start=2) if any(c.strip() for c in row)]
    if header and header[0] == "table":
        _require(file, header, _AV2026, "av2026")
        rows = _read_av2026(file, header, body, name)
    elif header and header[0] == "maximum":
        _require(file, header, _AV2015, "av2015")
        rows = _read_av2015(file, header, body, name)
    else:
        raise ContinuanceTableError(
            f"{file}: unknown continuance table layout (header starts {', '.join(lines[0][:4])!r}); "
            "expected av2015 (Maximum, Membership, Maxed_Value, ...) or av2026 "
            "(table, up_to, percent_of_enrollees, avg_cost_per_enrollee_maxd, ...)"
        )
    _validate(file, rows)
    return ContinuanceTable(path=str(path), rows=tuple(rows), name=name)


def _require(file: Path, header: list[str], columns: tuple[str, ...], layout: str) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise ContinuanceTableError(
            f"{file}: {layout} continuance table is missing column(s) {', '.join(missing)}"
        )


def _number(file: Path, line: int, column: str, text: str, *, bound: bool = False) -> Decimal:
    cleaned = text.strip().replace(",", "")
    if bound and cleaned.lower() in _UNLIMITED:
        return Decimal("Infinity")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ContinuanceTableError(
            f"{file}: non-numeric cell on row {line}, column {column}: {text!r}"
        ) from None
    if not value.is_finite() or value < 0:
        raise ContinuanceTableError(
            f"{file}: cell on row {line}, column {column} must be a non-negative number: {text!r}"
        )
    return value


def _cell(file: Path, line: int, row: list[str], header: list[str], column: str) -> str:
    index = header.index(column)
    if index >= len(row):
        raise ContinuanceTableError(f"{file}: row {line} has no value in column {column}")
    return row[index]


def _read_av2015(
    file: Path, header: list[str], body: list[tuple[int, list[str]]], name: str | None
) -> list[ContinuanceRow]:
    if name is not None and name.lower() != file.stem.lower():
        raise ContinuanceTableError(
            f"{file}: unknown table name {name!r}; this av2015 file holds one table: {file.stem}"
        )
    parsed: list[tuple[Decimal, Decimal, Decimal]] = []
    for line, row in body:
        up_to = _number(file, line, "Maximum", _cell(file, line, row, header, "maximum"), bound=True)
        members = _number(file, line, "Membership", _cell(file, line, row, header, "membership"))
        lev = _number(file, line, "Maxed_Value", _cell(file, line, row, header, "maxed_value"))
        parsed.append((up_to, members, lev))
    total = sum((m for _, m, _ in parsed), Decimal(0))
    if total <= 0:
        raise ContinuanceTableError(f"{file}: total membership is zero")
    return [ContinuanceRow(up_to=u, share=m / total, limited_expected_value=v) for u, m, v in parsed]


def _read_av2026(
    file: Path, header: list[str], body: list[tuple[int, list[str]]], name: str | None
) -> list[ContinuanceRow]:
    names: list[str] = []
    for line, row in body:
        table = _cell(file, line, row, header, "table").strip()
        if table not in names:
            names.append(table)
    chosen = _choose(file, names, name)
    rows: list[ContinuanceRow] = []
    for line, row in body:
        if _cell(file, line, row, header, "table").strip() != chosen:
            continue
        rows.append(
            ContinuanceRow(
                up_to=_number(file, line, "up_to", _cell(file, line, row, header, "up_to"), bound=True),
                share=_number(
                    file, line, "percent_of_enrollees", _cell(file, line, row, header, "percent_of_enrollees")
                ),
                limited_expected_value=_number(
                    file,
                    line,
                    "avg_cost_per_enrollee_maxd",
                    _cell(file, line, row, header, "avg_cost_per_enrollee_maxd"),
                ),
            )
        )
    return rows


def _choose(file: Path, names: list[str], name: str | None) -> str:
    if not names:
        raise ContinuanceTableError(f"{file}: the file holds no table rows")
    if name is None:
        if len(names) == 1:
            return names[0]
        raise ContinuanceTableError(
            f'{file}: the file holds {len(names)} tables; name one with `named "NAME"` '
            f"(available: {', '.join(names)})"
        )
    if name in names:
        return name
    folded = [n for n in names if n.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    raise ContinuanceTableError(f"{file}: unknown table name {name!r}; available: {', '.join(names)}")


def _validate(file: Path, rows: list[ContinuanceRow]) -> None:
    if not rows:
        raise ContinuanceTableError(f"{file}: the continuance table has no rows")
    for before, after in itertools.pairwise(rows):
        if not after.up_to > before.up_to:
            raise ContinuanceTableError(
                f"{file}: buckets not increasing: {after.up_to} follows {before.up_to}"
            )
    total = sum((r.share for r in rows), Decimal(0))
    if abs(total - 1) > SHARE_TOLERANCE:
        raise ContinuanceTableError(
            f"{file}: shares of members sum to {total}, not 1 (tolerance {SHARE_TOLERANCE})"
        )
