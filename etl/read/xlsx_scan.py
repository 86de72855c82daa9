"""Cheap passes over an .xlsx/.xlsm package's sheet XML, before calamine reads it: which member holds
each sheet, the sheet's last row and widest column, the rows/columns holding content, and the cells
with formula error values or formulas without a calculated value."""

from __future__ import annotations

import itertools
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from .formula_errors import UNCALCULATED, formula_error
from .model import CellError, ReadError

_CHUNK = 4 << 20
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

# workbook.xml + its rels recur byte for byte in every file of a template: (sheet name, member) pairs are
# kept, keyed by the exact bytes (never by size or CRC, which a hostile file could match with another
# mapping and have a huge sheet measured by a small one). Each file's own member names still filter them.
_TARGETS: dict[tuple[bytes, bytes], tuple[tuple[str | None, str], ...]] = {}
_TARGETS_MAX = 256
_TARGETS_KEY_MAX = 64 << 10  # bytes of workbook.xml + rels; bigger ones are worked out each time


def _sheet_targets(book_xml: bytes, rels_xml: bytes) -> tuple[tuple[str | None, str], ...]:
    """(sheet name, member the workbook rels point it at), in workbook order."""
    book = ET.fromstring(book_xml)
    rels = ET.fromstring(rels_xml)
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    out = []
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        target = targets.get(sheet.get(_REL_NS), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        out.append((sheet.get("name"), member))
    return tuple(out)


def open_parts(path: Path) -> tuple[zipfile.ZipFile | None, dict[str, str]]:
    """The package and sheet name → worksheet XML member; ({}) when the package cannot be mapped
    (calamine has opened it, so it is read the old way)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return None, {}
    try:
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
        key = (book, rels)
        targets = _TARGETS.get(key)
        if targets is None:
            targets = _sheet_targets(book, rels)
            if len(book) + len(rels) <= _TARGETS_KEY_MAX:
                if len(_TARGETS) >= _TARGETS_MAX:
                    _TARGETS.clear()
                _TARGETS[key] = targets
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        zf.close()
        return None, {}
    names = set(zf.namelist())
    parts = {}
    for name, member in targets:
        if member in names:
            parts[name] = member
    return zf, parts


@dataclass
class Scan:
    """What one pass of cheap byte searches over a sheet's XML found."""

    prefix: bytes = b""  # namespace prefix of the sheet's elements ("x:" in some generators)
    rows: int = 0  # last row number
    wide: bool = False  # a cell reference with two or more column letters
    formulas: bool = False
    uncached: bool = False  # a formula may lack its value (empty or missing <v>)
    errors: bool = False  # a cell of type "e" (formula error value)


_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
ROW_NO = re.compile(rb'[^>]*?\br="(\d+)"')
_ERROR_VALUE = re.compile(rb't="e"')  # (a regex finds it faster than `in`)


def _chunks(zf: zipfile.ZipFile, member: str):
    """The member's bytes in pieces, plus a short piece across each seam, so a token is never cut."""
    tail = b""
    with zf.open(member) as fh:
        while block := fh.read(_CHUNK):
            if tail:
                yield tail + block[:128]
            yield block
            tail = block[-128:]


def scan(zf: zipfile.ZipFile, member: str) -> Scan:
    found = Scan()
    chunks = _chunks(zf, member)
    first = next(chunks, b"")
    m = _ROOT.search(first)
    p = found.prefix = (m.group(1) or b"") if m else b""
    row_tag = b"<" + p + b"row "
    wide = re.compile(re.escape(b"<" + p + b'c r="') + rb"[A-Z]{2}")
    formula = re.compile(re.escape(b"<" + p + b"f") + rb"[> ]")  # <f> or <f  (faster than two `in`)
    uncached = (b"<" + p + b"v></" + p + b"v>", b"<" + p + b"v/>", b"</" + p + b"f></" + p + b"c>",
                b"/></" + p + b"c>")
    for chunk in itertools.chain((first,), chunks):
        i = chunk.rfind(row_tag)
        if i >= 0 and (m := ROW_NO.match(chunk, i + len(row_tag) - 1)):
            found.rows = max(found.rows, int(m.group(1)))
        if not found.wide and wide.search(chunk):
            found.wide = True
        if not found.formulas and formula.search(chunk):
            found.formulas = True
        if found.formulas and not found.uncached and any(t in chunk for t in uncached):
            found.uncached = True
        if not found.errors and _ERROR_VALUE.search(chunk):
            found.errors = True
    return found


def col_no(letters: bytes | str) -> int:
    """"A" → 1, "XFD" → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) if isinstance(ch, str) else ch) - 64
    return n


def width(zf: zipfile.ZipFile, member: str, prefix: bytes) -> int:
    refs = re.compile(re.escape(b"<" + prefix + b'c r="') + rb"([A-Z]{1,3})\d")
    letters: set[bytes] = set()
    for chunk in _chunks(zf, member):
        letters.update(refs.findall(chunk))
    return max((col_no(x) for x in letters), default=0)


_CELL = rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(/?)>'


def used(zf: zipfile.ZipFile, member: str) -> tuple[list[int], list[int]]:
    """Sorted row numbers and column numbers holding a cell with content (1-based)."""
    cell = re.compile(_CELL)
    rows: set[int] = set()
    cols: set[bytes] = set()
    for chunk in _chunks(zf, member):
        for letters, row, closed in cell.findall(chunk):
            if not closed:
                rows.add(int(row))
                cols.add(letters)
    return sorted(rows), sorted(col_no(x) for x in cols)


def cell_errors(zf: zipfile.ZipFile, member: str) -> dict[tuple[int, int], CellError]:
    """(row, column) 1-based → CellError for formula error values and formulas without a value."""
    out: dict[tuple[int, int], CellError] = {}
    shared: dict[str, str] = {}  # shared formula index → the master cell's formula text
    row_no = col = 0
    try:
        with zf.open(member) as fh:
            for event, el in ET.iterparse(fh, events=("start", "end")):
                tag = el.tag.rpartition("}")[2]
                if event == "start":
                    if tag == "row":
                        row_no = int(el.get("r") or row_no + 1)
                        col = 0
                    continue
                if tag == "row":
                    el.clear()
                    continue
                if tag != "c":
                    continue
                ref = el.get("r")
                col = col_no(ref.rstrip("0123456789")) if ref else col + 1
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
                    out[(row_no, col)] = formula_error(v.text.strip())
                # An empty string result is saved as t="str" with an empty <v>: that one is calculated.
                elif f is not None and (v is None or (not v.text and kind != "str")):
                    text = f.text or shared.get(f.get("si", ""), "")
                    out[(row_no, col)] = CellError(f"={text}", UNCALCULATED)
                el.clear()
    except ET.ParseError as exc:
        raise ReadError(f"无法读取工作表 XML（{member}）：{exc}") from exc
    return out
