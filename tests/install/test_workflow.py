"""The project's GitHub Actions workflow runs what scripts/test runs, on every supported Python,
installs ``.[dev]`` (which holds every extra), and proves the core install on its own."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]


def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    )
    return loaded


def runs(job: str) -> list[str]:
    return [step["run"] for step in workflow()["jobs"][job]["steps"] if "run" in step]


def test_workflow__tests_every_supported_python_like_scripts_test() -> None:
    job = workflow()["jobs"]["test"]
    versions = job["strategy"]["matrix"]["python-version"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == f">={versions[0]}"
    assert all(f"Programming Language :: Python :: {v}" in project["classifiers"] for v in versions)
    steps = runs("test")
    assert "python -m pip install -e '.[dev]'" in steps
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    for command in ("ruff check aso_rules tests benchmarks", "mypy"):
        assert command in script and command in steps
    assert any(s.startswith("python -m pytest -q") for s in steps)


def test_workflow__core_job_installs_no_extra_and_runs_the_hook_commands() -> None:
    steps = runs("core")
    assert "python -m pip install ." in steps
    assert "aso check rulesets/" in steps and "aso fmt --check rulesets/" in steps
    assert any("aso init" in s for s in steps)


def test_workflow__slow_sweeps_have_a_job() -> None:
    assert "python -m pytest -q -m slow" in runs("slow")
