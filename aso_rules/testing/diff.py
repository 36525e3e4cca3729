"""``aso diff``: what a ruleset amendment changes, in its text and in dollars.

On entry: the parsed programs of the old and new rule files, and the settlements of the same claims
and enrollment under each (reference engine). On exit: a JSON-ready report with

* ``statements``: the statements added, removed or changed between the two files (each with its
  place in the ruleset, ``file:line`` on each side and the canonical text). Statements are matched
  by what they are, not where they stand: ``coverage medical / deductible``, ``fee_schedule medical /
  code "99213"``, ``stop_loss specific "Acme Re" / laser "M-1042"``, ``test "NAME"``; moving or
  reformatting a statement is no change. Comments are ignored.
* ``totals``: old, new and change of member paid, plan paid, stop-loss reimbursements, fees,
  premiums and employer cost (summary.json paths);
* ``by_line`` and ``by_member``: the same for each coverage line and each member (members and lines
  with no change are left out);
* ``claims_changed``: how many claim lines changed status, member paid or plan paid.

Money is exact: deltas are ``new - old`` Decimals, shown as two-decimal strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs

from aso_rules.language import ast
from aso_rules.language.format import line_text
from aso_rules.money import ZERO, Money, format_money
from aso_rules.settle import Settlement

# --------------------------------------------------------------------------- statements


@attrs.frozen
class Located:
    """One side of a statement change: its place in the file and its canonical text."""

    file: str
    line: int
    text: str
    node: Any = attrs.field(eq=False, repr=False)


@attrs.frozen
class StatementChange:
    change: str  # "added", "removed" or "changed"
    where: str  # e.g. 'coverage medical / deductible'
    old: Located | None
    new: Located | None

    def as_json(self) -> dict[str, Any]:
        def side(s: Located | None) -> dict[str, Any] | None:
            return None if s is None else {"file": s.file, "line": s.line, "text": s.text}

        return {"change": self.change, "where": self.where, "old": side(self.old), "new": side(self.new)}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _item_key(item: Any) -> str:
    """What a block item is, independent of its value (two items with one key are the same rule)."""
    match item:
        case ast.Copay():
            return "copay " + ", ".join(e.category for e in item.entries)
        case ast.CoveredInFull():
            return "covered in full " + ", ".join(item.categories)
        case ast.Limit():
            return f"limit {item.category}"
        case ast.Exclude():
            return "exclude " + ", ".join(item.categories)
        case ast.Shares():
            return f"shares {item.accumulator}"
        case ast.DentalClass():
            return f"class {item.name}"
        case ast.Flag():
            return item.name
        case ast.Setting():
            return item.key
        case ast.CodePrice():
            return f'code "{item.code}"'
        case ast.CategoryPrice():
            return f"category {item.category}"
        case ast.NetworkPricing():
            return item.network
        case ast.Laser():
            return f'laser "{item.member}"'
        case ast.Fee():
            return item.name
        case ast.PlanPays():
            return "plan pays"
        case _:
            return _snake(type(item).__name__)


def _leaves(program: ast.Program) -> Iterator[tuple[str, Any]]:
    """(key, node) for every comparable statement of the program."""
    for _, s in program.statements():
        match s:
            case ast.Ruleset():
                yield "ruleset", s.name
                for header in s.items:
                    yield f"ruleset / {_item_key(header)}", header
            case ast.Let():
                yield f"let {s.name}", s
            case ast.Include():
                yield f'include "{s.path}"', s
            case ast.Coverage():
                for item in s.items:
                    if isinstance(item, ast.Network):
                        for inner in item.items:
                            yield f"coverage {s.line} / network {item.network} / {_item_key(inner)}", inner
                    else:
                        yield f"coverage {s.line} / {_item_key(item)}", item
            case ast.ExcludeCoverage():
                yield "exclude coverage " + ", ".join(s.lines), s
            case ast.FeeSchedule():
                for price in s.items:
                    yield f"fee_schedule {s.line} / {_item_key(price)}", price
            case ast.StopLossSpecific():
                for term in s.items:
                    yield f'stop_loss specific "{s.name}" / {_item_key(term)}', term
            case ast.StopLossAggregate():
                for agg_item in s.items:
                    yield f'stop_loss aggregate "{s.name}" / {_item_key(agg_item)}', agg_item
            case ast.AdminFees():
                for fee in s.fees:
                    yield f"admin_fees / {fee.name}", fee
            case ast.Assumptions():
                for assumption in s.items:
                    yield f"assumptions / {_item_key(assumption)}", assumption
            case ast.Test():
                yield f'test "{s.name}"', s


def _located(node: Any, program: ast.Program) -> Located:
    if isinstance(node, str):  # the ruleset's name
        span = program.root.statements[0].span if program.root.statements else ast.NO_SPAN
        for _, s in program.statements():
            if isinstance(s, ast.Ruleset):
                span = s.span
        return Located(span.file, span.line, f'ruleset "{node}"', node)
    text = f'test "{node.name}" ({len(node.items)} items)' if isinstance(node, ast.Test) else line_text(node)
    return Located(node.span.file, node.span.line, text, node)


def _keyed(program: ast.Program) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, node in _leaves(program):
        unique, n = key, 2
        while unique in out:
            unique, n = f"{key} #{n}", n + 1
        out[unique] = node
    return out


def statement_changes(old: ast.Program, new: ast.Program) -> list[StatementChange]:
    """Statements removed, changed and added between two programs (old order, then new additions)."""
    before, after = _keyed(old), _keyed(new)
    out: list[StatementChange] = []
    for key, node in before.items():
        if key not in after:
            out.append(StatementChange("removed", key, _located(node, old), None))
        elif after[key] != node:
            out.append(StatementChange("changed", key, _located(node, old), _located(after[key], new)))
    for key, node in after.items():
        if key not in before:
            out.append(StatementChange("added", key, None, _located(node, new)))
    return out


# --------------------------------------------------------------------------- money


def _money(value: Any) -> Money:
    return ZERO if value is None else Decimal(str(value))


def _change(old: Money, new: Money) -> dict[str, str]:
    return {"old": format_money(old), "new": format_money(new), "change": format_money(new - old)}


def _summary_figures(s: dict[str, Any]) -> dict[str, Money]:
    """The summary.json figures an amendment can move, by dotted path."""
    out: dict[str, Money] = {}
    for key in ("billed", "allowed", "member_paid", "plan_paid"):
        out[f"totals.{key}"] = _money(s["totals"][key])
    specific_total = ZERO
    for tier in s["specific_stop_loss"]:
        out[f"specific_stop_loss.{tier['name']}.reimbursed"] = _money(tier["reimbursed"])
        specific_total += _money(tier["reimbursed"])
    out["specific_stop_loss.total"] = specific_total
    agg = s["aggregate_stop_loss"]
    out["aggregate_stop_loss.attachment_point"] = _money(agg["attachment_point"] if agg else None)
    out["aggregate_stop_loss.reimbursed"] = _money(agg["reimbursed"] if agg else None)
    for name, value in s["fees"].items():
        out[f"fees.{name}"] = _money(value)
    for key in ("specific", "aggregate", "total"):
        out[f"stop_loss_premium.{key}"] = _money(s["stop_loss_premium"][key])
    for key in ("claims", "specific_reimbursed", "aggregate_reimbursed", "fixed_costs", "total"):
        out[f"employer_cost.{key}"] = _money(s["employer_cost"][key])
    return out


def _per_member(settlement: Settlement) -> dict[str, dict[str, Money]]:
    out: dict[str, dict[str, Money]] = {}
    for r, share in zip(settlement.lines, settlement.specific_shares, strict=True):
        row = out.setdefault(
            r.claim.member_id, {"member_paid": ZERO, "plan_paid": ZERO, "specific_reimbursed": ZERO}
        )
        row["member_paid"] += r.member_paid
        row["plan_paid"] += r.plan_paid
        row["specific_reimbursed"] += share
    return out


def _per_line(s: dict[str, Any]) -> dict[str, dict[str, Money]]:
    return {
        line: {k: _money(v[k]) for k in ("allowed", "member_paid", "plan_paid")}
        for line, v in s["by_line"].items()
    }


def _table_changes(old: dict[str, dict[str, Money]], new: dict[str, dict[str, Money]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in dict.fromkeys([*old, *new]):
        o, n = old.get(key, {}), new.get(key, {})
        fields = dict.fromkeys([*o, *n])
        if all(o.get(f, ZERO) == n.get(f, ZERO) for f in fields):
            continue
        out[key] = {f: _change(o.get(f, ZERO), n.get(f, ZERO)) for f in fields}
    return out


def _claims_changed(old: Settlement, new: Settlement) -> int:
    before = {r.claim.claim_id: (r.status, r.member_paid, r.plan_paid) for r in old.lines}
    return sum(1 for r in new.lines if before.get(r.claim.claim_id) != (r.status, r.member_paid, r.plan_paid))


def money_changes(old: Settlement, new: Settlement) -> dict[str, Any]:
    """``totals``, ``by_line``, ``by_member`` and ``claims_changed`` between two settlements of the
    same claims (members ordered by the size of their plan-paid change, then id)."""
    figures_old, figures_new = _summary_figures(old.summary), _summary_figures(new.summary)
    keys = dict.fromkeys([*figures_old, *figures_new])
    totals = {k: _change(figures_old.get(k, ZERO), figures_new.get(k, ZERO)) for k in keys}
    members = _table_changes(_per_member(old), _per_member(new))
    ordered = sorted(members.items(), key=lambda kv: (-abs(Decimal(kv[1]["plan_paid"]["change"])), kv[0]))
    return {
        "totals": totals,
        "by_line": _table_changes(_per_line(old.summary), _per_line(new.summary)),
        "by_member": dict(ordered),
        "claims_changed": _claims_changed(old, new),
    }


def diff_report(
    old_program: ast.Program,
    new_program: ast.Program,
    old: Settlement,
    new: Settlement,
) -> dict[str, Any]:
    """The JSON form of ``aso diff`` (see the module docstring)."""
    return {
        "old": {"file": old_program.root.path, "ruleset": old.summary["ruleset"]},
        "new": {"file": new_program.root.path, "ruleset": new.summary["ruleset"]},
        "statements": [c.as_json() for c in statement_changes(old_program, new_program)],
        **money_changes(old, new),
    }


def no_change(report: dict[str, Any]) -> bool:
    """True when neither the text nor any dollar figure changed."""
    return (
        not report["statements"]
        and all(Decimal(v["change"]) == 0 for v in report["totals"].values())
        and not report["by_line"]
        and not report["by_member"]
        and report["claims_changed"] == 0
    )


MEMBERS_SHOWN = 20

_HEADLINE = (
    ("totals.member_paid", "member paid"),
    ("totals.plan_paid", "plan paid"),
    ("specific_stop_loss.total", "specific stop-loss reimbursed"),
    ("aggregate_stop_loss.reimbursed", "aggregate stop-loss reimbursed"),
    ("employer_cost.fixed_costs", "fees and premiums"),
    ("employer_cost.total", "employer cost"),
)


def _signed(text: str) -> str:
    return text if text.startswith("-") else "+" + text


def render_diff_text(report: dict[str, Any]) -> str:
    """The text report: statements, headline figures, every moved figure, lines and members."""
    out = [f"{report['old']['file']} -> {report['new']['file']}"]
    changes = report["statements"]
    out.append(f"statements: {len(changes)} changed" if changes else "statements: no change")
    for c in changes:
        if c["change"] == "changed":
            out.append(f"  changed  {c['where']}")
            out.append(f"    - {c['old']['file']}:{c['old']['line']}  {c['old']['text']}")
            out.append(f"    + {c['new']['file']}:{c['new']['line']}  {c['new']['text']}")
        elif c["change"] == "removed":
            out.append(f"  removed  {c['where']}")
            out.append(f"    - {c['old']['file']}:{c['old']['line']}  {c['old']['text']}")
        else:
            out.append(f"  added    {c['where']}")
            out.append(f"    + {c['new']['file']}:{c['new']['line']}  {c['new']['text']}")
    out.append("")
    width = 32
    out.append(f"{'':<{width}}{'old':>16}{'new':>16}{'change':>16}")
    totals = report["totals"]
    for key, label in _HEADLINE:
        v = totals[key]
        out.append(f"{label:<{width}}{v['old']:>16}{v['new']:>16}{_signed(v['change']):>16}")
    moved = [(k, v) for k, v in totals.items() if Decimal(v["change"]) != 0 and k not in dict(_HEADLINE)]
    if moved:
        out.append("")
        out.append("other figures that moved (summary.json):")
        for key, v in moved:
            out.append(f"  {key:<{width + 8}}{v['old']:>16}{v['new']:>16}{_signed(v['change']):>16}")
    if report["by_line"]:
        out.append("")
        out.append("by line:")
        for line, v in report["by_line"].items():
            parts = ", ".join(
                f"{f} {_signed(x['change'])}" for f, x in v.items() if Decimal(x["change"]) != 0
            )
            out.append(f"  {line}: {parts}")
    members = report["by_member"]
    out.append("")
    out.append(f"claim lines changed: {report['claims_changed']}; members affected: {len(members)}")
    for member, v in list(members.items())[:MEMBERS_SHOWN]:
        parts = ", ".join(f"{f} {_signed(x['change'])}" for f, x in v.items() if Decimal(x["change"]) != 0)
        out.append(f"  {member}: {parts}")
    if len(members) > MEMBERS_SHOWN:
        out.append(f"  ... and {len(members) - MEMBERS_SHOWN} more (--format json lists all)")
    return "\n".join(out) + "\n"
