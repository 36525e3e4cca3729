"""Hypothesis strategies of the rule language.

They generate AST nodes the grammar can produce: names avoid keywords (where
a keyword and a name may both stand, the keyword wins), lists the grammar requires are non-empty,
and amounts are non-negative (the language has no sign).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from aso_rules.language import ast
from aso_rules.language.parser import lark_parser


def _keywords() -> frozenset[str]:
    words = set()
    for terminal in lark_parser().terminals:
        if terminal.pattern.type == "str" and str(terminal.pattern.value).isidentifier():
            words.add(str(terminal.pattern.value))
    return frozenset(words)


KEYWORDS = _keywords()

names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
codes = st.from_regex(r"[A-Z][A-Z0-9_]{0,5}", fullmatch=True)
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029\x85"),
    max_size=24,
)
name_lists = st.lists(names, min_size=1, max_size=4).map(tuple)


def _amounts(places: int | None) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=0, max_value=10**9, places=places, allow_nan=False, allow_infinity=False
    ).map(lambda d: d.copy_abs())


decimals = st.one_of(_amounts(0), _amounts(1), _amounts(2))

money = st.builds(ast.Money, decimals)
percents = st.builds(ast.Percent, st.one_of(_amounts(0), _amounts(1)).map(lambda d: d % 1000))
numbers = st.builds(ast.Number, decimals)
dates = st.builds(ast.Date, st.integers(1000, 9999), st.integers(1, 12), st.integers(1, 28))
durations = st.builds(ast.Duration, _amounts(0), st.sampled_from(["days", "weeks", "months"]))
name_refs = st.builds(ast.Name, names)
strings = st.builds(ast.String, texts)

values: st.SearchStrategy[ast.Value] = st.one_of(
    money, percents, numbers, dates, durations, name_refs, strings
)

units = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "per person",
                "per family",
                "per claimant",
                "per claim",
                "per day",
                "per week",
                "per month",
                "per visit",
                "per unit",
                "per year",
                "pepm",
                "pmpm",
                "visits",
                "lifetime",
            ]
        ),
        names.map(lambda n: f"per {n}"),
    ),
    max_size=3,
).map(tuple)

quantities = st.builds(ast.Quantity, values, units)
shares = st.builds(ast.Share, values, names)
tier_tables = st.builds(
    ast.TierTable,
    st.lists(st.builds(ast.TierAmount, codes, values), min_size=1, max_size=4).map(tuple),
    units,
)
rates = st.one_of(quantities, tier_tables)
amounts = st.one_of(quantities, shares, tier_tables)
optional_values = st.none() | values

# ------------------------------------------------------------------------------------ header

WORD_SETTINGS = [
    "rounding",
    "processing_order",
    "noncovered_basis",
    "network_accumulators",
    "coinsurance_rounding",
    "specific_claimant",
    "per_claim_fee",
    "laser_treatment",
    "claim_basis",
    "pct_of_claims_base",
]
SWITCH_SETTINGS = [
    "lesser_of_billed",
    "per_claim_fee_counts_denied",
    "terminal_liability",
    "asd_counts",
    "monthly_accommodation",
    "cap_per_claimant",
]

settings = st.one_of(
    st.builds(ast.Setting, st.sampled_from(WORD_SETTINGS), names),
    st.builds(ast.Setting, st.sampled_from(SWITCH_SETTINGS), st.sampled_from(["on", "off"])),
)
header_items = st.one_of(
    st.builds(ast.Administrator, texts),
    st.builds(ast.PlanYear, values, values),
    st.builds(ast.Currency, codes),
    st.builds(ast.Tiers, st.lists(st.builds(ast.TierDef, codes, texts), min_size=1, max_size=4).map(tuple)),
    settings,
)
rulesets = st.builds(ast.Ruleset, texts, st.lists(header_items, max_size=6).map(tuple))

# ------------------------------------------------------------------------------------ coverage

family_modes = st.none() | st.sampled_from(["embedded", "aggregate"])
deductibles = st.builds(ast.Deductible, quantities, st.none() | quantities, family_modes)
out_of_pockets = st.builds(
    ast.OutOfPocket, quantities, st.none() | quantities, family_modes, st.none() | quantities
)
copays = st.builds(
    ast.Copay,
    st.lists(
        st.builds(ast.CopayEntry, names, quantities, st.booleans(), st.booleans()), min_size=1, max_size=3
    ).map(tuple),
)
cost_sharing_items = st.one_of(
    deductibles,
    out_of_pockets,
    st.builds(ast.PlanPays, values),
    copays,
    st.builds(ast.CoveredInFull, name_lists),
)
coverage_items = st.one_of(
    cost_sharing_items,
    st.builds(
        ast.Network, st.sampled_from(["in", "out"]), st.lists(cost_sharing_items, max_size=3).map(tuple)
    ),
    st.builds(ast.Limit, names, quantities),
    st.builds(ast.Exclude, name_lists, st.none() | texts),
    st.builds(ast.Shares, st.sampled_from(["deductible", "out_of_pocket"]), names),
    st.builds(ast.DentalClass, names, values, st.booleans(), optional_values, st.booleans()),
    st.builds(ast.Maximum, quantities),
    st.builds(ast.Benefit, shares, st.none() | quantities),
    st.builds(
        ast.Elimination,
        st.lists(st.builds(ast.EliminationEntry, values, st.none() | names), min_size=1, max_size=3).map(
            tuple
        ),
    ),
    st.builds(ast.BenefitDuration, values),
    st.builds(ast.Minimum, quantities, st.none() | shares),
    st.just(ast.Flag("maximum_includes_elimination")),
)
coverages = st.builds(ast.Coverage, names, st.lists(coverage_items, max_size=6).map(tuple))

# ------------------------------------------------------------------------------------ others

fee_schedules = st.builds(
    ast.FeeSchedule,
    names,
    st.lists(
        st.one_of(
            st.builds(ast.NetworkPricing, st.sampled_from(["in_network", "out_of_network"]), shares),
            st.builds(ast.CodePrice, texts, quantities),
            st.builds(ast.CategoryPrice, names, quantities),
        ),
        max_size=4,
    ).map(tuple),
)
bases = st.one_of(
    st.builds(ast.Basis, st.integers(0, 999), st.integers(0, 999)),
    st.just(ast.Basis(paid_basis=True)),
)
_stop_loss_common = [
    st.builds(ast.Maximum, quantities),
    st.builds(ast.Reimburses, values),
    st.builds(ast.Covers, name_lists),
    bases,
    st.builds(ast.Premium, rates),
    settings,
]
specific_stop_losses = st.builds(
    ast.StopLossSpecific,
    texts,
    st.lists(
        st.one_of(
            deductibles,
            st.builds(ast.Laser, texts, st.none() | quantities),
            st.builds(ast.AggregatingDeductible, quantities),
            *_stop_loss_common,
        ),
        max_size=5,
    ).map(tuple),
)
aggregate_stop_losses = st.builds(
    ast.StopLossAggregate,
    texts,
    st.lists(
        st.one_of(
            st.builds(ast.Attachment, st.one_of(shares, rates)),
            st.builds(ast.MinimumAttachment, st.one_of(shares, quantities)),
            *_stop_loss_common,
        ),
        max_size=5,
    ).map(tuple),
)
fees = st.one_of(
    st.builds(ast.Fee, names, rates),
    st.builds(ast.Fee, names, shares, st.lists(names, max_size=3).map(tuple)),
)
admin_fees = st.builds(ast.AdminFees, st.lists(fees, max_size=4).map(tuple))
severity_models = st.one_of(
    st.builds(ast.Lognormal, values, values),
    st.builds(ast.Gamma, values, values),
    st.builds(ast.Pareto, values, values),
    st.builds(ast.ContinuanceTable, texts, st.none() | texts),
)
assumptions = st.builds(
    ast.Assumptions,
    st.lists(
        st.one_of(
            st.builds(ast.ExpectedClaims, rates),
            st.builds(ast.Claimants, shares),
            st.builds(ast.ClaimantCost, severity_models),
            st.builds(
                ast.ClaimCount, st.one_of(st.just(ast.Poisson()), st.builds(ast.NegativeBinomial, values))
            ),
            st.builds(ast.FullyInsured, rates),
            st.builds(ast.TierRatios, rates),
            st.builds(ast.FundingMargin, values),
        ),
        max_size=5,
    ).map(tuple),
)

OPTION_KEYS = [
    "relationship",
    "from",
    "to",
    "salary",
    "weekly_earnings",
    "paid",
    "billed",
    "allowed",
    "code",
    "units",
    "cause",
]
options = st.one_of(
    st.builds(ast.Option, st.sampled_from(OPTION_KEYS), st.tuples(values)),
    st.builds(ast.Option, st.just("absence"), st.tuples(values, values)),
    st.builds(ast.Option, st.just("network"), st.tuples(st.builds(ast.Name, st.sampled_from(["in", "out"])))),
)
option_lists = st.lists(options, max_size=3).map(tuple)
test_items = st.one_of(
    st.builds(ast.TestMember, texts, texts, codes, option_lists),
    st.builds(ast.TestClaim, texts, texts, names, names, values, option_lists),
    st.builds(
        ast.ExpectClaim,
        texts,
        st.lists(st.builds(ast.FieldValue, names, values), min_size=1, max_size=3).map(tuple),
        optional_values,
    ),
    st.builds(ast.ExpectSummary, name_lists, values, optional_values),
    st.builds(ast.ExpectSpecific, texts, names, values, optional_values),
    st.builds(ast.ExpectAggregate, names, values, optional_values),
    st.builds(ast.ExpectDiagnostic, codes),
)
tests = st.builds(ast.Test, texts, st.lists(test_items, max_size=5).map(tuple))

statements: st.SearchStrategy[ast.Statement] = st.one_of(
    rulesets,
    st.builds(ast.Let, names, amounts),
    st.builds(ast.Include, texts),
    coverages,
    st.builds(ast.ExcludeCoverage, name_lists, st.none() | texts),
    fee_schedules,
    specific_stop_losses,
    aggregate_stop_losses,
    admin_fees,
    assumptions,
    tests,
)
rule_files = st.builds(ast.RuleFile, st.just("<string>"), st.lists(statements, max_size=5).map(tuple))
