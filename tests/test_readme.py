"""README.md's five-minute tour, run for real, so the README cannot drift from the tool.

The tour's rule file (the code block after "Write a rule file, `my-plan.aso`:") is written to a
temporary folder; its shell commands (the next ``sh`` block) must succeed; the deliberate mistake
(the README's "change `X` to `Y`") must make ``aso check`` print exactly the lines the README shows.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from aso_rules.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def tour() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## A five-minute tour")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def block_after(marker: str, lang: str = "") -> str:
    """The first fenced block of the tour (with that language tag) after ``marker``."""
    section = tour()
    at = section.index(marker)
    for match in FENCE.finditer(section, at):
        if match[1] == lang:
            return match[2]
    raise AssertionError(f"no ```{lang} block after {marker!r} in README.md")


def mistake() -> tuple[str, str]:
    """The README's deliberate mistake: (original text, replacement)."""
    found = re.search(r"Make a mistake: change `([^`]+)` to `([^`]+)`", tour())
    assert found is not None, "README.md's tour no longer names its deliberate mistake"
    return found[1], found[2]


@pytest.fixture
def plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """my-plan.aso from the README, in a temporary working folder."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "my-plan.aso"
    path.write_text(block_after("Write a rule file, `my-plan.aso`:"), encoding="utf-8")
    return path


def run(command: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run one ``aso ...`` command line in-process; returns (exit code, stdout + stderr)."""
    argv = shlex.split(command, comments=True)
    assert argv[0] == "aso", command
    code = main(argv[1:])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_readme__tour_plan_checks_clean_and_its_test_passes(
    plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command of the tour's check-and-test block exits 0 on the README's my-plan.aso."""
    block = block_after("Check it, and run its tests:", "sh")
    commands = [c.split("#")[0].strip() for c in block.splitlines() if c.split("#")[0].strip()]
    assert commands == ["aso check my-plan.aso", "aso test my-plan.aso", "aso test my-plan.aso --coverage"]
    outputs = {}
    for command in commands:
        code, outputs[command] = run(command, capsys)
        assert code == 0, outputs[command]
    assert "error" not in outputs["aso check my-plan.aso"]
    assert outputs["aso test my-plan.aso"].rstrip().endswith("1 passed, 0 failed")


def test_readme__tour_plan_is_canonical(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's rule file is already in aso fmt's canonical layout."""
    code, out = run("aso fmt --check my-plan.aso", capsys)
    assert code == 0, out


def test_readme__deliberate_mistake_output_matches(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After the README's mistake, aso check exits 1 and its first lines are the README's shown output."""
    before, after = mistake()
    text = plan.read_text(encoding="utf-8")
    assert text.count(before) == 1
    plan.write_text(text.replace(before, after), encoding="utf-8")
    shown = block_after("under the offending text and a hint:").splitlines()
    code, out = run("aso check my-plan.aso", capsys)
    assert code == 1
    assert out.splitlines()[: len(shown)] == shown


def test_readme__fixing_the_mistake_makes_the_check_clean(
    plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Undoing the mistake makes the check clean again, with exit code 0, as the README says."""
    before, after = mistake()
    original = plan.read_text(encoding="utf-8")
    plan.write_text(original.replace(before, after), encoding="utf-8")
    assert run("aso check my-plan.aso", capsys)[0] == 1
    plan.write_text(original, encoding="utf-8")
    assert run("aso check my-plan.aso", capsys)[0] == 0


# --------------------------------------------------------------------------- every command and snippet

ROOT = README.parent


def blocks(lang: str) -> list[str]:
    """Every fenced block of README.md with that language tag, in order."""
    return [m[2] for m in FENCE.finditer(README.read_text(encoding="utf-8")) if m[1] == lang]


def commands() -> list[str]:
    """Every command line of README.md's ``sh`` blocks (comments and blank lines dropped)."""
    out = []
    for block in blocks("sh"):
        out += [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]
    return [c for c in out if not c.startswith("#")]


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder like a fresh clone's top (rulesets/, examples/, scripts/) with the tour's
    my-plan.aso, so README commands run as written without writing into the repository."""
    for name in ("rulesets", "examples", "scripts"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    (tmp_path / "my-plan.aso").write_text(block_after("Write a rule file, `my-plan.aso`:"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme__every_aso_command_exits_0(clone: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each ``aso ...`` line of every sh block runs, in README order, and exits 0."""
    ran = [c for c in commands() if c.startswith("aso ")]
    assert any(c.startswith("aso explain") for c in ran) and any(c.startswith("aso settle") for c in ran)
    for command in ran:
        code, out = run(command, capsys)
        assert code == 0, f"{command}\n{out}"


def test_readme__scripts_and_installs_name_what_exists() -> None:
    """The scripts the README runs exist, are executable and parse; each pip install names extras
    that pyproject.toml defines; nothing else hides in the sh blocks."""
    import os
    import subprocess
    import tomllib

    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "optional-dependencies"
        ]
    )
    for command in commands():
        if command.startswith("scripts/"):
            script = ROOT / command.split()[0]
            assert os.access(script, os.X_OK), command
            subprocess.run(["bash", "-n", str(script)], check=True)
        elif command.startswith("pip install"):
            for named in re.findall(r"aso-rules\[([\w,]+)\]", command):
                assert set(named.split(",")) <= extras, command
        else:
            assert command.startswith(("aso ", "cd ", "source ")), (
                f"README command not covered by a test: {command}"
            )


def test_readme__every_python_snippet_runs(clone: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each python block runs as written (in one namespace, in README order) without an error."""
    snippets = blocks("python")
    assert snippets
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for snippet in snippets:
        exec(compile(snippet, "README.md", "exec"), namespace)  # the README's own code, run as a user would
    printed = capsys.readouterr().out
    assert "claim C-" in printed  # the explanation of the first ledger line was printed
