"""Parse a satisfaction survey answer to a 1–5 score."""

from __future__ import annotations

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
