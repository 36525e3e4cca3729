"""Rule files to throw at the tools: grammar-aware mutations of the bundled rulesets, numbers drawn
from the extremes, and random text.

A mutation works on the tokens of a real rule file (money, percentages, numbers, dates, words,
strings, punctuation), so most mutants stay close to the language: they parse, and many check
clean, which is what reaches settlement and pricing.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

RULESETS = Path(__file__).resolve().parents[2] / "rulesets"

# A file of the bundled rulesets and its root (the file whose check includes it).
SOURCES: dict[str, str] = {p.name: p.read_text(encoding="utf-8") for p in sorted(RULESETS.glob("*.aso"))}
ROOTS = sorted(SOURCES)

TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"'  # a string
    r"|\$[0-9][0-9,]*(?:\.[0-9]+)?"  # money
    r"|[0-9]+(?:\.[0-9]+)?%"  # a percentage
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"  # a date
    r"|[0-9]+(?:\.[0-9]+)?"  # a number
    r"|[A-Za-z_][A-Za-z0-9_]*"  # a word
    r"|#[^\n]*"  # a comment
    r"|[^\sA-Za-z0-9_]"  # punctuation
)

WORDS = sorted(
    {m.group() for text in SOURCES.values() for m in TOKEN.finditer(text) if m.group()[0].isalpha()}
)

# The extremes: zero, the smallest step, the documented bounds and one past them, the integer
# widths engines use, more digits than any bound, and the forms the language does not have.
EXTREME_NUMBERS = [
    "0",
    "1",
    "2",
    "7",
    "11",
    "12",
    "13",
    "24",
    "25",
    "99",
    "100",
    "101",
    "365",
    "366",
    "999",
    "1000",
    "1000000",
    "2147483647",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "999999999999999999999999999999999",
    "0.5",
    "0.01",
    "0.001",
    "1.5",
    "99.99",
    "100.01",
    "00",
    "007",
]
EXTREME_MONEY = [
    "$0",
    "$0.00",
    "$0.01",
    "$0.001",
    "$1",
    "$25",
    "$1,000",
    "$999,999,999.99",
    "$1,000,000,000",
    "$92,233,720,368,547,758.07",
    "$99999999999999999999",
    "$999999999999999999999999999",
    "$1,00",
    "$1,0000",
    "$,5",
    "$5.",
    "$5.5",
    "$1e9",
]
EXTREME_PERCENT = [
    "0%",
    "0.01%",
    "1%",
    "50%",
    "99.99%",
    "100%",
    "100.01%",
    "101%",
    "1000%",
    "99999999999%",
    "0.001%",
]
EXTREME_DATES = [
    "0001-01-01",
    "1900-01-01",
    "2024-02-29",
    "2026-02-29",
    "2026-13-01",
    "2026-00-10",
    "2026-12-32",
    "9999-12-31",
    "9999-01-01",
    "2025-12-31",
    "2027-12-31",
    "2028-06-30",
]
NOISE = [
    "{",
    "}",
    '"',
    "$",
    "%",
    ",",
    ".",
    "-",
    "/",
    "#",
    "\n",
    "\t",
    "\\",
    "\x00",
    "\u00e9",
    "\u0663",
    "\ufeff",
    "\u2028",
]


def tokens(text: str) -> list[tuple[int, int, str]]:
    """The tokens of ``text`` as (start, end, text)."""
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def _kind(token: str) -> str:
    if token.startswith("$"):
        return "money"
    if token.endswith("%") and token[:1].isdigit():
        return "percent"
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", token):
        return "date"
    if token[:1].isdigit():
        return "number"
    if token[:1].isalpha() or token[:1] == "_":
        return "word"
    return "other"


_SAME_KIND = {
    "money": EXTREME_MONEY,
    "percent": EXTREME_PERCENT,
    "date": EXTREME_DATES,
    "number": EXTREME_NUMBERS,
}
_ANY_VALUE = EXTREME_MONEY + EXTREME_PERCENT + EXTREME_NUMBERS + EXTREME_DATES


@st.composite
def extreme_numbers(draw: st.DrawFn, text: str) -> str:
    """``text`` with one to four of its numbers (money, percentages, counts, dates) replaced by
    extremes of the same form: the file keeps its shape, so it still parses."""
    values = [t for t in tokens(text) if _kind(t[2]) in _SAME_KIND]
    chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=4, unique=True)) if values else []
    out = text
    for start, end, token in sorted(chosen, reverse=True):
        if _kind(token) != "date" and draw(st.booleans()):
            new = _scaled(token, draw(st.sampled_from(SCALES)))
        else:
            new = draw(st.sampled_from(_SAME_KIND[_kind(token)]))
        out = out[:start] + new + out[end:]
    return out


# Plausible changes as well as extremes: a figure scaled keeps its form and often checks clean, so
# it reaches settlement and pricing.
SCALES = ["0", "0.5", "0.9", "1.1", "2", "10", "1000", "1000000"]


def _scaled(token: str, factor: str) -> str:
    from decimal import Decimal

    prefix = "$" if token.startswith("$") else ""
    suffix = "%" if token.endswith("%") else ""
    digits = token.removeprefix("$").removesuffix("%").replace(",", "")
    value = Decimal(digits) * Decimal(factor)
    places = 2 if prefix and "." in digits else (0 if "." not in digits else len(digits.split(".")[1]))
    shown = f"{value:,.{places}f}" if prefix else f"{value:.{places}f}"
    return f"{prefix}{shown}{suffix}"


@st.composite
def mutation(draw: st.DrawFn, text: str) -> str:
    """One grammar-aware change to ``text``."""
    toks = tokens(text)
    lines = text.split("\n")
    kind = draw(
        st.sampled_from(
            [
                "value",
                "value_any_form",
                "word",
                "delete_token",
                "duplicate_token",
                "delete_line",
                "duplicate_line",
                "swap_lines",
                "move_line",
                "noise",
                "truncate",
                "splice",
            ]
        )
    )
    if kind in ("value", "value_any_form", "word", "delete_token", "duplicate_token") and toks:
        start, end, token = draw(st.sampled_from(toks))
        if kind == "value":
            new = draw(st.sampled_from(_SAME_KIND.get(_kind(token), _ANY_VALUE)))
        elif kind == "value_any_form":
            new = draw(st.sampled_from(_ANY_VALUE))
        elif kind == "word":
            new = draw(st.sampled_from(WORDS))
        elif kind == "delete_token":
            new = ""
        else:
            new = f"{token} {token}"
        return text[:start] + new + text[end:]
    if kind in ("delete_line", "duplicate_line", "swap_lines", "move_line") and len(lines) > 1:
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        if kind == "delete_line":
            del lines[i]
        elif kind == "duplicate_line":
            lines.insert(j, lines[i])
        elif kind == "swap_lines":
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines.insert(j, lines.pop(i))
        return "\n".join(lines)
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if kind == "splice":  # a line of another bundled rule file
        other = SOURCES[draw(st.sampled_from(ROOTS))].split("\n")
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(other)))
        return "\n".join(lines)
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(NOISE)) + text[at:]


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text): a bundled rule file after one to four mutations, or with extreme numbers."""
    name = draw(st.sampled_from(ROOTS))
    text = SOURCES[name]
    if draw(st.booleans()):
        text = draw(extreme_numbers(text))
    for _ in range(draw(st.integers(0 if text != SOURCES[name] else 1, 3))):
        text = draw(mutation(text))
    return name, text


random_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from([*WORDS, "{", "}", "\n", "$1,000", "80%", "12", '"x"', ",", "#"]), max_size=80
    ).map(" ".join),
)
