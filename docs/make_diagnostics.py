"""Write docs/diagnostics.md from the causes and fixes below and the golden diagnostics files.

On entry: ``tests/golden/diagnostics/<CODE>.aso`` and ``<CODE>.txt`` for every code (recorded by
``pytest --update-golden``). On exit: docs/diagnostics.md, one entry per code with its severity,
cause, the golden input as the example, what ``aso check`` prints for it, and the fix. The golden
test fails when the page is not what this script writes, so examples never go stale.

Run from the repository root: ``python docs/make_diagnostics.py``.
"""

from __future__ import annotations

from pathlib import Path

from aso_rules.language.codes import CODES

ROOT = Path(__file__).resolve().parents[1]
G = ROOT / "tests" / "golden" / "diagnostics"
DOC = ROOT / "docs" / "diagnostics.md"

# code -> (cause, fix)
ENTRIES = {
    "E101": (
        "A token the grammar does not allow where it stands; the message lists, in words, what could "
        "come next.",
        "Fix the statement as the message says; each statement stands on its own line.",
    ),
    "E102": (
        "A character that starts no token of the language (for example `@`, or a `$` not followed by "
        "digits).",
        "Remove the character, or write the value as the language spells it (`$1,500`, `80%`, `2026-01-01`).",
    ),
    "E103": (
        'A string opened with `"` and not closed on the same line.',
        'Close the string with `"` before the end of the line; write `\\"` for a quote inside it.',
    ),
    "E104": (
        "The file cannot be read as a rule file: it does not exist, is a folder, contains a NUL byte "
        "(binary) or is not valid UTF-8. `aso check` exits with 2 when this happens to a file named on "
        "the command line.",
        "Check the path; save the file as UTF-8 text.",
    ),
    "E105": (
        "The file is larger than the parser accepts (4 MiB). The golden test lowers the limit to show "
        "the message.",
        "Split the ruleset into files joined with `include`.",
    ),
    "E106": (
        "Braces nested deeper than any statement of the language needs (more than 8 levels), usually a "
        "missing `}`.",
        "Close each block with `}`; blocks nest at most `coverage` > `network`.",
    ),
    "E107": (
        "A literal longer than the parser accepts: a number of more than 30 digits, or a name or string "
        "of more than 2,000 characters.",
        "Shorten the literal.",
    ),
    "E108": (
        "More than 25 syntax errors in one file: the parser stops reporting (the earlier errors are "
        "listed as E101 and friends).",
        "Fix the first errors and check again.",
    ),
    "W101": (
        "The file has no statements, only comments or blank lines.",
        'Add statements, or remove the file; a root file starts with `ruleset "NAME" { ... }`.',
    ),
    "E290": (
        'An `include "PATH"` names a file that does not exist (the path is relative to the including file).',
        "Correct the path, or create the file.",
    ),
    "E291": (
        "An `include` reaches outside the folder of the root rule file (for example with `../`).",
        "Move the included file inside the ruleset's folder.",
    ),
    "E292": (
        "A file includes itself, directly or through other files.",
        "Remove one of the includes that close the cycle.",
    ),
    "E293": (
        "Includes nest deeper than 16 files or a program includes more than 256 files. The golden test "
        "lowers the limit to show the message.",
        "Flatten the include tree.",
    ),
    "E201": (
        "A name in value position (`deductible specific_deductable per person`) that no `let` defines, "
        "in this file or any included file.",
        "Define the constant with `let NAME = VALUE`, fix its spelling (the hint suggests the closest "
        "name), or write the value itself.",
    ),
    "E202": (
        "A tier code in a tier table or a test member that the ruleset header's `tiers` does not declare.",
        "Use a declared tier, or declare it in `tiers`.",
    ),
    "E203": (
        "A coverage line named in `covers`, `shares ... with`, `fee_schedule LINE`, a percentage fee's "
        "lines or a test claim that no `coverage` block defines (a test claim may also name a line of "
        "`exclude coverage`).",
        "Define the coverage, or correct the name.",
    ),
    "E204": (
        "The same thing defined twice: a constant, coverage, excluded line, fee schedule, stop-loss "
        "contract, fee, test, tier, test member or claim (also across included files); a second ruleset "
        "header, aggregate contract or assumptions block; a parameter stated twice in one block (two "
        "`plan pays`, two `deductible`s); a category with two rules (a copay and `covered in full`); a "
        "line both covered and excluded.",
        "Keep one definition.",
    ),
    "E205": (
        "A value of the wrong kind or unit for its statement: a percentage where money belongs, `pepm` "
        "where `per claimant` belongs, a constant whose unit does not fit where it is used, a fee "
        "without `pepm`, `pmpm` or `per claim`, a waiting period not in months.",
        "Write the value in the unit the message names.",
    ),
    "E206": (
        "A test claim names a member who is not declared in the same test.",
        'Add `member "ID" family "FID" tier T` to the test, or correct the id.',
    ),
    "E207": (
        "A setting with a value its key does not take (`rounding half_down`).",
        "Use one of the values the hint lists (semantics.md section 12).",
    ),
    "E208": (
        "A statement in a block where it has no meaning: cost sharing in a disability coverage, a dental"
        " class outside dental, a stop-loss setting in the ruleset header, a claim option on a test "
        "member.",
        "Move the statement where it belongs, or remove it.",
    ),
    "E209": (
        "A coverage line whose name is not a kind the language knows (`medical`, `rx`, `dental`, "
        "`vision`, `std`, `ltd`) and does not start with one (`medical_hmo` is medical).",
        "Rename the coverage after its kind.",
    ),
    "E210": (
        "An expectation names a claim not in its test, a specific stop-loss contract that does not "
        "exist, or the aggregate when there is none.",
        "Correct the claim id or contract name.",
    ),
    "E211": (
        "An expectation names a field the results do not have (`plan_payd`).",
        "Use a ledger column (`member_paid`, `plan_paid`, `deductible`, ...) or, for stop-loss, "
        "`reimbursed`, `attachment_point`, `eligible_claims`.",
    ),
    "E212": (
        "A word the statement does not know: an elimination cause other than `illness` or `accident`, a "
        "relationship other than `employee`, `spouse`, `child`, `other`, or the base of a percentage "
        "(`of weekly_earnings`, `of billed`, `of expected_claims`, `of first_month`, `of paid_claims`, "
        "`of savings`, `of members`).",
        "Use one of the words the hint lists.",
    ),
    "E301": (
        "A percentage outside 0-100% where it is a share (`plan pays`, a dental class, `reimburses`, a "
        "benefit, claimants, a fee, network pricing). The aggregate attachment is exempt: it is usually "
        "above 100%.",
        "Write a percentage between 0% and 100%.",
    ),
    "E302": (
        "An out-of-pocket maximum (person or family) below the deductible of the same network. The "
        "maximum includes the deductible, so such a plan cannot be administered. Out-of-network values "
        "not stated are taken from in-network.",
        "Raise the out-of-pocket maximum or lower the deductible.",
    ),
    "E303": (
        "A family deductible or out-of-pocket maximum below the person amount.",
        "The family amount is at least the person amount (usually two or three times).",
    ),
    "E304": (
        "A tier table that does not list every declared tier.",
        "List every tier, or write one amount for all (`$6.25 pepm`).",
    ),
    "E305": ("A tier table that lists a tier twice.", "List each tier once."),
    "E306": (
        "A `plan_year` whose end date is before its start date.",
        "Swap the dates: `plan_year START to END`.",
    ),
    "E307": (
        "Stacked specific stop-loss tiers that overlap: a tier starts below the top of the tier beneath "
        "it (its deductible plus maximum), or the lower tier has no maximum (semantics.md 6.4).",
        "Start each tier where the one below ends: `SD(k+1) = SD(k) + max(k)`.",
    ),
    "E308": (
        "A `life` or `accidental_death` coverage: these are insured products, not suited to ASO funding.",
        'Remove the coverage and write `exclude coverage life, accidental_death "REASON"`.',
    ),
    "E309": (
        "An aggregate (non-embedded) family out-of-pocket maximum without `individual_cap`: the ACA caps"
        " each person's cost sharing at the self-only limit even in family coverage (semantics.md 3.4). The"
        " mode follows the deductible's when not stated.",
        "Add `individual_cap $X` to the `out_of_pocket` statement.",
    ),
    "E310": (
        "A claim-cost or claim-count parameter out of range: a mean, cv, alpha or scale of 0 or less, a "
        "negative dispersion, or a Pareto `alpha` of 1 or less (its mean claimant cost is infinite, so "
        "nothing can be priced from it).",
        "Give positive parameters, and a Pareto alpha above 1 (fitted claimant costs usually give 1.5 to 3).",
    ),
    "E311": (
        'A `claimant_cost table "FILE" [named "NAME"]` whose file is missing (the path is relative to '
        "the rule file), unreadable, not in the av2015 or av2026 layout, malformed, or without a table "
        "of that name.",
        "Correct the path or the name; see shared/data/av2015 and av2026 for the layouts.",
    ),
    "E312": (
        "An aggregate `attachment P% of expected_claims` when the assumptions state no `expected_claims`.",
        "Add `expected_claims ... pepm` to `assumptions`, or give monthly factors by tier.",
    ),
    "E313": (
        "A contract basis with a window shorter than 12 months (`basis 6/12`).",
        "Write `12/12`, `12/15`, `15/12`, `24/12` or `basis paid`.",
    ),
    "E314": ("A date that is not on the calendar (`2026-02-30`).", "Write a real date as YYYY-MM-DD."),
    "W330": (
        "The employee-only tier's `expected_claims` is more than 25% from the claimant model's cost "
        "of one member (claimants share x mean plan-paid per claimant, capped at the lowest specific "
        "deductible unless `claims_basis gross`, / 12). Funding rates and the attachment come from "
        "`expected_claims`, the stop-loss expectations, employer cost and savings from the claimant "
        "model, so the quote would disagree with itself. Only the EE tier has a known member count "
        "before the enrollment is read; `aso price` compares the plan totals and warns past 2%. "
        "The check needs the pricing extra (an installation without it skips W330).",
        "Restate `expected_claims`, or recalibrate `claimants` / `claimant_cost`, until they agree; "
        "price.json `claims_basis` shows both totals.",
    ),
    "W340": (
        "A copay (`copay office_visit $50,000`) above the per-person out-of-pocket maximum of its "
        "coverage or network block (`out_of_pocket $5,000 per person`). The member never pays more "
        "than the maximum, so the copay can never be charged as written: almost always a typo.",
        "Check the copay's digits, or the out-of-pocket maximum's.",
    ),
    "W341": (
        "`plan pays 0%`: after the deductible the member still pays everything, so the coverage "
        "pays only past the out-of-pocket maximum.",
        "Write the plan's real share (`plan pays 80%`), or `exclude` what is not covered.",
    ),
    "W342": (
        "`limit CATEGORY 0 visits ...`: no visit of the category is ever paid; the limit is an "
        "exclusion in disguise (or a missing digit).",
        "Write `exclude CATEGORY` to cover nothing, or give the number of visits.",
    ),
    "W343": (
        "`expected_claims` of $0 for a tier (or all): funding rates and an aggregate attachment on "
        "expected claims come out $0.",
        "State the expected plan-paid claims per employee per month.",
    ),
    "W344": (
        "An aggregate stop-loss `maximum $0`: the contract can never reimburse anything.",
        "Give the contract's maximum, or leave `maximum` out for an unlimited one.",
    ),
    "W345": (
        "`claimants 0% of members`: the claimant model expects nobody to claim, so expected claims and "
        "every stop-loss expectation are $0.",
        "Write the share of members with a claim in the year (70% to 85% is usual).",
    ),
    "W346": (
        "An aggregate family out-of-pocket maximum whose `individual_cap` is above the family "
        "maximum (`$5,000 per person, $8,000 per family aggregate individual_cap $9,000`): the family "
        "maximum is reached first, so the cap never applies.",
        "Write the cap at or below the family maximum (the ACA self-only limit, usually).",
    ),
    "W347": (
        "An administrative fee far above what administrators charge: more than $1,000 pepm, more than "
        "$1,000 per claim, or more than 25% of paid claims (usual fees are $20 to $80 pepm, a few "
        "dollars per claim, 5% to 12% of paid claims). The plan settles and prices with it as written.",
        "Check the fee's digits and its unit (`pepm`, `per claim`, `% of paid_claims`).",
    ),
    "E340": (
        "A `claims_basis` other than `net_of_specific` or `gross` in the assumptions.",
        "Write `claims_basis net_of_specific` when `expected_claims` counts plan-paid claims capped at "
        "the lowest specific deductible (the default), or `claims_basis gross` when it counts all "
        "plan-paid claims, the specific layer included.",
    ),
    "E341": (
        "`seasonality` in the assumptions with a factor that is not a number above 0, or with a "
        "number of factors other than the plan year's months. Each factor is a plan month's claims "
        "per member month against the year's average; tracking (`aso track`) shapes the manual rate "
        "and the remaining months by them.",
        "Write one positive factor per plan month, the first for the plan year's first month, e.g. "
        "`seasonality 0.78, 0.75, 0.96, 0.92, 1.00, 1.02, 1.11, 1.10, 1.09, 1.12, 1.14, 1.00`; they "
        "are scaled to average 1.",
    ),
    "E350": (
        "An `experience` block (docs/renewal.md) lacks one of the statements a renewal needs: `trend`, "
        "`projection`, `credibility` or `manual_rate`; or it states a `pooling_charge` without a "
        "`pooling_point`.",
        "Add the statement the message names; the hint shows its form.",
    ),
    "E351": (
        "An annual trend rate in `trend` below -50% or above +100%.",
        "Write the annual trend of each coverage line as a percentage such as `8.5%`.",
    ),
    "E352": (
        "A credibility parameter of zero: `full at 0 lives` or `buhlmann k 0`.",
        "Write a positive full-credibility standard (member-years) or Buhlmann k (EPV / VHM).",
    ),
    "E353": (
        "A projection period shorter than 1 month or longer than 60 months, or a second midpoint that "
        "is not after the first.",
        "Write `projection N months` or `projection EXPERIENCE_MIDPOINT to PROJECTION_MIDPOINT`.",
    ),
    "E354": (
        "A completion factor outside (0%, 100%], a pooling point of $0 or a plan-design change factor "
        "outside (0, 3].",
        "Completion is the share of incurred claims already paid; the plan-design factor is next "
        "year's plan-paid over this year's on the same claims.",
    ),
    "E315": (
        "A required statement is missing: the `ruleset` header, its `plan_year` or `tiers`, a specific "
        "stop-loss `deductible`, an aggregate `attachment`, a disability `benefit`.",
        "Add the statement the message names.",
    ),
    "E316": (
        "Money written with more than two decimal places (`$38.505`): amounts are exact cents.",
        "Write the amount to the cent.",
    ),
    "E317": (
        "A stop-loss contract covering a line it cannot: specific stop-loss covers medical and rx only; "
        "the aggregate may add dental, vision and STD, never LTD (semantics.md 6.2 and 7).",
        "Remove the line from `covers`.",
    ),
    "E318": (
        "A value outside its supported range: money below $1,000,000,000,000, a percentage at most "
        "1000%, a plain number at most 1,000,000, durations at most 1200 months (36600 days, 5220 "
        "weeks), dates in the years 1900 to 2200. Inside these ranges every engine settles and prices "
        "exactly (the vector engine's integer cents cannot overflow).",
        "Write a value inside the range.",
    ),
    "E319": (
        "A plan year shorter than 1 whole month or longer than 24 months: accumulators reset once per "
        "plan year and short years are refused rather than prorated.",
        "Write a plan year such as `plan_year 2026-01-01 to 2026-12-31`.",
    ),
    "E320": (
        "A file named by the rules (a `claimant_cost table`) lies outside the ruleset folder (after "
        "symlinks are resolved), is not a regular file (a FIFO, device or folder) or is larger than "
        "16 MiB. It is not opened, and its contents are never shown.",
        "Keep tables beside the rule files.",
    ),
    "W301": (
        "Stacked specific tiers leave a gap: a tier starts above the top of the tier beneath it, so the "
        "employer keeps claims in between (semantics.md 6.4).",
        "Start the upper tier at the lower tier's deductible plus maximum, unless the gap is intended.",
    ),
    "W302": (
        "A laser below the specific deductible: a laser normally raises a member's deductible.",
        "Check the amount; a laser is a higher deductible (or `excluded`).",
    ),
    "W303": (
        "An aggregate attachment below 100% of expected claims (as a percentage, or factors below a "
        "tier's expected claims): the aggregate would pay in a normal year.",
        "Attachment is usually about 125% of expected claims.",
    ),
    "W304": ("A test with no `expect`: it cannot fail.", "Add an expectation."),
    "W305": (
        "A dollar `limit` on an essential-health-benefit category of medical: the ACA forbids annual and"
        " lifetime dollar limits on EHB (semantics.md 3.5). The EHB categories are listed in "
        "`aso_rules.language.check.EHB_CATEGORIES`.",
        "Use a visit limit, or limit only non-EHB categories (for example infertility).",
    ),
}


def _anchor(code: str, title: str) -> str:
    keep = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -")
    return f"#{code.lower()}-{keep.replace(' ', '-')}"


def render_doc() -> str:
    """The text of docs/diagnostics.md."""
    titles = {c: entry.title for c, entry in CODES.items()}
    sev = {c: entry.severity for c, entry in CODES.items()}
    order = sorted(ENTRIES, key=lambda c: (c[0] != "E", c))
    out = [
        "# Diagnostics",
        "",
        "Every diagnostic `aso check` reports has a stable code, a severity, a one-line message, a position",
        "(`file:line:col`) and a hint. Codes: `E1xx` syntax and reading, `E2xx` names, types and includes,",
        "`E3xx` values and consistency, `W1xx`/`W3xx` warnings. Warnings count as errors with `--strict`.",
        "",
        "Each entry shows a minimal rule file that triggers the code (its golden test input,",
        "`tests/golden/diagnostics/CODE.aso`) and what `aso check` prints for it (`CODE.txt`).",
        "",
    ]
    out.append("| code | severity | what |")
    out.append("|---|---|---|")
    for c in order:
        s = sev.get(c, "warning" if c.startswith("W") else "error")
        out.append(f"| [{c}]({_anchor(c, titles[c])}) | {s} | {titles[c]} |")
    out.append("")
    for c in order:
        cause, fix = ENTRIES[c]
        s = sev.get(c, "warning" if c.startswith("W") else "error")
        src = (G / f"{c}.aso").read_bytes().decode("utf-8", errors="replace")
        txt = (G / f"{c}.txt").read_text(encoding="utf-8")
        if c == "E108":
            lines = txt.splitlines()
            txt = "\n".join([*lines[:4], "...", *lines[-4:]]) + "\n"
        if c == "E105":
            src = "\n".join([*src.splitlines()[:8], "..."]) + "\n"
        if c == "E108":
            src = "\n".join([*src.splitlines()[:8], "..."]) + "\n"
        out += [
            f"## {c} {titles[c]}",
            "",
            f"Severity: **{s}**.",
            "",
            f"**Cause.** {cause}",
            "",
            "**Example.**",
            "",
            "```aso",
            src.rstrip("\n"),
            "```",
            "",
            "```text",
            txt.rstrip("\n"),
            "```",
            "",
            f"**Fix.** {fix}",
            "",
        ]
    return "\n".join(out) + "\n"


def main() -> None:
    DOC.write_text(render_doc(), encoding="utf-8")


if __name__ == "__main__":
    main()
