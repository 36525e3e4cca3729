"""A claim id that is not in a settlement: a ``KeyError`` whose message suggests the nearest ids.

``Settlement.explain("C-000001")`` on a ledger whose ids have seven digits raises ``UnknownClaim``:
``no claim 'C-000001' in this settlement; nearest ids: 'C-0000001', 'C-0000013', 'C-0000015'``.
The suggestions come from ``difflib`` over the settlement's claim ids (ties go to the same trailing
number, then the longer common prefix); at most ``SCAN`` ids are compared, those most like the id in
length and first character, so a ledger of millions answers at once.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterable
from typing import Any

_TRAILING = re.compile(r"\d+$")
SCAN = 50_000  # ids compared at most


class UnknownClaim(KeyError):
    """The claim id is not among the settlement's lines; ``nearest`` holds the closest ids."""

    def __init__(self, claim_id: str, nearest: Iterable[str] = ()) -> None:
        self.claim_id = claim_id
        self.nearest = tuple(nearest)
        super().__init__(claim_id)

    def __str__(self) -> str:
        text = f"no claim {self.claim_id!r} in this settlement"
        if self.nearest:
            text += "; nearest ids: " + ", ".join(repr(n) for n in self.nearest)
        return text


def nearest_ids(claim_id: str, ids: Iterable[str | None], n: int = 3) -> list[str]:
    """Up to ``n`` of ``ids`` closest to ``claim_id`` (``difflib`` ratio at least 0.6); ids of about
    its length and with its first character are compared first."""
    like: list[str] = []
    other: list[str] = []
    seen: set[str] = set()
    for cid in ids:
        if cid is None or cid in seen:
            continue
        seen.add(cid)
        if abs(len(cid) - len(claim_id)) <= 2 and cid[:1] == claim_id[:1]:
            if len(like) < SCAN:
                like.append(cid)
        elif len(other) < SCAN:
            other.append(cid)
    return _closest(claim_id, like or other, n)


def _closest(word: str, candidates: list[str], n: int, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches``, ties broken by the same trailing number, then the longer
    common prefix, then input order (``C-000001`` suggests ``C-0000001`` first)."""
    number = _number(word)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    scored: list[tuple[float, bool, int, int, str]] = []
    for order, x in enumerate(candidates):
        matcher.set_seq1(x)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                same = number is not None and _number(x) == number
                scored.append((ratio, same, _prefix(x, word), -order, x))
    return [x for *_, x in heapq.nlargest(n, scored)]


def _prefix(a: str, b: str) -> int:
    """The length of the common prefix of ``a`` and ``b``."""
    k = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        k += 1
    return k


def _number(text: str) -> int | None:
    """The value of the digits that end ``text`` (``C-000001`` -> 1), if any."""
    found = _TRAILING.search(text)
    return int(found[0]) if found else None


def arrow_candidates(claim_id: str, ids: Any) -> list[str | None]:
    """The ids of an Arrow string array worth comparing (``nearest_ids``), filtered in Arrow so a
    large ledger never becomes Python strings."""
    import pyarrow.compute as pc

    if len(ids) > SCAN:
        close = pc.less_equal(pc.abs(pc.subtract(pc.utf8_length(ids), len(claim_id))), 2)
        ids = pc.filter(ids, pc.and_(close, pc.starts_with(ids, claim_id[:1])).fill_null(False))
        ids = ids.slice(0, SCAN) if len(ids) else ids
    out: list[str | None] = ids.to_pylist()
    return out


def unknown_claim(claim_id: str, ids: Iterable[str | None]) -> UnknownClaim:
    """The error for ``claim_id`` missing from ``ids``, with the nearest ids."""
    return UnknownClaim(claim_id, nearest_ids(claim_id, ids))


__all__ = ["UnknownClaim", "arrow_candidates", "nearest_ids", "unknown_claim"]
