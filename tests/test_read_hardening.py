"""Reader hardening (issue 7, "No silent loss"): UTF-16 CSV, hidden sheets, formula errors,
uncalculated formulas, and a huge but nearly empty used range read in bounded memory."""

import subprocess
import sys
import textwrap
import zipfile

import openpyxl
import pytest
import xlwt

from etl.read import CellError, ReadError, read_file
from etl.read.grid import UNCALCULATED, read_grids

LEADS_HEADER = ["线索编号", "线索来源", "受理日期", "交办日期", "承办单位", "问题摘要"]
LEAD = ["阜交专办〔2023〕0123号", "12345热线", "2023-09-25", "2023-09-27", "临泉县交通运输局", "货车被重复罚款，含逗号"]
LEDGER_HEADER = ["序号", "问题方面", "表现形式", "具体案例", "整改措施", "整改时限", "整改进度"]


def patch_sheet(src, dst, old: bytes, new: bytes, member="xl/worksheets/sheet1.xml"):
    """Copy an .xlsx replacing text in one sheet's XML (to write what openpyxl cannot: cached
    error values, cells far away)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                assert old in data
                data = data.replace(old, new)
            zout.writestr(item, data)


# ---------------------------------------------------------------- CSV


def test_utf16_le_tab_csv_excel_unicode_text(tmp_path):
    # Excel "另存为 → Unicode 文本": UTF-16 LE with BOM, TAB-separated, CRLF.
    path = tmp_path / "线索.csv"
    text = "\r\n".join("\t".join(row) for row in [LEADS_HEADER, LEAD]) + "\r\n"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    (sheet,) = read_file(path)
    assert sheet.kind == "leads"
    assert [r.source_row for r in sheet.rows] == [2]
    values = sheet.rows[0].values
    assert values["lead_id"] == "阜交专办〔2023〕0123号"
    assert values["summary"] == "货车被重复罚款，含逗号"
    assert values["unit"] == "临泉县交通运输局"


def test_utf16_be_comma_csv(tmp_path):
    path = tmp_path / "线索.csv"
    text = "\n".join(",".join(row) for row in [LEADS_HEADER, LEAD[:5] + ["货车被重复罚款"]])
    path.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    (grid,) = read_grids(path)
    assert grid.rows[1] == LEAD[:5] + ["货车被重复罚款"]


def test_utf8_tab_separated_text(tmp_path):
    path = tmp_path / "线索.csv"
    path.write_text("\n".join("\t".join(row) for row in [LEADS_HEADER, LEAD]), encoding="utf-8")
    (grid,) = read_grids(path)
    assert grid.rows == [LEADS_HEADER, LEAD]


def test_csv_error_text_becomes_cell_error(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("序号,得分\n1,#DIV/0!\n2,#N/A\n3,#标签\n", encoding="utf-8")
    (grid,) = read_grids(path)
    assert grid.rows[1][1] == CellError("#DIV/0!", "公式错误 #DIV/0!：除数为零，请在 Excel 中修正后重新上传")
    assert isinstance(grid.rows[2][1], CellError) and grid.rows[2][1].text == "#N/A"
    assert grid.rows[3][1] == "#标签"  # ordinary text starting with # stays text


# ---------------------------------------------------------------- hidden sheets


def test_hidden_and_very_hidden_sheets_are_flagged(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "可见"
    wb.active.append(["a"])
    for title, state in [("隐藏", "hidden"), ("深度隐藏", "veryHidden")]:
        ws = wb.create_sheet(title)
        ws.append([title])
        ws.sheet_state = state
    path = tmp_path / "h.xlsx"
    wb.save(path)
    grids = read_grids(path)
    assert [(g.name, g.hidden, g.rows) for g in grids] == [
        ("可见", None, [["a"]]), ("隐藏", "hidden", [["隐藏"]]), ("深度隐藏", "veryhidden", [["深度隐藏"]])]


def test_hidden_xls_sheet(tmp_path):
    wb = xlwt.Workbook()
    wb.add_sheet("可见").write(0, 0, "a")
    ws = wb.add_sheet("隐藏")
    ws.write(0, 0, "b")
    ws.visibility = 1
    path = tmp_path / "h.xls"
    wb.save(path)
    assert [(g.name, g.hidden) for g in read_grids(path)] == [("可见", None), ("隐藏", "hidden")]


# ---------------------------------------------------------------- formulas


def formula_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["a", "b", "c"])
    ws.append([1, 0, "z"])
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    return path


ROW2 = b'<row r="2"><c r="A2" t="n"><v>1</v></c><c r="B2" t="n"><v>0</v></c><c r="C2" t="inlineStr"><is><t>z</t></is></c></row>'


@pytest.mark.parametrize("code", ["#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"])
def test_xlsx_formula_error_values(tmp_path, code):
    src = formula_workbook(tmp_path)
    path = tmp_path / "e.xlsx"
    patch_sheet(src, path, ROW2, ROW2.replace(b"</row>", b'<c r="D2" t="e"><f>A2/B2</f><v>' + code.encode()
                                              + b'</v></c><c r="E2" t="e"><v>' + code.encode() + b"</v></c></row>"))
    (grid,) = read_grids(path)
    assert grid.rows[1][:3] == [1.0, 0.0, "z"]
    assert grid.rows[1][3] == grid.rows[1][4]
    error = grid.rows[1][3]
    assert isinstance(error, CellError) and error.text == code
    assert error.message.startswith(f"公式错误 {code}：")


def test_xlsx_newer_error_value_does_not_lose_the_sheet(tmp_path):
    # calamine 0.9.1 refuses a whole sheet holding #SPILL! ("Unsupported cell error value").
    src = formula_workbook(tmp_path)
    path = tmp_path / "spill.xlsx"
    patch_sheet(src, path, ROW2, ROW2.replace(b"</row>", b'<c r="D2" t="e"><f>SORT(A1:A2)</f><v>#SPILL!</v></c></row>'))
    (grid,) = read_grids(path)
    assert grid.rows[0] == ["a", "b", "c"]
    assert grid.rows[1] == [1.0, 0.0, "z", CellError("#SPILL!", "公式错误 #SPILL!：单元格没有有效值，请在 Excel 中修正后重新上传")]


def test_uncalculated_formulas_written_by_openpyxl(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "合计"])
    ws.append([1, "=SUM(A2:A3)"])
    ws.append([2, 5])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    (grid,) = read_grids(path)
    assert grid.rows[1] == [1.0, CellError("=SUM(A2:A3)", UNCALCULATED)]
    assert grid.rows[2] == [2.0, 5.0]
    assert grid.has_data == [True, True, True]


def test_calculated_formulas_are_values(tmp_path):
    src = formula_workbook(tmp_path)
    path = tmp_path / "calc.xlsx"
    # Excel saves a formula with its result; an empty-text result is t="str" with an empty <v>.
    patch_sheet(src, path, ROW2, ROW2.replace(
        b"</row>", b'<c r="D2"><f>A2+1</f><v>2</v></c><c r="E2" t="str"><f>IF(A2=1,"","x")</f><v></v></c></row>'))
    (grid,) = read_grids(path)
    assert grid.rows[1][:4] == [1.0, 0.0, "z", 2.0]
    assert all(not isinstance(v, CellError) for v in grid.rows[1])


def test_formula_row_outside_calamine_range(tmp_path):
    # A row holding only an uncalculated formula is not in calamine's range at all.
    src = formula_workbook(tmp_path)
    path = tmp_path / "f.xlsx"
    patch_sheet(src, path, b"</sheetData>", b'<row r="4"><c r="B4"><f>A2*2</f></c></row></sheetData>')
    (grid,) = read_grids(path)
    assert grid.line_no[-1] == 4
    assert grid.rows[3][1] == CellError("=A2*2", UNCALCULATED)
    assert grid.has_data == [True, True, False, True]


# ---------------------------------------------------------------- huge used range


def ledger_workbook(path, stray: str | None = None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws["A1"] = "问题清单"
    ws.merge_cells("A1:G1")
    ws.append(LEDGER_HEADER)
    ws.append([1, "逐利执法", "F01 以罚代管", "案例一", "立即卸载", "立行立改", "已完成整改"])
    ws.append([2, None, "F02 重罚轻管", "案例二", "规范处罚", "2023年6月30日前", "正在整改"])
    ws.merge_cells("B3:B4")
    ws.append([])
    ws.append([3, "执法不规范", "F06 执法不文明", "案例四", "培训", "9月底", "持续推进"])
    if stray:
        ws[stray] = "x"
    wb.save(path)


HOSTILE_CHILD = textwrap.dedent("""
    import resource, sys, time
    limit = 300 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from etl.read import read_file
    t = time.perf_counter()
    (sheet,) = read_file(sys.argv[1])
    print(repr(([(r.source_row, r.values) for r in sheet.rows], sheet.kind, sheet.header_row)))
    print(time.perf_counter() - t)
""")


def test_stray_cell_at_xfd1048576_reads_in_bounded_memory(tmp_path):
    plain, hostile = tmp_path / "plain.xlsx", tmp_path / "hostile.xlsx"
    ledger_workbook(plain)
    ledger_workbook(hostile, "XFD1048576")
    assert hostile.stat().st_size < 10_000
    outputs = []
    for path in (plain, hostile):
        done = subprocess.run([sys.executable, "-c", HOSTILE_CHILD, str(path)], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        rows, seconds = done.stdout.strip().splitlines()
        assert float(seconds) < 3
        outputs.append(rows)
    assert outputs[0] == outputs[1]
    assert "'category': '逐利执法'" in outputs[1] and "(6, {'serial_no': 3" in outputs[1]
    # merged B3:B4 still copied into row 4 after the empty rows/columns were squeezed out
    assert outputs[1].count("'category': '逐利执法'") == 2


def test_stray_cell_grid_keeps_excel_row_numbers(tmp_path):
    path = tmp_path / "hostile.xlsx"
    ledger_workbook(path, "XFD1048576")
    (grid,) = read_grids(path)
    assert grid.line_no == [1, 2, 3, 4, 6, 1048576]
    assert grid.rows[0] == ["问题清单"] * 7 + [""]
    assert grid.rows[3][:3] == [2.0, "逐利执法", "F02 重罚轻管"]
    assert grid.rows[-1] == [""] * 7 + ["x"]


def test_cells_spread_all_over_are_refused(tmp_path):
    src = formula_workbook(tmp_path)
    path = tmp_path / "spread.xlsx"
    # 3300 cells on a diagonal: 3300 used rows × 3300 used columns = 10.9 million cells
    cells = b"".join(b'<row r="%d"><c r="%s%d" t="n"><v>1</v></c></row>' % (
        10 + i * 300, _letters(4 + i * 4), 10 + i * 300) for i in range(3300))
    patch_sheet(src, path, b"</sheetData>", cells + b"</sheetData>")
    with pytest.raises(ReadError, match="工作表“S”过大：使用范围为 989710 行 × 13200 列"):
        read_grids(path)


def _letters(n):
    out = b""
    while n:
        n, rem = divmod(n - 1, 26)
        out = bytes([65 + rem]) + out
    return out


def test_xls_far_cell_read_row_by_row(tmp_path):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("S")
    for r, row in enumerate([["a", "b"], [1, 2]]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    ws.write(65535, 255, "x")
    path = tmp_path / "far.xls"
    wb.save(path)
    (grid,) = read_grids(path)
    assert len(grid.rows) == 65536
    assert grid.rows[:3] == [["a", "b"], [1, 2], []]
    assert grid.rows[-1] == [""] * 255 + ["x"]
    assert grid.has_data.count(True) == 3
