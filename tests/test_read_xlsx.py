"""Readers: .xlsx / .xlsm ledgers built with openpyxl."""

import datetime as dt
import zipfile

import openpyxl
import pytest

from etl.read import RawRow, read_file

TITLE = "全市交通运输执法领域专项整治行动问题清单、措施清单、时限清单、责任清单"
FUYANG_TOP = ["序号", "整改问题", None, None, "问题来源", "整改措施", "整改时限",
              "整改责任部门、责任人", "整改进度", "完成时间", "备注"]
FUYANG_SUB = [None, "问题方面", "表现形式", "具体案例"]


def fuyang_workbook(progress_header="整改进度", serial_header="序号"):
    """Title (row 1), 填报 row (2), two-row merged header (3-4), 3 rows of 逐利执法 merged down
    (5-7), a blank row (8), one more row (9), 合计 (10), signature footer (11), a note (12)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws["A1"] = TITLE
    ws.merge_cells("A1:K1")
    ws["A2"] = "填报单位：阜南县交通运输局（盖章）        填报时间：2023年6月15日"
    ws.merge_cells("A2:K2")
    top = list(FUYANG_TOP)
    top[0], top[8] = serial_header, progress_header
    for col, text in enumerate(top, start=1):
        if text:
            ws.cell(3, col, text)
    for col, text in enumerate(FUYANG_SUB, start=1):
        if text:
            ws.cell(4, col, text)
    ws.merge_cells("B3:D3")
    for letter in "AEFGHIJK":
        ws.merge_cells(f"{letter}3:{letter}4")
    data = [
        [1, "逐利执法", "F01 以罚代管", "对货车超限只罚款不卸载", "自查自纠", "立即卸载", "立行立改",
         "执法大队 王五", "已完成整改", dt.date(2023, 5, 20), None],
        [2, None, "F02 重罚轻管", "案例二", "12345热线交办", "规范处罚", "2023年6月30日前",
         "执法大队", "正在整改", None, "无"],
        [3, None, "F03 违规收费", "案例三", "暗访", "清退", "2023.9.30", "财务科", "尚未完成", None, None],
        [4, "执法不规范", "F06 执法不文明", "案例四", "自查自纠", "培训", "9月底", "法规科",
         "持续推进", None, None],
    ]
    for r, values in zip((5, 6, 7, 9), data, strict=True):
        for col, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, col, v)
    ws.merge_cells("B5:B7")
    ws["A10"] = "合计"
    ws["B10"] = 4
    ws["A11"] = "填报人：张三        审核人：李四"
    ws.merge_cells("A11:K11")
    ws["A12"] = "注：问题方面按附件3填写。"
    return wb


def as_xlsm(src, dst):
    """Copy an .xlsx package with the macro-enabled workbook content type, as Excel writes .xlsm."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
                assert b"macroEnabled" in data
            zout.writestr(item, data)


def check_fuyang(sheet, progress_header="整改进度", serial_header="序号"):
    assert sheet.kind == "ledger"
    assert sheet.error is None
    assert sheet.sheet_name == "问题清单"
    assert sheet.meta_unit == "阜南县交通运输局（盖章）"
    assert sheet.meta_date == "2023年6月15日"
    assert sheet.header_row == 4
    assert sheet.columns == {
        "serial_no": serial_header, "category": "问题方面", "manifestation": "表现形式",
        "case_text": "具体案例", "source_channel": "问题来源", "measure": "整改措施",
        "deadline": "整改时限", "responsible": "整改责任部门、责任人", "progress": progress_header,
        "completed_date": "完成时间", "remark": "备注",
    }
    assert [r.source_row for r in sheet.rows] == [5, 6, 7, 9]
    assert [r.values["category"] for r in sheet.rows] == ["逐利执法"] * 3 + ["执法不规范"]
    assert [r.values["serial_no"] for r in sheet.rows] == [1, 2, 3, 4]
    assert [r.values["deadline"] for r in sheet.rows] == ["立行立改", "2023年6月30日前", "2023.9.30", "9月底"]
    first = sheet.rows[0].values
    assert first["manifestation"] == "F01 以罚代管"
    assert first["responsible"] == "执法大队 王五"
    assert first["progress"] == "已完成整改"
    assert first["completed_date"] == dt.date(2023, 5, 20)
    assert first["remark"] is None
    assert sheet.rows[1].values["remark"] == "无"


def test_fuyang_xlsx_two_row_merged_header(tmp_path):
    path = tmp_path / "阜南_整改台账_20230615.xlsx"
    fuyang_workbook().save(path)
    sheets = read_file(path)
    assert len(sheets) == 1
    assert sheets[0].file_name == "阜南_整改台账_20230615.xlsx"
    check_fuyang(sheets[0])


def test_fuyang_xlsm(tmp_path):
    plain = tmp_path / "plain.xlsx"
    fuyang_workbook().save(plain)
    path = tmp_path / "阜南_整改台账_20230615.xlsm"
    as_xlsm(plain, path)
    (sheet,) = read_file(path)
    check_fuyang(sheet)


@pytest.mark.parametrize(("serial", "progress"), [("编号", "整改情况"), ("编号", "是否完成")])
def test_header_synonyms(tmp_path, serial, progress):
    path = tmp_path / "synonyms.xlsx"
    fuyang_workbook(progress_header=progress, serial_header=serial).save(path)
    (sheet,) = read_file(path)
    check_fuyang(sheet, progress_header=progress, serial_header=serial)


def test_haixi_one_row_header_meta_in_separate_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws["A1"] = "交通运输执法领域突出问题整改工作台账"
    ws.merge_cells("A1:J1")
    ws["A2"] = "填报单位："
    ws["B2"] = "  格尔木市交通运输局\u3000"
    ws["F2"] = "填报时间："
    ws["G2"] = dt.date(2023, 6, 15)
    ws["G2"].number_format = "yyyy-mm-dd"
    header = ["编号", "问题类别", "具体表现", "问题描述", "问题来源", "整改措施", "责任单位",
              "整改时限", "整改进度及\n可验证成果", "备 注"]
    ws.append([])  # row 3 stays blank
    for col, text in enumerate(header, start=1):
        ws.cell(4, col, text)
    ws.append(["GEM-2023-007", "执法履职不到位", "慢作为", "案例", "信访", "督办", "整改科",
               dt.datetime(2023, 9, 30), "已完成整改，已销号", None])
    ws.append(["GEM-2023-008", None, "不作为", "案例2", "自查自纠", "约谈", "法规科", "长期坚持",
               "持续推进", "  "])
    ws.merge_cells("B5:B6")
    ws.append(["填报人：赵六"])
    path = tmp_path / "格尔木_整改台账_20230615.xlsx"
    wb.save(path)

    (sheet,) = read_file(path)
    assert sheet.kind == "ledger"
    assert sheet.meta_unit == "格尔木市交通运输局"
    assert sheet.meta_date == dt.date(2023, 6, 15)
    assert sheet.header_row == 4
    assert sheet.columns["progress"] == "整改进度及\n可验证成果"
    assert sheet.columns["remark"] == "备 注"
    assert sheet.columns["responsible"] == "责任单位"
    assert [r.source_row for r in sheet.rows] == [5, 6]
    assert sheet.rows[0].values == {
        "serial_no": "GEM-2023-007", "category": "执法履职不到位", "manifestation": "慢作为",
        "case_text": "案例", "source_channel": "信访", "measure": "督办", "responsible": "整改科",
        "deadline": dt.date(2023, 9, 30), "progress": "已完成整改，已销号", "remark": None,
    }
    assert sheet.rows[1].values["category"] == "执法履职不到位"
    assert sheet.rows[1].values["remark"] is None


def test_data_not_starting_at_a1_keeps_excel_row_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, text in enumerate(["编号", "问题类别", "具体表现", "整改措施", "整改时限"], start=3):
        ws.cell(7, col, text)
    ws.cell(8, 3, 1.0)
    ws.cell(8, 6, "培训")
    ws.cell(10, 3, 2.5)
    ws.cell(10, 4, "执法粗暴")
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    (sheet,) = read_file(path)
    assert sheet.header_row == 7
    assert [(r.source_row, r.values["serial_no"]) for r in sheet.rows] == [(8, 1), (10, 2.5)]
    assert sheet.rows[0].values["measure"] == "培训"
    assert sheet.rows[1].values["category"] == "执法粗暴"


def test_two_row_header_without_vertical_merges(tmp_path):
    """Sub-headers only in the lower row, the other names only in the upper row, nothing merged."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["填报单位（盖章）：太和县交通运输局", None, None, None, "填报日期：2023.6.15"])
    ws.append(["序号", "整改问题", None, None, "整改措施", "整改时限", "是否完成"])
    ws.append([None, "问题方面", "表现形式", "具体案例"])
    ws.append([1, "执法\"寻租\"", "F14 吃拿卡要", "案例", "退还", "立行立改", "是"])
    path = tmp_path / "flat.xlsx"
    wb.save(path)
    (sheet,) = read_file(path)
    assert sheet.kind == "ledger"
    assert sheet.meta_unit == "太和县交通运输局"
    assert sheet.meta_date == "2023.6.15"
    assert sheet.header_row == 3
    assert sheet.rows == [
        RawRow(4, {"serial_no": 1, "category": "执法\"寻租\"", "manifestation": "F14 吃拿卡要",
                   "case_text": "案例", "measure": "退还", "deadline": "立行立改", "progress": "是"})
    ]
