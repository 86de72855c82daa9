"""One grid → RawSheet: header, meta, data rows."""

from __future__ import annotations

import re

from .grid import Grid, clean
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


def build_sheet(file_name: str, grid: Grid) -> RawSheet:
    rows = grid.rows
    if not any(grid.has_data):
        return RawSheet(file_name, grid.name, None, {}, None, None, 0, [], "工作表为空")
    header = find_header(rows)
    if header is None:
        return RawSheet(
            file_name, grid.name, None, {}, None, None, 0, [],
            "未找到表头：前 15 行中没有一行包含至少 3 个可识别的列名（如 序号、整改措施、整改时限）",
        )
    meta_unit, meta_date = read_meta(rows[: header.top])
    sheet = RawSheet(
        file_name, grid.name, header.kind, header.texts, meta_unit, meta_date,
        grid.line_no[header.bottom], [], header.error,
    )
    if header.kind is None:
        return sheet
    # No data rows is not an error: a ledger may honestly list no problems.
    sheet.rows = _data_rows(grid, header.bottom + 1, list(header.columns.items()))
    return sheet


def _data_rows(grid: Grid, start: int, cols: list[tuple[str, int]]) -> list[RawRow]:
    out = []
    rows, has_data, line_no = grid.rows, grid.has_data, grid.line_no
    for i in range(start, len(rows)):
        if not has_data[i]:
            continue  # blank, or holding only values copied down from a merged cell above
        row = rows[i]
        first = next((v for v in row if v != ""), None)
        if isinstance(first, str):
            first = first.strip()
            if _FOOTER_END.match(first):
                break
            if _FOOTER_SKIP.match(first):
                continue
        width = len(row)
        values = {canon: clean(row[idx]) if idx < width else None for canon, idx in cols}
        if list(values.values()).count(None) == len(values):
            continue  # text only in unrecognised columns, or whitespace only
        out.append(RawRow(line_no[i], values))
    return out
