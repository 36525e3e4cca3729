"""Reading and validating enrollment at column speed, with the reference reader's exact rejects
(``readers.read_enrollment``): the fast checks of ``convert``, then the reference reader's row
function on every row they do not clear. On exit: ``FastEnrollment``: the accepted members as
``MemberColumns`` and their ``MemberRecord``s, built on first access (``LazyMembers``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules.data.fields import RowError, clean
from aso_rules.data.readers import (
    ClaimsInput,
    _require_columns,
)
from aso_rules.data.records import MemberRecord, Reject
from aso_rules.data.source import (
    InputError,
    TextTable,
    bad_rows,
    with_lines,
)
from aso_rules.model import Ruleset
from aso_rules.money import to_cents
from aso_rules.settle.vector.batches import ColumnInput
from aso_rules.settle.vector.columns import (
    NODAY,
    NONE,
    MemberColumns,
    day_number,
)
from aso_rules.settle.vector.convert import (
    WHITESPACE,
    as_text,
    choice,
    date_column,
    duplicates,
    has_nul,
    money_column,
    row_texts,
    text_codes,
    valid,
)

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class FastEnrollment:
    members: MemberColumns
    records: Mapping[str, MemberRecord]  # built on access (``LazyMembers``)
    rejects: tuple[Reject, ...]
    received: int


class LazyMembers(Mapping[str, MemberRecord]):
    """Member records built from columns on first access (most runs never need one)."""

    def __init__(self, members: MemberColumns, birth: I64, sex: Sequence[str | None]) -> None:
        self._m = members
        self._birth = birth
        self._sex = sex
        self._cache: dict[str, MemberRecord] = {}

    def __getitem__(self, key: str) -> MemberRecord:
        rec = self._cache.get(key)
        if rec is None:
            k = self._m.index[key]
            rec = self._cache[key] = self._record(k)
        return rec

    def _record(self, k: int) -> MemberRecord:
        from aso_rules.money import from_cents
        from aso_rules.settle.vector.columns import OPEN, day_date

        m = self._m
        end = int(m.end[k])
        birth = int(self._birth[k])
        return MemberRecord(
            member_id=m.ids[k],
            family_id=m.family_names[int(m.family[k])],
            relationship=m.relationships[k] if m.relationships is not None else "employee",
            tier=m.tier_names[int(m.tier[k])],
            coverage_start=day_date(int(m.start[k])),
            coverage_end=None if end == OPEN else day_date(end),
            birth_date=None if birth == NODAY else day_date(birth),
            sex=self._sex[k],
            annual_salary=None if m.annual[k] < 0 else from_cents(int(m.annual[k])),
            weekly_earnings=None if m.weekly[k] < 0 else from_cents(int(m.weekly[k])),
        )

    def __iter__(self) -> Any:
        return iter(self._m.ids)

    def __len__(self) -> int:
        return self._m.n


def read_enrollment_fast(source: Any, ruleset: Ruleset) -> FastEnrollment:
    """Read and validate enrollment rows like ``readers.read_enrollment``, at column speed."""
    from aso_rules.data.readers import (
        ENROLLMENT_OPTIONAL,
        ENROLLMENT_REQUIRED,
        RELATIONSHIPS,
        EnrollmentInput,
        _member,
    )
    from aso_rules.settle.vector.columns import OPEN

    if isinstance(source, EnrollmentInput | ClaimsInput):
        raise InputError("enrollment: already validated input given where a table was expected")
    data = ColumnInput(source)
    names = data.names
    _require_columns(
        TextTable(names=names, columns={n: [] for n in names}, rows=data.rows),
        ENROLLMENT_REQUIRED,
        "enrollment",
    )
    n = data.rows
    col = data.column

    fast = np.ones(n, dtype=np.bool_)
    ids = pc.utf8_trim(as_text(col("member_id")), WHITESPACE)
    present = valid(ids) & np.asarray(pc.not_equal(ids, "").fill_null(False), dtype=np.bool_)
    fast &= present & ~has_nul(ids)
    dup, first, _ = duplicates(ids, present)
    fast &= ~dup
    fam_codes, fam_names = text_codes(col("family_id"))
    fast &= fam_codes >= 0
    rel_codes, rel_names = text_codes(col("relationship"))
    relationship, ok = choice(rel_codes, rel_names, RELATIONSHIPS, -2)
    fast &= ok & (relationship >= 0)
    tier_codes, tier_names = text_codes(col("tier"))
    fast &= tier_codes >= 0
    tiers = ruleset.tier_codes
    if tiers:
        known = np.array([v in tiers for v in tier_names] or [False], dtype=np.bool_)
        fast &= known[np.maximum(tier_codes, 0)]
    start, start_present, ok = date_column(col("coverage_start"))
    fast &= ok & start_present
    end, end_present, ok = date_column(col("coverage_end"))
    fast &= ok & (~end_present | (end >= start))
    birth, birth_present, ok = date_column(col("birth_date"))
    fast &= ok
    salary, salary_present, ok = money_column(col("annual_salary"))
    fast &= ok & (~salary_present | (salary >= 0))
    weekly, weekly_present, ok = money_column(col("weekly_earnings"))
    fast &= ok & (~weekly_present | (weekly >= 0))
    sex_text = pc.utf8_trim(as_text(col("sex")), WHITESPACE)
    fast &= ~has_nul(sex_text)
    fam_nul = np.array(["\x00" in v for v in fam_names] + [False], dtype=np.bool_)
    fast &= ~fam_nul[fam_codes]  # NONE (-1) reads the last entry

    slow = np.flatnonzero(~fast)
    rejects: list[Reject] = []
    slow_records: list[tuple[int, MemberRecord]] = []
    if len(slow):
        texts = row_texts(col, names, slow, ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL)
        first_row = dict(first)
        tier_set = frozenset(tiers)
        unreadable = bad_rows(data.table) if data.table is not None else {}
        for j, i in enumerate(slow.tolist()):
            row = i + 1
            values = [clean(texts[name][j]) for name in ENROLLMENT_REQUIRED + ENROLLMENT_OPTIONAL]
            raw_id = values[0] or ""
            if i in unreadable:
                rejects.append(Reject(row=row, claim_id="", reason=unreadable[i]))
                continue
            try:
                slow_records.append((i, _member(*values, row=row, tiers=tier_set, first_row=first_row)))
            except RowError as err:
                rejects.append(Reject(row=row, claim_id=raw_id, reason=err.reason))
    keep = fast.copy()
    for i, _ in slow_records:
        keep[i] = True
    idx = np.flatnonzero(keep)
    id_list = ids.take(pa.array(idx)).to_pylist()
    family_list: list[str] = [fam_names[c] if c >= 0 else "" for c in fam_codes[idx].tolist()]
    tier_list = [tier_names[c] if c >= 0 else "" for c in tier_codes[idx].tolist()]
    rel_list = [RELATIONSHIPS[c] if c >= 0 else "employee" for c in relationship[idx].tolist()]
    sex_list = [clean(v) for v in sex_text.take(pa.array(idx)).to_pylist()]
    start_k = start[idx]
    end_k = np.where(end_present, end, OPEN)[idx]
    birth_k = np.where(birth_present, birth, NODAY)[idx]
    annual_k = np.where(salary_present, salary, NONE)[idx]
    weekly_k = np.where(weekly_present, weekly, NONE)[idx]
    if slow_records:
        pos = {int(i): k for k, i in enumerate(idx.tolist())}
        for i, rec in slow_records:
            k = pos[i]
            id_list[k] = rec.member_id
            family_list[k] = rec.family_id
            tier_list[k] = rec.tier
            rel_list[k] = rec.relationship
            sex_list[k] = rec.sex
            start_k[k] = day_number(rec.coverage_start)
            end_k[k] = OPEN if rec.coverage_end is None else day_number(rec.coverage_end)
            birth_k[k] = day_number(rec.birth_date)
            annual_k[k] = NONE if rec.annual_salary is None else to_cents(rec.annual_salary)
            weekly_k[k] = NONE if rec.weekly_earnings is None else to_cents(rec.weekly_earnings)
    tier_table = {t: k for k, t in enumerate(tiers)}
    for t in tier_list:
        tier_table.setdefault(t, len(tier_table))
    fam_table: dict[str, int] = {}
    fam_idx = np.fromiter(
        (fam_table.setdefault(f, len(fam_table)) for f in family_list), dtype=np.int64, count=len(family_list)
    )
    members = MemberColumns(
        ids=tuple(id_list),
        index={v: k for k, v in enumerate(id_list)},
        family=fam_idx,
        family_names=tuple(fam_table),
        tier=np.fromiter((tier_table[t] for t in tier_list), dtype=np.int64, count=len(tier_list)),
        tier_names=tuple(tier_table),
        is_employee=np.array([a == b for a, b in zip(id_list, family_list, strict=True)], dtype=np.bool_),
        start=start_k.astype(np.int64),
        end=end_k.astype(np.int64),
        annual=annual_k.astype(np.int64),
        weekly=weekly_k.astype(np.int64),
        relationships=tuple(rel_list),
    )
    return FastEnrollment(
        members=members,
        records=LazyMembers(members, birth_k.astype(np.int64), sex_list),
        rejects=with_lines(sorted(rejects, key=lambda r: r.row), source),
        received=n,
    )
