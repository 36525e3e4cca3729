"""``aso init DIR``: the starter ruleset, its tests and data, written from the package's own data,
so it works from an installed wheel without a clone."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from aso_rules.cli import main
from aso_rules.cli.init_cmd import STARTER

ROOT = Path(__file__).resolve().parents[2]

FROM_WHEEL = """
import sys
sys.path.insert(0, {wheel!r})
for name in ("numba", "scipy", "plotly", "dask", "distributed", "openpyxl", "python_calamine"):
    sys.modules[name] = None
import aso_rules
assert aso_rules.__file__.startswith({wheel!r}), aso_rules.__file__
from aso_rules.cli import main
for argv in (["init", "starter"], ["check", "starter"], ["test", "starter"]):
    code = main(argv)
    if code:
        sys.exit(code)
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("aso_rules-*.whl")
    return built


def test_wheel__ships_the_starter_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"aso_rules/starter/{name}" for name in STARTER} <= names


def test_init__from_the_wheel_alone_writes_a_ruleset_that_checks_and_passes_its_tests(
    wheel: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FROM_WHEEL.format(wheel=str(wheel))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "starter").iterdir()) == sorted(STARTER)
    assert "12 passed, 0 failed" in done.stdout


def test_init__starter_data_settles_with_no_rejects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "plan"
    assert main(["init", str(d)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {d / 'plan.aso'}" in out and f"aso check {d}" in out
    argv = ["settle", str(d / "plan.aso"), "--claims", str(d / "claims.csv"), "--enrollment",
            str(d / "enrollment.csv"), "--out", str(d / "out"), "--engine", "reference"]  # fmt: skip
    assert main(argv) == 0
    counts = json.loads((d / "out" / "summary.json").read_text(encoding="utf-8"))["counts"]
    assert counts["received"] == 1000 and counts["rejected"] == 0


def test_init__refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "plan"
    d.mkdir()
    (d / "plan.aso").write_text("# mine\n", encoding="utf-8")
    assert main(["init", str(d)]) == 2
    assert "already has plan.aso" in capsys.readouterr().err
    assert (d / "plan.aso").read_text(encoding="utf-8") == "# mine\n"
    assert main(["init", str(d), "--force"]) == 0
    assert (d / "plan.aso").read_text(encoding="utf-8").startswith("# A starter plan")


def test_init__a_file_in_the_way_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f").write_text("", encoding="utf-8")
    assert main(["init", str(tmp_path / "f")]) == 2
    assert "is not a folder" in capsys.readouterr().err
