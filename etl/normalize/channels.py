"""Map a free-text lead / problem source (线索来源, 问题来源) to a fixed channel."""

from __future__ import annotations

import re

from etl.normalize._text import clean, shown
from etl.normalize.errors import NormalizeError

CHANNELS = (
    "12345热线",
    "12328热线",
    "12389举报",
    "信访",
    "新闻媒体",
    "网络平台",
    "行政复议",
    "行政诉讼",
    "执法监督员",
    "暗访检查",
    "上级交办",
    "自查自纠",
    "督查检查",
)

# First match wins: the original channel beats the route it came by, so
# "市12345热线交办" is 12345热线 and not 上级交办; 暗访检查 is tested before 督查检查.
_RULES = (
    (r"12345|政务服务热线|市长热线|政务服务便民热线", "12345热线"),
    (r"12328|交通运输服务监督", "12328热线"),
    (r"12389", "12389举报"),
    (r"复议", "行政复议"),
    (r"诉讼|起诉|法院", "行政诉讼"),
    (r"监督员", "执法监督员"),
    (r"暗访|四不两直|明察|随机抽查|双随机", "暗访检查"),
    (r"媒体|曝光|报道|新闻|电视|报纸|舆情", "新闻媒体"),
    (r"信访|来信|来访|上访|走访", "信访"),
    (r"门户|网站|微信|公众号|QQ|邮箱|邮件|网络|网上|留言板|小程序|APP", "网络平台"),
    (r"上级|省厅|交通运输部|交办|转办|批转", "上级交办"),
    (r"自查|自纠|回头看|常态查纠|前期|排查", "自查自纠"),
    (r"督查|督导|检查|巡查|考核|评查|审计", "督查检查"),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), ch) for p, ch in _RULES)

# A problem found in an earlier campaign round and found again now (relapse evidence).
_EARLIER_ROUND = re.compile(r"回头看|前期|常态查纠|常态化查纠|上一轮|上轮|往年|以前年度|历年")
_YEAR_ROUND = re.compile(r"((?:19|20)\d{2})年.*(?:整治|查纠|整改|专项)")


def normalize_channel(text: object) -> str:
    """One of CHANNELS for texts like "12345政务服务热线", "来信来访", "四不两直暗访"."""
    s = clean(text)
    if not s:
        raise NormalizeError("来源为空：应填写问题或线索来源（如 12345热线、自查自纠）")
    if s in CHANNELS:
        return s
    for pattern, channel in _COMPILED:
        if pattern.search(s):
            return channel
    raise NormalizeError(f"无法识别的来源“{shown(text)}”：应为以下之一：{'、'.join(CHANNELS)}")


def is_earlier_round_source(text: object, campaign_year: int | None = None) -> bool:
    """True for sources naming an earlier round ("2021年专项整治回头看", "前期常态查纠").

    With campaign_year, a source naming an earlier year's campaign also counts.
    """
    s = clean(text)
    if _EARLIER_ROUND.search(s):
        return True
    m = _YEAR_ROUND.search(s)
    return bool(m and campaign_year is not None and int(m[1]) < campaign_year)
