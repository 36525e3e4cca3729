"""The core install: ``aso check``, ``aso fmt``, ``aso test`` and the reference engine work without
the heavy extras, and a command that needs a missing extra exits 2 with a message naming it.

Each case runs in a fresh interpreter with the extras' modules set to ``None`` in ``sys.modules``
(so importing any of them fails as if it were not installed).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aso_rules.extras import EXTRAS, MissingExtra, has, require

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numba", "scipy", "plotly", "dask", "distributed", "python_calamine", "openpyxl", "psycopg")

RUN = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None
from aso_rules.cli import main
code = main({argv!r})
loaded = sorted(n for n in {blocked!r} if sys.modules.get(n) is not None)
print("LOADED", loaded, file=sys.stderr)
sys.exit(code)
"""


def aso_without(argv: list[str], blocked: tuple[str, ...] = HEAVY) -> subprocess.CompletedProcess[str]:
    script = RUN.format(blocked=blocked, argv=argv)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "rulesets/"],
        ["fmt", "--check", "rulesets/"],
        ["test", "rulesets/acme-2026.aso", "rulesets/small-employer-60.aso"],
    ],
    ids=["check", "fmt", "test"],
)
def test_core__commands_run_without_the_heavy_extras(argv: list[str]) -> None:
    done = aso_without(argv)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "LOADED []" in done.stderr


def test_core__auto_engine_settles_with_the_reference_engine_without_numba(tmp_path: Path) -> None:
    argv = [
        "settle", "rulesets/acme-2026.aso", "--claims", "examples/acme-claims.csv",
        "--enrollment", "examples/acme-enrollment.csv", "--out", str(tmp_path), "--format", "json",
    ]  # fmt: skip
    done = aso_without(argv)
    assert done.returncode == 0, done.stderr
    assert '"employer_cost"' in done.stdout
    assert (tmp_path / "summary.json").is_file()


@pytest.mark.parametrize(
    ("argv", "extra"),
    [
        (["settle", "rulesets/acme-2026.aso", "--claims", "examples/acme-claims.csv",
          "--enrollment", "examples/acme-enrollment.csv", "--engine", "vector"], "vector"),
        (["settle", "rulesets/acme-2026.aso", "--claims", "examples/acme-claims.csv",
          "--enrollment", "examples/acme-enrollment.csv", "--engine", "dask"], "dask"),
        (["price", "rulesets/acme-2026.aso", "--enrollment", "examples/acme-enrollment.csv"], "pricing"),
        (["settle", "rulesets/acme-2026.aso", "--claims", "examples/acme-claims.csv",
          "--enrollment", "examples/acme-enrollment.csv", "--engine", "reference", "--xlsx"], "excel"),
    ],
    ids=["vector", "dask", "pricing", "excel-out"],
)  # fmt: skip
def test_core__a_missing_extra_is_named_with_exit_2(argv: list[str], extra: str, tmp_path: Path) -> None:
    done = aso_without([*argv, "--out", str(tmp_path)])
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"pip install 'aso-rules[{extra}]'" in done.stderr


def test_core__reading_xlsx_without_the_excel_extra_names_it(tmp_path: Path) -> None:
    (tmp_path / "claims.xlsx").write_bytes(b"PK")  # never opened: the extra is missing first
    argv = ["settle", "rulesets/acme-2026.aso", "--claims", str(tmp_path / "claims.xlsx"), "--enrollment",
            "examples/acme-enrollment.csv", "--engine", "reference", "--out", str(tmp_path)]  # fmt: skip
    done = aso_without(argv)
    assert done.returncode == 2, done.stderr
    assert "pip install 'aso-rules[excel]'" in done.stderr and "Traceback" not in done.stderr


def test_core__report_alone_missing_names_the_report_extra(tmp_path: Path) -> None:
    argv = ["price", "rulesets/acme-2026.aso", "--enrollment", "examples/acme-enrollment.csv",
            "--simulations", "0", "--out", str(tmp_path)]  # fmt: skip
    done = aso_without(argv, blocked=("plotly",))
    assert done.returncode == 2, done.stderr
    assert "'report' extra" in done.stderr


def test_require__names_the_extra_and_the_module() -> None:
    with pytest.raises(MissingExtra, match=r"'vector' extra \(no_such_module_x is not installed\)"):
        require("vector", "no_such_module_x")
    assert all(has(extra) for extra in ("vector", "pricing", "report", "dask", "excel"))
    assert set(EXTRAS) >= {"vector", "pricing", "report", "dask", "excel", "postgresql"}


def test_pyproject__core_dependencies_leave_out_the_heavy_packages() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"])
    for heavy in ("numba", "scipy", "plotly", "dask", "openpyxl", "psycopg"):
        assert heavy not in core
    extras = project["optional-dependencies"]
    assert "aso-rules[all]" in extras["dev"]
    assert {"vector", "pricing", "report", "dask", "excel", "postgresql", "all"} <= set(extras)
    assert "psycopg[binary]>=3.1" in extras["postgresql"]
    assert "version" in project["dynamic"]
