"""What the claim-level pipeline (adjudication) hands to stop-loss, fees and the ledger.

One ``LineResult`` per accepted claim line, in processing order. Identities that hold for every
line (docs/semantics.md 3.6, I-LINE-1): ``allowed == plan_paid + copay + deductible + coinsurance +
over_max``; a denied line has allowed, plan_paid, cost sharing and over_max all 0 and
``noncovered == billed`` (or the repriced amount, per ``settings.noncovered_basis``).
"""

from __future__ import annotations

from typing import Literal

import attrs

from aso_rules.data.records import ClaimRecord
from aso_rules.model import FrozenMap, Source, fmap
from aso_rules.money import ZERO, Money
from aso_rules.settle.disability import DisabilityBenefit


@attrs.frozen
class Step:
    """One step of a line's explanation: what was computed, the amount, and which statement said so.

    ``before``/``after`` hold the accumulator values the step read and moved (e.g.
    ``{"deductible.member": Decimal("0.00")}``), keyed by a readable accumulator name.
    ``limits`` holds the threshold that applied to an accumulator on this line (the person or family
    deductible, out-of-pocket maximum, visit or dollar limit) and ``offered`` what the line put
    against it before any cap: ``before + offered`` compared with the limit says whether the line
    stayed below the threshold, met it exactly or went beyond it (``aso test --coverage``). Neither
    is rendered in the explanation text.
    """

    name: str  # e.g. "reprice", "eligibility", "copay", "deductible", "coinsurance", "limit"
    amount: Money | None
    detail: str
    source: Source | None = None
    before: FrozenMap[str, Money] = attrs.field(factory=FrozenMap, converter=fmap)
    after: FrozenMap[str, Money] = attrs.field(factory=FrozenMap, converter=fmap)
    limits: FrozenMap[str, Money] = attrs.field(factory=FrozenMap, converter=fmap)
    offered: FrozenMap[str, Money] = attrs.field(factory=FrozenMap, converter=fmap)


@attrs.frozen
class LineResult:
    claim: ClaimRecord
    status: Literal["paid", "denied"]
    reason: str  # empty when paid
    allowed: Money
    copay: Money = ZERO
    deductible: Money = ZERO
    coinsurance: Money = ZERO
    over_max: Money = ZERO
    plan_paid: Money = ZERO
    contractual_adj: Money = ZERO  # billed - allowed when billed >= allowed
    noncovered: Money = ZERO
    balance_bill: Money = ZERO
    plan_year: int = 0  # the plan year (by its start year) of the incurred date
    steps: tuple[Step, ...] = ()
    # A paid disability line's computation (weekly or monthly benefit, days, payable dates), as the
    # reference engine settled it (recurrence included); other engines may leave it out.
    disability: DisabilityBenefit | None = attrs.field(default=None, eq=False)
    # False: the line is outside stop-loss whatever the contracts say (an administrator's payment of
    # an excluded service, settled with ``settle --adjudicated``); adjudication never sets it.
    stop_loss_eligible: bool = True
    # The plan paid the administrator has adjudicated on this line but not yet paid (an ``approved``
    # row of ``settle --adjudicated``: what specific advance funding is requested on); 0 otherwise.
    awaiting_funding: Money = ZERO

    @property
    def cost_share(self) -> Money:
        return self.copay + self.deductible + self.coinsurance

    @property
    def member_paid(self) -> Money:
        """The ledger's member_paid: cost sharing plus amounts over a benefit maximum."""
        return self.cost_share + self.over_max


@attrs.frozen
class LineSum:
    """One line of coverage's settled lines: summary.json's ``by_line`` entry."""

    claims: int
    allowed: Money
    member_paid: Money
    plan_paid: Money


@attrs.frozen
class LineTotals:
    """Sums over a run's settled lines (exact: Decimal cents, whatever the engine summed them in)."""

    settled: int
    paid: int
    billed: Money
    allowed: Money
    member_paid: Money
    plan_paid: Money
    by_line: FrozenMap[str, LineSum] = attrs.field(converter=fmap)
    unknown_categories: FrozenMap[str, FrozenMap[str, int]] = attrs.field(converter=fmap)
