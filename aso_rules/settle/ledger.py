"""The outputs of a settlement run: ledger and rejects tables, summary dict, and their files.

On entry: the adjudicated lines with their stop-loss shares and flags, the input column names in
input order, the rejects, and the run's stop-loss, fee and employer-cost results. On exit:

* the ledger, a ``pyarrow.Table`` with one row per accepted line in input row order: every input
  column as given (money as ``decimal128(18, 2)``, dates as ``date32``, extra columns as their
  text), then ``LEDGER_COLUMNS``. An input column whose name is also a computed column (``allowed``)
  is kept as ``input_<name>`` (prefixed again while the name is taken), so no two columns share a name;
* the rejects, a table of ``row``, ``claim_id``, ``reason``;
* the summary, a dict with docs/contracts.md's summary.json keys (money as ``Amount``: ``Decimal``
  cents that summary.json writes as strings with two decimals), plus a few documented extra keys;
* ``write_outputs`` writes ``ledger.csv`` or ``ledger.parquet``, ``rejects.csv`` (and
  ``enrollment_rejects.csv``) and ``summary.json`` to a folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from aso_rules.data.records import ClaimRecord, Reject
from aso_rules.data.writers import write_table
from aso_rules.model import Ruleset
from aso_rules.money import ZERO, Amount, Money, amount, format_money
from aso_rules.settle.employer import EmployerCost, FullyInsured
from aso_rules.settle.fees import FeeResult
from aso_rules.settle.results import LineResult, LineTotals
from aso_rules.settle.stoploss import AggregateResult, SpecificResult

MONEY = pa.decimal128(18, 2)

LEDGER_COLUMNS: tuple[str, ...] = (
    "status",
    "reason",
    "allowed",
    "deductible",
    "copay",
    "coinsurance",
    "member_paid",
    "plan_paid",
    "specific_reimbursed",
    "aggregate_eligible",
)
REJECT_COLUMNS: tuple[str, ...] = ("row", "claim_id", "reason", "line")

# Input columns the readers turn into ClaimRecord fields, with their Arrow types.
_RECORD_FIELDS: dict[str, pa.DataType] = {
    "claim_id": pa.string(),
    "member_id": pa.string(),
    "family_id": pa.string(),
    "line": pa.string(),
    "category": pa.string(),
    "incurred": pa.date32(),
    "paid": pa.date32(),
    "billed": MONEY,
    "network": pa.string(),
    "code": pa.string(),
    "units": pa.int64(),
    "allowed": MONEY,
    "weekly_earnings": MONEY,
    "absence_start": pa.date32(),
    "absence_end": pa.date32(),
    "cause": pa.string(),
}


def _array(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    """An Arrow array; money goes through its exact text (several times faster than from Decimal)."""
    if kind == MONEY:
        try:
            return pa.array([None if v is None else str(v) for v in values], type=pa.string()).cast(MONEY)
        except pa.ArrowInvalid:  # an unusual text form; the direct conversion is exact, only slower
            pass
    return pa.array(values, type=kind)


def _input_values(claims: Sequence[ClaimRecord], column: str) -> list[Any]:
    """One input column's values: a record field as parsed, an extra column as its text."""
    if column in _RECORD_FIELDS:
        get = attrgetter(column)
        return [get(c) for c in claims]
    out: list[Any] = []
    for c in claims:
        value = c.extra.get(column)
        out.append(None if value is None else str(value))
    return out


def ledger_table(
    columns: Sequence[str],
    lines: Sequence[LineResult],
    specific_shares: Sequence[Money],
    aggregate_eligible: Sequence[bool],
) -> pa.Table:
    """The ledger: input columns as given, then the settlement columns, in input row order."""
    rows = [r.claim.row for r in lines]
    order = sorted(range(len(lines)), key=rows.__getitem__)
    ordered = [lines[i] for i in order]
    claims = [r.claim for r in ordered]
    arrays: list[pa.Array] = []
    names: list[str] = []
    for column in columns:
        values = _input_values(claims, column)
        arrays.append(_array(values, _RECORD_FIELDS.get(column, pa.string())))
        name = column
        while name in LEDGER_COLUMNS or name in names:  # input_allowed beside allowed: input_input_allowed
            name = f"input_{name}"
        names.append(name)
    computed: dict[str, tuple[list[Any], pa.DataType]] = {
        "status": ([r.status for r in ordered], pa.string()),
        "reason": ([r.reason for r in ordered], pa.string()),
        "allowed": ([r.allowed for r in ordered], MONEY),
        "deductible": ([r.deductible for r in ordered], MONEY),
        "copay": ([r.copay for r in ordered], MONEY),
        "coinsurance": ([r.coinsurance for r in ordered], MONEY),
        "member_paid": ([r.member_paid for r in ordered], MONEY),
        "plan_paid": ([r.plan_paid for r in ordered], MONEY),
        "specific_reimbursed": ([specific_shares[i] for i in order], MONEY),
        "aggregate_eligible": ([aggregate_eligible[i] for i in order], pa.bool_()),
    }
    for name in LEDGER_COLUMNS:
        values, kind = computed[name]
        arrays.append(_array(values, kind))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def rejects_table(rejects: Sequence[Reject]) -> pa.Table:
    """Rejected rows: 1-based data row, claim id (member id for enrollment), reason, and the file
    line the row starts on (CSV inputs; null otherwise)."""
    ordered = sorted(rejects, key=lambda r: r.row)
    return pa.table(
        {
            "row": pa.array([r.row for r in ordered], type=pa.int64()),
            "claim_id": pa.array([r.claim_id for r in ordered], type=pa.string()),
            "reason": pa.array([r.reason for r in ordered], type=pa.string()),
            "line": pa.array([r.line for r in ordered], type=pa.int64()),
        }
    )


# --------------------------------------------------------------------------- summary


def _m(value: Money) -> Amount:
    """An amount of the summary: exact ``Decimal`` cents (summary.json writes it with two decimals)."""
    return amount(value)


def _m_or_none(value: Money | None) -> Amount | None:
    return None if value is None else _m(value)


@attrs.frozen
class Counts:
    received: int
    settled: int
    paid: int
    denied: int
    rejected: int


def _specific_json(res: SpecificResult) -> dict[str, Any]:
    claimants = [
        {
            "member_id": c.claimant,
            "eligible_paid": _m(c.eligible_paid),
            "deductible": _m_or_none(c.deductible),
            "reimbursed": _m(c.reimbursed),
            "asd_absorbed": _m(c.asd_absorbed),
        }
        for c in res.claimants.values()
        if c.excess > ZERO or c.deductible is None or c.reimbursed > ZERO
    ]
    return {
        "name": res.name,
        "reimbursed": _m(res.reimbursed),
        "claimants": claimants,
        "eligible_paid": _m(res.eligible_paid),
        "asd_absorbed": _m(res.asd_absorbed),
    }


def _aggregate_json(res: AggregateResult | None) -> dict[str, Any] | None:
    if res is None:
        return None
    att = res.attachment
    return {
        "attachment_point": _m(att.point),
        "eligible_claims": _m(res.eligible_claims),
        "reimbursed": _m(res.reimbursed),
        "name": res.name,
        "attachment_calculated": _m(att.calculated),
        "minimum_attachment": _m(att.minimum),
        "terminal_liability_addition": _m(att.terminal),
        "monthly_attachment": [_m(v) for v in att.monthly],
        "accommodation": [_m(v) for v in res.accommodation],
        "final_settlement": _m(res.final_settlement),
    }


def build_summary(
    ruleset: Ruleset,
    *,
    counts: Counts,
    totals: LineTotals,
    specific: Sequence[SpecificResult],
    aggregate: AggregateResult | None,
    fees: FeeResult,
    cost: EmployerCost,
    insured: FullyInsured | None,
) -> dict[str, Any]:
    """summary.json as a dict: docs/contracts.md's keys in its order, extra keys beside them."""
    fee_json: dict[str, Amount] = {name: _m(v) for name, v in fees.fees.items()}
    fee_json["total"] = _m(fees.fees_total)
    return {
        "ruleset": ruleset.name,
        "plan_year": {
            "start": ruleset.plan_year.start.isoformat(),
            "end": ruleset.plan_year.end.isoformat(),
        },
        "counts": attrs.asdict(counts),
        "totals": {
            "billed": _m(totals.billed),
            "allowed": _m(totals.allowed),
            "member_paid": _m(totals.member_paid),
            "plan_paid": _m(totals.plan_paid),
        },
        "by_line": {
            line: {
                "claims": s.claims,
                "allowed": _m(s.allowed),
                "member_paid": _m(s.member_paid),
                "plan_paid": _m(s.plan_paid),
            }
            for line, s in totals.by_line.items()
        },
        "specific_stop_loss": [_specific_json(s) for s in specific],
        "aggregate_stop_loss": _aggregate_json(aggregate),
        "fees": fee_json,
        "stop_loss_premium": {
            "specific": _m(fees.specific_premium),
            "aggregate": _m(fees.aggregate_premium),
            "total": _m(fees.premium_total),
        },
        "employer_cost": {
            "claims": _m(cost.claims),
            "specific_reimbursed": _m(cost.specific_reimbursed),
            "aggregate_reimbursed": _m(cost.aggregate_reimbursed),
            "fixed_costs": _m(cost.fixed_costs),
            "total": _m(cost.total),
            "fixed_fees": _m(cost.fixed_fees),
            "variable_fees": _m(cost.variable_fees),
            "stop_loss_premium": _m(cost.stop_loss_premium),
        },
        "fully_insured": None
        if insured is None
        else {"premium": _m(insured.premium), "difference": _m(insured.difference)},
        "unknown_categories": {k: dict(v) for k, v in totals.unknown_categories.items()},
    }


# --------------------------------------------------------------------------- files


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def summary_json(summary: Mapping[str, Any]) -> str:
    """summary.json text (two-space indent, a final newline)."""
    return json.dumps(summary, indent=2, default=_json_default) + "\n"


def write_outputs(
    out_dir: str | Path,
    *,
    ledger: pa.Table,
    rejects: pa.Table,
    enrollment_rejects: pa.Table,
    summary: Mapping[str, Any],
    ledger_format: str = "csv",
) -> list[Path]:
    """Write the run's files to ``out_dir`` (created if missing); returns the paths written."""
    if ledger_format not in ("csv", "parquet"):
        raise ValueError(f"ledger format must be csv or parquet, not {ledger_format!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"ledger.{ledger_format}", out / "rejects.csv", out / "summary.json"]
    write_table(ledger, paths[0])
    write_table(rejects, paths[1])
    paths[2].write_text(summary_json(summary), encoding="utf-8")
    if enrollment_rejects.num_rows:
        paths.append(out / "enrollment_rejects.csv")
        write_table(enrollment_rejects, paths[-1])
    return paths
