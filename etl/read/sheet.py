"""One grid → RawSheet: header, meta, data rows, and what the user must be told about the sheet."""

from __future__ import annotations

import re
from operator import itemgetter

from etl.config import Campaign

from .columns import column_letter
from .grid import Grid
from .header import find_header, read_meta
from .model import OPTION_NUMBER, RawRow, RawSheet, SheetNote
from .profiles import ImportProfile
from .vocabulary import load_vocabulary, norm_header

# Signature lines end the table: everything below them (notes, more signatures) is not data.
_FOOTER_END = re.compile(
    r"^(?:填报人|填表人|制表人|审核人|审批人|负责人|单位负责人|分管领导|联系人|联系电话|注\s*\d*|说明|备注\s*[：:])"
    r"(?:\s*[：:]|\s|$)"
)
# Totals rows are skipped but reading goes on (a 小计 may sit between categories).
_FOOTER_SKIP = re.compile(r"^(?:合\s*计|总\s*计|小\s*计)")

EMPTY_SHEET = "工作表为空"
HIDDEN_LABEL = {"hidden": "隐藏", "veryhidden": "深度隐藏"}


def build_sheet(file_name: str, grid: Grid, campaign: Campaign | None = None,
                profiles: list[ImportProfile] | None = None, override: ImportProfile | None = None) -> RawSheet:
    sheet = RawSheet(file_name, grid.name, None, {}, None, None, 0, hidden=grid.hidden)
    if not any(grid.has_data):
        sheet.error = EMPTY_SHEET
        return sheet
    header = find_header(grid.rows, campaign, profiles, override)
    if header is None:
        sheet.error = ("未找到表头：前 15 行中没有一行能认出至少 2 个字段（如 序号、整改措施、整改时限、工单编号、受理时间）。"
                       "可在“数据管理”页上传后指定表头行和各列字段，并保存为导入方案")
        _not_loaded(sheet, grid, 0)
        return sheet
    sheet.meta_unit, sheet.meta_date = read_meta(grid.rows[: header.top])
    sheet.header_row = grid.line_no[header.bottom]
    sheet.header_cells = list(header.cells)
    sheet.header_rows = header.bottom - header.top + 1
    sheet.error = header.error
    sheet.profile = header.profile.name if header.profile is not None else None
    if header.kind is None:
        _not_loaded(sheet, grid, header.bottom + 1)
        return sheet
    cmap = header.column_map
    sheet.kind = header.kind
    sheet.columns = header.texts
    sheet.column_index = dict(header.columns)
    sheet.mapping_source = dict(cmap.how)
    sheet.ignored_columns = [str(header.cells[i]) for i in cmap.ignored]
    for name, kept, dropped in cmap.duplicates:
        label = load_vocabulary().label(sheet.kind, name)
        sheet.notes.append(SheetNote(
            sheet.header_row, str(header.cells[kept]), None,
            f"表头有两列都是“{label}”（第 {column_letter(kept)} 列和第 {column_letter(dropped)} 列），"
            f"按有数据的第 {column_letter(kept)} 列导入，第 {column_letter(dropped)} 列未导入"))
    # No data rows is not an error: a ledger may honestly list no problems.
    if header.columns:
        sheet.rows = _data_rows(grid, header.bottom + 1, list(header.columns.items()), sheet)
    _mark_option_numbers(sheet)
    return sheet


def _mark_option_numbers(sheet: RawSheet) -> None:
    """问卷星-type exports: numeric answers are option numbers (see data/vocabulary.toml)."""
    if sheet.kind != "survey":
        return
    markers = load_vocabulary().kinds["survey"].option_number_markers
    found = [str(c) for c in sheet.header_cells if norm_header(c) in markers]
    if not found:
        return
    sheet.answer_format = OPTION_NUMBER
    if any(isinstance(v, (int, float)) for row in sheet.rows for k, v in row.values.items() if k.startswith("dim:")):
        sheet.notes.append(SheetNote(sheet.header_row, found[0], None,
                                     "这是问卷平台（如问卷星）的导出：数字答案按选项序号读取，第 1 个选项为配置中的第一个"
                                     "（如“非常满意”），已换算成分数；如选项顺序不同，请按文本重新导出"))


def _not_loaded(sheet: RawSheet, grid: Grid, start: int) -> None:
    """A sheet whose kind cannot be told: every non-blank row below the header is 未导入.
    A hidden sheet (often the lists behind a template's drop-downs) is only a 警告."""
    lost = sum(grid.has_data[start:])
    hidden = HIDDEN_LABEL.get(sheet.hidden or "")
    where = f"{hidden}工作表“{sheet.sheet_name}”" if hidden else "该工作表"
    chosen = sheet.profile is not None  # a profile said 不导入: the user's own choice
    sheet.notes.append(SheetNote(sheet.header_row or None, None, None,
                                 f"{sheet.error}。{where}未导入" + (f"（{lost} 行）" if lost else ""),
                                 "警告" if hidden or chosen else "错误", rows_lost=lost))


def _data_rows(grid: Grid, start: int, cols: list[tuple[str | None, int]], sheet: RawSheet) -> list[RawRow]:
    # Hot loop (100k+ rows): cells are picked with itemgetter and cleaned inline (same rules as
    # grid.clean) instead of one function call per cell.
    names = [canon for canon, _ in cols]
    idxs = [idx for _, idx in cols]
    # itemgetter of a single index returns a bare value, not a tuple
    pick = itemgetter(*idxs) if len(idxs) > 1 else (lambda row, i=idxs[0]: (row[i],))
    width = max(idx for _, idx in cols) + 1
    n = len(names)
    out = []
    totals: list[int] = []
    rows, has_data, line_no = grid.rows, grid.has_data, grid.line_no
    for i in range(start, len(rows)):
        if not has_data[i]:
            continue  # blank, or holding only values copied down from a merged cell above
        row = rows[i]
        first = row[0] if row[0] != "" else next((v for v in row if v != ""), None)
        if first.__class__ is str:
            first = first.strip()
            if _FOOTER_END.match(first):
                # A signature line at the very end loses nothing; rows below it are told.
                below = sum(has_data[i + 1:])
                if below:
                    sheet.notes.append(SheetNote(
                        line_no[i], None, first[:40],
                        f"第 {line_no[i]} 行起是表尾（“{first[:20]}”），连同其下 {below} 行不作为数据读取；"
                        "如果其中有数据，请移到表尾之前"))
                break
            if _FOOTER_SKIP.match(first):
                totals.append(line_no[i])
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
    if totals:
        shown = "、".join(str(r) for r in totals[:10]) + ("…" if len(totals) > 10 else "")
        sheet.notes.append(SheetNote(totals[0], None, None,
                                     f"跳过 {len(totals)} 行合计/小计（第 {shown} 行），不作为数据导入"))
    return out
