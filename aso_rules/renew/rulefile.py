"""The projection as a rule file: next year's ruleset with the renewal's expected claims.

On entry: the parsed root file of next year's ruleset (or this year's, moved on by one plan year
when no next ruleset is given) and the renewal's tier expected claims. On exit: the text of a rule
file in canonical layout whose ``assumptions`` state ``expected_claims`` as the renewal found them
(``tier_ratios`` removed: the amounts are already spread by tier) and whose plan year is next
year's, so that ``aso price`` on it prices the renewal. Included files and tables keep the paths
written in the source, relative to the folder the file is written to.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from aso_rules.language import ast
from aso_rules.language.format import format_file


def _next_year(day: ast.Value) -> ast.Value:
    if not isinstance(day, ast.Date) or day.to_date() is None:
        return day
    d = day.to_date()
    assert d is not None
    try:
        moved = d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        moved = d.replace(year=d.year + 1, day=28)
    return ast.Date(moved.year, moved.month, moved.day)


def _header(statement: ast.Ruleset, move: bool) -> ast.Ruleset:
    if not move:
        return statement
    items = tuple(
        ast.PlanYear(_next_year(i.start), _next_year(i.end), span=i.span)
        if isinstance(i, ast.PlanYear)
        else i
        for i in statement.items
    )
    return attrs.evolve(statement, items=items)


def projection_file(
    source: ast.RuleFile, expected: Mapping[str, Decimal], *, move_year: bool, name: str | None = None
) -> str:
    """The rule-file text of the projection (see the module docstring)."""
    table = ast.TierTable(tuple(ast.TierAmount(t, ast.Money(v)) for t, v in expected.items()), ("pepm",))
    claims = ast.ExpectedClaims(table)
    statements: list[ast.Statement] = []
    placed = False
    for s in source.statements:
        if isinstance(s, ast.Ruleset):
            s = _header(s, move_year)
            if name is not None:
                s = attrs.evolve(s, name=name)
        elif isinstance(s, ast.Assumptions):
            kept: list[ast.AssumptionItem] = []
            for item in s.items:
                if isinstance(item, ast.TierRatios):
                    continue
                if isinstance(item, ast.ExpectedClaims):
                    if not placed:
                        kept.append(attrs.evolve(claims, span=item.span))
                        placed = True
                    continue
                kept.append(item)
            if not placed:
                kept.insert(0, claims)
                placed = True
            s = attrs.evolve(s, items=tuple(kept))
        statements.append(s)
    if not placed:
        statements.append(ast.Assumptions((claims,)))
    return format_file(attrs.evolve(source, statements=tuple(statements)))
