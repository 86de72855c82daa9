"""Shared helpers for the sample generator: seeded RNGs, calendar, fake people, date styles."""
from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, datetime, timedelta

import chinese_calendar

FIXED_DT = datetime(2023, 11, 10, 9, 0, 0)  # workbook created/modified; zip entry times
FIXED_ZIP_TIME = (2023, 11, 10, 9, 0, 0)

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀英", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "海燕", "玉兰", "春生", "国庆",
         "文博", "子豪", "欣怡", "浩然", "雨欣", "红梅", "永强", "德明", "小龙", "金凤", "宏伟"]
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                  "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "183", "186",
                  "187", "188", "189", "199"]

# unit id → short code used in stable 编号 such as "GEM-2023-007"
UNIT_CODES = {
    "geermu": "GEM", "delingha": "DLH", "mangya": "MY", "dulan": "DL", "wulan": "WL",
    "tianjun": "TJ", "dachaidan": "DCD", "jiandu": "ZJD", "fuwu": "ZFW", "yunguan": "YGK",
    "linquan": "LQ", "taihe": "TH", "funan": "FN", "yingshang": "YS", "jieshou": "JS",
    "yingzhou": "YZ", "yingdong": "YD", "yingquan": "YQ", "zhidui": "ZD", "diaodu": "DD",
    "zhengfa": "ZFK", "yunshu": "YSK",
}


def rng_for(seed: int, *parts: object) -> random.Random:
    """An independent RNG per (seed, purpose, unit…); str seeds hash with sha512 → stable."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


def fake_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def fake_phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def unit_code(unit_id: str) -> str:
    return UNIT_CODES.get(unit_id) or unit_id[:5].upper()


def short_name(unit) -> str:
    """Short name for file names: first alias, else the name."""
    return unit.aliases[0] if unit.aliases else unit.name


def loose_unit_name(unit, rng: random.Random) -> str:
    """How a unit writes its own name: full name, alias, （盖章）, stray spaces."""
    base = rng.choice([unit.name, unit.name, *unit.aliases])
    r = rng.random()
    if r < 0.25:
        return base + "（盖章）"
    if r < 0.32:
        return base + "　"  # trailing full-width space
    if r < 0.38 and len(base) > 2:
        return base[:2] + " " + base[2:]
    return base


class WorkCalendar:
    """Working days from chinese_calendar (State Council schedule incl. 调休)."""

    def __init__(self, start: date, end: date):
        self.days: list[date] = []
        d = start
        while d <= end:
            if chinese_calendar.is_workday(d):
                self.days.append(d)
            d += timedelta(days=1)
        self._ord = [d.toordinal() for d in self.days]

    def add(self, start: date, n: int) -> date:
        """The n-th working day strictly after start (n >= 1)."""
        i = bisect_right(self._ord, start.toordinal())
        return self.days[i + n - 1]

    def on_or_after(self, d: date) -> date:
        i = bisect_right(self._ord, d.toordinal() - 1)
        return self.days[i]

    def is_workday(self, d: date) -> bool:
        i = bisect_right(self._ord, d.toordinal()) - 1
        return i >= 0 and self._ord[i] == d.toordinal()


def fmt_date(d: date, style: str):
    """A date written the way units write it. 'excel' returns the date itself (a real date cell)."""
    if style == "excel":
        return d
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "iso":
        return d.isoformat()
    raise ValueError(style)


DATE_STYLES_XLSX = ["excel", "excel", "excel", "cn", "slash", "dot", "iso"]
DATE_STYLES_TEXT = ["cn", "slash", "dot", "iso", "iso"]


def month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
