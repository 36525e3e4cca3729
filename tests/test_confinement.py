"""Every file a rule file reads is confined like includes (issue 14, item 3).

The audit: the grammar's statements that take a string are listed here by what the string is, so
a new statement naming a file fails ``test_every_string_statement_is_classified`` until it is
confined and added to ``FILE_STATEMENTS``. Each file statement is then tried with every way out:
a path outside the folder, an absolute path, a symlink inside the folder pointing out, a FIFO, a
device, a folder and a file above the size limit. Each is refused with its code, by ``check``,
``load`` and the commands, without blocking and without echoing the file's contents.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aso_rules.language.loader import RulesetError, check, load
from aso_rules.language.parser import MAX_FILE_BYTES, lark_parser
from aso_rules.language.tables import MAX_TABLE_BYTES

# grammar rule -> what its strings are
FILE_STATEMENTS = {"include": "a rule file", "continuance_table": "a continuance table (and its table name)"}
TEXT_STATEMENTS = {
    "ruleset": "the ruleset's name",
    "administrator": "the administrator's name",
    "tier_def": "a tier's label",
    "exclude": "a denial reason",
    "exclude_coverage": "a denial reason",
    "code_price": "a procedure code",
    "stop_loss_specific": "a contract's name",
    "stop_loss_aggregate": "a contract's name",
    "laser": "a member id",
    "test": "a test's name",
    "test_member": "member and family ids",
    "test_claim": "claim and member ids",
    "expect_claim": "a claim id",
    "expect_specific": "a member id",
    "value": "a string value (constants, fields)",
}

SECRET = "TOP-SECRET-CONTENTS"
HEADER = 'ruleset "C" {\n  plan_year 2026-01-01 to 2026-12-31\n  tiers EE "Employee only"\n}\n'
COVERAGE = "coverage medical {\n  deductible $500 per person\n  plan pays 80%\n}\n"


def test_every_string_statement_is_classified() -> None:
    """The grammar's rules with a STRING are exactly the ones listed, each once."""
    with_strings = {
        str(rule.origin.name)
        for rule in lark_parser().rules
        if any(getattr(s, "name", None) == "STRING" for s in rule.expansion)
    }
    assert with_strings == set(FILE_STATEMENTS) | set(TEXT_STATEMENTS)
    assert not set(FILE_STATEMENTS) & set(TEXT_STATEMENTS)


def _table(path: str) -> str:
    return HEADER + COVERAGE + f'assumptions {{\n  claimant_cost table "{path}"\n}}\n'


def _include(path: str) -> str:
    return HEADER + COVERAGE + f'include "{path}"\n'


def _escape(tmp_path: Path, how: str) -> str:
    """A path, as a rule file in ``tmp_path/rules`` would write it, that leads out by ``how``."""
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{SECRET}\n{SECRET}\n")
    rules = tmp_path / "rules"
    if how == "relative":
        return "../outside.txt"
    if how == "absolute":
        return str(outside)
    if how == "symlink":
        (rules / "link.csv").symlink_to(outside)
        return "link.csv"
    if how == "fifo":
        os.mkfifo(rules / "pipe.csv")
        return "pipe.csv"
    if how == "device":
        return "../" * 12 + "dev/zero"
    if how == "folder":
        (rules / "sub").mkdir()
        return "sub"
    assert how == "large"
    big = rules / "big.csv"
    with big.open("wb") as fh:  # sparse: the size is what counts, no disk is used
        fh.truncate(max(MAX_TABLE_BYTES, MAX_FILE_BYTES) + 1)
    return "big.csv"


WAYS = ["relative", "absolute", "symlink", "fifo", "device", "folder", "large"]
# what each statement answers: a table outside or not a regular file is E320; an include is E291
# when it leaves the folder, E290 when it is not a regular file, E105 when it is too large
TABLE_CODE = dict.fromkeys(WAYS, "E320")
INCLUDE_CODE = {
    "relative": "E291",
    "absolute": "E291",
    "symlink": "E291",
    "fifo": "E290",
    "device": "E291",
    "folder": "E290",
    "large": "E105",
}


@pytest.mark.parametrize("how", WAYS)
@pytest.mark.parametrize("statement", sorted(FILE_STATEMENTS))
def test_a_file_outside_or_irregular_is_refused(tmp_path: Path, statement: str, how: str) -> None:
    (tmp_path / "rules").mkdir()
    path = _escape(tmp_path, how)
    text, expected = (
        (_table(path), TABLE_CODE[how])
        if statement == "continuance_table"
        else (_include(path), INCLUDE_CODE[how])
    )
    root = tmp_path / "rules" / "plan.aso"
    root.write_text(text)
    diagnostics = check([str(root)])
    assert expected in {d.code for d in diagnostics}, [d.code for d in diagnostics]
    assert all(SECRET not in d.message and SECRET not in d.hint for d in diagnostics)
    with pytest.raises(RulesetError):
        load(str(root))


@pytest.mark.parametrize("command", ["check", "test", "price", "settle"])
@pytest.mark.parametrize("how", ["fifo", "device", "symlink"])
def test_commands_refuse_without_blocking_or_echoing(tmp_path: Path, command: str, how: str) -> None:
    """Each command exits 1 with the refusal; a FIFO or a device is never opened (the subprocess
    timeout only guards against a hang, it measures nothing)."""
    (tmp_path / "rules").mkdir()
    root = tmp_path / "rules" / "plan.aso"
    root.write_text(_table(_escape(tmp_path, how)))
    enrollment = tmp_path / "e.csv"
    enrollment.write_text("member_id\n")
    extra = {
        "check": [],
        "test": [],
        "price": ["--enrollment", str(enrollment), "--out", str(tmp_path / "out")],
        "settle": [
            "--claims",
            str(enrollment),
            "--enrollment",
            str(enrollment),
            "--out",
            str(tmp_path / "out"),
        ],
    }[command]
    run = subprocess.run(
        [sys.executable, "-m", "aso_rules", command, str(root), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "E320" in run.stdout + run.stderr
    assert SECRET not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
