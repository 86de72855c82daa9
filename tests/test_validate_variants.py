"""Real-world variants of lead and ledger rows (issue 7): hotline exports with date-times, 工单状态,
承诺完成时间, 回访满意度 and several phone columns; ledgers without a category column, with a per-row
unit column and 销号/隐患/化解 progress words; identities of rows without an id; implausible dates;
the 填报时间 check and the default 统计日. Every expected value below was worked out by hand."""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from etl.build import CampaignSources, build
from etl.config import load_campaign
from etl.normalize import privacy
from etl.validate.context import ERROR, WARNING, RowContext, RowRejected, Submission
from etl.validate.leads import validate_lead_row
from etl.validate.ledger import problem_id, validate_ledger_row
from etl.validate.submission import missing_ledger_context, resolve_as_of_checked

ROOT = Path(__file__).resolve().parent.parent
SALT = "test-salt"


@pytest.fixture(scope="module")
def campaign():
    return load_campaign("fuyang-2023")  # 2023-03-27 … 2023-11-01, 5 working days


def make_ctx(campaign, unit_id="linquan", as_of=date(2023, 10, 20), sheet="Sheet1", columns=None, memo=None):
    sub = Submission(f"sub-{sheet}", campaign.id, "工单导出.xlsx", sheet, "leads", unit_id, as_of, "表头", "sha")
    return RowContext(campaign, sub, columns or {}, memo={} if memo is None else memo)


def messages(ctx, severity=None):
    return [e.message for e in ctx.errors if severity is None or e.severity == severity]


# ------------------------------------------------------------------------------------------ leads
HOTLINE_ROW = {
    "received_date": "2023-09-26 14:35:12",
    "assigned_date": datetime(2023, 9, 27, 9, 2, 0),
    "unit": "临泉县交通运输局",
    "channel": "12345热线",
    "summary": "反映货车被乱罚款",
    "complainant": "张伟",
    "phone": "",
    "phone_2": "13812341234",
    "phone_3": "0558-1234567",
    "handling_status": "已办结",
    "given_due_date": "2023-10-12 18:00:00",
    "concluded_date": "2023-10-09 16:20:00",
    "visit_satisfaction": "基本满意",
}


def test_hotline_row_keeps_status_given_due_date_and_visit_verdict(campaign):
    ctx = make_ctx(campaign)
    rec = validate_lead_row(ctx, 2, dict(HOTLINE_ROW), SALT)
    # assigned Wed 2023-09-27 (time of day ignored) → 5 working days after the National Day break → Tue 10-10
    assert (rec["received_date"], rec["assigned_date"], rec["due_date"]) == (
        date(2023, 9, 26), date(2023, 9, 27), date(2023, 10, 10))
    assert (rec["concluded_date"], rec["on_time"]) == (date(2023, 10, 9), True)
    assert rec["handling_status"] == "已办结"
    assert rec["given_due_date"] == date(2023, 10, 12)
    assert rec["visit_satisfaction"] == "基本满意"
    assert messages(ctx) == ["热线系统给出的承诺完成时间 2023-10-12 与按5个工作日计算的办理期限 2023-10-10 不同，"
                             "已保留两者，按时办结率按后者计算"]
    assert ctx.errors[0].severity == WARNING and ctx.errors[0].column_name == "given_due_date"


def test_several_phones_first_non_empty_is_masked_and_keyed_none_in_clear(campaign):
    rec = validate_lead_row(make_ctx(campaign), 2, dict(HOTLINE_ROW), SALT)
    assert rec["phone_masked"] == "*******1234"
    assert rec["complainant_masked"] == "张**"
    assert rec["complainant_key"] == privacy.complainant_key("张伟", "13812341234", SALT)
    stored = " ".join(str(v) for v in rec.values())
    for clear in ("13812341234", "1234567", "张伟"):
        assert clear not in stored


def test_given_due_date_equal_to_our_rule_is_kept_silently(campaign):
    ctx = make_ctx(campaign)
    rec = validate_lead_row(ctx, 2, {**HOTLINE_ROW, "given_due_date": "2023年10月10日"}, SALT)
    assert rec["given_due_date"] == date(2023, 10, 10) and ctx.errors == []


def test_given_due_date_that_is_not_a_date_is_a_warning(campaign):
    ctx = make_ctx(campaign)
    rec = validate_lead_row(ctx, 2, {**HOTLINE_ROW, "given_due_date": "5个工作日"}, SALT)
    assert rec["given_due_date"] is None and rec["due_date"] == date(2023, 10, 10)
    assert [e.severity for e in ctx.errors] == [WARNING]
    assert messages(ctx)[0].endswith("热线系统给出的承诺完成时间留空，办理期限按5个工作日计算")


def test_status_concluded_without_concluded_date_invents_no_date(campaign):
    ctx = make_ctx(campaign)
    rec = validate_lead_row(ctx, 2, {**HOTLINE_ROW, "handling_status": "办结", "concluded_date": "",
                                     "given_due_date": ""}, SALT)
    assert (rec["concluded_date"], rec["on_time"], rec["handling_status"]) == (None, None, "办结")
    assert messages(ctx, WARNING) == ["工单状态为“办结”，但没有办结日期：未推定办结日期，本线索按未办结统计；请补填办结日期"]


def test_status_open_with_concluded_date_counts_the_date(campaign):
    ctx = make_ctx(campaign)
    rec = validate_lead_row(ctx, 2, {**HOTLINE_ROW, "handling_status": "办理中", "given_due_date": ""}, SALT)
    assert rec["concluded_date"] == date(2023, 10, 9)
    assert messages(ctx) == ["工单状态为“办理中”，但填有办结日期 2023-10-09：按办结日期统计为已办结"]


@pytest.mark.parametrize("column, value, shown", [
    ("received_date", "1900-01-05", "1900-01-05"),
    ("assigned_date", "2203-09-27 10:00:00", "2203-09-27"),
    ("concluded_date", datetime(2024, 11, 2, 8, 0), "2024-11-02"),
])
def test_implausible_lead_date_rejects_the_row_naming_date_and_range(campaign, column, value, shown):
    ctx = make_ctx(campaign)
    with pytest.raises(RowRejected):
        validate_lead_row(ctx, 5, {**HOTLINE_ROW, column: value}, SALT)
    (err,) = ctx.errors
    assert (err.severity, err.column_name, err.source_row) == (ERROR, column, 5)
    assert f"日期 {shown} 不合常理：应在 2000-01-01 至 2024-11-01 之间" in err.message
    assert err.message.endswith("本行未导入")


def test_implausible_given_due_date_is_only_a_warning(campaign):
    ctx = make_ctx(campaign)
    rec = validate_lead_row(ctx, 2, {**HOTLINE_ROW, "given_due_date": "2099-10-12"}, SALT)
    assert rec["given_due_date"] is None
    assert [e.severity for e in ctx.errors] == [WARNING] and "2099-10-12 不合常理" in ctx.errors[0].message


# -------------------------------------------------------------------- identity without a lead id
BARE = {"unit": "临泉县交通运输局", "received_date": "2023-09-26", "summary": ""}


def test_rows_differing_in_any_mapped_value_get_different_ids(campaign):
    ctx = make_ctx(campaign)
    ids = [validate_lead_row(ctx, r, {**BARE, **extra}, SALT)["lead_id"] for r, extra in enumerate([
        {"phone": "13812341234"},
        {"phone": "13912345678"},
        {"phone": "13812341234", "received_date": "2023-09-26 15:00:00"},  # another call the same day
        {"phone": "13812341234", "complainant": "王芳"},
    ], start=2)]
    assert len(set(ids)) == 4 and all(i.startswith("无编号-") for i in ids)
    assert all("1381234" not in i for i in ids)


def test_identical_rows_in_one_sheet_are_counted_separately_with_a_warning(campaign):
    ctx = make_ctx(campaign)
    first = validate_lead_row(ctx, 2, {**BARE, "phone": "13812341234"}, SALT)["lead_id"]
    second = validate_lead_row(ctx, 7, {**BARE, "phone": "138 1234 1234"}, SALT)["lead_id"]  # same after cleaning
    assert second == first + "-2"
    assert messages(ctx) == ["本行与第2行各项内容完全相同；表中没有线索编号，无法判断是否同一线索，已分别计入；"
                             "如为重复录入，请删除其中一行"]


def test_same_content_in_another_sheet_gets_the_same_id(campaign):
    memo = {}
    a = validate_lead_row(make_ctx(campaign, sheet="A", memo=memo), 2, {**BARE, "phone": "13812341234"}, SALT)
    b = validate_lead_row(make_ctx(campaign, sheet="B", memo=memo), 9, {**BARE, "phone": "13812341234",
                                                                        "phone_2": ""}, SALT)
    assert a["lead_id"] == b["lead_id"]


def test_fallback_id_is_keyed_by_the_salt(campaign):
    row = {**BARE, "phone": "13812341234"}
    assert validate_lead_row(make_ctx(campaign), 2, dict(row), "salt-1")["lead_id"] != \
        validate_lead_row(make_ctx(campaign), 2, dict(row), "salt-2")["lead_id"]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *rows])


def test_register_without_ids_end_to_end(campaign, tmp_path):
    """4 distinct leads with the same unit and dates load as 4; a later export repeating one row
    counts it once and names the row kept."""
    header = ["受理日期", "交办日期", "承办单位", "问题摘要", "投诉人", "联系电话"]
    rows = [
        ["2023-09-26", "2023-09-27", "临泉县交通运输局", "", "张伟", "13812341234"],
        ["2023-09-26", "2023-09-27", "临泉县交通运输局", "", "王芳", "13912345678"],
        ["2023-09-26", "2023-09-27", "临泉县交通运输局", "", "李娜", "13700001111"],
        ["2023-09-26", "2023-09-27", "临泉县交通运输局", "反映乱罚款", "张伟", "13812341234"],
    ]
    src = tmp_path / "src"
    src.mkdir()
    _write_csv(src / "临泉_问题线索登记表_20231010.csv", header, rows)
    _write_csv(src / "临泉_问题线索登记表_20231020.csv", header, rows[:1])
    db = tmp_path / "x.duckdb"
    build([CampaignSources(campaign, [src])], db, salt=SALT)
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = con.execute("SELECT complainant_masked, due_date, source_row FROM leads ORDER BY source_row").fetchall()
        dupes = con.execute("SELECT file_name, source_row, message FROM load_errors WHERE message LIKE '%重复%'").fetchall()
    # kept: row 2 of the 10-20 export (张), rows 3–5 of the 10-10 export (王, 李, 张 with a summary)
    assert [(m, r) for m, _, r in loaded] == [("张**", 2), ("王**", 3), ("李**", 4), ("张**", 5)]
    assert {d for _, d, _ in loaded} == {date(2023, 10, 10)}
    # the 10-20 export is the most recent register: its row is kept, the 10-10 row 2 is the duplicate
    assert dupes == [("临泉_问题线索登记表_20231010.csv", 2,
                      "线索编号重复，已按“临泉_问题线索登记表_20231020.csv”第2行计入，本行不重复统计")]


# ------------------------------------------------------------------------------------------ ledgers
def ledger_ctx(campaign, unit_id="linquan", columns=None, memo=None, sheet="台账"):
    sub = Submission(f"sub-{sheet}", campaign.id, "台账.xlsx", sheet, "ledger", unit_id, date(2023, 9, 25),
                     "表头", "sha")
    return RowContext(campaign, sub, columns or {"manifestation": "表现形式", "unit": "单位"},
                      memo={} if memo is None else memo)


LEDGER = {"serial_no": "1", "manifestation": "乱罚款", "case_text": "超限车辆罚款后未卸载",
          "measure": "立即纠正", "deadline": "2023年10月31日", "progress": "已消除"}


def test_no_category_column_takes_it_from_the_manifestation(campaign):
    ctx = ledger_ctx(campaign)
    rec = validate_ledger_row(ctx, 4, dict(LEDGER))
    assert (rec["category"], rec["manifestation_code"], rec["status"]) == ("逐利执法", "F03", "已整改")
    assert ctx.errors == []


@pytest.mark.parametrize("values, column, message", [
    ({"manifestation": None}, "问题方面",
     "缺少问题方面（问题类别）和表现形式；已导入，问题方面留空（统计中列为“未分类”）"),
    ({"manifestation": "说不清的问题"}, "表现形式",
     "缺少问题方面（问题类别），表现形式也无法对应（无法识别的表现形式“说不清的问题”：应为配置中的表现形式名称、简称或编号"
     "（如 F01））；已导入，问题方面留空（统计中列为“未分类”）"),
])
def test_neither_category_nor_manifestation_loads_with_category_blank(campaign, values, column, message):
    ctx = ledger_ctx(campaign)
    rec = validate_ledger_row(ctx, 4, {**LEDGER, **values})
    assert (rec["category"], rec["manifestation"]) == (None, None)
    assert [(e.severity, e.column_name, e.message) for e in ctx.errors] == [(WARNING, column, message)]


def test_per_row_unit_column_without_reporting_unit(campaign):
    ctx = ledger_ctx(campaign, unit_id=None)
    a = validate_ledger_row(ctx, 4, {**LEDGER, "unit": "太和县交通运输局"})
    b = validate_ledger_row(ctx, 5, {**LEDGER, "unit": "临泉县"})
    assert (a["unit_id"], b["unit_id"]) == ("taihe", "linquan")
    assert a["problem_id"].startswith("taihe:#") and b["problem_id"].startswith("linquan:#")
    with pytest.raises(RowRejected):
        validate_ledger_row(ctx, 6, {**LEDGER, "unit": ""})
    assert messages(ctx) == ["缺少单位：本行单位为空，表头上方也没有可识别的填报单位，本行未导入"]


@pytest.mark.parametrize("progress, status", [
    ("未销号", "整改中"), ("已销号", "已销号"), ("已消除", "已整改"), ("未消除", "未整改"), ("已化解", "已整改"),
    ("正在化解", "整改中"), ("未化解", "未整改"), ("办结", "已整改"), ("已办结", "已整改"), ("办理中", "整改中"),
])
def test_ledger_progress_words(campaign, progress, status):
    assert validate_ledger_row(ledger_ctx(campaign), 4, {**LEDGER, "progress": progress})["status"] == status


def test_implausible_deadline_rejects_and_implausible_completion_warns(campaign):
    ctx = ledger_ctx(campaign)
    with pytest.raises(RowRejected):
        validate_ledger_row(ctx, 4, {**LEDGER, "deadline": "2030年6月30日"})
    rec = validate_ledger_row(ctx, 5, {**LEDGER, "completed_date": "1999-12-31"})
    assert rec["completed_date"] is None
    assert [(e.severity, e.source_row, e.column_name) for e in ctx.errors] == [
        (ERROR, 4, "deadline"), (WARNING, 5, "completed_date")]
    assert "日期 2030-06-30 不合常理：应在 2000-01-01 至 2024-11-01 之间" in ctx.errors[0].message
    assert "日期 1999-12-31 不合常理" in ctx.errors[1].message


# ------------------------------------------------------------- problem identity without 序号/编号
NO_ID = {"manifestation": "乱罚款", "measure": "立即纠正", "deadline": "2023年10月31日", "progress": "正在整改"}


def test_rows_without_serial_or_case_text_never_collide(campaign):
    ctx = ledger_ctx(campaign)
    a = validate_ledger_row(ctx, 4, dict(NO_ID))["problem_id"]
    b = validate_ledger_row(ctx, 5, {**NO_ID, "measure": "约谈执法人员"})["problem_id"]
    c = validate_ledger_row(ctx, 6, dict(NO_ID))["problem_id"]
    assert len({a, b, c}) == 3 and c == a + "-2"
    assert messages(ctx) == ["本行与第4行问题方面、表现形式、整改措施、整改时限、责任单位等各项相同；表中没有序号或编号，"
                             "无法判断是否同一问题，已分别计入；如为重复填报，请删除其中一行"]


def test_later_ledger_with_new_progress_links_to_the_same_problem(campaign):
    memo = {}
    first = validate_ledger_row(ledger_ctx(campaign, memo=memo, sheet="0925"), 4, dict(NO_ID))
    later = validate_ledger_row(ledger_ctx(campaign, memo=memo, sheet="1020"), 4,
                                {**NO_ID, "progress": "已销号", "completed_date": "2023-10-15"})
    assert first["problem_id"] == later["problem_id"] and later["status"] == "已销号"


def test_rows_with_case_text_but_no_serial_keep_their_id_and_do_not_collide(campaign):
    ctx = ledger_ctx(campaign)
    row = {**NO_ID, "case_text": "超限车辆罚款后未卸载"}
    a = validate_ledger_row(ctx, 4, dict(row))["problem_id"]
    b = validate_ledger_row(ctx, 5, dict(row))["problem_id"]
    assert a == problem_id("linquan", None, None, "超限车辆罚款后未卸载")  # same id as before issue 7
    assert b == a + "-2"


def test_serial_and_code_identities_unchanged(campaign):
    rec = validate_ledger_row(ledger_ctx(campaign), 4, {**LEDGER, "serial_no": "LQ-01"})
    assert rec["problem_id"] == "linquan:LQ-01"
    rec = validate_ledger_row(ledger_ctx(campaign), 4, {**LEDGER, "serial_no": 3.0})
    assert rec["problem_id"] == problem_id("linquan", None, "3", "超限车辆罚款后未卸载")


# ------------------------------------------------------------------------------ 填报时间 and 统计日
TODAY = date(2023, 10, 1)


@pytest.mark.parametrize("meta, file_name, expected", [
    ("2023年9月25日", "台账.xlsx", (date(2023, 9, 25), "表头", None)),
    (None, "临泉_整改台账_20230925.xlsx", (date(2023, 9, 25), "文件名", None)),
    (None, "台账.xlsx", (None, "无", None)),
])
def test_as_of_checked_plain_cases(campaign, meta, file_name, expected):
    assert resolve_as_of_checked(meta, file_name, campaign, TODAY) == expected


def test_future_as_of_is_kept_and_reported(campaign):
    as_of, source, problem = resolve_as_of_checked("2023-10-20", "台账.xlsx", campaign, TODAY)
    assert (as_of, source) == (date(2023, 10, 20), "表头")
    assert problem == ("填报时间 2023-10-20 晚于今天（2023-10-01）：已按此日期导入，但默认统计日不取此日期；"
                       "如为笔误，请更正后重新报送")


def test_implausible_as_of_falls_back_to_the_file_name(campaign):
    as_of, source, problem = resolve_as_of_checked("2203年9月25日", "临泉_整改台账_20230925.xlsx", campaign, TODAY)
    assert (as_of, source) == (date(2023, 9, 25), "文件名")
    assert problem == ("填报时间“2203年9月25日”无法使用：日期 2203-09-25 不合常理：应在 2000-01-01 至 2024-11-01 之间"
                       "（不早于2000年，不晚于专项整治结束后一年）；请核对年份；已按文件名中的日期 2023-09-25 作为填报时间")


def test_impossible_as_of_without_file_date_is_none_with_a_message(campaign):
    as_of, source, problem = resolve_as_of_checked("2023年2月30日", "台账.xlsx", campaign, TODAY)
    assert (as_of, source) == (None, "无")
    assert problem.startswith("填报时间“2023年2月30日”无法使用：日期不存在")


def test_missing_ledger_context():
    assert missing_ledger_context({"unit": "单位"}, None, date(2023, 9, 25)) is None
    assert missing_ledger_context({}, None, date(2023, 9, 25)) == "填报单位"
    assert missing_ledger_context({}, "linquan", None) == "填报时间"


def test_default_as_of_ignores_future_and_implausible_submissions():
    con = duckdb.connect()
    con.execute((ROOT / "etl" / "schema.sql").read_text(encoding="utf-8"))
    con.execute((ROOT / "etl" / "sql" / "views.sql").read_text(encoding="utf-8"))
    con.execute("INSERT INTO campaigns (campaign_id, start_date, end_date, grace_days) "
                "VALUES ('c1', DATE '2023-03-27', DATE '2023-11-01', 3)")
    con.execute("INSERT INTO report_due_dates VALUES ('c1', DATE '2023-09-25'), ('c1', DATE '2023-10-20')")
    subs = [("s1", "2023-09-25"), ("s2", "2023-10-22"),  # 2nd: a real, late-ish report
            ("s3", "2024-12-20"),                          # after campaign end + 1 year (2024-11-01): a typo
            ("s4", None)]
    for sid, d in subs:
        con.execute("INSERT INTO submissions (submission_id, campaign_id, kind, as_of_date, rows_loaded) "
                    "VALUES (?, 'c1', 'ledger', ?, 1)", [sid, d])
        if d:
            con.execute("INSERT INTO ledger_snapshots (campaign_id, unit_id, problem_id, as_of_date, submission_id) "
                        "VALUES ('c1', 'u1', 'u1:P1', ?, ?)", [d, sid])
    con.execute("INSERT INTO submissions (submission_id, campaign_id, kind, as_of_date, rows_loaded) "
                "VALUES ('s5', 'c1', 'leads', current_date + 30, 1)")   # after today
    sql = (ROOT / "queries" / "snapshot_dates.sql").read_text(encoding="utf-8")
    dates = [r[0] for r in con.execute(sql, {"campaign_id": "c1"}).fetchall()]
    # windows close 09-28 and 10-23 (due + 3 grace days); the latest plausible data is 10-22: the 09-28
    # period stands (10-22 is past the next due date 10-20), 10-23 is not reached, and 10-22 is the latest.
    # Without the check the last date would be 2024-12-20's typo or a date after today.
    assert dates == [date(2023, 9, 28), date(2023, 10, 22)]
