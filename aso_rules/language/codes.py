"""Every diagnostic code in one table: its severity, its title and the stage that reports it.

The front end (``parser``, ``loader``: reading, syntax, includes) reports E1xx, W101 and E29x; the
checker (``check`` and ``checks/``) the rest; the loader adds E315 for a program with no plan. Each
code has an entry in docs/diagnostics.md (``docs/make_diagnostics.py`` writes it from this table)
and a golden input in tests/golden/diagnostics; ``render.DESCRIPTIONS`` and the checker's
``diag`` read their titles and severities from here.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from aso_rules.language.diagnostics import Severity

Stage = Literal["front end", "checker"]


class Code(NamedTuple):
    severity: Severity
    title: str
    stage: Stage


FRONT_END: Stage = "front end"
CHECKER: Stage = "checker"

CODES: dict[str, Code] = {
    "E101": Code("error", "unexpected token", FRONT_END),
    "E102": Code("error", "unexpected character", FRONT_END),
    "E103": Code("error", "unterminated string", FRONT_END),
    "E104": Code("error", "file not readable (missing, binary, not UTF-8, I/O error)", FRONT_END),
    "E105": Code("error", "file too large", FRONT_END),
    "E106": Code("error", "braces nested too deep", FRONT_END),
    "E107": Code("error", "literal too long", FRONT_END),
    "E108": Code("error", "too many syntax errors", FRONT_END),
    "W101": Code("warning", "the file has no statements", FRONT_END),
    "E290": Code("error", "include not found", FRONT_END),
    "E291": Code("error", "include outside the root folder", FRONT_END),
    "E292": Code("error", "include cycle", FRONT_END),
    "E293": Code("error", "too many includes", FRONT_END),
    "E201": Code("error", "unknown constant", CHECKER),
    "E202": Code("error", "unknown tier", CHECKER),
    "E203": Code("error", "unknown coverage line", CHECKER),
    "E204": Code("error", "duplicate definition", CHECKER),
    "E205": Code("error", "value in the wrong unit", CHECKER),
    "E206": Code("error", "unknown member in a test", CHECKER),
    "E207": Code("error", "unknown setting value", CHECKER),
    "E208": Code("error", "statement not allowed here", CHECKER),
    "E209": Code("error", "unknown kind of coverage", CHECKER),
    "E210": Code("error", "unknown claim or stop-loss contract in an expectation", CHECKER),
    "E211": Code("error", "unknown field in an expectation", CHECKER),
    "E212": Code("error", "unknown word", CHECKER),
    "E301": Code("error", "percentage outside 0-100%", CHECKER),
    "E302": Code("error", "out-of-pocket maximum below the deductible", CHECKER),
    "E303": Code("error", "family amount below the person amount", CHECKER),
    "E304": Code("error", "tier table misses a tier", CHECKER),
    "E305": Code("error", "tier table repeats a tier", CHECKER),
    "E306": Code("error", "plan year ends before it starts", CHECKER),
    "E307": Code("error", "specific stop-loss tiers overlap", CHECKER),
    "E308": Code("error", "coverage not suited to ASO funding", CHECKER),
    "E309": Code("error", "aggregate family out-of-pocket without an individual cap", CHECKER),
    "E310": Code("error", "distribution parameter out of range", CHECKER),
    "E311": Code("error", "continuance table missing or malformed", CHECKER),
    "E312": Code("error", "attachment on expected claims without an expected_claims assumption", CHECKER),
    "E313": Code("error", "invalid contract basis", CHECKER),
    "E340": Code("error", "unknown claims basis", CHECKER),
    "E341": Code("error", "seasonality factors do not fit the plan year", CHECKER),
    "E314": Code("error", "not a calendar date", CHECKER),
    "E315": Code("error", "required statement missing", CHECKER),
    "E316": Code("error", "amount with more than two decimal places", CHECKER),
    "E317": Code("error", "line not eligible for this stop-loss", CHECKER),
    "E318": Code("error", "value outside the supported range", CHECKER),
    "E319": Code("error", "plan year shorter than 1 month or longer than 24 months", CHECKER),
    "E320": Code(
        "error", "file read by the rules is outside the ruleset folder or not a regular file", CHECKER
    ),
    "E350": Code("error", "experience block misses a required statement", CHECKER),
    "E351": Code("error", "trend outside -50% to +100% a year", CHECKER),
    "E352": Code("error", "credibility parameter not positive", CHECKER),
    "E353": Code("error", "projection period outside 1 to 60 months", CHECKER),
    "E354": Code("error", "completion or plan-design factor out of range", CHECKER),
    "W301": Code("warning", "specific stop-loss tiers leave a gap", CHECKER),
    "W302": Code("warning", "laser below the specific deductible", CHECKER),
    "W303": Code("warning", "aggregate attachment below expected claims", CHECKER),
    "W304": Code("warning", "test expects nothing", CHECKER),
    "W305": Code("warning", "dollar maximum on an essential health benefit", CHECKER),
    "W330": Code("warning", "expected_claims disagrees with the claimant model", CHECKER),
    "W340": Code("warning", "copay above the out-of-pocket maximum", CHECKER),
    "W341": Code("warning", "plan pays 0%", CHECKER),
    "W342": Code("warning", "limit of 0 visits", CHECKER),
    "W343": Code("warning", "expected claims of $0", CHECKER),
    "W344": Code("warning", "aggregate stop-loss maximum of $0", CHECKER),
    "W345": Code("warning", "no claimants", CHECKER),
    "W346": Code("warning", "individual cap above the family out-of-pocket maximum", CHECKER),
    "W347": Code("warning", "administrative fee far above any administrator's", CHECKER),
}
