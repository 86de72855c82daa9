"""Header row detection (one or two rows), sheet kind, and 填报单位/填报时间 above the header."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .columns import DIM_PREFIX, KINDS, count_known, map_columns, recognize
from .grid import clean

SCAN_ROWS = 15  # the header must start within the first 15 rows
MIN_KNOWN = 3  # a header row has at least this many recognised columns
MIN_SUBHEADER = 2  # the other row of a two-row header has at least this many


@dataclass
class Header:
    kind: str | None
    top: int  # 0-based grid index of the first header row
    bottom: int  # 0-based grid index of the last header row; data starts below it
    columns: dict[str, int]  # canonical → column index
    texts: dict[str, str]  # canonical → header text as written
    error: str | None = None


def _join(kind: str, upper: list, lower: list) -> list:
    """Per column: the lower row's name if recognised, else the upper's, else whatever text there is."""
    width = max(len(upper), len(lower))
    upper = upper + [None] * (width - len(upper))
    lower = lower + [None] * (width - len(lower))
    out = []
    for up, low in zip(upper, lower, strict=True):
        if recognize(kind, low) or (not recognize(kind, up) and low is not None):
            out.append(low)
        else:
            out.append(up)
    return out


def _qualifies(kind: str, cols: dict[str, int]) -> bool:
    if kind == "ledger":
        return "measure" in cols or "deadline" in cols or ("manifestation" in cols and "category" in cols)
    if kind == "leads":
        return "lead_id" in cols or ("channel" in cols and ("received_date" in cols or "assigned_date" in cols))
    dims = sum(1 for c in cols if c.startswith(DIM_PREFIX))
    return "response_id" in cols or ("unit" in cols and "survey_year" in cols and dims >= 2)


def find_header(rows: list[list]) -> Header | None:
    """None when no row in the first SCAN_ROWS has MIN_KNOWN recognised columns."""
    scan = [[clean(v) for v in row] for row in rows[: SCAN_ROWS + 1]]
    scores = [0 if is_meta_row(r) else max(count_known(k, r) for k in KINDS) for r in scan[:SCAN_ROWS]]
    if not scores or max(scores) < MIN_KNOWN:
        return None
    best = scores.index(max(scores))

    # Candidate (top, bottom) spans: the best row alone, or joined with the row above / below
    # (Fuyang annex 3: 整改问题 merged over 问题方面/表现形式/具体案例 in the row below).
    spans = [(best, best)]
    if best > 0:
        spans.append((best - 1, best))
    if best + 1 < len(scan):
        spans.append((best, best + 1))
    choice: tuple[int, int, int, str, list] | None = None  # (known, top, bottom, kind, cells)
    for top, bottom in spans:
        if top != bottom:
            other = scan[bottom] if top == best else scan[top]
            if is_meta_row(other) or max(count_known(k, other) for k in KINDS) < MIN_SUBHEADER:
                continue
        for kind in KINDS:
            cells = scan[top] if top == bottom else _join(kind, scan[top], scan[bottom])
            known = count_known(kind, cells)
            if not _qualifies(kind, map_columns(kind, cells)):
                known = -1
            if choice is None or known > choice[0]:
                choice = (known, top, bottom, kind, cells)
    assert choice is not None
    known, top, bottom, kind, cells = choice
    if known < 0:
        found = "、".join(str(c) for c in dict.fromkeys(scan[best]) if c is not None)
        error = (
            f"无法判断表格类型（整改台账/问题线索登记表/满意度测评表）：第 {best + 1} 行表头为“{found}”，"
            "缺少关键列（如 整改措施/整改时限、线索编号/线索来源、问卷编号/被测评单位）"
        )
        return Header(None, best, best, {}, {}, error)
    cols = map_columns(kind, cells)
    texts = {canon: str(cells[idx]) for canon, idx in cols.items()}
    return Header(kind, top, bottom, cols, texts)


# --- 填报单位 / 填报时间 ------------------------------------------------------------------

_UNIT = r"(?:填报单位|报送单位|填表单位)(?:\s*[（(]\s*盖章\s*[）)])?"
_DATE = r"(?:填报时间|填报日期|报送时间|报送日期|填表时间|填表日期)"
_OTHER = r"(?:填报人|填表人|联系人|联系电话|审核人|负责人)"  # only end the value before them
_LABEL = re.compile(rf"({_UNIT}|{_DATE}|{_OTHER})\s*[：:]?\s*")
_META_ROW = re.compile(rf"^(?:{_UNIT}|{_DATE})\s*(?:[：:]|\S)")
_IS_UNIT = re.compile(_UNIT)
_IS_DATE = re.compile(_DATE)


def is_meta_row(cells: list) -> bool:
    return any(isinstance(c, str) and _META_ROW.match(c) for c in cells)


def read_meta(rows: list[list]) -> tuple[str | None, object | None]:
    """填报单位 / 填报时间 from the rows above the header: text as written (trimmed) or a date."""
    unit = date = None
    for raw in rows:
        cells = [c for c in (clean(v) for v in raw) if c is not None]
        cells = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]  # merged copies
        for i, cell in enumerate(cells):
            if not isinstance(cell, str):
                continue
            labels = list(_LABEL.finditer(cell))
            for j, m in enumerate(labels):
                end = labels[j + 1].start() if j + 1 < len(labels) else len(cell)
                value: object = cell[m.end() : end].strip() or _next_value(cells, i, j, labels)
                if _IS_UNIT.fullmatch(m.group(1)) and unit is None and value:
                    unit = str(value)
                elif _IS_DATE.fullmatch(m.group(1)) and date is None and value not in (None, ""):
                    date = value
    return unit, date


def _next_value(cells: list, i: int, j: int, labels: list) -> object | None:
    """Value in the next cell, for a label that ends its own cell ("填报时间：" | 2023-06-15)."""
    if j + 1 != len(labels) or i + 1 >= len(cells):
        return None
    nxt = cells[i + 1]
    if isinstance(nxt, str) and _LABEL.match(nxt):
        return None
    return nxt
