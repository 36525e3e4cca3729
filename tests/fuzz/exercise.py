"""What every rule file must survive: ``check`` never raises, and a file that checks clean loads,
settles in the reference and vector engines with the same ledger, prices and runs its tests
without an exception (a user error the commands report cleanly is not an exception here: see
``PRICE_REFUSALS``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from aso_rules.data.generate import generate_claims, generate_enrollment
from aso_rules.language.loader import RulesetError, check, load
from aso_rules.model import Ruleset
from aso_rules.price.quote import price
from aso_rules.price.severity import PricingError
from aso_rules.testing.runner import run_ruleset
from tests.fuzz.mutations import RULESETS
from tests.vector.test_differential import assert_same

# The refusals `aso price` reports as a one-line error for a plan it cannot price: no claim-cost
# assumptions, no claimant share with a parametric cost, nobody enrolled. Any other PricingError
# after a clean check is a defect (the checker should have said why).
PRICE_REFUSALS = (
    "pricing needs `assumptions { claimant_cost",
    "pricing needs `claimants P% of members`",
    "the enrollment covers no employee in any plan month",
)


def write_ruleset(folder: Path, name: str, text: str) -> Path:
    """The bundled rule files in ``folder`` with ``name`` replaced by ``text``; returns its path."""
    for source in RULESETS.glob("*.aso"):
        shutil.copy(source, folder / source.name)
    target = folder / name
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    return target


def checked(path: Path) -> Ruleset | None:
    """Check ``path`` (never raises); the compiled ruleset when it checks clean, else None, after
    asserting that ``load`` refuses it with ``RulesetError`` and nothing else."""
    diagnostics = check([str(path)])
    if any(d.is_error for d in diagnostics):
        try:
            load(str(path))
        except RulesetError:
            return None
        raise AssertionError("load() accepted a file check() reported errors in")
    try:
        return load(str(path))
    except RulesetError as exc:  # only a file with no plan at all checks clean and does not load
        assert "W101" in {d.code for d in diagnostics}, exc
        return None


def exercise(rs: Ruleset, seed: int) -> None:
    """Settle (both engines), price and run the tests of a ruleset that checked clean."""
    enrollment = generate_enrollment(6, rs.plan_year, seed)
    claims = generate_claims(enrollment, 30, rs.plan_year, seed)
    assert_same(rs, claims, enrollment)
    try:
        price(rs, enrollment, simulations=200, seed=seed, grid=2**14)
    except PricingError as exc:
        assert str(exc).startswith(PRICE_REFUSALS), exc
    run_ruleset(rs)
