"""Regenerate the example data files beside this script (seeded: the output is always the same).

    PYTHONPATH=. python examples/make_examples.py

acme-enrollment.csv  300 employees with spouses and children, tiers EE/ES/EC/FAM, plan year 2026
acme-claims.csv      5,000 claim lines for 2026 (medical, rx, dental, std), paid through 2027-03-31,
                     a few claimants over the $150,000 specific deductible, among them the lasered
                     member M-1042 with about $460,000 of allowed charges
bad-claims.csv       one accepted row, then one row for each reject reason of the claims reader
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules.data.generate import generate_claims, generate_enrollment
from aso_rules.data.writers import write_csv
from aso_rules.model import PlanYear

HERE = Path(__file__).resolve().parent
PLAN_YEAR = PlanYear(date(2026, 1, 1), date(2026, 12, 31))
SEED = 2026
LAST_PAID = date(2027, 3, 31)  # the end of the 12/15 run-out

BAD_HEADER = (
    "claim_id,member_id,line,category,incurred,paid,billed,network,units,allowed,"
    "absence_start,absence_end,cause,family_id"
)
BAD_ROWS = (
    # an accepted row: the duplicate below refers to it
    "B-001,M-1000,medical,office_visit,2026-02-03,2026-02-20,180.00,in,1,120.00,,,,",
    "B-002,M-1000,medical,office_visit,2026-02-03,2026-02-20,,in,1,,,,,",  # missing_field
    "B-003,M-1000,medical,lab,2026-02-03,2026-13-01,95.00,in,1,60.00,,,,",  # bad_date
    "B-004,M-1000,medical,lab,2026-02-03,2026-02-20,12.345,in,1,,,,,",  # bad_amount
    "B-005,M-1000,medical,lab,2026-02-03,2026-02-20,-5.00,in,1,,,,,",  # negative_billed
    "B-006,M-1000,medical,lab,2026-02-03,2026-02-20,95.00,in,1,-1.00,,,,",  # negative_allowed
    "B-001,M-1000,medical,lab,2026-03-03,2026-03-20,95.00,in,1,60.00,,,,",  # duplicate_claim_id
    "B-008,M-9999,medical,lab,2026-02-03,2026-02-20,95.00,in,1,60.00,,,,",  # unknown_member
    "B-009,M-1000,vision,exam,2026-02-03,2026-02-20,95.00,in,1,60.00,,,,",  # unknown_line
    "B-010,M-1000,medical,lab,2026-02-20,2026-02-03,95.00,in,1,60.00,,,,",  # paid_before_incurred
    # the spouse has no salary: disability_without_earnings
    "B-011,M-1000-S,std,disability,2026-04-01,2026-05-15,0.00,in,1,,2026-04-01,2026-04-30,illness,",
    "B-012,M-1000,std,disability,2026-04-01,2026-05-15,0.00,in,1,,2026-04-01,,illness,",  # no dates
    # absence_end_before_start
    "B-013,M-1000,std,disability,2026-04-01,2026-05-15,0.00,in,1,,2026-04-01,2026-03-01,illness,",
    "B-014,M-1000,medical,lab,2026-02-03,2026-02-20,95.00,in,1,60.00,,,,M-1001",  # family_mismatch
    "B-015,M-1000,medical,inpatient,2026-02-03,2026-02-20,9500.00,in,0,,,,,",  # bad_units
    "B-016,M-1000,medical,lab,2026-02-03,2026-02-20,95.00,maybe,1,60.00,,,,",  # bad_value (network)
)


def main(out: Path = HERE) -> None:
    enrollment = generate_enrollment(300, PLAN_YEAR, SEED)
    claims = generate_claims(enrollment, 5_000, PLAN_YEAR, SEED, high_cost={"M-1042": 460_000})
    # keep the examples inside the 12/15 run-out: a later payment is moved to its last day
    last = pa.scalar(LAST_PAID, type=pa.date32())
    paid = pc.if_else(pc.greater(claims["paid"], last), last, claims["paid"])
    claims = claims.set_column(claims.schema.get_field_index("paid"), "paid", paid)
    assert "M-1042" in enrollment["member_id"].to_pylist()
    assert np.all(pc.greater_equal(claims["paid"], claims["incurred"]).to_numpy(zero_copy_only=False))
    write_csv(enrollment, out / "acme-enrollment.csv")
    write_csv(claims, out / "acme-claims.csv")
    (out / "bad-claims.csv").write_text("\n".join((BAD_HEADER, *BAD_ROWS)) + "\n")


if __name__ == "__main__":
    main()
