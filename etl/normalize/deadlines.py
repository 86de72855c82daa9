"""Parse 整改时限: a date, 立行立改 (immediate) or 长期坚持 (long term)."""

from __future__ import annotations

import re
from datetime import date

from etl.normalize._text import clean, shown
from etl.normalize.dates import parse_date
from etl.normalize.errors import NormalizeError

DATE, IMMEDIATE, LONG_TERM = "date", "immediate", "long_term"
_IMMEDIATE = re.compile(r"立行立改|立即整改|即知即改|立查立改|立改立行|立即")
_LONG_TERM = re.compile(r"长期|持续推进|持续整改|常态化|久久为功")
_EMBEDDED_DATE = re.compile(
    r"\d{4}[年./\-]\d{1,2}(?:[月./\-]\d{1,2}[日号]?|月底|月末|月)?|\d{1,2}月(?:\d{1,2}[日号]|底|末)"
)


def parse_deadline(value: object, default_year: int | None) -> tuple[date | None, str]:
    """(deadline, kind) with kind "date", "immediate" (date None) or "long_term" (date None).

    A date anywhere in the text wins ("2023年9月30日前完成，长期坚持" is a date);
    otherwise 立行立改-type words, then 长期-type words.
    """
    if not clean(value):
        raise NormalizeError("整改时限为空：应为日期（如 2023年6月30日）、“立行立改”或“长期坚持”")
    try:
        return parse_date(value, default_year), DATE
    except NormalizeError as err:
        if str(err).startswith("日期不存在"):
            raise
        first_error = err
    text = clean(value)
    if m := _EMBEDDED_DATE.search(text):
        return parse_date(m[0], default_year), DATE
    if _IMMEDIATE.search(text):
        return None, IMMEDIATE
    if _LONG_TERM.search(text):
        return None, LONG_TERM
    if "缺少年份" in str(first_error):
        raise first_error
    raise NormalizeError(
        f"无法识别的整改时限“{shown(value)}”：应为日期（如 2023年6月30日、2023.9.30、9月底）、“立行立改”或“长期坚持”"
    )
