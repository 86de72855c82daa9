from datetime import date, datetime

import pytest

from etl.normalize.deadlines import parse_deadline
from etl.normalize.errors import NormalizeError


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023年6月30日前", (date(2023, 6, 30), "date")),
        ("2023.9.30", (date(2023, 9, 30), "date")),
        ("9月底", (date(2023, 9, 30), "date")),
        (datetime(2023, 10, 20), (date(2023, 10, 20), "date")),
        (45107, (date(2023, 6, 30), "date")),
        ("立行立改", (None, "immediate")),
        ("立即整改", (None, "immediate")),
        ("即知即改", (None, "immediate")),
        ("长期坚持", (None, "long_term")),
        ("长期", (None, "long_term")),
        ("持续推进", (None, "long_term")),
        ("常态化", (None, "long_term")),
        ("2023年9月30日前完成整改，长期坚持", (date(2023, 9, 30), "date")),
    ],
)
def test_parse_deadline(value, expected):
    assert parse_deadline(value, 2023) == expected


def test_impossible_deadline_date():
    with pytest.raises(NormalizeError, match="日期不存在"):
        parse_deadline("2023年2月30日", 2023)


@pytest.mark.parametrize("value", ["", None, "尽快", "年底前"])
def test_unrecognized_deadline(value):
    with pytest.raises(NormalizeError):
        parse_deadline(value, 2023)


def test_month_end_without_year():
    with pytest.raises(NormalizeError, match="缺少年份"):
        parse_deadline("9月底", None)
