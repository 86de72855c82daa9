"""openpyxl 的共用样式：细边框、表头底色、换行、A4 打印设置。"""
from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_FONT = Font(name="宋体", bold=True, size=11)
BODY_FONT = Font(name="宋体", size=10.5)
TITLE_FONT = Font(name="黑体", bold=True, size=16)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
LEFT_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
RED_FILL = PatternFill("solid", fgColor="F4CCCC")
YELLOW_FILL = PatternFill("solid", fgColor="FFF2CC")
GREEN_FILL = PatternFill("solid", fgColor="D9EAD3")
STATE_FILLS = {"红": RED_FILL, "黄": YELLOW_FILL, "绿": GREEN_FILL}
DATE_FMT = "yyyy-mm-dd"
PCT_FMT = "0.0%"


def a4_print(ws, landscape: bool = True, title_rows: str | None = None) -> None:
    """A4、适应页宽、重复表头行（如 "3:4"）。"""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def safe_sheet_title(name: str, used: set[str]) -> str:
    bad = '[]:*?/\\'
    base = "".join("_" if ch in bad else ch for ch in name).strip("'")[:31] or "Sheet"
    title, i = base, 2
    while title in used:
        suffix = f"({i})"
        title = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(title)
    return title
