"""aso-rules: a rules engine for self-funded (ASO) employee benefit plans.

The public API::

    import aso_rules
    rs = aso_rules.load("rulesets/acme-2026.aso")      # raises RulesetError (carries .diagnostics)
    diags = aso_rules.check("rulesets/acme-2026.aso")  # list of Diagnostic; never raises for user errors
    s = aso_rules.settle_claims(rs, claims, enrollment)  # a Settlement (also rs.settle(...))
    q = aso_rules.price_plan(rs, enrollment)             # a Quote (also rs.price(...))

Names are imported on first use, so that ``import aso_rules.model`` stays light. The two
conveniences are named ``settle_claims`` / ``price_plan`` because ``aso_rules.settle`` and
``aso_rules.price`` are the packages that do the work.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aso_rules.language.diagnostics import Diagnostic, Span
    from aso_rules.language.loader import RulesetError, check, load, loads
    from aso_rules.model import Ruleset
    from aso_rules.price.quote import Quote
    from aso_rules.settle import Settlement

__all__ = [
    "Diagnostic",
    "Quote",
    "Ruleset",
    "RulesetError",
    "Settlement",
    "Span",
    "check",
    "load",
    "loads",
    "price_plan",
    "settle_claims",
]
__version__ = "0.1.0"  # the one source of the version: pyproject reads it (hatch)

_HOMES = {
    "Diagnostic": "aso_rules.language.diagnostics",
    "Span": "aso_rules.language.diagnostics",
    "RulesetError": "aso_rules.language.loader",
    "check": "aso_rules.language.loader",
    "load": "aso_rules.language.loader",
    "loads": "aso_rules.language.loader",
    "Ruleset": "aso_rules.model",
    "Quote": "aso_rules.price.quote",
    "Settlement": "aso_rules.settle",
}


def settle_claims(
    ruleset: Ruleset, claims: Any, enrollment: Any, *, engine: str = "reference", **kw: Any
) -> Any:
    """Settle claims against enrollment; returns a ``Settlement`` (see ``aso_rules.settle.settle``)."""
    from aso_rules.settle import settle

    return settle(ruleset, claims, enrollment, engine=engine, **kw)


def price_plan(ruleset: Ruleset, enrollment: Any, **kw: Any) -> Any:
    """Price the plan year for an enrollment; returns a ``Quote`` (see ``aso_rules.price.price``)."""
    from aso_rules.price import price

    return price(ruleset, enrollment, **kw)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'aso_rules' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
