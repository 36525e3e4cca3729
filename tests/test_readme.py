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
    argv = shlex.split(command)
    assert argv[0] == "aso", command
    code = main(argv[1:])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_readme__tour_plan_checks_clean_and_its_test_passes(
    plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command of the tour's check-and-test block exits 0 on the README's my-plan.aso."""
    commands = [c for c in block_after("Check it, and run its tests:", "sh").splitlines() if c.strip()]
    assert commands == ["aso check my-plan.aso", "aso test my-plan.aso"]
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
