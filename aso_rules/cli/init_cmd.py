"""``aso init DIR [--force]``: a starter ruleset, its tests and example data in a new folder.

Writes ``plan.aso`` (a self-funded plan: medical, prescription, dental, short-term disability, a
specific stop-loss, fees, pricing assumptions), ``plan-tests.aso`` (tests with hand-worked amounts),
``enrollment.csv`` and ``claims.csv`` (a seeded book of 60 employees and 1,000 claim lines) into DIR,
then prints the files written and what to run next. The files are package data, so this works from
an installed wheel without a clone. Exit codes: 0 written, 2 a file already there (``--force``
overwrites) or a folder that cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

STARTER = ("plan.aso", "plan-tests.aso", "enrollment.csv", "claims.csv")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "init",
        help="start a new ruleset: a starter plan, its tests and example data",
        description="Write a starter ruleset, its tests and example claims and enrollment into DIR.",
    )
    parser.add_argument("dir", metavar="DIR", help="the folder to create (or an empty one)")
    parser.add_argument("--force", action="store_true", help="overwrite starter files already in DIR")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    if target.exists() and not target.is_dir():
        print(f"aso init: error: {target} exists and is not a folder", file=sys.stderr)
        return 2
    there = [name for name in STARTER if (target / name).exists()]
    if there and not args.force:
        print(
            f"aso init: error: {target} already has {', '.join(there)} (--force overwrites)", file=sys.stderr
        )
        return 2
    source = resources.files("aso_rules") / "starter"
    written: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in STARTER:
            path = target / name
            path.write_bytes((source / name).read_bytes())
            written.append(path)
    except OSError as exc:
        print(f"aso init: error: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    d = str(target)
    print(
        "\nnext:\n"
        f"  aso check {d}\n"
        f"  aso test {d} --coverage\n"
        f"  aso settle {d}/plan.aso --claims {d}/claims.csv --enrollment {d}/enrollment.csv --out {d}/out\n"
        f"  aso price {d}/plan.aso --enrollment {d}/enrollment.csv --out {d}/out"
    )
    return 0
