"""Shared fixtures of the Synthea oracle: the export read once and converted once per test session."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tests.synthea.convert import Conversion, Line, SyntheaSample, convert, read_sample


@pytest.fixture(scope="session")
def synthea_folder(shared_data: Path) -> Path:
    """The export, in the shared reference data (tests/shared.py)."""
    folder = shared_data / "synthea_sample"
    if not (folder / "claims_transactions.csv").exists():
        pytest.skip(f"Synthea sample not found at {folder}")
    return folder


@pytest.fixture(scope="session")
def synthea(synthea_folder: Path) -> SyntheaSample:
    return read_sample(synthea_folder)


@pytest.fixture(scope="session")
def conversion(tmp_path_factory: pytest.TempPathFactory, synthea_folder: Path) -> Conversion:
    return convert(synthea_folder, tmp_path_factory.mktemp("synthea"))


def lines_by_period(lines: tuple[Line, ...]) -> dict[str, list[Line]]:
    out: defaultdict[str, list[Line]] = defaultdict(list)
    for line in lines:
        if line.period_id is not None:
            out[line.period_id].append(line)
    return dict(out)
