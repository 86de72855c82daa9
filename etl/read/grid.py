"""Files → raw cell grids (row index 0 = Excel row 1 / CSV line 1), merged ranges resolved.

Excel is read with calamine; .xlsx/.xlsm sheets are measured first (xlsx_scan) and, when huge but
nearly empty or holding error values calamine refuses, read from a rewritten copy (xlsx_compact).
CSV decoding lives in csv_text.
"""

from __future__ import annotations

import bisect
import zipfile
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from . import xlsx_scan
from .csv_text import CSV_ENCODINGS, read_csv_rows
from .formula_errors import UNCALCULATED, formula_error
from .model import CellError, ReadError
from .xlsx_compact import rewritten_copy

__all__ = ["CELL_BOUND", "CSV_ENCODINGS", "EXCEL_SUFFIXES", "HARD_CELLS", "UNCALCULATED", "Grid", "clean",
           "formula_error", "read_grids"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
XML_SUFFIXES = (".xlsx", ".xlsm")

# Trap: calamine builds a dense rows × columns array for a sheet before handing anything out, so one
# stray cell at XFD1048576 asks for ~550 GB and aborts the process (no exception). The used range
# of .xlsx sheets is therefore measured from the XML first.
CELL_BOUND = 5_000_000  # used rectangle up to this: read as is
HARD_CELLS = 10_000_000  # non-empty rows × non-empty columns above this: refused


def _hidden(visible: SheetVisibleEnum) -> str | None:
    if visible == SheetVisibleEnum.Hidden:
        return "hidden"
    if visible == SheetVisibleEnum.VeryHidden:
        return "veryhidden"
    return None


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


# ---------------------------------------------------------------- Excel


def _read_excel(path: Path) -> list[Grid]:
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ReadError("无法打开 Excel 文件：文件可能已损坏、被加密，或并不是 Excel 文件（只是扩展名为 "
                        f"{path.suffix}）。请用 Excel 打开确认，另存为 .xlsx 后重新上传") from exc
    grids = []
    with wb:
        hidden = {meta.name: _hidden(meta.visible) for meta in wb.sheets_metadata}
        zf, parts = xlsx_scan.open_parts(path) if path.suffix.lower() in XML_SUFFIXES else (None, {})
        try:
            for name in wb.sheet_names:
                member = parts.get(name)
                if member is None:
                    grid = _read_sheet(wb, name)
                else:
                    grid = _read_xml_sheet(path, zf, wb, name, member)
                grid.hidden = hidden.get(name)
                grids.append(grid)
        finally:
            if zf is not None:
                zf.close()
    return grids


def _read_sheet(wb: CalamineWorkbook, name: str) -> Grid:
    try:
        sheet = wb.get_sheet_by_name(name)
        if sheet.height * sheet.width > CELL_BOUND:  # .xls: at most 65536 × 256, but mostly empty
            return _grid_by_rows(name, sheet)
        # skip_empty_area=False: rows/cols start at A1, so index + 1 is the Excel row.
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except CalamineError as exc:
        raise ReadError(f"无法读取工作表“{name}”：表中内容已损坏或格式无法识别。请用 Excel 打开该表，"
                        "另存为 .xlsx 后重新上传") from exc
    has_data = [row.count("") < len(row) for row in rows]
    _fill_merged(rows, merged)
    return Grid(name, rows, list(range(1, len(rows) + 1)), has_data)


def _grid_by_rows(name: str, sheet) -> Grid:
    """A large used range read row by row: trailing empty cells trimmed, empty rows kept as []."""
    start = sheet.start or (0, 0)
    rows: list[list[object]] = [[] for _ in range(start[0])]
    lead = [""] * start[1]
    cells = 0
    for row in sheet.iter_rows():
        end = len(row)
        while end and row[end - 1] == "":
            end -= 1
        row = lead + row[:end] if end else []
        cells += len(row)
        if cells > HARD_CELLS:
            raise ReadError(_too_large(name, sheet.height, sheet.width))
        rows.append(row)
    has_data = [bool(row) for row in rows]
    _fill_merged(rows, sheet.merged_cell_ranges or [])
    return Grid(name, rows, list(range(1, len(rows) + 1)), has_data)


def _too_large(name: str, height: int, width: int) -> str:
    return (f"工作表“{name}”过大：使用范围为 {height} 行 × {width} 列，数据分布过散，无法读取"
            f"（上限约 {HARD_CELLS // 10000} 万个单元格）；请删除多余的行和列后另存，再重新上传")


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


# ---------------------------------------------------------------- .xlsx / .xlsm sheet XML


def _read_xml_sheet(path: Path, zf: zipfile.ZipFile, wb: CalamineWorkbook, name: str, member: str) -> Grid:
    scan = xlsx_scan.scan(zf, member)
    width = 16384 if scan.wide else 26
    if scan.rows * width > CELL_BOUND:
        width = xlsx_scan.width(zf, member, scan.prefix)
    errors = xlsx_scan.cell_errors(zf, member) if scan.errors or scan.uncached else {}
    if scan.rows * width > CELL_BOUND:
        used_rows, used_cols = xlsx_scan.used(zf, member)
        if len(used_rows) * len(used_cols) > HARD_CELLS:
            raise ReadError(_too_large(name, scan.rows, width))
        if scan.rows * width > HARD_CELLS:
            grid = _read_rewritten(path, zf, name, member, used_rows, used_cols)
            _put_errors(grid, errors, used_cols)
            return grid
    try:
        grid = _read_sheet(wb, name)
    except ReadError:
        if not errors:
            raise
        # calamine refuses the whole sheet for error values it does not know (#SPILL!, #CALC! …):
        # read a copy without the error cells; they are put back below as CellError.
        grid = _read_rewritten(path, zf, name, member, None, None)
    _put_errors(grid, errors, None)
    return grid


def _put_errors(grid: Grid, errors: dict[tuple[int, int], CellError], used_cols: list[int] | None) -> None:
    if not errors:
        return
    index = {line: i for i, line in enumerate(grid.line_no)}
    for (row, col), error in errors.items():
        if used_cols is not None:
            col = bisect.bisect_left(used_cols, col) + 1
        i = index.get(row)
        if i is None:  # beyond the range calamine saw (a row holding only uncalculated formulas)
            if used_cols is not None:
                continue
            while len(grid.rows) < row:
                grid.rows.append([])
                grid.line_no.append(len(grid.rows))
                grid.has_data.append(False)
            i = row - 1
        cells = grid.rows[i]
        if len(cells) < col:
            cells.extend([""] * (col - len(cells)))
        cells[col - 1] = error
        grid.has_data[i] = True


def _read_rewritten(path: Path, zf: zipfile.ZipFile, name: str, member: str,
                    used_rows: list[int] | None, used_cols: list[int] | None) -> Grid:
    """Read a rewritten copy of the sheet (see xlsx_compact); line_no keeps the original row numbers."""
    with rewritten_copy(path, zf, member, used_rows, used_cols) as copy, \
            CalamineWorkbook.from_path(str(copy)) as wb:
        grid = _read_sheet(wb, name)
    if used_rows is not None:
        grid.line_no = used_rows[: len(grid.rows)]
    return grid


# ---------------------------------------------------------------- CSV


def _read_csv(path: Path) -> Grid:
    rows, line_no = read_csv_rows(path)
    has_data = [row.count("") < len(row) for row in rows]
    return Grid("", rows, line_no, has_data)
