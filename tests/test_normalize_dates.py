from datetime import date, datetime

import pytest

from etl.normalize.dates import check_plausible, parse_date, plausible_range
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


@pytest.mark.parametrize(
    "value, expected",
    [
        # 热线系统导出的受理时间：只取日期部分
        ("2023-09-27 14:35:12", date(2023, 9, 27)),
        ("2023/9/27 8:05", date(2023, 9, 27)),
        ("2023-09-27T14:35:12", date(2023, 9, 27)),
        ("2023-09-27 14:35:12.000", date(2023, 9, 27)),
        ("2023年9月27日 14:35", date(2023, 9, 27)),
        ("2023年9月27日14时35分", date(2023, 9, 27)),
        ("2023年9月27日14时35分08秒", date(2023, 9, 27)),
        (datetime(2023, 9, 27, 23, 59, 59), date(2023, 9, 27)),
        (45196.99, date(2023, 9, 27)),  # Excel serial with a time fraction
    ],
)
def test_date_times_count_by_their_date(value, expected):
    assert parse_date(value) == expected


def test_plausible_range_is_2000_to_one_year_after_campaign_end():
    assert plausible_range(date(2023, 11, 1)) == (date(2000, 1, 1), date(2024, 11, 1))
    assert plausible_range(date(2024, 2, 29)) == (date(2000, 1, 1), date(2025, 2, 28))


@pytest.mark.parametrize("d", [date(2000, 1, 1), date(2023, 9, 27), date(2024, 11, 1)])
def test_plausible_dates_pass(d):
    assert check_plausible(d, date(2023, 11, 1)) == d


@pytest.mark.parametrize("d, shown_date", [(date(1999, 12, 31), "1999-12-31"), (date(2024, 11, 2), "2024-11-02"),
                                           (date(1023, 9, 27), "1023-09-27")])
def test_implausible_dates_name_the_date_and_the_range(d, shown_date):
    with pytest.raises(NormalizeError) as exc:
        check_plausible(d, date(2023, 11, 1))
    assert shown_date in str(exc.value) and "2000-01-01 至 2024-11-01" in str(exc.value)
