from datetime import date, timedelta

import chinese_calendar
import pytest

from etl.normalize.workdays import add_working_days, is_working_day, working_days_between


def _reference_add(start: date, n: int) -> date:
    """Independent count straight on chinese_calendar."""
    d = start
    while n:
        d += timedelta(days=1)
        n -= chinese_calendar.is_workday(d)
    return d


def test_national_day_2023_with_make_up_weekend():
    # 9-29..10-06 off, Sat 10-07 and Sun 10-08 worked; Mon–Fri would give 10-04.
    assert add_working_days(date(2023, 9, 27), 5) == (date(2023, 10, 10), False)


def test_spring_festival_2024_against_chinese_calendar():
    # 2-10..2-17 off, Sun 2-18 worked.
    start = date(2024, 2, 8)
    assert add_working_days(start, 5) == (_reference_add(start, 5), False)
    assert add_working_days(start, 5) == (date(2024, 2, 21), False)
    assert chinese_calendar.is_workday(date(2024, 2, 18))
    assert is_working_day(date(2024, 2, 18)) and not is_working_day(date(2024, 2, 12))


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2023, 9, 27), 0, date(2023, 9, 27)),
        (date(2023, 9, 27), 1, date(2023, 9, 28)),
        (date(2023, 6, 16), 1, date(2023, 6, 19)),  # Fri → Mon
        (date(2023, 6, 21), 1, date(2023, 6, 25)),  # Dragon Boat: Sun 6-25 worked
    ],
)
def test_add_working_days_small_cases(start, n, expected):
    assert add_working_days(start, n) == (expected, False)


def test_far_future_is_provisional_mon_to_fri():
    # 2099-01-01 is a Thursday.
    assert add_working_days(date(2099, 1, 1), 5) == (date(2099, 1, 8), True)
    assert add_working_days(date(2099, 1, 2), 1) == (date(2099, 1, 5), True)


def test_crossing_into_uncovered_year_is_provisional():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2099, 1, 1))
    _, provisional = add_working_days(date(2098, 12, 31), 1)
    assert provisional


def test_negative_n_rejected():
    with pytest.raises(ValueError):
        add_working_days(date(2023, 9, 27), -1)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (date(2023, 9, 27), date(2023, 10, 10), 5),
        (date(2023, 9, 27), date(2023, 10, 4), 1),
        (date(2023, 9, 27), date(2023, 9, 27), 0),
        (date(2023, 10, 10), date(2023, 9, 27), 0),
        (date(2024, 2, 8), date(2024, 2, 21), 5),
    ],
)
def test_working_days_between(a, b, expected):
    assert working_days_between(a, b) == expected


def test_working_days_between_across_years_matches_brute_force():
    a, b = date(2022, 11, 15), date(2024, 3, 1)
    expected = sum(chinese_calendar.is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
    assert working_days_between(a, b) == expected


def test_between_is_inverse_of_add():
    start = date(2023, 9, 27)
    for n in range(0, 30):
        end, _ = add_working_days(start, n)
        assert working_days_between(start, end) == n
