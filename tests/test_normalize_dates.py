from datetime import date, datetime

import pytest

from etl.normalize.dates import parse_date
from etl.normalize.errors import NormalizeError


@pytest.mark.parametrize(
    "value, default_year, expected",
    [
        (date(2023, 6, 30), None, date(2023, 6, 30)),
        (datetime(2023, 6, 30, 15, 0), None, date(2023, 6, 30)),
        (45107, None, date(2023, 6, 30)),
        (45107.75, None, date(2023, 6, 30)),
        ("45107", None, date(2023, 6, 30)),
        (20230930, None, date(2023, 9, 30)),
        ("2023年6月30日", None, date(2023, 6, 30)),
        ("2023年6月30日前", None, date(2023, 6, 30)),
        ("2023年6月30日之前", None, date(2023, 6, 30)),
        ("2023年6月30日以前", None, date(2023, 6, 30)),
        ("2023.9.30", None, date(2023, 9, 30)),
        ("2023/9/30", None, date(2023, 9, 30)),
        ("2023-09-30", None, date(2023, 9, 30)),
        ("2023-09-30 00:00:00", None, date(2023, 9, 30)),
        ("20230930", None, date(2023, 9, 30)),
        ("２０２３年９月３０日", None, date(2023, 9, 30)),
        (" 2023 年 9 月 30 日 ", None, date(2023, 9, 30)),
        ("2023年6月", None, date(2023, 6, 30)),
        ("2023年2月底", None, date(2023, 2, 28)),
        ("6月30日", 2023, date(2023, 6, 30)),
        ("9月底", 2023, date(2023, 9, 30)),
        ("9月末", 2024, date(2024, 9, 30)),
        ("2月底", 2024, date(2024, 2, 29)),
    ],
)
def test_parse_date(value, default_year, expected):
    assert parse_date(value, default_year) == expected


@pytest.mark.parametrize("value", ["2023年2月30日", "2023-02-29", "2023.13.1"])
def test_impossible_date(value):
    with pytest.raises(NormalizeError, match="日期不存在"):
        parse_date(value)


def test_month_end_needs_year():
    with pytest.raises(NormalizeError, match="缺少年份"):
        parse_date("9月底")


@pytest.mark.parametrize("value", [None, "", "  ", float("nan")])
def test_blank_date(value):
    with pytest.raises(NormalizeError, match="日期为空"):
        parse_date(value)


@pytest.mark.parametrize("value", ["立行立改", "明年", 12, 2023.9, True])
def test_unrecognized_date(value):
    with pytest.raises(NormalizeError):
        parse_date(value)
