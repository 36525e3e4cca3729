"""docs/semantics.md's worked claim examples and the adjudication edge cases, through the vector engine.

The reference engine's example tests are collected here a second time with their ``run`` and
``adjudicate`` replaced by the vector engine's (``helpers.vector_run``, ``vector_adjudicate``): the
same hand-checked numbers must come out of the vector engine.
"""

from __future__ import annotations

import pytest

from aso_rules.settle.vector import vector_adjudicate
from tests.settle import test_adjudicate_examples as _examples
from tests.settle import test_adjudicate_more as _more
from tests.settle.test_adjudicate_examples import *  # noqa: F403 (re-collected through the vector engine)
from tests.settle.test_adjudicate_more import *  # noqa: F403
from tests.vector.helpers import vector_run


@pytest.fixture(autouse=True)
def _through_the_vector_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example in this module settles through the vector engine."""
    for module in (_examples, _more):
        if hasattr(module, "run"):
            monkeypatch.setattr(module, "run", vector_run)
        if hasattr(module, "adjudicate"):
            monkeypatch.setattr(module, "adjudicate", vector_adjudicate)
