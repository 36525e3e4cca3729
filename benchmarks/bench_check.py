"""Parse (and, when the checker is installed, check) a generated 5,000-line ruleset; print timings.

    PYTHONPATH=. python benchmarks/bench_check.py [--lines 5000] [--repeat 5]

Target: under 1 s for 5,000 lines. The figures printed are the best of ``--repeat`` runs, wall
clock and CPU time (the machine is shared: the best run is the least disturbed, and CPU time does
not count waiting for a core).
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

from aso_rules.language.loader import parse_program_text
from aso_rules.language.parser import lark_parser, parse_text

EXAMPLE = Path(__file__).resolve().parents[1] / "rulesets" / "acme-2026.aso"


def generate(lines: int) -> str:
    """The example, then whole coverage and test blocks until at least ``lines`` lines."""
    out = EXAMPLE.read_text("utf-8").splitlines()
    n = 0
    while len(out) < lines:
        n += 1
        out += [
            "",
            f"coverage vision_{n} {{",
            "  deductible $1,500 per person, $3,000 per family embedded",
            "  out_of_pocket $5,000 per person, $10,000 per family",
            "  plan pays 80%",
            "  copay office_visit $30, specialist $60",
            "  copay emergency $250 then deductible",
            "  covered in full preventive",
            "  network out {",
            "    plan pays 60%",
            "  }",
            "  limit chiropractic 20 visits per person per year",
            "}",
            "",
            f'test "generated case {n}" {{',
            f'  member "G{n}" family "G{n}" tier EE',
            f'  claim "g{n}" member "G{n}" medical office_visit incurred 2026-02-03 allowed $180.00',
            f'  expect "g{n}" member_paid $30.00 plan_paid $150.00',
            "}",
        ]
    return "\n".join(out).rstrip() + "\n"


def _best(repeat: int, action: Callable[[], object]) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds over ``repeat`` runs (CPU time is steadier when the
    machine is shared: it does not count time spent waiting for a core)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall = min(wall, time.perf_counter() - start_wall)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--lines", type=int, default=5000)
    args.add_argument("--repeat", type=int, default=5)
    options = args.parse_args()
    text = generate(options.lines)
    lark_parser()  # build the parser once, outside the timing
    rule_file, diagnostics = parse_text(text, "bench.aso")
    assert rule_file is not None, diagnostics[:3]
    lines = text.count("\n")
    wall, cpu = _best(options.repeat, lambda: parse_text(text, "bench.aso"))
    print(f"lines: {lines}  statements: {len(rule_file.statements)}")
    rate = lines / cpu
    print(f"parse: {wall:.3f} s wall, {cpu:.3f} s CPU  ({rate:,.0f} lines per CPU second)  target < 1 s")
    if importlib.util.find_spec("aso_rules.language.check") is not None:
        from aso_rules.language.check import check_program

        def full() -> None:
            program, _ = parse_program_text(text, filename="bench.aso")
            assert program is not None
            check_program(program)

        wall, cpu = _best(options.repeat, full)
        print(f"parse + check: {wall:.3f} s wall, {cpu:.3f} s CPU  target < 1 s")
    else:
        print("parse + check: skipped (the checker is not installed on this branch)")


if __name__ == "__main__":
    main()
