"""The distributed engine on a real ``LocalCluster`` of two worker processes: equal to the vector and
reference engines on several thousand families, from a Parquet dataset and a Dask DataFrame, through
the command line, and exact and complete after a worker process is killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aso_rules.settle import Settlement, settle
from aso_rules.settle.distributed import read_dataset, settle_dask
from aso_rules.settle.vector import vector_adjudicate
from tests.dask.support import (
    VARIANTS,
    acme,
    book,
    dirty,
    single_machine,
    slow_adjudicate,
    slow_adjudicate_columns,
    variant,
    write_dataset,
)

distributed = pytest.importorskip("distributed")

EMPLOYEES, LINES, SEED = 5_000, 40_000, 11


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One two-process cluster for the module (a cluster start costs seconds)."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated book with rejected rows, as a folder of four Parquet files."""
    _, claims = book(EMPLOYEES, LINES, SEED)
    return write_dataset(dirty(claims), tmp_path_factory.mktemp("claims"), files=4)


def _same(got: Any, want: Settlement) -> None:
    assert got.summary == want.summary
    assert got.rejects.equals(want.rejects)
    assert got.ledger.equals(want.ledger)


def test_dask__equals_vector_and_reference_on_thousands_of_families(
    client: Any, dataset: Path, tmp_path: Path
) -> None:
    """dask == vector == reference (summary, rejects, ledger) on several thousand families of the
    acme plan, whose first tier's aggregating deductible is shared across claimants in paid order."""
    enrollment, _ = book(EMPLOYEES, LINES, SEED)
    want = single_machine(acme(), read_dataset(dataset), enrollment)
    vector_records = single_machine(acme(), read_dataset(dataset), enrollment, vector_adjudicate)
    vector = settle(acme(), read_dataset(dataset), enrollment, engine="vector")
    got = settle_dask(acme(), dataset, enrollment, client=client, out_dir=tmp_path, rows_per_part=6_000)
    assert len({r.claim.family_id for r in want.lines}) > 3_000
    assert want.summary["specific_stop_loss"][0]["asd_absorbed"] == "50000.00"
    assert want.summary["counts"]["rejected"] == 8
    assert vector.summary.pop("engine")["name"] == "vector"  # the one key the vector engine adds
    _same(vector, want)
    _same(vector_records, want)
    _same(got, want)
    assert len(list((tmp_path / "ledger").glob("part-*.parquet"))) == got.parts


def test_dask__dask_dataframe_input_with_low_deductibles(client: Any, tmp_path: Path) -> None:
    """A Dask DataFrame input settles like its computed frame, with many claimants over the specific
    deductibles and the aggregate net of specific (every cross-family adjustment in use)."""
    import dask.dataframe as dd

    enrollment, claims = book(1_500, 12_000, SEED)
    frame = dirty(claims).to_pandas()
    rs = variant("net_of_specific")
    want = single_machine(rs, frame, enrollment)
    got = settle_dask(rs, dd.from_pandas(frame, npartitions=5), enrollment, client=client, out_dir=tmp_path)
    assert sum(c["asd_absorbed"] != "0.00" for c in want.summary["specific_stop_loss"][0]["claimants"]) >= 2
    _same(got, want)


def _kill_a_busy_worker(client: Any, killed: list[int], stop: threading.Event) -> None:
    """Wait until a family-bucket task runs, then SIGKILL the worker process running it."""
    deadline = time.monotonic() + 120
    while not stop.is_set() and time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if any("settle_bucket" in str(k) for k in keys)]
        if busy:
            pids = client.run(os.getpid, workers=[busy[0]])
            pid = pids[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.05)


@pytest.mark.parametrize("path", ["columns", "records"])
def test_dask__worker_killed_mid_run_result_exact_and_complete(
    client: Any, tmp_path: Path, path: str
) -> None:
    """Killing a worker process while family buckets are being settled (on columns, the default, or
    on records) loses and duplicates no line: Dask reruns the lost tasks and the ledger parts,
    summary and rejects equal the reference."""
    enrollment, claims = book(1_500, 12_000, SEED)
    table = dirty(claims)
    rs = variant("asd_counts")
    want = single_machine(rs, table, enrollment)
    slow: dict[str, Any] = (
        {"column_adjudicator": slow_adjudicate_columns}
        if path == "columns"
        else {"adjudicator": slow_adjudicate}
    )
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_a_busy_worker, args=(client, killed, stop))
    killer.start()
    try:
        got = settle_dask(rs, table, enrollment, client=client, out_dir=tmp_path, buckets=6, **slow)
    finally:
        stop.set()
        killer.join()
    assert killed, "no worker was killed"
    _same(got, want)
    assert got.ledger.num_rows == want.summary["counts"]["settled"]
    assert not list((tmp_path / "ledger").glob(".*tmp"))
    client.wait_for_workers(2, timeout=60)


def test_cli__settle_engine_dask_on_a_scheduler(client: Any, tmp_path: Path) -> None:
    """``aso settle --engine dask --scheduler ADDRESS`` writes the partitioned ledger, rejects.csv
    and summary.json equal to the reference engine's, and exits 0."""
    from aso_rules.cli import main

    enrollment, claims = book(300, 3_000, SEED)
    folder = write_dataset(dirty(claims), tmp_path / "claims", files=3)
    enrollment_csv = tmp_path / "enrollment.csv"
    enrollment.to_pandas().to_csv(enrollment_csv, index=False)
    ruleset = Path(__file__).resolve().parents[2] / "rulesets" / "acme-2026.aso"
    out = tmp_path / "out"
    argv = ["settle", str(ruleset), "--claims", str(folder), "--enrollment", str(enrollment_csv)]
    code = main(
        [*argv, "--out", str(out), "--engine", "dask", "--scheduler", client.scheduler.address, "--json"]
    )
    assert code == 0
    want = single_machine(acme(), read_dataset(folder), str(enrollment_csv))
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(want.summary, default=str))
    assert (out / "rejects.csv").read_text().count("\n") == 1 + want.rejects.num_rows
    from aso_rules.settle.distributed import read_ledger

    assert read_ledger(out / "ledger").equals(want.ledger)


def test_cli__dask_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scheduler without the dask engine, or a CSV ledger with it, is a usage error (exit 2)."""
    from aso_rules.cli import main

    ruleset = Path(__file__).resolve().parents[2] / "rulesets" / "acme-2026.aso"
    base = ["settle", str(ruleset), "--claims", "c.csv", "--enrollment", "e.csv", "--out", str(tmp_path)]
    assert main([*base, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert main([*base, "--engine", "dask", "--ledger-format", "csv"]) == 2
    assert main([*base, "--engine", "dask"]) == 2  # no such claims file or folder
    err = capsys.readouterr().err
    assert "needs --engine dask" in err and "partitioned Parquet" in err and "no such claims" in err


@pytest.mark.slow
@pytest.mark.parametrize("name", VARIANTS)
def test_dask__equals_reference_on_a_larger_book_every_setting(
    client: Any, tmp_path: Path, name: str
) -> None:
    """On 100,000 lines of 10,000 employees, under each cross-family setting, the distributed run on
    two workers (buckets on columns, the default) equals the reference engine."""
    enrollment, claims = book(10_000, 100_000, SEED + 1)
    table = dirty(claims)
    rs = variant(name)
    want = single_machine(rs, table, enrollment)
    folder = write_dataset(table, tmp_path / "claims", files=5)
    got = settle_dask(
        rs,
        folder,
        enrollment,
        client=client,
        out_dir=tmp_path / "out",
        rows_per_part=15_000,
    )
    _same(got, want)


@pytest.mark.slow
def test_dask__equals_single_machine_vector_on_a_larger_book(client: Any, tmp_path: Path) -> None:
    """With the vector adjudicator per bucket (the default), the distributed run equals the same
    adjudicator on one machine, line for line, on 100,000 lines."""
    enrollment, claims = book(10_000, 100_000, SEED + 1)
    table = dirty(claims)
    rs = variant("asd_counts")
    want = single_machine(rs, table, enrollment, vector_adjudicate)
    got = settle_dask(rs, table, enrollment, client=client, out_dir=tmp_path, rows_per_part=25_000)
    _same(got, want)


@pytest.mark.filterwarnings("ignore:Port .* is already in use")  # the module's cluster has the dashboard port
def test_dask__own_local_cluster_when_given_no_client(tmp_path: Path) -> None:
    """Without a client or scheduler address the run starts (and closes) a local cluster sized to
    the machine, and gives the reference results."""
    enrollment, claims = book(300, 3_000, SEED)
    table = dirty(claims)
    want = single_machine(acme(), table, enrollment)
    got = settle_dask(acme(), table, enrollment, out_dir=tmp_path)
    _same(got, want)


def test_dask__adjudicated_claims_on_a_real_cluster(client: Any, tmp_path: Path) -> None:
    """``adjudicated=True`` on worker processes (lines pickled to the buckets and back): a settled
    book's ledger, read back as the administrator's paid claims with every eighth line voided by a
    second version, settles as the reference engine settles it, with low deductibles and an ASD."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rs = variant(VARIANTS[0])
    enrollment, claims = book(300, 3_000, SEED)
    ledger = settle(rs, claims, enrollment).ledger
    void = ledger.filter(pc.equal(pc.bit_wise_and(pa.array(range(ledger.num_rows)), 7), 0))
    paid = pa.concat_tables(
        [
            ledger.append_column("claim_version", pa.array(["1"] * ledger.num_rows)),
            void.set_column(
                void.schema.get_field_index("status"), "status", pa.array(["void"] * void.num_rows)
            ).append_column("claim_version", pa.array(["2"] * void.num_rows)),
        ]
    )
    want = settle(rs, paid, enrollment, adjudicated=True)
    got = settle_dask(rs, paid, enrollment, client=client, out_dir=tmp_path, adjudicated=True)
    assert any(s < 0 for s in want.ledger.column("specific_reimbursed").to_pylist())  # taken back
    _same(got, want)
