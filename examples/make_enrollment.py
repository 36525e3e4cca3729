"""Generate the example enrollment files for the example rulesets, reproducibly.

On entry: nothing (a fixed seed per file). On exit: ``examples/<name>-enrollment.csv`` for each
example ruleset, with DESIGN.md's columns (member_id, family_id, relationship, tier, coverage_start,
coverage_end, birth_date, sex, annual_salary); the employee of each family has member_id ==
family_id; tiers are EE, ES, EC, FAM; every file is byte-identical on every run.

Run from the repository root: ``python examples/make_enrollment.py``.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = (
    "member_id",
    "family_id",
    "relationship",
    "tier",
    "coverage_start",
    "coverage_end",
    "birth_date",
    "sex",
    "annual_salary",
)
# Share of employees by tier, a typical mid-market mix.
TIER_MIX = (("EE", 0.45), ("ES", 0.20), ("EC", 0.12), ("FAM", 0.23))


def _birth(rng: random.Random, year: int, low: int, high: int) -> date:
    """A birth date making the person ``low``..``high`` years old at the start of ``year``."""
    start = date(year - high, 1, 1)
    span = (date(year - low, 1, 1) - start).days
    return start + timedelta(days=rng.randrange(span))


def _tier(rng: random.Random) -> str:
    x = rng.random()
    acc = 0.0
    for tier, share in TIER_MIX:
        acc += share
        if x < acc:
            return tier
    return TIER_MIX[-1][0]


def make(employees: int, seed: int, year: int, prefix: str, turnover: float) -> list[dict[str, str]]:
    """Rows for ``employees`` families covered in plan year ``year``.

    A share ``turnover`` of the families join or leave mid-year (on the 1st of a month or the last
    day of a month), so the monthly counts move as real enrollment does.
    """
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for n in range(1, employees + 1):
        family = f"{prefix}{n:05d}"
        tier = _tier(rng)
        start, end = date(year, 1, 1), ""
        if rng.random() < turnover:
            month = rng.randrange(2, 13)
            if rng.random() < 0.5:
                start = date(year, month, 1)
            else:
                end = (date(year, month, 1) - timedelta(days=1)).isoformat()
        sex = rng.choice("FM")
        salary = rng.randrange(32_000, 140_000, 500)
        rows.append(
            {
                "member_id": family,
                "family_id": family,
                "relationship": "employee",
                "tier": tier,
                "coverage_start": start.isoformat(),
                "coverage_end": end,
                "birth_date": _birth(rng, year, 22, 64).isoformat(),
                "sex": sex,
                "annual_salary": f"{salary}.00",
            }
        )
        dependants: list[tuple[str, date]] = []
        if tier in ("ES", "FAM"):
            dependants.append(("spouse", _birth(rng, year, 22, 64)))
        if tier in ("EC", "FAM"):
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                dependants.append(("child", _birth(rng, year, 0, 25)))
        for k, (relationship, born) in enumerate(dependants, start=1):
            dep_sex = ("M" if sex == "F" else "F") if relationship == "spouse" else rng.choice("FM")
            rows.append(
                {
                    "member_id": f"{family}-{k:02d}",
                    "family_id": family,
                    "relationship": relationship,
                    "tier": tier,
                    "coverage_start": start.isoformat(),
                    "coverage_end": end,
                    "birth_date": born.isoformat(),
                    "sex": dep_sex,
                    "annual_salary": "",
                }
            )
    return rows


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


FILES = (
    # (file, employees, seed, family-id prefix, turnover)
    ("small-employer-60-enrollment.csv", 60, 60, "S", 0.10),
    ("large-employer-4000-enrollment.csv", 4000, 4000, "L", 0.12),
    ("hdhp-2026-enrollment.csv", 250, 2026, "H", 0.10),
)


def main() -> None:
    for name, employees, seed, prefix, turnover in FILES:
        write(HERE / name, make(employees, seed, 2026, prefix, turnover))


if __name__ == "__main__":
    main()
