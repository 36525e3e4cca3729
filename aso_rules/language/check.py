"""The checker: every semantic mistake of a parsed program, as diagnostics.

On entry: a ``Program`` built from rule files that parsed without syntax errors (names unresolved,
units unvalidated), and the tables the loader read for it (``language.tables``). On exit: a
``CheckedProgram``: the program, its tables and every ``Diagnostic`` it deserves (E2xx names and
types, E3xx values and consistency, W3xx warnings), sorted by file, line and column; nothing a
user writes makes this module raise. A ``CheckedProgram`` with no error-severity diagnostic is the
only thing ``compile.compile_program`` accepts.

The checks are a registry (``CHECKS``, an ordered tuple) of small pure functions
``check_xxx(ctx: Context) -> Iterator[Diagnostic]`` living in ``language/checks/`` (one module per
part of the language), each enforcing the rule named in its docstring. ``Context`` gathers, once,
what several checks need (tiers, constants, coverages, ...). Every code is listed in ``CODES``
(``language/codes.py``) and documented in docs/diagnostics.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs

from aso_rules.language import ast
from aso_rules.language.checks.base import (
    EHB_CATEGORIES,
    SETTINGS,
    Context,
    coverage_kind,
    resolve,
    resolve_value,
)
from aso_rules.language.checks.bounds import check_bounds, check_plan_year_length
from aso_rules.language.checks.coverage import (
    check_copays,
    check_cost_sharing,
    check_coverage_kinds,
    check_dental,
    check_disability,
    check_family_out_of_pocket_cap,
    check_fee_schedules,
    check_limits,
)
from aso_rules.language.checks.experience import check_experience
from aso_rules.language.checks.names import (
    check_duplicate_definitions,
    check_repeated_statements,
    check_test_tiers,
    check_tier_tables,
    check_unknown_constants,
    check_unknown_lines,
)
from aso_rules.language.checks.plausibility import (
    check_fee_plausibility,
    check_plausibility,
    check_pricing_plausibility,
)
from aso_rules.language.checks.pricing import (
    check_assumptions,
    check_claims_consistency,
    check_continuance_tables,
    check_fees,
)
from aso_rules.language.checks.program import check_header, check_money_cents, check_settings
from aso_rules.language.checks.stoploss import (
    check_aggregate_stop_loss,
    check_specific_stop_loss,
    check_specific_tiers,
    check_stop_loss_lines,
)
from aso_rules.language.checks.test_blocks import check_tests
from aso_rules.language.codes import CODES
from aso_rules.language.diagnostics import Diagnostic
from aso_rules.language.tables import Tables, read_tables, table_path

__all__ = [
    "CHECKS",
    "CODES",
    "EHB_CATEGORIES",
    "SETTINGS",
    "Check",
    "CheckedProgram",
    "Context",
    "check_program",
    "coverage_kind",
    "resolve",
    "resolve_value",
    "table_path",
]

Check = Callable[[Context], Iterator[Diagnostic]]

CHECKS: tuple[Check, ...] = (
    check_header,
    check_bounds,
    check_plan_year_length,
    check_settings,
    check_unknown_constants,
    check_duplicate_definitions,
    check_repeated_statements,
    check_tier_tables,
    check_test_tiers,
    check_unknown_lines,
    check_stop_loss_lines,
    check_coverage_kinds,
    check_cost_sharing,
    check_copays,
    check_family_out_of_pocket_cap,
    check_limits,
    check_plausibility,
    check_dental,
    check_disability,
    check_fee_schedules,
    check_specific_stop_loss,
    check_specific_tiers,
    check_aggregate_stop_loss,
    check_fees,
    check_fee_plausibility,
    check_assumptions,
    check_pricing_plausibility,
    check_continuance_tables,
    check_claims_consistency,
    check_experience,
    check_money_cents,
    check_tests,
)


_UNBOUNDED = frozenset({"E318"})
# checks that compile the program (W330 compares compiled assumptions): only on a program with no
# error so far, since a program with errors need not compile
_NEEDS_CLEAN = frozenset({check_claims_consistency})


@attrs.frozen
class CheckedProgram:
    """A program that has been checked: its tables (read once, by the loader) and its diagnostics,
    sorted by position (file, line, column) then code. Compile it only when ``has_errors`` is false."""

    program: ast.Program
    tables: Tables = attrs.field(repr=False)
    diagnostics: tuple[Diagnostic, ...]

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def check_program(program: ast.Program, tables: Tables | None = None) -> CheckedProgram:
    """Check ``program``; ``tables`` are the ones the loader read (read here when not given)."""
    if tables is None:
        tables = read_tables(program)
    ctx = Context.of(program, tables)
    found: list[Diagnostic] = []
    for check in CHECKS:
        if check in _NEEDS_CLEAN and any(d.is_error for d in found):
            continue
        found.extend(check(ctx))
        if check is check_plan_year_length and any(d.code in _UNBOUNDED for d in found):
            # values outside their range (E318) are not computed with: the checks below do
            # arithmetic on them (rounding, sums) that such values do not survive
            break
    unique = list(dict.fromkeys(found))
    ordered = sorted(unique, key=lambda d: (d.span.file, d.span.line, d.span.column, d.code))
    return CheckedProgram(program, tables, tuple(ordered))
