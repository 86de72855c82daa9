"""各单位填报模板：方案版式的空白整改台账（单位、填报时间已填好）与问题线索登记表，
带下拉选项（数据验证）：问题方面、表现形式、整改进度（状态）、问题来源；线索表：线索来源、
承办单位、问题类别、调查结论。

下拉选项的清单写在同一工作表右侧隐藏的列里（“下拉选项”区），而不是单独的隐藏工作表：
ETL 会读取工作簿的每一张表，单独的选项表会被报告为“无法识别的工作表”；而表格右侧、
没有可识别列名的列 ETL 会忽略，这样按模板填好的文件导入时没有任何问题记录。
"""
from __future__ import annotations

import argparse
import io
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl.config import load_campaign
from etl.normalize.channels import CHANNELS
from reports import xlsx_style as xs
from reports.ledger_export import style_body_cell, write_frame
from reports.ledger_layouts import STATUS_WORDS, layout_for, meta_text
from reports.safe_cells import set_cell

BLANK_ROWS = 200
LIST_START_COL = 27  # AA：下拉选项区（隐藏）
FINDINGS = ("属实", "部分属实", "不属实")

LEADS_TITLE = "问题线索登记表"
LEADS_COLS = (
    ("lead_id", "线索编号", 24), ("channel", "线索来源", 14), ("received_date", "受理日期", 13),
    ("assigned_date", "交办日期", 13), ("unit", "承办单位", 22), ("category", "问题类别", 16),
    ("summary", "问题摘要", 40), ("complainant", "投诉人", 10), ("phone", "联系电话", 15),
    ("concluded_date", "办结日期", 13), ("finding", "调查结论", 12), ("feedback_date", "反馈日期", 13),
)


def short_unit_name(name: str) -> str:
    for suf in ("建设和交通运输局", "交通运输局"):
        if name.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)]
    return name


def _write_lists(ws, lists: dict[str, list[str]]) -> dict[str, str]:
    """把清单写到隐藏列（LIST_START_COL 起），返回 清单名 → 绝对引用公式。"""
    refs = {}
    for j, (name, items) in enumerate(lists.items()):
        col = LIST_START_COL + j
        letter = get_column_letter(col)
        set_cell(ws.cell(1, col), f"下拉选项·{name}（请勿修改）")
        for i, item in enumerate(items, 2):
            set_cell(ws.cell(i, col), item)
        refs[name] = f"${letter}$2:${letter}${len(items) + 1}"
        ws.column_dimensions[letter].hidden = True
    return refs


def _add_list_validation(ws, ref: str, col: int, first: int, last: int, title: str,
                         strict: bool = True) -> DataValidation:
    dv = DataValidation(type="list", formula1=ref, allow_blank=True, showDropDown=False,
                        showErrorMessage=True, errorStyle="stop" if strict else "warning",
                        errorTitle="请从下拉列表中选择", error=f"“{title}”请从下拉列表中选择。",
                        promptTitle=title, prompt="请从下拉列表中选择", showInputMessage=True)
    letter = get_column_letter(col)
    dv.add(f"{letter}{first}:{letter}{last}")
    ws.add_data_validation(dv)
    return dv


def ledger_template(campaign, unit_id: str, when: date, rows: int = BLANK_ROWS) -> Workbook:
    """空白整改台账模板（方案版式），填报单位、填报时间已填，带下拉选项。"""
    layout = layout_for(campaign)
    unit = campaign.unit(unit_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    first = write_frame(ws, layout, unit.name, when)
    last = first + rows - 1
    for r in range(first, last + 1):
        for i, c in enumerate(layout.cols, 1):
            style_body_cell(ws.cell(r, i), c.key)
    refs = _write_lists(ws, {
        "问题方面": [c.name for c in campaign.categories],
        "表现形式": [m.name for m in campaign.manifestations],
        "整改进度": list(STATUS_WORDS),
        "问题来源": list(CHANNELS),
    })
    _add_list_validation(ws, refs["问题方面"], layout.col_index("category"), first, last, "问题方面")
    _add_list_validation(ws, refs["表现形式"], layout.col_index("manifestation"), first, last, "表现形式")
    # 整改进度允许写“已完成整改，已销号”等说明文字：不在清单中时只提示不拦截
    _add_list_validation(ws, refs["整改进度"], layout.col_index("progress"), first, last, "整改进度",
                         strict=False)
    _add_list_validation(ws, refs["问题来源"], layout.col_index("source_channel"), first, last, "问题来源")
    return wb


def leads_template(campaign, unit_id: str, when: date, rows: int = BLANK_ROWS) -> Workbook:
    """问题线索登记表模板（填报单位、填报时间已填），带下拉选项。"""
    unit = campaign.unit(unit_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "问题线索登记表"
    nc = len(LEADS_COLS)
    set_cell(ws.cell(1, 1), LEADS_TITLE)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=nc)
    ws.cell(1, 1).font, ws.cell(1, 1).alignment = xs.TITLE_FONT, xs.CENTER
    set_cell(ws.cell(2, 1), meta_text(unit.name, when))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=nc)
    for i, (_, h, w) in enumerate(LEADS_COLS, 1):
        c = ws.cell(3, i)
        set_cell(c, h)
        c.font, c.fill, c.alignment, c.border = xs.HEADER_FONT, xs.HEADER_FILL, xs.CENTER, xs.BORDER
        ws.column_dimensions[get_column_letter(i)].width = w
    first, last = 4, 4 + rows - 1
    keys = [k for k, _, _ in LEADS_COLS]
    for r in range(first, last + 1):
        for i, k in enumerate(keys, 1):
            cell = ws.cell(r, i)
            cell.border, cell.font = xs.BORDER, xs.BODY_FONT
            if k.endswith("_date"):
                cell.number_format = xs.DATE_FMT
            if k == "phone":
                cell.number_format = "@"
    refs = _write_lists(ws, {
        "线索来源": list(CHANNELS),
        "承办单位": [u.name for u in campaign.units],
        "问题类别": [c.name for c in campaign.categories],
        "调查结论": list(FINDINGS),
    })
    col = {k: i for i, k in enumerate(keys, 1)}
    _add_list_validation(ws, refs["线索来源"], col["channel"], first, last, "线索来源")
    _add_list_validation(ws, refs["承办单位"], col["unit"], first, last, "承办单位")
    _add_list_validation(ws, refs["问题类别"], col["category"], first, last, "问题类别")
    _add_list_validation(ws, refs["调查结论"], col["finding"], first, last, "调查结论")
    ws.freeze_panes = ws.cell(first, 1)
    xs.a4_print(ws, title_rows="3:3")
    return wb


def template_file_names(campaign, unit_id: str, when: date) -> dict[str, str]:
    short = short_unit_name(campaign.unit(unit_id).name)
    return {"ledger": f"{short}_整改台账_{when:%Y%m%d}.xlsx", "leads": f"{short}_问题线索登记表.xlsx"}


def template_bytes(campaign_id: str, unit_id: str, when: date, kind: str = "ledger") -> bytes:
    """数据管理页下载用：模板 .xlsx 字节。kind: ledger | leads。"""
    campaign = load_campaign(campaign_id)
    wb = (ledger_template if kind == "ledger" else leads_template)(campaign, unit_id, when)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    from reports.cli_common import add_common, parse_day, resolve_unit_id

    ap = argparse.ArgumentParser(prog="python -m reports template",
                                 description="生成单位填报模板（整改台账、问题线索登记表，带下拉选项）")
    add_common(ap, as_of=False)
    ap.add_argument("--unit", required=True, help="单位编号或名称；all 表示全部单位（--out 须为目录）")
    ap.add_argument("--date", type=parse_day, default=date.today(), help="填报时间，默认今天")
    ap.add_argument("--kind", choices=("ledger", "leads", "both"), default="both",
                    help="ledger 整改台账 / leads 线索登记表 / both 两者（默认）")
    ap.add_argument("--out", required=True, help="输出文件（.xlsx，单个模板）或目录")
    a = ap.parse_args(argv)
    campaign = load_campaign(a.campaign)
    unit_ids = ([u.id for u in campaign.units] if a.unit == "all"
                else [resolve_unit_id(campaign, a.unit)])
    kinds = ("ledger", "leads") if a.kind == "both" else (a.kind,)
    out = Path(a.out)
    single = out.suffix.lower() == ".xlsx"
    if single and (len(unit_ids) > 1 or len(kinds) > 1):
        raise SystemExit("生成多个模板时 --out 应为目录（或用 --kind ledger / leads 只生成一种）")
    for uid in unit_ids:
        names = template_file_names(campaign, uid, a.date)
        for kind in kinds:
            wb = (ledger_template if kind == "ledger" else leads_template)(campaign, uid, a.date)
            path = out if single else out / names[kind]
            path.parent.mkdir(parents=True, exist_ok=True)
            wb.save(path)
            print(f"已生成模板：{path}")
    return 0
