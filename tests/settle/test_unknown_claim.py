"""``Settlement.explain`` of a claim id that is not in the settlement: a ``KeyError`` (``UnknownClaim``)
whose message names the id and suggests the nearest ids, in the reference and vector engines."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aso_rules.cli import main
from aso_rules.settle import Settlement
from aso_rules.settle.lookup import UnknownClaim, nearest_ids

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = str(ROOT / "examples" / "acme-claims.csv")
ENROLLMENT = str(ROOT / "examples" / "acme-enrollment.csv")


@cache
def settled(engine: str) -> Settlement:
    import aso_rules

    settlement: Settlement = aso_rules.load(str(ROOT / "rulesets" / "acme-2026.aso")).settle(
        CLAIMS, ENROLLMENT, engine=engine
    )
    return settlement


@pytest.mark.parametrize("engine", ["reference", "vector"])
def test_explain__a_mistyped_id_suggests_the_id_meant_first(engine: str) -> None:
    with pytest.raises(KeyError) as raised:
        settled(engine).explain("C-000001")  # six digits; the example's ids have seven
    assert isinstance(raised.value, UnknownClaim)
    assert raised.value.nearest[0] == "C-0000001"
    assert str(raised.value).startswith("no claim 'C-000001' in this settlement; nearest ids: 'C-0000001'")


@pytest.mark.parametrize("engine", ["reference", "vector"])
def test_explain__nothing_near_says_so_plainly(engine: str) -> None:
    with pytest.raises(UnknownClaim, match=r"^no claim 'nope' in this settlement$"):
        settled(engine).explain("nope")


def test_cli_explain__names_the_nearest_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["explain", str(ROOT / "rulesets" / "acme-2026.aso"), "--claims", CLAIMS,
                 "--enrollment", ENROLLMENT, "--claim", "C-000001"])  # fmt: skip
    assert code == 2
    assert "nearest ids: C-0000001," in capsys.readouterr().err


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=30), st.data())
def test_nearest_ids__an_id_present_is_its_own_nearest(ids: list[str], data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(ids))
    assert nearest_ids(target, ids)[0] == target
