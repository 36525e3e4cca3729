"""Rule coverage of a test run: which rule-file statements the tests exercised, and how each
threshold was approached.

On entry: the parsed ``Program`` of a root rule file and its compiled ``Ruleset``, and the
``Settlement`` of each test block, adjudicated with explanation on (every line's ``steps`` filled).
On exit: a ``Coverage`` (mutable only while it records) that reports, per rule file and in total,

* **statements**: every rule statement (the items of ``coverage``, ``network``, ``fee_schedule``,
  ``stop_loss`` and ``admin_fees`` blocks, ``exclude coverage``, and the assumptions settlement
  reads: ``fully_insured`` and, with an aggregate stop-loss, ``expected_claims``) and whether some
  test exercised it. Declarations
  (the ruleset header, ``let``, ``include``), block headers, tests and the pricing-only assumptions
  are not measured: nothing in a settlement can exercise them.
* **thresholds**: every deductible and out-of-pocket amount (person and family), benefit limit
  (visits and dollars), dental annual maximum, specific deductible and laser, and the aggregate
  attachment point, with whether a test line reached it from **below** (the running total stayed
  under it), **at** it (the line brought the total exactly to it) and **above** it (the line's amount
  went past it).

A statement is exercised when a settlement used it to compute a figure: it is cited by a step of a
line's explanation (``Step.source``), or it is a stop-loss, fee or assumption statement whose result
the settlement computed (a specific deductible when a claimant had eligible claims, a laser when its
member did, a maximum when reimbursement was computed, a premium or per-employee fee when anyone was
enrolled, ...). Fee schedule entries are attributed by the repricing rule (code, then category, then
network percentage).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

import attrs

from aso_rules.language import ast
from aso_rules.language.format import line_text
from aso_rules.model import Ruleset, Source
from aso_rules.money import ZERO, Money, format_money
from aso_rules.settle import Settlement
from aso_rules.settle.terms import resolve_terms

Side = Literal["below", "at", "above"]
SIDES: tuple[Side, ...] = ("below", "at", "above")


@attrs.frozen
class Statement:
    """A measured rule statement: where it is and its canonical text."""

    file: str
    line: int
    end_line: int
    text: str


@attrs.frozen
class Threshold:
    """A threshold: the statement that sets it, the accumulator it bounds and its amount."""

    file: str
    line: int
    key: str  # e.g. "deductible.member", "visits.chiropractic", "specific.deductible"
    amount: Money | None  # None: depends on the enrollment (the aggregate attachment point)

    @property
    def label(self) -> str:
        amount = "" if self.amount is None else " " + _amount_text(self.key, self.amount)
        return f"{self.key}{amount}"


def _amount_text(key: str, amount: Decimal) -> str:
    return str(int(amount)) if key.startswith("visits.") else format_money(amount)


def classify(total: Decimal, threshold: Decimal) -> Side:
    """Where a running total ends relative to a threshold."""
    if total < threshold:
        return "below"
    return "at" if total == threshold else "above"


def _norm(path: str) -> str:
    return os.path.normpath(path) if path else path


# --------------------------------------------------------------------------- the statements


_MEASURED_TOP = (ast.ExcludeCoverage,)
_BLOCKS = (ast.FeeSchedule, ast.StopLossSpecific, ast.StopLossAggregate)


def rule_statements(program: ast.Program) -> list[Statement]:
    """Every measured statement of the program's files, in file and source order."""
    out: list[Statement] = []
    for node in _measured_nodes(program):
        out.append(Statement(_norm(node.span.file), node.span.line, node.span.end_line, line_text(node)))
    return out


def _measured_nodes(program: ast.Program) -> Iterable[Any]:
    # expected claims matter to a settlement only through an aggregate attachment
    aggregate = any(isinstance(s, ast.StopLossAggregate) for _, s in program.statements())
    for _, statement in program.statements():
        if isinstance(statement, _MEASURED_TOP):
            yield statement
        elif isinstance(statement, ast.Coverage):
            for item in statement.items:
                if isinstance(item, ast.Network):
                    yield from item.items
                else:
                    yield item
        elif isinstance(statement, _BLOCKS):
            yield from statement.items
        elif isinstance(statement, ast.AdminFees):
            yield from statement.fees
        elif isinstance(statement, ast.Assumptions):
            for a in statement.items:
                if isinstance(a, ast.FullyInsured) or (aggregate and isinstance(a, ast.ExpectedClaims)):
                    yield a


# --------------------------------------------------------------------------- the recorder


def _at(node: Any) -> tuple[str, int]:
    return _norm(node.span.file), node.span.line


class Coverage:
    """Statements and thresholds of one or more programs, and what the tests recorded on them."""

    def __init__(self) -> None:
        self.statements: dict[tuple[str, int], Statement] = {}
        self.thresholds: dict[tuple[str, int, str], Threshold] = {}
        self.hits: set[tuple[str, int]] = set()
        self.reached: dict[tuple[str, int, str], set[Side]] = {}
        self._ranges: dict[str, list[Statement]] = {}

    # ---------------------------------------------------------------- what is measured

    def add_program(self, program: ast.Program, ruleset: Ruleset) -> None:
        """Register a program's statements and thresholds (a file seen twice counts once)."""
        for s in rule_statements(program):
            if (s.file, s.line) not in self.statements:
                self.statements[(s.file, s.line)] = s
                self._ranges.setdefault(s.file, []).append(s)
        for t in program_thresholds(program, ruleset):
            self.thresholds.setdefault((t.file, t.line, t.key), t)

    # ---------------------------------------------------------------- recording

    def hit(self, file: str, line: int) -> None:
        """Mark the statement written on (or spanning) ``file:line`` as exercised."""
        file = _norm(file)
        if (file, line) in self.statements:
            self.hits.add((file, line))
            return
        for s in self._ranges.get(file, ()):
            if s.line <= line <= s.end_line:
                self.hits.add((s.file, s.line))
                return

    def hit_node(self, node: Any) -> None:
        self.hit(*_at(node))

    def reach(self, file: str, line: int, key: str, side: Side) -> None:
        self.reached.setdefault((_norm(file), line, key), set()).add(side)

    def record(self, program: ast.Program, ruleset: Ruleset, settlement: Settlement) -> None:
        """Record what one test's settlement exercised (lines adjudicated with explanation on)."""
        _Observer(self, program, ruleset, settlement).run()

    # ---------------------------------------------------------------- reporting

    def files(self) -> list[str]:
        seen = dict.fromkeys(s.file for s in self.statements.values())
        seen.update(dict.fromkeys(t.file for t in self.thresholds.values()))
        return list(seen)

    def file_report(self, file: str) -> dict[str, Any]:
        statements = sorted((s for s in self.statements.values() if s.file == file), key=lambda s: s.line)
        exercised = [s for s in statements if (s.file, s.line) in self.hits]
        missed = [s for s in statements if (s.file, s.line) not in self.hits]
        thresholds = sorted(
            (t for t in self.thresholds.values() if t.file == file), key=lambda t: (t.line, t.key)
        )
        rows = []
        for t in thresholds:
            sides = self.reached.get((t.file, t.line, t.key), set())
            row: dict[str, Any] = {
                "line": t.line,
                "key": t.key,
                "amount": None if t.amount is None else _amount_text(t.key, t.amount),
            }
            row.update((side, side in sides) for side in SIDES)
            rows.append(row)
        return {
            "statements": len(statements),
            "exercised": len(exercised),
            "percent": _percent(len(exercised), len(statements)),
            "missed": [{"line": s.line, "text": s.text} for s in missed],
            "thresholds": rows,
            "boundary_points": len(rows) * 3,
            "boundary_points_reached": sum(sum(1 for side in SIDES if r[side]) for r in rows),
        }

    def report(self) -> dict[str, Any]:
        """``{"files": {PATH: {...}}, "total": {...}}`` (the JSON form of the coverage report)."""
        files = {f: self.file_report(f) for f in self.files()}
        statements = sum(r["statements"] for r in files.values())
        exercised = sum(r["exercised"] for r in files.values())
        points = sum(r["boundary_points"] for r in files.values())
        reached = sum(r["boundary_points_reached"] for r in files.values())
        return {
            "files": files,
            "total": {
                "statements": statements,
                "exercised": exercised,
                "percent": _percent(exercised, statements),
                "thresholds": sum(len(r["thresholds"]) for r in files.values()),
                "boundary_points": points,
                "boundary_points_reached": reached,
            },
        }

    def percent(self) -> float:
        """Statement coverage of everything registered, in percent (100 when nothing is measured)."""
        return float(self.report()["total"]["percent"])


def _percent(part: int, whole: int) -> float:
    if whole == 0:
        return 100.0
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")))


def render_coverage(report: dict[str, Any]) -> str:
    """The text coverage report: per file, statements exercised, those missed, and the thresholds."""
    out: list[str] = []
    for path, r in report["files"].items():
        out.append(f"{path}: {r['exercised']} of {r['statements']} statements exercised ({r['percent']}%)")
        for m in r["missed"]:
            out.append(f"  not exercised  {path}:{m['line']}  {m['text']}")
        if r["thresholds"]:
            out.append(
                f"  thresholds (below / at / above): {r['boundary_points_reached']} of {r['boundary_points']}"
            )
            for t in r["thresholds"]:
                marks = " ".join(side if t[side] else "-" * len(side) for side in SIDES)
                amount = f" {t['amount']}" if t["amount"] is not None else ""
                out.append(f"    {path}:{t['line']}  {t['key']}{amount}: {marks}")
    total = report["total"]
    out.append(
        f"coverage: {total['exercised']} of {total['statements']} statements ({total['percent']}%), "
        f"{total['boundary_points_reached']} of {total['boundary_points']} threshold boundary points"
    )
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- the thresholds


def _find(items: Iterable[Any], kind: type) -> Any:
    return next((i for i in items if isinstance(i, kind)), None)


def program_thresholds(program: ast.Program, ruleset: Ruleset) -> list[Threshold]:
    """Every threshold of the ruleset, at the statement that sets it."""
    out: list[Threshold] = []

    def add(source: Source | None, key: str, amount: Money | None) -> None:
        if source is not None and amount is not None:
            out.append(Threshold(_norm(source.file), source.line, key, amount))

    for coverage in ruleset.coverages.values():
        for cs in coverage.networks.values():
            add(cs.deductible_source, "deductible.member", cs.ded_ind)
            add(cs.deductible_source, "deductible.family", cs.ded_fam)
            add(cs.oop_source, "out_of_pocket.member", cs.oop_ind or cs.ind_oop_cap_in_family)
            add(cs.oop_source, "out_of_pocket.family", cs.oop_fam)
        for limit in coverage.limits:
            if limit.kind == "visits":
                add(limit.source, f"visits.{limit.category}", limit.amount)
            else:
                suffix = ".lifetime" if limit.period == "lifetime" else ""
                add(limit.source, f"plan_paid.{limit.category}{suffix}", limit.amount)
        if coverage.dental is not None:
            add(coverage.dental.annual_max_source, "annual_maximum.member", coverage.dental.annual_max)
    for _, statement in program.statements():
        if isinstance(statement, ast.StopLossSpecific):
            tier = next((t for t in ruleset.specific if t.name == statement.name), None)
            if tier is None:
                continue
            ded = _find(statement.items, ast.Deductible)
            if ded is not None:
                out.append(Threshold(*_at(ded), "specific.deductible", tier.deductible))
            for laser in statement.items:
                if isinstance(laser, ast.Laser) and tier.lasers.get(laser.member) is not None:
                    out.append(Threshold(*_at(laser), "specific.laser", tier.lasers[laser.member]))
        elif isinstance(statement, ast.StopLossAggregate):
            attachment = _find(statement.items, ast.Attachment)
            if attachment is not None:
                out.append(Threshold(*_at(attachment), "aggregate.attachment", None))
    return out


# --------------------------------------------------------------------------- observing a settlement


class _Observer:
    """Attributes one settlement's work to statements and thresholds."""

    def __init__(self, cov: Coverage, program: ast.Program, ruleset: Ruleset, settlement: Settlement) -> None:
        self.cov = cov
        self.program = program
        self.ruleset = ruleset
        self.s = settlement

    def run(self) -> None:
        self.lines()
        self.specific()
        self.aggregate()
        self.fees_and_assumptions()

    # ---------------------------------------------------------------- claim lines

    def lines(self) -> None:
        cov = self.cov
        coverages = {s.line: s for _, s in self.program.statements() if isinstance(s, ast.Coverage)}
        schedules = {s.line: s for _, s in self.program.statements() if isinstance(s, ast.FeeSchedule)}
        for r in self.s.lines:
            if r.status == "paid" and r.steps:
                # the category's own rule (copay, covered in full, dental class) decided the sharing
                # even when it left no amount to show (a 100% class, covered in full)
                terms = resolve_terms(self.ruleset, r.claim.line, r.claim.network, r.claim.category)
                if terms.rule.source is not None and terms.kind in ("cost", "dental"):
                    cov.hit(terms.rule.source.file, terms.rule.source.line)
            names = set()
            for step in r.steps:
                names.add(step.name)
                if step.source is not None:
                    cov.hit(step.source.file, step.source.line)
                    for key, limit in step.limits.items():
                        total = step.before.get(key, ZERO) + step.offered.get(key, ZERO)
                        cov.reach(step.source.file, step.source.line, key, classify(total, limit))
            block = coverages.get(r.claim.line)
            if block is not None:
                if "benefit" in names:  # a disability benefit was computed from the line's terms
                    for item in block.items:
                        if isinstance(
                            item, ast.Benefit | ast.Elimination | ast.BenefitDuration | ast.Minimum | ast.Flag
                        ):
                            cov.hit_node(item)
                if "out_of_pocket" in names:  # cost sharing ran on the line's (shared) accumulators
                    for item in block.items:
                        if isinstance(item, ast.Shares):
                            cov.hit_node(item)
            schedule = schedules.get(r.claim.line)
            if schedule is not None and "reprice" in names and r.claim.allowed is None:
                entry = self._schedule_entry(schedule, r.claim.code, r.claim.category, r.claim.network)
                if entry is not None:
                    cov.hit_node(entry)

    @staticmethod
    def _schedule_entry(schedule: ast.FeeSchedule, code: str | None, category: str, network: str) -> Any:
        """The fee schedule entry that prices a line (the order of docs/semantics.md 3.2)."""
        items = schedule.items
        if code is not None:
            by_code = next((i for i in items if isinstance(i, ast.CodePrice) and i.code == code), None)
            if by_code is not None:
                return by_code
        by_category = next(
            (i for i in items if isinstance(i, ast.CategoryPrice) and i.category == category), None
        )
        if by_category is not None:
            return by_category
        side = "out_of_network" if network == "out" else "in_network"
        return next((i for i in items if isinstance(i, ast.NetworkPricing) and i.network == side), None)

    # ---------------------------------------------------------------- stop-loss

    def _paid_any(self) -> bool:
        return any(r.status == "paid" for r in self.s.lines)

    def specific(self) -> None:
        cov = self.cov
        results = {res.name: res for res in self.s.specific}
        enrolled = len(self.s.members) > 0
        for _, block in self.program.statements():
            if not isinstance(block, ast.StopLossSpecific) or block.name not in results:
                continue
            res = results[block.name]
            lasers = {i.member: i for i in block.items if isinstance(i, ast.Laser)}
            claimants = res.claimants.values()
            over = [c for c in claimants if c.deductible is not None and c.eligible_paid > c.deductible]
            reimbursing = [c for c in over if c.excess > c.asd_absorbed]
            for item in block.items:
                if isinstance(item, ast.Deductible):
                    used = any(c.claimant not in lasers for c in claimants)
                elif isinstance(item, ast.Laser):
                    used = item.member in res.claimants
                elif isinstance(item, ast.AggregatingDeductible):
                    used = bool(over)
                elif isinstance(item, ast.Maximum | ast.Reimburses):
                    used = bool(reimbursing)
                elif isinstance(item, ast.Premium):
                    used = enrolled
                else:  # covers, basis, settings: evaluated for every paid line
                    used = self._paid_any()
                if used:
                    cov.hit_node(item)
            deductible = _find(block.items, ast.Deductible)
            for c in claimants:
                if c.deductible is None:
                    continue
                laser = lasers.get(c.claimant)
                node, key = (
                    (laser, "specific.laser") if laser is not None else (deductible, "specific.deductible")
                )
                if node is not None:
                    cov.reach(*_at(node), key, classify(c.eligible_paid, c.deductible))

    def aggregate(self) -> None:
        agg = self.s.aggregate
        if agg is None:
            return
        block = next((s for _, s in self.program.statements() if isinstance(s, ast.StopLossAggregate)), None)
        if block is None:
            return
        point = agg.attachment.point
        for item in block.items:
            if isinstance(item, ast.Attachment | ast.MinimumAttachment | ast.Premium):
                used = len(self.s.members) > 0
            elif isinstance(item, ast.Maximum | ast.Reimburses):
                used = agg.eligible_claims > point
            else:
                used = self._paid_any()
            if used:
                self.cov.hit_node(item)
        attachment = _find(block.items, ast.Attachment)
        if attachment is not None and len(self.s.members) > 0:
            self.cov.reach(*_at(attachment), "aggregate.attachment", classify(agg.eligible_claims, point))

    # ---------------------------------------------------------------- fees and assumptions

    def fees_and_assumptions(self) -> None:
        by_name = {f.name: f for f in self.ruleset.fees}
        enrolled = len(self.s.members) > 0
        for _, block in self.program.statements():
            if isinstance(block, ast.AdminFees):
                for fee in block.fees:
                    model = by_name.get(fee.name)
                    if model is None:
                        continue
                    if model.fixed:
                        used = enrolled
                    elif model.kind == "per_claim":
                        used = bool(self.s.lines)
                    else:
                        used = any(
                            r.status == "paid" and (not model.lines or r.claim.line in model.lines)
                            for r in self.s.lines
                        )
                    if used:
                        self.cov.hit_node(fee)
            elif isinstance(block, ast.Assumptions):
                for item in block.items:
                    if isinstance(item, ast.ExpectedClaims):
                        agg = self.ruleset.aggregate
                        if (
                            agg is not None
                            and agg.pct_of_expected is not None
                            and self.s.aggregate is not None
                            and enrolled
                        ):
                            self.cov.hit_node(item)
                    elif (
                        isinstance(item, ast.FullyInsured) and self.s.summary.get("fully_insured") is not None
                    ):
                        self.cov.hit_node(item)
