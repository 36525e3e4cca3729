"""Seeded synthetic enrollment and claims for rulesets shaped like rulesets/acme-2026.aso.

On entry: a size, the plan year and a seed (the same arguments always give the same table). On exit:
a ``pyarrow.Table`` with docs/contracts.md's columns (enrollment.csv / claims.csv), money as exact
``decimal128(18, 2)`` built from integer cents (never from floats), dates as ``date32``; the text
columns of claims are dictionary-encoded (each distinct value stored once).

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


def _validity(valid: npt.NDArray[np.bool_] | None) -> pa.Buffer | None:
    """An Arrow validity bitmap (``None`` when every value is present)."""
    if valid is None or valid.all():
        return None
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def money_array(cents: IntArray, valid: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """Exact ``decimal128(18, 2)`` from integer cents (two's-complement 128-bit, no float on the way)."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(MONEY, len(cents), [_validity(valid), pa.py_buffer(words)])


def _strings(values: Any, codes: npt.NDArray[np.integer[Any]]) -> pa.Array:
    return pa.array(list(values), type=pa.string()).take(pa.array(codes))


def _categorical(
    values: Any, codes: npt.NDArray[np.integer[Any]], valid: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """A dictionary-encoded string column (the values once, an int32 index per row)."""
    indices = np.ascontiguousarray(codes, dtype=np.int32)
    index_array = pa.Array.from_buffers(pa.int32(), len(indices), [_validity(valid), pa.py_buffer(indices)])
    return pa.DictionaryArray.from_arrays(index_array, pa.array(list(values), type=pa.string()))


def _dates(days: DayArray, valid: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    numbers = np.ascontiguousarray(days.astype("datetime64[D]").astype(np.int64).astype(np.int32))
    return pa.Array.from_buffers(pa.date32(), len(numbers), [_validity(valid), pa.py_buffer(numbers)])


def _ids(prefix: str, n: int) -> pa.Array:
    """``C-0000001`` ... as one string buffer built with integer arithmetic (no Python strings)."""
    width = max(7, len(str(n)))
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    chars = np.empty((n, len(head) + width), dtype=np.uint8)
    chars[:, : len(head)] = head
    numbers = np.arange(1, n + 1, dtype=np.int64)
    for k in range(width):
        chars[:, len(head) + width - 1 - k] = 48 + (numbers // 10**k) % 10
    row = chars.shape[1]
    offsets = np.arange(0, (n + 1) * row, row, dtype=np.int64)
    if offsets[-1] < 2**31:
        return pa.Array.from_buffers(
            pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(chars)]
        )
    return pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(chars)])


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

    def days(name: str, default: np.datetime64) -> DayArray:
        if name in enrollment.column_names and pa.types.is_date32(enrollment.schema.field(name).type):
            numbers = pc.fill_null(enrollment.column(name).cast(pa.int32()), int(default.astype(np.int64)))
            as_days: DayArray = numbers.to_numpy().astype("datetime64[D]")
            return as_days
        return np.array([v or str(default) for v in text(name)], dtype="datetime64[D]")

    start_py, end_py = _day(plan_year.start), _day(plan_year.end)
    starts = days("coverage_start", start_py)
    ends = days("coverage_end", end_py)
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

    # regular lines. Members by utilisation weight: multinomial counts per member, repeated (a
    # draw per line from half a million weights would dominate the run); std lines for employees.
    std_ok = np.flatnonzero(mem["covered"] & mem["employee"] & mem["has_earnings"])
    n_std = int(rng.binomial(n_reg, LINE_SHARES[3])) if len(std_ok) else 0
    n_other = n_reg - n_std
    n_members = len(mem["covered"])
    frailty = rng.gamma(0.6, 1.0, n_members) * (rng.random(n_members) > 0.15)
    days = (mem["hi"] - mem["lo"]).astype(np.int64) + 1
    weight = np.where(mem["covered"], frailty * np.maximum(days, 0), 0.0)
    if weight.sum() <= 0:
        weight = mem["covered"].astype(float)
    counts = rng.multinomial(n_other, weight / weight.sum())
    member = np.concatenate(
        [np.repeat(np.arange(n_members, dtype=np.int32), counts), rng.choice(std_ok, n_std).astype(np.int32)]
    )
    shares = np.array(LINE_SHARES[:3]) / sum(LINE_SHARES[:3])
    line = np.concatenate(
        [np.searchsorted(np.cumsum(shares)[:-1], rng.random(n_other), side="right"), np.full(n_std, 3)]
    ).astype(np.int8)
    std = slice(n_other, n_reg)

    category = np.zeros(n_reg, dtype=np.int8)
    allowed = np.zeros(n_reg, dtype=np.int64)
    units = np.ones(n_reg, dtype=np.int16)
    subsets = {li: np.flatnonzero(line == li) for li in (0, 1, 2)}
    for li, table in ((0, MEDICAL), (1, RX), (2, DENTAL)):
        idx = subsets[li]
        which = _pick(rng, table, len(idx))
        for k, (name, _share, mean, cv) in enumerate(table):
            sel = idx[which == k]
            category[sel] = CATEGORY_NAMES.index(name)
            allowed[sel] = _lognormal_cents(rng, mean, cv, len(sel))
    category[std] = CATEGORY_NAMES.index("disability")
    med = subsets[0]
    med_category = category[med]
    inpatient = med[med_category == CATEGORY_NAMES.index("inpatient")]
    units[inpatient] = 1 + np.minimum(rng.poisson(3.0, len(inpatient)), 29)
    allowed[inpatient] *= units[inpatient]

    # dates: incurred inside coverage, paid after a lag
    lo = mem["lo"][member]
    span = (mem["hi"][member] - lo).astype(np.int64) + 1
    incurred = lo + (rng.random(n_reg) * span).astype(np.int64).astype("timedelta64[D]")
    lag = np.empty(n_reg, dtype=np.int64)
    lag[subsets[1]] = rng.integers(0, 3, len(subsets[1]))
    lag[subsets[2]] = rng.integers(5, 31, len(subsets[2]))
    lag[med] = 4 + np.minimum(rng.lognormal(2.9, 0.75, len(med)), 220).astype(np.int64)
    # std: absence from the incurred date, paid after it ends, lost earnings as billed
    absence_days = 3 + np.minimum(rng.gamma(1.3, 22.0, n_std).astype(np.int64), 240)
    absence_end = incurred.copy()
    absence_end[std] = incurred[std] + (absence_days - 1).astype("timedelta64[D]")
    lag[std] = rng.integers(7, 31, n_std)
    paid = absence_end + lag.astype("timedelta64[D]")
    cause = np.zeros(n_reg, dtype=np.int8)
    cause[std] = rng.random(n_std) < 0.25

    # networks, billed, fee-schedule pricing
    billed = allowed.copy()  # rx: priced by the PBM, billed = allowed
    billed[med] = np.rint(allowed[med] / rng.uniform(0.45, 0.80, len(med))).astype(np.int64)
    den = subsets[2]
    billed[den] = np.rint(allowed[den] / rng.uniform(0.70, 0.92, len(den))).astype(np.int64)
    billed[std] = (mem["salary_cents"][member[std]] * absence_days) // (52 * 7)
    network = np.zeros(n_reg, dtype=np.int8)
    out_net = med[rng.random(len(med)) < 0.07]
    network[out_net] = 1
    billed[out_net] = np.rint(allowed[out_net] / 0.9).astype(np.int64)
    has_allowed = np.ones(n_reg, dtype=bool)
    has_allowed[std] = False
    has_allowed[out_net] = False  # out of network: 100% of billed
    code = np.zeros(n_reg, dtype=np.int8)  # 0 none, 1 "99213", 2 "99214"
    in_med = med[network[med] == 0]
    in_category = category[in_med]
    office = in_med[in_category == CATEGORY_NAMES.index("office_visit")]
    coded = office[rng.random(len(office)) < 0.45]
    code[coded] = np.where(rng.random(len(coded)) < 0.7, 1, 2)
    c1, c2 = coded[code[coded] == 1], coded[code[coded] == 2]
    billed[c1] = rng.integers(14_000, 26_000, len(c1))
    billed[c2] = rng.integers(19_000, 34_000, len(c2))
    has_allowed[coded] = False
    in_inpatient = in_med[in_category == CATEGORY_NAMES.index("inpatient")]
    per_diem = in_inpatient[rng.random(len(in_inpatient)) < 0.5]
    billed[per_diem] = units[per_diem] * _lognormal_cents(rng, 6500.0, 0.3, len(per_diem))
    has_allowed[per_diem] = False
    others = in_med[(in_category != CATEGORY_NAMES.index("inpatient")) & (code[in_med] == 0)]
    has_allowed[others[rng.random(len(others)) < 0.10]] = False  # percent of billed
    is_std = np.zeros(n_reg, dtype=bool)
    is_std[std] = True

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
    member_ids = pa.array(mem["member_id"].tolist(), type=pa.string())
    family_ids = pa.array(mem["family_id"].tolist(), type=pa.string())
    member = c["member"]
    absence = c["absence"]
    return pa.table(
        {
            "claim_id": _ids("C-", n),
            "member_id": pa.DictionaryArray.from_arrays(pa.array(member, type=pa.int32()), member_ids),
            "family_id": pa.DictionaryArray.from_arrays(pa.array(member, type=pa.int32()), family_ids),
            "line": _categorical(LINES, c["line"]),
            "category": _categorical(CATEGORY_NAMES, c["category"]),
            "incurred": _dates(c["incurred"]),
            "paid": _dates(c["paid"]),
            "billed": money_array(c["billed"]),
            "network": _categorical(("in", "out"), c["network"]),
            "code": _categorical(("", "99213", "99214"), c["code"], c["code"] > 0),
            "units": pa.array(c["units"].astype(np.int64), type=pa.int64()),
            "allowed": money_array(c["allowed"], c["has_allowed"]),
            "weekly_earnings": pa.nulls(n, type=MONEY),
            "absence_start": _dates(c["incurred"], absence),
            "absence_end": _dates(c["absence_end"], absence),
            "cause": _categorical(("illness", "accident"), c["cause"], absence),
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
