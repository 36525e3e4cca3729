"""Pricing the plan year before it starts (docs/semantics.md section 13).

On entry: a compiled ``Ruleset`` with ``assumptions`` and a projected enrollment. On exit: a
``Quote`` (``Quote.summary`` is price.json; ``Quote.write(dir)`` writes price.json and report.html).
"""

from aso_rules.price.quote import Quote, price
from aso_rules.price.severity import PricingError

__all__ = ["PricingError", "Quote", "price"]
