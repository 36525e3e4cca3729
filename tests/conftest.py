"""Shared pytest options and fixtures.

``--update-golden`` re-records golden files (diagnostics, CLI output) instead of comparing them.
"""

from __future__ import annotations

import pytest


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
