"""The fuzz suite (issue 14): mutated bundled rulesets, extreme numbers and random text.

``check`` never raises; whatever checks clean settles in both engines with the same ledger,
prices and runs its tests without an exception (tests/fuzz/exercise.py). The default run takes a
few hundred examples, the slow run (CI) tens of thousands, and ``scripts/fuzz`` any number with a
seed (docs/testing.md records its last result).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aso_rules.language.loader import check
from tests.fuzz.exercise import checked, exercise, write_ruleset
from tests.fuzz.mutations import SOURCES, extreme_numbers, mutants, random_text

# scripts/fuzz sets ASO_FUZZ_SCALE: every example count below is multiplied by it
SCALE = float(os.environ.get("ASO_FUZZ_SCALE", "1"))


def sized(n: int) -> settings:
    return settings(
        max_examples=max(1, int(n * SCALE)),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


def _check_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.aso"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        check([str(path)])


def _mutant(name: str, text: str, seed: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        rs = checked(write_ruleset(Path(folder), name, text))
        if rs is not None:
            exercise(rs, seed)


@sized(60)
@given(mutants(), st.integers(0, 2**16))
def test_mutated_rulesets__check_never_raises_and_clean_ones_run(case: tuple[str, str], seed: int) -> None:
    """A mutated bundled ruleset: check never raises; if it checks clean it settles in both
    engines alike, prices and runs its tests."""
    _mutant(*case, seed)


@sized(30)
@given(
    st.sampled_from(sorted(SOURCES)).flatmap(lambda n: st.tuples(st.just(n), extreme_numbers(SOURCES[n]))),
    st.integers(0, 2**16),
)
def test_extreme_numbers__check_or_run_cleanly(case: tuple[str, str], seed: int) -> None:
    """A bundled ruleset with numbers from the extremes: an error with a code, or it runs."""
    _mutant(*case, seed)


@sized(200)
@given(random_text)
def test_random_text__check_never_raises(text: str) -> None:
    """Random text and word soup: diagnostics, never an exception."""
    _check_text(text)


@pytest.mark.slow
@sized(1_000)
@given(mutants(), st.integers(0, 2**16))
def test_mutated_rulesets__sweep(case: tuple[str, str], seed: int) -> None:
    """The mutation sweep at CI size."""
    _mutant(*case, seed)


@pytest.mark.slow
@sized(20_000)
@given(random_text)
def test_random_text__sweep(text: str) -> None:
    """The random-text sweep at CI size."""
    _check_text(text)
