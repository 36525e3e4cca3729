"""Shared pytest options and fixtures.

``--update-golden`` re-records golden files (diagnostics, CLI output) instead of comparing them.
``shared_data`` is the folder of the reference data kept outside the repository (tests/shared.py).
Hypothesis runs under the settings profile named by ``HYPOTHESIS_PROFILE``: ``dev`` (the default)
or ``ci`` (.ci/run); a test's own ``@settings`` still wins for what it names (docs/testing.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.shared import require_shared_data

# No test may depend on timing: neither profile has a deadline.
settings.register_profile("dev", deadline=None)
# CI: a clean clone keeps no example database, a failure prints the blob that replays it, and a
# slow shared machine is not a failed health check.
settings.register_profile(
    "ci",
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


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
