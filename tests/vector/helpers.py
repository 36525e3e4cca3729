"""Running worked examples through the vector engine: results by claim id and replayed accumulators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aso_rules.data.records import ClaimRecord, MemberRecord
from aso_rules.model import Ruleset
from aso_rules.money import ZERO
from aso_rules.settle.accumulators import LIFETIME, Accumulators
from aso_rules.settle.adjudicate import adjudicate, individual_tiers
from aso_rules.settle.costshare import deductible_remaining
from aso_rules.settle.order import plan_year_of
from aso_rules.settle.results import LineResult
from aso_rules.settle.terms import resolve_terms
from aso_rules.settle.vector import vector_adjudicate


def replay(
    ruleset: Ruleset, members: Mapping[str, MemberRecord], results: Sequence[LineResult]
) -> Accumulators:
    """The accumulators after ``results`` (processing order), rebuilt from the lines' amounts."""
    acc = Accumulators()
    individual = individual_tiers(ruleset)
    for r in results:
        c = r.claim
        t = resolve_terms(ruleset, c.line, c.network, c.category)
        if r.status != "paid" or t.kind not in ("cost", "dental"):
            continue
        m = members[c.member_id]
        year = plan_year_of(c.incurred, ruleset.plan_year.start)
        dk_m, dk_f = (t.deductible_owner, year, m.member_id), (t.deductible_owner, year, m.family_id)
        ok_m, ok_f = (t.oop_owner, year, m.member_id), (t.oop_owner, year, m.family_id)
        credit = ZERO
        if t.rule.copay_counts_to_deductible:
            family = m.tier not in individual
            rem = deductible_remaining(
                t.deductible, family, acc.ded_member.get(dk_m, ZERO), acc.ded_family.get(dk_f, ZERO)
            )
            for step in t.rule.step_order:
                if step == "copay":
                    credit = min(r.copay, rem)
                    rem -= credit
                elif step == "deductible":
                    rem -= r.deductible
        to_ded = credit + r.deductible
        acc.ded_member[dk_m] = acc.ded_member.get(dk_m, ZERO) + to_ded
        acc.ded_family[dk_f] = acc.ded_family.get(dk_f, ZERO) + to_ded
        to_oop = (r.copay if t.rule.copay_counts_to_oop else ZERO) + r.deductible + r.coinsurance
        acc.oop_member[ok_m] = acc.oop_member.get(ok_m, ZERO) + to_oop
        acc.oop_family[ok_f] = acc.oop_family.get(ok_f, ZERO) + to_oop
        for v in t.visit_limits:
            key = (v.key, LIFETIME if v.lifetime else year, m.member_id)
            acc.visits[key] = acc.visits.get(key, 0) + 1
        for d in t.dollar_limits:
            key = (d.key, LIFETIME if d.lifetime else year, m.member_id)
            acc.dollars[key] = acc.dollars.get(key, ZERO) + r.plan_paid
    return acc


def vector_run(
    ruleset: Ruleset,
    members: Sequence[MemberRecord],
    claims: Sequence[ClaimRecord],
    *,
    explain: bool = False,
) -> tuple[dict[str, LineResult], Accumulators]:
    """``tests.settle.helpers.run`` through the vector engine (explanations stay the reference's)."""
    by_id = {m.member_id: m for m in members}
    results = (adjudicate if explain else vector_adjudicate)(ruleset, by_id, list(claims), explain=explain)
    return {r.claim.claim_id: r for r in results}, replay(ruleset, by_id, results)
