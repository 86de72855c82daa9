"""One grid → RawSheet: header, meta, data rows."""

from __future__ import annotations

import re
from operator import itemgetter

from .grid import Grid
from .header import find_header, read_meta
from .model import RawRow, RawSheet

# Footer rows are not data and are returned nowhere (not as rows, not counted).
# Signature lines end the table: everything below them (notes, more signatures) is ignored.
_FOOTER_END = re.compile(
    r"^(?:填报人|填表人|制表人|审核人|审批人|负责人|单位负责人|分管领导|联系人|联系电话|注\s*\d*|说明)"
    r"(?:\s*[：:]|\s|$)"
)
# Totals rows are skipped but reading goes on (a 小计 may sit between categories).
_FOOTER_SKIP = re.compile(r"^(?:合\s*计|总\s*计|小\s*计)")


EMPTY_SHEET = "工作表为空"


def build_sheet(file_name: str, grid: Grid) -> RawSheet:
    sheet = RawSheet(file_name, grid.name, None, {}, None, None, 0)
    if not any(grid.has_data):
        sheet.error = EMPTY_SHEET
        return sheet
    header = find_header(grid.rows)
    if header is None:
        sheet.error = "未找到表头：前 15 行中没有一行包含至少 3 个可识别的列名（如 序号、整改措施、整改时限）"
        return sheet
    sheet.meta_unit, sheet.meta_date = read_meta(grid.rows[: header.top])
    sheet.header_row = grid.line_no[header.bottom]
    sheet.error = header.error
    if header.kind is None:
        return sheet
    sheet.kind = header.kind
    sheet.columns = header.texts
    # No data rows is not an error: a ledger may honestly list no problems.
    sheet.rows = _data_rows(grid, header.bottom + 1, list(header.columns.items()))
    return sheet


def _data_rows(grid: Grid, start: int, cols: list[tuple[str, int]]) -> list[RawRow]:
    # Hot loop (100k+ rows): cells are picked with itemgetter and cleaned inline (same rules as
    # grid.clean) instead of one function call per cell.
    names = [canon for canon, _ in cols]
    idxs = [idx for _, idx in cols]
    # itemgetter of a single index returns a bare value, not a tuple
    pick = itemgetter(*idxs) if len(idxs) > 1 else (lambda row, i=idxs[0]: (row[i],))
    width = max(idx for _, idx in cols) + 1
    n = len(names)
    out = []
    rows, has_data, line_no = grid.rows, grid.has_data, grid.line_no
    for i in range(start, len(rows)):
        if not has_data[i]:
            continue  # blank, or holding only values copied down from a merged cell above
        row = rows[i]
        first = row[0] if row[0] != "" else next((v for v in row if v != ""), None)
        if first.__class__ is str:
            first = first.strip()
            if _FOOTER_END.match(first):
                break
            if _FOOTER_SKIP.match(first):
                continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        values = [
            (v.strip() or None) if v.__class__ is str else (int(v) if v.__class__ is float and v.is_integer() else v)
            for v in pick(row)
        ]
        if values.count(None) == n:
            continue  # text only in unrecognised columns, or whitespace only
        out.append(RawRow(line_no[i], dict(zip(names, values, strict=True))))
    return out
