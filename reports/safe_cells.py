"""导出安全：自由文字不会变成公式；数字、日期保持类型；CSV 为带 BOM 的 UTF-8。

Excel/WPS 把以 = + - @ 开头的单元格（以及 CSV 字段，连同开头的制表符、回车）当作公式执行
（“CSV/公式注入”）。危险开头：= + - @ 及全角 ＝＋－＠，制表符、回车、换行等控制字符。规则：
- .xlsx：字符串一律写成字符串单元格（data_type 's'），以危险字符开头的再加“前缀引号”样式
  （quotePrefix，Excel 中显示原文、编辑时也不会重新解析为公式）；文字只去掉 .xlsx 存不了的控制字符。
- .csv：以危险字符开头的文字前加一个英文单引号 '（OWASP 建议做法），数字和日期原样写出。
DataFrame 整表导出（页面、控制台、导入问题记录）用 reports/downloads.py。
"""
from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# .xlsx 不能存的控制字符（制表、换行、回车除外：openpyxl 保存时报错，整个文件写不出来），
# 以及一格最多 32767 个字符（超出时 Excel 报文件损坏）
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
EXCEL_CELL_MAX = 32767


def is_dangerous(text: str) -> bool:
    """以公式字符开头，或以任何控制字符开头（制表、回车、换行之外的也算：表格软件可能先去掉它）。"""
    return isinstance(text, str) and (text.startswith(DANGEROUS_PREFIXES) or (text[:1] < " " and text != ""))


def clean_value(v):
    """DataFrame 单元格 → Python 值：NaN/NaT/NA → None，Timestamp → date/datetime，numpy 数 → int/float。"""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date() if v == v.normalize() else v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, str | bytes):  # numpy scalar
        try:
            return clean_value(v.item())
        except (ValueError, AttributeError):
            pass
    return v


def excel_text(text: str) -> str:
    """文字 → .xlsx 能存的文字：去掉控制字符，截到 32767 字。"""
    return _ILLEGAL_XLSX.sub("", text)[:EXCEL_CELL_MAX]


def set_cell(cell, value):
    """写一个 openpyxl 单元格：文字永远是文字（不解析为公式），数字/日期保持类型。返回 cell。"""
    value = clean_value(value)
    if isinstance(value, str):
        # 直接设 _value / data_type，绕过 openpyxl 对以 = 开头文字的公式判定
        value = excel_text(value)
        cell._value = value
        cell.data_type = "s"
        if is_dangerous(value):
            cell.quotePrefix = True
    elif isinstance(value, bool):
        cell.value = "是" if value else "否"
    else:
        cell.value = value
    return cell


def csv_value(value) -> object:
    value = clean_value(value)
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """带 BOM 的 UTF-8 CSV（Excel、WPS 可直接打开中文），危险文字加单引号前缀。"""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([csv_value(h) for h in header])
        for r in rows:
            w.writerow([csv_value(v) for v in r])
    return path


def dataframe_to_csv_bytes(df: pd.DataFrame) -> bytes:
    """页面下载按钮用：DataFrame → 安全的 UTF-8-BOM CSV 字节。"""
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([csv_value(c) for c in df.columns])
    for r in df.itertuples(index=False):
        w.writerow([csv_value(v) for v in r])
    return buf.getvalue().encode("utf-8-sig")
