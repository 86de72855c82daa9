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
_NOT_DONE = re.compile(_NEG + r"(?:完成|整改|到位|落实|开始|办结|消除|化解|闭环)")
_UNDER_WAY = re.compile(r"正在|整改中|推进中|进行中|办理中|化解中|消除中|逐步|部分完成|部分化解|部分消除|阶段性")
_LONG_TERM = re.compile(r"长期|持续推进|持续整改|常态化")
# 隐患台账写“已消除”，矛盾纠纷台账写“已化解”，工单式台账写“办结”：都是整改完成。
_DONE = re.compile(r"已完成|已整改|完成|整改完毕|整改到位|已落实|办结|已解决|已纠正|已消除|已化解|已闭环")
_EXACT = {"是": RECTIFIED, "否": NOT_STARTED, "销号": CLOSED, "√": RECTIFIED, "×": NOT_STARTED,
          "消除": RECTIFIED, "化解": RECTIFIED}
_FILLER = re.compile(r"[,，、;；:：。.!！\s]")


def parse_status(text: object) -> str:
    """One of 未整改, 整改中, 已整改, 已销号, 长期推进.

    Negations are read first, so "尚未完成" is never 已整改 and "未销号，已完成整改" is 已整改.
    "未销号" alone is 整改中: 销号 is the last step (rectified, checked, struck off the list), so
    "not struck off" says only that the problem is still open on the list — not that nothing was
    done (未整改) nor that it was rectified. "待销号"/"申请销号" alone is 已整改 (the unit asks for 销号).
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
    if not _FILLER.sub("", s):
        return RECTIFIED if _CLOSE_REQUESTED.search(clean(text)) else IN_PROGRESS
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


# 12345 工单流程：受理 → 派单/转办 → 签收 → 办理 → 办结（答复）→ 回访 → 归档。
# 办结以后的各环节（含待回访、待归档）都说明线索已办结。
_LEAD_NOT_CONCLUDED = re.compile(_NEG + r"(?:办结|答复|结案|完成|办理|处理)|办理中|处理中|待办|待处理|待签收|"
                                 r"签收|派单|派发|转办|交办|退回|延期|受理")
_LEAD_CONCLUDED = re.compile(r"办结|答复|回访|归档|结案|完成|已办理|已处理|已解决")


def lead_concluded(text: object) -> bool | None:
    """Whether a hotline work order's status (工单状态/处理状态) says it was concluded:
    True for 办结/已办结/已归档/已回访…, False for 办理中/待办/已签收…, None when it cannot be told."""
    s = clean(text)
    if not s:
        return None
    if _LEAD_NOT_CONCLUDED.search(s):
        return False
    if _LEAD_CONCLUDED.search(s):
        return True
    return None
