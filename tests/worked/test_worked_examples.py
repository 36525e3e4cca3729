"""docs/semantics.md's appendix cases as rule files plus data, settled end to end, exact to the cent.

Each folder ``cases/<CASE>/`` holds ``ruleset.aso`` (the appendix fixture plan in the language, with
``test`` blocks for the line figures), ``claims.csv`` and ``enrollment.csv`` (docs/contracts.md columns) and
``expected.csv`` (the case's expected block, one ``key,value`` row per line). A case with several
scenarios keeps one file per scenario beside the defaults: ``ruleset.<SCENARIO>.aso``,
``claims.<SCENARIO>.csv`` or ``enrollment.<SCENARIO>.csv`` replace the default file for that scenario.

How a key names its scenario:

- a first dotted part in ``PREFIXES`` (``alt_half_even.L4.coins``, ``12/15.reimb_X``,
  ``with_B0.B1.member``) selects that scenario; ``12/12`` and ``base`` are the default files;
- a key ending in a suffix of ``SUFFIXES`` (``total_spec_reimb_without_asd``,
  ``agg_reimb_if_no_minimum``) is the key without the suffix, under that scenario.

How the rest of a key maps to the settlement (``aso_rules.load(...).settle(claims, enrollment)``):

- ``<CLAIM>.allowed|copay|ded|coins|member|plan``: the ledger row of that claim id, columns
  ``allowed``, ``copay``, ``deductible``, ``coinsurance``, ``member_paid``, ``plan_paid``;
  ``<CLAIM>.contractual_adj|over_max|noncovered``: the claim's ``LineResult`` (``Settlement.lines``;
  the vector engine keeps no line objects, so there it is the line of ``Settlement.explain``, which
  re-runs the claim's family);
- disability (C17): ``<CLAIM>.benefit`` is the ledger's ``plan_paid`` (equal to ``allowed``); the
  weekly benefit, days disabled, payable days and the first and last payable days are the engine's
  own computation recorded on the claim's ``LineResult`` (``disability``: a ``DisabilityBenefit``);
- ``acc.<ID>.ded|oop``: the accumulator after the last line that moved it, from the explanation
  steps' ``after`` values (``Settlement.explain`` of each line), over the lines in processing
  order (paid, claim id): ``deductible.member`` /
  ``out_of_pocket.member`` when ID is a member, ``deductible.family`` / ``out_of_pocket.family``
  when ID is a family; ``acc.<ID>.annual_max_used``: the ``after`` value of the member's last
  ``maximum`` step (plan payments counted toward the annual maximum);
- ``total.member|plan``, ``family_cost_share``, ``family_plan_paid``: sums of the ledger's
  ``member_paid`` / ``plan_paid`` over every line (each such case has one member or one family);
- specific stop-loss (one tier per case): ``eligible_<M>`` and ``reimb_<M>`` are the claimant's
  ``eligible_paid`` and ``reimbursed`` in summary.json's ``specific_stop_loss``; ``asd_absorbed_<M>``
  the claimant's ``asd_absorbed`` (``Settlement.specific``); ``employer_retained_<M>_all_lines`` the
  member's ledger ``plan_paid - specific_reimbursed`` over every line of coverage;
  ``total_spec_reimb`` and ``spec_reimb`` the tiers' total ``reimbursed``;
- aggregate stop-loss: ``M_jan`` / ``M_jul`` the monthly attachments of January and July,
  ``A_calc`` and ``A_min`` the calculated and minimum attachment (``Settlement.aggregate``);
  ``A``, ``G``, ``agg_reimb`` summary.json's ``aggregate_stop_loss`` attachment point, eligible
  claims and reimbursement;
- fees (C28): a fee's own name (the rule file names each fee as the case does) is summary.json's
  ``fees[NAME]``; ``spec_premium`` / ``agg_premium`` are ``stop_loss_premium.specific|aggregate``;
  ``fixed_total`` is fixed fees plus premiums, ``variable_total`` the variable fees
  (``Settlement.fees``), ``all_fees`` summary ``fees.total + stop_loss_premium.total``;
- funding (C29): ``expected_pepm.T``, ``funding_rate.T``, ``cobra.T``,
  ``expected_claims_annual_funded``, ``rounding_residual_vs_1000000``, ``funding_annual`` come
  from ``aso_rules.price.funding`` on the same rule file and enrollment (tier ratios and fixed costs
  from the rule file); ``fixed_costs_annual`` is ``funding.fixed_costs(...).total``;
  ``max_annual_cost`` is ``maximum_liability(A, fixed costs)``; ``employer_total_cost`` is
  summary ``employer_cost.total``, ``surplus`` is ``funding_annual - employer_total_cost``;
  ``fully_insured_annual`` / ``savings_vs_fully_insured`` are summary ``fully_insured.premium`` /
  ``.difference``; ``fully_insured_minus_max_cost`` is the premium less ``max_annual_cost``.

What the language cannot state (C29): the assumptions give expected claims only per employee per
month by tier (``expected_claims ... pepm``), and C29's target is an annual 1,000,000.00. Over G3's
1,320 employee-months with tier counts 60/15/10/25, a cent table totals a multiple of $0.60 a
year, never 1,000,000.00, so the target is taken from the case (``ANNUAL_EXPECTED_CLAIMS``) and
spread by the rule file's ``tier_ratios`` with ``funding.tier_expected``.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aso_rules
from aso_rules.data.source import to_arrow
from aso_rules.money import Money, format_money
from aso_rules.price import funding as fund
from aso_rules.price.quote import projected_months
from aso_rules.settle import Settlement
from aso_rules.settle.results import LineResult, Step

HERE = Path(__file__).parent
CASES = HERE / "cases"
PLANS = HERE / "plans"
CASE_IDS = sorted(p.name for p in CASES.iterdir() if (p / "expected.csv").exists())

PREFIXES = {"alt_half_even": "half_even", "12/12": "", "12/15": "12-15", "base": "", "with_B0": "with_b0"}
SUFFIXES = {"_without_asd": "without_asd", "_if_no_minimum": "no_minimum"}
ANNUAL_EXPECTED_CLAIMS = {"C29": Decimal("1000000.00")}  # see the module docstring

# Which appendix plan each case's rule files carry verbatim (after the ruleset header).
CASE_PLANS = {
    "C01": "med_a",
    "C04": "med_a",
    "C05": "med_a",
    "C06": "med_a",
    "C09": "med_a",
    "C15": "den_a",
    "C17": "std_a",
    "C19": "plan_paid",
    "C22": "plan_paid",
    "C24": "plan_paid",
    "C28": "plan_paid",
    "C29": "plan_paid",
    "C32": "hdhp_b",
}

LEDGER_FIELDS = {
    "allowed": "allowed",
    "copay": "copay",
    "ded": "deductible",
    "coins": "coinsurance",
    "member": "member_paid",
    "plan": "plan_paid",
    "benefit": "plan_paid",
}
LINE_FIELDS = ("contractual_adj", "over_max", "noncovered")
BENEFIT_FIELDS = (
    "weekly_benefit",
    "disability_days",
    "payable_days",
    "first_payable_day",
    "last_payable_day",
)
ACCUMULATORS = {"ded": "deductible", "oop": "out_of_pocket"}


def read_expected(case: str) -> list[tuple[str, str]]:
    with (CASES / case / "expected.csv").open(newline="", encoding="utf-8") as handle:
        return [(row["key"], row["value"]) for row in csv.DictReader(handle)]


def split_key(key: str) -> tuple[str, str]:
    """(scenario, key within the scenario) of an expected key."""
    head, _, rest = key.partition(".")
    if rest and head in PREFIXES:
        return PREFIXES[head], rest
    for suffix, scenario in SUFFIXES.items():
        if key.endswith(suffix):
            return scenario, key[: -len(suffix)]
    return "", key


def scenario_file(case_dir: Path, stem: str, ext: str, scenario: str) -> Path:
    """The scenario's own file when it has one, else the case's default file."""
    own = case_dir / f"{stem}.{scenario}.{ext}"
    return own if scenario and own.exists() else case_dir / f"{stem}.{ext}"


def text(value: Any) -> str:
    """A figure as the expected blocks write it: money with two decimals, counts and dates plain."""
    if isinstance(value, Decimal):
        return format_money(value)
    return str(value)


class Run:
    """One scenario of one case: the loaded rule file and its settlement, with lazy look-ups."""

    def __init__(self, case: str, scenario: str, engine: str, shuffle: int | None = None) -> None:
        """``shuffle``: a seed; the claims file's rows are given to ``settle`` in that random order."""
        self.case = case
        self.dir = CASES / case
        self.ruleset_path = scenario_file(self.dir, "ruleset", "aso", scenario)
        self.enrollment_path = scenario_file(self.dir, "enrollment", "csv", scenario)
        claims: Any = scenario_file(self.dir, "claims", "csv", scenario)
        if shuffle is not None:
            table = to_arrow(claims)
            order = list(range(table.num_rows))
            random.Random(shuffle).shuffle(order)
            claims = table.take(order)
        self.ruleset = aso_rules.load(self.ruleset_path)
        self.settlement: Settlement = self.ruleset.settle(claims, self.enrollment_path, engine=engine)
        assert self.settlement.rejects.num_rows == 0, self.settlement.rejects.to_pylist()
        assert self.settlement.enrollment_rejects.num_rows == 0

    @cached_property
    def rows(self) -> dict[str, dict[str, Any]]:
        return {row["claim_id"]: row for row in self.settlement.ledger.to_pylist()}

    @cached_property
    def order(self) -> list[str]:
        """Claim ids in processing order: (paid, claim id)."""
        return [
            row["claim_id"] for row in sorted(self.rows.values(), key=lambda r: (r["paid"], r["claim_id"]))
        ]

    def line(self, claim_id: str) -> LineResult:
        """The claim's ``LineResult``: from ``Settlement.lines`` where the engine keeps them, else the
        explanation's (the vector engine keeps columns only; its explanation re-runs the family)."""
        lines = getattr(self.settlement, "lines", None)
        if lines is not None:
            (found,) = [r for r in lines if r.claim.claim_id == claim_id]
            kept: LineResult = found
            return kept
        explained: LineResult = self.settlement.explain(claim_id).line
        return explained

    @cached_property
    def summary(self) -> dict[str, Any]:
        return self.settlement.summary

    def steps(self, claim_id: str) -> tuple[Step, ...]:
        return self.settlement.explain(claim_id).line.steps

    def accumulator(self, ident: str, name: str) -> Money:
        """The accumulator after the last line (in processing order) whose steps moved it."""
        traced = [self.settlement.explain(claim_id).line for claim_id in self.order]
        members = {r.claim.member_id for r in traced}
        if name == "annual_max_used":
            owner, step_name, key = "member_id", "maximum", None
        else:
            scope = "member" if ident in members else "family"
            owner, step_name, key = f"{scope}_id", None, f"{ACCUMULATORS[name]}.{scope}"
        value: Money | None = None
        for r in traced:
            if getattr(r.claim, owner) != ident:
                continue
            for step in r.steps:
                if step_name is not None and step.name == step_name:
                    (value,) = step.after.values()
                elif key is not None and key in step.after:
                    value = step.after[key]
        assert value is not None, f"no step of {ident} records {name}"
        return value

    def benefit_detail(self, claim_id: str) -> dict[str, str | None]:
        """The disability computation the engine recorded on the line (as text, like expected.csv)."""
        d = self.line(claim_id).disability
        assert d is not None, f"{claim_id} has no disability computation"
        values = {
            "weekly_benefit": d.periodic_benefit,
            "disability_days": d.disability_days,
            "payable_days": d.payable_days,
            "first_payable_day": d.first_payable_day,
            "last_payable_day": d.last_payable_day,
        }
        return {k: None if v is None else str(v) for k, v in values.items()}

    def claimant(self, member_id: str) -> dict[str, Any]:
        (tier,) = self.summary["specific_stop_loss"]
        (found,) = [c for c in tier["claimants"] if c["member_id"] == member_id]
        return dict(found)

    def line_value(self, claim_id: str, field: str) -> Any:
        if field == "benefit":  # a disability line's allowed amount is its benefit, all paid by the plan
            row = self.rows[claim_id]
            assert row["allowed"] == row["plan_paid"], row
        if field in LEDGER_FIELDS:
            return self.rows[claim_id][LEDGER_FIELDS[field]]
        if field in LINE_FIELDS:
            return getattr(self.line(claim_id), field)
        if field in BENEFIT_FIELDS:
            found = self.benefit_detail(claim_id)[field]
            assert found is not None, f"{claim_id} has no {field}"
            return found
        raise KeyError(field)

    # ---------------------------------------------------------------- pricing figures (C29)

    @cached_property
    def months(self) -> Any:
        return projected_months(self.ruleset, str(self.enrollment_path))

    @cached_property
    def funding(self) -> fund.Funding:
        mode = self.ruleset.settings.rounding
        assumptions = self.ruleset.assumptions
        assert assumptions is not None and assumptions.tier_ratios is not None
        target = ANNUAL_EXPECTED_CLAIMS[self.case]
        expected = fund.tier_expected(target, dict(assumptions.tier_ratios), self.months, mode)
        fixed = fund.fixed_pepm(self.ruleset, self.months, mode)
        return fund.funding(expected, fixed, self.months, mode, target=target)

    @cached_property
    def fixed_costs(self) -> fund.FixedCosts:
        return fund.fixed_costs(self.ruleset, self.months)

    @cached_property
    def max_annual_cost(self) -> Money:
        return fund.maximum_liability(
            Decimal(self.summary["aggregate_stop_loss"]["attachment_point"]), self.fixed_costs
        )


def _sum_ledger(column: str) -> Callable[[Run], Money]:
    return lambda run: sum((row[column] for row in run.rows.values()), Decimal(0))


NAMED: dict[str, Callable[[Run], Any]] = {
    "total.member": _sum_ledger("member_paid"),
    "total.plan": _sum_ledger("plan_paid"),
    "family_cost_share": _sum_ledger("member_paid"),
    "family_plan_paid": _sum_ledger("plan_paid"),
    "total_spec_reimb": lambda run: Decimal(run.summary["specific_stop_loss"][0]["reimbursed"]),
    "spec_reimb": lambda run: sum(
        (Decimal(t["reimbursed"]) for t in run.summary["specific_stop_loss"]), Decimal(0)
    ),
    "M_jan": lambda run: run.settlement.aggregate.attachment.monthly[0],  # type: ignore[union-attr]
    "M_jul": lambda run: run.settlement.aggregate.attachment.monthly[6],  # type: ignore[union-attr]
    "A_calc": lambda run: run.settlement.aggregate.attachment.calculated,  # type: ignore[union-attr]
    "A_min": lambda run: run.settlement.aggregate.attachment.minimum,  # type: ignore[union-attr]
    "A": lambda run: run.summary["aggregate_stop_loss"]["attachment_point"],
    "G": lambda run: run.summary["aggregate_stop_loss"]["eligible_claims"],
    "agg_reimb": lambda run: run.summary["aggregate_stop_loss"]["reimbursed"],
    "spec_premium": lambda run: run.summary["stop_loss_premium"]["specific"],
    "agg_premium": lambda run: run.summary["stop_loss_premium"]["aggregate"],
    "fixed_total": lambda run: run.settlement.fees.fixed_fees + run.settlement.fees.premium_total,
    "variable_total": lambda run: run.settlement.fees.variable_fees,
    "all_fees": lambda run: (
        Decimal(run.summary["fees"]["total"]) + Decimal(run.summary["stop_loss_premium"]["total"])
    ),
    "expected_claims_annual_funded": lambda run: run.funding.expected_annual,
    "rounding_residual_vs_1000000": lambda run: run.funding.residual,
    "funding_annual": lambda run: run.funding.funding_annual,
    "fixed_costs_annual": lambda run: run.fixed_costs.total,
    "max_annual_cost": lambda run: run.max_annual_cost,
    "employer_total_cost": lambda run: run.summary["employer_cost"]["total"],
    "surplus": lambda run: run.funding.funding_annual - Decimal(run.summary["employer_cost"]["total"]),
    "fully_insured_annual": lambda run: run.summary["fully_insured"]["premium"],
    "savings_vs_fully_insured": lambda run: run.summary["fully_insured"]["difference"],
    "fully_insured_minus_max_cost": lambda run: (
        Decimal(run.summary["fully_insured"]["premium"]) - run.max_annual_cost
    ),
}
PATTERNS: list[tuple[re.Pattern[str], Callable[[Run, re.Match[str]], Any]]] = [
    (re.compile(r"acc\.(\w+)\.(ded|oop|annual_max_used)"), lambda run, m: run.accumulator(m[1], m[2])),
    (re.compile(r"eligible_(\w+)"), lambda run, m: run.claimant(m[1])["eligible_paid"]),
    (re.compile(r"reimb_(\w+)"), lambda run, m: run.claimant(m[1])["reimbursed"]),
    (
        re.compile(r"asd_absorbed_(\w+)"),
        lambda run, m: run.settlement.specific[0].claimants[m[1]].asd_absorbed,
    ),
    (
        re.compile(r"employer_retained_(\w+)_all_lines"),
        lambda run, m: sum(
            (r["plan_paid"] - r["specific_reimbursed"] for r in run.rows.values() if r["member_id"] == m[1]),
            Decimal(0),
        ),
    ),
    (re.compile(r"expected_pepm\.(\w+)"), lambda run, m: run.funding.expected[m[1]]),
    (re.compile(r"funding_rate\.(\w+)"), lambda run, m: run.funding.rates[m[1]]),
    (re.compile(r"cobra\.(\w+)"), lambda run, m: run.funding.cobra[m[1]]),
    (re.compile(r"(\w+)\.(\w+)"), lambda run, m: run.line_value(m[1], m[2])),
]


def figure(run: Run, key: str) -> Any:
    """The settlement's figure for a key (within its scenario), per the module docstring."""
    if key in NAMED:
        return NAMED[key](run)
    if key in run.summary["fees"]:
        return run.summary["fees"][key]
    for pattern, get in PATTERNS:
        match = pattern.fullmatch(key)
        if match is not None:
            return get(run, match)
    raise KeyError(f"no mapping for expected key {key!r}")


def check_case(case: str, engine: str, shuffle: int | None = None) -> None:
    runs: dict[str, Run] = {}
    wrong: list[str] = []
    for key, want in read_expected(case):
        scenario, inner = split_key(key)
        if scenario not in runs:
            runs[scenario] = Run(case, scenario, engine, shuffle)
        got = text(figure(runs[scenario], inner))
        if got != want:
            wrong.append(f"{key}: expected {want}, got {got}")
    assert not wrong, f"{case} ({engine}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("case", CASE_IDS)
def test_worked_example__reference_engine(case: str) -> None:
    """Every expected value of the case, settled from its rule file and data, is exact to the cent."""
    check_case(case, "reference")


@pytest.mark.parametrize("case", CASE_IDS)
def test_worked_example__vector_engine(case: str) -> None:
    """The vector engine settles every case to the same expected values as the reference engine."""
    check_case(case, "vector")


@pytest.mark.parametrize("case", CASE_IDS)
def test_worked_example__ledger_identities(case: str) -> None:
    """Each case's ledger keeps I-LINE-1 and the summary's totals and employer-cost identity hold."""
    run = Run(case, "", "reference")
    for row in run.rows.values():
        if row["status"] == "paid":
            assert row["member_paid"] + row["plan_paid"] == row["allowed"], row
            assert (
                row["member_paid"]
                == row["copay"] + row["deductible"] + row["coinsurance"] + run.line(row["claim_id"]).over_max
            )
        else:
            assert row["plan_paid"] == row["allowed"] == 0 and row["reason"], row
    s = run.summary
    assert Decimal(s["totals"]["plan_paid"]) == _sum_ledger("plan_paid")(run)
    reimbursed = sum((Decimal(t["reimbursed"]) for t in s["specific_stop_loss"]), Decimal(0))
    assert _sum_ledger("specific_reimbursed")(run) == reimbursed
    e = {k: Decimal(v) for k, v in s["employer_cost"].items()}
    assert e["total"] == e["claims"] - e["specific_reimbursed"] - e["aggregate_reimbursed"] + e["fixed_costs"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASE_IDS), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_worked_example__claim_row_order_does_not_matter(case: str, seed: int) -> None:
    """Claims settle in (paid, claim id) order whatever their order in the file: the same figures."""
    check_case(case, "reference", shuffle=seed)
