"""Readers: several sheets per workbook, sheets without a header, file-level errors."""

import datetime as dt

import openpyxl
import pytest

from etl.read import RawRow, ReadError, read_file


def test_workbook_with_ledger_and_leads_sheets(tmp_path):
    wb = openpyxl.Workbook()
    ledger = wb.active
    ledger.title = "台账"
    ledger.append(["序号", "问题类别", "具体表现", "整改措施", "责任单位", "整改时限", "整改进度"])
    ledger.append([1, "执法粗暴", "态度蛮横", "教育", "一大队", "立行立改", "已整改"])
    leads = wb.create_sheet("线索")
    leads.append(["问题线索登记表"])
    leads.append(["填报单位：都兰县交通运输局", None, "填报时间：", dt.date(2023, 8, 3)])
    leads.append(["线索编号", "线索来源", "受理日期", "交办日期", "承办单位", "问题类别", "投诉人",
                  "联系电话", "办结日期"])
    leads.append(["西交专〔2023〕045号", "12328", dt.date(2023, 9, 25), dt.date(2023, 9, 27),
                  "都兰县交通运输局", "执法粗暴", "王五", 13812341234, None])
    path = tmp_path / "two.xlsx"
    wb.save(path)

    sheets = read_file(path)
    assert [(s.sheet_name, s.kind, s.header_row, s.error) for s in sheets] == [
        ("台账", "ledger", 1, None), ("线索", "leads", 3, None)]
    assert sheets[0].rows == [RawRow(2, {
        "serial_no": 1, "category": "执法粗暴", "manifestation": "态度蛮横", "measure": "教育",
        "responsible": "一大队", "deadline": "立行立改", "progress": "已整改"})]
    # 责任单位 means the responsible unit on a ledger but the 承办单位 column on a leads sheet
    assert sheets[1].meta_unit == "都兰县交通运输局"
    assert sheets[1].meta_date == dt.date(2023, 8, 3)
    assert sheets[1].rows == [RawRow(4, {
        "lead_id": "西交专〔2023〕045号", "channel": "12328", "received_date": dt.date(2023, 9, 25),
        "assigned_date": dt.date(2023, 9, 27), "unit": "都兰县交通运输局", "category": "执法粗暴",
        "complainant": "王五", "phone": 13812341234, "concluded_date": None})]


def test_sheet_without_header_and_empty_sheet(tmp_path):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["填表说明"])
    notes.append(["1. 问题方面按附件3填写", "2. 时限写具体日期"])
    wb.create_sheet("Sheet2")
    survey = wb.create_sheet("测评")
    survey.append(["序号", "测评年度", "被测评单位", "受访者类型", "执法规范", "执法态度", "执法效率 "])
    survey.append([1, 2023, "格尔木市", "运输企业", 5, 4.0, "基本满意"])
    path = tmp_path / "mixed.xlsx"
    wb.save(path)

    sheets = read_file(path)
    assert [s.sheet_name for s in sheets] == ["说明", "Sheet2", "测评"]
    assert sheets[0].kind is None
    assert sheets[0].rows == []
    assert sheets[0].error.startswith("未找到表头")
    assert sheets[1].kind is None
    assert sheets[1].error == "工作表为空"
    assert sheets[2].kind == "survey"
    # 序号 on a survey sheet is the questionnaire's number (问卷星 exports number answers this way)
    assert sheets[2].rows == [RawRow(2, {
        "response_id": 1, "survey_year": 2023, "unit": "格尔木市", "respondent_type": "运输企业", "dim:执法规范": 5,
        "dim:执法态度": 4, "dim:执法效率": "基本满意"})]


def test_header_without_kind_key_columns(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "备注", "完成时间", "填报单位"])
    wb.active.append([1, "x", None, "格尔木"])
    path = tmp_path / "unknown.xlsx"
    wb.save(path)
    (sheet,) = read_file(path)
    assert sheet.kind is None
    assert sheet.header_row == 1
    assert sheet.rows == []
    assert sheet.error.startswith("无法判断表格类型")
    # the row below the header is not lost quietly: it is counted as not imported (错误)
    assert [(n.severity, n.rows_lost) for n in sheet.notes] == [("错误", 1)]
    assert "未导入（1 行）" in sheet.notes[0].message


def test_unsupported_and_corrupt_files(tmp_path):
    txt = tmp_path / "a.txt"
    txt.write_text("x")
    with pytest.raises(ReadError, match="不支持的文件类型"):
        read_file(txt)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ReadError, match="无法打开"):
        read_file(bad)
