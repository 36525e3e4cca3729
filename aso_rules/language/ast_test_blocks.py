"""The syntax tree of ``test`` blocks: test members and claims, and what they expect (see ``ast``)."""

from __future__ import annotations

from typing import TypeAlias

import attrs

from aso_rules.language.ast_values import NO_SPAN, Value
from aso_rules.language.diagnostics import Span


@attrs.frozen
class Option:
    """An optional ``KEY VALUE`` of a test member or claim, as written.

    Keys: relationship, from, to, salary, weekly_earnings (members); paid, billed, allowed, code,
    units, cause, weekly_earnings, ``network`` (value ``Name("in"|"out")``) and ``absence``
    (two values: start and end) (claims).
    """

    key: str
    values: tuple[Value, ...]
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TestMember:
    """``member "ID" family "FID" tier T [options]``."""

    __test__ = False  # not a pytest class

    member_id: str
    family_id: str
    tier: str
    options: tuple[Option, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class TestClaim:
    """``claim "ID" member "M" LINE CATEGORY incurred DATE [options]``."""

    __test__ = False

    claim_id: str
    member_id: str
    line: str
    category: str
    incurred: Value
    options: tuple[Option, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class FieldValue:
    field: str
    value: Value
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectClaim:
    """``expect "CLAIM" FIELD VALUE [FIELD VALUE ...] [within TOL]``."""

    claim_id: str
    fields: tuple[FieldValue, ...]
    within: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectSummary:
    """``expect summary employer_cost.total $X [within TOL]``."""

    path: tuple[str, ...]
    value: Value
    within: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectSpecific:
    """``expect specific "TIER" reimbursed $X [within TOL]``."""

    tier: str
    field: str
    value: Value
    within: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectAggregate:
    """``expect aggregate reimbursed|attachment_point|eligible_claims $X [within TOL]``."""

    field: str
    value: Value
    within: Value | None = None
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


@attrs.frozen
class ExpectDiagnostic:
    """``expect diagnostic W301``."""

    code: str
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)


TestItem: TypeAlias = (
    TestMember | TestClaim | ExpectClaim | ExpectSummary | ExpectSpecific | ExpectAggregate | ExpectDiagnostic
)


@attrs.frozen
class Test:
    """``test "NAME" { ... }``."""

    __test__ = False

    name: str
    items: tuple[TestItem, ...] = ()
    span: Span = attrs.field(eq=False, repr=False, default=NO_SPAN, kw_only=True)
