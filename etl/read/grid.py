"""Files → raw cell grids (row index 0 = Excel row 1 / CSV line 1), merged ranges resolved."""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import posixpath
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from .model import CellError, ReadError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
XML_SUFFIXES = (".xlsx", ".xlsm")
CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")

# Trap: calamine builds a dense rows × columns array for a sheet before handing anything out, so one
# stray cell at XFD1048576 asks for ~550 GB and aborts the process (no exception). The used range
# of .xlsx sheets is therefore measured from the XML first.
CELL_BOUND = 5_000_000  # used rectangle up to this: read as is
HARD_CELLS = 10_000_000  # non-empty rows × non-empty columns above this: refused
_CHUNK = 4 << 20



def _hidden(visible: SheetVisibleEnum) -> str | None:
    if visible == SheetVisibleEnum.Hidden:
        return "hidden"
    if visible == SheetVisibleEnum.VeryHidden:
        return "veryhidden"
    return None


_ERROR_MEANING = {
    "#DIV/0!": "除数为零",
    "#REF!": "引用的单元格已被删除或无效",
    "#N/A": "查找的值不存在（如 VLOOKUP 未找到）",
    "#VALUE!": "参与计算的值类型不对",
    "#NAME?": "公式中有无法识别的函数名或名称",
    "#NUM!": "数值无效或超出范围",
    "#NULL!": "引用的区域没有交集",
}
UNCALCULATED = "公式没有计算结果（文件未在 Excel 中打开保存过），请在 Excel 中打开、保存后重新上传"


def formula_error(text: str) -> CellError:
    meaning = _ERROR_MEANING.get(text, "单元格没有有效值")
    return CellError(text, f"公式错误 {text}：{meaning}，请在 Excel 中修正后重新上传")


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
        raise ReadError(f"无法打开 Excel 文件（文件可能已损坏或被加密）：{exc}") from exc
    grids = []
    with wb:
        hidden = {meta.name: _hidden(meta.visible) for meta in wb.sheets_metadata}
        zf, parts = _open_parts(path) if path.suffix.lower() in XML_SUFFIXES else (None, {})
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
        raise ReadError(f"无法读取工作表“{name}”：{exc}") from exc
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

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _open_parts(path: Path) -> tuple[zipfile.ZipFile | None, dict[str, str]]:
    """The package and sheet name → worksheet XML member; ({}) when the package cannot be mapped
    (calamine has opened it, so it is read the old way)."""
    try:
        zf = zipfile.ZipFile(path)
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        return None, {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    names = set(zf.namelist())
    parts = {}
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        target = targets.get(sheet.get(_REL_NS), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if member in names:
            parts[sheet.get("name")] = member
    return zf, parts


@dataclass
class _Scan:
    """What one pass of cheap byte searches over a sheet's XML found."""

    prefix: bytes = b""  # namespace prefix of the sheet's elements ("x:" in some generators)
    rows: int = 0  # last row number
    wide: bool = False  # a cell reference with two or more column letters
    formulas: bool = False
    uncached: bool = False  # a formula may lack its value (empty or missing <v>)
    errors: bool = False  # a cell of type "e" (formula error value)


_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ROW_NO = re.compile(rb'[^>]*?\br="(\d+)"')


def _chunks(zf: zipfile.ZipFile, member: str):
    """The member's bytes in pieces, plus a short piece across each seam, so a token is never cut."""
    tail = b""
    with zf.open(member) as fh:
        while block := fh.read(_CHUNK):
            if tail:
                yield tail + block[:128]
            yield block
            tail = block[-128:]


def _scan(zf: zipfile.ZipFile, member: str) -> _Scan:
    scan = _Scan()
    chunks = _chunks(zf, member)
    first = next(chunks, b"")
    m = _ROOT.search(first)
    p = scan.prefix = (m.group(1) or b"") if m else b""
    row_tag = b"<" + p + b"row "
    wide = re.compile(re.escape(b"<" + p + b'c r="') + rb"[A-Z]{2}")
    formula = (b"<" + p + b"f>", b"<" + p + b"f ")
    uncached = (b"<" + p + b"v></" + p + b"v>", b"<" + p + b"v/>", b"</" + p + b"f></" + p + b"c>",
                b"/></" + p + b"c>")
    for chunk in itertools.chain((first,), chunks):
        i = chunk.rfind(row_tag)
        if i >= 0 and (m := _ROW_NO.match(chunk, i + len(row_tag) - 1)):
            scan.rows = max(scan.rows, int(m.group(1)))
        if not scan.wide and wide.search(chunk):
            scan.wide = True
        if not scan.formulas and (formula[0] in chunk or formula[1] in chunk):
            scan.formulas = True
        if scan.formulas and not scan.uncached and any(t in chunk for t in uncached):
            scan.uncached = True
        if not scan.errors and b't="e"' in chunk:
            scan.errors = True
    return scan


def _col_no(letters: bytes | str) -> int:
    """"A" → 1, "XFD" → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) if isinstance(ch, str) else ch) - 64
    return n


def _width(zf: zipfile.ZipFile, member: str, prefix: bytes) -> int:
    refs = re.compile(re.escape(b"<" + prefix + b'c r="') + rb"([A-Z]{1,3})\d")
    letters: set[bytes] = set()
    for chunk in _chunks(zf, member):
        letters.update(refs.findall(chunk))
    return max((_col_no(x) for x in letters), default=0)


_CELL = rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(/?)>'


def _used(zf: zipfile.ZipFile, member: str) -> tuple[list[int], list[int]]:
    """Sorted row numbers and column numbers holding a cell with content (1-based)."""
    cell = re.compile(_CELL)
    rows: set[int] = set()
    cols: set[bytes] = set()
    for chunk in _chunks(zf, member):
        for letters, row, closed in cell.findall(chunk):
            if not closed:
                rows.add(int(row))
                cols.add(letters)
    return sorted(rows), sorted(_col_no(x) for x in cols)


def _read_xml_sheet(path: Path, zf: zipfile.ZipFile, wb: CalamineWorkbook, name: str, member: str) -> Grid:
    scan = _scan(zf, member)
    width = 16384 if scan.wide else 26
    if scan.rows * width > CELL_BOUND:
        width = _width(zf, member, scan.prefix)
    errors = _cell_errors(zf, member, scan) if scan.errors or scan.uncached else {}
    if scan.rows * width > CELL_BOUND:
        used_rows, used_cols = _used(zf, member)
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


def _cell_errors(zf: zipfile.ZipFile, member: str, scan: _Scan) -> dict[tuple[int, int], CellError]:
    """(row, column) 1-based → CellError for formula error values and formulas without a value."""
    out: dict[tuple[int, int], CellError] = {}
    shared: dict[str, str] = {}  # shared formula index → the master cell's formula text
    row_no = col_no = 0
    try:
        with zf.open(member) as fh:
            for event, el in ET.iterparse(fh, events=("start", "end")):
                tag = el.tag.rpartition("}")[2]
                if event == "start":
                    if tag == "row":
                        row_no = int(el.get("r") or row_no + 1)
                        col_no = 0
                    continue
                if tag == "row":
                    el.clear()
                    continue
                if tag != "c":
                    continue
                ref = el.get("r")
                col_no = _col_no(ref.rstrip("0123456789")) if ref else col_no + 1
                kind = el.get("t")
                f = v = None
                for child in el:
                    local = child.tag.rpartition("}")[2]
                    if local == "f":
                        f = child
                    elif local == "v":
                        v = child
                if f is not None and f.get("t") == "shared" and f.text:
                    shared[f.get("si", "")] = f.text
                if kind == "e" and v is not None and v.text:
                    out[(row_no, col_no)] = formula_error(v.text.strip())
                # An empty string result is saved as t="str" with an empty <v>: that one is calculated.
                elif f is not None and (v is None or (not v.text and kind != "str")):
                    text = f.text or shared.get(f.get("si", ""), "")
                    out[(row_no, col_no)] = CellError(f"={text}", UNCALCULATED)
                el.clear()
    except ET.ParseError as exc:
        raise ReadError(f"无法读取工作表 XML（{member}）：{exc}") from exc
    return out


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


# ------------------------------------------------ rewritten copy (huge used range, unknown errors)

_ERROR_CELL = re.compile(rb'<(\w+:)?c\b[^>]*?\bt="e"[^>]*?(?:/>|>.*?</\1?c>)', re.S)
_ROW_ELEMENT = re.compile(rb"<(\w+:)?row\b[^>]*?(?:/>|>.*?</\1?row>)", re.S)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_ROOT_TAG = re.compile(rb"<(\w+:)?worksheet\b[^>]*>")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b[^>]*>")
_CELL_REF = re.compile(rb'(<(?:\w+:)?c\b[^>]*?\br=")([A-Z]{1,3})(\d+)(")')
_EMPTY_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?/>")


def _letters(n: int) -> bytes:
    out = b""
    while n:
        n, rem = divmod(n - 1, 26)
        out = bytes([65 + rem]) + out
    return out


def _read_rewritten(path: Path, zf: zipfile.ZipFile, name: str, member: str,
                    used_rows: list[int] | None, used_cols: list[int] | None) -> Grid:
    """Read a copy of the package whose sheet XML has no error cells and, with used rows/columns
    given, only those rows and columns, renumbered; line_no keeps the original row numbers."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / f"copy{path.suffix.lower()}"
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
            for item in zf.infolist():
                with zf.open(item) as src, out.open(item.filename, "w") as dst:
                    if item.filename == member:
                        _write_sheet(zf, member, dst, used_rows, used_cols)
                    else:
                        shutil.copyfileobj(src, dst)
        with CalamineWorkbook.from_path(str(copy)) as wb:
            grid = _read_sheet(wb, name)
    if used_rows is not None:
        grid.line_no = used_rows[: len(grid.rows)]
    return grid


def _write_sheet(zf: zipfile.ZipFile, member: str, dst, used_rows: list[int] | None,
                 used_cols: list[int] | None) -> None:
    data = _ERROR_CELL.sub(b"", zf.read(member))
    if used_rows is None or used_cols is None:
        dst.write(data)
        return
    root = _ROOT_TAG.search(data)
    sheet_data = _SHEET_DATA.search(data)
    if root is None or sheet_data is None:
        raise ReadError(f"无法读取工作表 XML（{member}）：缺少 sheetData")
    p = root.group(1) or b""
    close = data.rfind(b"</" + p + b"sheetData>")
    row_map = {r: i for i, r in enumerate(used_rows, start=1)}
    col_map = {_letters(c): _letters(i) for i, c in enumerate(used_cols, start=1)}

    def cell(m: re.Match) -> bytes:
        return m.group(1) + col_map[m.group(2)] + str(row_map[int(m.group(3))]).encode() + m.group(4)

    def row(m: re.Match) -> bytes:
        text = m.group(0)
        head = _ROW_NO.match(text, len(m.group(1) or b"") + 4)
        number = int(head.group(1)) if head else 0
        if number not in row_map:
            return b""  # no cell with content: left out, the grid's line_no keeps the numbering
        text = text[: head.start(1)] + str(row_map[number]).encode() + text[head.end(1) :]
        return _CELL_REF.sub(cell, _EMPTY_CELL.sub(b"", text))

    merges = []
    for c0, r0, c1, r1 in _MERGE.findall(data, close):
        rows = _span(used_rows, int(r0), int(r1))
        cols = _span(used_cols, _col_no(c0), _col_no(c1))
        if rows and cols:
            ref = f"{_letters(cols[0]).decode()}{rows[0]}:{_letters(cols[1]).decode()}{rows[1]}"
            merges.append(b"<%smergeCell ref=\"%s\"/>" % (p, ref.encode()))
    dst.write(root.group(0) + sheet_data.group(0))
    dst.write(_ROW_ELEMENT.sub(row, data[sheet_data.end() : close]))
    dst.write(b"</" + p + b"sheetData>")
    if merges:
        dst.write(b"<%smergeCells>%s</%smergeCells>" % (p, b"".join(merges), p))
    dst.write(b"</" + p + b"worksheet>")


def _span(used: list[int], lo: int, hi: int) -> tuple[int, int] | None:
    """New 1-based (first, last) positions of the used numbers within lo..hi, None if none."""
    a = bisect.bisect_left(used, lo)
    b = bisect.bisect_right(used, hi)
    return (a + 1, b) if a < b else None


# ---------------------------------------------------------------- CSV

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _decode(data: bytes) -> str:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc)
            except UnicodeDecodeError as exc:
                raise ReadError(f"CSV 文件按 {enc} 解码失败：{exc}") from exc
    for enc in CSV_ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ReadError("CSV 文件编码无法识别，请另存为 UTF-8 或 GB18030（GBK）编码")


def _delimiter(text: str) -> str:
    """Tab for Excel's "Unicode 文本"/"文本文件(制表符分隔)": tabs and no commas in the first line."""
    first = text[: text.find("\n")] if "\n" in text else text
    return "\t" if "\t" in first and "," not in first else ","


def _read_csv(path: Path) -> Grid:
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise ReadError(f"无法打开文件：{exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
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
    if any(code in text for code in _ERROR_MEANING):
        _mark_csv_errors(rows)
    has_data = [row.count("") < len(row) for row in rows]
    return Grid("", rows, line_no, has_data)


def _mark_csv_errors(rows: list[list[object]]) -> None:
    """A CSV saved from Excel holds a formula error as its text (#DIV/0!)."""
    for row in rows:
        for i, v in enumerate(row):
            if v[:1] == "#" and v.strip() in _ERROR_MEANING:
                row[i] = formula_error(v.strip())
