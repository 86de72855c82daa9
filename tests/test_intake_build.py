"""Real-world intake end to end: the two files quoted in issue 7, sheets not loaded, profiles."""

import csv
import statistics
from datetime import date

import duckdb
import openpyxl
import pytest

from etl.__main__ import main as etl_main
from etl.build import CampaignSources, build, collect
from etl.config import load_campaign
from etl.read.profiles import load_profiles, save_profile
from etl.validate.context import ERROR

FUYANG = load_campaign("fuyang-2023")
SCALE = FUYANG.survey.scale


def _csv(path, rows, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as f:
        csv.writer(f).writerows(rows)


HOTLINE_HEADER = ["工单编号", "受理时间", "来源渠道", "诉求人", "联系电话", "诉求内容", "承办单位", "交办日期", "办结日期",
                  "核查结论", "回访日期"]
# No 工单编号 filled in (as in the issue): four distinct work orders, two of them on the same day
# and unit — they must not be merged.
HOTLINE_ROWS = [
    ["", "2023-09-25 10:11:00", "12345热线", "张某某", "13800000001", "货车被拦查罚款不开票", "临泉县交通运输局",
     "2023-09-27", "2023-10-09", "属实", "2023-10-10"],
    ["", "2023-09-25 11:12:13", "12345热线", "李某某", "13800000002", "执法人员态度粗暴", "临泉县交通运输局",
     "2023-09-27", "", "", ""],
    ["", "2023-09-26 09:00:00", "12345热线", "王某", "13800000003", "重复罚款", "阜南县", "2023-09-27",
     "2023-10-11", "不属实", "2023-10-12"],
    ["", "2023-09-26 09:00:00", "12345热线", "赵某某", "13800000004", "乱收费", "颍上县", "2023-09-28", "", "", ""],
]


def test_hotline_export_from_the_issue_loads_completely(tmp_path):
    _csv(tmp_path / "12345工单导出.csv", [HOTLINE_HEADER, *HOTLINE_ROWS])
    result = collect([CampaignSources(FUYANG, [tmp_path])], salt="t")
    (sub,) = result.submissions
    assert (sub.kind, sub.rows_read, sub.rows_loaded, sub.rows_rejected) == ("leads", 4, 4, 0)
    assert [e for e in result.errors if e.severity == ERROR] == []
    rows = sorted(result.leads.rows(), key=lambda r: r["source_row"])
    assert len({r["lead_id"] for r in rows}) == 4
    assert [(r["unit_id"], r["received_date"], r["assigned_date"], r["due_date"], r["summary"],
             r["complainant_masked"], r["phone_masked"]) for r in rows] == [
        ("linquan", date(2023, 9, 25), date(2023, 9, 27), date(2023, 10, 10), "货车被拦查罚款不开票", "张**",
         "*******0001"),
        ("linquan", date(2023, 9, 25), date(2023, 9, 27), date(2023, 10, 10), "执法人员态度粗暴", "李**",
         "*******0002"),
        # assigned Wed 09-27: 09-29 … 10-06 are holidays, Sat 10-07 and Sun 10-08 are working days
        ("funan", date(2023, 9, 26), date(2023, 9, 27), date(2023, 10, 10), "重复罚款", "王**", "*******0003"),
        ("yingshang", date(2023, 9, 26), date(2023, 9, 28), date(2023, 10, 11), "乱收费", "赵**", "*******0004"),
    ]
    assert [(r["on_time"], r["finding"]) for r in rows] == [(True, "属实"), (None, None), (False, "不属实"), (None, None)]


def test_rows_without_id_merge_only_when_every_value_is_equal(tmp_path):
    same = HOTLINE_ROWS[0]
    almost = [*same[:5], "货车被拦查罚款不开票。", *same[6:]]  # one character more in the summary
    _csv(tmp_path / "工单_10月.csv", [HOTLINE_HEADER, same, same, almost])
    # the same register sent again (a later export): its rows are the ones already counted
    _csv(tmp_path / "工单_11月.csv", [HOTLINE_HEADER, same, HOTLINE_ROWS[1]])
    result = collect([CampaignSources(FUYANG, [tmp_path])], salt="t")
    counts = {s.file_name: (s.rows_read, s.rows_loaded, s.rows_rejected) for s in result.submissions}
    # within one sheet two identical rows cannot be told apart from two identical calls: both
    # counted, with a warning naming the first
    assert counts == {"工单_10月.csv": (3, 3, 0), "工单_11月.csv": (2, 1, 1)}
    (twin,) = [e for e in result.errors if e.file_name == "工单_10月.csv"]
    assert (twin.severity, twin.source_row) == ("警告", 3) and "第2行" in twin.message
    (dup,) = [e for e in result.errors if e.severity == ERROR]
    assert (dup.file_name, dup.source_row) == ("工单_11月.csv", 2)
    assert "“工单_10月.csv”第2行" in dup.message  # names the row that was kept


SURVEY_HEADER = ["问卷编号", "被测评单位", "身份类别", "执法规范", "执法态度", "执法效率", "廉洁执法", "总体评价"]


def _survey_rows():
    words = list(SCALE)
    units = ["临泉县", "太和县", "阜南县"]
    return [[f"Q{i + 1:03d}", units[i % 3], "货车司机"] + [words[(i * 7 + j * 3) % 5] for j in range(5)]
            for i in range(24)]


def test_respondent_survey_from_the_issue_loads_24_questionnaires(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(SURVEY_HEADER)
    rows = _survey_rows()
    for r in rows:
        wb.active.append(r)
    wb.save(tmp_path / "满意度测评_2023.xlsx")
    db = tmp_path / "s.duckdb"
    result = build([CampaignSources(FUYANG, [tmp_path])], db, salt="t")
    (sub,) = result.submissions
    assert (sub.kind, sub.rows_read, sub.rows_loaded, sub.rows_rejected) == ("survey", 24, 24, 0)
    # 总体评价 is not one of the campaign's dimensions: a warning names it, its answers are not stored
    (warn,) = result.errors
    assert warn.column_name == "总体评价" and "未导入" in warn.message
    with duckdb.connect(str(db), read_only=True) as con:
        got = dict(con.execute("SELECT unit_id || '/' || dimension, avg(score) FROM survey_responses "
                               "GROUP BY ALL").fetchall())
        assert con.execute("SELECT count(DISTINCT response_id), min(survey_year) FROM survey_responses").fetchone() \
            == (24, 2023)
    ids = {"临泉县": "linquan", "太和县": "taihe", "阜南县": "funan"}
    dims = ["执法规范", "执法态度", "执法效率", "廉洁执法"]
    expected = {f"{ids[u]}/{d}": statistics.mean(SCALE[r[3 + j]] for r in rows if r[1] == u)
                for u in ids for j, d in enumerate(dims)}
    assert got == pytest.approx(expected)


def test_sheet_of_unknown_kind_is_not_imported_and_counted(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append(["月份", "数量", "环比"])
    for m in range(1, 6):
        ws.append([f"{m}月", m * 3, "1%"])
    wb.save(tmp_path / "某县报表.xlsx")
    db = tmp_path / "u.duckdb"
    result = build([CampaignSources(FUYANG, [tmp_path])], db, salt="t")
    (sub,) = result.submissions
    assert (sub.kind, sub.rows_read, sub.rows_loaded, sub.rows_rejected) == (None, 6, 0, 6)
    (err,) = result.errors
    assert err.severity == ERROR and "未导入" in err.message and err.sheet_name == "统计"
    text = result.summary_text()
    assert "未导入的工作表 1 张（共 6 行）：某县报表.xlsx〔统计〕" in text
    assert "已导入" not in text.split("问题记录")[0]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT rows_read, rows_rejected FROM submissions").fetchall() == [(6, 6)]


def test_lock_and_dot_files_are_reported_not_skipped_quietly(tmp_path):
    _csv(tmp_path / "工单.csv", [HOTLINE_HEADER, HOTLINE_ROWS[0]])
    (tmp_path / "~$工单.xlsx").write_bytes(b"lock")
    _csv(tmp_path / ".隐藏的工单.csv", [HOTLINE_HEADER, HOTLINE_ROWS[1]])
    result = collect([CampaignSources(FUYANG, [tmp_path])], salt="t")
    assert len(result.leads.rows()) == 1
    reported = sorted((e.file_name, "未导入" in e.message) for e in result.errors)
    assert reported == [(".隐藏的工单.csv", True), ("~$工单.xlsx", True)]
    assert len(result.files_not_loaded()) == 2


def test_footer_and_totals_rows_are_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "单位", "问题描述", "整改措施", "整改时限", "整改进展"])
    ws.append([1, "临泉县", "乱罚款", "退还", "2023年9月30日", "已完成整改"])
    ws.append(["合计", None, None, None, None, None])
    ws.append([2, "太和县", "随意拦车", "规范", "立行立改", "正在整改"])
    ws.append(["填报人：张某", None, "审核人：李某"])
    ws.append([3, "阜南县", "这行在表尾下面", "x", "立行立改", "正在整改"])
    wb.save(tmp_path / "台账_20230925.xlsx")
    result = collect([CampaignSources(FUYANG, [tmp_path])], salt="t")
    (sub,) = result.submissions
    assert (sub.rows_read, sub.rows_loaded) == (2, 2)
    messages = sorted(e.message for e in result.errors)
    assert any(m.startswith("跳过 1 行合计/小计（第 3 行）") for m in messages)
    assert any("第 5 行起是表尾" in m and "连同其下 1 行" in m for m in messages)


def test_unmapped_columns_are_listed_never_stored(tmp_path):
    _csv(tmp_path / "工单.csv", [[*HOTLINE_HEADER, "身份证号", "家庭住址"],
                                [*HOTLINE_ROWS[0], "340101199001011234", "某小区"]])
    db = tmp_path / "p.duckdb"
    build([CampaignSources(FUYANG, [tmp_path])], db, salt="t")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT columns_ignored FROM submissions").fetchone() == ("身份证号、家庭住址",)
        dump = str(con.execute("SELECT * FROM leads").fetchall()) + str(con.execute("SELECT * FROM load_errors")
                                                                          .fetchall())
    assert "340101199001011234" not in dump and "某小区" not in dump and "13800000001" not in dump


UNKNOWN_HEADER = ["案卷号", "登记日", "归口科室", "事由", "当事人"]
UNKNOWN_ROWS = [["J-1", "2023-09-25", "临泉县", "罚款不开票", "张某"], ["J-2", "2023-09-26", "太和县", "拦车", "李某"]]


def test_saved_profile_maps_an_unknown_layout_in_later_builds_and_the_cli(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    _csv(src / "某平台导出.csv", [UNKNOWN_HEADER, *UNKNOWN_ROWS])
    before = collect([CampaignSources(FUYANG, [src])], salt="t", profiles=[])
    assert before.submissions[0].kind is None and len(before.leads) == 0

    folder = tmp_path / "profiles"
    saved = save_profile("某平台线索导出", "leads", UNKNOWN_HEADER,
                         {0: "lead_id", 1: "received_date", 2: "unit", 3: "summary", 4: "complainant"}, folder=folder)
    assert load_profiles(folder) == [saved]
    after = collect([CampaignSources(FUYANG, [src])], salt="t", profiles=load_profiles(folder))
    (sub,) = after.submissions
    assert (sub.kind, sub.rows_loaded, sub.mapping_profile) == ("leads", 2, "某平台线索导出")
    assert sorted((r["lead_id"], r["unit_id"], r["complainant_masked"]) for r in after.leads.rows()) == [
        ("J-1", "linquan", "张**"), ("J-2", "taihe", "李**")]

    db = tmp_path / "cli.duckdb"
    assert etl_main(["build", str(src), "--campaign", "fuyang-2023", "--db", str(db), "--quiet",
                     "--profile", str(saved.path)]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM leads").fetchone() == (2,)
    assert etl_main(["profiles", "--dir", str(folder)]) == 0
    assert "某平台线索导出\t线索登记" in capsys.readouterr().out


def test_broken_profile_file_is_reported_not_fatal(tmp_path):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "坏.toml").write_text("kind = 1 2", encoding="utf-8")
    problems = []
    assert load_profiles(folder, problems=problems) == []
    assert len(problems) == 1 and "坏.toml" in problems[0] and "未使用" in problems[0]
    with pytest.raises(ValueError, match="坏.toml"):
        load_profiles(folder)


def _ledger_book(path, hidden_sheet: bool = False, formula_deadline: bool = False):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["填报单位：临泉县交通运输局", None, None, "填报时间：2023年9月25日"])
    ws.append(["序号", "问题方面", "表现形式", "具体案例", "整改措施", "整改时限", "整改进度"])
    ws.append([1, "逐利执法", "乱罚款", "罚款不开票", "退还", "2023年9月30日", "已完成整改"])
    ws.append([2, "执法粗暴", "态度蛮横", "辱骂司机", "教育", "=DATE(2023,10,31)" if formula_deadline else "立行立改",
               "正在整改"])
    ws.append([3, "执法不规范", "随意拦车", "路口拦车", "规范", "2023年10月15日", "正在整改"])
    if hidden_sheet:
        extra = wb.create_sheet("往期")
        extra.append(["序号", "问题方面", "表现形式", "具体案例", "整改措施", "整改时限", "整改进度"])
        extra.append([9, "逐利执法", "乱罚款", "往期问题", "退还", "2023年5月30日", "已完成整改"])
        extra.sheet_state = "hidden"
        lists = wb.create_sheet("下拉选项")
        for name in ("逐利执法", "执法不规范", "执法粗暴"):
            lists.append([name])
        lists.sheet_state = "hidden"
    wb.save(path)


def test_uncalculated_formula_in_a_mapped_cell_rejects_the_row_with_a_reason(tmp_path):
    # openpyxl writes formulas without a cached result: calamine would read the cell as blank
    _ledger_book(tmp_path / "临泉_整改台账_20230925.xlsx", formula_deadline=True)
    result = collect([CampaignSources(FUYANG, [tmp_path])], salt="t")
    (sub,) = result.submissions
    assert (sub.rows_read, sub.rows_loaded, sub.rows_rejected) == (3, 2, 1)
    (err,) = [e for e in result.errors if e.severity == ERROR]
    assert (err.source_row, err.column_name, err.raw_value) == (4, "整改时限", "=DATE(2023,10,31)")
    assert "公式没有计算结果" in err.message and err.message.endswith("本行未导入")


def test_hidden_sheets_are_loaded_or_reported_never_silently(tmp_path):
    _ledger_book(tmp_path / "临泉_整改台账_20230925.xlsx", hidden_sheet=True)
    result = collect([CampaignSources(FUYANG, [tmp_path])], salt="t")
    subs = {s.sheet_name: (s.kind, s.rows_read, s.rows_loaded, s.rows_rejected) for s in result.submissions}
    assert subs == {"台账": ("ledger", 3, 3, 0), "往期": ("ledger", 1, 1, 0), "下拉选项": (None, 3, 0, 3)}
    msgs = {e.sheet_name: (e.severity, e.message) for e in result.errors}
    assert msgs["往期"][0] == "警告" and "隐藏" in msgs["往期"][1] and "已照常导入" in msgs["往期"][1]
    # the drop-down lists of a template: hidden, not a table — told, as a warning, with its rows counted
    assert msgs["下拉选项"][0] == "警告" and "隐藏工作表“下拉选项”未导入（3 行）" in msgs["下拉选项"][1]


def test_profile_with_hostile_name_and_headers_round_trips(tmp_path):
    header = ['案卷号"\\', "登记日", "事由\n说明"]
    saved = save_profile('恶意"名称\n../../etc/passwd', "leads", header,
                         {0: "lead_id", 1: "received_date", 2: "summary"}, folder=tmp_path)
    assert saved.path.parent == tmp_path  # no path from the name
    (back,) = load_profiles(tmp_path)
    assert back.name == '恶意"名称\n../../etc/passwd'
    assert back.columns == {'案卷号': "lead_id", "登记日": "received_date", "事由说明": "summary"}


def test_profile_naming_an_unknown_field_is_refused(tmp_path):
    (tmp_path / "x.toml").write_text('name = "x"\nkind = "leads"\nfingerprint = "f"\n[columns]\n"身份证号" = "id_card"\n',
                                     encoding="utf-8")
    with pytest.raises(ValueError, match="字段“id_card”不是线索登记的字段"):
        load_profiles(tmp_path)


def test_ledger_without_reporting_unit_gives_each_row_its_entry(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["填报时间：2023年9月25日"])
    ws.append(["序号", "问题方面", "表现形式", "具体案例", "整改措施", "整改时限", "整改进度"])
    ws.append([1, "逐利执法", "乱罚款", "罚款不开票", "退还", "2023年9月30日", "已完成整改"])
    ws.append([2, "执法粗暴", "态度蛮横", "辱骂司机", "教育", "立行立改", "正在整改"])
    wb.save(tmp_path / "无单位的台账.xlsx")
    result = collect([CampaignSources(FUYANG, [tmp_path])], salt="t")
    (sub,) = result.submissions
    assert (sub.rows_read, sub.rows_loaded, sub.rows_rejected) == (2, 0, 2)
    assert [(e.source_row, e.column_name, e.severity) for e in result.errors] == [
        (3, "填报单位", ERROR), (4, "填报单位", ERROR)]
    assert "未导入的工作表 1 张（共 2 行）" in result.summary_text()


def test_profile_can_skip_a_sheet_on_purpose(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _csv(src / "统计口径说明.csv", [["月份", "数量", "备注"], ["1月", 3, "x"], ["2月", 4, "y"]])
    folder = tmp_path / "profiles"
    save_profile("说明表不导入", "skip", ["月份", "数量", "备注"], {}, folder=folder)
    result = collect([CampaignSources(FUYANG, [src])], salt="t", profiles=load_profiles(folder))
    (sub,) = result.submissions
    assert (sub.kind, sub.rows_read, sub.rows_rejected, sub.mapping_profile) == (None, 2, 2, "说明表不导入")
    (note,) = result.errors
    # the user's own choice: still counted and said as 未导入, but not an error to send back
    assert note.severity == "警告" and note.message == "已按导入方案“说明表不导入”设为不导入。该工作表未导入（2 行）"


def test_profile_for_a_two_row_header(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["填报单位：临泉县交通运输局", None, None, "填报时间：2023年9月25日"])
    ws.append(["顺序", "情况", None, "办法", "期限要求"])
    ws.append([None, "种类", "经过", None, None])
    ws.append([1, "逐利执法", "罚款不开票", "退还", "2023年9月30日"])
    ws.append([2, "执法粗暴", "辱骂司机", "教育", "立行立改"])
    wb.save(src / "临泉_自拟台账_20230925.xlsx")
    assert collect([CampaignSources(FUYANG, [src])], salt="t", profiles=[]).submissions[0].kind is None

    from etl.preview import override_for, preview_file
    columns = {0: "serial_no", 1: "category", 2: "case_text", 3: "measure", 4: "deadline"}
    (sheet,) = preview_file(src / "临泉_自拟台账_20230925.xlsx", FUYANG,
                            {"Sheet": override_for("ledger", 3, 2, [], columns)}, [])
    assert sheet.header_cells == ["顺序", "种类", "经过", "办法", "期限要求"]
    saved = save_profile("自拟台账", "ledger", sheet.header_cells, columns, header_rows=2, folder=tmp_path / "p")
    result = collect([CampaignSources(FUYANG, [src])], salt="t", profiles=[saved])
    (sub,) = result.submissions
    assert (sub.kind, sub.rows_loaded, sub.mapping_profile) == ("ledger", 2, "自拟台账")
    assert sorted((r["category"], r["deadline_kind"]) for r in result.ledger.rows()) == [
        ("执法粗暴", "immediate"), ("逐利执法", "date")]
