"""Shared data and helpers of the distributed engine's tests: generated books of business, ruleset
variants that exercise every cross-family setting, and the single-machine runs to compare against."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from aso_rules.data.readers import read_claims, read_enrollment
from aso_rules.model import Ruleset
from aso_rules.settle import Settlement, assemble
from aso_rules.settle.adjudicate import adjudicate
from aso_rules.settle.results import LineResult

ROOT = Path(__file__).resolve().parents[2]


@cache
def acme() -> Ruleset:
    """rulesets/acme-2026.aso: two specific tiers (a laser, an ASD), an aggregate, fees."""
    from aso_rules.language.loader import load

    return load(str(ROOT / "rulesets" / "acme-2026.aso"))


def low_deductibles(rs: Ruleset) -> Ruleset:
    """Specific deductibles low enough that a small book has many claimants over them, an ASD that
    runs out partway through the year, a reimbursement percentage and a maximum on the second tier."""
    first, *rest = rs.specific
    tiers = [attrs.evolve(first, deductible=Decimal("20000.00"), aggregating_deductible=Decimal("60000.00"))]
    tiers += [
        attrs.evolve(
            t, deductible=Decimal("35000.00"), reimbursement_pct=Decimal("0.9"), maximum=Decimal("90000")
        )
        for t in rest
    ]
    return attrs.evolve(rs, specific=tuple(tiers))


def variant(name: str) -> Ruleset:
    """The acme plan with low deductibles under one of the cross-family settings."""
    rs = low_deductibles(acme())
    agg = rs.aggregate
    assert agg is not None
    settings = rs.settings
    if name == "net_of_specific":
        return attrs.evolve(
            rs,
            aggregate=attrs.evolve(agg, claim_basis="net_of_specific", monthly_accommodation=True),
            settings=attrs.evolve(settings, pct_of_claims_base="net_of_stop_loss"),
        )
    if name == "asd_counts":
        return attrs.evolve(rs, aggregate=attrs.evolve(agg, asd_counts=True, monthly_accommodation=True))
    if name == "family_claimant":
        return attrs.evolve(
            rs,
            settings=attrs.evolve(settings, specific_claimant_key="family", per_claim_fee_unit="line"),
        )
    if name == "narrow_specific":
        # the first (lowest) tier covers medical only, the second medical and rx, the aggregate
        # medical, rx and dental: only the medical lines' contributions move with the specific
        # shares and ASD absorption, rx lines over the second tier's deductible do not
        first, *rest = rs.specific
        tiers = (attrs.evolve(first, covers=("medical",)), *rest)
        wide = attrs.evolve(agg, covers=("medical", "rx", "dental"), asd_counts=True)
        return attrs.evolve(rs, specific=tiers, aggregate=wide)
    if name == "incurred_order":
        return attrs.evolve(
            rs, settings=attrs.evolve(settings, processing_order="incurred", rounding="half_even")
        )
    assert name == "plain", name
    return rs


VARIANTS = ("plain", "net_of_specific", "asd_counts", "family_claimant", "incurred_order", "narrow_specific")


@cache
def book(employees: int, lines: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """Generated enrollment and claims for the acme plan year."""
    from aso_rules.data.generate import generate_claims, generate_enrollment

    plan_year = acme().plan_year
    enrollment = generate_enrollment(employees, plan_year, seed=seed)
    return enrollment, generate_claims(enrollment, lines, plan_year, seed=seed)


def dirty(claims: pa.Table) -> pa.Table:
    """The claims with rows every reader must reject: repeated claim ids across the whole input (the
    first occurrence itself rejected in one case), an unknown member, a negative amount, a bad date."""
    plain = pa.table(
        {
            name: col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col
            for name, col in zip(claims.column_names, claims.columns, strict=True)
        }
    )
    df = plain.to_pandas()
    n = len(df)
    ids = df["claim_id"].astype(object)
    ids.iloc[n // 2] = ids.iloc[3]
    ids.iloc[n - 2] = ids.iloc[3]
    ids.iloc[n // 3] = ids.iloc[n // 3 + 1]
    ids.iloc[n - 5] = ids.iloc[7]
    df["claim_id"] = ids
    member = df["member_id"].astype(object)
    member.iloc[7] = "NOBODY"
    member.iloc[11] = "NOBODY"
    df["member_id"] = member
    billed = df["billed"].astype(object)
    billed.iloc[13] = Decimal("-5.00")
    df["billed"] = billed
    df["provider"] = [f"P-{i % 17}" for i in range(n)]  # an extra column carried to the ledger
    table = pa.Table.from_pandas(df, preserve_index=False)
    paid = table.column("paid").to_pylist()
    paid[17] = None
    return table.set_column(table.schema.get_field_index("paid"), "paid", pa.array(paid, pa.date32()))


def write_dataset(table: pa.Table, folder: Path, files: int) -> Path:
    """The table as a folder of ``files`` Parquet files (sorted names = row order)."""
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-table.num_rows // files)
    for i in range(files):
        pq.write_table(table.slice(i * size, size), folder / f"claims-{i:03d}.parquet", row_group_size=2_000)
    return folder


def single_machine(
    rs: Ruleset, claims: Any, enrollment: Any, adjudicator: Callable[..., list[LineResult]] = adjudicate
) -> Settlement:
    """``settle`` on one machine with the given adjudicator (reference or vector)."""
    enrolled = read_enrollment(enrollment, rs)
    members = enrolled.by_id()
    got = read_claims(claims, rs, members)
    lines = adjudicator(rs, members, list(got.claims))
    return assemble(
        rs,
        members,
        lines,
        columns=got.columns,
        claim_rejects=got.rejects,
        enrollment_rejects=enrolled.rejects,
        received=got.received,
        adjudicator=adjudicator,
    )


def slow_adjudicate(*args: Any, **kwargs: Any) -> list[LineResult]:
    """The reference adjudicator after a pause: keeps tasks in flight long enough to kill a worker."""
    time.sleep(1.0)
    return adjudicate(*args, **kwargs)


def slow_adjudicate_columns(*args: Any, **kwargs: Any) -> Any:
    """The vector engine's column adjudicator after a pause: keeps tasks in flight long enough to kill
    a worker."""
    from aso_rules.settle.vector.engine import adjudicate_columns

    time.sleep(1.0)
    return adjudicate_columns(*args, **kwargs)
