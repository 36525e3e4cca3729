"""Write the enrollment and claims files of the worked examples with many rows (C19-C29).

On entry: nothing but docs/semantics.md's appendix figures written below. On exit: ``claims.csv`` and
``enrollment.csv`` in ``cases/C19``, ``C22``, ``C24``, ``C28`` and ``C29`` (overwritten), each row
derived from the case text, so the committed files can be regenerated and compared
(``tests/worked/test_case_files.py``). Run: ``python -m tests.worked.make_data``.

Stop-loss amounts in the appendix are plan-paid amounts; the cases' plans pay 100% with no cost
sharing, so each claim's ``allowed`` (and ``billed``) is the plan-paid amount.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

CASES = Path(__file__).parent / "cases"
ENROLLMENT = ("member_id", "family_id", "relationship", "tier", "coverage_start", "coverage_end")
CLAIMS = ("claim_id", "member_id", "line", "category", "incurred", "paid", "billed", "network", "allowed")
TIERS = ("EE", "ES", "EC", "FAM")
PLAN_START = "2025-01-01"


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _employees(
    counts: dict[str, int], ending: dict[str, int] | None = None, end: str = ""
) -> list[list[str]]:
    """Employee rows, numbered by tier (``EE001``...); the first ``ending[tier]`` of each tier end on
    ``end``. Only employees count toward pepm rates, so families are their employees alone."""
    rows = []
    for tier in TIERS:
        for k in range(1, counts.get(tier, 0) + 1):
            member = f"{tier}{k:03d}"
            stops = ending is not None and k <= ending.get(tier, 0)
            rows.append([member, member, "employee", tier, PLAN_START, end if stops else ""])
    return rows


def _plan_paid_line(claim_id: str, member: str, line: str, category: str, incurred: str, paid: str,
                    amount: str) -> list[str]:  # fmt: skip
    return [claim_id, member, line, category, incurred, paid, amount, "in", amount]


def c19(root: Path = CASES) -> None:
    """C19: claimant X, five plan-paid lines (medical, rx, dental), X5 paid in the run-out."""
    case = root / "C19"
    _write(case / "enrollment.csv", ENROLLMENT, [["X", "X", "employee", "EE", PLAN_START, ""]])
    rows = [
        ("X1", "medical", "op", "2025-02-10", "2025-03-05", "60000.00"),
        ("X2", "medical", "ip", "2025-05-20", "2025-06-18", "75000.00"),
        ("X3", "rx", "rx_spc", "2025-08-01", "2025-08-20", "40000.00"),
        ("X4", "dental", "basic", "2025-09-15", "2025-09-30", "2000.00"),
        ("X5", "medical", "ip", "2025-12-15", "2026-01-20", "30000.00"),
    ]
    _write(case / "claims.csv", CLAIMS, [_plan_paid_line(i, "X", *rest) for i, *rest in rows])


def c22(root: Path = CASES) -> None:
    """C22: claimants P, Q and R, plan-paid lines in paid order."""
    case = root / "C22"
    members = [[m, m, "employee", "EE", PLAN_START, ""] for m in "PQR"]
    _write(case / "enrollment.csv", ENROLLMENT, members)
    rows = [
        ("P1", "P", "medical", "op", "2025-02-20", "2025-03-10", "90000.00"),
        ("Q1", "Q", "medical", "op", "2025-03-15", "2025-04-01", "70000.00"),
        ("P2", "P", "medical", "op", "2025-05-25", "2025-06-12", "60000.00"),
        ("Q2", "Q", "rx", "rx_spc", "2025-08-20", "2025-09-03", "60000.00"),
        ("R1", "R", "medical", "ip", "2025-09-30", "2025-10-15", "120000.00"),
    ]
    _write(case / "claims.csv", CLAIMS, [_plan_paid_line(*row) for row in rows])


def _o_members(employees: list[list[str]], n: int, amount: str) -> list[list[str]]:
    """docs/semantics.md's O-members O1..On: n distinct members (the first n employees whose coverage stays
    open), one medical line each, incurred 2025-06-01, paid 2025-06-20."""
    open_members = [row[0] for row in employees if not row[5]]
    return [
        _plan_paid_line(f"O{k}", member, "medical", "op", "2025-06-01", "2025-06-20", amount)
        for k, member in enumerate(open_members[:n], start=1)
    ]


def c24(root: Path = CASES) -> None:
    """C24: group G1 (60/15/10/25 employees January-June, 50/12/8/20 July-December); O1-O25 at
    40,000.00 each."""
    case = root / "C24"
    employees = _employees(
        {"EE": 60, "ES": 15, "EC": 10, "FAM": 25},
        ending={"EE": 10, "ES": 3, "EC": 2, "FAM": 5},
        end="2025-06-30",
    )
    _write(case / "enrollment.csv", ENROLLMENT, employees)
    _write(case / "claims.csv", CLAIMS, _o_members(employees, 25, "40000.00"))


def c28(root: Path = CASES) -> None:
    """C28: one month (January 2025) of 120 employees (70/15/10/25) and 290 members; 2,417 claims:
    1,000 dental lines paying 48,765.43 in all, 10 out-of-network medical lines negotiated from
    45,000.00 billed to 28,500.00 allowed, and 1,407 in-network medical lines without savings."""
    case = root / "C28"
    size = {"EE": 1, "ES": 2, "EC": 4, "FAM": 6}  # 70 + 30 + 40 + 150 = 290 members
    rows = []
    for tier, count in (("EE", 70), ("ES", 15), ("EC", 10), ("FAM", 25)):
        for k in range(1, count + 1):
            family = f"{tier}{k:03d}"
            for j in range(size[tier]):
                rel = "employee" if j == 0 else "spouse" if j == 1 and tier in ("ES", "FAM") else "child"
                member = family if j == 0 else f"{family}-{j}"
                rows.append([member, family, rel, tier, PLAN_START, "2025-01-31"])
    _write(case / "enrollment.csv", ENROLLMENT, rows)
    members = [row[0] for row in rows]
    claims = []
    n = 0

    def add(line: str, category: str, billed: str, allowed: str, network: str = "in") -> None:
        nonlocal n
        n += 1
        member = members[(n - 1) % len(members)]
        claims.append(
            [f"C{n:04d}", member, line, category, "2025-01-06", "2025-01-27", billed, network, allowed]
        )

    dental = [Decimal("48.77")] * 999
    dental.append(Decimal("48765.43") - sum(dental))
    for amount in dental:
        add("dental", "basic", f"{amount}", f"{amount}")
    for _ in range(10):
        add("medical", "op", "4500.00", "2850.00", network="out")
    for _ in range(1407):
        add("medical", "op", "100.00", "100.00")
    _write(case / "claims.csv", CLAIMS, claims)


def c29(root: Path = CASES) -> None:
    """C29: group G3 (60/15/10/25 employees every month); O1-O23 at 40,000.00 each and J1 (member
    J, 180,000.00, incurred 2025-05-01, paid 2025-05-20)."""
    case = root / "C29"
    employees = _employees({"EE": 60, "ES": 15, "EC": 10, "FAM": 25})
    employees[-1][0] = employees[-1][1] = "J"  # the last family's employee is claimant J
    _write(case / "enrollment.csv", ENROLLMENT, employees)
    claims = _o_members(employees, 23, "40000.00")
    claims.append(_plan_paid_line("J1", "J", "medical", "ip", "2025-05-01", "2025-05-20", "180000.00"))
    _write(case / "claims.csv", CLAIMS, claims)


WRITERS = (c19, c22, c24, c28, c29)


def main(root: Path = CASES) -> None:
    """Write every generated file under ``root`` (one folder per case, created)."""
    for write in WRITERS:
        (root / write.__name__.upper()).mkdir(parents=True, exist_ok=True)
        write(root)


if __name__ == "__main__":
    main()
