"""The checker, one rule at a time: each test writes a small program in the rule language and
states which diagnostic (code and line) it must get. The header takes lines 1-4."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aso_rules.language.check import CHECKS, CODES
from tests.checker.helpers import HEADER, MEDICAL, diagnose, diagnose_file, found


def test_registry__every_check_documents_its_rule() -> None:
    """Each registered check has a docstring naming the codes it emits, all of them known codes."""
    for check in CHECKS:
        assert check.__doc__, check.__name__
        named = [
            w.strip(":,")
            for w in check.__doc__.split()
            if w.strip(":,")[:1] in "EW" and w.strip(":,")[1:4].isdigit()
        ]
        assert named, check.__name__
        assert all(code in CODES for code in named), (check.__name__, named)


def test_check__clean_program_has_no_diagnostics() -> None:
    """A small complete program checks clean."""
    assert diagnose(MEDICAL) == []


# ---------------------------------------------------------------------------- names


def test_check_unknown_constants__unknown_name_is_reported_where_used() -> None:
    """A name no `let` defines is E201 at the name, with the closest constant as a hint."""
    diags = diagnose("""
        let specific_deductible = $150,000
        stop_loss specific "S" {
          deductible specific_deductable per claimant
        }
    """)
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("E201", 8, 14)]
    assert "specific_deductible" in diags[0].hint


def test_check_unknown_constants__defined_constant_resolves() -> None:
    """A constant of the right unit is accepted wherever its value would be."""
    assert (
        found("""
        let sd = $150,000
        stop_loss specific "S" {
          deductible sd per claimant
        }
    """)
        == []
    )


def test_check_unknown_constants__words_in_context_are_not_constants() -> None:
    """`relationship spouse`, `cause accident` and `status denied` are words, not constants."""
    assert (
        found(
            MEDICAL
            + """
        coverage std {
          benefit 60% of weekly_earnings up to $1,000 per week
        }
        test "t" {
          member "A" family "A" tier EE
          member "B" family "A" tier EE relationship spouse
          claim "c" member "B" std disability incurred 2026-02-01 cause accident
          expect "c" status denied
          claim "d" member "B" std disability incurred 2026-02-01 absence 2026-02-01 to 2026-02-10
          expect "c" status denied
        }
    """
        )
        == []
    )


def test_check_tier_tables__unknown_missing_and_repeated_tiers() -> None:
    """A tier table names declared tiers (E202), all of them (E304), each once (E305)."""
    assert found("""
        admin_fees {
          a EE $1.00, XX $2.00, FAM $3.00 pepm
          b EE $1.00 pepm
          c EE $1.00, FAM $2.00, FAM $3.00 pepm
          d $4.00 pepm
        }
    """) == [("E202", 7), ("E304", 8), ("E305", 9)]


def test_check_tier_tables__constant_tier_table_is_checked_where_defined() -> None:
    """A tier table in a `let` is checked too."""
    assert found("let rates = EE $1.00 pepm\n") == [("E304", 5)]


def test_check_test_tiers__member_tier_must_be_declared() -> None:
    """A test member's tier is a declared tier (E202)."""
    assert ("E202", 13) in found(
        MEDICAL
        + """
        test "t" {
          member "A" family "A" tier ES
          claim "c" member "A" medical lab incurred 2026-02-01 allowed $10.00
          expect "c" plan_paid $8.00
        }
    """
    )


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('stop_loss specific "S" {\n  deductible $1 per claimant\n  covers medical, rxx\n}\n', 14),
        ("coverage rx {\n  shares out_of_pocket with medicl\n}\n", 13),
        ("fee_schedule dental {\n  in_network 50% of billed\n}\n", 12),
        ("admin_fees {\n  admin 5% of paid_claims dental\n}\n", 13),
    ],
)
def test_check_unknown_lines__references_name_declared_coverage(body: str, line: int) -> None:
    """`covers`, `shares ... with`, `fee_schedule` and fee lines name a declared coverage (E203)."""
    assert found(MEDICAL + "\n" + body) == [("E203", line)]


def test_check_unknown_lines__test_claim_may_name_an_excluded_line() -> None:
    """A test claim of an excluded line is fine (it is denied); of an unknown line it is E203."""
    body = (
        MEDICAL
        + """
        exclude coverage life "insured"
        test "t" {
          member "A" family "A" tier EE
          claim "c1" member "A" life death incurred 2026-02-01 allowed $10.00
          claim "c2" member "A" vison exam incurred 2026-02-01 allowed $10.00
          expect "c1" status denied
        }
    """
    )
    assert found(body) == [("E203", 16)]


# ---------------------------------------------------------------------------- duplicates


def test_check_duplicate_definitions__constant_and_coverage_twice() -> None:
    """A constant or coverage defined twice is E204 at the second definition, naming the first."""
    diags = diagnose("let a = $1\nlet a = $2\n" + MEDICAL + MEDICAL)
    assert [(d.code, d.span.line) for d in diags] == [("E204", 6), ("E204", 14)]
    assert "line 5" in diags[0].message


def test_check_duplicate_definitions__across_includes(tmp_path: Path) -> None:
    """A coverage defined in the root and again in an included file is E204 in the included file."""
    (tmp_path / "more.aso").write_text(MEDICAL.lstrip("\n"))
    root = tmp_path / "plan.aso"
    root.write_text(HEADER + 'include "more.aso"\n' + MEDICAL)
    diags = diagnose_file(root)
    assert [(d.code, Path(d.span.file).name, d.span.line) for d in diags] == [("E204", "more.aso", 1)]
    assert "plan.aso" in diags[0].message


def test_check_duplicate_definitions__covered_and_excluded_line() -> None:
    """A line cannot be both a coverage and an excluded coverage."""
    assert ("E204", 6) in found(MEDICAL + 'exclude coverage medical "no"\n')


def test_check_duplicate_definitions__stop_loss_names_and_second_aggregate() -> None:
    """Stop-loss contracts have distinct names and there is one aggregate contract."""
    body = (
        MEDICAL
        + """
        stop_loss specific "S" {
          deductible $100,000 per claimant
        }
        stop_loss aggregate "S" {
          attachment EE $500.00, FAM $1,000.00 pepm
        }
        stop_loss aggregate "A2" {
          attachment EE $500.00, FAM $1,000.00 pepm
        }
    """
    )
    assert found(body) == [("E204", 15), ("E204", 18)]


def test_check_repeated_statements__parameter_and_category_stated_twice() -> None:
    """Two `plan pays` in one coverage, and a category with a copay and `covered in full`, are E204."""
    assert found("""
        coverage medical {
          plan pays 80%
          plan pays 70%
          copay office_visit $20
          covered in full office_visit
        }
    """) == [("E204", 8), ("E204", 10)]


# ---------------------------------------------------------------------------- header and settings


def test_check_header__plan_year_end_before_start() -> None:
    """A plan year ending before it starts is E306."""
    header = HEADER.replace("2026-01-01 to 2026-12-31", "2026-12-31 to 2026-01-01")
    assert found(MEDICAL, header=header) == [("E306", 2)]


def test_check_header__impossible_date() -> None:
    """A date not on the calendar is E314."""
    header = HEADER.replace("2026-12-31", "2026-13-01")
    assert found(MEDICAL, header=header) == [("E314", 2)]


def test_check_header__missing_header_plan_year_and_tiers() -> None:
    """No header, or a header without plan_year or tiers, is E315."""
    assert found(MEDICAL, header="") == [("E315", 2)]
    assert found(MEDICAL, header='ruleset "T" {\n  currency USD\n}\n') == [("E315", 1), ("E315", 1)]


def test_check_settings__unknown_value_and_wrong_place() -> None:
    """A setting takes its key's values (E207) and stands where it belongs (E208)."""
    header = HEADER.replace("  tiers", "  rounding half_down\n  asd_counts on\n  tiers")
    assert found(MEDICAL, header=header) == [("E207", 3), ("E208", 4)]


def test_check_settings__known_settings_are_clean() -> None:
    """Every setting with a valid value in its place checks clean."""
    header = HEADER.replace(
        "  tiers",
        "  rounding half_even\n  processing_order incurred\n  lesser_of_billed off\n"
        "  pct_of_claims_base net_of_stop_loss\n  tiers",
    )
    body = (
        MEDICAL
        + """
        stop_loss aggregate "A" {
          attachment EE $500.00, FAM $1,000.00 pepm
          laser_treatment standard_only
          claim_basis net_of_specific
          cap_per_claimant off
          terminal_liability on
        }
    """
    )
    assert found(body, header=header) == []


# ---------------------------------------------------------------------------- coverage


@pytest.mark.parametrize("line", ["life", "accidental_death"])
def test_check_coverage_kinds__life_lines_are_not_aso(line: str) -> None:
    """A `life` or `accidental_death` coverage is E308."""
    assert found(f"coverage {line} {{\n}}\n") == [("E308", 5)]


def test_check_coverage_kinds__unknown_kind_and_prefixed_kind() -> None:
    """`hospital` is no kind (E209); `medical_hmo` is a medical line."""
    assert found("coverage hospital {\n}\ncoverage medical_hmo {\n  plan pays 90%\n}\n") == [("E209", 5)]


def test_check_coverage_kinds__statement_of_another_kind() -> None:
    """A dental class in medical and cost sharing in std are E208; std needs a benefit (E315)."""
    assert found("""
        coverage medical {
          class basic pays 80%
        }
        coverage std {
          plan pays 80%
        }
    """) == [("E208", 7), ("E315", 9), ("E208", 10)]


def test_check_cost_sharing__family_below_person() -> None:
    """A family deductible or out-of-pocket below the person amount is E303 at the family amount."""
    diags = diagnose("""
        coverage medical {
          deductible $1,500 per person, $1,000 per family
          out_of_pocket $5,000 per person, $4,000 per family
        }
    """)
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("E303", 7, 33), ("E303", 8, 36)]


def test_check_cost_sharing__out_of_pocket_below_deductible() -> None:
    """An out-of-pocket maximum below the deductible is E302."""
    assert found("""
        coverage medical {
          deductible $3,000 per person, $6,000 per family
          out_of_pocket $2,000 per person, $6,000 per family
        }
    """) == [("E302", 8)]


def test_check_cost_sharing__out_of_network_inherits_unstated_values() -> None:
    """An out-of-network deductible above the in-network out-of-pocket it inherits is E302."""
    assert found("""
        coverage medical {
          deductible $1,000 per person, $2,000 per family
          out_of_pocket $4,000 per person, $8,000 per family
          network out {
            deductible $5,000 per person, $10,000 per family
          }
        }
    """) == [("E302", 10)]


def test_check_cost_sharing__percentages_and_units() -> None:
    """`plan pays` above 100% is E301; a percent deductible and a pepm deductible are E205."""
    assert found("""
        coverage medical {
          deductible 20% per person
          out_of_pocket $5,000 pepm
          plan pays 120%
        }
    """) == [("E205", 7), ("E205", 8), ("E301", 9)]


def test_check_cost_sharing__constants_are_typed_by_unit() -> None:
    """A percentage constant used as a deductible is E205, naming the constant."""
    diags = diagnose("""
        let share = 80%
        coverage medical {
          deductible share per person
        }
    """)
    assert [(d.code, d.span.line) for d in diags] == [("E205", 8)]
    assert "`share`" in diags[0].message


def test_check_copays__copay_must_be_money() -> None:
    """A percentage copay is E205."""
    assert found("coverage medical {\n  copay office_visit 20%\n}\n") == [("E205", 6)]


def test_check_family_out_of_pocket_cap__aggregate_needs_individual_cap() -> None:
    """An aggregate family out-of-pocket without `individual_cap` is E309, also when the mode comes
    from an aggregate deductible; with the cap it is clean."""
    assert found("""
        coverage medical {
          deductible $2,000 per person, $4,000 per family aggregate
          out_of_pocket $5,000 per person, $8,000 per family
        }
    """) == [("E309", 8)]
    assert (
        found("""
        coverage medical {
          deductible $2,000 per person, $4,000 per family aggregate
          out_of_pocket $5,000 per person, $8,000 per family aggregate individual_cap $5,000
        }
    """)
        == []
    )


def test_check_limits__dollar_maximum_on_essential_benefit_warns() -> None:
    """A dollar limit on an EHB category of medical is W305; on infertility, or a visit limit, it is not."""
    assert found("""
        coverage medical {
          limit inpatient $100,000 per person per year
          limit infertility $15,000 per person lifetime
          limit physical_therapy 20 visits per person per year
        }
        coverage dental {
          limit preventive $500 per person per year
        }
    """) == [("W305", 7)]


def test_check_limits__wrong_units() -> None:
    """A limit is a count of visits or money per person per year or lifetime (E205 otherwise)."""
    assert found("""
        coverage medical {
          limit chiropractic 20% per person per year
          limit chiropractic 20 visits pepm
        }
    """) == [("E205", 7), ("E205", 8)]


def test_check_dental__class_percentage_waiting_and_maximum() -> None:
    """Class pays 0-100% (E301), waiting in months (E205), the maximum money per person (E205)."""
    assert found("""
        coverage dental {
          class basic pays 180%
          class major pays 50% waiting 12 weeks
          maximum $1,500 pepm
        }
    """) == [("E301", 7), ("E205", 8), ("E205", 9)]


def test_check_disability__bases_causes_and_periods() -> None:
    """Benefit of weekly earnings (E212 otherwise), causes illness/accident (E212), elimination in
    days (E205 for months), the std maximum per week (E205)."""
    assert found("""
        coverage std {
          benefit 60% of salary up to $1,000 per month
          elimination 1 months illness, 0 days injury
        }
    """) == [("E212", 7), ("E205", 7), ("E205", 8), ("E212", 8)]


def test_check_disability__ltd_is_monthly() -> None:
    """An LTD benefit of monthly earnings up to money per month, with a minimum, checks clean."""
    assert (
        found("""
        coverage ltd {
          benefit 60% of monthly_earnings up to $10,000 per month
          elimination 90 days
          minimum $100 or 10% of benefit
        }
    """)
        == []
    )


# ---------------------------------------------------------------------------- repricing


def test_check_fee_schedules__percent_base_and_prices() -> None:
    """Network pricing 0-100% (E301) of billed (E212); a code price is money (E205)."""
    assert found(
        MEDICAL
        + """
        fee_schedule medical {
          in_network 120% of billed
          out_of_network 80% of allowed
          code "99213" 40%
          category inpatient $2,450 per day
        }
    """
    ) == [("E301", 13), ("E212", 14), ("E205", 15)]


# ---------------------------------------------------------------------------- stop-loss


def test_check_specific_stop_loss__units_basis_and_missing_deductible() -> None:
    """Deductible per claimant (E205 for pepm), basis at least 12/12 (E313), reimburses 0-100%
    (E301), premium pepm (E205); a contract without a deductible is E315."""
    assert found(
        MEDICAL
        + """
        stop_loss specific "S" {
          deductible $150,000 pepm
          basis 6/12
          reimburses 110%
          premium $40 per claimant
        }
        stop_loss specific "T" {
          covers medical
        }
    """
    ) == [("E205", 13), ("E313", 14), ("E301", 15), ("E205", 16), ("E315", 18)]


def test_check_specific_stop_loss__laser_below_deductible_warns() -> None:
    """A laser below the specific deductible is W302; above it, or `excluded`, is clean."""
    assert found(
        MEDICAL
        + """
        stop_loss specific "S" {
          deductible $150,000 per claimant
          laser "M1" $100,000
          laser "M2" $400,000
          laser "M3" excluded
        }
    """
    ) == [("W302", 14)]


def test_check_specific_tiers__exact_stack_is_clean() -> None:
    """Tiers where each starts at the one below's deductible plus maximum check clean (any order)."""
    assert (
        found(
            MEDICAL
            + """
        stop_loss specific "upper" {
          deductible $1,000,000 per claimant
        }
        stop_loss specific "lower" {
          deductible $150,000 per claimant
          maximum $850,000 per claimant
        }
    """
        )
        == []
    )


def test_check_specific_tiers__overlap_is_an_error_and_gap_a_warning() -> None:
    """A tier starting below the top of the one beneath is E307; above it, W301 (docs/semantics.md 6.4)."""
    overlap = (
        MEDICAL
        + """
        stop_loss specific "lower" {
          deductible $150,000 per claimant
          maximum $850,000 per claimant
        }
        stop_loss specific "upper" {
          deductible $900,000 per claimant
        }
    """
    )
    gap = overlap.replace("$900,000", "$1,250,000")
    assert found(overlap) == [("E307", 16)]
    assert found(gap) == [("W301", 16)]


def test_check_specific_tiers__lower_tier_without_maximum_overlaps() -> None:
    """A lower tier with no maximum pays everything above it, so any upper tier overlaps (E307)."""
    assert found(
        MEDICAL
        + """
        stop_loss specific "lower" {
          deductible $150,000 per claimant
        }
        stop_loss specific "upper" {
          deductible $1,000,000 per claimant
        }
    """
    ) == [("E307", 15)]


def test_check_aggregate_stop_loss__attachment_on_expected_claims() -> None:
    """`attachment P% of expected_claims` needs expected_claims (E312); below 100% warns (W303)."""
    body = (
        MEDICAL
        + """
        stop_loss aggregate "A" {
          attachment 90% of expected_claims
        }
    """
    )
    assert found(body) == [("E312", 13), ("W303", 13)]
    assumptions = "assumptions {\n  expected_claims EE $400.00, FAM $1,000.00 pepm\n}\n"
    assert found(body + assumptions) == [("W303", 13)]
    assert found(body.replace("90%", "125%") + assumptions) == []


def test_check_aggregate_stop_loss__factors_below_expected_claims_warn() -> None:
    """Monthly factors below a tier's expected claims warn (W303)."""
    assert found(
        MEDICAL
        + """
        stop_loss aggregate "A" {
          attachment EE $450.00, FAM $1,300.00 pepm
        }
        assumptions {
          expected_claims EE $480.00, FAM $1,000.00 pepm
        }
    """
    ) == [("W303", 13)]


def test_check_aggregate_stop_loss__missing_attachment_and_bad_minimum() -> None:
    """An aggregate without attachment is E315; a minimum of an unknown base is E212."""
    assert found(
        MEDICAL
        + """
        stop_loss aggregate "A" {
          minimum_attachment 95% of last_month
        }
    """
    ) == [("E315", 12), ("E212", 13)]


# ---------------------------------------------------------------------------- fees, assumptions


def test_check_fees__units_bases_and_percentages() -> None:
    """A fee is pepm, pmpm or per claim (E205), a percentage 0-100% (E301) of paid_claims or
    savings (E212)."""
    assert found("""
        admin_fees {
          a $38.50 pepm
          b $1.25 pmpm
          c $1.10 per claim
          d 9.5% of paid_claims
          e 30% of savings
          f $3 per person
          g 150% of paid_claims
          h 5% of premium
        }
    """) == [("E205", 12), ("E301", 13), ("E212", 14)]


def test_check_assumptions__distribution_parameters_in_range() -> None:
    """Mean, cv, alpha and scale are above 0 (E310); a dispersion of 0 is allowed."""
    assert found("""
        assumptions {
          claimant_cost lognormal mean $0 cv 0
        }
    """) == [("E310", 7), ("E310", 7)]
    assert found("assumptions {\n  claimant_cost pareto alpha 0 scale $5,000\n}\n") == [("E310", 6)]
    # alpha at or below 1: an infinite mean, which price cannot use (an error, not a crash in price)
    assert found("assumptions {\n  claimant_cost pareto alpha 0.5 scale $5,000\n}\n") == [("E310", 6)]
    assert found("assumptions {\n  claimant_cost pareto alpha 1 scale $5,000\n}\n") == [("E310", 6)]
    assert found("assumptions {\n  claimant_cost pareto alpha 1.01 scale $5,000\n}\n") == []
    assert (
        found(
            "assumptions {\n  claimant_cost gamma mean $5,000 cv 2.5\n"
            "  claim_count negative_binomial dispersion 0\n}\n"
        )
        == []
    )


def test_check_assumptions__units_and_shares() -> None:
    """Expected claims are money pepm (E205); claimants a share 0-100% (E301) of members (E212)."""
    assert found("""
        assumptions {
          expected_claims $480 per claim
          claimants 120% of employees
          claimant_cost lognormal mean 6200 cv $3
        }
    """) == [("E205", 7), ("E212", 8), ("E301", 8), ("E205", 9), ("E205", 9)]


def test_check_continuance_tables__missing_malformed_and_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path
) -> None:
    """A table file is found relative to the rule file and well formed (E311 otherwise)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(shared_data / "av2015" / "silver_integrated.csv", tmp_path / "silver.csv")
    shutil.copy(shared_data / "av2026" / "av2026_core_columns.csv", tmp_path / "av2026.csv")
    (tmp_path / "bad.csv").write_text("Maximum,membership,maxed_value\n100,abc,5\n")
    assert found('assumptions {\n  claimant_cost table "silver.csv"\n}\n') == []
    assert found('assumptions {\n  claimant_cost table "av2026.csv" named "Silver_Med"\n}\n') == []
    assert found('assumptions {\n  claimant_cost table "none.csv"\n}\n') == [("E311", 6)]
    assert found('assumptions {\n  claimant_cost table "bad.csv"\n}\n') == [("E311", 6)]
    assert found('assumptions {\n  claimant_cost table "av2026.csv" named "Tin"\n}\n') == [("E311", 6)]


def test_check_money_cents__more_than_two_decimals() -> None:
    """Money with more than two decimal places is E316."""
    assert found("admin_fees {\n  a $38.505 pepm\n}\n") == [("E316", 6)]


# ---------------------------------------------------------------------------- tests


def test_check_tests__expects_nothing_warns() -> None:
    """A test with no expectation is W304."""
    assert found('test "t" {\n  member "A" family "A" tier EE\n}\n') == [("W304", 5)]


def test_check_tests__unknown_member_claim_contract_and_field() -> None:
    """Claims name test members (E206); expectations name test claims and contracts (E210) and
    known fields (E211)."""
    assert found(
        MEDICAL
        + """
        stop_loss specific "S" {
          deductible $100,000 per claimant
        }
        test "t" {
          member "A" family "A" tier EE
          claim "c1" member "B" medical lab incurred 2026-02-01 allowed $10.00
          expect "c2" plan_paid $1.00
          expect "c1" plan_payd $1.00
          expect specific "T" reimbursed $0.00
          expect aggregate reimbursed $0.00
          expect aggregate paid $0.00
        }
    """
    ) == [("E206", 17), ("E210", 18), ("E211", 19), ("E210", 20), ("E210", 21), ("E210", 22), ("E211", 22)]


def test_check_tests__specific_tier_fields() -> None:
    """A specific tier's expectation may name reimbursed, eligible_paid or asd_absorbed (the fields the
    test runner reports); anything else is E211."""
    assert found(
        MEDICAL
        + """
        stop_loss specific "S" {
          deductible $100,000 per claimant
        }
        test "t" {
          member "A" family "A" tier EE
          claim "c1" member "A" medical lab incurred 2026-02-01 allowed $10.00
          expect specific "S" reimbursed $0.00
          expect specific "S" eligible_paid $10.00
          expect specific "S" asd_absorbed $0.00
          expect specific "S" retained $10.00
        }
    """
    ) == [("E211", 21)]


def test_check_tests__options_duplicates_and_words() -> None:
    """A claim option on a member is E208, a member twice E204, an unknown relationship E212, a
    money option given a percent E205."""
    assert found(
        MEDICAL
        + """
        test "t" {
          member "A" family "A" tier EE paid 2026-01-01
          member "A" family "A" tier EE
          member "B" family "A" tier EE relationship cousin
          claim "c1" member "A" medical lab incurred 2026-02-01 allowed 20%
          expect "c1" plan_paid $1.00
        }
    """
    ) == [("E208", 13), ("E204", 14), ("E212", 15), ("E205", 16)]


# ---------------------------------------------------------------------------- all at once


def test_check_program__reports_every_mistake_with_its_line() -> None:
    """A ruleset with several mistakes gets all of them, in line order, each at its own line."""
    text = """\
ruleset "Many mistakes" {
  plan_year 2026-12-31 to 2026-01-01
  rounding half_down
  tiers EE "Employee only", FAM "Family"
}

coverage medical {
  deductible $2,000 per person, $1,000 per family embedded
  out_of_pocket $1,500 per person, $6,000 per family
  plan pays 110%
  copay office_visit 30%
}

coverage life {
}

stop_loss specific "first" {
  deductible $150,000 pepm
  laser "X" $50,000
  maximum $100,000 per claimant
  covers medical, rxx
}

stop_loss specific "second" {
  deductible $300,000 per claimant
}

stop_loss aggregate "agg" {
  attachment 125% of expected_claims
}

admin_fees {
  administration EE $38.50 pepm
}

test "empty" {
  member "A" family "A" tier EE
}
"""
    assert found(text, header="") == [
        ("E306", 2),
        ("E207", 3),
        ("E303", 8),
        ("E302", 9),
        ("E301", 10),
        ("E205", 11),
        ("E308", 14),
        ("E205", 18),
        ("W302", 19),
        ("E203", 21),
        ("W301", 24),
        ("E312", 29),
        ("E304", 33),
        ("W304", 36),
    ]


def test_check_stop_loss_lines__specific_covers_medical_and_rx_only() -> None:
    """Specific stop-loss covering dental is E317; the aggregate may cover dental but not ltd."""
    body = (
        MEDICAL
        + """
        coverage dental {
          class basic pays 80%
        }
        coverage ltd {
          benefit 60% of monthly_earnings up to $10,000 per month
        }
        stop_loss specific "S" {
          deductible $100,000 per claimant
          covers medical, dental
        }
        stop_loss aggregate "A" {
          attachment EE $500.00, FAM $1,000.00 pepm
          covers medical, dental, ltd
        }
    """
    )
    assert found(body) == [("E317", 20), ("E317", 24)]


def test_check_tests__expected_diagnostic_code_must_exist() -> None:
    """`expect diagnostic CODE` names a documented code (E211 otherwise)."""
    body = 'test "t" {\n  expect diagnostic W301\n  expect diagnostic E999\n}\n'
    assert found(body) == [("E211", 7)]


def test_check_family_out_of_pocket_cap__inherited_by_an_aggregate_network() -> None:
    """An out-of-network block with an aggregate deductible makes the inherited out-of-pocket
    aggregate too, so it needs a cap (E309 at the network block)."""
    assert found("""
        coverage medical {
          deductible $2,000 per person, $4,000 per family
          out_of_pocket $5,000 per person, $8,000 per family
          network out {
            deductible $4,000 per person, $8,000 per family aggregate
          }
        }
    """) == [("E309", 9)]
