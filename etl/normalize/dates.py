"""Parse dates as written in ledgers and registers."""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache

from etl.normalize._text import clean, shown
from etl.normalize.errors import NormalizeError

# Excel 1900 date system; the epoch absorbs Excel's phantom 1900-02-29 for serials > 60.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000
_SUFFIX = re.compile(r"(之前|以前|前|为止|止|完成)+$")
# Time of day after the date ("2023-09-27 14:35:12", "2023年9月27日14时35分"): only the date counts.
_TIME = re.compile(r"(?:[ T]|(?<=[日号]))\d{1,2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?|时(?:\d{1,2}分(?:\d{1,2}秒)?)?)$")
_Y_SEP, _M_SEP = r"[年./\-]", r"[月./\-]"
_FULL = re.compile(rf"^(\d{{4}}){_Y_SEP}(\d{{1,2}}){_M_SEP}(\d{{1,2}})[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH = re.compile(rf"^(\d{{4}}){_Y_SEP}(\d{{1,2}})(月底|月末|月)?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})[日号]$")
_MONTH_END = re.compile(r"^(\d{1,2})(月底|月末|月)$")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_EXPECTED = "应为如 2023年6月30日、2023.9.30、2023/9/30、2023-09-30、20230930、6月30日、9月底 或 Excel 日期"


EARLIEST_PLAUSIBLE = date(2000, 1, 1)


@lru_cache(maxsize=64)
def plausible_range(campaign_end: date) -> tuple[date, date]:
    """Dates a campaign's files can carry: from 2000-01-01 to one year after the campaign ends."""
    try:
        latest = campaign_end.replace(year=campaign_end.year + 1)
    except ValueError:  # 29 February
        latest = campaign_end.replace(year=campaign_end.year + 1, day=28)
    return EARLIEST_PLAUSIBLE, latest


def check_plausible(d: date, campaign_end: date) -> date:
    """d itself, or NormalizeError naming d and the plausible range (a typo such as 1023 or 2033)."""
    lo, hi = plausible_range(campaign_end)
    if not lo <= d <= hi:
        raise NormalizeError(f"日期 {d:%Y-%m-%d} 不合常理：应在 {lo:%Y-%m-%d} 至 {hi:%Y-%m-%d} 之间"
                             "（不早于2000年，不晚于专项整治结束后一年）；请核对年份")
    return d


def _make(year: int, month: int, day: int, original: object) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise NormalizeError(f"日期不存在：“{shown(original)}”（{year}年没有{month}月{day}日）；请核对日期") from None


def _month_end(year: int, month: int, original: object) -> date:
    if not 1 <= month <= 12:
        raise NormalizeError(f"日期不存在：“{shown(original)}”（月份应为 1–12）；请核对日期")
    return date(year, month, calendar.monthrange(year, month)[1])


def _from_serial(serial: float, original: object) -> date:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise NormalizeError(f"无法识别的日期“{shown(original)}”：{_EXPECTED}")
    return _EXCEL_EPOCH + timedelta(days=math.floor(serial))


def _need_year(default_year: int | None, original: object) -> int:
    if default_year is None:
        raise NormalizeError(f"日期“{shown(original)}”缺少年份：请写明年份（如 2023年{shown(original)}）")
    return default_year


def parse_date(value: object, default_year: int | None = None) -> date:
    """A date from a cell: date/datetime, Excel serial or text in the usual Chinese forms.

    A month without a day ("9月底", "2023年6月") means the last day of that month.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise NormalizeError(f"无法识别的日期“{shown(value)}”：{_EXPECTED}")
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        if isinstance(value, int) and _COMPACT.match(str(value)):
            return parse_date(str(value), default_year)
        return _from_serial(value, value)

    if not clean(value):
        raise NormalizeError("日期为空：" + _EXPECTED)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = _SUFFIX.sub("", clean(_TIME.sub("", text)))
    if m := _FULL.match(text) or _COMPACT.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _YEAR_MONTH.match(text):
        return _month_end(int(m[1]), int(m[2]), value)
    if m := _MONTH_DAY.match(text):
        return _make(_need_year(default_year, value), int(m[1]), int(m[2]), value)
    if m := _MONTH_END.match(text):
        return _month_end(_need_year(default_year, value), int(m[1]), value)
    if _SERIAL.match(text):
        return _from_serial(float(text), value)
    raise NormalizeError(f"无法识别的日期“{shown(value)}”：{_EXPECTED}")
