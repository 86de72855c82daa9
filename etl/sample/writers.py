"""Writing helpers: deterministic .xlsx/.xlsm (openpyxl), .xls (xlwt), .csv."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from .common import FIXED_DT, FIXED_ZIP_TIME


@dataclass
class SheetData:
    name: str
    rows: list[list[object]]  # row 1 first; None = empty cell
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (1-based)
    bold_rows: tuple[int, ...] = ()
    widths: dict[int, float] = field(default_factory=dict)


class _FixedTimeZip(zipfile.ZipFile):
    """ZipFile whose entries all carry one fixed timestamp → byte-identical output."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zi = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zinfo_or_arcname = zi
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as f:
            self.writestr(arcname or Path(filename).name, f.read())


def save_workbook(wb, path: Path) -> None:
    """Save an openpyxl workbook with fixed properties and zip times (openpyxl's own save
    stamps the current time)."""
    wb.properties.created = FIXED_DT
    wb.properties.modified = FIXED_DT
    wb.properties.creator = "专项整治样例生成器"
    wb.properties.lastModifiedBy = None
    buf = io.BytesIO()
    archive = _FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # closes the archive
    Path(path).write_bytes(buf.getvalue())


def write_xlsx(path: Path, sheets: list[SheetData]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for sd in sheets:
        ws = wb.create_sheet(sd.name)
        for r, row in enumerate(sd.rows, 1):
            for c, v in enumerate(row, 1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, (date, datetime)):
                    cell.number_format = "yyyy-mm-dd"
                if r in sd.bold_rows:
                    cell.font = bold
                    cell.alignment = center
        for r1, c1, r2, c2 in sd.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for c, w in sd.widths.items():
            ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = w
    save_workbook(wb, path)


def write_xls(path: Path, sheets: list[SheetData]) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    bold_style = xlwt.easyxf("font: bold on; align: horiz center, vert center, wrap on")
    plain = xlwt.Style.default_style
    for sd in sheets:
        ws = wb.add_sheet(sd.name, cell_overwrite_ok=True)
        covered = set()
        for r1, c1, r2, c2 in sd.merges:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        covered.add((r, c))
        anchors = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sd.merges}
        for r, row in enumerate(sd.rows, 1):
            for c, v in enumerate(row, 1):
                if (r, c) in covered:
                    continue
                style = (bold_style if r in sd.bold_rows
                         else date_style if isinstance(v, (date, datetime)) else plain)
                if (r, c) in anchors:
                    r2, c2 = anchors[(r, c)]
                    ws.write_merge(r - 1, r2 - 1, c - 1, c2 - 1, v, style)
                elif v is not None:
                    ws.write(r - 1, c - 1, v, style)
        for c, w in sd.widths.items():
            ws.col(c - 1).width = int(w * 256)
    wb.save(str(path))


def write_csv(path: Path, rows: list[list[object]], encoding: str = "gb18030") -> None:
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, lineterminator="\r\n")
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


def write_table(path: Path, sheets: list[SheetData]) -> None:
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        write_xlsx(path, sheets)
    elif suffix == ".xls":
        write_xls(path, sheets)
    else:
        raise ValueError(suffix)


class BigXlsxWriter:
    """Streaming single-sheet .xlsx (openpyxl write_only) for scale-up runs."""

    def __init__(self, path: Path, sheet_name: str):
        self.path = Path(path)
        self.wb = openpyxl.Workbook(write_only=True)
        self.ws = self.wb.create_sheet(sheet_name)
        self.rows = 0

    def append(self, row: list[object]) -> None:
        self.ws.append(row)
        self.rows += 1

    def close(self) -> None:
        save_workbook(self.wb, self.path)
