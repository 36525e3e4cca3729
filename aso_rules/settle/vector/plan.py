"""A compiled ruleset as integer tables: what the vector engine's kernels read.

On entry: a ``Ruleset`` and the distinct (line, network, category) triples of a run's claims.
On exit: ``TermTable``, one row per triple, every amount in integer cents, every rate an exact
integer fraction ``num / den`` (docs/performance.md trap 1: never a float), every "no such limit" a
negative sentinel (``NONE``). The row for a triple is built from the reference engine's own
``resolve_terms``, so both engines read the rules the same way; a triple this table cannot express
(more limits than ``MAX_LIMITS``, an unusual step order, an ``ltd`` line) is flagged ``fallback`` and
its families are settled by the reference engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.model import Ruleset
from aso_rules.money import to_cents
from aso_rules.settle.terms import LineTerms, resolve_terms

I64 = npt.NDArray[np.int64]

NONE = -1  # an absent amount (no deductible, no maximum ...)
MAX_LIMITS = 4  # visit or dollar limits per triple the kernel carries; more: reference fallback

# term kinds
COST, DENTAL, STD, LTD, DENY = 0, 1, 2, 3, 4
# step codes
COPAY, DEDUCTIBLE, COINSURANCE = 0, 1, 2
_STEPS = {"copay": COPAY, "deductible": DEDUCTIBLE, "coinsurance": COINSURANCE}
_KINDS = {"cost": COST, "dental": DENTAL, "std": STD, "ltd": LTD}


def fraction(rate: Decimal) -> tuple[int, int]:
    """An exact rate as (numerator, denominator) integers."""
    num, den = rate.as_integer_ratio()
    return int(num), int(den)


def _cents(value: Decimal | None) -> int:
    return NONE if value is None else to_cents(value)


# Column order of the kernel's term matrix: ``kernels.adjudicate`` reads these positions.
TERM_COLUMNS: tuple[
    str,
    ...,
] = tuple(
    [
        "kind",
        "fallback",
        "deny_reason",
        "exclusion_reason",
        "class_reason",
        "waiting_months",
        "schedule",
        "cat_price",
        "unpriced_reason",
        "copay",
        "ded_applies",
        "coins_num",
        "coins_den",
        "cp_oop",
        "cp_ded",
        "step0",
        "step1",
        "step2",
        "ded_owner",
        "oop_owner",
        "ded_ind",
        "ded_fam",
        "ded_agg",
        "oop_ind",
        "oop_fam",
        "oop_agg",
        "oop_cap",
        "pct_num",
        "pct_den",
        "needs_ded",
        "n_visits",
        "n_dollars",
        "disability",
    ]
)
LIMIT_COLUMNS: tuple[str, ...] = (
    "visit_key",
    "visit_amount",
    "visit_life",
    "visit_reason",
    "dollar_key",
    "dollar_amount",
    "dollar_life",
    "dollar_reason",
)
# Column order of the kernels' disability matrix (``engine.disability_matrix``), one row per triple.
DISABILITY_COLUMNS: tuple[str, ...] = (
    "pct_num",
    "pct_den",
    "weekly_max",
    "ep_illness",
    "ep_accident",
    "duration",
    "max_includes_ep",
)
# Column order of the stop-loss contracts' windows (``stoploss.stop_loss_tables``), one row per
# contract: the day numbers of its incurred and paid windows, both ends included.
WINDOW_COLUMNS: tuple[str, ...] = ("incurred_from", "incurred_to", "paid_from", "paid_to")


@attrs.frozen(eq=False)
class TermTable:
    """Per-triple parameters (arrays aligned with ``keys``) and the strings they point to."""

    keys: tuple[tuple[str, str, str], ...]
    terms: tuple[LineTerms, ...]
    reasons: tuple[str, ...]  # static denial reasons, indexed by the *_reason columns
    owners: tuple[str, ...]  # accumulator owners ("coverage/network"), indexed by *_owner
    visit_keys: tuple[str, ...]
    dollar_keys: tuple[str, ...]
    cols: dict[str, I64]  # name -> int64 array with one entry per triple
    limits: dict[str, I64]  # name -> int64 array (triples x MAX_LIMITS)

    def __getitem__(self, name: str) -> I64:
        return self.cols[name]

    def matrix(self) -> I64:
        """The kernel's term matrix: one row per triple, columns in ``TERM_COLUMNS`` order."""
        return np.ascontiguousarray(np.stack([self.cols[c] for c in TERM_COLUMNS], axis=1))

    def limit_tensor(self) -> I64:
        """The kernel's limit tensor: (triple, ``LIMIT_COLUMNS`` entry, limit number)."""
        return np.ascontiguousarray(np.stack([self.limits[c] for c in LIMIT_COLUMNS], axis=1))


def build_terms(ruleset: Ruleset, keys: Sequence[tuple[str, str, str]]) -> TermTable:
    """One row of integer parameters per (line, network, category) triple."""
    reasons: dict[str, int] = {}
    owners: dict[str, int] = {}
    vkeys: dict[str, int] = {}
    dkeys: dict[str, int] = {}

    def intern(table: dict[str, int], text: str) -> int:
        return table.setdefault(text, len(table))

    n = len(keys)
    cols = {name: np.full(n, NONE, dtype=np.int64) for name in TERM_COLUMNS}
    limits = {name: np.full((n, MAX_LIMITS), NONE, dtype=np.int64) for name in LIMIT_COLUMNS}
    schedules = list(ruleset.fee_schedules)
    resolved: list[LineTerms] = []
    for i, (line, network, category) in enumerate(keys):
        t = resolve_terms(ruleset, line, network, category)
        resolved.append(t)
        c = cols
        c["fallback"][i] = 0
        if t.kind in ("excluded_line", "no_coverage"):
            c["kind"][i] = DENY
            c["deny_reason"][i] = intern(reasons, t.reason)
            continue
        c["kind"][i] = _KINDS[t.kind]
        if t.kind == "ltd":
            c["fallback"][i] = 1
            continue
        if t.kind == "std":
            c["disability"][i] = 1
            continue
        if t.exclusion is not None:
            c["exclusion_reason"][i] = intern(reasons, t.exclusion.reason)
        if t.kind == "dental":
            cls = t.dental_class
            if cls is None:
                c["class_reason"][i] = intern(
                    reasons, f"not covered: {category} is not a dental class of {line}"
                )
            else:
                c["waiting_months"][i] = cls.waiting_months
        sched = t.schedule
        if sched is None:
            c["unpriced_reason"][i] = intern(reasons, f"unpriced: no fee schedule for line {line}")
        else:
            c["schedule"][i] = schedules.index(sched.line)
            if category in sched.categories:
                c["cat_price"][i] = to_cents(sched.categories[category])
            pct = sched.out_of_network_pct if network == "out" else sched.in_network_pct
            if pct is not None:
                c["pct_num"][i], c["pct_den"][i] = fraction(pct)
        rule = t.rule
        c["copay"][i] = to_cents(rule.copay)
        c["ded_applies"][i] = int(rule.deductible_applies)
        c["coins_num"][i], c["coins_den"][i] = fraction(rule.coins)
        c["cp_oop"][i] = int(rule.copay_counts_to_oop)
        c["cp_ded"][i] = int(rule.copay_counts_to_deductible)
        steps = [_STEPS.get(s, -2) for s in rule.step_order]
        if len(steps) > 3 or -2 in steps:
            c["fallback"][i] = 1
        for k, s in enumerate(steps[:3]):
            c[f"step{k}"][i] = s
        c["needs_ded"][i] = int(rule.deductible_applies or rule.copay_counts_to_deductible)
        c["ded_owner"][i] = intern(owners, t.deductible_owner)
        c["oop_owner"][i] = intern(owners, t.oop_owner)
        ded, oop = t.deductible, t.oop
        c["ded_ind"][i], c["ded_fam"][i] = _cents(ded.ded_ind), _cents(ded.ded_fam)
        c["ded_agg"][i] = int(ded.ded_mode == "aggregate")
        c["oop_ind"][i], c["oop_fam"][i] = _cents(oop.oop_ind), _cents(oop.oop_fam)
        c["oop_agg"][i] = int(oop.oop_mode == "aggregate")
        c["oop_cap"][i] = _cents(oop.ind_oop_cap_in_family)
        if len(t.visit_limits) > MAX_LIMITS or len(t.dollar_limits) > MAX_LIMITS:
            c["fallback"][i] = 1
            continue
        c["n_visits"][i] = len(t.visit_limits)
        for k, v in enumerate(t.visit_limits):
            limits["visit_key"][i, k] = intern(vkeys, v.key)
            limits["visit_amount"][i, k] = v.amount
            limits["visit_life"][i, k] = int(v.lifetime)
            limits["visit_reason"][i, k] = intern(reasons, f"visit limit reached: {v.label}")
        c["n_dollars"][i] = len(t.dollar_limits)
        for k, d in enumerate(t.dollar_limits):
            limits["dollar_key"][i, k] = intern(dkeys, d.key)
            limits["dollar_amount"][i, k] = to_cents(d.amount)
            limits["dollar_life"][i, k] = int(d.lifetime)
            limits["dollar_reason"][i, k] = intern(reasons, f"benefit maximum reached: {d.label}")
    return TermTable(
        keys=tuple(keys),
        terms=tuple(resolved),
        reasons=tuple(reasons),
        owners=tuple(owners),
        visit_keys=tuple(vkeys),
        dollar_keys=tuple(dkeys),
        cols=cols,
        limits=limits,
    )
