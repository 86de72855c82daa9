"""Header vocabulary (data/vocabulary.toml): normalisation, synonyms, word parts, values, dimensions."""

import pytest

from etl.config import load_campaign
from etl.read.columns import map_columns, qualifies
from etl.read.header import find_header
from etl.read.vocabulary import load_vocabulary, match_dimension, norm_header, parse_vocabulary

FUYANG = load_campaign("fuyang-2023")


@pytest.mark.parametrize(("raw", "normal"), [
    ("3、您对执法人员执法规范（程序合法、文书规范）的满意程度：", "您对执法人员执法规范程序合法文书规范的满意程度"),
    ("责任单位\n责任人", "责任单位责任人"),
    ("  受理时间： ", "受理时间"),
    ("（2）整改时限", "整改时限"),
    ("第5题 您的身份（单选题）", "您的身份"),
    ("联系电话　", "联系电话"),
    ("ＮＯ．", "NO"),
])
def test_norm_header(raw, normal):
    assert norm_header(raw) == normal


def _fields(kind, header, samples=None, campaign=None):
    return map_columns(kind, header, campaign, samples).columns


def test_hotline_export_by_synonyms_and_parts():
    # the 12345 work-order header quoted in issue 7
    header = ["工单编号", "受理时间", "来源渠道", "诉求人", "联系电话", "诉求内容", "承办单位", "交办日期", "办结日期",
              "核查结论", "回访日期"]
    assert _fields("leads", header) == {
        "lead_id": 0, "received_date": 1, "channel": 2, "complainant": 3, "phone": 4, "summary": 5, "unit": 6,
        "assigned_date": 7, "concluded_date": 8, "finding": 9, "feedback_date": 10}


def test_word_parts_match_unseen_wordings():
    # none of these is a listed synonym; each is matched by its word parts
    header = ["来信日期", "推送日期", "承办机构", "信访人", "诉求详情", "答复结论"]
    cmap = map_columns("leads", header)
    assert cmap.columns == {"received_date": 0, "assigned_date": 1, "unit": 2, "complainant": 3, "summary": 4,
                            "finding": 5}
    assert set(cmap.how.values()) == {"含义"}


def test_exclusions_keep_similar_words_apart():
    # 回访时间 is feedback, not the received time; 承诺完成时间 is the hotline's due date, not 办结
    cmap = map_columns("leads", ["来电时间", "回访时间", "承诺完成时间", "办结时间"])
    assert cmap.columns == {"received_date": 0, "feedback_date": 1, "given_due_date": 2, "concluded_date": 3}


def test_several_phone_columns_all_mapped():
    cmap = map_columns("leads", ["工单号", "来电号码", "联系电话", "身份证号"])
    assert cmap.columns == {"lead_id": 0, "phone": 1, "phone_2": 2}
    # 身份证号 is personal data nobody asked for: not imported
    assert cmap.ignored == [3]


def test_ledger_without_category_and_two_line_responsible():
    header = ["序号", "单位", "问题描述", "整改措施", "整改时限", "责任单位\n责任人", "整改进展"]
    assert _fields("ledger", header) == {"serial_no": 0, "unit": 1, "case_text": 2, "measure": 3, "deadline": 4,
                                         "responsible": 5, "progress": 6}


def test_unit_column_found_by_its_values():
    header = ["编号", "归属", "反映内容", "受理日期"]
    samples = [[f"A{i}", u, "乱罚款", "2023-09-01"] for i, u in enumerate(["临泉县", "太和", "颍上县交通运输局", "界首市"])]
    cmap = map_columns("leads", header, FUYANG, samples)
    assert cmap.columns["unit"] == 1
    assert cmap.how["unit"] == "取值"


def test_unit_values_below_threshold_are_not_taken():
    header = ["编号", "归属", "反映内容", "受理日期"]
    samples = [[f"A{i}", u, "乱罚款", "2023-09-01"] for i, u in enumerate(["临泉县", "北京", "上海", "广州"])]
    assert "unit" not in map_columns("leads", header, FUYANG, samples).columns


def test_dates_are_dates():
    # "办理时限" usually holds the hotline's due date; when its cells say "5个工作日" it is not a date column
    header = ["工单编号", "受理时间", "办理时限"]
    as_dates = [["1", "2023-09-01", "2023-09-08"]] * 3
    as_text = [["1", "2023-09-01", "5个工作日"]] * 3
    assert map_columns("leads", header, None, as_dates).columns.get("given_due_date") == 2
    # a listed synonym is trusted whatever the values; check a parts match instead
    header2 = ["工单编号", "受理时间", "答复期限"]
    assert map_columns("leads", header2, None, [["1", "2023-09-01", "2023-09-08"]] * 3).columns["given_due_date"] == 2
    assert "given_due_date" not in map_columns("leads", header2, None, as_text).columns


def test_duplicate_header_columns_values_win():
    header = ["序号", "问题描述", "整改时限", "整改措施", "整改时限"]
    samples = [[1, "乱罚款", None, "规范", "2023年9月30日"], [2, "拦车", None, "教育", "立行立改"]]
    cmap = map_columns("ledger", header, None, samples)
    assert cmap.columns["deadline"] == 4
    assert cmap.duplicates == [("deadline", 4, 2)]


@pytest.mark.parametrize(("header", "dimension"), [
    ("3、您对执法人员执法规范（程序合法、文书规范）的满意程度：", "执法规范"),
    ("您对执法人员的服务态度是否满意", "执法态度"),
    ("4.您对办事效率的评价", "执法效率"),
    ("执法人员有无吃拿卡要行为", "廉洁执法"),
    ("总体评价", None),
    ("您对执法规范和执法态度的总体感受", None),  # two dimensions in one question: never guessed
])
def test_survey_question_to_dimension(header, dimension):
    assert match_dimension(norm_header(header), FUYANG.survey.dimensions, load_vocabulary()) == dimension


def test_wjx_export_header_detected_with_campaign():
    # 问卷星 "按文本" export: 序号 = answer sheet number, bookkeeping columns ignored silently
    rows = [["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份：", "2、您评价的单位：",
             "3、您对执法人员执法规范（程序合法、文书规范）的满意程度：", "4、您对执法人员执法态度的满意程度：",
             "5、您对执法效率的满意程度："],
            [1, "2023/10/12 9:31:05", "65秒", "手机提交", "直接访问", "1.2.3.4(安徽-阜阳)", "货车司机", "临泉县",
             "满意", "非常满意", "基本满意"]]
    header = find_header(rows, FUYANG)
    assert header.kind == "survey"
    assert header.columns == {"response_id": 0, "survey_date": 1, "respondent_type": 6, "unit": 7,
                              "dim:执法规范": 8, "dim:执法态度": 9, "dim:执法效率": 10}
    assert header.column_map.ignored == []


def test_header_below_title_rows_and_kind_choice():
    rows = [["12345政务服务便民热线工单明细"], ["导出时间：2023-10-31"], [],
            ["序号", "工单编号", "来电时间", "诉求人", "来电号码", "诉求内容", "办理单位", "工单状态"],
            [1, "2310310001", "2023-10-30 08:01:02", "张某某", "13800000001", "被罚款", "临泉县", "办结"]]
    header = find_header(rows, FUYANG)
    assert (header.kind, header.top, header.bottom) == ("leads", 3, 3)
    assert header.columns["handling_status"] == 7


def test_unit_level_summary_table():
    rows = [["2023年度执法满意度测评结果汇总表"], ["序号", "单位名称", "有效问卷数", "满意率（%）", "综合得分", "排名"],
            [1, "临泉县交通运输局", 120, 93.5, 91.2, 1]]
    header = find_header(rows, FUYANG)
    assert header.kind == "survey_scores"
    assert header.columns == {"unit": 1, "sample_size": 2, "satisfaction_rate": 3, "score": 4}


def test_qualifies_needs_a_key_set():
    assert qualifies("ledger", {"measure"})
    assert not qualifies("ledger", {"serial_no", "remark"})
    assert qualifies("survey", {"response_id", "dim:执法规范", "dim:执法态度"})
    assert not qualifies("survey", {"response_id", "dim:执法规范"})  # min_dims = 2


def test_vocabulary_is_data():
    # a new synonym in the file is all it takes; parse_vocabulary reads the same structure
    vocab = parse_vocabulary({"kinds": {"leads": {"qualifies": [["lead_id"]], "fields": {
        "lead_id": {"synonyms": ["案卷号"]}}}}})
    assert vocab.kinds["leads"].fields[0].match(norm_header("案卷号")) == ("词表", 300)
    assert vocab.kinds["leads"].fields[0].match(norm_header("工单编号")) is None


# Held-out layouts (issue 7 closing note): headers met after the vocabulary was first written.

def test_summary_table_with_blank_corner_cell_finds_the_unit_by_values():
    # statistics table: unit names under a blank corner cell, then counts and 满意率(%)
    rows = [[None, "采集量", "办结量", "完成率(%)", "满意率(%)"],
            ["临泉县", 120, 110, 91.7, 95.0], ["太和县", 80, 70, 87.5, 90.0], ["阜南县", 60, 60, 100.0, 98.3]]
    header = find_header(rows, FUYANG)
    assert header.kind == "survey_scores"
    assert header.columns == {"unit": 0, "satisfaction_rate": 4}
    assert header.texts["unit"] == "第 A 列"


def test_hazard_ledger_words():
    header = ["隐患编号", "隐患描述", "隐患类型", "管控措施ID", "整改要求", "整改期限", "隐患状态", "发现部门"]
    samples = [["Y1", "护栏缺失", "管理缺陷", "M-7", "补装", "2023-09-30", "已闭环", "临泉县"],
               ["Y2", "标志不清", "人的不安全行为", "M-8", "更换", "2023-10-15", "整改中", "太和县"],
               ["Y3", "路面破损", "管理缺陷", "M-9", "修补", "2023-10-31", "未整改", "阜南县"]]
    cmap = map_columns("ledger", header, FUYANG, samples)
    assert cmap.columns == {"problem_code": 0, "case_text": 1, "measure": 4, "deadline": 5, "progress": 6}
    # 隐患类型 holds hazard types, not the campaign's 问题方面; an ID is not a measure;
    # 发现部门 names units but is who found it, not whose problem it is
    assert cmap.ignored == [2, 3, 7]


def test_channel_column_by_parts_needs_channel_values():
    header = ["信访件编号", "来源类型", "信访内容", "登记时间"]
    system = [["X1", "Excel导入", "乱罚款", "2023-09-01"]] * 3
    real = [["X1", "12345热线", "乱罚款", "2023-09-01"], ["X2", "来信", "拦车", "2023-09-02"],
            ["X3", "暗访", "拦车", "2023-09-02"]]
    assert "channel" not in map_columns("leads", header, FUYANG, system).columns
    assert map_columns("leads", header, FUYANG, real).columns == {"lead_id": 0, "channel": 1, "summary": 2,
                                                                 "received_date": 3}


def test_question_with_spaced_number_and_loose_wording():
    assert norm_header("2 .您属于以下哪类人员") == "您属于以下哪类人员"
    assert match_dimension(norm_header("3、您对执法人员执法行为规范方面是否满意？"), FUYANG.survey.dimensions,
                           load_vocabulary()) == "执法规范"
