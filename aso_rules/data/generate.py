"""Seeded synthetic enrollment and claims for rulesets shaped like rulesets/acme-2026.aso.

On entry: a size, the plan year and a seed (the same arguments always give the same table). On exit:
a ``pyarrow.Table`` with DESIGN.md's columns (enrollment.csv / claims.csv), money as exact
``decimal128(18, 2)`` built from integer cents (never from floats), dates as ``date32``.

Enrollment: families by tier (EE/ES/EC/FAM) with spouses and children, mid-year hires and
terminations, birth dates, sex, salaries. Claims: medical (office visits, specialist, preventive,
outpatient, lab, imaging, emergency, inpatient per diem with ``units`` days, chiropractic, a few
cosmetic), rx (generic, preferred_brand, non_preferred, specialty), dental (preventive, basic,
major), std (absence dates, cause, lost earnings as billed); some in-network lines without ``allowed``
so the fee schedule prices them (codes ``99213``/``99214``, category ``inpatient``, percent of
billed), some out-of-network; incurred inside each member's coverage, paid after a lag that runs into
the next year; and a heavy tail: a few high-cost claimants above $150,000 of allowed charges, and in
large runs (200,000 lines or more) one above $1,000,000. Everything is vectorised with numpy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from aso_rules.model import PlanYear

IntArray = npt.NDArray[np.int64]
DayArray = npt.NDArray[Any]  # datetime64[D]

MONEY = pa.decimal128(18, 2)
TIERS = ("EE", "ES", "EC", "FAM")
TIER_SHARES = (0.45, 0.18, 0.14, 0.23)
LARGE_RUN = 200_000

# (line, category, share within the line, mean allowed in dollars, coefficient of variation)
MEDICAL = (
    ("office_visit", 0.28, 125.0, 0.30),
    ("specialist", 0.15, 240.0, 0.40),
    ("preventive", 0.10, 210.0, 0.35),
    ("outpatient", 0.14, 2400.0, 1.20),
    ("lab", 0.12, 90.0, 1.00),
    ("imaging", 0.05, 650.0, 1.00),
    ("emergency", 0.05, 2200.0, 0.90),
    ("inpatient", 0.02, 3300.0, 0.30),  # per day; units = days
    ("chiropractic", 0.085, 70.0, 0.20),
    ("cosmetic", 0.005, 3000.0, 0.80),
)
RX = (
    ("generic", 0.70, 18.0, 0.50),
    ("preferred_brand", 0.18, 350.0, 0.50),
    ("non_preferred", 0.08, 600.0, 0.50),
    ("specialty", 0.04, 5500.0, 0.80),
)
DENTAL = (
    ("preventive", 0.60, 170.0, 0.30),
    ("basic", 0.30, 380.0, 0.50),
    ("major", 0.10, 1400.0, 0.50),
)
LINES = ("medical", "rx", "dental", "std")
LINE_SHARES = (0.52, 0.36, 0.11, 0.01)
CATEGORY_NAMES = tuple(
    dict.fromkeys([c[0] for c in MEDICAL] + [c[0] for c in RX] + [c[0] for c in DENTAL] + ["disability"])
)
CLAIM_COLUMNS = (
    "claim_id", "member_id", "family_id", "line", "category", "incurred", "paid", "billed", "network",
    "code", "units", "allowed", "weekly_earnings", "absence_start", "absence_end", "cause",
)  # fmt: skip


# --------------------------------------------------------------------------- arrow helpers


def money_array(cents: IntArray, valid: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """Exact ``decimal128(18, 2)`` from integer cents (two's-complement 128-bit, no float on the way)."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    array = pa.Array.from_buffers(MONEY, len(cents), [None, pa.py_buffer(words)])
    if valid is not None and not valid.all():
        array = pc.if_else(pa.array(valid), array, pa.scalar(None, type=MONEY))
    return array


def _strings(values: Any, codes: npt.NDArray[np.integer[Any]]) -> pa.Array:
    return pa.array(list(values), type=pa.string()).take(pa.array(codes))


def _optional_strings(
    values: Any, codes: npt.NDArray[np.integer[Any]], valid: npt.NDArray[np.bool_]
) -> pa.Array:
    array = _strings(values, np.where(valid, codes, 0))
    return pc.if_else(pa.array(valid), array, pa.scalar(None, type=pa.string()))


def _dates(days: DayArray, valid: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    array = pa.array(days.astype("datetime64[D]"))
    if valid is not None and not valid.all():
        array = pc.if_else(pa.array(valid), array, pa.scalar(None, type=pa.date32()))
    return array


def _lognormal_cents(rng: np.random.Generator, mean: float, cv: float, size: int) -> IntArray:
    sigma2 = np.log1p(cv * cv)
    mu = np.log(mean) - sigma2 / 2
    dollars = rng.lognormal(mu, np.sqrt(sigma2), size)
    return np.maximum(np.rint(dollars * 100), 1).astype(np.int64)


def _day(d: date) -> np.datetime64:
    return np.datetime64(d.isoformat(), "D")


# --------------------------------------------------------------------------- enrollment


def generate_enrollment(n_employees: int, plan_year: PlanYear, seed: int) -> pa.Table:
    """``n_employees`` families (ids ``M-1000``, ``M-1001``, ...; dependents ``-S``, ``-C1``, ...)."""
    rng = np.random.default_rng([seed, 1])
    n = int(n_employees)
    tier = rng.choice(len(TIERS), size=n, p=TIER_SHARES)
    has_spouse = (tier == 1) | (tier == 3)
    n_children = np.where((tier == 2) | (tier == 3), 1 + np.minimum(rng.poisson(0.8, n), 4), 0)

    start_py, end_py = _day(plan_year.start), _day(plan_year.end)
    months = np.arange(start_py.astype("datetime64[M]"), end_py.astype("datetime64[M]") + 1)
    hired = rng.random(n) < 0.12
    start_month = np.where(hired, rng.integers(1, len(months), n), 0)
    cov_start = np.where(hired, months[start_month].astype("datetime64[D]"), start_py)
    termed = rng.random(n) < 0.08
    end_month = np.maximum(start_month, rng.integers(0, len(months), n))
    cov_end = (months[end_month] + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    age = rng.integers(22, 65, n)
    birth = (start_py - (age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")).astype(
        "datetime64[D]"
    )
    sex = rng.integers(0, 2, n)
    salary = np.clip(rng.lognormal(np.log(62_000), 0.45, n), 26_000, 450_000)
    salary_cents = (np.rint(salary / 100) * 10_000).astype(np.int64)

    # one row per member: employee, then spouse, then children
    per_family = 1 + has_spouse + n_children
    fam = np.repeat(np.arange(n), per_family)
    within = np.arange(len(fam)) - np.repeat(np.cumsum(per_family) - per_family, per_family)
    rel = np.where(within == 0, 0, np.where((within == 1) & has_spouse[fam], 1, 2))
    child_no = within - has_spouse[fam]
    family_ids = [f"M-{1000 + i}" for i in range(n)]
    member_ids = [
        family_ids[f] if r == 0 else (f"{family_ids[f]}-S" if r == 1 else f"{family_ids[f]}-C{c}")
        for f, r, c in zip(fam.tolist(), rel.tolist(), child_no.tolist(), strict=True)
    ]
    m = len(fam)
    member_age = np.where(
        rel == 0, age[fam], np.where(rel == 1, np.clip(age[fam] + rng.integers(-4, 5, m), 19, 80), 0)
    )
    child_age = rng.integers(0, 26, m)
    member_birth = np.where(
        rel == 2,
        (start_py - (child_age * 365.25 + rng.integers(0, 365, m)).astype("timedelta64[D]")).astype(
            "datetime64[D]"
        ),
        np.where(
            rel == 0,
            birth[fam],
            (start_py - (member_age * 365.25 + rng.integers(0, 365, m)).astype("timedelta64[D]")).astype(
                "datetime64[D]"
            ),
        ),
    )
    member_sex = np.where(rel == 0, sex[fam], np.where(rel == 1, 1 - sex[fam], rng.integers(0, 2, m)))
    is_employee = rel == 0
    return pa.table(
        {
            "member_id": pa.array(member_ids, type=pa.string()),
            "family_id": _strings(family_ids, fam),
            "relationship": _strings(("employee", "spouse", "child"), rel),
            "tier": _strings(TIERS, tier[fam]),
            "coverage_start": _dates(cov_start[fam]),
            "coverage_end": _dates(cov_end[fam], termed[fam]),
            "birth_date": _dates(member_birth),
            "sex": _strings(("F", "M"), member_sex),
            "annual_salary": money_array(salary_cents[fam], is_employee),
        }
    )


# --------------------------------------------------------------------------- claims


def _enrollment_arrays(enrollment: pa.Table, plan_year: PlanYear) -> dict[str, Any]:
    from aso_rules.data.source import column_text

    def text(name: str) -> list[str | None]:
        if name not in enrollment.column_names:
            return [None] * enrollment.num_rows
        return column_text(enrollment.column(name))

    start_py, end_py = _day(plan_year.start), _day(plan_year.end)
    starts = np.array(
        [s or plan_year.start.isoformat() for s in text("coverage_start")], dtype="datetime64[D]"
    )
    ends = np.array([e or plan_year.end.isoformat() for e in text("coverage_end")], dtype="datetime64[D]")
    lo = np.maximum(starts, start_py)
    hi = np.minimum(ends, end_py)
    salary = text("annual_salary")
    weekly = text("weekly_earnings")
    has_earnings = np.array(
        [s is not None or w is not None for s, w in zip(salary, weekly, strict=True)], dtype=bool
    )
    salary_cents = np.array(
        [
            int(Decimal(s) * 100) if s is not None else (int(Decimal(w) * 5200) if w is not None else 0)
            for s, w in zip(salary, weekly, strict=True)
        ],
        dtype=np.int64,
    )
    relationship = text("relationship")
    return {
        "member_id": np.array(text("member_id"), dtype=object),
        "family_id": np.array(text("family_id"), dtype=object),
        "lo": lo,
        "hi": hi,
        "covered": hi >= lo,
        "employee": np.array([r == "employee" for r in relationship], dtype=bool),
        "has_earnings": has_earnings,
        "salary_cents": salary_cents,
        "birth": text("birth_date"),
    }


def _pick(
    rng: np.random.Generator, table: tuple[tuple[str, float, float, float], ...], size: int
) -> IntArray:
    shares = np.array([c[1] for c in table])
    return rng.choice(len(table), size=size, p=shares / shares.sum()).astype(np.int64)


def generate_claims(
    enrollment: pa.Table,
    n_lines: int,
    plan_year: PlanYear,
    seed: int,
    *,
    high_cost: Mapping[str, int] | None = None,
) -> pa.Table:
    """``n_lines`` claim lines for members of ``enrollment`` (one claim id per line).

    ``high_cost`` optionally names members to make high-cost claimants, with a target of annual
    allowed charges in dollars each (the examples give the lasered member a large claim this way).
    """
    rng = np.random.default_rng([seed, 2])
    mem = _enrollment_arrays(enrollment, plan_year)
    covered = np.flatnonzero(mem["covered"])
    if len(covered) == 0 or n_lines <= 0:
        return _empty_claims()
    n_lines = int(n_lines)

    # high-cost claimants: their lines are reserved first
    hc_members, hc_targets = _high_cost(rng, mem, covered, n_lines, high_cost or {})
    hc_counts = np.minimum(rng.integers(12, 41, len(hc_members)), max(n_lines // 5, 1))
    if len(hc_members):
        cumulative = np.cumsum(hc_counts)
        keep = cumulative <= max(n_lines // 5, 1)
        keep[0] = True  # at least the first (named) claimant
        hc_members, hc_targets, hc_counts = hc_members[keep], hc_targets[keep], hc_counts[keep]
        hc_counts[0] = min(hc_counts[0], n_lines)
    n_hc = int(hc_counts.sum())
    n_reg = n_lines - n_hc

    # regular lines: line of coverage, then member by utilisation weight
    line = rng.choice(len(LINES), size=n_reg, p=LINE_SHARES).astype(np.int64)
    std_ok = np.flatnonzero(mem["covered"] & mem["employee"] & mem["has_earnings"])
    if len(std_ok) == 0:
        line[line == 3] = 0
    frailty = rng.gamma(0.6, 1.0, len(mem["covered"])) * (rng.random(len(mem["covered"])) > 0.15)
    days = (mem["hi"] - mem["lo"]).astype(np.int64) + 1
    weight = np.where(mem["covered"], frailty * np.maximum(days, 0), 0.0)
    if weight.sum() <= 0:
        weight = mem["covered"].astype(float)
    member = rng.choice(len(weight), size=n_reg, p=weight / weight.sum()).astype(np.int64)
    is_std = line == 3
    if is_std.any():
        member[is_std] = rng.choice(std_ok, size=int(is_std.sum()))

    category = np.zeros(n_reg, dtype=np.int64)
    allowed = np.zeros(n_reg, dtype=np.int64)
    units = np.ones(n_reg, dtype=np.int64)
    for li, table in ((0, MEDICAL), (1, RX), (2, DENTAL)):
        idx = np.flatnonzero(line == li)
        which = _pick(rng, table, len(idx))
        for k, (name, _share, mean, cv) in enumerate(table):
            sel = idx[which == k]
            category[sel] = CATEGORY_NAMES.index(name)
            allowed[sel] = _lognormal_cents(rng, mean, cv, len(sel))
    inpatient = (line == 0) & (category == CATEGORY_NAMES.index("inpatient"))
    units[inpatient] = 1 + np.minimum(rng.poisson(3.0, int(inpatient.sum())), 29)
    allowed[inpatient] *= units[inpatient]
    category[is_std] = CATEGORY_NAMES.index("disability")

    # dates: incurred inside coverage, paid after a lag
    lo, hi = mem["lo"][member], mem["hi"][member]
    span = (hi - lo).astype(np.int64) + 1
    incurred = lo + (rng.random(n_reg) * span).astype(np.int64).astype("timedelta64[D]")
    lag = np.where(
        line == 1,
        rng.integers(0, 3, n_reg),
        np.where(line == 2, rng.integers(5, 31, n_reg), 4 + np.minimum(rng.lognormal(2.9, 0.75, n_reg), 220)),
    ).astype(np.int64)

    # std: absence from the incurred date, lost earnings as billed
    absence_days = np.where(is_std, 3 + np.minimum(rng.gamma(1.3, 22.0, n_reg).astype(np.int64), 240), 0)
    absence_end = incurred + (absence_days - 1).clip(min=0).astype("timedelta64[D]")
    lag = np.where(is_std, rng.integers(7, 31, n_reg), lag)
    paid_from = np.where(is_std, absence_end, incurred)
    paid = paid_from + lag.astype("timedelta64[D]")
    cause = np.where(rng.random(n_reg) < 0.25, 1, 0)

    # networks, billed, fee-schedule pricing
    network = np.where((line == 0) & (rng.random(n_reg) < 0.07), 1, 0)
    discount = rng.uniform(0.45, 0.80, n_reg)
    billed = np.rint(allowed / discount).astype(np.int64)
    billed = np.where(line == 1, allowed, billed)
    billed = np.where(line == 2, np.rint(allowed / rng.uniform(0.70, 0.92, n_reg)).astype(np.int64), billed)
    billed = np.where(
        is_std, (mem["salary_cents"][member] * absence_days) // (52 * 7), billed
    )  # lost earnings
    has_allowed = ~is_std
    code = np.zeros(n_reg, dtype=np.int64)  # 0 none, 1 "99213", 2 "99214"
    office = (line == 0) & (category == CATEGORY_NAMES.index("office_visit")) & (network == 0)
    coded = office & (rng.random(n_reg) < 0.45)
    code[coded] = np.where(rng.random(int(coded.sum())) < 0.7, 1, 2)
    billed[code == 1] = rng.integers(14_000, 26_000, int((code == 1).sum()))
    billed[code == 2] = rng.integers(19_000, 34_000, int((code == 2).sum()))
    has_allowed &= code == 0
    per_diem = inpatient & (network == 0) & (rng.random(n_reg) < 0.5)
    billed[per_diem] = units[per_diem] * _lognormal_cents(rng, 6500.0, 0.3, int(per_diem.sum()))
    has_allowed &= ~per_diem
    pct_priced = (line == 0) & ~inpatient & (code == 0) & (network == 0) & (rng.random(n_reg) < 0.10)
    has_allowed &= ~pct_priced
    out_net = network == 1
    billed[out_net] = np.rint(allowed[out_net] / 0.9).astype(np.int64)
    has_allowed &= ~out_net

    columns = {
        "member": member,
        "line": line,
        "category": category,
        "incurred": incurred,
        "paid": paid,
        "billed": billed,
        "network": network,
        "code": code,
        "units": units,
        "allowed": allowed,
        "has_allowed": has_allowed,
        "absence": is_std,
        "absence_end": absence_end,
        "cause": cause,
    }
    columns = _compact(columns)
    if n_hc:
        columns = _concat(columns, _compact(_high_cost_lines(rng, mem, hc_members, hc_targets, hc_counts)))
    return _claims_table(columns, mem)


def _high_cost(
    rng: np.random.Generator,
    mem: dict[str, Any],
    covered: IntArray,
    n_lines: int,
    named: Mapping[str, int],
) -> tuple[IntArray, IntArray]:
    """Indices of high-cost claimants and their targets of annual allowed charges, in cents."""
    index = {mid: i for i, mid in enumerate(mem["member_id"].tolist())}
    forced = [(index[m], int(t) * 100) for m, t in named.items() if m in index and mem["covered"][index[m]]]
    if n_lines < 50:
        chosen = forced
    else:
        n_members = len(covered)
        count = max(3, round(n_members * 0.0025))
        pool = np.setdiff1d(covered, [f for f, _ in forced])
        pick = rng.choice(pool, size=min(count, len(pool)), replace=False)
        targets = (165_000 * np.exp(rng.exponential(0.55, len(pick)))).clip(max=900_000)
        if n_lines >= LARGE_RUN and len(pick):
            targets[0] = 1_250_000 + rng.integers(0, 250_000)
        chosen = forced + [(int(p), int(t * 100)) for p, t in zip(pick, targets, strict=True)]
    return (
        np.array([c[0] for c in chosen], dtype=np.int64),
        np.array([c[1] for c in chosen], dtype=np.int64),
    )


def _high_cost_lines(
    rng: np.random.Generator,
    mem: dict[str, Any],
    members: IntArray,
    targets: IntArray,
    counts: IntArray,
) -> dict[str, Any]:
    """Lines of high-cost claimants: an episode of inpatient, outpatient, specialist and specialty rx."""
    n = int(counts.sum())
    owner = np.repeat(np.arange(len(members)), counts)
    member = members[owner]
    kinds = rng.choice(4, size=n, p=(0.35, 0.25, 0.15, 0.25))  # inpatient, outpatient, specialist, rx
    line = np.where(kinds == 3, 1, 0)
    names = ("inpatient", "outpatient", "specialist", "specialty")
    category = np.array([CATEGORY_NAMES.index(names[k]) for k in range(4)])[kinds]
    share = rng.gamma(0.7, 1.0, n)
    share = np.where(kinds == 2, share * 0.05, share)
    totals = np.bincount(owner, weights=share, minlength=len(members))
    allowed = np.maximum(np.rint(targets[owner] * share / totals[owner]), 100).astype(np.int64)
    units = np.where(kinds == 0, 1 + np.minimum(allowed // 500_000, 59), 1)
    lo, hi = mem["lo"][member], mem["hi"][member]
    span = (hi - lo).astype(np.int64) + 1
    episode_start = rng.random(len(members)) * 0.6
    position = np.clip(episode_start[owner] + rng.random(n) * 0.4, 0, 0.999)
    incurred = lo + (position * span).astype(np.int64).astype("timedelta64[D]")
    lag = np.where(line == 1, rng.integers(0, 3, n), 10 + rng.integers(0, 60, n))
    paid = incurred + lag.astype("timedelta64[D]")
    billed = np.where(line == 1, allowed, np.rint(allowed / rng.uniform(0.5, 0.8, n)).astype(np.int64))
    zeros = np.zeros(n, dtype=np.int64)
    return {
        "member": member,
        "line": line,
        "category": category,
        "incurred": incurred,
        "paid": paid,
        "billed": billed,
        "network": zeros,
        "code": zeros,
        "units": units,
        "allowed": allowed,
        "has_allowed": np.ones(n, dtype=bool),
        "absence": np.zeros(n, dtype=bool),
        "absence_end": incurred,
        "cause": zeros,
    }


_SMALL = {"line": np.int8, "category": np.int8, "network": np.int8, "code": np.int8, "cause": np.int8,
          "units": np.int16, "member": np.int32}  # fmt: skip


def _compact(columns: dict[str, Any]) -> dict[str, Any]:
    """Small integer types for codes: permuting 10 million rows is memory-bound."""
    return {k: v.astype(_SMALL[k]) if k in _SMALL else v for k, v in columns.items()}


def _concat(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {k: np.concatenate([a[k], b[k]]) for k in a}


def _claims_table(c: dict[str, Any], mem: dict[str, Any]) -> pa.Table:
    # chronological claim ids: a stable sort of 16-bit day offsets is a radix sort in numpy
    offset = (c["incurred"] - c["incurred"].min()).astype(np.int64)
    order = np.argsort(offset.astype(np.int16 if offset.max() < 32_000 else np.int64), kind="stable")
    c = {k: np.take(v, order) for k, v in c.items()}
    n = len(order)
    width = max(7, len(str(n)))
    ids = pc.binary_join_element_wise(
        "C-", pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), width, "0"), ""
    )
    member_ids = pa.array(mem["member_id"].tolist(), type=pa.string())
    family_ids = pa.array(mem["family_id"].tolist(), type=pa.string())
    taken = pa.array(c["member"])
    absence = c["absence"]
    return pa.table(
        {
            "claim_id": ids,
            "member_id": member_ids.take(taken),
            "family_id": family_ids.take(taken),
            "line": _strings(LINES, c["line"]),
            "category": _strings(CATEGORY_NAMES, c["category"]),
            "incurred": _dates(c["incurred"]),
            "paid": _dates(c["paid"]),
            "billed": money_array(c["billed"]),
            "network": _strings(("in", "out"), c["network"]),
            "code": _optional_strings(("", "99213", "99214"), c["code"], c["code"] > 0),
            "units": pa.array(c["units"].astype(np.int64), type=pa.int64()),
            "allowed": money_array(c["allowed"], c["has_allowed"]),
            "weekly_earnings": pa.nulls(n, type=MONEY),
            "absence_start": _dates(c["incurred"], absence),
            "absence_end": _dates(c["absence_end"], absence),
            "cause": _optional_strings(("illness", "accident"), c["cause"], absence),
        }
    )


def _empty_claims() -> pa.Table:
    types = {
        "incurred": pa.date32(), "paid": pa.date32(), "absence_start": pa.date32(),
        "absence_end": pa.date32(), "billed": MONEY, "allowed": MONEY, "weekly_earnings": MONEY,
        "units": pa.int64(),
    }  # fmt: skip
    return pa.table({name: pa.array([], type=types.get(name, pa.string())) for name in CLAIM_COLUMNS})


__all__ = ["CLAIM_COLUMNS", "generate_claims", "generate_enrollment", "money_array"]
