"""Shared pytest options and fixtures.

``--update-golden`` re-records golden files (diagnostics, CLI output) instead of comparing them.
``shared_data`` is the folder of the reference data kept outside the repository (tests/shared.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared import require_shared_data


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="re-record golden files instead of comparing against them",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to re-record golden files."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared reference data folder (``ASO_SHARED_DATA``); the test is skipped without it."""
    return require_shared_data()
