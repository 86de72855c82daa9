"""导出不带公式（issue 8 第 4 条）：每个下载入口都经 reports.downloads / reports.safe_cells。

带敌意文字的夹具库（问题描述、整改措施、线索摘要、投诉人“=**”、单位名、导入问题记录）上用 AppTest
跑每个页面，把每个 download_button 拿到的数据（字节或点击时调用的零参函数）截下来，再用
openpyxl / csv 打开：没有公式单元格（data_type 'f'、XML 中的 <f>），危险开头的文字在 .xlsx 中是带
前缀引号的字符串、在 CSV 中前面有单引号；数字仍是数字（-5），日期仍是日期。

下载入口从源码枚举（pages/、dashboard/、reports/ 里每个 .download_button( 调用）：新增的下载按钮
若没有在这里跑到并检查，test_every_download_site_is_checked 失败。
"""
from __future__ import annotations

import ast
import csv
import io
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator

from dashboard import sql_console, ui
from reports import downloads
from reports.safe_cells import is_dangerous
from tests.signed_in import app_as

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("pages", "dashboard", "reports")
HYPERLINK = '=HYPERLINK("http://x","y")'
HOSTILE = [HYPERLINK, "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "\t=1", "＝1", "=**", "\r=1"]
# .xlsx cannot store \x0b/\x01 (openpyxl refused to save such a ledger); in the measure column, which the brief
# does not show (the Word brief still fails on it: test_brief_docx_with_control_characters)
CONTROL = "\x0b=进度\x01"
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
CONSOLE_SQL = ("SELECT case_text, measure, deadline, -5 AS 负数, DATE '2023-09-21' AS 日期, "
               "'=HYPERLINK(\"http://x\",\"y\")' AS \"=列名\" FROM problems ORDER BY problem_id")


# ------------------------------------------------------------------ checks on one file
def xlsx_cells(data: bytes) -> list:
    """打开 .xlsx，断言没有公式、危险文字都是带前缀引号的字符串；返回全部非空单元格。"""
    assert data[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and is_dangerous(c.value):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
                if c.value is not None:
                    cells.append(c)
    return cells


def csv_rows(data: bytes) -> list[list[str]]:
    """打开 CSV（须带 BOM），断言以危险字符开头的字段只有写成数字的数字；返回全部行。"""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for r in rows:
        for v in r:
            assert not is_dangerous(v) or NUMBER.fullmatch(v), (v, r)
    return rows


def quoted_texts(rows: list[list[str]]) -> set[str]:
    return {v[1:] for r in rows for v in r if v.startswith("'")}


def test_downloads_module_on_hostile_frame():
    df = pd.DataFrame({
        "=列名": HOSTILE,
        "数量": [-5, 0, 3, 4, 5, 6, 7, 8],
        "比例": [-0.5] + [1.25] * 7,
        "日期": [date(2023, 9, 21)] * 8,
        "时间": pd.to_datetime(["2023-09-21 08:30"] * 8).tz_localize("Asia/Shanghai"),
        "是否": [True, False] * 4,
        "列表": [["=1"], None, "a\x01b", "正常", None, None, None, None],
    })
    cells = xlsx_cells(downloads.xlsx_bytes(df, "结果/导出"))
    by_pos = {(c.row, c.column): c for c in cells}
    assert by_pos[(1, 1)].value == "=列名" and by_pos[(1, 1)].quotePrefix
    assert [by_pos[(r, 1)].value for r in range(2, 10)] == HOSTILE    # text kept verbatim
    assert by_pos[(2, 2)].value == -5 and by_pos[(2, 2)].data_type == "n"
    assert by_pos[(2, 3)].value == -0.5 and by_pos[(2, 3)].data_type == "n"
    assert by_pos[(2, 4)].is_date and by_pos[(2, 4)].value == datetime(2023, 9, 21)
    assert by_pos[(2, 5)].is_date and by_pos[(2, 5)].value == datetime(2023, 9, 21, 8, 30)
    assert [by_pos[(r, 6)].value for r in (2, 3)] == ["是", "否"]
    assert by_pos[(2, 7)].value == "['=1']" and by_pos[(4, 7)].value == "ab"   # control character dropped

    ctl = xlsx_cells(downloads.xlsx_bytes(pd.DataFrame({"a": [CONTROL, "x" * 40000]})))
    assert ctl[1].value == "=进度" and ctl[1].quotePrefix and len(ctl[2].value) == 32767

    rows = csv_rows(downloads.csv_bytes(df))
    assert rows[0][0] == "'=列名"
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE]
    assert rows[1][1:6] == ["-5", "-0.5", "2023-09-21", "2023-09-21 08:30:00", "是"]
    # the older entry points are the same functions
    assert sql_console.xlsx_bytes is downloads.xlsx_bytes and sql_console.csv_bytes is downloads.csv_bytes
    assert csv_rows(ui.csv_bytes(pd.DataFrame({"case_text": ["=**", CONTROL]}))) == [["具体问题"], ["'=**"],
                                                                                  ["'" + CONTROL]]


# ------------------------------------------------------------------ every download site, end to end
WRAPPER = ROOT / "dashboard" / "audited_download.py"  # every button goes through it (permission + audit log)


def _passes_through(call: ast.Call) -> bool:
    """The 督办 evidence button hands back the file a unit uploaded, byte for byte (its SHA-256 is checked on
    read, tests/test_state_supervision.py): not a document we write, so not checked here."""
    what = next((k.value for k in call.keywords if k.arg == "what"), None)
    text = what.values[0] if isinstance(what, ast.JoinedStr) and what.values else what
    return isinstance(text, ast.Constant) and str(text.value).startswith("督办佐证材料")


def download_sites() -> set[tuple[str, int]]:
    """源码中每个 .download_button( 调用的位置（文件, 行）。"""
    sites = set()
    for d in SOURCE_DIRS:
        for path in sorted((ROOT / d).glob("*.py")):
            if path == WRAPPER:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "download_button" and not _passes_through(node)):
                    sites.add((path.relative_to(ROOT).as_posix(), node.lineno))
    return sites


@dataclass
class Download:
    site: tuple[str, int]
    label: str
    file_name: str
    data: bytes


def hostile_db(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    con = duckdb.connect(str(dst))
    try:
        pids = [r[0] for r in con.execute("SELECT DISTINCT problem_id FROM ledger_snapshots ORDER BY 1").fetchall()]
        for i, pid in enumerate(pids):
            con.execute("UPDATE ledger_snapshots SET case_text = ?, measure = ?, responsible = ? WHERE problem_id = ?",
                        [HOSTILE[i % len(HOSTILE)], CONTROL, HOSTILE[(i + 1) % len(HOSTILE)], pid])
        lids = [r[0] for r in con.execute("SELECT lead_id FROM leads ORDER BY 1").fetchall()]
        for i, lid in enumerate(lids):
            con.execute("UPDATE leads SET summary = ?, complainant_masked = '=**' WHERE lead_id = ?",
                        [HOSTILE[i % len(HOSTILE)], lid])
        con.execute("UPDATE units SET name = ? WHERE unit_id = 'funan'", [HYPERLINK])
        cid = con.execute("SELECT campaign_id FROM campaigns LIMIT 1").fetchone()[0]
        for i, h in enumerate(HOSTILE):
            con.execute("INSERT INTO load_errors VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)",
                        [cid, h + ".xlsx", h, -5 if i == 0 else i + 2, h, h, h, "错误" if i % 2 else "警告"])
    finally:
        con.close()
    return dst


def _hostile_campaign(load):
    """模板用的方案配置：单位名、问题方面名换成敌意文字（模板把它们写进下拉选项清单）。"""
    def patched(campaign_id):
        c = load(campaign_id)
        units = tuple(replace(u, name=HOSTILE[i]) if i < len(HOSTILE) else u
                      for i, u in enumerate(c.units))
        cats = tuple(replace(k, name=HOSTILE[i % len(HOSTILE)]) for i, k in enumerate(c.categories))
        return replace(c, units=units, categories=cats)
    return patched


@pytest.fixture(scope="module")
def captured(fixture_db, tmp_path_factory) -> list[Download]:
    """每个页面跑一遍（控制台执行一条查询、总览页生成简报），截下每个下载按钮的数据。"""
    import reports.templates

    db = hostile_db(fixture_db, tmp_path_factory.mktemp("hostile") / "hostile.duckdb")
    got: list[Download] = []
    original = DeltaGenerator.download_button

    def record(depth: int, dg, label, data, file_name=None, *args, **kwargs):
        frame = sys._getframe(depth)
        while Path(frame.f_code.co_filename).resolve() == WRAPPER:  # the call site is the wrapper's caller
            frame = frame.f_back
        path = Path(frame.f_code.co_filename).resolve()
        site = (path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path), frame.f_lineno)
        payload = data() if callable(data) else data
        got.append(Download(site, label, file_name, payload))
        return original(dg, label, payload, file_name, *args, **kwargs)

    def dg_spy(self, label, data, file_name=None, *args, **kwargs):
        return record(2, self, label, data, file_name, *args, **kwargs)

    def st_spy(label, data, file_name=None, *args, **kwargs):
        import streamlit

        return record(2, streamlit._main, label, data, file_name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        import streamlit

        mp.setenv("DASHBOARD_DB", str(db))
        mp.setattr(DeltaGenerator, "download_button", dg_spy)
        mp.setattr(streamlit, "download_button", st_spy)
        mp.setattr(reports.templates, "load_campaign", _hostile_campaign(reports.templates.load_campaign))
        at = app_as(mp, timeout=120).run()
        assert not at.exception, [e.value for e in at.exception]
        for page in sorted((ROOT / "pages").glob("*.py")):
            at.switch_page(f"pages/{page.name}").run()
            assert not at.exception, (page.name, [e.value for e in at.exception])
            if page.name == "explore.py":
                at.text_area(key="exp_sql").input(CONSOLE_SQL).run()
                next(b for b in at.button if b.label == "执行查询").click().run()
            elif page.name == "overview.py":
                next(b for b in at.button if b.label == "生成本期工作简报").click().run()
            elif page.name == "supervision.py":
                next(b for b in at.button if b.label == "生成通知单").click().run()
            assert not at.exception, (page.name, [e.value for e in at.exception])
            assert not at.error or page.name == "satisfaction.py", (page.name, [e.value for e in at.error])
    return got


def test_every_download_site_is_checked(captured):
    sites = download_sites()
    assert len(sites) >= 10, sites          # ui.download, leads ×2, explore ×2, 导入问题记录 ×2, brief ×2, …
    missing = sites - {d.site for d in captured}
    assert not missing, f"这些下载按钮没有在带敌意文字的库上跑到、检查：{sorted(missing)}"


def test_every_download_is_safe(captured):
    kinds = {}
    for d in captured:
        assert isinstance(d.data, bytes), (d.label, type(d.data))
        suffix = Path(d.file_name).suffix
        kinds[suffix] = kinds.get(suffix, 0) + 1
        if suffix == ".csv":
            csv_rows(d.data)
        elif suffix == ".xlsx":
            xlsx_cells(d.data)
        else:
            assert suffix in (".docx", ".pptx"), d.file_name        # the brief in Word: text only
    assert kinds[".csv"] >= 20 and kinds[".xlsx"] >= 5, kinds


def _one(captured, pattern: str) -> Download:
    found = [d for d in captured if re.search(pattern, d.file_name)]
    assert found, (pattern, sorted({d.file_name for d in captured}))
    return found[0]


def test_hostile_text_reaches_the_page_csvs_quoted(captured):
    """The issue's named CSVs carry the hostile text — each with the apostrophe in front."""
    hot = quoted_texts(csv_rows(_one(captured, r"^热点问题清单").data))
    assert set(HOSTILE) <= hot                    # 16 problems cycle through all eight texts
    assert HYPERLINK in quoted_texts(csv_rows(_one(captured, r"_问题清单_").data))     # unit problems
    overdue = csv_rows(_one(captured, r"^超期未办结线索_\d{8}\.csv$").data)
    assert len(overdue) > 1 and quoted_texts(overdue) & set(HOSTILE)
    assert "=**" in quoted_texts(csv_rows(_one(captured, r"^重复投诉人").data))
    errors = csv_rows(_one(captured, r"^导入问题记录.*\.csv$").data)
    assert set(HOSTILE) <= quoted_texts(errors)
    row_col = errors[0].index("行号")
    assert sorted(int(r[row_col]) for r in errors[1:])[0] == -5     # the number is written as a number
    assert HYPERLINK in quoted_texts(csv_rows(_one(captured, r"^问题方面_×_单位").data))  # unit name in chart data


def test_hostile_text_in_excel_exports_is_quoted_text(captured):
    errors = xlsx_cells(_one(captured, r"^导入问题记录.*\.xlsx$").data)
    assert set(HOSTILE) <= {c.value for c in errors if c.data_type == "s"}
    assert -5 in [c.value for c in errors if c.data_type == "n"]

    console = xlsx_cells(_one(captured, r"^查询结果.*\.xlsx$").data)
    header = {c.value: c.column for c in console if c.row == 1}
    assert "=列名" in header
    assert set(HOSTILE) <= {c.value for c in console if c.row > 1 and c.column == header["case_text"]}
    assert {c.value for c in console if c.column == header["负数"] and c.row > 1} == {-5}
    days = [c for c in console if c.column == header["日期"] and c.row > 1]
    assert days and all(c.is_date and c.value == datetime(2023, 9, 21) for c in days)
    deadlines = [c for c in console if c.column == header["deadline"] and c.row > 1]
    assert deadlines and all(c.is_date for c in deadlines)
    console_csv = csv_rows(_one(captured, r"^查询结果.*\.csv$").data)
    assert console_csv[0][-1] == "'=列名" and {r[3] for r in console_csv[1:]} == {"-5"}
    assert {r[4] for r in console_csv[1:]} == {"2023-09-21"}

    ledger = xlsx_cells(_one(captured, r"^合并台账").data)
    assert set(HOSTILE) | {"=进度"} <= {c.value for c in ledger if c.data_type == "s"}
    assert any(c.is_date for c in ledger)

    for pattern in (r"_整改台账_\d{8}\.xlsx$", r"_问题线索登记表\.xlsx$"):   # hostile names in the drop-down lists
        texts = {c.value for c in xlsx_cells(_one(captured, pattern).data)}
        assert HYPERLINK in texts and "+cmd|' /C calc'!A0" in texts, pattern


def test_no_other_writer_in_the_sources():
    """CSV/Excel 只在 reports/safe_cells.py、reports/downloads.py 生成；自己排版的工作簿（简报表格、模板、
    合并台账）每格都经 set_cell：不给 .value 赋值，ws.cell() 不带值。"""
    writers = re.compile(r"\.to_csv\(|\.to_excel\(|ExcelWriter|csv\.writer|\.to_clipboard\(")
    workbook_files = set()
    for d in SOURCE_DIRS:
        for path in sorted((ROOT / d).glob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            text = path.read_text(encoding="utf-8")
            if rel != "reports/safe_cells.py":
                assert not writers.search(text), rel
            if "Workbook(" in text:
                workbook_files.add(rel)
                assert "set_cell" in text, rel
                for node in ast.walk(ast.parse(text)):
                    if isinstance(node, ast.Assign | ast.AugAssign):
                        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                        assert not any(isinstance(t, ast.Attribute) and t.attr == "value" for t in targets), \
                            (rel, node.lineno)
                    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                            and node.func.attr == "cell"):
                        assert len(node.args) <= 2 and not node.keywords, (rel, node.lineno)
    assert workbook_files == {"reports/downloads.py", "reports/brief_xlsx.py", "reports/templates.py",
                              "reports/ledger_export.py"}


def test_brief_tables_carry_hostile_text_as_text(captured):
    cells = xlsx_cells(_one(captured, r"^工作简报表格").data)
    assert {c.value for c in cells if c.data_type == "s"} & set(HOSTILE)


def test_brief_docx_with_control_characters(fixture_db, tmp_path):
    from reports.brief_data import collect
    from reports.brief_docx import write_docx
    from tests.fixtures.fixture_db import CAMPAIGN_ID, S2

    db = hostile_db(fixture_db, tmp_path / "h.duckdb")
    con = duckdb.connect(str(db))
    con.execute("UPDATE ledger_snapshots SET responsible = ?", [CONTROL])
    con.close()
    import io

    import docx

    doc = docx.Document(io.BytesIO(write_docx(collect(db, CAMPAIGN_ID, S2))))
    texts = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    # the overdue table lists 责任人: written without the characters Word cannot hold
    assert "=进度" in texts and not any("\x0b" in t or "\x01" in t for t in texts)
