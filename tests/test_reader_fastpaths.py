"""The reader's fast paths give what the plain rules give: header scan rows reused as value samples,
cells cleaned inline, the str-cell memo of the scanned bitmap, the workbook → sheet member memo and the
regex searches of xlsx_scan.scan (each checked against the plain rule written out here)."""

from __future__ import annotations

import datetime as dt
import itertools
import posixpath
import random
import re
import zipfile
from functools import reduce
from operator import or_
from xml.etree import ElementTree as ET

import pytest

from etl.config import load_campaign
from etl.read import header, xlsx_scan
from etl.read.grid import clean, read_grids
from etl.read.profiles import EVERY_TEXT, as_bitmap, text_bits
from etl.read.vocabulary import norm_header
from tests.fixtures.real_layouts import HELDOUT_LAYOUTS, LAYOUTS, write

# ---------------------------------------------------------------- cells: cleaning and value samples

RAW_CELLS = ["", " ", "\u3000", "序号", " 整改措施 ", "整改时限", "填报单位：某县交通运输局", "1", "3.0", 3.0, 2.5, -0.0,
             0.0, 7, True, False, float("nan"), float("inf"), dt.date(2023, 5, 1), dt.datetime(2023, 5, 1, 8, 30),
             "a|b", "合计", "问题方面"]


def typed(rows: list[list]) -> str:
    """Rows with each value's type: 3 == 3.0 == True would hide a wrong cleaning (nan != nan, so repr)."""
    return repr([[(v.__class__.__name__, v) for v in row] for row in rows])


def random_rows(rng: random.Random, n: int) -> list[list]:
    return [[rng.choice(RAW_CELLS) for _ in range(rng.randint(0, 9))] for _ in range(n)]


def test_inline_cleaning_is_grid_clean():
    rng = random.Random(7)
    for _ in range(200):
        rows = random_rows(rng, rng.randint(0, 20))
        assert typed(header._cleaned(rows)) == typed([[clean(v) for v in row] for row in rows])


def test_samples_reusing_the_scan_rows_are_the_rows_cleaned_again():
    rng = random.Random(11)
    for _ in range(300):
        rows = random_rows(rng, rng.randint(0, 60))
        scan = header._cleaned(rows[: header.SCAN_ROWS + 1])
        for start in range(0, len(rows) + 2):
            slow = [[clean(v) for v in r] for r in rows[start: start + header.SAMPLE_ROWS]]
            assert typed(header._samples(rows, scan, start)) == typed(slow), (start, len(rows))


def _slow_samples(rows, scan, start):
    return [[clean(v) for v in r] for r in rows[start: start + header.SAMPLE_ROWS]]


def _layout_grids(tmp_path):
    for layout in LAYOUTS + HELDOUT_LAYOUTS:
        path = write(layout, tmp_path)
        for grid in read_grids(path):
            yield layout, grid


def test_find_header_with_reused_samples_is_find_header_with_samples_cleaned_again(tmp_path, monkeypatch):
    checked = 0
    for layout, grid in _layout_grids(tmp_path):
        campaign = load_campaign(layout.campaign_id)
        rows = [list(r) for r in grid.rows]
        fast = header.find_header(rows, campaign, [])
        with monkeypatch.context() as m:
            m.setattr(header, "_samples", _slow_samples)
            slow = header.find_header(rows, campaign, [])
        assert fast == slow, layout.name
        assert [list(r) for r in grid.rows] == rows, "find_header changed the grid"
        checked += fast is not None and fast.column_map is not None
    assert checked >= 20


def _slow_read_meta(rows):
    """header.read_meta as it was: grid.clean per cell."""
    unit = date = None
    for raw in rows:
        cells = [c for c in (clean(v) for v in raw) if c is not None]
        cells = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
        for i, cell in enumerate(cells):
            if not isinstance(cell, str):
                continue
            labels = list(header._LABEL.finditer(cell))
            for j, m in enumerate(labels):
                end = labels[j + 1].start() if j + 1 < len(labels) else len(cell)
                value = cell[m.end(): end].strip() or header._next_value(cells, i, j, labels)
                if header._IS_UNIT.fullmatch(m.group(1)) and unit is None and value:
                    unit = str(value)
                elif header._IS_DATE.fullmatch(m.group(1)) and date is None and value not in (None, ""):
                    date = value
    return unit, date


def test_read_meta_is_the_per_cell_rule():
    rng = random.Random(3)
    meta = ["填报单位：", "填报单位：临泉县交通运输局", " 填报时间：", "填报时间：2023-06-15", "报送日期", "联系人：王某",
            dt.date(2023, 6, 15), 45000.0, "临泉县交通运输局", "", " ", "填表单位（盖章）：太和县  填表日期：2023年6月",
            "报送单位：颍州区", "报送时间：", "审核人：李某 负责人：张某", "联系电话：", "填报人", "负责人：赵某  填报日期：2023-7-1",
            "审核人：", "全市交通运输执法领域专项整治行动问题清单"]
    for _ in range(500):
        rows = [[rng.choice(meta) for _ in range(rng.randint(0, 6))] for _ in range(rng.randint(0, 4))]
        assert typed([header.read_meta(rows)]) == typed([_slow_read_meta(rows)]), rows


# ---------------------------------------------------------------- scanned bitmap


def _old_bitmap(cells: set) -> bytes:
    """header.scanned_bitmap as it was: every cell through the typed lru_cache of _cell_bits."""
    if header._UNHASHABLE in cells:
        return EVERY_TEXT
    return as_bitmap(reduce(or_, map(header._cell_bits, cells), 0))


def _plain_text_bitmap(texts: set) -> bytes:
    return as_bitmap(reduce(or_, (text_bits(norm_header(t)) for t in texts), 0))


class Text(str):
    """A str subclass: not the memo's business (it goes to _cell_bits like any other class)."""


BITMAP_CELLS = ["序号", "整改措施", " 整改措施", "整改措施：", "1", "1.0", "True", "a|b", "a", "b", "问题方面|表现形式", "",
                1, 1.0, True, 0, 0.0, -0.0, False, 2, 2.5, 10 ** 20, float(2 ** 53), dt.date(2023, 5, 1),
                dt.datetime(2023, 5, 1, 8), Text("整改时限"), "整改时限"]


def test_scanned_bitmap_is_the_old_reduce(monkeypatch):
    # (-0.0 and 0.0 share one entry of the typed lru_cache, whose texts differ: the old quirk is kept as is)
    monkeypatch.setattr(header, "_TEXT_BITS", {})
    rng = random.Random(5)
    for _ in range(2000):
        cells = set(rng.sample(BITMAP_CELLS, rng.randint(0, len(BITMAP_CELLS))))
        texts = {f"具体案例{rng.randint(0, 50)}" for _ in range(rng.randint(0, 5))}
        assert header.scanned_bitmap(cells | texts) == _old_bitmap(cells | texts), cells
        assert header.scanned_bitmap(texts) == _plain_text_bitmap(texts)


def test_scanned_bitmap_of_recorded_cells_with_an_unhashable_one():
    with header.scanned_cells_recorded() as cells:
        header._record_scanned([["序号", "整改措施"], ["a", ["not hashable"], "b"], ["c"]])
    assert cells == {"序号", "整改措施", "a", header._UNHASHABLE, "c"}  # "b" after the bad cell: as the per-row update
    assert header.scanned_bitmap(cells) == EVERY_TEXT


def test_the_str_memo_stays_bounded(monkeypatch):
    memo: dict = {}
    monkeypatch.setattr(header, "_TEXT_BITS", memo)
    monkeypatch.setattr(header, "_TEXT_BITS_MAX", 8)
    for i in range(100):
        cells = {f"表头{i}", f"表头{i + 1}", i}
        assert header.scanned_bitmap(cells) == _old_bitmap(cells)
        assert len(memo) <= 8


# ---------------------------------------------------------------- xlsx_scan: sheet members


def _old_open_parts(path):
    """xlsx_scan.open_parts without the memo (as it was)."""
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
        target = targets.get(sheet.get(xlsx_scan._REL_NS), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if member in names:
            parts[sheet.get("name")] = member
    zf.close()
    return zf, parts


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
RELS_NS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'


def _package(path, sheets: list[tuple[str, str, str]], members: list[str], book_extra: str = "") -> None:
    """sheets: (name, rel id, rel target); members: the worksheet members present."""
    book = f'<workbook {NS}>{book_extra}<sheets>' + "".join(
        f'<sheet name="{n}" sheetId="{i}" r:id="{rid}"/>' for i, (n, rid, _t) in enumerate(sheets, 1)) + "</sheets></workbook>"
    rels = f"<Relationships {RELS_NS}>" + "".join(
        f'<Relationship Id="{rid}" Type="worksheet" Target="{t}"/>' for _n, rid, t in sheets) + "</Relationships>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        for m in members:
            zf.writestr(m, "<worksheet/>")


PACKAGES = [
    ([("问题清单", "rId1", "worksheets/sheet1.xml")], ["xl/worksheets/sheet1.xml"]),
    ([("问题清单", "rId1", "worksheets/sheet1.xml"), ("Sheet2", "rId2", "worksheets/sheet2.xml")],
     ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]),
    # the same workbook and rels, one member missing: the memo must not hand out Sheet2
    ([("问题清单", "rId1", "worksheets/sheet1.xml"), ("Sheet2", "rId2", "worksheets/sheet2.xml")],
     ["xl/worksheets/sheet1.xml"]),
    ([("A", "rId1", "/xl/worksheets/a.xml"), ("B", "rId9", "worksheets/b.xml"), ("C", "rId3", "../xl/worksheets/c.xml")],
     ["xl/worksheets/a.xml", "xl/worksheets/b.xml", "xl/worksheets/c.xml"]),
    ([("A", "rId1", "worksheets/s.xml"), ("A", "rId2", "worksheets/t.xml")], ["xl/worksheets/s.xml", "xl/worksheets/t.xml"]),
]


def test_open_parts_with_the_memo_is_open_parts_without(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_scan, "_TARGETS", {})
    for rnd in range(2):  # cold memo, then every mapping from the memo
        for i, (sheets, members) in enumerate(PACKAGES):
            path = tmp_path / f"p{i}.xlsx"
            if rnd == 0:
                _package(path, sheets, members)
            zf, parts = xlsx_scan.open_parts(path)
            zf.close()
            assert list(parts.items()) == list(_old_open_parts(path)[1].items()), (rnd, i)
    assert len(xlsx_scan._TARGETS) == 4  # (two packages share their workbook and rels)


def test_open_parts_of_broken_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_scan, "_TARGETS", {})
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK not a zip")
    assert xlsx_scan.open_parts(junk) == (None, {})
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook")
        zf.writestr("xl/_rels/workbook.xml.rels", f"<Relationships {RELS_NS}/>")
    assert xlsx_scan.open_parts(broken) == (None, {})
    assert xlsx_scan.open_parts(broken) == (None, {})
    assert xlsx_scan._TARGETS == {}


def test_the_members_memo_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_scan, "_TARGETS", {})
    monkeypatch.setattr(xlsx_scan, "_TARGETS_MAX", 3)
    for i in range(10):
        path = tmp_path / f"s{i}.xlsx"
        _package(path, [(f"表{i}", "rId1", "worksheets/sheet1.xml")], ["xl/worksheets/sheet1.xml"])
        zf, parts = xlsx_scan.open_parts(path)
        zf.close()
        assert parts == {f"表{i}": "xl/worksheets/sheet1.xml"}
        assert len(xlsx_scan._TARGETS) <= 3
    big = tmp_path / "big.xlsx"
    monkeypatch.setattr(xlsx_scan, "_TARGETS", {})
    _package(big, [("表", "rId1", "worksheets/sheet1.xml")], ["xl/worksheets/sheet1.xml"],
             book_extra="<definedNames>" + "x" * (xlsx_scan._TARGETS_KEY_MAX + 1) + "</definedNames>")
    zf, parts = xlsx_scan.open_parts(big)
    zf.close()
    assert parts == {"表": "xl/worksheets/sheet1.xml"}
    assert xlsx_scan._TARGETS == {}  # a workbook this big is not kept


# ---------------------------------------------------------------- xlsx_scan.scan


def _old_scan(zf, member):
    """xlsx_scan.scan as it was: `in` searches."""
    found = xlsx_scan.Scan()
    chunks = xlsx_scan._chunks(zf, member)
    first = next(chunks, b"")
    m = xlsx_scan._ROOT.search(first)
    p = found.prefix = (m.group(1) or b"") if m else b""
    row_tag = b"<" + p + b"row "
    wide = re.compile(re.escape(b"<" + p + b'c r="') + rb"[A-Z]{2}")
    formula = (b"<" + p + b"f>", b"<" + p + b"f ")
    uncached = (b"<" + p + b"v></" + p + b"v>", b"<" + p + b"v/>", b"</" + p + b"f></" + p + b"c>", b"/></" + p + b"c>")
    for chunk in itertools.chain((first,), chunks):
        i = chunk.rfind(row_tag)
        if i >= 0 and (m := xlsx_scan.ROW_NO.match(chunk, i + len(row_tag) - 1)):
            found.rows = max(found.rows, int(m.group(1)))
        if not found.wide and wide.search(chunk):
            found.wide = True
        if not found.formulas and (formula[0] in chunk or formula[1] in chunk):
            found.formulas = True
        if found.formulas and not found.uncached and any(t in chunk for t in uncached):
            found.uncached = True
        if not found.errors and b't="e"' in chunk:
            found.errors = True
    return found


PIECES = ['<c r="A1" t="s"><v>0</v></c>', '<c r="AB7"><v>1</v></c>', "<f>SUM(A1:A2)</f>", '<f t="shared" si="0"/>',
          "<f>", "<f ", "<fx>", "<formula>1</formula>", "<v></v>", "<v/>", "</f></c>", "/></c>", 't="e"', 't="str"',
          "<v>#N/A</v>", "填报单位", "<is><t>整改措施</t></is>", "f>", "<", "f"]


def _sheet_xml(rng: random.Random, p: str) -> bytes:
    body = []
    for r in range(1, rng.randint(1, 12)):
        cells = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))
        body.append(f'<{p}row r="{r}" spans="1:3">{cells.replace("<", "<" + p).replace("<" + p + "/", "</" + p)}</{p}row>')
    ns = f' xmlns:{p[:-1]}="x"' if p else ""
    return f'<?xml version="1.0"?><{p}worksheet{ns}><{p}sheetData>{"".join(body)}</{p}sheetData></{p}worksheet>'.encode()


@pytest.mark.parametrize("chunk", [4 << 20, 40, 97])
def test_scan_is_the_plain_byte_search(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(xlsx_scan, "_CHUNK", chunk)  # small: tokens cut at the seams between pieces
    rng = random.Random(chunk)
    path = tmp_path / "s.xlsx"
    seen = set()
    for i in range(300):
        p = rng.choice(["", "x:"])
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("s.xml", _sheet_xml(rng, p))
        with zipfile.ZipFile(path) as zf:
            fast, slow = xlsx_scan.scan(zf, "s.xml"), _old_scan(zf, "s.xml")
        assert fast == slow, i
        seen.add((fast.formulas, fast.uncached, fast.errors, fast.wide))
    assert len(seen) >= 6  # the random sheets found and missed each token
