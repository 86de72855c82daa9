"""Classify free-text rectification progress (整改进度)."""

from __future__ import annotations

import re

from etl.normalize._text import clean, shown
from etl.normalize.errors import NormalizeError

NOT_STARTED, IN_PROGRESS, RECTIFIED, CLOSED, LONG_TERM = "未整改", "整改中", "已整改", "已销号", "长期推进"
STATUSES = (NOT_STARTED, IN_PROGRESS, RECTIFIED, CLOSED, LONG_TERM)

_NEG = r"(?:尚未|暂未|仍未|还未|未|没有|没|待|申请|拟)"
_NOT_CLOSED = re.compile(_NEG + r"销号")
_CLOSE_REQUESTED = re.compile(r"(?:申请|待|拟)销号")
_NOT_DONE = re.compile(_NEG + r"(?:完成|整改|到位|落实|开始|办结)")
_UNDER_WAY = re.compile(r"正在|整改中|推进中|进行中|办理中|逐步|部分完成|阶段性")
_LONG_TERM = re.compile(r"长期|持续推进|持续整改|常态化")
_DONE = re.compile(r"已完成|已整改|完成|整改完毕|整改到位|已落实|已办结|已解决|已纠正")
_EXACT = {"是": RECTIFIED, "否": NOT_STARTED, "销号": CLOSED, "√": RECTIFIED, "×": NOT_STARTED}


def parse_status(text: object) -> str:
    """One of 未整改, 整改中, 已整改, 已销号, 长期推进.

    Negations are read first, so "尚未完成" is never 已整改 and "未销号，已完成整改" is 已整改.
    """
    if isinstance(text, bool):
        return RECTIFIED if text else NOT_STARTED
    s = clean(text).rstrip("。.!！")
    if not s:
        raise NormalizeError("整改进度为空：应填写 未整改、整改中、已整改、已销号 或 长期推进")
    if s in STATUSES:
        return s
    if s in _EXACT:
        return _EXACT[s]
    # Closing (销号) is only claimed when 销号 is not negated or merely requested.
    if "销号" in _NOT_CLOSED.sub("", s):
        return CLOSED
    s = _NOT_CLOSED.sub("", s)
    if _NOT_DONE.search(s):
        return IN_PROGRESS if _UNDER_WAY.search(s) or "推进" in s else NOT_STARTED
    if _LONG_TERM.search(s):
        return LONG_TERM
    if _UNDER_WAY.search(s) or "推进" in s:
        return IN_PROGRESS
    # Asking for 销号 implies the unit considers the problem rectified.
    if _DONE.search(s) or _CLOSE_REQUESTED.search(clean(text)):
        return RECTIFIED
    raise NormalizeError(
        f"无法识别的整改进度“{shown(text)}”：应为 未整改、整改中、已整改、已销号、长期推进 之一"
        "（或“已完成整改”“正在整改”“尚未完成”“持续推进”等表述）"
    )
