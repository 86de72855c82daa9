"""Classify the investigation conclusion (调查结论) of a lead."""

from __future__ import annotations

import re

from etl.normalize._text import clean, shown
from etl.normalize.errors import NormalizeError

TRUE, PARTLY_TRUE, NOT_TRUE = "属实", "部分属实", "不属实"
FINDINGS = (TRUE, PARTLY_TRUE, NOT_TRUE)

_PENDING = re.compile(r"核查中|调查中|核实中|办理中|待核实|待核查|待调查|正在核查|正在调查|未办结")
# Order matters: "不属实" contains "属实", so negative forms are tested first.
_RULES = (
    (re.compile(r"不属实|不实|查无实据|查无此事|不存在|无此事"), NOT_TRUE),
    (re.compile(r"部分属实|基本属实|部分情况属实"), PARTLY_TRUE),
    (re.compile(r"属实"), TRUE),
)


def parse_finding(text: object) -> str | None:
    """属实, 部分属实 or 不属实; None while there is no conclusion yet (blank, 核查中)."""
    s = clean(text)
    if not s or _PENDING.search(s):
        return None
    for pattern, finding in _RULES:
        if pattern.search(s):
            return finding
    raise NormalizeError(f"无法识别的调查结论“{shown(text)}”：应为 属实、部分属实、不属实，尚无结论时留空或填“核查中”")
