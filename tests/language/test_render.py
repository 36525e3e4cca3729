"""Diagnostic renderers: text with source and carets, docs/contracts.md's JSON, SARIF 2.1.0, GitHub."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aso_rules.language.diagnostics import Diagnostic, Span
from aso_rules.language.parser import parse_text
from aso_rules.language.render import render, render_github, render_json, render_sarif, render_text

SOURCE = "coverage m {\n  plan pays\n\tcopay x $1,50\n}\n"
DIAGNOSTICS = parse_text(SOURCE, "m.aso")[1]
WARNING = Diagnostic("W999", "warning", "a, b: c", Span("dir/w.aso", 3, 2, 3, 6), "")


def test_render_text__location_source_caret_and_hint() -> None:
    """Text shows path:line:col: severity[code]: message, the source line, carets and the hint."""
    text = render_text(DIAGNOSTICS, {"m.aso": SOURCE})
    lines = text.splitlines()
    assert lines[0].startswith("m.aso:2:12: error[E101]: unexpected end of line; expected ")
    assert lines[1] == "    2 |   plan pays"
    assert lines[2] == "      |            ^"
    assert lines[3].startswith("  = hint: ")
    # a tab before the span is kept in the caret line so the caret lines up
    assert "    3 | \tcopay x $1,50" in lines
    assert "      | \t        ^" in lines


def test_render_text__span_width_and_missing_source() -> None:
    """The caret line is as wide as the span; without the source only the header line is printed."""
    text = render_text([WARNING], {"dir/w.aso": "a\nb\nxabcdefg\n"})
    assert text.splitlines()[2] == "      |  ^^^^"
    assert render_text([WARNING], None) == "dir/w.aso:3:2: warning[W999]: a, b: c"


def test_render_json__design_shape() -> None:
    """JSON has exactly docs/contracts.md's keys, counts by severity and every diagnostic field."""
    document = json.loads(render_json([*DIAGNOSTICS, WARNING], files=2))
    assert set(document) == {"files", "errors", "warnings", "diagnostics"}
    assert (document["files"], document["errors"], document["warnings"]) == (2, 2, 1)
    first = document["diagnostics"][0]
    assert set(first) == {
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "hint",
    }
    assert (first["file"], first["line"], first["column"], first["code"]) == ("dir/w.aso", 3, 2, "W999")


def test_render_sarif__one_run_rules_per_code_and_regions() -> None:
    """SARIF 2.1.0: one run of tool aso, one rule per code, results with physical locations."""
    document = json.loads(render_sarif([*DIAGNOSTICS, WARNING], version="0.0.0"))
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "aso"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert sorted(rule_ids) == sorted({"E101", "E102", "W999"})
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    warning = next(r for r in run["results"] if r["ruleId"] == "W999")
    location = warning["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "dir/w.aso"
    assert location["region"] == {"startLine": 3, "startColumn": 2, "endLine": 3, "endColumn": 6}


def test_render_github__annotation_commands_escaped() -> None:
    """GitHub annotations carry file, line, col, end and title; commas and colons are escaped."""
    lines = render_github([WARNING, *DIAGNOSTICS]).splitlines()
    # sorted by file, line, column
    assert lines[0] == "::warning file=dir/w.aso,line=3,col=2,endLine=3,endColumn=6,title=W999::a, b: c"
    assert lines[1].startswith("::error file=m.aso,line=2,col=12,endLine=2,endColumn=13,title=E101::")
    escaped = render_github([Diagnostic("E1", "error", "50% off\nnext", Span("a,b:c", 1, 1, 1, 2))])
    assert escaped == "::error file=a%2Cb%3Ac,line=1,col=1,endLine=1,endColumn=2,title=E1::50%25 off%0Anext"


def test_render__dispatch_and_unknown_format() -> None:
    """render() dispatches by name and rejects an unknown format."""
    assert render([WARNING], "github") == render_github([WARNING])
    try:
        render([WARNING], "xml")
    except ValueError as exc:
        assert "xml" in str(exc)
    else:
        raise AssertionError("unknown format accepted")


_spans = st.builds(
    Span,
    st.text(max_size=10),
    st.integers(0, 12),
    st.integers(0, 40),
    st.integers(0, 12),
    st.integers(0, 40),
)
_diagnostics = st.lists(
    st.builds(
        Diagnostic,
        st.from_regex(r"[EW][0-9]{3}", fullmatch=True),
        st.sampled_from(["error", "warning"]),
        st.text(max_size=30),
        _spans,
        st.text(max_size=20),
    ),
    max_size=5,
)


@settings(deadline=None, max_examples=150)
@given(_diagnostics, st.text(max_size=200))
def test_render__any_diagnostics_any_source(diagnostics: list[Diagnostic], source: str) -> None:
    """Every renderer accepts any diagnostics and source text; SARIF regions stay 1-based and ordered."""
    sources = {d.span.file: source for d in diagnostics}
    assert render_text(diagnostics, sources).count("[") >= len(diagnostics)
    assert len(json.loads(render_json(diagnostics, files=1))["diagnostics"]) == len(diagnostics)
    (run,) = json.loads(render_sarif(diagnostics, version="0"))["runs"]
    for result in run["results"]:
        region = result["locations"][0]["physicalLocation"].get("region")
        if region is not None:
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            assert region.get("endLine", region["startLine"]) >= region["startLine"]
            if region.get("endLine") == region["startLine"] and "endColumn" in region:
                assert region["endColumn"] > region["startColumn"]
    github = render_github(diagnostics)
    assert len(github.split("\n")) == len(diagnostics) or not diagnostics
