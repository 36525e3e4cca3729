"""The rulesets the input tests read against: the project's Acme example, loaded from its rule file.

``acme_2026()`` is rulesets/acme-2026.aso (the bundled example) compiled by the loader, once per
test session; the readers and the generator use its tiers, coverages, categories, excluded lines,
fee schedule and stop-loss lasers.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from aso_rules.language.loader import loads
from aso_rules.model import PlanYear, Ruleset

ACME = Path(__file__).resolve().parents[2] / "rulesets" / "acme-2026.aso"
PLAN_YEAR_2026 = PlanYear(date(2026, 1, 1), date(2026, 12, 31))


@cache
def acme_2026() -> Ruleset:
    """LANGUAGE.md's Acme Manufacturing 2026 example, as the loader compiles it."""
    # ``loads`` on the file's text: tests that stand a fake ``load`` in for the CLI build on this one
    return loads(ACME.read_text(encoding="utf-8"), filename=str(ACME), root=ACME.parent)
