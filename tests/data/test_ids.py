"""Id and code columns that arrive as numbers are read back to their text, identically in every
engine, or refused with the column, the row and the fix; never settled as something else.

The round trips read the bundled example with plain ``pandas.read_csv`` (which makes ``code`` a
float column, ``99213.0``) and must give the CLI's employer cost to the cent.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aso_rules.cli import main
from aso_rules.data.ids import NotText, id_text, ids_as_text, pandas_ids_as_text
from aso_rules.data.source import InputError, read_text_table, to_arrow
from aso_rules.model import Ruleset

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "examples" / "acme-claims.csv"
ENROLLMENT = ROOT / "examples" / "acme-enrollment.csv"
RULESET = ROOT / "rulesets" / "acme-2026.aso"


@cache
def acme() -> Ruleset:
    from aso_rules.language.loader import load

    return load(str(RULESET))


@cache
def cli_employer_cost() -> Decimal:
    """The employer cost ``aso settle`` gives on the example files (read as text)."""
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        code = main(["settle", str(RULESET), "--claims", str(CLAIMS), "--enrollment", str(ENROLLMENT),
                     "--out", out, "--engine", "reference"])  # fmt: skip
        assert code == 0
        summary = json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
    return Decimal(str(summary["employer_cost"]["total"]))


def test_float_codes__whole_numbers_print_without_the_decimal_point() -> None:
    table = pa.table({"code": [99213.0, None, float("nan"), 450.0], "billed": [1.5, 2.0, 3.0, 4.0]})
    out = ids_as_text(table)
    assert out.column("code").to_pylist() == ["99213", None, None, "450"]
    assert out.column("billed").type == pa.float64()  # not an id: left to the money reader


def test_integer_and_dictionary_ids__read_as_text() -> None:
    table = pa.table({
        "member_id": pa.array([1001, 1002], type=pa.int32()),
        "code": pa.array([99213.0, 99213.0]).dictionary_encode(),
    })  # fmt: skip
    out = read_text_table(table)
    assert out.columns["member_id"] == ["1001", "1002"]
    assert out.columns["code"] == ["99213", "99213"]


@given(st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1))
def test_whole_floats__read_back_to_the_integer_text(n: int) -> None:
    got = id_text("claim_id", pa.array([float(n)]))
    assert got.to_pylist() == [str(n)]


@pytest.mark.parametrize(
    ("value", "row"),
    [(99213.5, 2), (2.0**60, 2), (float("inf"), 2)],
    ids=["fraction", "too-large-to-be-exact", "infinity"],
)
def test_float_ids_not_their_text__are_refused_naming_column_and_row(value: float, row: int) -> None:
    with pytest.raises(InputError, match=rf"column 'code' holds .* \(row {row}\).*dtype=str"):
        to_arrow(pa.table({"code": [1.0, value]}))


def test_float32_past_its_exact_integers__is_refused() -> None:
    with pytest.raises(NotText):
        id_text("code", pa.array([2.0**25], type=pa.float32()))


def test_pandas_object_ids_mixing_numbers_and_text__read_as_text() -> None:
    frame = pd.DataFrame({"code": pd.Series([99213, "J1100", None, 450.0], dtype=object), "x": [1, 2, 3, 4]})
    got = pandas_ids_as_text(frame)["code"].tolist()
    assert [got[0], got[1], got[3]] == ["99213", "J1100", "450"] and pd.isna(got[2])
    assert read_text_table(frame).columns["code"] == ["99213", "J1100", None, "450"]
    with pytest.raises(NotText, match=r"row 2"):
        pandas_ids_as_text(pd.DataFrame({"code": pd.Series(["A", 1.25], dtype=object)}))


@pytest.mark.parametrize("engine", ["reference", "vector"])
def test_pandas_read_csv_round_trip__gives_the_cli_employer_cost(engine: str) -> None:
    claims = pd.read_csv(CLAIMS)
    assert claims["code"].dtype == np.float64  # the case: 99213 arrives as 99213.0
    settlement = acme().settle(claims, pd.read_csv(ENROLLMENT), engine=engine)
    assert len(settlement.rejects) == 0
    assert Decimal(str(settlement.summary["employer_cost"]["total"])) == cli_employer_cost()


def test_pandas_read_csv_round_trip__dask_engine_gives_the_cli_employer_cost(tmp_path: Path) -> None:
    pytest.importorskip("dask")
    from tests.dask.inline import InlineClient

    settlement = acme().settle(
        pd.read_csv(CLAIMS), pd.read_csv(ENROLLMENT), engine="dask", client=InlineClient(), out_dir=tmp_path
    )
    assert Decimal(str(settlement.summary["employer_cost"]["total"])) == cli_employer_cost()


@pytest.mark.parametrize("engine", ["reference", "vector"])
def test_parquet_written_from_pandas__settles_like_the_csv(engine: str, tmp_path: Path) -> None:
    """A Parquet file written from a pandas frame keeps the float codes; the CLI reads them as text."""
    pd.read_csv(CLAIMS).to_parquet(tmp_path / "claims.parquet")
    pd.read_csv(ENROLLMENT).to_parquet(tmp_path / "enrollment.parquet")
    assert pq.read_schema(tmp_path / "claims.parquet").field("code").type == pa.float64()
    code = main(["settle", str(RULESET), "--claims", str(tmp_path / "claims.parquet"),
                 "--enrollment", str(tmp_path / "enrollment.parquet"), "--out", str(tmp_path / "out"),
                 "--engine", engine])  # fmt: skip
    assert code == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert Decimal(str(summary["employer_cost"]["total"])) == cli_employer_cost()
