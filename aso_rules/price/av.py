"""Actuarial value from continuance tables, the AV Calculator's limited-expected-value way.

On entry: continuance tables (bucket bounds with limited expected values ``E[min(X, b)]``, and the
parts of them for services paid in full, i.e. preventive care, and for prescription drugs, as the
av2015 tables' ``Preventive_Care_Value`` and drug ``*_Value`` columns) and a design: deductible(s),
plan coinsurance share(s), out-of-pocket maximum. On exit: the actuarial value
``E[plan paid] / E[allowed]`` over all members (zeros included), with every limited expected value
interpolated linearly between bucket bounds, as the calculator does.

Two readings are offered:

- ``actuarial_value``: the plain limited-expected-value method. The member pays
  ``LEV_s(d) + c (LEV_s(K) - LEV_s(d))`` on the cost-shared services (``LEV_s`` = all services less
  those paid in full), ``K = d + (moop - d) / c`` the spend at which the OOP maximum is reached.
- ``calculator_av`` / ``calculator_av_separate``: the AV Calculator's method as reimplemented in
  shared/data/av2015's source: the same, except that ``K`` uses the *effective* plan share
  ``e = ((E[X] - P) s + P) / E[X]`` (``P`` the preventive spend, paid in full), and, for separate
  medical/drug deductibles, the calculator's drug split, effective deductible and OOP floor search.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np

from aso_rules import model
from aso_rules.price.continuance import ContinuanceTableError, load_continuance_table
from aso_rules.price.severity import FloatArray

DRUG_COLUMNS = ("generic_value", "preferred_value", "non_preferred_value", "specialty_value")
# The calculator's drug spend outside the four drug columns, added to the drug spend subject to
# coinsurance in separate designs (a constant of the 2015 calculator's reimplementation).
DRUG_BALANCE_ADJUSTMENT = 25.66


@attrs.frozen
class AVTable:
    """Bucket bounds (the last one unlimited) with the limited expected values to interpolate."""

    bounds: FloatArray = attrs.field(eq=False)  # finite bounds only
    lev: FloatArray = attrs.field(eq=False)  # E[min(X, b)] at each finite bound
    covered_in_full: FloatArray = attrs.field(eq=False)  # same, of services paid in full
    mean: float  # E[X] (the unlimited bucket's value)
    drug: FloatArray | None = attrs.field(default=None, eq=False)  # same, of prescription drugs

    @classmethod
    def from_table(
        cls,
        table: model.ContinuanceTable,
        covered_in_full: FloatArray | None = None,
        drug: FloatArray | None = None,
    ) -> AVTable:
        bounds = np.array([float(r.up_to) for r in table.rows])
        lev = np.array([float(r.limited_expected_value) for r in table.rows])
        finite = np.isfinite(bounds)
        full = (
            np.zeros_like(lev) if covered_in_full is None else np.asarray(covered_in_full, dtype=np.float64)
        )
        drugs = None if drug is None else np.asarray(drug, dtype=np.float64)[finite]
        return cls(
            bounds=bounds[finite],
            lev=lev[finite],
            covered_in_full=full[finite],
            mean=float(lev[-1]),
            drug=drugs,
        )

    def limited(self, k: float, *, full: bool = False) -> float:
        """``E[min(X, k)]`` (or the covered-in-full part of it), interpolated linearly; beyond the last
        finite bound the covered-in-full part stays at its last value."""
        values = self.covered_in_full if full else self.lev
        if math.isinf(k):
            return self.mean if not full else float(values[-1])
        return float(np.interp(k, self.bounds, values))

    def shared(self, k: float) -> float:
        """Limited expected value of the cost-shared services only."""
        return self.limited(k) - self.limited(k, full=True)

    def drugs(self, k: float) -> float:
        """The prescription-drug part of ``E[min(X, k)]`` (0 when the table has no drug columns)."""
        if self.drug is None:
            return 0.0
        return float(np.interp(min(k, float(self.bounds[-1])), self.bounds, self.drug))

    def inverse(self, value: float) -> float:
        """The spend ``k`` with ``E[min(X, k)] = value`` (linear between bounds)."""
        return float(np.interp(value, self.lev, self.bounds))


def load_av2015(path: str | Path) -> AVTable:
    """An av2015 table with its ``Preventive_Care_Value`` column as the covered-in-full services and,
    when present, its drug columns (generic, preferred, non-preferred, specialty) summed."""
    table = load_continuance_table(path)
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [c.strip().lower() for c in next(reader)]
        rows = [row for row in reader if any(c.strip() for c in row)]

    def column(names: tuple[str, ...]) -> FloatArray | None:
        if not all(n in header for n in names):
            return None
        idx = [header.index(n) for n in names]
        try:
            return np.array([sum(float(row[i].replace(",", "")) for i in idx) for row in rows])
        except (ValueError, IndexError):
            raise ContinuanceTableError(f"{path}: non-numeric cell in {', '.join(names)}") from None

    return AVTable.from_table(table, column(("preventive_care_value",)), column(DRUG_COLUMNS))


# --------------------------------------------------------------------------- the plain method


def member_share(table: AVTable, deductible: float, plan_share: float, moop: float | None) -> float:
    """Expected member cost sharing per member (deductible, coinsurance, OOP maximum)."""
    d = deductible if moop is None else min(deductible, moop)
    c = 1.0 - plan_share
    share = table.shared(d)
    if c > 0:
        top = math.inf if moop is None else d + (moop - d) / c
        share += c * (table.shared(top) - table.shared(d))
    return share


def actuarial_value(table: AVTable, deductible: float, plan_share: float, moop: float | None) -> float:
    """``1 - E[member share] / E[allowed]``."""
    return 1.0 - member_share(table, deductible, plan_share, moop) / table.mean


# --------------------------------------------------------------------------- the calculator's method


def effective_plan_share(table: AVTable, plan_share: float) -> float:
    """``((E[X] - P) s + P) / E[X]``: the plan share once preventive care (paid in full) is counted."""
    p = table.limited(math.inf, full=True)
    return ((table.mean - p) * plan_share + p) / table.mean


def moop_spend_level(deductible: float, effective_share: float, moop: float) -> float:
    """Allowed spend at which the member reaches the OOP maximum: ``d + (moop - d) / (1 - e)``."""
    if effective_share >= 1:
        return deductible
    return (moop - deductible) / (1 - effective_share) + deductible


@attrs.frozen
class AVParts:
    """The calculator's plan-paid pieces per member (all in dollars)."""

    below_deductible: float  # preventive care paid below the deductible
    coinsurance_band: float  # plan paid between the deductible and the OOP spend level
    above_moop: float  # everything above the OOP spend level
    moop_level: float
    total: float

    @property
    def value(self) -> float:
        return (self.below_deductible + self.coinsurance_band + self.above_moop) / self.total


def calculator_parts(table: AVTable, deductible: float, plan_share: float, moop: float) -> AVParts:
    """An integrated design's pieces (AV Calculator): ``K`` from the effective plan share."""
    k = moop_spend_level(deductible, effective_plan_share(table, plan_share), moop)
    prev_band = table.limited(k, full=True) - table.limited(deductible, full=True)
    band = (table.limited(k) - table.limited(deductible)) - prev_band
    return AVParts(
        below_deductible=table.limited(deductible, full=True),
        coinsurance_band=band * plan_share + prev_band,
        above_moop=table.mean - table.limited(k),
        moop_level=k,
        total=table.mean,
    )


def calculator_av(table: AVTable, deductible: float, plan_share: float, moop: float) -> float:
    """The AV Calculator's actuarial value of an integrated design."""
    return calculator_parts(table, deductible, plan_share, moop).value


@attrs.frozen
class SeparateDesign:
    """Separate medical and drug deductibles and plan shares, one out-of-pocket maximum."""

    medical_deductible: float
    medical_share: float
    drug_deductible: float
    drug_share: float
    moop: float


def effective_plan_share_separate(integrated: AVTable, design: SeparateDesign) -> float:
    """The effective plan share of a separate design: medical and drug spend (the drug columns plus
    the calculator's balance adjustment) at their own shares, preventive care in full."""
    total = integrated.mean
    preventive = integrated.limited(math.inf, full=True)
    drug_subject = integrated.drugs(math.inf) + DRUG_BALANCE_ADJUSTMENT
    medical_subject = total - preventive - drug_subject
    return (medical_subject * design.medical_share + drug_subject * design.drug_share + preventive) / total


def calculator_av_separate(
    integrated: AVTable, medical: AVTable, drug: AVTable, design: SeparateDesign
) -> float:
    """The AV Calculator's actuarial value of a separate-deductible design (medical and drug tables
    for the deductibles, the integrated table for spending, the OOP floor search of the calculator)."""
    total = integrated.mean
    effective = effective_plan_share_separate(integrated, design)
    state = {"floor": 0.0, "level": 0.0}

    def av(med_ded: float, drug_ded: float) -> float:
        level = moop_spend_level(med_ded + drug_ded, effective, design.moop)
        level = max(level, state["floor"])
        state["level"] = level
        med_amount = medical.limited(med_ded)
        eff_ded = integrated.inverse(med_amount + drug.limited(drug_ded))
        prev_band = integrated.limited(level, full=True) - integrated.limited(eff_ded, full=True)
        subject = integrated.limited(level) - prev_band - integrated.drugs(level) - med_amount
        drug_band = (integrated.drugs(level) - integrated.drugs(eff_ded)) * design.drug_share
        band = subject * effective + drug_band + prev_band
        below = medical.limited(med_ded, full=True)
        return (below + band + total - integrated.limited(level)) / total

    _floor_search(av, state, design.medical_deductible, design.drug_deductible)
    return av(design.medical_deductible, design.drug_deductible)


def _floor_search(
    av: Callable[[float, float], float], state: dict[str, float], med_ded: float, drug_ded: float
) -> None:
    """The calculator's OOP floor: step each deductible down by 10; while the AV *falls* as the
    deductible falls, keep the spend level reached as a floor (so a lower deductible never lowers AV)."""
    sim = med_ded
    if sim > 0:
        old = av(sim, drug_ded)
        sim = sim - 10 if sim >= 10 else 0.0
        while sim > 0:
            test = av(sim, drug_ded)
            if old > test:
                state["floor"] = state["level"]
                old = test
                sim = sim - 10 if sim >= 10 else 0.0
            elif sim >= 1000:
                sim -= 990
                break
            else:
                sim = 0.0
        if old > av(sim, drug_ded):
            state["floor"] = state["level"]
    rx = drug_ded
    if rx > 0:
        old = av(sim, rx)
        rx = rx - 10 if rx > 10 else 0.0
        while rx > 0:
            test = av(sim, rx)
            if old > test:
                state["floor"] = state["level"]
                old = test
                if rx > 10:
                    rx -= 10
                else:
                    rx = 0.0
                    if old > av(sim, rx):
                        state["floor"] = state["level"]
            elif rx > 1000:
                break
            else:
                rx = 0.0
