"""The one documented range of every quantity a rule file or a data row may hold.

On entry: nothing. On exit: the range constants and the helpers that test a value against them,
shared by the checker (rule files, E318) and the data readers (row rejects), so that anything that
checks clean settles and prices in every engine without overflow.

Why these bounds keep int64 cents exact (the vector engine): the largest int64 is
9,223,372,036,854,775,807 cents (about $9.2e16). A rule-file amount is at most ``MAX_MONEY``
($1,000,000,000,000 = 1e14 cents) and a data amount at most ``MAX_DATA_MONEY`` ($1,000,000,000 =
1e11 cents). The largest sum of a plan year's lines the engines form is the sum of at most
``MAX_DATA_MONEY`` per line over the lines of one run; with the per-line bound that sum stays
below int64 for up to 92,233,720 lines (9.22e18 / 1e11), which is above ``MAX_LINES_PER_RUN``.
A product of a rate and an amount is formed in Decimal or as cents * basis points (1e11 * 1e4 =
1e15), far from the limit. ``tests/test_bounds.py`` checks this arithmetic.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

INT64_MAX = 2**63 - 1
MAX_MONEY = Decimal("1000000000000")  # $1 trillion: any amount written in a rule file
MAX_DATA_MONEY = Decimal("1000000000")  # $1 billion: billed/allowed/paid/salary of one data row
MAX_COUNT = Decimal("1000000")  # visits, units, claimants, days, limits, plain numbers
MAX_UNITS = 1_000_000  # units of one claim line
MAX_MONTHS = 1200  # any duration, in months (100 years)
MAX_DAYS = 36600  # any duration, in days
MAX_WEEKS = 5220  # any duration, in weeks
MIN_YEAR = 1900
MAX_YEAR = 2200
MAX_LINES_PER_RUN = 50_000_000
MIN_PLAN_MONTHS = 1
MAX_PLAN_MONTHS = 24

MAX_DURATION = {"days": Decimal(MAX_DAYS), "weeks": Decimal(MAX_WEEKS), "months": Decimal(MAX_MONTHS)}


def money_in_range(amount: Decimal, bound: Decimal = MAX_DATA_MONEY) -> bool:
    """True when ``-bound < amount < bound`` (and finite)."""
    try:
        return amount.is_finite() and -bound < amount < bound
    except InvalidOperation:  # pragma: no cover - comparisons of finite decimals do not raise
        return False


def money_reason(amount: Decimal, field: str) -> str | None:
    """The reject reason of a data amount outside the range, or None when it is inside."""
    if money_in_range(amount):
        return None
    return f"{field} is outside the supported range (below ${MAX_DATA_MONEY:,} in absolute value)"


def units_reason(units: int) -> str | None:
    if 0 <= units <= MAX_UNITS:
        return None
    return f"units is outside the supported range (0 to {MAX_UNITS:,})"
