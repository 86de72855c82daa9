"""Files → raw cell grids (row index 0 = Excel row 1 / CSV line 1), merged ranges resolved."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from .model import ReadError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")


@dataclass
class Grid:
    name: str  # sheet name, "" for CSV
    rows: list[list[object]]  # raw cells; "" = empty cell (cleaned later, only where used)
    line_no: list[int]  # 1-based row number (Excel row / CSV line) of each grid row
    has_data: list[bool]  # row had a non-empty cell before merged values were copied in
    hidden: str | None = None  # "hidden" / "veryhidden" when the sheet is hidden in Excel


def clean(value):
    """Raw cell → value handed out: stripped text or None, integral floats (3.0) as int."""
    cls = value.__class__
    if cls is str:
        return value.strip() or None
    if cls is float and value.is_integer():
        return int(value)
    return value


def read_grids(path: Path) -> list[Grid]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_read_csv(path)]
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path)
    raise ReadError(f"不支持的文件类型“{path.suffix}”，仅支持 .xlsx/.xlsm/.xls/.csv")


def _read_excel(path: Path) -> list[Grid]:
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ReadError(f"无法打开 Excel 文件（文件可能已损坏或被加密）：{exc}") from exc
    grids = []
    with wb:
        for name in wb.sheet_names:
            try:
                sheet = wb.get_sheet_by_name(name)
                # skip_empty_area=False: rows/cols start at A1, so index + 1 is the Excel row.
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            except CalamineError as exc:
                raise ReadError(f"无法读取工作表“{name}”：{exc}") from exc
            has_data = [row.count("") < len(row) for row in rows]
            _fill_merged(rows, merged)
            grids.append(Grid(name, rows, list(range(1, len(rows) + 1)), has_data))
    return grids


def _fill_merged(rows: list[list[object]], merged: list) -> None:
    """Copy each merged range's top-left value into every cell of the range (0-based, inclusive)."""
    n = len(rows)
    for (r0, c0), (r1, c1) in merged:
        if r0 >= n:
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        if value == "":
            continue
        for r in range(r0, min(r1, n - 1) + 1):
            row = rows[r]
            hi = min(c1, len(row) - 1)
            if hi >= c0:
                row[c0 : hi + 1] = [value] * (hi - c0 + 1)


def _decode(data: bytes) -> str:
    for enc in CSV_ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ReadError("CSV 文件编码无法识别，请另存为 UTF-8 或 GB18030（GBK）编码")


def _read_csv(path: Path) -> Grid:
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise ReadError(f"无法打开文件：{exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[object]] = []
    line_no: list[int] = []
    start = 1
    try:
        for record in reader:
            rows.append(record)
            line_no.append(start)  # a quoted cell may span lines: report the record's first line
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadError(f"CSV 格式错误（第 {reader.line_num} 行）：{exc}") from exc
    has_data = [row.count("") < len(row) for row in rows]
    return Grid("", rows, line_no, has_data)
