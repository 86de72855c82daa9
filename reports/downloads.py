"""下载文件的唯一出口：DataFrame → 安全的 .xlsx / .csv 字节。

页面的 CSV 下载（dashboard.ui）、数据探索控制台的 Excel/CSV、导入问题记录的 Excel/CSV 都调用这里；
简报表格、填报模板、合并台账自己排版，但同样逐格经过 reports.safe_cells.set_cell。
规则（reports/safe_cells.py）：以 = + - @ 制表符 回车 换行（及全角 ＝＋－＠）开头的文字一律按文本写入——
.xlsx 中为字符串单元格并加“前缀引号”，.csv 中前加英文单引号；数字、日期保持类型；CSV 为带 BOM 的 UTF-8。
列名（中文标签）由调用方换好，这里原样写出（列名同样按文字规则处理）。
"""
from __future__ import annotations

import io
import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.safe_cells import clean_value, dataframe_to_csv_bytes, set_cell

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def csv_bytes(df: pd.DataFrame) -> bytes:
    """DataFrame → 带 BOM 的 UTF-8 CSV 字节；危险文字前加单引号，数字原样，日期写成 2023-09-21。"""
    return dataframe_to_csv_bytes(df)


def xlsx_value(v):
    """DataFrame 单元格 → openpyxl 能写的值：数字、日期、时间保持类型，时区去掉（保留当地时刻），
    其余（列表、字节串等）转成文字（控制字符、长度由 set_cell 处理）。"""
    v = clean_value(v)
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int | Decimal):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, datetime | time):
        return v.replace(tzinfo=None) if v.tzinfo else v
    if isinstance(v, date | timedelta):
        return v
    return v if isinstance(v, str) else str(v)


def xlsx_bytes(df: pd.DataFrame, sheet_name: str = "查询结果") -> bytes:
    """DataFrame → .xlsx 字节（一张表，首行为列名、加粗并冻结）。每格经 safe_cells.set_cell 写入。"""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_SHEET_NAME_BAD.sub("_", sheet_name)[:31] or "Sheet1")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value, header: bool = False):
        c = set_cell(WriteOnlyCell(ws), xlsx_value(value))
        if header:
            c.font = bold
        return c

    ws.append([cell(h, header=True) for h in df.columns])
    for row in df.itertuples(index=False, name=None):
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
