"""aso-rules: a rules engine for self-funded (ASO) employee benefit plans.

The public API::

    import aso_rules
    rs = aso_rules.load("rulesets/acme-2026.aso")      # raises RulesetError (carries .diagnostics)
    diags = aso_rules.check("rulesets/acme-2026.aso")  # list of Diagnostic; never raises for user errors
    s = rs.settle(claims, enrollment)                  # a Settlement
    q = rs.price(enrollment)                           # a Quote
"""

from __future__ import annotations

from aso_rules.language.diagnostics import Diagnostic, Span
from aso_rules.language.loader import RulesetError, check, load, loads
from aso_rules.model import Ruleset

__all__ = ["Diagnostic", "Ruleset", "RulesetError", "Span", "check", "load", "loads"]
__version__ = "0.1.0"
