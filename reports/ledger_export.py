"""合并台账导出：按方案版式（阜阳附件3 / 海西附件2）写 .xlsx，可直接上报，也可再导入 ETL。

每个单位一张工作表：标题行、“填报单位：… 填报时间：…”行、方案表头（阜阳为两行合并表头），
问题方面单元格向下合并。填报单位写各单位名称、填报时间写统计日——这样导出的文件
原样交给 ``python -m etl build`` 会得到同样的问题（问题方面、表现形式、案例、时限、状态）。
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from analytics.queries import QueryRunner
from etl.config import load_campaign
from etl.normalize import status as status_norm
from etl.normalize.errors import NormalizeError
from reports import xlsx_style as xs
from reports.ledger_layouts import DATE_FORMAT_CN, DEADLINE_WORDS, Layout, layout_for, meta_text
from reports.output import save_document
from reports.safe_cells import clean_value, set_cell

FIRST_DATA_ROW = {1: 4, 2: 5}  # header rows → first data row (title, meta, header…)


def progress_text(row: dict) -> str | None:
    """整改进度列：原文能解析回同一状态就用原文，否则写规范状态词。"""
    st = clean_value(row.get("status"))
    txt = clean_value(row.get("progress_text"))
    if txt:
        try:
            if status_norm.parse_status(txt) == st:
                return txt
        except NormalizeError:
            pass
    return st


def deadline_value(row: dict):
    kind = clean_value(row.get("deadline_kind"))
    if kind in DEADLINE_WORDS:
        return DEADLINE_WORDS[kind]
    return clean_value(row.get("deadline"))


def serial_value(v):
    v = clean_value(v)
    if isinstance(v, str) and v.isdigit() and len(v) < 10:
        return int(v)
    return v


def record_values(row: dict) -> dict:
    """export_ledger.sql 的一行 → 各列的值（键同 Layout.cols 的 key）。"""
    return {
        "serial_no": serial_value(row.get("serial_no")),
        "category": clean_value(row.get("category")),
        "manifestation": clean_value(row.get("manifestation")),
        "case_text": clean_value(row.get("case_text")),
        "source_channel": clean_value(row.get("source_channel")),
        "measure": clean_value(row.get("measure")),
        "deadline": deadline_value(row),
        "responsible": clean_value(row.get("responsible")),
        "progress": progress_text(row),
        "completed_date": clean_value(row.get("completed_date")),
        "remark": "反弹问题" if clean_value(row.get("is_relapse")) else None,
    }


def write_frame(ws, layout: Layout, unit_name: str, when: date) -> int:
    """标题行、填报行、表头（两行时合并）；返回第一行数据的行号。"""
    nc = len(layout.cols)
    set_cell(ws.cell(1, 1), layout.title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=nc)
    ws.cell(1, 1).font = xs.TITLE_FONT
    ws.cell(1, 1).alignment = xs.CENTER
    ws.row_dimensions[1].height = 32
    set_cell(ws.cell(2, 1), meta_text(unit_name, when))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=nc)
    ws.cell(2, 1).alignment = xs.LEFT
    ws.cell(2, 1).font = xs.BODY_FONT
    ws.row_dimensions[2].height = 22
    top = 3
    if layout.two_row_header:
        groups: dict[str, list[int]] = {}
        for i, c in enumerate(layout.cols, 1):
            if c.group:
                groups.setdefault(c.group, []).append(i)
                set_cell(ws.cell(top + 1, i), c.header)
            else:
                set_cell(ws.cell(top, i), c.header)
                ws.merge_cells(start_row=top, start_column=i, end_row=top + 1, end_column=i)
        for g, idx in groups.items():
            set_cell(ws.cell(top, idx[0]), g)
            ws.merge_cells(start_row=top, start_column=idx[0], end_row=top, end_column=idx[-1])
    else:
        for i, c in enumerate(layout.cols, 1):
            set_cell(ws.cell(top, i), c.header)
    for r in range(top, top + layout.header_rows):
        ws.row_dimensions[r].height = 24
        for i in range(1, nc + 1):
            cell = ws.cell(r, i)
            cell.font, cell.fill, cell.alignment, cell.border = (xs.HEADER_FONT, xs.HEADER_FILL,
                                                                 xs.CENTER, xs.BORDER)
    for i, c in enumerate(layout.cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    first = top + layout.header_rows
    ws.freeze_panes = ws.cell(first, 1)
    xs.a4_print(ws, title_rows=f"{top}:{first - 1}")
    return first


def style_body_cell(cell, key: str) -> None:
    cell.border = xs.BORDER
    cell.font = xs.BODY_FONT
    cell.alignment = xs.CENTER if key in ("serial_no", "category", "deadline", "progress",
                                          "completed_date", "source_channel") else xs.LEFT
    if key in ("deadline", "completed_date"):
        cell.number_format = DATE_FORMAT_CN


def write_unit_sheet(ws, layout: Layout, unit_name: str, when: date, records: list[dict]) -> None:
    first = write_frame(ws, layout, unit_name, when)
    cat_col = layout.col_index("category")
    r = first
    run_start, run_cat = first, None
    for rec in records:
        vals = record_values(rec)
        for i, c in enumerate(layout.cols, 1):
            cell = ws.cell(r, i)
            set_cell(cell, vals.get(c.key))
            style_body_cell(cell, c.key)
        if vals["category"] != run_cat:
            _merge_run(ws, run_start, r - 1, cat_col)
            run_start, run_cat = r, vals["category"]
        r += 1
    _merge_run(ws, run_start, r - 1, cat_col)


def _merge_run(ws, r1: int, r2: int, col: int) -> None:
    if r2 > r1:
        ws.merge_cells(start_row=r1, start_column=col, end_row=r2, end_column=col)


def build_workbook(campaign, frame: pd.DataFrame, when: date, unit_names: dict[str, str]) -> Workbook:
    """export_ledger.sql 的结果 → 每单位一张表的工作簿。"""
    layout = layout_for(campaign)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    if frame.empty:
        ws = wb.create_sheet(xs.safe_sheet_title(campaign.issuer, used))
        write_frame(ws, layout, campaign.issuer, when)
        return wb
    for unit_id, g in frame.groupby("unit_id", sort=False):
        name = unit_names.get(unit_id) or str(g["unit_name"].iloc[0] or unit_id)
        ws = wb.create_sheet(xs.safe_sheet_title(name, used))
        write_unit_sheet(ws, layout, name, when, g.to_dict("records"))
    return wb


def export_ledger(db_path: str | Path, campaign_id: str, as_of: date, units=(), categories=(),
                  channels=(), out: str | Path | None = None, scope_unit: str | None = None) -> bytes | Path:
    """导出合并台账。out 为 None 时返回 .xlsx 字节（页面下载用）；scope_unit 给出时只含该单位。"""
    campaign = load_campaign(campaign_id)
    q = QueryRunner(db_path)
    try:
        frame = q.scoped(scope_unit).run("export_ledger", campaign_id=campaign_id, as_of=as_of, units=list(units),
                      categories=list(categories), channels=list(channels))
    finally:
        q.close()
    wb = build_workbook(campaign, frame, as_of, {u.id: u.name for u in campaign.units})
    return save_document(wb, out)


def main(argv: list[str] | None = None) -> int:
    from reports.cli_common import add_common, resolve_units

    ap = argparse.ArgumentParser(prog="python -m reports export-ledger",
                                 description="按方案版式导出合并整改台账（.xlsx，每个单位一张表）")
    add_common(ap)
    ap.add_argument("--units", default="", help="单位编号或名称，逗号分隔；默认全部单位")
    ap.add_argument("--categories", default="", help="问题方面，逗号分隔；默认全部")
    ap.add_argument("--out", required=True, help="输出 .xlsx 文件")
    a = ap.parse_args(argv)
    campaign = load_campaign(a.campaign)
    units = resolve_units(campaign, a.units)
    cats = [c for c in a.categories.split(",") if c.strip()]
    path = export_ledger(a.db, a.campaign, a.as_of, units=units, categories=cats, out=a.out)
    print(f"合并台账已导出：{path}")
    return 0
