"""Notebook use: short reprs and HTML for Ruleset, every engine's settlement and Quote; the ledger as
pandas and polars frames with exact numeric money; Decimal amounts in the summary."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import aso_rules
from aso_rules.model import Ruleset

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = str(ROOT / "examples" / "acme-claims.csv")
ENROLLMENT = str(ROOT / "examples" / "acme-enrollment.csv")


@cache
def acme() -> Ruleset:
    return aso_rules.load(str(ROOT / "rulesets" / "acme-2026.aso"))


@cache
def settled(engine: str) -> Any:
    if engine == "dask":
        pytest.importorskip("dask")
        import tempfile

        from tests.dask.inline import InlineClient

        out = tempfile.mkdtemp(prefix="aso-notebook-")
        return acme().settle(CLAIMS, ENROLLMENT, engine="dask", client=InlineClient(), out_dir=out)
    return acme().settle(CLAIMS, ENROLLMENT, engine=engine)


ENGINES = ["reference", "vector", "dask"]


def test_ruleset__repr_is_one_short_line_and_html_lists_its_parts() -> None:
    text = repr(acme())
    assert text.startswith("<Ruleset 'Acme Manufacturing 2026' 2026-01-01..2026-12-31") and len(text) < 200
    page = acme()._repr_html_()
    assert "<table>" in page and "Acme Re first tier" in page and "medical, rx, dental, std" in page


@pytest.mark.parametrize("engine", ENGINES)
def test_settlement__repr_is_short_and_html_is_the_summary(engine: str) -> None:
    s = settled(engine)
    text = repr(s)
    assert "\n" not in text and len(text) < 200
    assert "5000 lines received" in text and "employer cost 3,436,337.55" in text
    page = s._repr_html_()
    assert len(page) < 10_000
    assert "3,436,337.55" in page and "office_visit" not in page  # the summary, not the ledger
    for line in s.summary["by_line"]:
        assert f">{line}<" in page


@pytest.mark.parametrize("engine", ENGINES)
def test_summary__amounts_are_decimal(engine: str) -> None:
    total = settled(engine).summary["employer_cost"]["total"]
    assert isinstance(total, Decimal) and total == Decimal("3436337.55")
    assert total == "3436337.55"  # and still equal to summary.json's text


@pytest.mark.parametrize("engine", ENGINES)
def test_to_pandas__money_is_exact_and_numeric(engine: str) -> None:
    pd = pytest.importorskip("pandas")
    s = settled(engine)
    df = s.to_pandas()
    assert len(df) == s.summary["counts"]["settled"]
    assert isinstance(df["plan_paid"].dtype, pd.ArrowDtype)
    assert pa.types.is_decimal(df["plan_paid"].dtype.pyarrow_dtype)
    assert Decimal(df["plan_paid"].sum()) == s.summary["totals"]["plan_paid"]
    assert list(s.to_pandas("rejects").columns) == ["row", "claim_id", "reason", "line"]


@pytest.mark.parametrize("engine", ENGINES)
def test_to_polars__money_is_exact_and_numeric(engine: str) -> None:
    pl = pytest.importorskip("polars")
    s = settled(engine)
    frame = s.to_polars()
    assert isinstance(frame.schema["allowed"], pl.Decimal)
    assert Decimal(str(frame["allowed"].sum())) == s.summary["totals"]["allowed"]


def test_to_pandas__an_unknown_table_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown table 'ledgr' \(choose from ledger, rejects"):
        settled("reference").to_pandas("ledgr")


def test_quote__repr_is_short_and_html_has_the_key_figures_and_the_chart() -> None:
    pytest.importorskip("scipy")
    q = acme().price(ENROLLMENT, simulations=0)
    text = repr(q)
    assert text.startswith("<Quote 'Acme Manufacturing 2026': 271 employees") and len(text) < 200
    page = q._repr_html_()
    assert "maximum liability" in page and "funding rate EE" in page
    assert "cdn.plot.ly" in page and len(page) < 100_000  # the chart, without the 4 MB bundle


def _leaves(node: Any, path: str = "") -> Any:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, node


@pytest.mark.parametrize("engine", ENGINES)
def test_summary__no_amount_is_left_as_text(engine: str) -> None:
    import re

    money_text = re.compile(r"-?\d+\.\d\d")
    for path, value in _leaves(settled(engine).summary):
        assert not (isinstance(value, str) and money_text.fullmatch(value)), (path, value)
