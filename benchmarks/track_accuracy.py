"""Tracking accuracy on generated plan years: IBNR error, projection error and band coverage at the
ends of months 3, 6 and 9 (docs/tracking.md records the last run).

    .venv/bin/python benchmarks/track_accuracy.py [--seeds 50] [--employees 1500] [--lines 30000]

About 5 s a seed at the default size on a loaded 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.track import accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--employees", type=int, default=1500)
    parser.add_argument("--lines", type=int, default=30_000)
    parser.add_argument("--simulations", type=int, default=2000)
    args = parser.parse_args()
    accuracy.EMPLOYEES, accuracy.LINES = args.employees, args.lines
    ruleset = accuracy.study_ruleset()
    rows = []
    for seed in range(1, args.seeds + 1):
        rows += accuracy.run_seed(ruleset, seed, simulations=args.simulations)
    print(f"{args.seeds} seeds, {args.employees} employees, {args.lines} claim lines a year")
    print(accuracy.table(rows))


if __name__ == "__main__":
    main()
