"""JUnit XML for ``aso test --junit FILE``: the report format CI dashboards read.

On entry: the results of a run, per root rule file, and the files that could not be loaded with their
diagnostics. On exit: one ``<testsuites>`` document, one ``<testsuite>`` per rule file (named by its
path) and one ``<testcase>`` per test block (``classname`` is the file, ``name`` the test's name,
``file``/``line`` where it is written). A failed expectation is a ``<failure>`` whose text is the
same report as the text output (expected, actual, difference, the claim's trace); a test that could
not run is an ``<error>``; a rule file with errors is a suite with one ``<error>`` test case carrying
the diagnostics. No timing attributes: the document depends on the inputs only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from aso_rules.language.diagnostics import Diagnostic
from aso_rules.testing.runner import CaseResult, Outcome, tolerance_text


def _failure_text(outcome: Outcome, *, show_trace: bool = True) -> str:
    detail = f"expected {outcome.expected}{tolerance_text(outcome.expectation)}, actual "
    detail += outcome.actual if outcome.actual is not None else "(missing)"
    if outcome.difference is not None:
        detail += f", difference {outcome.difference}"
    if outcome.message:
        detail += f"; {outcome.message}"
    where = f" ({outcome.expectation.source})" if outcome.expectation.source else ""
    text = f"{outcome.label}: {detail}{where}\n"
    if outcome.trace and show_trace:
        text += outcome.trace
    return text


def render_junit(
    results: Sequence[tuple[str, Sequence[CaseResult]]],
    broken: Sequence[tuple[str, Sequence[Diagnostic]]] = (),
) -> str:
    """The JUnit XML document of a run (UTF-8, with an XML declaration)."""
    root = ET.Element("testsuites", name="aso test")
    total = failures = errors = 0
    for path, cases in results:
        suite = ET.SubElement(root, "testsuite", name=path)
        s_fail = s_err = 0
        for case in cases:
            attrs_ = {"classname": path, "name": case.name, "file": path}
            if case.source is not None:
                attrs_["file"] = case.source.file
                attrs_["line"] = str(case.source.line)
            element = ET.SubElement(suite, "testcase", attrs_)
            if case.error is not None:
                s_err += 1
                ET.SubElement(element, "error", message=case.error, type="TestSetupError").text = case.error
                continue
            failed = [o for o in case.outcomes if not o.passed]
            if failed:
                s_fail += 1
                first = failed[0]
                message = f"{first.label}: expected {first.expected}, actual {first.actual or '(missing)'}"
                if len(failed) > 1:
                    message += f" (and {len(failed) - 1} more)"
                node = ET.SubElement(element, "failure", message=message, type="ExpectationFailed")
                traced: set[str | None] = set()
                parts = []
                for o in failed:
                    parts.append(_failure_text(o, show_trace=o.expectation.subject not in traced))
                    traced.add(o.expectation.subject)
                node.text = "".join(parts)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(s_fail))
        suite.set("errors", str(s_err))
        suite.set("skipped", "0")
        total += len(cases)
        failures += s_fail
        errors += s_err
    for path, diagnostics in broken:
        suite = ET.SubElement(root, "testsuite", name=path, tests="1", failures="0", errors="1", skipped="0")
        element = ET.SubElement(suite, "testcase", classname=path, name="load rule file", file=path)
        lines = [
            f"{d.span.file}:{d.span.line}:{d.span.column}: {d.severity}[{d.code}]: {d.message}"
            for d in diagnostics
        ]
        count = sum(1 for d in diagnostics if d.is_error)
        node = ET.SubElement(
            element, "error", message=f"{count} error(s) in the rule file", type="RulesetError"
        )
        node.text = "\n".join(lines) + "\n"
        total += 1
        errors += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
