"""Writing a vector settlement: the ledger streamed in record batches, rejects and summary.json.

On entry: a ``VectorSettlement`` (any ``LedgerRun``: this module does not import the settlement,
which imports it). On exit: the same files ``settle.ledger.write_outputs`` writes,
byte for byte the same content: ``ledger.parquet`` through one ``ParquetWriter`` fed batch by batch,
or ``ledger.csv`` through the project's CSV writer batch by batch, so the ledger is never whole in
memory while it is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from aso_rules.data.writers import write_table
from aso_rules.settle.ledger import summary_json

PARQUET_BATCH = 1 << 19  # ledger rows per batch and row group: two batches are alive at a time


class LedgerRun(Protocol):
    """What the writer reads of a settlement (``settle.VectorSettlement``)."""

    @property
    def rejects(self) -> pa.Table: ...

    @property
    def enrollment_rejects(self) -> pa.Table: ...

    @property
    def summary(self) -> dict[str, Any]: ...

    def ledger_batches(self, rows: int = ..., dictionary: bool = ...) -> Iterator[pa.RecordBatch]: ...


def write_vector_outputs(s: LedgerRun, out_dir: str | Path, ledger_format: str = "csv") -> list[Path]:
    """Write the run's files to ``out_dir`` (created if missing); returns the paths written."""
    if ledger_format not in ("csv", "parquet"):
        raise ValueError(f"ledger format must be csv or parquet, not {ledger_format!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"ledger.{ledger_format}", out / "rejects.csv", out / "summary.json"]
    if ledger_format == "parquet":
        _write_parquet_batches(s, paths[0])
    else:
        _write_csv_batches(s, paths[0])
    write_table(s.rejects, paths[1])
    paths[2].write_text(summary_json(s.summary), encoding="utf-8")
    if s.enrollment_rejects.num_rows:
        paths.append(out / "enrollment_rejects.csv")
        write_table(s.enrollment_rejects, paths[-1])
    return paths


def _write_parquet_batches(s: LedgerRun, path: Path) -> None:
    """The ledger Parquet file, written by a second thread while the next batch is built.

    Text columns go in as dictionary arrays (the codes the engine already has) and the Arrow schema
    is not stored, so the file reads back with the reference ledger's plain string types. Only the
    text columns are dictionary-encoded: money has too many distinct values for a dictionary to
    pay (dictionary-encoding the nine decimal columns cost a third of the write). Column
    statistics are not written (they cost more than the rest of the write on decimal columns).
    Batches of ``PARQUET_BATCH`` rows (one row group each) keep the ledger's memory small: the
    next batch is built only once the writer has taken the last one, so two are alive at most.
    """
    import queue
    import threading

    pending: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=1)
    failure: list[BaseException] = []

    def consume() -> None:
        writer: pq.ParquetWriter | None = None
        try:
            while (batch := pending.get()) is not None:
                pending.task_done()  # the producer builds the next batch while this one is written
                if writer is None:
                    text = [f.name for f in batch.schema if pa.types.is_dictionary(f.type)]
                    writer = pq.ParquetWriter(
                        str(path),
                        batch.schema,
                        store_schema=False,
                        write_statistics=False,
                        use_dictionary=text,
                    )
                writer.write_batch(batch)
        except BaseException as exc:  # re-raised in the producing thread
            failure.append(exc)
            while pending.get() is not None:
                pending.task_done()
        finally:
            if writer is not None:
                writer.close()

    thread = threading.Thread(target=consume, name="ledger-writer", daemon=True)
    thread.start()
    try:
        for batch in s.ledger_batches(PARQUET_BATCH, dictionary=True):
            pending.put(batch)
            del batch
            # wait until the writer holds it: one batch written, one built, never a third queued
            pending.join()
            if failure:
                break
    finally:
        pending.put(None)
        thread.join()
    if failure:
        raise failure[0]


def _write_csv_batches(s: LedgerRun, path: Path) -> None:
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
