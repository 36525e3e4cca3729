"""Text -> AST, with syntax errors as diagnostics.

On entry: the bytes or text of one rule file, anything at all. On exit: a ``RuleFile`` (when the
file has no syntax error) and a list of ``Diagnostic`` (E1xx errors, W1xx warnings). Nothing a user
writes makes this module raise: size, nesting depth and literal length are bounded before lark sees
the text, and lark's errors become diagnostics.

Codes (also in docs/language.md):

- E101 unexpected token (the message names what was expected, in words)
- E102 unexpected character (no token of the language starts here)
- E103 unterminated string
- E104 file not readable: binary, not UTF-8, or an I/O error
- E105 file too large (over ``MAX_FILE_BYTES``)
- E106 braces nested too deep (over ``MAX_DEPTH``)
- E107 literal too long (a number over ``MAX_DIGITS`` digits, a name or string over ``MAX_TOKEN``)
- E108 too many syntax errors: the rest of the file was not examined
- W101 the file has no statements

Several syntax errors per file: after an error the parser skips the offending line (or, when that
line opens or closes a block, the whole top-level statement it belongs to) and parses again from the
top-level statement that held the error, so each broken line is reported once, line numbers stay
true, and many errors cost little more than one parse.
"""

from __future__ import annotations

import copy
import difflib
import functools
import importlib.resources
import re
from collections.abc import Iterable
from typing import Any

import attrs
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from aso_rules.language import ast
from aso_rules.language.build import build_file
from aso_rules.language.diagnostics import Diagnostic, Span

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 8
MAX_DIGITS = 30
MAX_TOKEN = 2000
MAX_ERRORS = 25


def grammar_text() -> str:
    """The grammar, read from inside the installed package (works from a wheel or zip)."""
    return importlib.resources.files("aso_rules").joinpath("grammars/aso.lark").read_text("utf-8")


@functools.cache
def lark_parser(strict: bool = False) -> Lark:
    """The LALR parser of ``aso.lark`` (``strict=True`` needs ``lark[interegular]``; tests use it)."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        strict=strict,
    )


# ============================================================================ line scanning


@attrs.frozen
class ScannedLine:
    """One line split into code and comment, outside strings."""

    code: str
    comment: str | None  # text after '#', None when the line has no comment
    comment_column: int  # 1-based column of '#', 0 when none
    opens: int  # '{' in code
    closes: int  # '}' in code


def scan_line(line: str) -> ScannedLine:
    if '"' not in line:  # fast path: no string to step over
        at = line.find("#")
        if at < 0:
            return ScannedLine(line, None, 0, line.count("{"), line.count("}"))
        code = line[:at]
        return ScannedLine(code, line[at + 1 :], at + 1, code.count("{"), code.count("}"))
    in_string = False
    escaped = False
    opens = closes = 0
    for i, ch in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch == "#":
            return ScannedLine(line[:i], line[i + 1 :], i + 1, opens, closes)
        elif ch == "{":
            opens += 1
        elif ch == "}":
            closes += 1
    return ScannedLine(line, None, 0, opens, closes)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def comments_of(text: str, path: str) -> tuple[ast.Comment, ...]:
    """Every ``# comment`` of the text, by line (the text after ``#`` and its following spaces)."""
    found = []
    if "#" not in text:
        return ()
    for number, line in enumerate(_lines(text), start=1):
        if "#" not in line:
            continue
        scanned = scan_line(line.rstrip("\r"))
        if scanned.comment is not None:
            col = scanned.comment_column
            found.append(
                ast.Comment(
                    number,
                    scanned.comment.strip(),
                    span=Span(path, number, col, number, col + 1 + len(scanned.comment)),
                )
            )
    return tuple(found)


def _depth_error(text: str, path: str) -> Diagnostic | None:
    if text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for number, line in enumerate(_lines(text), start=1):
        scanned = scan_line(line)
        if scanned.opens == 0 and scanned.closes == 0:
            continue
        for column, ch in enumerate(scanned.code, start=1):
            if ch == "{":
                depth += 1
                if depth > MAX_DEPTH:
                    return Diagnostic(
                        "E106",
                        "error",
                        f"braces are nested more than {MAX_DEPTH} deep",
                        Span(path, number, column, number, column + 1),
                        "blocks nest at most two deep (`coverage` > `network`); close each block with `}`",
                    )
            elif ch == "}":
                depth = max(0, depth - 1)
    return None


_LONG_LITERAL = re.compile(
    rf'[0-9][0-9,.]{{{MAX_DIGITS},}}|"[^"\n]{{{MAX_TOKEN},}}|[A-Za-z_][A-Za-z0-9_]{{{MAX_TOKEN},}}'
)


def _long_literals(text: str, path: str) -> list[Diagnostic]:
    if _LONG_LITERAL.search(text) is None:
        return []
    found = []
    for number, line in enumerate(_lines(text), start=1):
        code = scan_line(line).code
        for match in _LONG_LITERAL.finditer(code):
            digits = sum(ch.isdigit() for ch in match.group())
            if match.group()[0].isdigit() and digits <= MAX_DIGITS:
                continue
            what = (
                f"a number with more than {MAX_DIGITS} digits"
                if match.group()[0].isdigit()
                else f"a name or string longer than {MAX_TOKEN} characters"
            )
            found.append(
                Diagnostic(
                    "E107",
                    "error",
                    f"literal too long: {what}",
                    Span(path, number, match.start() + 1, number, match.end() + 1),
                    "amounts are at most in the billions; check for a pasted or repeated value",
                )
            )
            if len(found) >= MAX_ERRORS:
                return found
    return found


# ============================================================================ error messages

_WORDS = {
    "MONEY": "a money amount like $1,500",
    "PERCENT": "a percent like 80%",
    "NUMBER": "a number",
    "DATE": "a date like 2026-01-01",
    "NAME": "a name",
    "CODE": "a code like EE",
    "STRING": 'a quoted string like "text"',
    "BASIS_WINDOW": "a contract basis like 12/15",
    "_NL": "the end of the line",
    "$END": "the end of the file",
}
_ORDER = ["MONEY", "PERCENT", "NUMBER", "DATE", "NAME", "CODE", "STRING", "BASIS_WINDOW"]


def _terminal_words(lark: Lark) -> dict[str, str]:
    words = dict(_WORDS)
    for terminal in lark.terminals:
        if terminal.name not in words and terminal.pattern.type == "str":
            words[terminal.name] = f"`{terminal.pattern.value}`"
    return words


def expected_in_words(expected: Iterable[str], lark: Lark) -> str:
    """``expected a money amount like $1,500, a percent like 80%, or a name``."""
    words = _terminal_words(lark)
    names = sorted(
        set(expected), key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), words.get(n, n))
    )
    names = [n for n in names if n != "_NL"] + [n for n in names if n == "_NL"]
    phrases = [words.get(n, n.lower()) for n in names]
    if not phrases:
        return "nothing more here"
    if len(phrases) <= 2:
        return " or ".join(phrases)
    return ", ".join(phrases[:-1]) + ", or " + phrases[-1]


def _describe(token: Token) -> str:
    if token.type == "_NL":
        return "end of line"
    if token.type == "$END":
        return "end of file"
    kind = {
        "MONEY": "money amount",
        "PERCENT": "percent",
        "NUMBER": "number",
        "DATE": "date",
        "NAME": "name",
        "CODE": "code",
        "STRING": "string",
    }.get(token.type, "keyword" if str(token).isidentifier() else "symbol")
    return f"{kind} `{token}`"


def _hint(token: Token, expected: set[str], line: str) -> str:
    if re.search(r"\$[0-9]+,[0-9]{1,2}(?![0-9])|\$[0-9]+,[0-9]{4,}", line):
        return "a thousands separator comma is always followed by exactly three digits, as in $1,500"
    if token.type == "$END":
        return "a block is not closed: add the missing `}`"
    if token.type == "_NL" and expected:
        return "the statement is incomplete; each statement stands on one line"
    if "_NL" in expected and token.type != "_NL":
        return "each statement stands on its own line; remove what follows or start a new line"
    return ""


def _did_you_mean(token: Token, expected: set[str], lark: Lark) -> str:
    """``did you mean `deductible`?`` for a misspelt keyword, when one expected here is close."""
    if token.type in ("_NL", "$END") or not str(token).isidentifier():
        return ""
    keywords = [
        str(t.pattern.value) for t in lark.terminals if t.name in expected and t.pattern.type == "str"
    ]
    close = difflib.get_close_matches(str(token), keywords, n=1, cutoff=0.75)
    return f"did you mean `{close[0]}`?" if close else ""


# ============================================================================ parsing


class _Recovery:
    """What to skip after a syntax error so that parsing can go on and find the next one.

    Brace depths are computed once; skipped lines become empty (line numbers stay true). Everything
    before the top-level statement that holds the error parsed already, so it is skipped too: each
    new attempt starts at that statement, and a file with many errors costs little more than one
    parse.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.starts: list[int] = []
        self.ends: list[int] = []
        depth = 0
        for line in lines:
            scanned = scan_line(line)
            self.starts.append(depth)
            depth = max(0, depth + scanned.opens - scanned.closes)
            self.ends.append(depth)

    def _blank(self, first: int, last: int) -> None:
        for i in range(first, last + 1):
            self.lines[i] = ""  # depths stay: a skipped line inside a block is still inside it

    def skip(self, index: int) -> bool:
        """Skip past an error on 0-based line ``index``; False when nothing is left to skip."""
        if index >= len(self.lines):
            return False
        scanned = scan_line(self.lines[index])
        first = index
        while first > 0 and self.starts[first] > 0:
            first -= 1
        if scanned.opens == 0 and scanned.closes == 0:
            if not scanned.code.strip():
                return False
            self._blank(0, first - 1)
            self._blank(index, index)
            return True
        last = index
        while last < len(self.lines) - 1 and self.ends[last] > 0:
            last += 1
        self._blank(0, last)
        return True


def _acceptable(error: UnexpectedToken) -> set[str]:
    """The terminals the parser would really accept here.

    LALR merges states, so ``error.expected`` may list terminals valid only in another context;
    each candidate is tried on a copy of the parser state, as lark's ``accepts()`` does.
    """
    candidates = set(error.expected or ())
    state = error.interactive_parser.parser_state if error.interactive_parser else error.state
    if state is None:
        return candidates
    conf = copy.copy(state.parse_conf)
    conf.callbacks = {}
    accepted = set()
    for name in candidates:
        trial = state.copy(deepcopy_values=False)
        trial.parse_conf = conf
        try:
            trial.feed_token(Token(name, ""), is_end=name == "$END")
        except UnexpectedInput:
            continue
        except Exception:  # lark internals on an impossible trial: keep the candidate
            pass
        accepted.add(name)
    return accepted or candidates


def _diagnose(error: UnexpectedInput, lines: list[str], path: str, lark: Lark) -> Diagnostic:
    line = max(1, getattr(error, "line", 1) or 1)
    column = max(1, getattr(error, "column", 1) or 1)
    source = lines[line - 1] if line - 1 < len(lines) else ""
    if isinstance(error, UnexpectedCharacters):
        char = source[column - 1] if column - 1 < len(source) else ""
        if char == '"':
            return Diagnostic(
                "E103",
                "error",
                "unterminated string",
                Span(path, line, column, line, len(source.rstrip("\r")) + 1),
                'close the string with `"` on the same line (write \\" for a quote inside it)',
            )
        shown = char if char.isprintable() else f"U+{ord(char):04X}" if char else "?"
        expected = set(error.allowed or ())
        message = f"unexpected character `{shown}`"
        if char == "$":
            amount = re.match(r"\$[0-9,.]*", source[column - 1 :])
            message = f"malformed money amount `{amount.group() if amount else char}`"
        if expected:
            message += f"; expected {expected_in_words(expected, lark)}"
        hint = _hint(Token("CHAR", char), expected, source)
        return Diagnostic("E102", "error", message, Span(path, line, column, line, column + 1), hint)
    assert isinstance(error, UnexpectedToken)
    token = error.token
    expected = _acceptable(error)
    if token.type == "$END":
        last = len(lines)
        while last > 1 and not lines[last - 1].strip():
            last -= 1
        line, column = last, len(lines[last - 1].rstrip("\r")) + 1 if lines else 1
        span = Span(path, line, column, line, column + 1)
    elif token.type == "_NL":
        span = Span(path, token.line, token.column, token.line, token.column + 1)
    else:
        end_line = token.end_line or token.line
        end_column = token.end_column or (token.column + len(str(token)))
        span = Span(path, token.line, token.column, end_line, end_column)
    message = f"unexpected {_describe(token)}; expected {expected_in_words(expected, lark)}"
    hint = _did_you_mean(token, expected, lark) or _hint(token, expected, source)
    return Diagnostic("E101", "error", message, span, hint)


def parse_text(text: str, path: str = "<string>") -> tuple[ast.RuleFile | None, list[Diagnostic]]:
    """Parse rule-file text; the ``RuleFile`` is None when there is any syntax error."""
    if text.startswith("\ufeff"):
        text = text[1:]
    depth = _depth_error(text, path)
    if depth is not None:
        return None, [depth]
    diagnostics = _long_literals(text, path)
    if diagnostics:
        return None, diagnostics
    lark = lark_parser()
    work = text if text.endswith("\n") else text + "\n"
    lines = _lines(work)
    recovery: _Recovery | None = None
    tree: Any = None
    while True:
        try:
            tree = lark.parse("\n".join(lines))
            break
        except UnexpectedInput as error:
            diagnostic = _diagnose(error, lines, path, lark)
            diagnostics.append(diagnostic)
            if len(diagnostics) >= MAX_ERRORS:
                diagnostics.append(
                    Diagnostic(
                        "E108",
                        "error",
                        f"too many syntax errors: stopped after {MAX_ERRORS}",
                        diagnostic.span,
                        "fix these first; the rest of the file was not examined",
                    )
                )
                break
            if isinstance(error, UnexpectedToken) and error.token.type == "$END":
                break  # nothing after the end of the file to recover with
            if recovery is None:
                recovery = _Recovery(lines)
            if not recovery.skip(diagnostic.span.line - 1):
                break
    if diagnostics:
        return None, diagnostics
    rule_file = build_file(tree, path=path, comments=comments_of(text, path))
    if not rule_file.statements:
        diagnostics.append(
            Diagnostic(
                "W101",
                "warning",
                "the file has no statements",
                Span(path, 1, 1, 1, 1),
                'a rule file starts with `ruleset "NAME" { ... }` or holds sections to include',
            )
        )
    return rule_file, diagnostics


def too_large(size: int, path: str) -> Diagnostic:
    """E105 for a file of ``size`` bytes."""
    return Diagnostic(
        "E105",
        "error",
        f"file too large: {size:,} bytes or more (the limit is {MAX_FILE_BYTES:,})",
        Span(path, 1, 1, 1, 1),
        "split the ruleset into included files",
    )


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes -> text, or E104/E105 for binary, non-UTF-8 or oversized content."""
    if len(data) > MAX_FILE_BYTES:
        return None, [too_large(len(data), path)]
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        return None, [
            Diagnostic(
                "E104",
                "error",
                "binary file: not a rule file (it contains a NUL byte)",
                Span(path, line, 1, line, 1),
                "rule files are UTF-8 text",
            )
        ]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Diagnostic(
                "E104",
                "error",
                f"not UTF-8 text: byte 0x{data[exc.start]:02X} cannot be decoded",
                Span(path, line, column, line, column + 1),
                "save the file as UTF-8",
            )
        ]


def parse_bytes(data: bytes, path: str = "<string>") -> tuple[ast.RuleFile | None, list[Diagnostic]]:
    """Parse the bytes of a rule file (decoding, size and binary checks first)."""
    text, diagnostics = decode(data, path)
    if text is None:
        return None, diagnostics
    return parse_text(text, path)


def parse(text: str, path: str = "<string>") -> ast.RuleFile:
    """Parse text that must be valid (for tests and tools); raises ``ValueError`` with diagnostics."""
    rule_file, diagnostics = parse_text(text, path)
    if rule_file is None:
        raise ValueError("; ".join(f"{d.span.line}:{d.span.column}: {d.message}" for d in diagnostics))
    return rule_file
