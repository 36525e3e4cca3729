"""``close_month``: the monthly settlement statement an administrator sends the employer, and the lock.

The statement of month M is the difference of two year-to-date views of the ledger (lines paid
through the end of M, and through the end of M-1), each settled like ``aso settle``: claims paid in
M by coverage line, the month's fees and stop-loss premium, the specific reimbursement due for the
month per claimant (and who crossed the specific deductible in M), the aggregate position (eligible
claims to date against the attachment to date, the month's accommodation where the contract has
it) and the employer cost for M and the year to date against the funding level (expected claims
plus margin plus fixed costs, when the ruleset has assumptions) and the fully insured premium.

Closing stores the statement and locks the month: a later batch with a line paid in it is
refused until the month is reopened (``reopen=True``). The statement is written as
``statement-YYYY-MM.json`` and a self-contained ``statement-YYYY-MM.html``.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aso_rules.ledger.errors import LedgerError
from aso_rules.money import ZERO, Money, format_money, round_money
from aso_rules.settle import Settlement
from aso_rules.settle.fees import enrollment_charge

if TYPE_CHECKING:
    from aso_rules.ledger.core import Ledger

__all__ = ["close_month", "month_bounds", "statement"]


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM`` (``LedgerError`` when malformed)."""
    try:
        year, mon = (int(p) for p in month.split("-"))
        first = date(year, mon, 1)
    except ValueError:
        raise LedgerError(f"month must be YYYY-MM, not {month!r}") from None
    return first, date(year, mon, calendar.monthrange(year, mon)[1])


def _m(value: Money) -> str:
    return format_money(value)


def _to_date(s: Settlement, last: date) -> dict[str, Any]:
    """What the statement compares month to month: sums over lines paid through ``last``."""
    by_line: dict[str, list[Any]] = {}
    for r in s.lines:
        if r.claim.paid <= last:
            row = by_line.setdefault(r.claim.line, [0, ZERO, ZERO, ZERO])
            row[0] += 1
            row[1] += r.allowed
            row[2] += r.member_paid
            row[3] += r.plan_paid
    return {
        "by_line": {
            line: {"lines": n, "allowed": _m(a), "member_paid": _m(mp), "plan_paid": _m(pp)}
            for line, (n, a, mp, pp) in sorted(by_line.items())
        },
        "specific": {
            tier.name: {
                cid: {
                    "eligible_paid": _m(c.eligible_paid),
                    "deductible": None if c.deductible is None else _m(c.deductible),
                    "reimbursed": _m(c.reimbursed),
                }
                for cid, c in tier.claimants.items()
            }
            for tier in s.specific
        },
    }


def _minus(now: dict[str, Any], before: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Claims paid by line: ``now - before`` (lines and money), lines present in either."""
    out = {}
    for line in sorted(set(now) | set(before)):
        a, b = now.get(line, {}), before.get(line, {})
        row: dict[str, Any] = {"lines": a.get("lines", 0) - b.get("lines", 0)}
        for k in ("allowed", "member_paid", "plan_paid"):
            row[k] = _m(Decimal(a.get(k, "0")) - Decimal(b.get(k, "0")))
        out[line] = row
    return out


def _specific(now: dict[str, Any], before: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, claimants in now.items():
        old = before.get(name, {})
        rows = []
        total = ZERO
        for cid in sorted(set(claimants) | set(old)):
            c = claimants.get(cid, {"eligible_paid": "0.00", "deductible": None, "reimbursed": "0.00"})
            was = old.get(cid)
            due = Decimal(c["reimbursed"]) - (Decimal(was["reimbursed"]) if was else ZERO)
            total += due
            ded = c["deductible"]
            over = ded is not None and Decimal(c["eligible_paid"]) > Decimal(ded)
            crossed = over and (was is None or Decimal(was["eligible_paid"]) <= Decimal(ded))
            if due or crossed:
                rows.append(
                    {
                        "member_id": cid,
                        "eligible_paid_to_date": c["eligible_paid"],
                        "deductible": ded,
                        "reimbursed_to_date": c["reimbursed"],
                        "due_this_month": _m(due),
                        "crossed_this_month": crossed,
                    }
                )
        out.append({"name": name, "due_this_month": _m(total), "claimants": rows})
    return out


def _month_fees(s: Settlement, first: date) -> tuple[dict[str, str], Money, Money]:
    """(fees and premiums by name, fee total, stop-loss premium) billed for the month."""
    fees = s.fees
    if first not in fees.months:
        return {}, ZERO, ZERO
    by_name = fees.by_month[fees.months.index(first)]
    fee_names = set(fees.fees)
    fee_total = sum((v for k, v in by_name.items() if k in fee_names), ZERO)
    premium = sum((v for k, v in by_name.items() if k not in fee_names), ZERO)
    return {k: _m(v) for k, v in by_name.items()}, fee_total, premium


def _aggregate(ytd: Settlement, index: int) -> dict[str, Any] | None:
    agg = ytd.aggregate
    if agg is None:
        return None
    monthly = agg.attachment.monthly
    to_date = sum(monthly[: index + 1], ZERO) if index >= 0 else ZERO
    return {
        "eligible_claims_to_date": _m(agg.eligible_claims),
        "attachment_to_date": _m(to_date),
        "attachment_point": _m(agg.attachment.point),
        "over_attachment_to_date": _m(max(agg.eligible_claims - to_date, ZERO)),
        "accommodation_this_month": _m(agg.accommodation[index])
        if agg.accommodation and 0 <= index < len(agg.accommodation)
        else None,
    }


def _funding(ledger: Ledger, s: Settlement, months: list[date], fixed: Money) -> Money | None:
    a = ledger.ruleset.assumptions
    if a is None or a.expected_claims is None:
        return None
    expected = sum((enrollment_charge(a.expected_claims, m) for m in s.months if m.month in months), ZERO)
    return round_money(expected * (1 + a.funding_margin), ledger.ruleset.settings.rounding) + fixed


def _insured(ledger: Ledger, s: Settlement, months: list[date]) -> Money | None:
    a = ledger.ruleset.assumptions
    if a is None or a.fully_insured is None:
        return None
    return sum((enrollment_charge(a.fully_insured, m) for m in s.months if m.month in months), ZERO)


def _previous(ledger: Ledger, first: date) -> dict[str, Any]:
    """The to-date figures the month is measured from: the previous month's closed statement
    (what was stated to the employer), else the current view through the previous month."""
    prev_last = first - _ONE_DAY
    prev = f"{prev_last.year:04d}-{prev_last.month:02d}"
    found = ledger.store.query("SELECT statement FROM closed_months WHERE month = ?", (prev,))
    if found:
        stated: dict[str, Any] = json.loads(found[0][0])["to_date"]
        return stated
    return _to_date(ledger.settlement(paid_through=prev_last), prev_last)


def statement(ledger: Ledger, month: str) -> dict[str, Any]:
    """The statement of ``month`` from the ledger's current view (JSON-ready)."""
    first, last = month_bounds(month)
    ytd = ledger.settlement(paid_through=last)
    now = _to_date(ytd, last)
    before = _previous(ledger, first)
    fee_names, fee_total, premium = _month_fees(ytd, first)
    by_line = _minus(now["by_line"], before["by_line"])
    claims = sum((Decimal(v["plan_paid"]) for v in by_line.values()), ZERO)
    spec = _specific(now["specific"], before["specific"])
    spec_due = sum((Decimal(t["due_this_month"]) for t in spec), ZERO)
    months = [m.month for m in ytd.months]
    months_ytd = [m for m in months if m <= first]
    index = months.index(first) if first in months else -1
    cost_month = claims - spec_due + fee_total + premium
    e = ytd.employer
    ytd_fixed = sum(
        (sum(ytd.fees.by_month[k].values(), ZERO) for k, m in enumerate(ytd.fees.months) if m <= first), ZERO
    )
    cost_ytd = e.claims - e.specific_reimbursed + ytd_fixed
    funding_month = _funding(ledger, ytd, [first], fee_total + premium)
    funding_ytd = _funding(ledger, ytd, months_ytd, ytd_fixed)
    insured_month = _insured(ledger, ytd, [first])
    insured_ytd = _insured(ledger, ytd, months_ytd)

    def opt(v: Money | None) -> str | None:
        return None if v is None else _m(v)

    return {
        "ruleset": ledger.ruleset.name,
        "month": month,
        "period": {"start": first.isoformat(), "end": last.isoformat()},
        "claims_paid": {
            "by_line": by_line,
            "lines": sum(v["lines"] for v in by_line.values()),
            "plan_paid": _m(claims),
        },
        "fees": fee_names,
        "fees_total": _m(fee_total),
        "stop_loss_premium": _m(premium),
        "specific_reimbursement_due": {"total": _m(spec_due), "tiers": spec},
        "aggregate": _aggregate(ytd, index),
        "employer_cost": {
            "month": _m(cost_month),
            "year_to_date": _m(cost_ytd),
            "funding_month": opt(funding_month),
            "funding_year_to_date": opt(funding_ytd),
            "fully_insured_month": opt(insured_month),
            "fully_insured_year_to_date": opt(insured_ytd),
        },
        "to_date": now,
    }


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)


def close_month(
    ledger: Ledger, month: str, out_dir: str | Path | None = None, *, reopen: bool = False
) -> dict[str, Any]:
    """Close (or with ``reopen`` reopen) ``month``; returns the statement, written to ``out_dir``."""
    month_bounds(month)
    store = ledger.store
    if reopen:
        with store.exclusive():
            found = store.query("SELECT statement FROM closed_months WHERE month = ?", (month,))
            if not found:
                raise LedgerError(f"month {month} is not closed")
            store.execute("DELETE FROM closed_months WHERE month = ?", (month,))
        result: dict[str, Any] = json.loads(found[0][0])
        return result
    with store.exclusive():
        found = store.query("SELECT statement FROM closed_months WHERE month = ?", (month,))
        if found:
            doc: dict[str, Any] = json.loads(found[0][0])
        else:
            doc = statement(ledger, month)
            seq = store.query("SELECT COALESCE(MAX(seq), 0) FROM batches")[0][0]
            store.execute(
                "INSERT INTO closed_months (month, closed_at, batch_seq, statement) VALUES (?, ?, ?, ?)",
                (month, datetime.now(UTC).isoformat(timespec="seconds"), int(seq), json.dumps(doc)),
            )
    if out_dir is not None:
        from aso_rules.ledger.statement_html import statement_html

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"statement-{month}.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        (out / f"statement-{month}.html").write_text(statement_html(doc), encoding="utf-8")
    return doc
