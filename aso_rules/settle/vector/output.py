"""Writing a vector settlement: the ledger streamed in record batches, rejects and summary.json.

On entry: a ``VectorSettlement``. On exit: the same files ``settle.ledger.write_outputs`` writes,
byte for byte the same content: ``ledger.parquet`` through one ``ParquetWriter`` fed batch by batch,
or ``ledger.csv`` through the project's CSV writer batch by batch, so the ledger is never whole in
memory while it is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from aso_rules.data.writers import write_table
from aso_rules.settle.ledger import summary_json

if TYPE_CHECKING:
    from aso_rules.settle.vector.settle import VectorSettlement


def write_vector_outputs(s: VectorSettlement, out_dir: str | Path, ledger_format: str = "csv") -> list[Path]:
    """Write the run's files to ``out_dir`` (created if missing); returns the paths written."""
    if ledger_format not in ("csv", "parquet"):
        raise ValueError(f"ledger format must be csv or parquet, not {ledger_format!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"ledger.{ledger_format}", out / "rejects.csv", out / "summary.json"]
    if ledger_format == "parquet":
        writer: pq.ParquetWriter | None = None
        for batch in s.ledger_batches():
            if writer is None:
                writer = pq.ParquetWriter(str(paths[0]), batch.schema)
            writer.write_batch(batch)
        if writer is not None:
            writer.close()
    else:
        _write_csv_batches(s, paths[0])
    write_table(s.rejects, paths[1])
    paths[2].write_text(summary_json(s.summary), encoding="utf-8")
    if s.enrollment_rejects.num_rows:
        paths.append(out / "enrollment_rejects.csv")
        write_table(s.enrollment_rejects, paths[-1])
    return paths


def _write_csv_batches(s: VectorSettlement, path: Path) -> None:
    """The ledger CSV: header once, then each batch as ``writers.write_csv`` writes rows."""
    import csv
    import io

    import pyarrow.csv as pacsv

    from aso_rules.data.writers import _needs_quotes, to_csv_table

    unquoted = pacsv.WriteOptions(include_header=False, quoting_style="none")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        header_done = False
        for batch in s.ledger_batches():
            text = to_csv_table(pa.Table.from_batches([batch]))
            if not header_done:
                writer.writerow(text.column_names)
                header_done = True
            for part in text.to_batches(max_chunksize=65_536):
                if _needs_quotes(part):
                    writer.writerows(zip(*(c.to_pylist() for c in part.columns), strict=True))
                else:
                    buffer = io.BytesIO()
                    pacsv.write_csv(part, buffer, write_options=unquoted)
                    fh.write(buffer.getvalue().decode("utf-8"))
