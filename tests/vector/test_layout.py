"""The kernels' named column positions and line codes agree with the plan tables and the reasons."""

from __future__ import annotations

import inspect

from aso_rules.settle.vector import engine, layout
from aso_rules.settle.vector.plan import DISABILITY_COLUMNS, LIMIT_COLUMNS, TERM_COLUMNS, WINDOW_COLUMNS

TABLES = {"T_": TERM_COLUMNS, "L_": LIMIT_COLUMNS, "D_": DISABILITY_COLUMNS, "W_": WINDOW_COLUMNS}


def test_every_column_constant_is_its_names_position() -> None:
    for prefix, columns in TABLES.items():
        for i, name in enumerate(columns):
            assert getattr(layout, prefix + name.upper()) == i, (prefix, name)
        named = {n for n in vars(layout) if n.startswith(prefix) and n.isupper()}
        assert named == {prefix + c.upper() for c in columns}


def test_line_codes_are_distinct_and_every_special_reason_has_a_text() -> None:
    assert (layout.PAID, layout.DENIED) == (0, 1)
    codes = [layout.NO_REASON, *layout.SPECIAL_REASONS]
    assert len(set(codes)) == len(codes)
    assert all(c < 0 for c in codes)  # static reasons are the indices >= 0
    source = inspect.getsource(engine.reason_text)
    names = {v: n for n, v in vars(layout).items() if n.isupper() and isinstance(v, int)}
    for code in codes:
        assert f"code == {names[code]}" in source, names[code]
