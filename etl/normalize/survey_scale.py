"""Parse a satisfaction survey answer to a 1–5 score."""

from __future__ import annotations

import itertools
import math
import re

from etl.normalize._text import clean, shown
from etl.normalize.errors import NormalizeError

_LOW, _HIGH = 1, 5
# Common wordings that are not in the campaign's scale.
_EXTRA_WORDS = {"一般": 3, "较满意": 4, "比较满意": 4, "很满意": 5, "很不满意": 1, "较不满意": 2}
_NUMBER = re.compile(r"^(\d+)(?:\.0+)?分?$")


def _expected(scale: dict[str, int]) -> str:
    words = "/".join(sorted(scale, key=lambda w: -scale[w]))
    return f"应为 {_LOW}–{_HIGH} 的整数或 {words}"


def _in_range(score: int, value: object, scale: dict[str, int]) -> int:
    if not _LOW <= score <= _HIGH:
        raise NormalizeError(f"评分“{shown(value)}”超出范围：{_expected(scale)}")
    return score


def parse_score(value: object, scale: dict[str, int]) -> int:
    """1–5 from 4, 4.0, "4", "4分" or a word of the scale ("满意" → 4, also "一般" → 3)."""
    if isinstance(value, bool):
        raise NormalizeError(f"无法识别的评分“{shown(value)}”：{_expected(scale)}")
    if isinstance(value, int):
        return _in_range(value, value, scale)
    if isinstance(value, float) and not math.isnan(value):
        if not value.is_integer():
            raise NormalizeError(f"评分“{shown(value)}”不是整数：{_expected(scale)}")
        return _in_range(int(value), value, scale)
    s = clean(value)
    if not s:
        raise NormalizeError(f"评分为空：{_expected(scale)}")
    if m := _NUMBER.match(s):
        return _in_range(int(m[1]), value, scale)
    words = {clean(w): v for w, v in scale.items()}
    for table in (words, _EXTRA_WORDS):
        if s in table:
            return _in_range(table[s], value, scale)
    raise NormalizeError(f"无法识别的评分“{shown(value)}”：{_expected(scale)}")


RE_EXPORT_AS_TEXT = "请在问卷星“下载答卷数据”时选择“按文本”（按选项文本）重新导出"


def option_order(scale: dict[str, int]) -> list[int] | None:
    """Scores of the scale's options in questionnaire order (the order written in the campaign config,
    first = option 1). None when the order cannot be trusted: the scores do not run one way."""
    scores = list(scale.values())
    steps = [b - a for a, b in itertools.pairwise(scores)]
    if len(scores) < 2 or not (all(s < 0 for s in steps) or all(s > 0 for s in steps)):
        return None
    return scores


def parse_option_number(value: object, scale: dict[str, int]) -> int:
    """问卷星 “按序号” exports give the chosen option's position (1 = first option), not its score.

    Option k is the k-th option of the campaign's survey.scale as written in the config (questionnaire
    order: 非常满意 first, so 1 → 5 … 5 → 1). A word of the scale is still read as a word."""
    order = option_order(scale)
    if order is None:
        raise NormalizeError(f"答案“{shown(value)}”是选项序号，但测评配置的选项顺序无法确定，{RE_EXPORT_AS_TEXT}")
    s = clean(value)
    m = None if isinstance(value, bool) else _NUMBER.match(s)
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        m = _NUMBER.match(str(int(value)))
    if m is None:
        return parse_score(value, scale)   # a text answer in a numbered sheet
    k = int(m[1])
    if not 1 <= k <= len(order):
        raise NormalizeError(f"选项序号“{shown(value)}”超出范围（本测评共 {len(order)} 个选项），{RE_EXPORT_AS_TEXT}")
    return order[k - 1]
