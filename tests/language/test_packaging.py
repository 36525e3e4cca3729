"""Packaging: the grammar ships inside the wheel and loads from it through importlib.resources."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import sys
from aso_rules.language import parser
assert parser.__file__.endswith(".py") and ".whl" in parser.__file__, parser.__file__
rule_file, diagnostics = parser.parse_text(sys.stdin.read(), "acme-2026.aso")
assert rule_file is not None and diagnostics == [], diagnostics
print(len(rule_file.statements))
"""


def test_wheel__contains_grammar_and_parses_example_from_zip(tmp_path: Path) -> None:
    """The built wheel holds aso_rules/grammars/aso.lark; imported from the zip it parses the example.

    The wheel is built from a copy of the package and pyproject.toml, so the checkout is untouched.
    """
    source = tmp_path / "src"
    shutil.copytree(ROOT / "aso_rules", source / "aso_rules", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    readme = ROOT / "README.md"
    (source / "README.md").write_text(readme.read_text("utf-8") if readme.exists() else "aso-rules\n")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("aso_rules-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "aso_rules/grammars/aso.lark" in archive.namelist()
    code = f"import sys; sys.path[:0] = {[str(wheel)]!r}; " + _site() + _PROBE
    probe = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        input=(ROOT / "rulesets" / "acme-2026.aso").read_text("utf-8"),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert probe.stdout.strip() == "15"


def _site() -> str:
    """Make third-party dependencies (lark, attrs) importable without the project checkout."""
    import attrs
    import lark

    paths = sorted({str(Path(str(m.__file__)).resolve().parents[1]) for m in (attrs, lark)})
    return f"sys.path.extend({paths!r}); "
