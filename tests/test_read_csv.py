"""Readers: CSV in GB18030 and UTF-8 with BOM."""

from etl.read import read_file

LEADS_HEADER = ["线索编号", "线索来源", "受理日期", "交办日期", "承办单位", "问题类别", "问题摘要",
                "投诉人", "联系电话", "办结日期", "调查结论", "反馈日期"]
LEAD_1 = ["阜交专办〔2023〕0123号", "12345热线", "2023-09-25", "2023-09-27", "临泉县交通运输局",
          "执法不规范", "货车被重复罚款", "张三", "13812341234", "", "", ""]
LEAD_2 = ["阜交专办〔2023〕0124号", "信访", "2023/10/8", "2023/10/9", "临泉县", "逐利执法",
          "反映内容，含逗号\n和换行", "李四", "13900001111", "2023年10月12日", "部分属实", "2023-10-13"]


def write_csv(path, rows, encoding):
    text = "\r\n".join(",".join(f'"{c}"' if ("," in c or "\n" in c) else c for c in row) for row in rows)
    path.write_bytes((text + "\r\n").encode(encoding))


def test_csv_gb18030_leads(tmp_path):
    path = tmp_path / "临泉_问题线索登记表.csv"
    write_csv(path, [LEADS_HEADER, LEAD_1, ["", "", ""], LEAD_2], "gb18030")
    with open(path, "rb") as f:  # really not UTF-8
        raw = f.read()
    try:
        raw.decode("utf-8")
        raise AssertionError("fixture should not be valid UTF-8")
    except UnicodeDecodeError:
        pass

    (sheet,) = read_file(path)
    assert sheet.kind == "leads"
    assert sheet.sheet_name == ""
    assert sheet.file_name == "临泉_问题线索登记表.csv"
    assert sheet.header_row == 1
    assert sheet.meta_unit is None and sheet.meta_date is None
    assert sheet.columns["lead_id"] == "线索编号"
    assert [r.source_row for r in sheet.rows] == [2, 4]
    assert sheet.rows[0].values == {
        "lead_id": "阜交专办〔2023〕0123号", "channel": "12345热线", "received_date": "2023-09-25",
        "assigned_date": "2023-09-27", "unit": "临泉县交通运输局", "category": "执法不规范",
        "summary": "货车被重复罚款", "complainant": "张三", "phone": "13812341234",
        "concluded_date": None, "finding": None, "feedback_date": None,
    }
    assert sheet.rows[1].values["summary"] == "反映内容，含逗号\n和换行"
    assert sheet.rows[1].values["finding"] == "部分属实"


def test_csv_utf8_bom_with_title_and_meta(tmp_path):
    path = tmp_path / "leads_bom.csv"
    rows = [
        ["问题线索登记表"],
        ["填报单位：德令哈市交通运输局", "", "", "填报时间：2023年7月1日"],
        LEADS_HEADER,
        LEAD_2,
        ["说明：本表由各单位每周四报送"],
        LEAD_1,
    ]
    write_csv(path, rows, "utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    (sheet,) = read_file(path)
    assert sheet.kind == "leads"
    assert sheet.columns["lead_id"] == "线索编号"  # no BOM glued to the first header
    assert sheet.meta_unit == "德令哈市交通运输局"
    assert sheet.meta_date == "2023年7月1日"
    assert sheet.header_row == 3
    # LEAD_2 holds a quoted line break: its record starts on line 4; the footer ends the table.
    assert [r.source_row for r in sheet.rows] == [4]
    assert sheet.rows[0].values["lead_id"] == "阜交专办〔2023〕0124号"
    assert sheet.rows[0].values["concluded_date"] == "2023年10月12日"


def test_csv_plain_utf8_survey(tmp_path):
    path = tmp_path / "满意度测评_2023.csv"
    rows = [
        ["问卷编号", "测评年度", "被测评单位", "受访者类型", "执法规范", "执法态度", "执法效率",
         "廉洁执法", "便民服务"],
        ["Q0001", "2023", "茫崖市", "货车司机", "5", "满意", "4", "非常满意", "7"],
    ]
    write_csv(path, rows, "utf-8")
    (sheet,) = read_file(path)
    assert sheet.kind == "survey"
    assert sheet.rows[0].source_row == 2
    assert sheet.rows[0].values == {
        "response_id": "Q0001", "survey_year": "2023", "unit": "茫崖市", "respondent_type": "货车司机",
        "dim:执法规范": "5", "dim:执法态度": "满意", "dim:执法效率": "4", "dim:廉洁执法": "非常满意",
        "dim:便民服务": "7",
    }
