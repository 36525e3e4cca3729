"""The worked-example case files stay true to docs/semantics.md, to the appendix plans and to the language.

- each ``expected.csv`` is its case's ```expected block of docs/semantics.md, verbatim, as ``key,value`` rows;
- each case rule file carries its appendix plan (``plans/<PLAN>.aso`` after the header) verbatim;
- the case folders check clean, are ``aso fmt`` canonical and their ``test`` blocks pass;
- the generated data files are what ``make_data`` writes.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from aso_rules.cli import main
from tests.worked import make_data
from tests.worked.test_worked_examples import CASE_IDS, CASE_PLANS, CASES, PLANS

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "docs" / "semantics.md"
CASE_BLOCK = re.compile(r"^### (C\d\d) .*?^```expected\n(.*?)^```", re.M | re.S)
RULE_FILES = sorted(CASES.glob("*/*.aso"))


def domain_blocks() -> dict[str, list[tuple[str, str]]]:
    """docs/semantics.md's appendix expected blocks by case id, as (key, value) pairs."""
    blocks = {}
    for match in CASE_BLOCK.finditer(DOMAIN.read_text(encoding="utf-8")):
        pairs = []
        for line in match[2].splitlines():
            key, _, value = line.partition(" = ")
            pairs.append((key.strip(), value.strip()))
        blocks[match[1]] = pairs
    return blocks


def plan_body(path: Path) -> str:
    """A rule file's text after its ruleset header (the header's closing brace)."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n}\n")
    assert sep and 'ruleset "' in head, f"{path} has no ruleset header first"
    return body


def test_case_files__every_appendix_case_has_a_folder() -> None:
    """Every appendix case with an expected block has a case folder, and no folder is extra."""
    assert sorted(domain_blocks()) == CASE_IDS


@pytest.mark.parametrize("case", CASE_IDS)
def test_case_files__expected_csv_is_the_domain_block(case: str) -> None:
    """expected.csv holds the case's docs/semantics.md expected block verbatim, in order."""
    with (CASES / case / "expected.csv").open(newline="", encoding="utf-8") as handle:
        rows = [(row["key"], row["value"]) for row in csv.DictReader(handle)]
    assert rows == domain_blocks()[case]


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_files__rule_file_carries_its_plan_verbatim(path: Path) -> None:
    """A case's rule file holds its appendix plan's statements exactly as plans/ writes them."""
    plan = PLANS / f"{CASE_PLANS[path.parent.name]}.aso"
    assert plan_body(plan) in plan_body(path)


def test_case_files__cases_check_clean_and_are_canonical(capsys: pytest.CaptureFixture[str]) -> None:
    """aso check finds nothing in the cases and plans, and aso fmt --check would change nothing."""
    folders = [str(CASES), str(PLANS)]
    assert main(["check", "--strict", *folders]) == 0, capsys.readouterr()
    assert main(["fmt", "--check", *folders]) == 0, capsys.readouterr()


def test_case_files__rule_file_tests_pass(capsys: pytest.CaptureFixture[str]) -> None:
    """aso test over the case folders runs the test blocks of every case rule file, and all pass."""
    assert main(["test", str(CASES)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(" 0 failed")
    for path in RULE_FILES:  # each rule file carries at least one test block
        counted = re.search(rf"^{re.escape(str(path))}: (\d+) test\(s\)$", out, re.M)
        assert counted is not None and int(counted[1]) >= 1, path


def test_case_files__generated_files_are_current(tmp_path: Path) -> None:
    """The committed claims and enrollment files of C19-C29 are exactly what make_data writes."""
    make_data.main(tmp_path)
    written = sorted(tmp_path.glob("*/*.csv"))
    assert written
    for path in written:
        committed = CASES / path.parent.name / path.name
        assert committed.read_bytes() == path.read_bytes(), committed
