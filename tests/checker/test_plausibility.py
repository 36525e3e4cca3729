"""W340-W347: plausibility warnings fire exactly on the nonsense they name, nowhere else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.checker.helpers import codes


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 20_000), st.integers(1, 20_000), st.booleans())
def test_w340__a_copay_above_the_out_of_pocket_maximum(copay: int, oop: int, in_network: bool) -> None:
    """W340 exactly when the copay is above the per-person out-of-pocket maximum, also for a copay
    inside a network block under the coverage's maximum."""
    copay_line = f"  copay office_visit ${copay:,}\n"
    network = f"  network in {{\n  {copay_line}  }}\n" if in_network else copay_line
    body = (
        "coverage medical {\n  deductible $500 per person\n"
        f"  out_of_pocket ${oop:,} per person\n  plan pays 80%\n{network}}}\n"
    )
    found = codes(body)
    assert ("W340" in found) == (copay > oop), found


def test_w340__through_a_constant() -> None:
    body = (
        "let big = $50,000\ncoverage medical {\n  deductible $500 per person\n"
        "  out_of_pocket $5,000 per person\n  plan pays 80%\n  copay office_visit big\n}\n"
    )
    assert "W340" in codes(body)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 60))
def test_w342__a_limit_of_zero_visits(visits: int) -> None:
    body = (
        "coverage medical {\n  plan pays 80%\n"
        f"  limit physical_therapy {visits} visits per person per year\n}}\n"
    )
    assert ("W342" in codes(body)) == (visits == 0)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
def test_w343_w344_w345__zero_exactly(expected: int, maximum: int, claimants: int) -> None:
    """Each fires exactly when its amount is 0 (`expected_claims`, aggregate `maximum`, `claimants`)."""
    body = (
        "coverage medical {\n  plan pays 80%\n}\n"
        'stop_loss aggregate "A" {\n  attachment $100.00 pepm\n'
        f"  maximum ${maximum * 100_000:,}\n  covers medical\n  basis 12/12\n}}\n"
        f"assumptions {{\n  expected_claims ${expected * 100} pepm\n"
        f"  claimants {claimants * 20}% of members\n}}\n"
    )
    found = codes(body)
    assert ("W343" in found) == (expected == 0), found
    assert ("W344" in found) == (maximum == 0), found
    assert ("W345" in found) == (claimants == 0), found


MEDICAL = "coverage medical {\n  deductible $500 per person\n  plan pays 80%\n}\n"


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5_000_00), st.sampled_from(["pepm", "per claim"]), st.booleans())
def test_w347__a_fee_above_the_limit(cents: int, unit: str, tiered: bool) -> None:
    """W347 exactly when a pepm or per-claim fee (flat or any tier of a tier table) is above $1,000."""
    amount = f"${cents // 100:,}.{cents % 100:02d}"
    written = f"EE $30, FAM {amount}" if tiered and unit == "pepm" else amount
    found = codes(MEDICAL + f"admin_fees {{\n  administration {written} {unit}\n}}\n")
    assert ("W347" in found) == (cents > 1_000_00), found


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100))
def test_w347__a_share_of_paid_claims_above_25_percent(percent: int) -> None:
    found = codes(MEDICAL + f"admin_fees {{\n  administration {percent}% of paid_claims\n}}\n")
    assert ("W347" in found) == (percent > 25), found
    assert ("W347" in codes(MEDICAL + "admin_fees {\n  administration 150% of paid_claims\n}\n")) is False


def test_w347__through_a_constant() -> None:
    body = "let fee = $99,999,999,999\n" + MEDICAL + "admin_fees {\n  administration fee pepm\n}\n"
    assert "W347" in codes(body)
