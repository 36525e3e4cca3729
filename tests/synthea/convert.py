"""Synthea's private plans and claims, expressed as aso-rules inputs: an outside oracle for settlement.

On entry: a Synthea CSV export (shared/data/synthea_sample: payers, insurance plans and companies,
payer_transitions, claims, claims_transactions, encounters). On exit (``convert``): for every
claim line whose primary payer is a private plan, a row of ``claims.csv`` with ``allowed`` = billed =
Synthea's charge; one ``enrollment.csv`` row per patient (tier EE, covered over their private
enrolment periods); and one rule file per payer enrolment period (a ``payer_transitions`` row), since
Synthea holds the deductible per enrolment period and those periods drift by a few days each year.

Synthea's cost split for a line (from its engine, confirmed against the data by the tests):
copay first, then the remaining deductible of the enrolment period, then the payer pays its
coinsurance share of the rest, rounded half-even to cents; the patient pays the rest. The
out-of-pocket maximum is only checked after a patient has passed it. Every amount is an exact
``Decimal`` parsed from the export's text.

Transactions are grouped per charge line: within a claim (ordered by CHARGEID) every row after a
CHARGE row up to the next CHARGE belongs to it. A COPAY payment is the patient's copay; PAYMENT rows
before any TRANSFERIN are the primary payer's; after ``TRANSFERIN`` type ``2`` the secondary payer's;
after type ``p`` the patient's. The patient's responsibility is the copay plus the amount transferred
to the patient.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import attrs

ZERO = Decimal("0.00")
EXTRA_COLUMNS = ("period", "encounter_class", "synthea_copay", "synthea_payer_paid", "synthea_patient")
CLAIM_COLUMNS = (
    "claim_id", "member_id", "line", "category", "incurred", "paid", "billed", "allowed", "code",
    *EXTRA_COLUMNS,
)  # fmt: skip


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        yield from csv.DictReader(fh)


def _amount(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01")) if text.strip() else ZERO


@attrs.frozen
class SyntheaPlan:
    """One Synthea insurance plan (insurance_plans_at_generation_commit.csv)."""

    plan_id: str
    payer: str  # the company name, as in payers.csv
    name: str
    deductible: Decimal
    coinsurance: Decimal  # the payer's share, e.g. 0.8
    copay: Decimal
    oop_max: Decimal


@attrs.frozen
class Period:
    """One payer enrolment period (a payer_transitions row) on a private plan."""

    period_id: str
    patient: str
    plan: SyntheaPlan
    start: str  # ISO timestamps as exported, e.g. 2014-07-13T02:05:02Z
    end: str

    @property
    def first_day(self) -> date:
        return date.fromisoformat(self.start[:10])

    @property
    def last_day(self) -> date:
        """The day before the next period starts (the export's END is the next period's START)."""
        return date.fromisoformat(self.end[:10]) - timedelta(days=1)


@attrs.frozen
class Line:
    """One charge line of a claim paid first by a private plan, with Synthea's split of it."""

    claim_id: str  # ours: sorts in Synthea's processing order
    synthea_claim: str
    patient: str
    period_id: str | None  # None: outside every private enrolment period of the export
    timestamp: str  # the service start (FROMDATE)
    settled_at: str  # when Synthea settled the line's claim (orders the lines)
    category: str  # the encounter class (wellness, ambulatory, ...)
    code: str
    charge: Decimal
    copay: Decimal
    payer_paid: Decimal  # the primary (private) payer
    patient_resp: Decimal  # copay + amount transferred to the patient

    @property
    def day(self) -> date:
        return date.fromisoformat(self.timestamp[:10])

    @property
    def paid_day(self) -> date:
        """The settlement day, never before the service day: (paid, claim_id) is Synthea's order."""
        return max(self.day, date.fromisoformat(self.settled_at[:10]))


@attrs.frozen
class SyntheaSample:
    plans: dict[str, SyntheaPlan]  # by company name
    periods: tuple[Period, ...]
    lines: tuple[Line, ...]
    claims_total: int
    private_claims: int


def read_plans(folder: Path) -> dict[str, SyntheaPlan]:
    """The private companies' generic plan each (not ACA, not Medicare supplement), by company name."""
    companies = {r["Id"]: r["Name"] for r in _rows(folder / "insurance_companies_at_generation_commit.csv")}
    private = {r["NAME"] for r in _rows(folder / "payers.csv") if r["OWNERSHIP"] == "PRIVATE"}
    plans: dict[str, SyntheaPlan] = {}
    for r in _rows(folder / "insurance_plans_at_generation_commit.csv"):
        company = companies.get(r["Payer Id"], "")
        if company not in private or r["Is ACA Plan"] == "true" or r["Medicare Supplement"] == "true":
            continue
        if r["Eligibility Policy"] != "Generic":
            continue
        if company in plans:
            raise ValueError(f"two generic plans for {company}")
        plans[company] = SyntheaPlan(
            plan_id=r["Plan Id"],
            payer=company,
            name=r["Name"],
            deductible=Decimal(r["Deductible"]),
            coinsurance=Decimal(r["Default Coinsurance"]),
            copay=Decimal(r["Default Copay"]),
            oop_max=Decimal(r["Max Out of Pocket"]),
        )
    return plans


def read_sample(folder: Path) -> SyntheaSample:
    """Read the export: private plans, their enrolment periods, and the lines they paid first."""
    plans = read_plans(folder)
    payer_names = {r["Id"]: r["NAME"] for r in _rows(folder / "payers.csv")}
    periods: list[Period] = []
    counter: defaultdict[str, int] = defaultdict(int)
    for r in _rows(folder / "payer_transitions.csv"):
        company = payer_names.get(r["PAYER"], "")
        if company not in plans:
            continue
        counter[r["PATIENT"]] += 1
        pid = f"{r['PATIENT'][:8]}-{r['START_DATE'][:10]}"
        periods.append(Period(pid, r["PATIENT"], plans[company], r["START_DATE"], r["END_DATE"]))
    by_patient: defaultdict[str, list[Period]] = defaultdict(list)
    for p in periods:
        by_patient[p.patient].append(p)

    encounters = {r["Id"]: r for r in _rows(folder / "encounters.csv")}
    claims = {r["Id"]: r for r in _rows(folder / "claims.csv")}
    private_claims = {
        cid for cid, r in claims.items() if payer_names.get(r["PRIMARYPATIENTINSURANCEID"], "") in plans
    }
    transactions: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _rows(folder / "claims_transactions.csv"):
        if r["CLAIMID"] in private_claims:
            transactions[r["CLAIMID"]].append(r)

    raw: list[tuple[str, int, Line]] = []
    for cid in private_claims:
        claim = claims[cid]
        rows = sorted(transactions[cid], key=lambda r: int(r["CHARGEID"]))
        settled_at = _settled_at(rows, encounters)
        for split in _split_lines(rows):
            charge_row = split[0]
            ts = charge_row["FROMDATE"]
            period = _period_at(by_patient[claim["PATIENTID"]], ts)
            copay, payer, patient = _split(split)
            encounter = encounters.get(charge_row["APPOINTMENTID"])
            line = Line(
                claim_id="",
                synthea_claim=cid,
                patient=claim["PATIENTID"],
                period_id=period.period_id if period else None,
                timestamp=ts,
                settled_at=settled_at,
                category=encounter["ENCOUNTERCLASS"] if encounter else "unknown",
                code=charge_row["PROCEDURECODE"],
                charge=_amount(charge_row["AMOUNT"]),
                copay=copay,
                payer_paid=payer,
                patient_resp=patient,
            )
            raw.append((settled_at, int(charge_row["CHARGEID"]), line))
    raw.sort(key=lambda item: (item[0], item[1]))
    lines = tuple(attrs.evolve(line, claim_id=f"SY-{i + 1:05d}") for i, (_, _, line) in enumerate(raw))
    return SyntheaSample(
        plans=plans,
        periods=tuple(periods),
        lines=lines,
        claims_total=len(claims),
        private_claims=len(private_claims),
    )


def _settled_at(rows: list[dict[str, str]], encounters: dict[str, dict[str, str]]) -> str:
    """When Synthea settled a claim: an encounter's own claim (it bills the encounter's code) when
    the encounter ends; any other claim (a medication ordered during it) when its first line starts."""
    charges = [r for r in rows if r["TYPE"] == "CHARGE"]
    for r in charges:
        encounter = encounters.get(r["APPOINTMENTID"])
        if encounter is not None and r["PROCEDURECODE"] == encounter["CODE"]:
            return encounter["STOP"]
    return min(r["FROMDATE"] for r in charges)


def _split_lines(rows: list[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    current: list[dict[str, str]] = []
    for r in rows:
        if r["TYPE"] == "CHARGE":
            if current:
                yield current
            current = [r]
        elif current:
            current.append(r)
    if current:
        yield current


def _split(rows: list[dict[str, str]]) -> tuple[Decimal, Decimal, Decimal]:
    """(copay, primary payer paid, patient responsibility) of one charge line's transactions."""
    copay = payer = to_patient = ZERO
    state = "primary"
    for r in rows[1:]:
        kind = r["TYPE"]
        if kind == "PAYMENT" and r["METHOD"] == "COPAY":
            copay += _amount(r["PAYMENTS"])
        elif kind == "PAYMENT" and state == "primary":
            payer += _amount(r["PAYMENTS"])
        elif kind == "TRANSFERIN":
            state = "patient" if r["TRANSFERTYPE"] == "p" else "secondary"
            if state == "patient":
                to_patient += _amount(r["AMOUNT"])
    return copay, payer, copay + to_patient


def _period_at(periods: Iterable[Period], timestamp: str) -> Period | None:
    for p in periods:
        if p.start <= timestamp < p.end:
            return p
    return None


# --------------------------------------------------------------------------- writing aso-rules inputs


def _dollars(value: Decimal) -> str:
    return f"${value:,.2f}"


def _percent(rate: Decimal) -> str:
    pct = (rate * 100).normalize()
    return f"{pct:f}%"


def rule_text(period: Period) -> str:
    """The rule file of one enrolment period, in the language of LANGUAGE.md."""
    plan = period.plan
    lines = [
        f'# Synthea plan {plan.plan_id} "{plan.name}": enrolment period {period.start} to {period.end}',
        f"# of patient {period.patient}; deductible held per enrolment period, as Synthea does.",
        f'ruleset "Synthea {plan.plan_id} {period.period_id}" {{',
        f"  plan_year {period.first_day.isoformat()} to {period.last_day.isoformat()}",
        "  currency USD",
        "  rounding half_even",
        '  tiers EE "Employee only"',
        "}",
        "",
        "coverage medical {",
        f"  deductible {_dollars(plan.deductible)} per person, "
        f"{_dollars(plan.deductible)} per family embedded",
        f"  out_of_pocket {_dollars(plan.oop_max)} per person, {_dollars(plan.oop_max)} per family",
        f"  plan pays {_percent(plan.coinsurance)}",
    ]
    if plan.copay > 0:
        lines.append(f"  copay encounter {_dollars(plan.copay)} then deductible")
    lines.append("}")
    return "\n".join(lines) + "\n"


@attrs.frozen
class Conversion:
    claims_csv: Path
    enrollment_csv: Path
    rulesets: dict[str, Path]  # period id -> rule file
    lines: tuple[Line, ...]  # the lines written (inside a private enrolment period)


def convert(folder: Path, out: Path) -> Conversion:
    """Write claims.csv, enrollment.csv and rulesets/<period>.aso for the export's private plans."""
    sample = read_sample(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / "rulesets").mkdir(exist_ok=True)
    rulesets: dict[str, Path] = {}
    for period in sample.periods:
        path = out / "rulesets" / f"{period.period_id}.aso"
        path.write_text(rule_text(period))
        rulesets[period.period_id] = path
    lines = tuple(line for line in sample.lines if line.period_id is not None)
    claims_csv = out / "claims.csv"
    with claims_csv.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CLAIM_COLUMNS)
        for line in lines:
            writer.writerow([
                line.claim_id, line.patient, "medical", line.category, line.day.isoformat(),
                line.paid_day.isoformat(), line.charge, line.charge,
                line.code, line.period_id, line.category, line.copay, line.payer_paid, line.patient_resp,
            ])  # fmt: skip
    enrollment_csv = out / "enrollment.csv"
    spans: dict[str, tuple[date, date]] = {}
    for p in sample.periods:
        lo, hi = spans.get(p.patient, (p.first_day, p.last_day))
        spans[p.patient] = (min(lo, p.first_day), max(hi, p.last_day))
    with enrollment_csv.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("member_id", "family_id", "relationship", "tier", "coverage_start", "coverage_end"))
        for patient, (lo, hi) in sorted(spans.items()):
            writer.writerow((patient, patient, "employee", "EE", lo.isoformat(), hi.isoformat()))
    return Conversion(claims_csv, enrollment_csv, rulesets, lines)


def synthea_split(plan: SyntheaPlan, charges: Iterable[Decimal]) -> list[tuple[Decimal, Decimal]]:
    """Synthea's documented split of one enrolment period's lines, in order: (payer, patient) each.

    Copay, then the period's remaining deductible, then the payer's coinsurance share of the rest
    rounded half-even; no out-of-pocket maximum (Synthea only checks it after it is passed).
    """
    from decimal import ROUND_HALF_EVEN

    remaining = plan.deductible
    out: list[tuple[Decimal, Decimal]] = []
    for charge in charges:
        copay = min(plan.copay, charge)
        rest = charge - copay
        deductible = min(rest, remaining)
        remaining -= deductible
        rest -= deductible
        payer = (rest * plan.coinsurance).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        out.append((payer, charge - payer))
    return out


def _anniversary(first: date, years: int) -> date:
    try:
        return first.replace(year=first.year + years)
    except ValueError:  # 29 February
        return first.replace(year=first.year + years, day=28)


def plan_year_index(period: Period, day: date) -> int:
    """Which plan year of the rule file ``day`` falls in: the rule file declares the enrolment period
    as its plan year, and a date inside the declared plan year belongs to it whatever its length (as
    Synthea resets its deductible per enrolment period); outside it plan years recur on anniversaries
    of the period's first day (docs/semantics.md 3.1)."""
    if period.first_day <= day <= period.last_day:
        return 0
    n = 0
    while day >= _anniversary(period.first_day, n + 1):
        n += 1
    return n


def engine_split(period: Period, lines: Iterable[Line]) -> list[Decimal]:
    """Plan paid per line as docs/semantics.md settles the period's rule file: copay, deductible, member
    coinsurance rounded half-even, every component capped at the out-of-pocket maximum, accumulators
    per plan year (the declared enrolment period, see ``plan_year_index``)."""
    from decimal import ROUND_HALF_EVEN

    plan = period.plan
    member_rate = 1 - plan.coinsurance
    deductible: defaultdict[int, Decimal] = defaultdict(lambda: ZERO)
    oop: defaultdict[int, Decimal] = defaultdict(lambda: ZERO)
    out: list[Decimal] = []
    for line in lines:
        year = plan_year_index(period, line.day)
        orem = plan.oop_max - oop[year]
        rest = line.charge
        cp = min(plan.copay, rest, orem)
        rest -= cp
        orem -= cp
        dd = min(rest, plan.deductible - deductible[year], orem)
        rest -= dd
        orem -= dd
        ci = min((rest * member_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN), orem)
        deductible[year] += dd
        oop[year] += cp + dd + ci
        out.append(line.charge - cp - dd - ci)
    return out
