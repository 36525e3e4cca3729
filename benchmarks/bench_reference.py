"""Speed of the reference adjudication engine on a realistic mix of generated claim lines.

One command: ``PYTHONPATH=. python benchmarks/bench_reference.py [--lines 1000000] [--seed 1]``;
``--acme`` instead loads rulesets/acme-2026.aso and uses the project's own generator and readers
(``aso_rules.data.generate``, ``aso_rules.data.readers``) for the input.
Builds an Acme-like ruleset (medical with copays, limits and an exclusion; rx sharing medical's
out-of-pocket; dental classes with an annual maximum; STD), a seeded enrollment and a seeded claims
mix (medical 55%, rx 33%, dental 10%, std 2%; some out-of-network, some priced by the fee schedule),
then times ``adjudicate`` (sorting included) and prints lines/s and the peak resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import (
    CategoryRule,
    CostSharing,
    Coverage,
    DentalClass,
    DentalTerms,
    DisabilityTerms,
    Exclusion,
    FeeSchedule,
    Limit,
    PlanYear,
    Ruleset,
    Tier,
)
from aso_rules.money import from_cents
from aso_rules.settle.adjudicate import adjudicate

D = Decimal


def acme_like() -> Ruleset:
    m = from_cents
    medical = Coverage(
        name="medical",
        kind="medical",
        networks={
            "in": CostSharing(
                ded_ind=m(150_000),
                ded_fam=m(300_000),
                oop_ind=m(500_000),
                oop_fam=m(1_000_000),
                default=CategoryRule(coins=D("0.20")),
                categories={
                    "office_visit": CategoryRule(copay=m(3000), deductible_applies=False),
                    "specialist": CategoryRule(copay=m(6000), deductible_applies=False),
                    "emergency": CategoryRule(copay=m(25000), coins=D("0.20")),
                    "preventive": CategoryRule(deductible_applies=False),
                },
            ),
            "out": CostSharing(
                ded_ind=m(300_000),
                ded_fam=m(600_000),
                oop_ind=m(1_000_000),
                oop_fam=m(2_000_000),
                default=CategoryRule(coins=D("0.40")),
            ),
        },
        limits=(
            Limit("chiropractic", "visits", D(20)),
            Limit("infertility", "dollars", m(1_500_000), "lifetime"),
        ),
        exclusions=(
            Exclusion(("cosmetic", "experimental"), "Not covered under the plan document, section 7"),
        ),
    )
    rx = Coverage(
        name="rx",
        kind="rx",
        networks={
            "in": CostSharing(
                categories={
                    "generic": CategoryRule(copay=m(1000), deductible_applies=False),
                    "preferred_brand": CategoryRule(copay=m(4000), deductible_applies=False),
                    "non_preferred": CategoryRule(copay=m(7000), deductible_applies=False),
                    "specialty": CategoryRule(copay=m(15000), deductible_applies=False),
                }
            )
        },
        shares_oop_with="medical",
    )
    dental = Coverage(
        name="dental",
        kind="dental",
        networks={"in": CostSharing(ded_ind=m(5000), ded_fam=m(15000))},
        dental=DentalTerms(
            classes={
                "preventive": DentalClass("preventive", D("1.00"), deductible_applies=False),
                "basic": DentalClass("basic", D("0.80")),
                "major": DentalClass("major", D("0.50"), waiting_months=12),
            },
            annual_max=m(150_000),
        ),
    )
    std = Coverage(
        name="std",
        kind="std",
        disability=DisabilityTerms("std", D("0.60"), m(100_000), 7, 0, 182),
    )
    fees = FeeSchedule(
        line="medical",
        in_network_pct=D("0.58"),
        out_of_network_pct=D("1.00"),
        codes={"99213": m(9200), "99214": m(13100)},
        categories={"inpatient": m(245_000)},
    )
    return Ruleset(
        name="bench",
        plan_year=PlanYear(date(2026, 1, 1), date(2026, 12, 31)),
        tiers=(Tier("EE", "EE"), Tier("ES", "ES"), Tier("EC", "EC"), Tier("FAM", "FAM")),
        coverages={"medical": medical, "rx": rx, "dental": dental, "std": std},
        fee_schedules={"medical": fees},
    )


def enrollment(n_employees: int, rng: random.Random) -> list[MemberRecord]:
    members: list[MemberRecord] = []
    for e in range(n_employees):
        fid = f"E{e:06d}"
        tier = rng.choices(["EE", "ES", "EC", "FAM"], [50, 15, 10, 25])[0]
        size = {"EE": 1, "ES": 2, "EC": rng.randint(2, 4), "FAM": rng.randint(3, 6)}[tier]
        start = date(2026, 1, 1) if rng.random() < 0.9 else date(2026, rng.randint(2, 11), 1)
        salary = from_cents(rng.randint(3_000_000, 15_000_000))
        for i in range(size):
            members.append(
                MemberRecord(
                    member_id=fid if i == 0 else f"{fid}-{i}",
                    family_id=fid,
                    relationship="employee" if i == 0 else "child",
                    tier=tier,
                    coverage_start=start,
                    annual_salary=salary if i == 0 else None,
                )
            )
    return members


MEDICAL = (
    ["office_visit"] * 30
    + ["specialist"] * 12
    + ["lab"] * 15
    + ["imaging"] * 8
    + ["outpatient"] * 10
    + ["inpatient"] * 2
    + ["emergency"] * 4
    + ["preventive"] * 10
    + ["chiropractic"] * 5
    + ["infertility"]
    + ["cosmetic"]
    + ["physical_therapy"] * 2
)
RX = ["generic"] * 70 + ["preferred_brand"] * 20 + ["non_preferred"] * 7 + ["specialty"] * 3
DENTAL = ["preventive"] * 60 + ["basic"] * 30 + ["major"] * 10


def claims(members: list[MemberRecord], n: int, rng: random.Random) -> list[ClaimRecord]:
    out: list[ClaimRecord] = []
    employees = [m for m in members if m.member_id == m.family_id]
    for row in range(1, n + 1):
        u = rng.random()
        incurred = date(2026, 1, 1) + timedelta(days=rng.randint(0, 364))
        paid = incurred + timedelta(days=rng.randint(3, 75))
        allowed: Decimal | None = None
        code = None
        units = 1
        network = "in"
        absence = (None, None)
        cause = None
        if u < 0.55:
            m = rng.choice(members)
            line, category = "medical", rng.choice(MEDICAL)
            billed_c = int(rng.lognormvariate(5.5, 1.3) * 100) + 100
            if category == "inpatient":
                units = rng.randint(1, 6)
                billed_c = units * rng.randint(300_000, 900_000)
            elif category == "office_visit":
                code = rng.choice(["99213", "99214", "99212"])
            network = "out" if rng.random() < 0.06 else "in"
            if rng.random() < 0.3:
                allowed = from_cents(int(billed_c * rng.uniform(0.4, 0.9)))
        elif u < 0.88:
            m = rng.choice(members)
            line, category = "rx", rng.choice(RX)
            billed_c = int(rng.lognormvariate(3.8, 1.2) * 100) + 300
            allowed = from_cents(billed_c)
        elif u < 0.98:
            m = rng.choice(members)
            line, category = "dental", rng.choice(DENTAL)
            billed_c = int(rng.lognormvariate(5.0, 0.8) * 100) + 2000
            allowed = from_cents(int(billed_c * 0.8))
        else:
            m = rng.choice(employees)
            line, category = "std", "disability"
            billed_c = 0
            absence = (incurred, incurred + timedelta(days=rng.randint(3, 120)))
            cause = "accident" if rng.random() < 0.2 else "illness"
            paid = absence[1] + timedelta(days=10)
        out.append(
            ClaimRecord(
                row=row,
                claim_id=f"C{row:08d}",
                member_id=m.member_id,
                family_id=m.family_id,
                line=line,
                category=category,
                incurred=incurred,
                paid=paid,
                billed=from_cents(billed_c),
                network=network,
                code=code,
                units=units,
                allowed=allowed,
                absence_start=absence[0],
                absence_end=absence[1],
                cause=cause,
            )
        )
    return out


def acme_input(
    n_employees: int, n_lines: int, seed: int
) -> tuple[Ruleset, dict[str, MemberRecord], list[ClaimRecord]]:
    """rulesets/acme-2026.aso with enrollment and claims from aso_rules.data.generate, read as records."""
    from pathlib import Path

    from aso_rules.data.generate import generate_claims, generate_enrollment
    from aso_rules.data.readers import read_claims, read_enrollment
    from aso_rules.language.loader import load

    rs = load(Path(__file__).resolve().parent.parent / "rulesets" / "acme-2026.aso")
    enrollment_table = generate_enrollment(n_employees, rs.plan_year, seed)
    members = read_enrollment(enrollment_table, rs)
    by_id = {m.member_id: m for m in members.members}
    claims_table = generate_claims(enrollment_table, n_lines, rs.plan_year, seed)
    return rs, by_id, list(read_claims(claims_table, rs, by_id).claims)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--acme", action="store_true", help="the acme rule file and the project's generator")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    if args.acme:
        rs, by_id, lines = acme_input(args.employees, args.lines, args.seed)
        members = list(by_id.values())
    else:
        rng = random.Random(args.seed)
        rs = acme_like()
        members = enrollment(args.employees, rng)
        lines = claims(members, args.lines, rng)
        by_id = {m.member_id: m for m in members}
    t1 = time.perf_counter()
    c1 = time.process_time()
    results = adjudicate(rs, by_id, lines)
    c2 = time.process_time()
    t2 = time.perf_counter()
    rate = len(results) / (t2 - t1)
    cpu_rate = len(results) / (c2 - c1)
    denied = sum(r.status == "denied" for r in results)
    plan = sum(r.plan_paid for r in results)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"members {len(members):,}  lines {len(results):,}  denied {denied:,}  plan paid {plan:,}")
    print(f"generate {t1 - t0:.1f} s  adjudicate {t2 - t1:.1f} s  ->  {rate:,.0f} lines/s (wall clock)")
    print(f"adjudicate CPU time {c2 - c1:.1f} s  ->  {cpu_rate:,.0f} lines/s of CPU")
    print(f"peak resident memory {peak_mib:,.0f} MiB (generation, inputs and results included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
