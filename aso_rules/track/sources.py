"""Where tracking reads a plan year from: a ledger database, or a settled/exported folder.

``from_ledger(url)``: the ledger's ruleset, its stored enrollment and its current view
(``aso_rules.ledger.open(url).settlement().ledger``). ``from_folder(folder, ruleset, enrollment)``:
``ledger.csv`` or ``ledger.parquet`` as ``aso settle --out`` and ``aso ledger export`` write them, with
the ruleset and enrollment given. Either returns ``(ruleset, members, ledger table, enrollment
rejects)``; the as-of date filters the lines later (``experience``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from aso_rules.data.records import MemberRecord, Reject
from aso_rules.model import Ruleset
from aso_rules.track.experience import TrackError

Source = tuple[Ruleset, Sequence[MemberRecord], pa.Table, Sequence[Reject]]


def from_ledger(url: str) -> Source:
    import aso_rules.ledger as ledger_api

    with ledger_api.open(url) as led:
        settlement = led.settlement()
        enrollment = led.enrollment
        return led.ruleset, list(enrollment.members), settlement.ledger, list(enrollment.rejects)


def read_ledger_file(folder: Path) -> pa.Table:
    parquet, csv = folder / "ledger.parquet", folder / "ledger.csv"
    if parquet.is_file():
        import pyarrow.parquet as pq

        return pq.read_table(parquet)
    if csv.is_file():
        import pyarrow.csv as pacsv

        types = {"incurred": pa.date32(), "paid": pa.date32(), "plan_paid": pa.string()}
        try:
            return pacsv.read_csv(
                csv,
                convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
            )
        except pa.ArrowInvalid as exc:
            raise TrackError(f"{csv}: cannot be read as a settlement ledger ({exc})") from exc
    raise TrackError(
        f"{folder}: no ledger.csv or ledger.parquet "
        "(write one with `aso settle --out` or `aso ledger export`)"
    )


def from_folder(folder: str | Path, ruleset: str | Path | Ruleset, enrollment: Any) -> Source:
    from aso_rules.data.readers import read_enrollment

    path = Path(folder)
    if not path.is_dir():
        raise TrackError(f"{folder}: not a folder")
    if isinstance(ruleset, Ruleset):
        rs = ruleset
    else:
        from aso_rules.language.loader import load

        rs = load(ruleset)
    table = read_ledger_file(path)
    read = read_enrollment(enrollment, rs)
    return rs, list(read.members), table, list(read.rejects)
