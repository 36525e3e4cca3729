"""The runner behind ``aso test``: settles each ``test`` block of a ruleset and checks its expectations.

On entry: a compiled ``Ruleset`` (and, for ``diagnostic`` expectations, the checker's diagnostics of
its files). Each ``TestCase`` becomes members (enrolled for the whole plan year unless dates are
given) and claim lines (``paid`` defaults to ``incurred``, ``billed`` to ``allowed``), settled by the
reference engine exactly as ``aso settle`` would. On exit: a ``CaseResult`` per test with one
``Outcome`` per expectation: expected, actual, the difference, and, for a failed claim expectation,
the explanation trace of that claim. Values compare exactly unless a tolerance is given (absolute in
money, or relative to the expected value).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.model import Expectation, Ruleset, Source, TestCase, TestClaim, TestMember
from aso_rules.money import format_money
from aso_rules.settle import AdjudicateFn, Settlement, records_settle
from aso_rules.settle.results import LineResult


class CaseSetupError(ValueError):
    """A test block that cannot be settled as written (e.g. a claim of an unknown member)."""


@attrs.frozen
class Outcome:
    """One expectation's result."""

    expectation: Expectation
    passed: bool
    expected: str
    actual: str | None  # None: the value does not exist (unknown claim, path or tier)
    difference: str | None = None
    message: str = ""
    trace: str | None = None  # explanation of the claim, for a failed claim expectation

    @property
    def label(self) -> str:
        e = self.expectation
        subject = f'"{e.subject}" ' if e.subject else ""
        return f"{e.target} {subject}{e.field}"


@attrs.frozen
class CaseResult:
    name: str
    source: Source | None
    outcomes: tuple[Outcome, ...] = ()
    error: str | None = None  # the test could not run (setup or settlement problem)

    @property
    def passed(self) -> bool:
        return self.error is None and all(o.passed for o in self.outcomes)


# --------------------------------------------------------------------------- building the inputs


def case_members(ruleset: Ruleset, case: TestCase) -> list[MemberRecord]:
    """The test's members as enrollment records (whole plan year unless dates are given)."""
    return [_member(ruleset, m) for m in case.members]


def _member(ruleset: Ruleset, m: TestMember) -> MemberRecord:
    return MemberRecord(
        member_id=m.member_id,
        family_id=m.family_id,
        relationship=m.relationship,
        tier=m.tier,
        coverage_start=m.coverage_start or ruleset.plan_year.start,
        coverage_end=m.coverage_end,
        annual_salary=m.annual_salary,
        weekly_earnings=m.weekly_earnings,
    )


def case_claims(case: TestCase, members: Sequence[MemberRecord]) -> list[ClaimRecord]:
    """The test's claims as claim records (row = position in the test, from 1)."""
    by_id = {m.member_id: m for m in members}
    out: list[ClaimRecord] = []
    for row, c in enumerate(case.claims, start=1):
        member = by_id.get(c.member_id)
        if member is None:
            raise CaseSetupError(
                f"claim {c.claim_id!r} names member {c.member_id!r}, not declared in the test"
            )
        out.append(_claim(row, c, member))
    return out


def _claim(row: int, c: TestClaim, member: MemberRecord) -> ClaimRecord:
    billed = c.billed if c.billed is not None else c.allowed
    if billed is None:
        raise CaseSetupError(f"claim {c.claim_id!r} needs a billed or an allowed amount")
    return ClaimRecord(
        row=row,
        claim_id=c.claim_id,
        member_id=c.member_id,
        family_id=member.family_id,
        line=c.line,
        category=c.category,
        incurred=c.incurred,
        paid=c.paid or c.incurred,
        billed=billed,
        network=c.network,
        code=c.code,
        units=c.units,
        allowed=c.allowed,
        weekly_earnings=c.weekly_earnings,
        absence_start=c.absence_start,
        absence_end=c.absence_end,
        cause=c.cause,
    )


# --------------------------------------------------------------------------- reading actual values


def claim_fields(settlement: Settlement, claim_id: str) -> dict[str, Any] | None:
    """The ledger fields of one claim line (money as Decimal), or ``None`` if it is not in the ledger."""
    for i, r in enumerate(settlement.lines):
        if r.claim.claim_id != claim_id:
            continue
        agg = settlement.aggregate
        return {
            "status": r.status,
            "reason": r.reason,
            "billed": r.claim.billed,
            "allowed": r.allowed,
            "deductible": r.deductible,
            "copay": r.copay,
            "coinsurance": r.coinsurance,
            "over_max": r.over_max,
            "member_paid": r.member_paid,
            "plan_paid": r.plan_paid,
            "noncovered": r.noncovered,
            "balance_bill": r.balance_bill,
            "contractual_adj": r.contractual_adj,
            "specific_reimbursed": settlement.specific_shares[i],
            "aggregate_eligible": "true" if agg is not None and agg.line_eligible[i] else "false",
            "cost_share": r.cost_share,
            **_disability_fields(settlement, r),
        }
    return None


def _disability_fields(settlement: Settlement, r: LineResult) -> dict[str, Any]:
    """``benefit``, ``weekly_benefit`` (monthly for LTD) and ``payable_days`` of a paid disability
    line, as the engine settled it (recurrent absences included); nothing for other lines."""
    d = r.disability
    if d is None or r.status != "paid":
        return {}
    return {"benefit": d.benefit, "weekly_benefit": d.periodic_benefit, "payable_days": d.payable_days}


def summary_value(summary: dict[str, Any], path: str) -> Any:
    """A dotted path into the summary (``employer_cost.total``, ``specific_stop_loss.0.reimbursed``)."""
    node: Any = summary
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(path)
    return node


def _specific_value(settlement: Settlement, tier: str | None, field: str) -> Any:
    for res in settlement.specific:
        if res.name == tier:
            values = {
                "reimbursed": res.reimbursed,
                "eligible_paid": res.eligible_paid,
                "asd_absorbed": res.asd_absorbed,
            }
            if field in values:
                return values[field]
            raise KeyError(field)
    raise KeyError(f"no specific stop-loss tier named {tier!r}")


def _aggregate_value(settlement: Settlement, field: str) -> Any:
    agg = settlement.aggregate
    if agg is None:
        raise KeyError("the ruleset has no aggregate stop-loss")
    values = {
        "reimbursed": agg.reimbursed,
        "attachment_point": agg.attachment.point,
        "eligible_claims": agg.eligible_claims,
        "final_settlement": agg.final_settlement,
    }
    if field not in values:
        raise KeyError(field)
    return values[field]


# --------------------------------------------------------------------------- comparing


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.replace(",", ""))
        except InvalidOperation:
            return None
    return None


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_money(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def compare(expectation: Expectation, actual: Any) -> Outcome:
    """Compare an actual value with the expectation (exact unless a tolerance is given)."""
    expected = expectation.value
    exp_d = _as_decimal(expected)
    act_d = _as_decimal(actual)
    if exp_d is None or act_d is None:
        passed = _show(expected) == _show(actual)
        return Outcome(expectation, passed, _show(expected), _show(actual))
    diff = act_d - exp_d
    tol = expectation.tolerance
    if tol is None:
        passed = diff == 0
    elif tol.kind == "absolute":
        passed = abs(diff) <= tol.value
    else:
        passed = abs(diff) <= tol.value * abs(exp_d)
    return Outcome(expectation, passed, _show(exp_d), _show(act_d), difference=_show(diff))


# --------------------------------------------------------------------------- running


Recorder = Callable[[Settlement], None]


def _explaining(adjudicator: AdjudicateFn | None) -> AdjudicateFn:
    """The adjudicator with explanation on, so every line carries its steps and their sources."""
    if adjudicator is None:
        from aso_rules.settle.adjudicate import adjudicate

        adjudicator = adjudicate
    return functools.partial(adjudicator, explain=True)


def run_case(
    ruleset: Ruleset,
    case: TestCase,
    *,
    diagnostics: Sequence[Diagnostic] | None = None,
    adjudicator: AdjudicateFn | None = None,
    recorder: Recorder | None = None,
) -> CaseResult:
    """Settle one test block and check every expectation.

    With a ``recorder`` (coverage), lines are adjudicated with explanation on and the settlement is
    handed to it before the expectations are checked.
    """
    needs_settlement = recorder is not None or any(e.target != "diagnostic" for e in case.expectations)
    settlement: Settlement | None = None
    if needs_settlement:
        try:
            members = case_members(ruleset, case)
            claims = case_claims(case, members)
            engine = _explaining(adjudicator) if recorder is not None else adjudicator
            settlement = records_settle(ruleset, members, claims, adjudicator=engine)
        except (CaseSetupError, ValueError) as exc:
            return CaseResult(case.name, case.source, error=str(exc))
        if recorder is not None:
            recorder(settlement)
    outcomes = tuple(_check(e, settlement, diagnostics) for e in case.expectations)
    return CaseResult(case.name, case.source, outcomes)


def _check(
    e: Expectation, settlement: Settlement | None, diagnostics: Sequence[Diagnostic] | None
) -> Outcome:
    if e.target == "diagnostic":
        if diagnostics is None:
            return Outcome(
                e, False, str(e.value or e.field), None, message="no checker diagnostics available"
            )
        code = str(e.field or e.value)
        codes = sorted({d.code for d in diagnostics})
        return Outcome(e, code in codes, code, ", ".join(codes) or "(none)")
    assert settlement is not None
    getter: Callable[[], Any]
    if e.target == "claim":
        fields = claim_fields(settlement, e.subject or "")
        if fields is None:
            return Outcome(e, False, _show(e.value), None, message=f"no claim {e.subject!r} in the ledger")
        if e.field not in fields:
            return Outcome(e, False, _show(e.value), None, message=f"no ledger field {e.field!r}")
        outcome = compare(e, fields[e.field])
        if not outcome.passed:
            outcome = attrs.evolve(outcome, trace=_trace(settlement, e.subject or ""))
        return outcome
    if e.target == "summary":

        def getter() -> Any:
            return summary_value(settlement.summary, e.field)

    elif e.target == "specific":

        def getter() -> Any:
            return _specific_value(settlement, e.subject, e.field)

    else:

        def getter() -> Any:
            return _aggregate_value(settlement, e.field)

    try:
        actual = getter()
    except KeyError as exc:
        return Outcome(e, False, _show(e.value), None, message=f"no such value: {exc.args[0]}")
    outcome = compare(e, actual)
    if not outcome.passed and e.target in ("specific", "aggregate"):
        outcome = attrs.evolve(outcome, trace=stop_loss_trace(settlement, e.target, e.subject))
    return outcome


def stop_loss_trace(settlement: Settlement, target: str, tier: str | None) -> str | None:
    """What a failed stop-loss expectation was computed from: each claimant of the specific tier
    (eligible paid, deductible, aggregating deductible absorbed, reimbursed), or the aggregate's
    attachment point and eligible claims."""
    if target == "aggregate":
        agg = settlement.aggregate
        if agg is None:
            return None
        return (
            f"aggregate stop-loss {agg.name!r}: attachment point {format_money(agg.attachment.point)}, "
            f"eligible claims {format_money(agg.eligible_claims)}, "
            f"reimbursed {format_money(agg.reimbursed)}\n"
        )
    res = next((r for r in settlement.specific if r.name == tier), None)
    if res is None:
        return None
    out = [f"specific stop-loss {res.name!r}: reimbursed {format_money(res.reimbursed)}"]
    for c in res.claimants.values():
        deductible = "excluded" if c.deductible is None else format_money(c.deductible)
        out.append(
            f"  claimant {c.claimant}: eligible paid {format_money(c.eligible_paid)}, "
            f"deductible {deductible}, aggregating deductible absorbed {format_money(c.asd_absorbed)}, "
            f"reimbursed {format_money(c.reimbursed)}"
        )
    if not res.claimants:
        out.append("  no claimant had eligible claims")
    return "\n".join(out) + "\n"


def _trace(settlement: Settlement, claim_id: str) -> str | None:
    try:
        return settlement.explain(claim_id).to_text()
    except (KeyError, ImportError):
        return None


def run_ruleset(
    ruleset: Ruleset,
    *,
    diagnostics: Sequence[Diagnostic] | None = None,
    adjudicator: AdjudicateFn | None = None,
    recorder: Recorder | None = None,
) -> list[CaseResult]:
    """Every test block of the ruleset, in order."""
    return [
        run_case(ruleset, c, diagnostics=diagnostics, adjudicator=adjudicator, recorder=recorder)
        for c in ruleset.tests
    ]


# --------------------------------------------------------------------------- rendering


def render_text(results: Sequence[tuple[str, Sequence[CaseResult]]]) -> str:
    """Per file: each test PASS/FAIL; failures with expected, actual, the difference (actual minus
    expected) and the claim's trace (once per claim)."""
    out: list[str] = []
    for path, cases in results:
        out.append(f"{path}: {len(cases)} test(s)")
        for case in cases:
            where = f" ({case.source})" if case.source else ""
            out.append(f"  {'PASS' if case.passed else 'FAIL'} {case.name}{where}")
            if case.error:
                out.append(f"    error: {case.error}")
            traced: set[str] = set()  # a claim's trace is shown once, under its first failure
            for o in case.outcomes:
                if o.passed:
                    continue
                at = f" ({o.expectation.source})" if o.expectation.source else ""
                detail = f"expected {o.expected}{tolerance_text(o.expectation)}, actual "
                detail += o.actual if o.actual is not None else "(missing)"
                if o.difference is not None:
                    detail += f", difference {o.difference}"
                if o.message:
                    detail += f"; {o.message}"
                out.append(f"    {o.label}: {detail}{at}")
                if o.trace and o.expectation.subject not in traced:
                    traced.add(o.expectation.subject or "")
                    out.extend("      " + t for t in o.trace.rstrip("\n").splitlines())
    passed, failed = tally(results)
    out.append(f"{passed} passed, {failed} failed")
    return "\n".join(out) + "\n"


def tolerance_text(expectation: Expectation) -> str:
    """`` within $0.05`` / `` within 0.5%`` for an expectation with a tolerance, else empty."""
    tol = expectation.tolerance
    if tol is None:
        return ""
    if tol.kind == "absolute":
        return f" within ${format_money(tol.value)}"
    return f" within {(tol.value * 100).normalize():f}%"


def tally(results: Sequence[tuple[str, Sequence[CaseResult]]]) -> tuple[int, int]:
    cases = [c for _, cs in results for c in cs]
    passed = sum(1 for c in cases if c.passed)
    return passed, len(cases) - passed


def as_json(results: Sequence[tuple[str, Sequence[CaseResult]]]) -> dict[str, Any]:
    """``{"files", "passed", "failed", "tests": [...]}`` for ``aso test --format json``."""
    passed, failed = tally(results)
    tests = []
    for path, cases in results:
        for case in cases:
            tests.append(
                {
                    "file": path,
                    "name": case.name,
                    "line": case.source.line if case.source else None,
                    "passed": case.passed,
                    "error": case.error,
                    "expectations": [
                        {
                            "target": o.expectation.target,
                            "subject": o.expectation.subject,
                            "field": o.expectation.field,
                            "passed": o.passed,
                            "expected": o.expected,
                            "actual": o.actual,
                            "difference": o.difference,
                            "tolerance": tolerance_text(o.expectation).removeprefix(" within ") or None,
                            "message": o.message,
                            "trace": o.trace,
                        }
                        for o in case.outcomes
                    ],
                }
            )
    return {"files": len(results), "passed": passed, "failed": failed, "tests": tests}


# --------------------------------------------------------------------------- coverage


def tested_coverage(ruleset: Ruleset) -> dict[str, dict[str, list[str]]]:
    """Which categories the ruleset names, per line of coverage, its tests exercise.

    ``{LINE: {"named": [...], "tested": [...], "missing": [...]}}``; ``tested`` lists every category of
    the line used by a test claim (named or not), ``missing`` the named ones no test uses.
    """
    from aso_rules.data.readers import known_categories

    used: dict[str, set[str]] = {}
    for case in ruleset.tests:
        for claim in case.claims:
            used.setdefault(claim.line, set()).add(claim.category)
    out: dict[str, dict[str, list[str]]] = {}
    for line in ruleset.coverages:
        named = known_categories(ruleset, line)
        tested = used.get(line, set())
        out[line] = {"named": sorted(named), "tested": sorted(tested), "missing": sorted(named - tested)}
    return out


def render_coverage(results: Sequence[tuple[str, dict[str, dict[str, list[str]]]]]) -> str:
    """One line per file and line of coverage: categories exercised of those named, and the rest."""
    out: list[str] = []
    for path, by_line in results:
        out.append(f"{path}: coverage")
        for line, c in by_line.items():
            named = set(c["named"])
            hit = len(named & set(c["tested"]))
            missing = f" (not tested: {', '.join(c['missing'])})" if c["missing"] else ""
            claims = "no test claims" if not c["tested"] else f"{hit} of {len(named)} named categories"
            out.append(f"  {line}: {claims}{missing}")
    return "\n".join(out) + "\n"
