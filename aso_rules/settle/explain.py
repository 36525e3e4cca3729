"""The explanation of one claim line: its adjudication steps and its stop-loss share.

On entry: a ``LineResult`` adjudicated with ``explain=True`` (its ``steps`` filled), its index in
the run's lines and the run's stop-loss results. On exit: an ``Explanation`` that renders as text
(one step a line: amount, accumulators before -> after, and the rule-file statement ``file:line``)
and as a JSON-ready dict (money as two-decimal strings).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from aso_rules.money import Money, format_money
from aso_rules.settle.results import LineResult, Step
from aso_rules.settle.stoploss import AggregateResult, SpecificResult


@attrs.frozen
class TierShare:
    name: str
    eligible: bool
    reimbursed: Money  # this line's share of the tier's reimbursement
    asd_absorbed: Money


@attrs.frozen
class Explanation:
    line: LineResult
    specific: tuple[TierShare, ...]
    aggregate_name: str | None
    aggregate_eligible: bool
    aggregate_counted: Money | None  # the line's contribution to the aggregate's eligible claims

    @property
    def claim_id(self) -> str:
        return self.line.claim.claim_id

    def to_text(self) -> str:
        """A readable trace, one step a line."""
        r = self.line
        c = r.claim
        out = [
            f"claim {c.claim_id}: member {c.member_id} (family {c.family_id}), {c.line} / {c.category}, "
            f"incurred {c.incurred.isoformat()}, paid {c.paid.isoformat()}, billed {format_money(c.billed)}"
        ]
        for step in r.steps:
            out.append("  " + _step_text(step))
        status = r.status if not r.reason else f"{r.status} ({r.reason})"
        out.append(
            f"  result: {status}; allowed {format_money(r.allowed)}, member paid "
            f"{format_money(r.member_paid)}, plan paid {format_money(r.plan_paid)}"
        )
        for tier in self.specific:
            if tier.eligible:
                extra = (
                    f", aggregating deductible {format_money(tier.asd_absorbed)}" if tier.asd_absorbed else ""
                )
                share = format_money(tier.reimbursed)
                out.append(f"  specific stop-loss {tier.name!r}: eligible; reimbursed {share}{extra}")
            else:
                out.append(f"  specific stop-loss {tier.name!r}: not eligible")
        if self.aggregate_name is not None:
            if self.aggregate_eligible and self.aggregate_counted is not None:
                out.append(
                    f"  aggregate stop-loss {self.aggregate_name!r}: eligible; counts "
                    f"{format_money(self.aggregate_counted)}"
                )
            else:
                out.append(f"  aggregate stop-loss {self.aggregate_name!r}: not eligible")
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the trace."""
        r = self.line
        return {
            "claim_id": r.claim.claim_id,
            "member_id": r.claim.member_id,
            "family_id": r.claim.family_id,
            "line": r.claim.line,
            "category": r.claim.category,
            "status": r.status,
            "reason": r.reason,
            "allowed": format_money(r.allowed),
            "member_paid": format_money(r.member_paid),
            "plan_paid": format_money(r.plan_paid),
            "steps": [_step_json(s) for s in r.steps],
            "specific_stop_loss": [
                {
                    "name": t.name,
                    "eligible": t.eligible,
                    "reimbursed": format_money(t.reimbursed),
                    "asd_absorbed": format_money(t.asd_absorbed),
                }
                for t in self.specific
            ],
            "aggregate_stop_loss": None
            if self.aggregate_name is None
            else {
                "name": self.aggregate_name,
                "eligible": self.aggregate_eligible,
                "counted": None if self.aggregate_counted is None else format_money(self.aggregate_counted),
            },
        }


def _step_text(step: Step) -> str:
    amount = "" if step.amount is None else format_money(step.amount)
    parts = [f"{step.name:<12} {amount:>12}  {step.detail}"]
    keys = list(dict.fromkeys([*step.before, *step.after]))
    if keys:
        moves = []
        for key in keys:
            b = step.before.get(key)
            a = step.after.get(key)
            moves.append(
                f"{key} {'-' if b is None else format_money(b)} -> {'-' if a is None else format_money(a)}"
            )
        parts.append("[" + "; ".join(moves) + "]")
    if step.source is not None:
        parts.append(f"({step.source})")
    return "  ".join(parts)


def _step_json(step: Step) -> dict[str, Any]:
    return {
        "name": step.name,
        "amount": None if step.amount is None else format_money(step.amount),
        "detail": step.detail,
        "before": {k: format_money(v) for k, v in step.before.items()},
        "after": {k: format_money(v) for k, v in step.after.items()},
        "source": None if step.source is None else str(step.source),
    }


def explain_line(
    line: LineResult,
    index: int,
    specific: Sequence[SpecificResult],
    aggregate: AggregateResult | None,
) -> Explanation:
    """Combine a traced line with its stop-loss results (``index`` into the run's lines)."""
    tiers = tuple(
        TierShare(
            name=s.name,
            eligible=s.line_eligible[index],
            reimbursed=s.line_shares[index],
            asd_absorbed=s.line_absorbed[index],
        )
        for s in specific
    )
    return Explanation(
        line=line,
        specific=tiers,
        aggregate_name=aggregate.name if aggregate is not None else None,
        aggregate_eligible=aggregate.line_eligible[index] if aggregate is not None else False,
        aggregate_counted=aggregate.line_contribution[index] if aggregate is not None else None,
    )
