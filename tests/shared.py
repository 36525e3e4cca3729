"""Where the suite finds the reference data kept outside the repository (AV Calculator tables,
published stop-loss examples, the Synthea sample) and, beside it, the language specification.

``ASO_SHARED_DATA`` names the data folder; without it, the first ``shared/data`` beside a folder
that holds the repository, else ``/work/shared/data``. A test that needs the data takes the
``shared_data`` fixture (tests/conftest.py), or calls ``require_shared_data()`` where a fixture
cannot reach (parametrising a module from the data's rows). When the folder is absent the test is
skipped with the reason, unless ``ASO_SHARED_DATA_REQUIRED`` is set (CI sets it): then it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV = "ASO_SHARED_DATA"
REQUIRED_ENV = "ASO_SHARED_DATA_REQUIRED"
DEFAULT = Path("/work/shared/data")


def shared_data_folder() -> Path:
    """The folder the data is looked for in (it may not exist)."""
    named = os.environ.get(ENV)
    if named:
        return Path(named)
    for base in Path(__file__).resolve().parents:
        candidate = base / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return DEFAULT


def require_shared_data() -> Path:
    """The data folder; skips (or, with ``ASO_SHARED_DATA_REQUIRED``, fails) the caller without it."""
    folder = shared_data_folder()
    if folder.is_dir():
        return folder
    reason = f"the shared reference data is not at {folder} (set {ENV} to its folder)"
    if os.environ.get(REQUIRED_ENV):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)
