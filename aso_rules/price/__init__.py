"""Pricing the plan year before it starts (docs/semantics.md section 13).

On entry: a compiled ``Ruleset`` with ``assumptions`` and a projected enrollment. On exit: a
``Quote`` (``Quote.summary`` is price.json; ``Quote.write(dir)`` writes price.json and report.html).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aso_rules.price.quote import Quote, price
    from aso_rules.price.severity import PricingError

__all__ = ["PricingError", "Quote", "price"]

# imported on first use, so that ``aso_rules.price.continuance`` (the checker reads continuance
# tables) does not need the ``pricing`` extra
_HOMES = {
    "Quote": "aso_rules.price.quote",
    "price": "aso_rules.price.quote",
    "PricingError": "aso_rules.price.severity",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'aso_rules.price' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
