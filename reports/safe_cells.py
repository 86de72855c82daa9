"""导出安全：自由文字不会变成公式；数字、日期保持类型；CSV 为带 BOM 的 UTF-8。

Excel/WPS 把以 = + - @ 开头的单元格（以及 CSV 字段，连同开头的制表符、回车）当作公式执行
（“CSV/公式注入”）。规则：
- .xlsx：字符串一律写成字符串单元格（data_type 's'），以危险字符开头的再加“前缀引号”样式
  （quotePrefix，Excel 中显示原文、编辑时也不会重新解析为公式）；不改动文字本身。
- .csv：以危险字符开头的文字前加一个英文单引号 '（OWASP 建议做法），数字和日期原样写出。
"""
from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_dangerous(text: str) -> bool:
    return isinstance(text, str) and text.startswith(DANGEROUS_PREFIXES)


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


def set_cell(cell, value):
    """写一个 openpyxl 单元格：文字永远是文字（不解析为公式），数字/日期保持类型。返回 cell。"""
    value = clean_value(value)
    if isinstance(value, str):
        # 直接设 _value / data_type，绕过 openpyxl 对以 = 开头文字的公式判定
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
