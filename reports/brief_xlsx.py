"""简报表格的 .xlsx 版：与 .docx 同样的表（brief_tables），每表一张工作表；中文表头、冻结表头行、
列宽、日期为日期型、比率为百分比数字（另列分子/分母）。"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from reports import brief_supervision as bs
from reports import brief_tables as bt
from reports import brief_text as tx
from reports import xlsx_style as xs
from reports.output import save_document
from reports.safe_cells import clean_value, set_cell

PP_FMT = '+0.0"个百分点";-0.0"个百分点";"持平"'
DINT_FMT = '+0;-0;"持平"'
STATE_FILLS = {**xs.STATE_FILLS, "蓝": PatternFill("solid", fgColor="DDEBF7")}  # 蓝：督办等级
SHEET_NAMES = {"supervision_items": "督办事项", "supervision_due": "例会前到期",
               "due_soon_units": "到期预警-单位", "due_soon_problems": "即将到期-问题",
               "due_soon_leads": "即将到期-线索", "kpi": "关键指标", "units": "各单位进度", "lagging": "滞后单位", "overdue": "逾期问题",
               "leads_overdue": "超期线索", "relapses": "反弹问题", "satisfaction": "满意度排名",
               "followup_units": "上期督办-单位", "followup_problems": "上期督办-问题"}


def _expand(table: bt.Table) -> tuple[list[tuple[str, str, float]], list[list[tuple[str, object]]]]:
    """把 rate 列拆成 比率 + 分子/分母 两列：返回 [(表头, 类型, 列宽)] 与 [[(类型, 值)]]。"""
    cols: list[tuple[str, str, float]] = []
    kinds = []
    for i, c in enumerate(table.columns):
        kind = c.kind
        if table.key == "kpi" and i in (1, 2):
            kind = "kpi"  # 逐行：计数或比率
        kinds.append(kind)
        width = max(8.0, c.width * 4.5)
        if kind in ("rate", "kpi"):
            cols.append((c.header, kind, max(width, 10)))
            cols.append((f"{c.header}（分子/分母）", "text", 14))
        else:
            cols.append((c.header, kind, width))
    rows = []
    for row in table.rows:
        out = []
        for i in range(len(table.columns)):
            kind, value = bt.cell_kind(table, row, i)
            if kinds[i] in ("rate", "kpi"):
                if kind == "rate":
                    num_den = None if value is None else value
                    r = None if num_den is None or not num_den[1] else num_den[0] / num_den[1]
                    out.append(("rate", r))
                    out.append(("text", None if num_den is None else f"{num_den[0]}/{num_den[1]}"))
                else:
                    out.append((kind, value))
                    out.append(("text", None))
            else:
                out.append((kind, value))
        rows.append(out)
    return cols, rows


def write_table_sheet(ws, table: bt.Table) -> None:
    cols, rows = _expand(table)
    for j, (h, _, w) in enumerate(cols, 1):
        c = set_cell(ws.cell(1, j), h)
        c.font, c.fill, c.alignment, c.border = xs.HEADER_FONT, xs.HEADER_FILL, xs.CENTER, xs.BORDER
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.row_dimensions[1].height = 30
    for i, row in enumerate(rows, 2):
        for j, (kind, value) in enumerate(row, 1):
            cell = ws.cell(i, j)
            value = clean_value(value)
            if kind == "rate":
                set_cell(cell, value)
                cell.number_format = xs.PCT_FMT
            elif kind == "dpp":
                set_cell(cell, value)
                cell.number_format = PP_FMT
            elif kind == "dint":
                set_cell(cell, value)
                cell.number_format = DINT_FMT
            elif kind == "date":
                set_cell(cell, value)
                cell.number_format = xs.DATE_FMT
            elif kind == "score":
                set_cell(cell, None if value is None else round(float(value), 1))
                cell.number_format = "0.0"
            else:
                set_cell(cell, value)
            cell.border, cell.font = xs.BORDER, xs.BODY_FONT
            cell.alignment = xs.LEFT if kind == "text" else xs.CENTER
            if kind == "state" and value in STATE_FILLS:
                cell.fill = STATE_FILLS[value]
    if not rows:
        set_cell(ws.cell(2, 1), table.empty_text)
    if table.note:
        set_cell(ws.cell(len(rows) + 3, 1), "注：" + table.note)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(1, len(rows) + 1)}"
    xs.a4_print(ws, title_rows="1:1")


def build_workbook(data) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "简报"
    tb = tx.title_block(data)
    lines = [tb["title"], tb["issue"], f"{tb['office']}　{tb['date']}", f"{tb['period']}　{tb['compared']}", tb["doc"], "",
             "督办事项跟踪：" + bs.supervision_summary(data), "", tx.opening_paragraph(data), "",
             tx.followup_summary(data), "", tb["basis"]]
    if data.warning is not None:
        lines += ["", "即将到期：" + bs.due_soon_summary(data)]
    for i, line in enumerate(lines, 1):
        c = set_cell(ws.cell(i, 1), line or None)
        c.alignment = xs.LEFT_TOP
        if i == 1:
            c.font = xs.TITLE_FONT
    ws.column_dimensions["A"].width = 120
    ws.row_dimensions[7].height = 40
    ws.row_dimensions[9].height = 120
    ws.row_dimensions[11].height = 40
    for t in bt.all_tables(data):
        write_table_sheet(wb.create_sheet(SHEET_NAMES.get(t.key, t.key)[:31]), t)
    return wb


def write_xlsx(data, out: str | Path | None = None) -> bytes | Path:
    wb = build_workbook(data)
    return save_document(wb, out)
