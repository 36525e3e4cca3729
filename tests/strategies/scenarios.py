"""Hypothesis scenarios for the differential tests: whole rulesets, enrollment and claims files.

A scenario is a ruleset with every feature the engines settle (medical with limits and in/out of
network terms, rx sharing accumulators, dental classes with waiting periods and a maximum, STD, LTD,
fee schedules; stacked specific tiers with lasers, ASD, percentages, maxima and windows; an aggregate
with every option; fees of every kind; the settings that change results), an enrollment table and a
claims table of text cells, some of them corrupted the ways real files are (blank, bad date, three
decimals, thousands commas, negative, padded, upper case, unknown member, duplicate id, an unknown
line, paid before incurred), so that rejects are compared too.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pyarrow as pa
from hypothesis import strategies as st

from aso_rules.data.records import MemberRecord
from aso_rules.model import (
    Assumptions,
    Coverage,
    Fee,
    Ruleset,
    SpecificStopLoss,
    TierAmounts,
)
from aso_rules.money import from_cents
from tests.strategies.settle import cents, claim_records, disability_terms, families, rulesets
from tests.strategies.stoploss import BASES, pct

TIER_CODES = ("EE", "ES", "EC", "FAM")
CLAIM_COLUMNS = [
    "claim_id",
    "member_id",
    "line",
    "category",
    "incurred",
    "paid",
    "billed",
    "family_id",
    "network",
    "code",
    "units",
    "allowed",
    "weekly_earnings",
    "absence_start",
    "absence_end",
    "cause",
    "note",
]
ENROLLMENT_COLUMNS = [
    "member_id",
    "family_id",
    "relationship",
    "tier",
    "coverage_start",
    "coverage_end",
    "annual_salary",
    "weekly_earnings",
]
NASTY = {
    "billed": ["", "12.345", "1,234.50", "-5.00", " 40.00 ", "abc", "1e3", "7"],
    "allowed": ["12.345", "-1.00", "0", " 3.5"],
    "incurred": ["", "2025-02-30", "2025/01/02", " 2025-03-04 "],
    "paid": ["2020-01-01", "2025-13-01", "x"],
    "network": ["IN", "Out", "maybe", " out "],
    "units": ["0", "2.0", "-1", "1.5", "x", " 3 "],
    "member_id": ["", "NOBODY", " F0 "],
    "family_id": ["F9", "F0", ""],
    "line": ["vision", " medical ", "", "rx"],
    "category": ["", " A "],
    "claim_id": ["", "dup"],
    "absence_end": ["", "2024-01-01"],
    "cause": ["ACCIDENT", "flu", ""],
    "code": [" C1", "C9", ""],
    "weekly_earnings": ["-3", "500.00", "0"],
}


NASTY_ENROLLMENT = {
    "member_id": ["", "F0", " F1 "],
    "family_id": ["", "F7"],
    "relationship": ["", "EMPLOYEE", "cousin"],
    "tier": ["XX", "", " EE "],
    "coverage_start": ["", "2025-02-29", "2026-01-01"],
    "coverage_end": ["2020-01-01", "2025-06-30", "bad"],
    "annual_salary": ["-1.00", "52,000.00", "1.234"],
    "weekly_earnings": ["x", "0.00"],
}


def tiered(draw: st.DrawFn, lo: int, hi: int, unit: str = "pepm") -> TierAmounts:
    return TierAmounts({t: draw(cents(lo, hi)) for t in TIER_CODES}, unit=unit)  # type: ignore[arg-type]


@st.composite
def specific_tier(draw: st.DrawFn, name: str, deductible: Decimal, people: list[str]) -> SpecificStopLoss:
    lasers: dict[str, Decimal | None] = {}
    for who in draw(st.lists(st.sampled_from(people), max_size=2, unique=True)):
        lasers[who] = draw(st.one_of(st.none(), cents(0, 3_000_000)))
    return SpecificStopLoss(
        name=name,
        deductible=deductible,
        lasers=lasers,
        aggregating_deductible=draw(st.one_of(st.just(Decimal(0)), cents(0, 2_000_000))),
        maximum=draw(st.one_of(st.none(), cents(0, 3_000_000))),
        reimbursement_pct=draw(pct()),
        covers=draw(st.sampled_from([("medical", "rx"), ("medical",), ("medical", "rx", "dental")])),
        basis=draw(st.sampled_from(BASES)),
        premium=draw(st.one_of(st.none(), st.builds(lambda: None))) or tiered(draw, 0, 50_000),
        terminal_liability=draw(st.booleans()),
    )


@st.composite
def full_rulesets(draw: st.DrawFn, people: list[str]) -> Ruleset:
    """``tests.settle.strategies.rulesets`` plus LTD, stop-loss, fees, assumptions and settings."""
    from aso_rules.model import AggregateStopLoss

    rs = draw(rulesets())
    coverages = dict(rs.coverages)
    ltd = draw(disability_terms("ltd"))
    coverages["ltd"] = Coverage(name="ltd", kind="ltd", disability=attrs.evolve(ltd, kind="ltd"))
    n_tiers = draw(st.integers(0, 2))
    tiers = []
    sd = draw(cents(0, 2_000_000))
    for k in range(n_tiers):
        tier = draw(specific_tier(f"tier{k}", sd, people))
        tiers.append(tier)
        sd = sd + (tier.maximum or draw(cents(0, 1_000_000)))
    aggregate = None
    if draw(st.booleans()):
        aggregate = AggregateStopLoss(
            name="agg",
            factors=tiered(draw, 0, 400_000),
            minimum_pct=draw(pct()),
            minimum_fixed=draw(st.one_of(st.none(), cents(0, 5_000_000))),
            maximum=draw(st.one_of(st.none(), cents(0, 5_000_000))),
            reimbursement_pct=draw(pct()),
            covers=draw(st.sampled_from([("medical", "rx"), ("medical", "rx", "dental", "std")])),
            basis=draw(st.sampled_from(BASES)),
            premium=tiered(draw, 0, 10_000),
            laser_treatment=draw(st.sampled_from(["to_laser", "standard_only"])),
            claim_basis=draw(st.sampled_from(["capped", "net_of_specific"])),
            cap_per_claimant=draw(st.booleans()),
            asd_counts=draw(st.booleans()),
            monthly_accommodation=draw(st.booleans()),
            terminal_liability=draw(st.booleans()),
        )
    fees = (
        Fee("admin", "pepm", amounts=tiered(draw, 0, 5_000)),
        Fee("pbm", "pmpm", amounts=TierAmounts({t: from_cents(125) for t in TIER_CODES}, unit="pmpm")),
        Fee(
            "per claim",
            "per_claim",
            amount=draw(cents(0, 500)),
            lines=draw(st.sampled_from([(), ("medical",)])),
        ),
        Fee("dental admin", "pct_paid_claims", pct=draw(pct()), lines=("dental",)),
        Fee("savings", "pct_savings", pct=draw(pct())),
    )
    settings = attrs.evolve(
        rs.settings,
        noncovered_basis=draw(st.sampled_from(["billed", "repriced"])),
        per_claim_fee_unit=draw(st.sampled_from(["claim", "line"])),
        per_claim_fee_counts_denied=draw(st.booleans()),
        pct_of_claims_base=draw(st.sampled_from(["gross", "net_of_stop_loss"])),
        specific_claimant_key=draw(st.sampled_from(["member", "family"])),
    )
    assumptions = Assumptions(fully_insured=tiered(draw, 10_000, 200_000)) if draw(st.booleans()) else None
    return attrs.evolve(
        rs,
        coverages=coverages,
        specific=tuple(tiers),
        aggregate=aggregate,
        fees=fees,
        settings=settings,
        assumptions=assumptions,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def enrollment_table(members: list[MemberRecord]) -> pa.Table:
    rows = [
        [
            m.member_id,
            m.family_id,
            m.relationship,
            m.tier,
            m.coverage_start,
            m.coverage_end,
            m.annual_salary,
            m.weekly_earnings,
        ]
        for m in members
    ]
    return pa.table(
        {c: pa.array([_text(r[k]) for r in rows], type=pa.string()) for k, c in enumerate(ENROLLMENT_COLUMNS)}
    )


@st.composite
def settle_scenarios(draw: st.DrawFn, *, corrupt: bool = True) -> tuple[Ruleset, pa.Table, pa.Table]:
    members = draw(families())
    # some members leave mid-year or carry weekly earnings instead of a salary
    members = [
        attrs.evolve(
            m,
            coverage_end=draw(st.sampled_from([None, None, date(2025, 8, 31)])),
            weekly_earnings=draw(st.one_of(st.none(), cents(0, 200_000))),
        )
        for m in members
    ]
    people = [m.member_id for m in members] + sorted({m.family_id for m in members})
    rs = draw(full_rulesets(people))
    claims = draw(st.lists(claim_records(members), min_size=draw(st.sampled_from([0, 5, 15])), max_size=40))
    rows: list[dict[str, str]] = []
    for c in claims:
        line = c.line
        if line == "std" and draw(st.integers(0, 9)) == 0:
            line = "ltd"
        rows.append(
            {
                "claim_id": c.claim_id,
                "member_id": c.member_id,
                "line": line,
                "category": c.category,
                "incurred": _text(c.incurred),
                "paid": _text(c.paid),
                "billed": _text(c.billed),
                "family_id": draw(st.sampled_from(["", c.family_id])),
                "network": c.network,
                "code": _text(c.code),
                "units": draw(st.sampled_from(["", str(c.units)])),
                "allowed": _text(c.allowed),
                "weekly_earnings": draw(st.sampled_from(["", "", "750.00"])),
                "absence_start": _text(c.absence_start if line in ("std", "ltd") else None),
                "absence_end": _text(c.absence_end if line in ("std", "ltd") else None),
                "cause": _text(c.cause),
                "note": draw(st.sampled_from(["", "x", "a,b"])),
            }
        )
    if corrupt and rows:
        for _ in range(draw(st.integers(0, 4))):
            r = draw(st.integers(0, len(rows) - 1))
            column = draw(st.sampled_from(sorted(NASTY)))
            value = draw(st.sampled_from(NASTY[column]))
            if column == "claim_id" and value == "dup":
                value = rows[draw(st.integers(0, len(rows) - 1))]["claim_id"]
            rows[r][column] = value
    claims_table = pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in CLAIM_COLUMNS})
    enrollment = enrollment_table(members)
    if corrupt and draw(st.integers(0, 3)) == 0:
        columns = {c: enrollment.column(c).to_pylist() for c in ENROLLMENT_COLUMNS}
        for _ in range(draw(st.integers(1, 2))):
            r = draw(st.integers(0, enrollment.num_rows - 1))
            column = draw(st.sampled_from(sorted(NASTY_ENROLLMENT)))
            columns[column][r] = draw(st.sampled_from(NASTY_ENROLLMENT[column]))
        enrollment = pa.table({c: pa.array(v, type=pa.string()) for c, v in columns.items()})
    return rs, claims_table, enrollment


def absence(start: date, days: int) -> tuple[date, date]:
    return start, start + timedelta(days=days)


# --------------------------------------------------------------------------- ledger batches


@st.composite
def paid_date_batches(draw: st.DrawFn, claims: Any) -> tuple[Any, list[Any]]:
    """A claims table in paid-date order and its split, at drawn paid dates, into batches.

    Rows are sorted by their paid text (stable; bad and missing dates sort with the rest), and a cut
    falls only where the paid value changes and no claim id has rows on both sides (a claim id
    repeated across batches is a different case: the ledger rejects it as already current).
    Returns (the sorted table, its batches in posting order); the batches concatenate to the table.
    """
    paid = claims.column("paid").to_pylist()
    order = sorted(range(claims.num_rows), key=lambda i: (paid[i] is None, paid[i] or ""))
    table = claims.take(pa.array(order, type=pa.int64()))
    paid = table.column("paid").to_pylist()
    ids = table.column("claim_id").to_pylist()
    cuts = []
    for k in range(1, table.num_rows):
        if paid[k] != paid[k - 1] and not set(ids[:k]) & set(ids[k:]):
            cuts.append(k)
    chosen = sorted(draw(st.sets(st.sampled_from(cuts), max_size=6))) if cuts else []
    bounds = [0, *chosen, table.num_rows]
    return table, [table.slice(a, b - a) for a, b in itertools.pairwise(bounds)]
