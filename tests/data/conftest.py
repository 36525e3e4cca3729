"""Shared helpers of the input tests: a small enrollment and claim rows written as CSV text.

Long property sweeps (``@pytest.mark.slow``) here run only when asked for: ``pytest -m slow``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from aso_rules.data.readers import ClaimsInput, EnrollmentInput, read_claims, read_enrollment
from aso_rules.model import Ruleset
from tests.data.plans import acme_2026

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr"):
        return
    skip = pytest.mark.skip(reason="long sweep: run with -m slow")
    for item in items:
        if "slow" in item.keywords and HERE in Path(str(item.fspath)).parents:
            item.add_marker(skip)


ENROLLMENT_CSV = """\
member_id,family_id,relationship,tier,coverage_start,coverage_end,birth_date,sex,annual_salary
M-1,M-1,employee,FAM,2026-01-01,,1980-05-01,F,62400.00
M-1-S,M-1,spouse,FAM,2026-01-01,,1981-07-02,M,
M-1-C1,M-1,child,FAM,2026-01-01,,2012-03-04,F,
M-2,M-2,employee,EE,2026-01-01,2026-06-30,1990-01-01,M,
M-3,M-3,employee,ES,2026-03-01,,1975-11-30,M,130000
"""

CLAIM_HEADER = ("claim_id", "member_id", "line", "category", "incurred", "paid", "billed", "allowed")
GOOD_ROW = ("C-1", "M-1", "medical", "office_visit", "2026-02-03", "2026-02-20", "180.00", "120.00")


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """CSV text from a header and rows (values are written as given, quoted when they hold a comma)."""

    def cell(v: str) -> str:
        return f'"{v}"' if ("," in v or '"' in v) else v

    return "\n".join([",".join(header), *(",".join(cell(v) for v in r) for r in rows)]) + "\n"


@pytest.fixture
def acme() -> Ruleset:
    return acme_2026()


@pytest.fixture
def enrollment(tmp_path: Path, acme: Ruleset) -> EnrollmentInput:
    path = tmp_path / "enrollment.csv"
    path.write_text(ENROLLMENT_CSV)
    result = read_enrollment(path, acme)
    assert not result.rejects
    return result


@pytest.fixture
def claims_from(
    tmp_path: Path, acme: Ruleset, enrollment: EnrollmentInput
) -> Callable[[Sequence[str], Sequence[Sequence[str]]], ClaimsInput]:
    """Write rows as claims.csv and read them against the acme ruleset and the small enrollment."""

    def read(header: Sequence[str], rows: Sequence[Sequence[str]]) -> ClaimsInput:
        path = tmp_path / "claims.csv"
        path.write_text(csv_text(header, rows))
        return read_claims(path, acme, enrollment.by_id())

    return read
