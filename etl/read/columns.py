"""Canonical column names and their header synonyms, per sheet kind."""

from __future__ import annotations

import re

KINDS = ("ledger", "leads", "survey")

# Order inside each synonym tuple is the priority when a sheet has several columns for the
# same canonical column (e.g. 整改情况 and 是否完成): the earlier synonym wins.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "ledger": {
        "serial_no": ("序号", "编号"),
        "problem_code": ("问题编号", "台账编号"),
        "category": ("问题方面", "问题类别"),
        "manifestation": ("表现形式", "具体表现"),
        "case_text": ("具体案例", "问题描述", "具体问题"),
        "source_channel": ("问题来源",),
        "measure": ("整改措施",),
        "deadline": ("整改时限",),
        "responsible": ("整改责任部门、责任人", "责任单位", "责任人"),
        "progress": ("整改进度及可验证成果", "整改情况", "整改进度", "是否完成"),
        "completed_date": ("完成时间",),
        "remark": ("备注",),
        "unit": ("填报单位",),
    },
    "leads": {
        "lead_id": ("线索编号", "交办函编号", "交办编号"),
        "channel": ("线索来源", "来源渠道"),
        "received_date": ("受理日期", "收到日期", "登记日期"),
        "assigned_date": ("交办日期",),
        "unit": ("承办单位", "责任单位"),
        "concluded_date": ("办结日期", "调查结论日期"),
        "feedback_date": ("反馈日期", "反馈投诉人日期"),
        "finding": ("调查结论", "核查结果"),
        "category": ("问题类别", "问题方面"),
        "summary": ("问题摘要", "反映内容", "线索内容"),
        "complainant": ("投诉人", "反映人", "举报人"),
        "phone": ("联系电话", "手机号"),
    },
    "survey": {
        "survey_year": ("测评年度", "年度"),
        "unit": ("被测评单位", "测评单位"),
        "response_id": ("问卷编号", "答卷编号"),
        "respondent_type": ("受访者类型", "调查对象"),
    },
}

DIM_PREFIX = "dim:"
# Bookkeeping columns on survey sheets that are not dimensions (dropped, not "dim:序号").
SURVEY_NOT_DIMS = frozenset({"序号", "编号", "备注"})

_PUNCT = re.compile(r"[\s\u3000：:（）()、，,。.．/／\\\-—_*＊\"“”'‘’【】\[\]《》<>]+")
_SPACE = re.compile(r"[\s\u3000]+")


def norm_header(text: object) -> str:
    """Header text for comparison: no whitespace (incl. full-width, newlines), no punctuation."""
    if text is None:
        return ""
    return _PUNCT.sub("", str(text))


def dim_name(text: object) -> str:
    """Survey dimension name from a header cell: whitespace removed, otherwise as written."""
    return _SPACE.sub("", str(text))


# kind → normalized synonym → (canonical, priority)
_LOOKUP: dict[str, dict[str, tuple[str, int]]] = {
    kind: {norm_header(s): (canon, i) for canon, syns in table.items() for i, s in enumerate(syns)}
    for kind, table in SYNONYMS.items()
}


def recognize(kind: str, cell: object) -> tuple[str, int] | None:
    """(canonical, priority) if the header cell is a known synonym for this kind."""
    return _LOOKUP[kind].get(norm_header(cell)) if cell is not None else None


def map_columns(kind: str, header: list[object]) -> dict[str, int]:
    """Canonical column → column index, for one (joined) header row.

    On survey sheets every other non-empty header cell becomes "dim:<header text>".
    """
    best: dict[str, tuple[int, int]] = {}  # canonical → (priority, index)
    for idx, cell in enumerate(header):
        hit = recognize(kind, cell)
        if hit is None:
            if kind == "survey" and norm_header(cell) and norm_header(cell) not in SURVEY_NOT_DIMS:
                hit = (DIM_PREFIX + dim_name(cell), 0)
            else:
                continue
        canon, prio = hit
        if canon not in best or prio < best[canon][0]:
            best[canon] = (prio, idx)
    return {canon: idx for canon, (_, idx) in sorted(best.items(), key=lambda kv: kv[1][1])}


def count_known(kind: str, header: list[object]) -> int:
    """Number of distinct canonical columns (dims excluded) recognised in a header row."""
    return len({hit[0] for cell in header if (hit := recognize(kind, cell)) is not None})
