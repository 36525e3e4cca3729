"""The calendar in integers: day numbers (days since 1970-01-01) to and from (year, month, day),
and whole calendar months added the way ``windows.add_months`` adds them."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def civil(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day number (days since 1970-01-01), proleptic Gregorian."""
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    if m <= 2:
        y += 1
    return y, m, d


@njit(cache=True, inline="always")
def day_of(y: int, m: int, d: int) -> int:
    """The day number of a (year, month, day)."""
    if m <= 2:
        y -= 1
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit(cache=True, inline="always")
def add_months_day(days: int, months: int) -> int:
    """``order.add_months``: whole calendar months, a day past the month's end becomes its last."""
    y, m, d = civil(days)
    index = y * 12 + (m - 1) + months
    ny = index // 12
    nm = index % 12 + 1
    first = day_of(ny, nm, 1)
    nxt = day_of(ny + 1, 1, 1) if nm == 12 else day_of(ny, nm + 1, 1)
    last = nxt - first
    return first + (d if d < last else last) - 1


@njit(cache=True)
def add_months_many(days: Any, months: Any) -> Any:
    """``add_months_day`` over arrays."""
    out = np.empty_like(days)
    for i in range(days.shape[0]):
        out[i] = add_months_day(days[i], months[i])
    return out
