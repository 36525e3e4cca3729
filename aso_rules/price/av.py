"""Actuarial value from continuance tables, the AV Calculator's limited-expected-value way.

On entry: a continuance table (bucket bounds with limited expected values ``E[min(X, b)]``, and
optionally a per-member limited value of services covered in full, e.g. the av2015 tables'
``Preventive_Care_Value``) and an individual design: deductible, plan coinsurance share,
out-of-pocket maximum. On exit: the actuarial value ``E[plan paid] / E[allowed]`` over all members
(zeros included), with ``E[min(X, k)]`` linearly interpolated between bucket bounds as the
calculator does. Services covered in full (preventive care) are paid by the plan and never enter
the deductible or coinsurance.

The member's cost sharing on annual allowed ``x`` is ``min(x, d) + c (min(x, K) - d)+`` with
``K = d + (moop - d) / c`` (the spend at which the out-of-pocket maximum is reached), so
``E[member] = LEV(d) + c (LEV(K) - LEV(d))`` on the cost-shared services.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import attrs
import numpy as np

from aso_rules import model
from aso_rules.price.continuance import ContinuanceTableError, load_continuance_table
from aso_rules.price.severity import FloatArray


@attrs.frozen
class AVTable:
    """Bucket bounds (the last one unlimited) with the limited expected values to interpolate."""

    bounds: FloatArray = attrs.field(eq=False)  # finite bounds only
    lev: FloatArray = attrs.field(eq=False)  # E[min(X, b)] at each finite bound
    covered_in_full: FloatArray = attrs.field(eq=False)  # same, of services paid in full
    mean: float  # E[X] (the unlimited bucket's value)

    @classmethod
    def from_table(cls, table: model.ContinuanceTable, covered_in_full: FloatArray | None = None) -> AVTable:
        bounds = np.array([float(r.up_to) for r in table.rows])
        lev = np.array([float(r.limited_expected_value) for r in table.rows])
        finite = np.isfinite(bounds)
        full = (
            np.zeros_like(lev) if covered_in_full is None else np.asarray(covered_in_full, dtype=np.float64)
        )
        return cls(bounds=bounds[finite], lev=lev[finite], covered_in_full=full[finite], mean=float(lev[-1]))

    def limited(self, k: float, *, full: bool = False) -> float:
        """``E[min(X, k)]`` (or the covered-in-full part of it), interpolated linearly."""
        values = self.covered_in_full if full else self.lev
        if math.isinf(k):
            return self.mean if not full else float(values[-1])
        return float(np.interp(k, self.bounds, values))

    def shared(self, k: float) -> float:
        """Limited expected value of the cost-shared services only."""
        return self.limited(k) - self.limited(k, full=True)


def load_av2015(path: str | Path) -> AVTable:
    """An av2015 table with its ``Preventive_Care_Value`` column as the covered-in-full services."""
    table = load_continuance_table(path)
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [c.strip().lower() for c in next(reader)]
        if "preventive_care_value" not in header:
            return AVTable.from_table(table)
        col = header.index("preventive_care_value")
        try:
            values = [float(row[col].replace(",", "")) for row in reader if any(c.strip() for c in row)]
        except (ValueError, IndexError):
            raise ContinuanceTableError(f"{path}: non-numeric Preventive_Care_Value") from None
    return AVTable.from_table(table, np.array(values))


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


def moop_spend_level(deductible: float, plan_share: float, moop: float) -> float:
    """Allowed spend at which the member reaches the OOP maximum (no covered-in-full services)."""
    c = 1.0 - plan_share
    return math.inf if c <= 0 else deductible + (moop - deductible) / c
