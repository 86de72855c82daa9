"""A copy of an .xlsx/.xlsm package with one sheet's XML rewritten for calamine: error cells left out
(calamine refuses a whole sheet for error values it does not know) and, for a huge nearly-empty used
range, only the rows and columns holding content, renumbered from A1."""

from __future__ import annotations

import bisect
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .model import ReadError
from .xlsx_scan import ROW_NO, col_no

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


@contextmanager
def rewritten_copy(path: Path, zf: zipfile.ZipFile, member: str, used_rows: list[int] | None,
                   used_cols: list[int] | None) -> Iterator[Path]:
    """A temporary copy of the package whose sheet XML has no error cells and, with used rows/columns
    given, only those rows and columns, renumbered (row i of the copy is used_rows[i - 1])."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / f"copy{path.suffix.lower()}"
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
            for item in zf.infolist():
                with zf.open(item) as src, out.open(item.filename, "w") as dst:
                    if item.filename == member:
                        _write_sheet(zf, member, dst, used_rows, used_cols)
                    else:
                        shutil.copyfileobj(src, dst)
        yield copy


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
        head = ROW_NO.match(text, len(m.group(1) or b"") + 4)
        number = int(head.group(1)) if head else 0
        if number not in row_map:
            return b""  # no cell with content: left out, the grid's line_no keeps the numbering
        text = text[: head.start(1)] + str(row_map[number]).encode() + text[head.end(1) :]
        return _CELL_REF.sub(cell, _EMPTY_CELL.sub(b"", text))

    merges = []
    for c0, r0, c1, r1 in _MERGE.findall(data, close):
        rows = _span(used_rows, int(r0), int(r1))
        cols = _span(used_cols, col_no(c0), col_no(c1))
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
