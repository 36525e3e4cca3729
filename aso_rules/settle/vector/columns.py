"""Claims and members as integer columns: the vector engine's input form.

On entry: validated records (``ClaimRecord``/``MemberRecord``, the test runner's and the worked
examples' path) or the columns the fast reader (``vector.reader``) built from Arrow. On exit:
``ClaimColumns`` and ``MemberColumns``: one numpy integer entry per line or member, in input order
(int64 from records; the fast reader narrows codes, days, row numbers and ranks to int32 or int8,
and keeps cents, units and absence days int64: arithmetic on them casts to int64 first).
Money is integer cents, dates are days since 1970-01-01, text is an index into a tuple of names,
and every absent value is a negative sentinel (``NONE`` for amounts and indices, ``NODAY`` for dates,
``OPEN`` for an open coverage end). ``cid_rank`` orders claim ids exactly as Python compares ``str``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.money import from_cents, to_cents

I64 = npt.NDArray[np.int64]

NONE = -1
NODAY = -(1 << 40)
OPEN = 1 << 40
EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
NETWORKS = ("in", "out")
CAUSES = (None, "illness", "accident")


def day_number(d: date | None) -> int:
    return NODAY if d is None else d.toordinal() - _EPOCH_ORDINAL


def day_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


@attrs.frozen(eq=False)
class MemberColumns:
    """Enrolled members, indexed 0..n-1 (``index`` maps member id to position)."""

    ids: tuple[str, ...]
    index: Mapping[str, int]
    family: I64  # index into ``family_names``
    family_names: tuple[str, ...]
    tier: I64  # index into ``tier_names``
    tier_names: tuple[str, ...]
    is_employee: npt.NDArray[np.bool_]  # member_id == family_id
    start: I64
    end: I64  # OPEN when open
    annual: I64  # NONE when absent
    weekly: I64  # NONE when absent
    records: tuple[MemberRecord, ...] | None = None  # kept when built from records
    relationships: tuple[str, ...] | None = None

    @property
    def n(self) -> int:
        return len(self.ids)


@attrs.frozen(eq=False)
class ClaimColumns:
    """Accepted claim lines in input order (``row`` is the 1-based input row)."""

    row: I64
    claim_id: pa.Array  # string
    cid_rank: I64
    member: I64  # index into the members, NONE when not enrolled
    member_id: pa.Array  # string (for messages)
    family: I64  # the claim's family, index into ``family_names`` (the members' names first)
    family_names: tuple[str, ...]
    line: I64
    line_names: tuple[str, ...]
    network: I64  # 0 in, 1 out
    category: I64
    category_names: tuple[str, ...]
    incurred: I64
    paid: I64
    billed: I64
    allowed: I64  # NONE: to be priced by the fee schedule
    code: I64  # index into ``code_names``, NONE when absent
    code_names: tuple[str, ...]
    units: I64
    weekly: I64
    absence_start: I64
    absence_end: I64
    cause: I64  # index into CAUSES
    records: tuple[ClaimRecord, ...] | None = None  # kept when built from records

    @property
    def n(self) -> int:
        return len(self.row)

    def slice(self, lo: int, hi: int) -> ClaimColumns:
        """Lines ``lo:hi`` (views, no copies)."""
        out: dict[str, Any] = {}
        for field in attrs.fields(ClaimColumns):
            value = getattr(self, field.name)
            sliceable = isinstance(value, np.ndarray | pa.Array)
            if sliceable or (field.name == "records" and value is not None):
                value = value[lo:hi]
            out[field.name] = value
        return ClaimColumns(**out)

    def record(self, i: int, extra: Mapping[str, Any] | None = None) -> ClaimRecord:
        """Line ``i`` as a ``ClaimRecord`` (for the reference fallback and explanations)."""
        if self.records is not None:
            return self.records[i]

        def opt_money(v: int) -> Any:
            return None if v < 0 else from_cents(int(v))

        def opt_day(v: int) -> date | None:
            return None if v == NODAY else day_date(v)

        code = int(self.code[i])
        return ClaimRecord(
            row=int(self.row[i]),
            claim_id=str(self.claim_id[i].as_py()),
            member_id=str(self.member_id[i].as_py()),
            family_id=self.family_names[int(self.family[i])],
            line=self.line_names[int(self.line[i])],
            category=self.category_names[int(self.category[i])],
            incurred=day_date(int(self.incurred[i])),
            paid=day_date(int(self.paid[i])),
            billed=from_cents(int(self.billed[i])),
            network=NETWORKS[int(self.network[i])],
            code=None if code < 0 else self.code_names[code],
            units=int(self.units[i]),
            allowed=opt_money(int(self.allowed[i])),
            weekly_earnings=opt_money(int(self.weekly[i])),
            absence_start=opt_day(int(self.absence_start[i])),
            absence_end=opt_day(int(self.absence_end[i])),
            cause=CAUSES[int(self.cause[i])],
            extra=extra or {},
        )


def codes_of(values: Sequence[str]) -> tuple[I64, tuple[str, ...]]:
    """Dictionary codes (first-seen order) and the names."""
    table: dict[str, int] = {}
    codes = np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int64, count=len(values))
    return codes, tuple(table)


def str_rank(values: Sequence[str]) -> I64:
    """Rank of each string in Python ``str`` order (equal strings share a rank)."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    uniq = sorted(set(values))
    pos = {v: k for k, v in enumerate(uniq)}
    return np.fromiter((pos[v] for v in values), dtype=np.int64, count=len(values))


def members_from_records(members: Sequence[MemberRecord], tier_names: Sequence[str]) -> MemberColumns:
    """Member columns from validated records (any order; ids unique)."""
    tiers = {t: k for k, t in enumerate(tier_names)}
    extra_tiers = [m.tier for m in members if m.tier not in tiers]
    for t in extra_tiers:
        tiers.setdefault(t, len(tiers))
    families, family_names = codes_of([m.family_id for m in members])
    return MemberColumns(
        ids=tuple(m.member_id for m in members),
        index={m.member_id: k for k, m in enumerate(members)},
        family=families,
        family_names=family_names,
        tier=np.array([tiers[m.tier] for m in members], dtype=np.int64),
        tier_names=tuple(tiers),
        is_employee=np.array([m.member_id == m.family_id for m in members], dtype=np.bool_),
        start=np.array([day_number(m.coverage_start) for m in members], dtype=np.int64),
        end=np.array(
            [OPEN if m.coverage_end is None else day_number(m.coverage_end) for m in members], dtype=np.int64
        ),
        annual=np.array(
            [NONE if m.annual_salary is None else to_cents(m.annual_salary) for m in members], dtype=np.int64
        ),
        weekly=np.array(
            [NONE if m.weekly_earnings is None else to_cents(m.weekly_earnings) for m in members],
            dtype=np.int64,
        ),
        records=tuple(members),
    )


def claims_from_records(claims: Sequence[ClaimRecord], members: MemberColumns) -> ClaimColumns:
    """Claim columns from validated records, in the given order."""
    fam_index = {name: k for k, name in enumerate(members.family_names)}
    fam_names = list(members.family_names)
    fam_codes = []
    for c in claims:
        k = fam_index.get(c.family_id)
        if k is None:
            k = fam_index[c.family_id] = len(fam_names)
            fam_names.append(c.family_id)
        fam_codes.append(k)
    lines, line_names = codes_of([c.line for c in claims])
    cats, cat_names = codes_of([c.category for c in claims])
    code_table: dict[str, int] = {}
    codes = [NONE if c.code is None else code_table.setdefault(c.code, len(code_table)) for c in claims]

    def money_col(values: Sequence[Any]) -> I64:
        return np.array([NONE if v is None else to_cents(v) for v in values], dtype=np.int64)

    def day_col(values: Sequence[date | None]) -> I64:
        return np.array([day_number(v) for v in values], dtype=np.int64)

    n = len(claims)
    return ClaimColumns(
        row=np.array([c.row for c in claims], dtype=np.int64),
        claim_id=pa.array([c.claim_id for c in claims], type=pa.string()),
        cid_rank=str_rank([c.claim_id for c in claims]),
        member=np.array([members.index.get(c.member_id, NONE) for c in claims], dtype=np.int64),
        member_id=pa.array([c.member_id for c in claims], type=pa.string()),
        family=np.array(fam_codes, dtype=np.int64).reshape(n),
        family_names=tuple(fam_names),
        line=lines,
        line_names=line_names,
        network=np.array([NETWORKS.index(c.network) for c in claims], dtype=np.int64),
        category=cats,
        category_names=cat_names,
        incurred=day_col([c.incurred for c in claims]),
        paid=day_col([c.paid for c in claims]),
        billed=money_col([c.billed for c in claims]),
        allowed=money_col([c.allowed for c in claims]),
        code=np.array(codes, dtype=np.int64).reshape(n),
        code_names=tuple(code_table),
        units=np.array([c.units for c in claims], dtype=np.int64),
        weekly=money_col([c.weekly_earnings for c in claims]),
        absence_start=day_col([c.absence_start for c in claims]),
        absence_end=day_col([c.absence_end for c in claims]),
        cause=np.array([CAUSES.index(c.cause) for c in claims], dtype=np.int64),
        records=tuple(claims),
    )
