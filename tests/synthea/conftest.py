"""Shared fixtures of the Synthea oracle: the export read once and converted once per test session."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tests.synthea.convert import Conversion, Line, SyntheaSample, convert, read_sample

SAMPLE = Path("/work/shared/data/synthea_sample")


def sample_folder() -> Path:
    """The export: shared/data beside the repository (CI lays it there) or the workplace copy."""
    here = Path(__file__).resolve()
    for base in (*here.parents,):
        candidate = base / "shared" / "data" / "synthea_sample"
        if candidate.is_dir():
            return candidate
    return SAMPLE


@pytest.fixture(scope="session")
def synthea() -> SyntheaSample:
    folder = sample_folder()
    if not (folder / "claims_transactions.csv").exists():
        pytest.skip(f"Synthea sample not found at {folder}")
    return read_sample(folder)


@pytest.fixture(scope="session")
def conversion(tmp_path_factory: pytest.TempPathFactory, synthea: SyntheaSample) -> Conversion:
    return convert(sample_folder(), tmp_path_factory.mktemp("synthea"))


def lines_by_period(lines: tuple[Line, ...]) -> dict[str, list[Line]]:
    out: defaultdict[str, list[Line]] = defaultdict(list)
    for line in lines:
        if line.period_id is not None:
            out[line.period_id].append(line)
    return dict(out)
