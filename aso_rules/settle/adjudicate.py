"""Claim adjudication, the reference engine's per-line pipeline (docs/semantics.md sections 3, 4 and 5).

On entry: a compiled ``Ruleset``, the enrolled members by id, and validated claim lines in any order.
On exit: one ``LineResult`` per claim line, in processing order (``processing_key``), each satisfying
``allowed == plan_paid + copay + deductible + coinsurance + over_max`` (I-LINE-1).

This module alone knows the stage order. For every line: terms (cached per line/network/category)
-> excluded line -> eligibility on the incurred date -> disability benefit (std/ltd lines stop here)
-> repricing -> excluded category -> unpriced -> dental class and waiting period -> visit limits ->
dollar maximums used up -> cost sharing -> dollar maximums on plan payments -> accumulator update.
A denied line moves no accumulator and has allowed, plan paid, cost sharing and over_max all 0; its
``noncovered`` is billed (or the repriced amount with ``noncovered_basis = "repriced"``).

Decisions where the spec is silent (also in docs/adjudication.md):
* A tier is individual ("EE" in docs/semantics.md 3.4) when its code is ``EE``; a ruleset without an ``EE``
  tier treats its first declared tier as the individual one. Every other tier is family coverage.
* Family accumulators are keyed by the enrolled member's ``family_id``.
* ``contractual_adj = (billed - allowed)+`` on every priced line (I-LINE-3); on out-of-network lines
  the same difference is also the provider's ``balance_bill`` (the member's, never cost sharing).
* A disability line has ``allowed = plan_paid = benefit``, no cost sharing, no contractual adjustment;
  an absence that ends inside the elimination period is paid at 0.00 (status ``paid``).
* Recurrent absences (fewer than 14 days apart, same member, line and cause) form one disability
  period: one elimination period, one maximum duration.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import CostSharing, Ruleset, Source
from aso_rules.money import ZERO, Money
from aso_rules.settle.accumulators import LIFETIME, Accumulators
from aso_rules.settle.costshare import UNLIMITED, deductible_remaining, oop_remaining, share
from aso_rules.settle.disability import (
    RECURRENCE_GAP_DAYS,
    DisabilityBenefit,
    PeriodSoFar,
    elimination_days,
    ltd_benefit,
    std_benefit,
)
from aso_rules.settle.order import add_months, plan_year_for, processing_key
from aso_rules.settle.reprice import reprice
from aso_rules.settle.results import LineResult, Step
from aso_rules.settle.terms import DollarLimit, LineTerms, resolve_terms

__all__ = ["Adjudicator", "adjudicate", "individual_tiers", "processing_key"]

_WEEKS = Decimal(52)


def individual_tiers(ruleset: Ruleset) -> frozenset[str]:
    """The tier codes that are individual (not family) coverage."""
    codes = ruleset.tier_codes
    if "EE" in codes or not codes:
        return frozenset({"EE"})
    return frozenset({codes[0]})


def adjudicate(
    ruleset: Ruleset,
    members: Mapping[str, MemberRecord],
    claims: Sequence[ClaimRecord],
    *,
    explain: bool = False,
) -> list[LineResult]:
    """Adjudicate every claim line in processing order; one ``LineResult`` per line, in that order."""
    adjudicator = Adjudicator(ruleset, members, explain=explain)
    settle_line = adjudicator.settle_line
    ordered = sorted(claims, key=processing_key(ruleset))
    # Results form no reference cycles; the cyclic collector would only rescan the growing heap of
    # results (it halved the speed on a million lines), so it pauses while the lines are settled.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [settle_line(claim) for claim in ordered]
    finally:
        if collecting:
            gc.enable()


class Adjudicator:
    """Settles claim lines one at a time against running accumulators.

    Lines must be fed in processing order (``adjudicate`` sorts them); ``accumulators`` holds the
    totals after the lines seen so far.
    """

    def __init__(
        self, ruleset: Ruleset, members: Mapping[str, MemberRecord], *, explain: bool = False
    ) -> None:
        self.ruleset = ruleset
        self.members = members
        self.explain = explain
        self.accumulators = Accumulators()
        settings = ruleset.settings
        self._mode = settings.rounding
        self._side = settings.coinsurance_rounding_side
        self._lesser_of = settings.lesser_of_billed
        self._noncovered_repriced = settings.noncovered_basis == "repriced"
        self._plan_year = ruleset.plan_year
        self._individual = individual_tiers(ruleset)
        self._terms: dict[tuple[str, str, str], LineTerms] = {}
        self._years: dict[date, int] = {}
        # (line, member) -> (last absence end, accident?, the disability period so far)
        self._periods: dict[tuple[str, str], tuple[date, bool, PeriodSoFar]] = {}

    # ------------------------------------------------------------------ helpers

    def terms_for(self, claim: ClaimRecord) -> LineTerms:
        key = (claim.line, claim.network, claim.category)
        terms = self._terms.get(key)
        if terms is None:
            terms = self._terms[key] = resolve_terms(self.ruleset, *key)
        return terms

    def plan_year(self, day: date) -> int:
        year = self._years.get(day)
        if year is None:
            year = self._years[day] = plan_year_for(day, self._plan_year)
        return year

    def _deny(
        self,
        claim: ClaimRecord,
        year: int,
        reason: str,
        repriced: Money | None,
        steps: list[Step] | None,
        source: Source | None,
    ) -> LineResult:
        noncovered = claim.billed
        adj = ZERO
        if self._noncovered_repriced and repriced is not None:
            noncovered = repriced
            adj = claim.billed - repriced if claim.billed > repriced else ZERO
        if steps is not None:
            steps.append(Step("denied", noncovered, reason, source))
        return LineResult(
            claim=claim,
            status="denied",
            reason=reason,
            allowed=ZERO,
            noncovered=noncovered,
            contractual_adj=adj,
            plan_year=year,
            steps=tuple(steps) if steps is not None else (),
        )

    # ------------------------------------------------------------------ the pipeline

    def settle_line(self, claim: ClaimRecord) -> LineResult:
        """Adjudicate one line against the accumulators, then move them (covered lines only).

        Denials by dental class and by limit are ``_dental_denial`` and ``_limit_denial``; what stays
        here (about 120 lines) is the one ordered pass of semantics.md 3.3-3.6, kept in one piece so
        the order of reads and accumulator writes can be read top to bottom."""
        terms = self.terms_for(claim)
        year = self.plan_year(claim.incurred)
        steps: list[Step] | None = [] if self.explain else None
        kind = terms.kind
        if kind == "excluded_line" or kind == "no_coverage":
            line_source = terms.excluded_line.source if terms.excluded_line is not None else None
            return self._deny(claim, year, terms.reason, None, steps, line_source)
        coverage = terms.coverage
        assert coverage is not None
        member = self.members.get(claim.member_id)
        if member is None:
            reason = f"not eligible: member {claim.member_id} is not enrolled"
            return self._deny(claim, year, reason, None, steps, None)
        if not member.covered_on(claim.incurred):
            reason = f"not eligible: member {claim.member_id} not covered on {claim.incurred}"
            return self._deny(claim, year, reason, None, steps, None)
        if steps is not None:
            end = member.coverage_end or "open"
            detail = f"covered on {claim.incurred} (coverage {member.coverage_start} to {end})"
            steps.append(Step("eligibility", None, detail, coverage.source))
        if kind == "std" or kind == "ltd":
            return self._disability(claim, member, terms, year, steps)

        allowed, method = reprice(claim, terms.schedule, lesser_of_billed=self._lesser_of, mode=self._mode)
        if steps is not None:
            schedule_source = terms.schedule.source if terms.schedule and claim.allowed is None else None
            steps.append(Step("reprice", allowed, f"billed {claim.billed}: {method}", schedule_source))
        if terms.exclusion is not None:
            return self._deny(claim, year, terms.exclusion.reason, allowed, steps, terms.exclusion.source)
        if allowed is None:
            return self._deny(claim, year, method, None, steps, None)
        member_id = member.member_id
        if kind == "dental":
            denied = self._dental_denial(claim, member, terms, year, allowed, steps)
            if denied is not None:
                return denied
        denied = self._limit_denial(claim, member_id, terms, year, allowed, steps)
        if denied is not None:
            return denied
        acc = self.accumulators
        dollars = acc.dollars

        # ---- cost sharing (3.4)
        family = member.tier not in self._individual
        family_id = member.family_id
        dk_m = (terms.deductible_owner, year, member_id)
        dk_f = (terms.deductible_owner, year, family_id)
        ok_m = (terms.oop_owner, year, member_id)
        ok_f = (terms.oop_owner, year, family_id)
        ded_m = acc.ded_member.get(dk_m, ZERO)
        ded_f = acc.ded_family.get(dk_f, ZERO)
        oop_m = acc.oop_member.get(ok_m, ZERO)
        oop_f = acc.oop_family.get(ok_f, ZERO)
        rule = terms.rule
        ded_rem = (
            deductible_remaining(terms.deductible, family, ded_m, ded_f)
            if rule.deductible_applies or (rule.copay_counts_to_deductible)
            else ZERO
        )
        oop_rem = oop_remaining(terms.oop, family, oop_m, oop_f)
        cp, credit, dd, ci = share(allowed, rule, ded_rem, oop_rem, self._side, self._mode)
        plan = allowed - cp - dd - ci

        # ---- dollar maximums on plan payments (3.5)
        over = ZERO
        caps: list[tuple[DollarLimit, int, Money, Money]] = []
        for cap in terms.dollar_limits:
            period = LIFETIME if cap.lifetime else year
            used = dollars.get((cap.key, period, member_id), ZERO)
            avail = cap.amount - used
            before_plan = plan
            if plan > avail:
                over += plan - avail
                plan = avail
            caps.append((cap, period, used, before_plan - plan))

        # ---- accumulators (3.6)
        to_ded = credit + dd
        if to_ded:
            acc.ded_member[dk_m] = ded_m + to_ded
            acc.ded_family[dk_f] = ded_f + to_ded
        to_oop = (cp if rule.copay_counts_to_oop else ZERO) + dd + ci
        if to_oop:
            acc.oop_member[ok_m] = oop_m + to_oop
            acc.oop_family[ok_f] = oop_f + to_oop
        for visit in terms.visit_limits:
            vkey = (visit.key, LIFETIME if visit.lifetime else year, member_id)
            acc.visits[vkey] = acc.visits.get(vkey, 0) + 1
        for cap, period, used, _ in caps:
            dollars[(cap.key, period, member_id)] = used + plan

        if steps is not None:
            self._explain_share(
                steps,
                terms,
                allowed,
                (cp, credit, dd, ci),
                plan,
                caps,
                (ded_m, ded_f, oop_m, oop_f),
                (ded_rem, oop_rem),
                rule.copay_counts_to_oop,
                family,
            )
        billed = claim.billed
        adj = billed - allowed if billed > allowed else ZERO
        return LineResult(
            claim=claim,
            status="paid",
            reason="",
            allowed=allowed,
            copay=cp,
            deductible=dd,
            coinsurance=ci,
            over_max=over,
            plan_paid=plan,
            contractual_adj=adj,
            balance_bill=adj if claim.network == "out" else ZERO,
            plan_year=year,
            steps=tuple(steps) if steps is not None else (),
        )

    def _dental_denial(
        self,
        claim: ClaimRecord,
        member: MemberRecord,
        terms: LineTerms,
        year: int,
        allowed: Money,
        steps: list[Step] | None,
    ) -> LineResult | None:
        """A dental line of no class of its coverage, or in its class's waiting period: denied."""
        coverage = terms.coverage
        assert coverage is not None
        cls = terms.dental_class
        if cls is None:
            reason = f"not covered: {claim.category} is not a dental class of {claim.line}"
            return self._deny(claim, year, reason, allowed, steps, coverage.source)
        if cls.waiting_months:
            ends = add_months(member.coverage_start, cls.waiting_months)
            if claim.incurred < ends:
                reason = f"waiting period: class {cls.name} is covered from {ends}"
                return self._deny(claim, year, reason, allowed, steps, cls.source)
        return None

    def _limit_denial(
        self,
        claim: ClaimRecord,
        member_id: str,
        terms: LineTerms,
        year: int,
        allowed: Money,
        steps: list[Step] | None,
    ) -> LineResult | None:
        """A line past a visit limit or a reached dollar maximum (3.5): denied, the limit explained."""
        acc = self.accumulators
        dollars = acc.dollars
        for visit in terms.visit_limits:
            period = LIFETIME if visit.lifetime else year
            used_visits = acc.visits.get((visit.key, period, member_id), 0)
            if steps is not None:
                detail = f"{visit.label}: {used_visits} used before this line"
                counts = {visit.name: Decimal(used_visits)}
                reached = used_visits >= visit.amount
                after = counts if reached else {visit.name: Decimal(used_visits + 1)}
                steps.append(
                    Step(
                        "limit",
                        None,
                        detail,
                        visit.source,
                        counts,
                        after,
                        {visit.name: Decimal(visit.amount)},
                        {visit.name: Decimal(1)},
                    )
                )
            if used_visits >= visit.amount:
                reason = f"visit limit reached: {visit.label}"
                return self._deny(claim, year, reason, allowed, steps, visit.source)
        for cap in terms.dollar_limits:
            period = LIFETIME if cap.lifetime else year
            used_dollars = dollars.get((cap.key, period, member_id), ZERO)
            if used_dollars >= cap.amount:
                if steps is not None:
                    at = {cap.name: used_dollars}
                    detail = f"{cap.label}: {used_dollars} used before this line"
                    steps.append(
                        Step(
                            "maximum",
                            None,
                            detail,
                            cap.source,
                            at,
                            at,
                            {cap.name: cap.amount},
                            {cap.name: allowed},
                        )
                    )
                reason = f"benefit maximum reached: {cap.label}"
                return self._deny(claim, year, reason, allowed, steps, cap.source)
        return None

    # ------------------------------------------------------------------ disability (section 5)

    def _disability(
        self,
        claim: ClaimRecord,
        member: MemberRecord,
        terms: LineTerms,
        year: int,
        steps: list[Step] | None,
    ) -> LineResult:
        disability = terms.disability
        assert disability is not None
        start = claim.absence_start or claim.incurred
        end = claim.absence_end
        if end is None or end < start:
            reason = (
                "incomplete: a disability claim needs absence_start and absence_end (end on or after start)"
            )
            return self._deny(claim, year, reason, None, steps, disability.source)
        accident = claim.cause == "accident"
        period_key = (claim.line, member.member_id)
        last = self._periods.get(period_key)
        prior = None
        if last is not None and last[1] == accident and 0 < (start - last[0]).days <= RECURRENCE_GAP_DAYS:
            prior = last[2]  # fewer than 14 days between the absences: the same disability period
        weekly_earnings = claim.weekly_earnings or member.weekly_earnings
        result: DisabilityBenefit
        if disability.kind == "std":
            if weekly_earnings is None and member.annual_salary is not None:
                earnings: Decimal = member.annual_salary / _WEEKS
            elif weekly_earnings is not None:
                earnings = weekly_earnings
            else:
                reason = f"incomplete: no earnings for member {member.member_id}"
                return self._deny(claim, year, reason, None, steps, disability.source)
            result = std_benefit(disability, start, end, claim.cause, earnings, self._mode, prior)
        else:
            if member.annual_salary is not None:
                annual: Decimal = member.annual_salary
            elif weekly_earnings is not None:
                annual = weekly_earnings * _WEEKS
            else:
                reason = f"incomplete: no earnings for member {member.member_id}"
                return self._deny(claim, year, reason, None, steps, disability.source)
            result = ltd_benefit(disability, start, end, claim.cause, annual, self._mode, prior)
        continues = prior is not None
        if prior is None:
            prior = PeriodSoFar(elimination_days(disability, claim.cause), 0, 0)
        self._periods[period_key] = (
            end,
            accident,
            PeriodSoFar(
                prior.elimination_days,
                prior.disability_days + result.disability_days,
                prior.payable_days + result.payable_days,
            ),
        )
        benefit = result.benefit
        if steps is not None:
            per = "week" if disability.kind == "std" else "month"
            detail = (
                f"{result.periodic_benefit} per {per}; {result.disability_days} days disabled, "
                f"elimination {result.elimination_days} days, {result.payable_days} payable days"
                + (
                    " (continues the disability period that ended less than 14 days before)"
                    if continues
                    else ""
                )
                + (
                    f" ({result.first_payable_day} to {result.last_payable_day})"
                    if result.payable_days
                    else ""
                )
            )
            steps.append(Step("benefit", benefit, detail, disability.source))
            steps.append(
                Step(
                    "plan paid",
                    benefit,
                    "the disability benefit",
                    terms.coverage.source if terms.coverage else None,
                )
            )
        return LineResult(
            claim=claim,
            status="paid",
            reason="",
            allowed=benefit,
            plan_paid=benefit,
            plan_year=year,
            steps=tuple(steps) if steps is not None else (),
            disability=result,
        )

    # ------------------------------------------------------------------ explanation

    def _explain_share(
        self,
        steps: list[Step],
        terms: LineTerms,
        allowed: Money,
        parts: tuple[Money, Money, Money, Money],
        plan: Money,
        caps: list[tuple[DollarLimit, int, Money, Money]],
        before: tuple[Money, Money, Money, Money],
        remaining: tuple[Decimal, Decimal],
        copay_counts_to_oop: bool,
        family: bool,
    ) -> None:
        cp, credit, dd, ci = parts
        ded_m, ded_f, oop_m, oop_f = before
        ded_rem, oop_rem = remaining
        rule = terms.rule

        def oop(m: Money, f: Money) -> dict[str, Money]:
            return {"out_of_pocket.member": m, "out_of_pocket.family": f}

        def ded(m: Money, f: Money) -> dict[str, Money]:
            return {"deductible.member": m, "deductible.family": f}

        cp_oop = cp if copay_counts_to_oop else ZERO
        for name in rule.step_order:  # in the order the rule applied them
            if name == "copay" and rule.copay:
                moved = {**oop(oop_m, oop_f), **ded(ded_m, ded_f)}
                oop_m, oop_f, ded_m, ded_f = oop_m + cp_oop, oop_f + cp_oop, ded_m + credit, ded_f + credit
                after = {**oop(oop_m, oop_f), **ded(ded_m, ded_f)}
                detail = f"copay {rule.copay}, lesser of copay and allowed"
                steps.append(Step("copay", cp, detail, rule.source, moved, after))
            elif name == "deductible" and rule.deductible_applies:
                detail = f"deductible remaining {ded_rem} before this line"
                moved = {**ded(ded_m, ded_f), **oop(oop_m, oop_f)}
                ded_m, ded_f, oop_m, oop_f = ded_m + dd, ded_f + dd, oop_m + dd, oop_f + dd
                after = {**ded(ded_m, ded_f), **oop(oop_m, oop_f)}
                limits = deductible_limits(terms.deductible, family)
                reaching = allowed - _taken_before(rule.step_order, "deductible", cp, ci)
                steps.append(
                    Step(
                        "deductible",
                        dd,
                        detail,
                        terms.deductible.deductible_source,
                        moved,
                        after,
                        limits,
                        dict.fromkeys(limits, reaching),
                    )
                )
            elif name == "coinsurance" and rule.coins:
                detail = (
                    f"member coinsurance {(rule.coins * 100).normalize():f}% rounded on the {self._side} side"
                )
                moved = oop(oop_m, oop_f)
                oop_m, oop_f = oop_m + ci, oop_f + ci
                steps.append(
                    Step("coinsurance", ci, detail, terms.coinsurance_source, moved, oop(oop_m, oop_f))
                )
        total = cp_oop + dd + ci
        if oop_rem is UNLIMITED or oop_rem == UNLIMITED:
            detail = "no out-of-pocket maximum"
        else:
            reached = " (reached)" if total >= oop_rem else ""
            detail = f"out-of-pocket remaining {oop_rem} before this line, {oop_rem - total} after{reached}"
        start_m, start_f = before[2], before[3]
        oop_limits = out_of_pocket_limits(terms.oop, family)
        uncapped = ZERO
        if oop_limits:
            u_cp, _, u_dd, u_ci = share(allowed, rule, ded_rem, UNLIMITED, self._side, self._mode)
            uncapped = (u_cp if copay_counts_to_oop else ZERO) + u_dd + u_ci
        steps.append(
            Step(
                "out_of_pocket",
                total,
                detail,
                terms.oop.oop_source,
                oop(start_m, start_f),
                oop(start_m + total, start_f + total),
                oop_limits,
                dict.fromkeys(oop_limits, uncapped),
            )
        )
        for cap, _period, used, over in caps:
            paid_here = allowed - cp - dd - ci
            detail = f"{cap.label}: {cap.amount - used} available, {over} over the maximum"
            steps.append(
                Step(
                    "maximum",
                    over,
                    detail,
                    cap.source,
                    {cap.name: used},
                    {cap.name: used + plan},  # what the accumulator holds after the line
                    {cap.name: cap.amount},
                    {cap.name: paid_here},
                )
            )
        steps.append(
            Step(
                "plan paid",
                plan,
                "allowed less cost sharing and amounts over a maximum",
                terms.coverage.source if terms.coverage else None,
            )
        )


def _taken_before(order: Sequence[str], step: str, copay: Money, coinsurance: Money) -> Money:
    """What the steps applied before ``step`` took from the allowed amount."""
    taken = ZERO
    for name in order:
        if name == step:
            break
        taken += copay if name == "copay" else coinsurance if name == "coinsurance" else ZERO
    return taken


def deductible_limits(terms: CostSharing, family: bool) -> dict[str, Money]:
    """The deductible amounts that bind a line, by accumulator name (as ``deductible_remaining``)."""
    ind, fam = terms.ded_ind, terms.ded_fam
    out: dict[str, Money] = {}
    if not family or terms.ded_mode == "aggregate":
        first, second = (
            (("member", ind), ("family", fam)) if not family else (("family", fam), ("member", ind))
        )
        for key, amount in (first, second):
            if amount is not None:
                out[f"deductible.{key}"] = amount
                break
        return out
    if ind is not None:
        out["deductible.member"] = ind
    if fam is not None:
        out["deductible.family"] = fam
    return out


def out_of_pocket_limits(terms: CostSharing, family: bool) -> dict[str, Money]:
    """The out-of-pocket maximums that bind a line, by accumulator name (as ``oop_remaining``)."""
    ind, fam, cap = terms.oop_ind, terms.oop_fam, terms.ind_oop_cap_in_family
    out: dict[str, Money] = {}
    if not family:
        if ind is not None:
            out["out_of_pocket.member"] = ind
        elif fam is not None:
            out["out_of_pocket.family"] = fam
        return out
    if terms.oop_mode == "aggregate":
        if fam is not None:
            out["out_of_pocket.family"] = fam
        if cap is not None:
            out["out_of_pocket.member"] = cap
        if fam is None and cap is None and ind is not None:
            out["out_of_pocket.member"] = ind
        return out
    if ind is not None:
        out["out_of_pocket.member"] = ind
    if fam is not None:
        out["out_of_pocket.family"] = fam
    return out
