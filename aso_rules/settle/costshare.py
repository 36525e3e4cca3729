"""Member cost sharing of one covered line (docs/semantics.md 3.4).

On entry: the allowed amount, the category rule, the deductible and out-of-pocket amounts that
apply, and the accumulator values just before the line. On exit: the copay, the part of the copay
credited to the deductible, the deductible and the coinsurance, each >= 0, with
``copay + deductible + coinsurance <= allowed`` and the out-of-pocket cap applied component by
component in the rule's step order. Only the coinsurance is rounded (point 2 of docs/semantics.md 11): on the
member side by default, the plan share then follows by subtraction.

``None`` amounts mean "no such limit": no deductible at all leaves nothing to pay toward it; no
out-of-pocket maximum leaves cost sharing uncapped (``UNLIMITED``).
"""

from __future__ import annotations

from decimal import Decimal

from aso_rules.model import CategoryRule, CostSharing
from aso_rules.money import ZERO, Money, RoundingMode, round_money

UNLIMITED = Decimal("Infinity")
ONE = Decimal(1)


def deductible_remaining(terms: CostSharing, family: bool, member_acc: Money, family_acc: Money) -> Decimal:
    """``ded_rem`` before the line: EE uses the person amount; family tiers embedded or aggregate."""
    ind, fam = terms.ded_ind, terms.ded_fam
    if ind is None and fam is None:
        return ZERO
    if not family:
        rem = (ind - member_acc) if ind is not None else (fam - family_acc)  # type: ignore[operator]
    elif terms.ded_mode == "aggregate":
        rem = (fam - family_acc) if fam is not None else (ind - member_acc)  # type: ignore[operator]
    else:
        rem = min(
            ind - member_acc if ind is not None else UNLIMITED,
            fam - family_acc if fam is not None else UNLIMITED,
        )
    return rem if rem > ZERO else ZERO


def oop_remaining(terms: CostSharing, family: bool, member_acc: Money, family_acc: Money) -> Decimal:
    """``oop_rem`` before the line (``UNLIMITED`` when the plan has no out-of-pocket maximum)."""
    ind, fam = terms.oop_ind, terms.oop_fam
    if not family:
        if ind is not None:
            rem = ind - member_acc
        elif fam is not None:
            rem = fam - family_acc
        else:
            return UNLIMITED
    elif terms.oop_mode == "aggregate":
        cap = terms.ind_oop_cap_in_family
        rem = min(
            fam - family_acc if fam is not None else UNLIMITED,
            cap - member_acc if cap is not None else UNLIMITED,
        )
        if fam is None and cap is None and ind is not None:
            rem = ind - member_acc
    else:
        rem = min(
            ind - member_acc if ind is not None else UNLIMITED,
            fam - family_acc if fam is not None else UNLIMITED,
        )
    return rem if rem > ZERO else ZERO


def member_coinsurance(amount: Money, coins: Decimal, side: str, mode: RoundingMode) -> Money:
    """The member's coinsurance on ``amount``: rounded on the member side, or the plan side."""
    if side == "plan":
        return amount - round_money(amount * (ONE - coins), mode)
    return round_money(amount * coins, mode)


def share(
    allowed: Money,
    rule: CategoryRule,
    ded_rem: Decimal,
    oop_rem: Decimal,
    side: str,
    mode: RoundingMode,
) -> tuple[Money, Money, Money, Money]:
    """(copay, copay credited to the deductible, deductible, coinsurance) of one line."""
    rem = allowed
    orem = oop_rem
    cp = credit = dd = ci = ZERO
    for step in rule.step_order:
        if step == "copay":
            cp = min(rule.copay, rem)
            if rule.copay_counts_to_oop:
                cp = min(cp, orem)
                orem -= cp
            rem -= cp
            if rule.copay_counts_to_deductible:
                credit = min(cp, ded_rem)
                ded_rem -= credit
        elif step == "deductible":
            if rule.deductible_applies:
                dd = min(rem, ded_rem, orem)
                rem -= dd
                orem -= dd
                ded_rem -= dd
        elif step == "coinsurance" and rule.coins:
            ci = min(member_coinsurance(rem, rule.coins, side, mode), orem)
            rem -= ci
            orem -= ci
    return cp, credit, dd, ci
