"""Vectorised adjudication: DOMAIN.md 3-5 over integer columns, equal to the reference engine.

On entry: ``ClaimColumns`` and ``MemberColumns`` (``columns.py``) and the compiled ``Ruleset``.
On exit: ``Adjudicated``: per line (input order) the status, reason, allowed, copay, deductible,
coinsurance, over-maximum and plan paid in cents, and the processing order.

The stages that do not depend on accumulators run as numpy expressions over all lines, in the
reference engine's order so that the first failing check gives the reason: excluded line ->
enrolment -> eligibility on the incurred date -> disability benefit (STD) -> repricing -> excluded
category -> unpriced -> dental class and waiting period. The lines left go through the compiled loop
(``kernels.adjudicate``) in processing order: visit limits, dollar maximums, cost sharing,
maximums on plan payments and the accumulators. Families with a line the loop does not cover
(``plan.TermTable`` ``fallback``: LTD, unusual step orders, many limits) are settled by the
reference engine, family by family, and counted in ``fallback_lines``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import attrs
import numpy as np
import numpy.typing as npt

from aso_rules.data.records import MemberRecord
from aso_rules.model import Ruleset
from aso_rules.money import to_cents
from aso_rules.settle.adjudicate import individual_tiers
from aso_rules.settle.order import add_months
from aso_rules.settle.results import LineResult
from aso_rules.settle.vector import kernels
from aso_rules.settle.vector.columns import (
    NETWORKS,
    NODAY,
    NONE,
    ClaimColumns,
    MemberColumns,
    day_date,
)
from aso_rules.settle.vector.plan import COST, DENTAL, DENY, LTD, STD, TermTable, build_terms, fraction

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# special (formatted) reasons; static reasons are indices >= 0 into TermTable.reasons
ACTIVE = -100
R_NOT_ENROLLED = -2
R_NOT_COVERED = -3
R_UNPRICED = -4
R_WAITING = -5
R_NO_EARNINGS = -6
R_DIS_DATES = -7
R_FALLBACK = -8  # the reason text is in ``Adjudicated.fallback_reasons``
DIS_DATES_TEXT = "incomplete: a disability claim needs absence_start and absence_end (end on or after start)"


@attrs.frozen(eq=False)
class Adjudicated:
    """Adjudication results per line, in input order; ``order`` is the processing order."""

    order: I64
    status: npt.NDArray[np.int8]  # 0 paid, 1 denied
    reason: I64  # -1 none; >= 0 static reason; < -1 special (see ``reason_text``)
    allowed: I64
    copay: I64
    deductible: I64
    coinsurance: I64
    over_max: I64
    plan_paid: I64
    repriced: I64  # the repriced amount of a denied line that had one (noncovered basis), else NONE
    plan_year: I64
    fallback: B  # lines settled by the reference engine
    fallback_reasons: dict[int, str]
    terms: TermTable
    term: I64

    @property
    def fallback_lines(self) -> int:
        return int(self.fallback.sum())


def round_div(x: I64, num: int | I64, den: int | I64, half_even: bool) -> I64:
    """Vectorised ``kernels.round_div``: round(x * num / den) under the mode, exactly."""
    p = x * num
    neg = p < 0
    p = np.abs(p)
    q = p // den
    r2 = 2 * (p - q * den)
    up = r2 > den
    tie = r2 == den
    up |= tie & (q % 2 == 1) if half_even else tie
    q = q + up
    return np.where(neg, -q, q)


def plan_years(days: I64, start: date) -> I64:
    """The plan year (by its start year) of each day (DOMAIN.md 3.1)."""
    d = days.astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = d.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12 + 1
    dom = (d - month_start).astype(np.int64) + 1
    before = (month < start.month) | ((month == start.month) & (dom < start.day))
    out: I64 = years - before.astype(np.int64)
    return out


def add_months_days(days: I64, months: I64) -> I64:
    """``order.add_months`` over day numbers: whole calendar months, clamped to the month's end."""
    d = days.astype("datetime64[D]")
    month_start = d.astype("datetime64[M]")
    dom = (d - month_start).astype(np.int64)
    target = month_start + months.astype("timedelta64[M]")
    last = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    out: I64 = (target.astype("datetime64[D]").astype(np.int64) + np.minimum(dom, last - 1)).astype(np.int64)
    return out


def processing_order(ruleset: Ruleset, claims: ClaimColumns) -> I64:
    """Line indices in processing order: (paid or incurred, claim_id, row)."""
    first = claims.incurred if ruleset.settings.processing_order == "incurred" else claims.paid
    out: I64 = np.lexsort((claims.row, claims.cid_rank, first)).astype(np.int64)
    return out


def term_keys(claims: ClaimColumns) -> tuple[I64, list[tuple[str, str, str]]]:
    """Each line's (line, network, category) triple as an index into the distinct triples."""
    n_cat = max(len(claims.category_names), 1)
    combined = (claims.line * 2 + claims.network) * n_cat + claims.category
    uniq, inverse = np.unique(combined, return_inverse=True)
    keys = []
    for u in uniq.tolist():
        line_net, cat = divmod(int(u), n_cat)
        line, net = divmod(line_net, 2)
        keys.append((claims.line_names[line], NETWORKS[net], claims.category_names[cat]))
    return inverse.astype(np.int64).reshape(-1), keys


def adjudicate_columns(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    *,
    member_records: Mapping[str, MemberRecord] | None = None,
) -> Adjudicated:
    """Adjudicate every line (see the module docstring)."""
    settings = ruleset.settings
    half_even = settings.rounding == "half_even"
    n = claims.n
    term, keys = term_keys(claims)
    T = build_terms(ruleset, keys)
    kind = T["kind"][term]
    m = claims.member
    known = m >= 0
    mm = np.where(known, m, 0)
    has_members = members.n > 0

    def mcol(col: I64, default: int) -> I64:
        if not has_members:
            return np.full(n, default, dtype=np.int64)
        return np.where(known, col[mm], default)

    m_start = mcol(members.start, 0)
    m_end = mcol(members.end, 0)
    reason = np.full(n, ACTIVE, dtype=np.int64)
    status = np.zeros(n, dtype=np.int8)
    allowed = np.zeros(n, dtype=np.int64)
    plan = np.zeros(n, dtype=np.int64)
    repriced = np.full(n, NONE, dtype=np.int64)

    def decide(mask: B, code: I64 | int) -> None:
        """Deny the still-undecided lines of ``mask`` with ``code`` (earlier checks win)."""
        sel = mask & (reason == ACTIVE)
        reason[sel] = code if isinstance(code, int) else code[sel]
        status[sel] = 1

    # 1-3: excluded line, enrolment, eligibility on the incurred date
    decide(kind == DENY, T["deny_reason"][term])
    decide(~known, R_NOT_ENROLLED)
    decide((claims.incurred < m_start) | (claims.incurred > m_end), R_NOT_COVERED)

    # 4: STD benefit (the line stops here either way)
    std = (kind == STD) & (reason == ACTIVE)
    if std.any():
        _std(ruleset, claims, members, term, std, T, reason, status, allowed, plan, half_even)

    # 5: repricing
    price = _reprice(ruleset, claims, term, T, half_even)
    cost = ((kind == COST) | (kind == DENTAL)) & (reason == ACTIVE)
    excl = T["exclusion_reason"][term]
    sel = cost & (excl >= 0)
    repriced[sel] = price[sel]
    decide(sel, excl)
    unpriced = cost & (price < 0)
    static_unpriced = T["unpriced_reason"][term]
    decide(unpriced & (static_unpriced >= 0), static_unpriced)
    decide(unpriced, R_UNPRICED)
    # 8: dental class and waiting period
    dental = (kind == DENTAL) & (reason == ACTIVE)
    cls_reason = T["class_reason"][term]
    sel = dental & (cls_reason >= 0)
    repriced[sel] = price[sel]
    decide(sel, cls_reason)
    waiting = T["waiting_months"][term]
    wsel = dental & (waiting > 0) & (reason == ACTIVE)
    if wsel.any():
        ends = add_months_days(m_start, np.maximum(waiting, 0))
        sel = wsel & (claims.incurred < ends)
        repriced[sel] = price[sel]
        decide(sel, R_WAITING)

    active = cost & (reason == ACTIVE)
    allowed[active] = price[active]
    years = plan_years(claims.incurred, ruleset.plan_year.start)
    y0 = int(years.min()) if n else 0
    period = years - y0
    n_periods = (int(period.max()) + 2) if n else 2

    fam_of_member = members.family if has_members else np.zeros(1, dtype=np.int64)
    acc_family = np.where(known, fam_of_member[mm] if has_members else 0, claims.family)
    individual = individual_tiers(ruleset)
    tier_is_family = np.array([t not in individual for t in members.tier_names], dtype=np.bool_)
    is_family = tier_is_family[members.tier[mm]] if has_members else np.zeros(n, dtype=np.bool_)

    order = processing_order(ruleset, claims)
    copay = np.zeros(n, dtype=np.int64)
    ded = np.zeros(n, dtype=np.int64)
    coins = np.zeros(n, dtype=np.int64)
    over = np.zeros(n, dtype=np.int64)
    # fallback: whole families with a line the loop does not cover
    needs_ref = (T["fallback"][term] == 1) & (reason == ACTIVE)
    if kind.size and (kind == LTD).any():
        needs_ref |= (kind == LTD) & (reason == ACTIVE)
    fallback = np.zeros(n, dtype=np.bool_)
    if needs_ref.any():
        families = np.unique(acc_family[needs_ref])
        fallback = np.isin(acc_family, families)
        active &= ~fallback
    out_reason = reason.copy()
    kernels.adjudicate(
        order,
        active,
        mm,
        acc_family,
        is_family,
        period,
        n_periods,
        term,
        allowed,
        T.matrix(),
        T.limit_tensor(),
        max(members.n, 1),
        max(len(claims.family_names), int(acc_family.max()) + 1 if n else 1),
        max(len(T.owners), 1),
        max(len(T.visit_keys), 1),
        max(len(T.dollar_keys), 1),
        half_even,
        settings.coinsurance_rounding_side == "plan",
        status,
        out_reason,
        copay,
        ded,
        coins,
        over,
        plan,
    )
    reason = out_reason
    # a line denied by a limit keeps its repriced amount (noncovered basis)
    limit_denied = active & (status == 1)
    repriced[limit_denied] = allowed[limit_denied]
    allowed[status == 1] = 0
    reason[(status == 0)] = -1
    fallback_reasons: dict[int, str] = {}
    if fallback.any():
        _fallback(ruleset, claims, members, fallback, member_records, fallback_reasons, status, reason,
                  allowed, copay, ded, coins, over, plan, repriced)
    return Adjudicated(
        order=order,
        status=status,
        reason=reason,
        allowed=allowed,
        copay=copay,
        deductible=ded,
        coinsurance=coins,
        over_max=over,
        plan_paid=plan,
        repriced=repriced,
        plan_year=years,
        fallback=fallback,
        fallback_reasons=fallback_reasons,
        terms=T,
        term=term,
    )


def _reprice(ruleset: Ruleset, claims: ClaimColumns, term: I64, T: TermTable, half_even: bool) -> I64:
    """Allowed amount per line (DOMAIN.md 3.2, ``reprice.reprice``); NONE when unpriced."""
    n = claims.n
    given = claims.allowed >= 0
    sched = T["schedule"][term]
    price = np.full(n, NONE, dtype=np.int64)
    schedules = list(ruleset.fee_schedules.values())
    found = np.zeros(n, dtype=np.bool_)
    if schedules and claims.code_names:
        table = np.full((len(schedules), len(claims.code_names)), NONE, dtype=np.int64)
        for s, schedule in enumerate(schedules):
            for c, name in enumerate(claims.code_names):
                if name in schedule.codes:
                    table[s, c] = to_cents(schedule.codes[name])
        has = (sched >= 0) & (claims.code >= 0)
        amount = np.full(n, NONE, dtype=np.int64)
        amount[has] = table[sched[has], claims.code[has]]
        found = amount >= 0
        price[found] = amount[found] * claims.units[found]
    cat = T["cat_price"][term]
    by_cat = ~found & (sched >= 0) & (cat >= 0)
    price[by_cat] = cat[by_cat] * claims.units[by_cat]
    found |= by_cat
    den = T["pct_den"][term]
    by_pct = ~found & (sched >= 0) & (den > 0)
    if by_pct.any():
        price[by_pct] = round_div(claims.billed[by_pct], T["pct_num"][term][by_pct], den[by_pct], half_even)
    found |= by_pct
    if ruleset.settings.lesser_of_billed:
        cut = found & (price > claims.billed)
        price[cut] = claims.billed[cut]
    price[given] = claims.allowed[given]
    return price


def _std(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    term: I64,
    std: B,
    T: TermTable,
    reason: I64,
    status: npt.NDArray[np.int8],
    allowed: I64,
    plan: I64,
    half_even: bool,
) -> None:
    """STD benefits (DOMAIN.md 5.1, ``disability.std_benefit``) of the selected lines."""
    idx = np.flatnonzero(std)
    start = claims.absence_start[idx]
    start = np.where(start == NODAY, claims.incurred[idx], start)
    end = claims.absence_end[idx]
    bad = (end == NODAY) | (end < start)
    m = claims.member[idx]
    claim_w = claims.weekly[idx]
    member_w = members.weekly[m]
    annual = members.annual[m]
    # ``claim.weekly_earnings or member.weekly_earnings``: a zero on the claim falls back
    w = np.where(claim_w > 0, claim_w, member_w)
    use_annual = (w < 0) & (annual >= 0)
    no_earnings = (w < 0) & (annual < 0)
    terms_of = term[idx]
    pct_num = np.zeros(len(idx), dtype=np.int64)
    pct_den = np.ones(len(idx), dtype=np.int64)
    maximum = np.full(len(idx), NONE, dtype=np.int64)
    ep_ill = np.zeros(len(idx), dtype=np.int64)
    ep_acc = np.zeros(len(idx), dtype=np.int64)
    cap = np.full(len(idx), NONE, dtype=np.int64)
    incl = np.zeros(len(idx), dtype=np.bool_)
    for k in np.unique(terms_of).tolist():
        dis = T.terms[k].disability
        assert dis is not None
        sel = terms_of == k
        pct_num[sel], pct_den[sel] = fraction(dis.pct)
        maximum[sel] = NONE if dis.maximum is None else to_cents(dis.maximum)
        ep_ill[sel] = dis.elimination_illness_days
        ep_acc[sel] = dis.elimination_accident_days
        cap[sel] = NONE if dis.duration_days is None else dis.duration_days
        incl[sel] = dis.max_includes_ep
    weekly = np.where(
        use_annual,
        round_div(np.maximum(annual, 0), pct_num, pct_den * 52, half_even),
        round_div(np.maximum(w, 0), pct_num, pct_den, half_even),
    )
    weekly = np.where((maximum >= 0) & (weekly > maximum), maximum, weekly)
    days = end - start + 1
    ep = np.where(claims.cause[idx] == 2, ep_acc, ep_ill)
    payable = np.where(
        cap < 0,
        np.maximum(0, days - ep),
        np.where(incl, np.maximum(0, np.minimum(days, cap) - ep), np.maximum(0, np.minimum(days - ep, cap))),
    )
    benefit = np.where(payable > 0, round_div(weekly * payable, 1, 7, half_even), 0)
    r = np.full(len(idx), -1, dtype=np.int64)
    r[no_earnings] = R_NO_EARNINGS
    r[bad] = R_DIS_DATES
    ok = r == -1
    reason[idx] = r
    status[idx] = np.where(ok, 0, 1).astype(np.int8)
    allowed[idx] = np.where(ok, benefit, 0)
    plan[idx] = np.where(ok, benefit, 0)


def _fallback(
    ruleset: Ruleset,
    claims: ClaimColumns,
    members: MemberColumns,
    fallback: B,
    member_records: Mapping[str, MemberRecord] | None,
    fallback_reasons: dict[int, str],
    status: npt.NDArray[np.int8],
    reason: I64,
    allowed: I64,
    copay: I64,
    ded: I64,
    coins: I64,
    over: I64,
    plan: I64,
    repriced: I64,
) -> None:
    """Settle the fallback families' lines with the reference engine and copy the results in."""
    from aso_rules.settle.adjudicate import adjudicate

    idx = np.flatnonzero(fallback)
    records = [claims.record(int(i)) for i in idx]
    by_row = {int(claims.row[i]): int(i) for i in idx}
    if member_records is None:
        member_records = _member_records(members)
    results: list[LineResult] = adjudicate(ruleset, member_records, records)
    for r in results:
        i = by_row[r.claim.row]
        status[i] = 0 if r.status == "paid" else 1
        if r.reason:
            reason[i] = R_FALLBACK
            fallback_reasons[i] = r.reason
        else:
            reason[i] = -1
        allowed[i] = to_cents(r.allowed)
        copay[i] = to_cents(r.copay)
        ded[i] = to_cents(r.deductible)
        coins[i] = to_cents(r.coinsurance)
        over[i] = to_cents(r.over_max)
        plan[i] = to_cents(r.plan_paid)
        if r.status != "paid" and ruleset.settings.noncovered_basis == "repriced":
            repriced[i] = to_cents(r.noncovered)


def _member_records(members: MemberColumns) -> dict[str, MemberRecord]:
    if members.records is not None:
        return {m.member_id: m for m in members.records}
    raise ValueError("member records are needed for the reference fallback")


def reason_text(
    adj: Adjudicated, claims: ClaimColumns, members: MemberColumns, ruleset: Ruleset, i: int
) -> str:
    """The denial reason of line ``i`` exactly as the reference engine words it ("" when paid)."""
    code = int(adj.reason[i])
    if code == -1:
        return ""
    if code >= 0:
        return adj.terms.reasons[code]
    if code == R_FALLBACK:
        return adj.fallback_reasons[i]
    member_id = str(claims.member_id[i].as_py())
    if code == R_NOT_ENROLLED:
        return f"not eligible: member {member_id} is not enrolled"
    if code == R_NOT_COVERED:
        return f"not eligible: member {member_id} not covered on {day_date(int(claims.incurred[i]))}"
    if code == R_DIS_DATES:
        return DIS_DATES_TEXT
    if code == R_NO_EARNINGS:
        return f"incomplete: no earnings for member {members.ids[int(claims.member[i])]}"
    t = adj.terms.terms[int(adj.term[i])]
    if code == R_UNPRICED:
        network = NETWORKS[int(claims.network[i])]
        c = int(claims.code[i])
        what = f"code {claims.code_names[c]}" if c >= 0 else f"category {claims.category_names[int(claims.category[i])]}"
        assert t.schedule is not None
        return f"unpriced: no {network}-network rate for {what} in fee schedule {t.schedule.line}"
    if code == R_WAITING:
        cls = t.dental_class
        assert cls is not None
        ends = add_months(day_date(int(members.start[int(claims.member[i])])), cls.waiting_months)
        return f"waiting period: class {cls.name} is covered from {ends}"
    raise AssertionError(f"unknown reason code {code}")
