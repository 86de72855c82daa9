"""Readers: legacy .xls written with xlwt, merged cells via write_merge."""

import datetime as dt

import xlwt

from etl.read import read_file


def test_fuyang_xls_with_merges(tmp_path):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("四单")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    # xlwt rows/cols are 0-based: row 0 is Excel row 1.
    ws.write_merge(0, 0, 0, 8, "全市交通运输执法领域专项整治行动问题清单、措施清单、时限清单、责任清单")
    ws.write_merge(1, 1, 0, 8, "填报单位：颍上县交通运输局   填报时间：2023-06-15")
    for col, text in [(0, "编号"), (4, "问题来源"), (5, "整改措施"), (6, "整改时限"),
                      (7, "整改责任部门、责任人"), (8, "整改情况")]:
        ws.write_merge(2, 3, col, col, text)
    ws.write_merge(2, 2, 1, 3, "整改问题")
    for col, text in [(1, "问题方面"), (2, "表现形式"), (3, "具体案例")]:
        ws.write(3, col, text)
    ws.write_merge(4, 6, 1, 1, "执法方式简单僵化")
    rows = [
        (1, "F10 一刀切", "案例甲", "12328热线", "整改", dt.date(2023, 6, 30), "运管所", "已销号"),
        (2, "F11 机械执法", "案例乙", "媒体", "培训", "长期", "执法大队", "持续推进"),
        (3, "F12 首违不罚未落实", "案例丙", "自查自纠", "清理", "2023年9月30日", "法规科", "正在整改"),
    ]
    for r, (no, manif, case, src, measure, deadline, resp, progress) in zip(range(4, 7), rows, strict=True):
        ws.write(r, 0, no)
        ws.write(r, 2, manif)
        ws.write(r, 3, case)
        ws.write(r, 4, src)
        ws.write(r, 5, measure)
        if isinstance(deadline, dt.date):
            ws.write(r, 6, deadline, date_style)
        else:
            ws.write(r, 6, deadline)
        ws.write(r, 7, resp)
        ws.write(r, 8, progress)
    ws.write(8, 0, "审核人：孙七")
    path = tmp_path / "颍上_整改台账_20230615.xls"
    wb.save(str(path))

    (sheet,) = read_file(path)
    assert sheet.kind == "ledger"
    assert sheet.error is None
    assert sheet.sheet_name == "四单"
    assert sheet.meta_unit == "颍上县交通运输局"
    assert sheet.meta_date == "2023-06-15"
    assert sheet.header_row == 4
    assert sheet.columns["serial_no"] == "编号"
    assert sheet.columns["progress"] == "整改情况"
    assert sheet.columns["category"] == "问题方面"
    assert [r.source_row for r in sheet.rows] == [5, 6, 7]
    assert [r.values["category"] for r in sheet.rows] == ["执法方式简单僵化"] * 3
    assert [r.values["serial_no"] for r in sheet.rows] == [1, 2, 3]
    assert [r.values["deadline"] for r in sheet.rows] == [dt.date(2023, 6, 30), "长期", "2023年9月30日"]
    assert sheet.rows[2].values == {
        "serial_no": 3, "category": "执法方式简单僵化", "manifestation": "F12 首违不罚未落实",
        "case_text": "案例丙", "source_channel": "自查自纠", "measure": "清理",
        "deadline": "2023年9月30日", "responsible": "法规科", "progress": "正在整改",
    }
