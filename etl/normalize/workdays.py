"""Working days on the State Council holiday schedule (incl. 调休 make-up weekends)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache, lru_cache

import chinese_calendar

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@cache
def _day(d: date) -> tuple[bool, bool]:
    """(is working day, provisional). Years the library does not cover fall back to Mon–Fri."""
    try:
        return chinese_calendar.is_workday(d), False
    except NotImplementedError:
        return d.weekday() < _SATURDAY, True


def is_working_day(d: date) -> bool:
    return _day(d)[0]


def is_provisional(d: date) -> bool:
    """True when d's year is not in the official schedule and Mon–Fri was assumed."""
    return _day(d)[1]


@lru_cache(maxsize=65536)
def add_working_days(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after start, and whether any day counted was provisional.

    Day 1 is the first working day after start (the start day itself never counts):
    assigned Wed 2023-09-27, 5 working days → Tue 2023-10-10.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    d, counted, provisional = start, 0, False
    while counted < n:
        d += _ONE_DAY
        working, guessed = _day(d)
        provisional = provisional or guessed
        counted += working
    return d, provisional


@cache
def _year_table(year: int) -> tuple[int, ...]:
    """Cumulative working days from 1 Jan up to and including each day (index = day of year - 1)."""
    table, total, d = [], 0, date(year, 1, 1)
    while d.year == year:
        total += _day(d)[0]
        table.append(total)
        d += _ONE_DAY
    return tuple(table)


def _through(d: date) -> int:
    """Working days from 1 Jan of d's year up to and including d."""
    return _year_table(d.year)[d.timetuple().tm_yday - 1]


def working_days_between(a: date, b: date) -> int:
    """Working days after a, up to and including b; 0 if b <= a."""
    if b <= a:
        return 0
    if a.year == b.year:
        return _through(b) - _through(a)
    total = _year_table(a.year)[-1] - _through(a) + _through(b)
    return total + sum(_year_table(y)[-1] for y in range(a.year + 1, b.year))
