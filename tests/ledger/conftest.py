"""Ledger fixtures: a SQLite file per test, and a real PostgreSQL server for the session.

The PostgreSQL server is a throwaway cluster (``initdb`` + ``pg_ctl``) in a temporary folder on a
free local port, run as an unprivileged user when the tests run as root; each test gets its own
database. Without PostgreSQL binaries the PostgreSQL cases are skipped with a loud reason (CI
installs PostgreSQL in .ci/run, so there they always run).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN_DIRS = [Path(f"/usr/lib/postgresql/{v}/bin") for v in (17, 16, 15, 14, 13)]
NO_POSTGRES = (
    "PostgreSQL ledger tests SKIPPED: no initdb/pg_ctl found "
    "(apt-get install postgresql; .ci/run installs it so CI runs these tests)"
)


def _pg_bin() -> Path | None:
    for d in PG_BIN_DIRS:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, url: str) -> None:
        self.url = url
        self._n = itertools.count()

    def new_database(self) -> str:
        import psycopg

        name = f"ledger_{os.getpid()}_{next(self._n)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip(NO_POSTGRES)
    pytest.importorskip("psycopg", reason="PostgreSQL ledger tests need psycopg (the postgresql extra)")
    root = Path(tempfile.mkdtemp(prefix="aso-pg-"))
    data = root / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "nobody")
        os.chmod(root, 0o755)
        prefix = ["runuser", "-u", "nobody", "--"]
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True}
    try:
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            **run,  # type: ignore[call-overload]
        )
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(root / "log"),
                "-w",
                "-o",
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
                "start",
            ],
            **run,  # type: ignore[call-overload]
        )
    except subprocess.CalledProcessError as exc:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"PostgreSQL could not be started: {exc.stderr}\n{log}")
    try:
        yield PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty ledger location on each database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()
