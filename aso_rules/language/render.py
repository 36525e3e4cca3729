"""Renderers of a list of diagnostics: text, JSON, SARIF 2.1.0, GitHub workflow annotations.

On entry: diagnostics in any order (each with a 1-based span; a 0 line means "no position").
On exit: a string (no trailing newline for one-line formats; JSON and SARIF are one document).
Renderers never read anything but the source lines they quote (through ``sources``), and a missing
or unreadable source only drops the quoted line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from aso_rules.language.codes import CODES
from aso_rules.language.diagnostics import Diagnostic

SourceLookup = Callable[[str], str | None]

# Descriptions of the codes owned by the front end (SARIF rule metadata and the docs anchor); other
# codes take the message of their first diagnostic.
DESCRIPTIONS = {code: entry.title for code, entry in CODES.items() if entry.stage == "front end"}


def _ordered(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.span.file, d.span.line, d.span.column, d.code))


def file_sources() -> SourceLookup:
    """A lookup that reads each file once from disk (None when unreadable)."""
    cache: dict[str, str | None] = {}

    def lookup(path: str) -> str | None:
        if path not in cache:
            try:
                with open(path, "rb") as handle:
                    cache[path] = handle.read(8 * 1024 * 1024).decode("utf-8", errors="replace")
            except OSError:
                cache[path] = None
        return cache[path]

    return lookup


def _source_line(sources: SourceLookup | Mapping[str, str] | None, path: str, line: int) -> str | None:
    if sources is None or line <= 0:
        return None
    text = sources.get(path) if isinstance(sources, Mapping) else sources(path)
    if text is None:
        return None
    lines = text.split("\n")
    if line > len(lines):
        return None
    return lines[line - 1].rstrip("\r")


def render_text(
    diagnostics: Sequence[Diagnostic], sources: SourceLookup | Mapping[str, str] | None = None
) -> str:
    """``path:line:col: error[E101]: message``, the source line, a caret line, ``  = hint: ...``."""
    blocks = []
    for d in _ordered(diagnostics):
        s = d.span
        lines = [f"{s.file}:{s.line}:{s.column}: {d.severity}[{d.code}]: {d.message}"]
        source = _source_line(sources, s.file, s.line)
        if source is not None:
            gutter = f"{s.line:>5} | "
            lines.append(gutter + source)
            start = max(1, s.column)
            end = s.end_column if s.end_line == s.line and s.end_column > start else len(source) + 1
            width = max(1, end - start)
            pad = "".join("\t" if ch == "\t" else " " for ch in source[: start - 1])
            lines.append(" " * (len(gutter) - 2) + "| " + pad + "^" * width)
        if d.hint:
            lines.append(f"  = hint: {d.hint}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def as_dict(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic with docs/contracts.md's JSON keys."""
    s = d.span
    return {
        "file": s.file,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
    }


def render_json(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """``{"files", "errors", "warnings", "diagnostics": [...]}`` (docs/contracts.md)."""
    ordered = _ordered(diagnostics)
    document = {
        "files": files,
        "errors": sum(1 for d in ordered if d.is_error),
        "warnings": sum(1 for d in ordered if not d.is_error),
        "diagnostics": [as_dict(d) for d in ordered],
    }
    return json.dumps(document, indent=2)


def _uri(path: str) -> str:
    return PurePath(path).as_posix()


DOCS_URI = "https://github.com/aso-rules/aso-rules/blob/main/docs/diagnostics.md"


def help_uri(code: str) -> str:
    """The docs/diagnostics.md section of a code (its heading is ``## CODE description``)."""
    if code not in DESCRIPTIONS:
        return DOCS_URI
    heading = f"{code} {DESCRIPTIONS[code]}".lower()
    slug = "".join(c for c in heading if c.isalnum() or c in " -_").replace(" ", "-")
    return f"{DOCS_URI}#{slug}"


def render_sarif(diagnostics: Sequence[Diagnostic], *, version: str | None = None) -> str:
    """SARIF 2.1.0: one run of tool ``aso`` with one rule per code."""
    if version is None:
        from aso_rules import __version__ as version
    ordered = _ordered(diagnostics)
    rules: dict[str, dict[str, Any]] = {}
    for d in ordered:
        if d.code not in rules:
            rules[d.code] = {
                "id": d.code,
                "shortDescription": {"text": DESCRIPTIONS.get(d.code, d.message)},
                "defaultConfiguration": {"level": d.severity},
                "helpUri": help_uri(d.code),
            }
    index = {code: i for i, code in enumerate(rules)}
    results = []
    for d in ordered:
        s = d.span
        location: dict[str, Any] = {"artifactLocation": {"uri": _uri(s.file)}}
        if s.line >= 1:
            region = {"startLine": s.line, "startColumn": max(1, s.column)}
            if s.end_line >= s.line:
                region["endLine"] = s.end_line
                if s.end_column >= 1 and (s.end_line > s.line or s.end_column > region["startColumn"]):
                    region["endColumn"] = s.end_column
            location["region"] = region
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": d.severity,
            "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
            "locations": [{"physicalLocation": location}],
        }
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aso",
                        "version": version,
                        "informationUri": "https://github.com/aso-rules/aso-rules",
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub workflow commands: ``::error file=F,line=L,col=C,endLine=..,endColumn=..,title=E101::msg``."""
    lines = []
    for d in _ordered(diagnostics):
        s = d.span
        props = [f"file={_escape_property(s.file)}"]
        if s.line >= 1:
            props += [f"line={s.line}", f"col={max(1, s.column)}"]
            if s.end_line >= s.line:
                props += [f"endLine={s.end_line}", f"endColumn={max(1, s.end_column)}"]
        props.append(f"title={_escape_property(d.code)}")
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        lines.append(f"::{d.severity} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines)


def render(
    diagnostics: Sequence[Diagnostic],
    fmt: str,
    *,
    files: int = 0,
    sources: SourceLookup | Mapping[str, str] | None = None,
) -> str:
    """Dispatch on ``fmt``: ``text``, ``json``, ``sarif`` or ``github``."""
    if fmt == "text":
        return render_text(diagnostics, sources if sources is not None else file_sources())
    if fmt == "json":
        return render_json(diagnostics, files)
    if fmt == "sarif":
        return render_sarif(diagnostics)
    if fmt == "github":
        return render_github(diagnostics)
    raise ValueError(f"unknown format {fmt!r}; expected text, json, sarif or github")
