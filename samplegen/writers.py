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


# ---------------------------------------------------------------- fast minimal .xlsx (scale-up mode)

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
       'officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.styles+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/></Relationships>')
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
           '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>')
_EPOCH = date(1899, 12, 30)


def _col(c: int) -> str:
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_xlsx_fast(path: Path, sd: SheetData) -> None:
    """A minimal single-sheet .xlsx (inline strings, merges, date cells) — ~10× faster than openpyxl."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(sd.rows, 1):
        cells = []
        for c, v in enumerate(row, 1):
            if v is None:
                continue
            ref = f"{_col(c)}{r}"
            if isinstance(v, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif isinstance(v, date):
                d = v.date() if isinstance(v, datetime) else v
                cells.append(f'<c r="{ref}" s="1"><v>{(d - _EPOCH).days}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_esc(str(v))}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append("</sheetData>")
    if sd.merges:
        out.append(f'<mergeCells count="{len(sd.merges)}">')
        out.extend(f'<mergeCell ref="{_col(c1)}{r1}:{_col(c2)}{r2}"/>' for r1, c1, r2, c2 in sd.merges)
        out.append("</mergeCells>")
    out.append("</worksheet>")
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          f'<sheets><sheet name="{_esc(sd.name)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr("xl/worksheets/sheet1.xml", "".join(out))
