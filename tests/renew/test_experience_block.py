"""The `experience` block: parsed, formatted back to itself, checked and compiled."""

from __future__ import annotations

from decimal import Decimal

import pytest

import aso_rules
from aso_rules import model
from aso_rules.language.check import check_program
from aso_rules.language.format import format_source
from aso_rules.language.loader import RulesetError, parse_program_text

HEADER = """ruleset "R" {
  plan_year 2026-01-01 to 2026-12-31
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  plan pays 80%
}

coverage rx {
  copay generic $10
}

stop_loss specific "S" {
  deductible $150,000 per claimant
  no_new_lasers on
}
"""

BLOCK = """
experience {
  trend medical 8.5%, rx 11%
  projection 2026-07-01 to 2027-07-01
  completion 97.5%
  pooling_point $150,000 per claimant
  pooling_charge $2.50 pmpm
  credibility limited_fluctuation full at 2,000 lives
  manual_rate EE $520.00, FAM $1,560.00 pepm
  plan_design_change 0.985
  rate_cap 15%
}
"""


def codes(text: str) -> list[str]:
    program, diagnostics = parse_program_text(text)
    assert program is not None, diagnostics
    return [d.code for d in check_program(program).diagnostics]


def test_experience__formats_to_itself() -> None:
    """fmt round-trips the block (and the no_new_lasers setting) byte for byte."""
    text = HEADER + BLOCK
    formatted, diagnostics = format_source(text)
    assert formatted == text, diagnostics


def test_experience__compiles_to_the_model() -> None:
    """Each statement's meaning: rates as fractions, 365 days of projection = 12 months."""
    ruleset = aso_rules.loads(HEADER + BLOCK)
    e = ruleset.experience
    assert e is not None
    assert e.trend == {"medical": Decimal("0.085"), "rx": Decimal("0.11")}
    assert e.projection_months == Decimal("12.000000")  # 365 days x 12 / 365
    assert e.completion == Decimal("0.975")
    assert e.pooling_point == Decimal("150000.00")
    assert e.pooling_charge is not None and e.pooling_charge.unit == "pmpm"
    assert e.credibility == model.LimitedFluctuation(Decimal(2000))
    assert e.manual_rate.for_tier("FAM") == Decimal("1560.00")
    assert e.plan_design_change == Decimal("0.985")
    assert e.rate_cap == Decimal("0.15")
    assert ruleset.specific[0].no_new_lasers is True


def test_experience__buhlmann_and_months() -> None:
    text = HEADER + BLOCK.replace(
        "credibility limited_fluctuation full at 2,000 lives", "credibility buhlmann k 1,500"
    ).replace("projection 2026-07-01 to 2027-07-01", "projection 18 months")
    e = aso_rules.loads(text).experience
    assert e is not None
    assert e.credibility == model.Buhlmann(Decimal(1500))
    assert e.projection_months == Decimal(18)


def test_experience__clean_block_has_no_diagnostic() -> None:
    assert codes(HEADER + BLOCK) == []


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("  credibility limited_fluctuation full at 2,000 lives\n", "", "E350"),
        ("  pooling_point $150,000 per claimant\n", "", "E350"),
        ("rx 11%", "rx 101%", "E351"),
        ("full at 2,000 lives", "full at 0 lives", "E352"),
        ("2027-07-01", "2026-07-20", "E353"),
        ("projection 2026-07-01 to 2027-07-01", "projection 61 months", "E353"),
        ("completion 97.5%", "completion 120%", "E354"),
        ("plan_design_change 0.985", "plan_design_change 4", "E354"),
        ("trend medical 8.5%, rx 11%", "trend medical 8.5%, vision 3%", "E203"),
        ("trend medical 8.5%, rx 11%", "trend medical 8.5%, medical 3%", "E204"),
        ("rate_cap 15%", "rate_cap $15", "E205"),
        ("manual_rate EE $520.00, FAM $1,560.00 pepm", "manual_rate EE $520.00 pepm", "E304"),
        ("rate_cap 15%", "rate_cap 150%", "E301"),
    ],
)
def test_experience__mistakes_have_their_code(old: str, new: str, code: str) -> None:
    text = HEADER + BLOCK
    assert old in text
    assert codes(text.replace(old, new)) == [code]


def test_experience__second_block_is_a_duplicate() -> None:
    assert codes(HEADER + BLOCK + BLOCK) == ["E204"]


def test_experience__errors_stop_loading() -> None:
    with pytest.raises(RulesetError):
        aso_rules.loads(HEADER + BLOCK.replace("completion 97.5%", "completion 0%"))
