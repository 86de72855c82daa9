"""ETL end to end on small hand-written files whose every expected value is known by hand."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl import load as load_module
from etl.build import CampaignSources, build
from etl.config import load_campaign

SALT = "test-salt"
LEADS_HEADER = ["线索编号", "线索来源", "受理日期", "交办日期", "承办单位", "问题类别", "问题摘要",
                "投诉人", "联系电话", "办结日期", "调查结论", "反馈日期"]
LEADS = [
    # assigned 2023-09-27 → due 2023-10-10 on the official calendar (not 10-04)
    ["阜交专办〔2023〕0001号", "12345政务服务热线", "2023-09-26", "2023年9月27日", "临泉县交通运输局", "逐利执法",
     "反映乱罚款", "张伟", "13812341234", "2023.10.9", "属实", "2023/10/10"],
    ["阜交专办〔2023〕0002号", "12328交通运输服务监督电话", "2023-09-26", "2023-09-27", "太和", "执法粗暴",
     "反映态度生硬", "王芳", "13912345678", "2023-10-11", "不属实", ""],
    ["阜交专办〔2023〕0003号", "信访", "2023-06-01", "2023-06-02", "某某县交通运输局", "执法不规范",
     "单位不存在", "李娜", "13700001111", "", "", ""],
    ["阜交专办〔2023〕0004号", "来信来访", "2023-06-05", "2023-06-05", "颍上县（盖章）", "执法不规范",
     "同一投诉人再次反映", "张伟", "138 1234 1234", "", "", ""],
    ["阜交专办〔2023〕0001号", "12345政务服务热线", "2023-09-26", "2023-09-27", "临泉县", "逐利执法",
     "重复登记", "张伟", "13812341234", "2023-10-09", "属实", "2023-10-10"],
]


def write_leads_csv(path: Path) -> None:
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(LEADS_HEADER)
        writer.writerows(LEADS)


def write_ledger(path: Path, as_of: str, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["全市交通运输执法领域专项整治行动问题清单、措施清单、时限清单、责任清单"])
    ws.append([f"填报单位：临泉县交通运输局（盖章）    填报时间：{as_of}"])
    ws.append(["编号", "问题方面", "表现形式", "具体案例", "问题来源", "整改措施", "整改时限", "整改责任部门、责任人", "整改进度"])
    for r in rows:
        ws.append(r)
    wb.save(path)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign("fuyang-2023")


@pytest.fixture(scope="module")
def small_db(tmp_path_factory, campaign):
    src = tmp_path_factory.mktemp("src")
    write_leads_csv(src / "线索登记表.csv")
    write_ledger(src / "临泉_整改台账_20230525.xlsx", "2023年5月25日", [
        ["LQ-01", "逐利执法", "乱罚款", "超限车辆罚款后未卸载", "自查自纠", "立即纠正", "2023年6月30日前", "法规股 张三", "已完成整改"],
        ["LQ-02", "执法不规范", "随意拦车", "路口随意拦车检查", "12345热线", "规范检查", "2023.5.20", "路政大队", "尚未完成"],
        ["LQ-03", "", "根本不存在的表现", "缺少问题方面", "自查", "", "9月底", "", "正在整改"],
        ["LQ-04", "执法不规范", "滥用自由裁量权", "处罚尺度不一", "暗访", "", "2023年2月30日", "", "正在整改"],
    ])
    write_ledger(src / "临泉_整改台账_20230725.xlsx", "2023年7月25日", [
        ["LQ-01", "逐利执法", "乱罚款", "超限车辆罚款后未卸载", "自查自纠", "立即纠正", "2023年6月30日前", "法规股 张三", "已完成整改，已销号"],
        ["LQ-02", "执法不规范", "随意拦车", "路口随意拦车检查", "12345热线", "规范检查", "2023.5.20", "路政大队", "正在整改"],
        ["LQ-05", "逐利执法", "乱罚款", "又发现乱罚款", "12328", "再次整改", "立行立改", "法规股", "正在整改"],
    ])
    db = tmp_path_factory.mktemp("db") / "small.duckdb"
    build([CampaignSources(campaign, [src])], db, salt=SALT)
    return db


def q(db, sql, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_lead_due_date_follows_official_calendar(small_db):
    assert q(small_db, "SELECT due_date, on_time FROM leads WHERE lead_id = '阜交专办〔2023〕0001号'") == [
        (date(2023, 10, 10), True)]
    # concluded 10-11, one working day late
    assert q(small_db, "SELECT due_date, on_time FROM leads WHERE lead_id = '阜交专办〔2023〕0002号'") == [
        (date(2023, 10, 10), False)]


def test_unknown_unit_and_duplicate_lead_are_rejected_and_counted(small_db):
    errors = q(small_db, "SELECT source_row, column_name, raw_value, message FROM load_errors "
                         "WHERE file_name = '线索登记表.csv' AND severity = '错误' ORDER BY source_row")
    assert [(e[0], e[1], e[2]) for e in errors] == [
        (4, "承办单位", "某某县交通运输局"), (6, "线索编号", "阜交专办〔2023〕0001号")]
    assert "未知单位" in errors[0][3] or "无法识别" in errors[0][3]
    assert "重复" in errors[1][3]
    assert q(small_db, "SELECT rows_read, rows_loaded, rows_rejected FROM submissions "
                       "WHERE file_name = '线索登记表.csv'") == [(5, 3, 2)]
    assert q(small_db, "SELECT count(*) FROM leads") == [(3,)]


def test_repeat_complainant_counted_without_clear_phone(small_db):
    rows = q(small_db, "SELECT lead_id, complainant_masked, phone_masked, complainant_key FROM leads ORDER BY lead_id")
    by_id = {r[0]: r for r in rows}
    assert by_id["阜交专办〔2023〕0001号"][1:3] == ("张**", "*******1234")
    # same phone written with spaces → same key; different person → different key
    assert by_id["阜交专办〔2023〕0001号"][3] == by_id["阜交专办〔2023〕0004号"][3]
    assert by_id["阜交专办〔2023〕0002号"][3] != by_id["阜交专办〔2023〕0001号"][3]


def test_no_clear_personal_data_anywhere_in_the_database(small_db):
    clear = ["13812341234", "13912345678", "13700001111", "张伟", "王芳", "李娜"]
    with duckdb.connect(str(small_db), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        for table in tables:
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()
                    if r[1] == "VARCHAR"]
            for col in cols:
                for value in clear:
                    hits = con.execute(f'SELECT count(*) FROM {table} WHERE contains("{col}", ?)', [value]).fetchone()[0]
                    assert hits == 0, (table, col, value)
    raw = small_db.read_bytes()
    for value in clear:
        assert value.encode() not in raw and value.encode("utf-8") not in raw


def test_ledger_snapshots_statuses_and_deadlines(small_db):
    rows = q(small_db, "SELECT as_of_date, serial_no, status, deadline, deadline_kind FROM ledger_snapshots "
                       "ORDER BY as_of_date, serial_no")
    assert rows == [
        (date(2023, 5, 25), "LQ-01", "已整改", date(2023, 6, 30), "date"),
        (date(2023, 5, 25), "LQ-02", "未整改", date(2023, 5, 20), "date"),
        # no category and an unknown manifestation: loaded all the same; 9月底 in 2023, 正在整改
        (date(2023, 5, 25), "LQ-03", "整改中", date(2023, 9, 30), "date"),
        (date(2023, 7, 25), "LQ-01", "已销号", date(2023, 6, 30), "date"),
        (date(2023, 7, 25), "LQ-02", "整改中", date(2023, 5, 20), "date"),
        (date(2023, 7, 25), "LQ-05", "整改中", None, "immediate"),
    ]


def test_bad_ledger_rows_name_file_sheet_row_column(small_db):
    errors = q(small_db, "SELECT sheet_name, source_row, column_name, raw_value, severity FROM load_errors "
                         "WHERE file_name = '临泉_整改台账_20230525.xlsx' ORDER BY source_row")
    # row 6 (LQ-03): 问题方面 blank and 表现形式 unknown → loaded with the category blank, a 警告 only;
    # row 7 (LQ-04): 2月30日 does not exist → rejected
    assert errors == [("台账", 6, "表现形式", "根本不存在的表现", "警告"),
                      ("台账", 7, "整改时限", "2023年2月30日", "错误")]
    warning = q(small_db, "SELECT message FROM load_errors WHERE file_name = '临泉_整改台账_20230525.xlsx' "
                          "AND severity = '警告'")[0][0]
    assert warning.startswith("缺少问题方面（问题类别），表现形式也无法对应")
    assert warning.endswith("已导入，问题方面留空（统计中列为“未分类”）")
    assert q(small_db, "SELECT category, manifestation_code, case_text FROM ledger_snapshots "
                       "WHERE serial_no = 'LQ-03'") == [(None, None, "缺少问题方面")]
    assert q(small_db, "SELECT rows_read, rows_loaded, rows_rejected FROM submissions "
                       "WHERE file_name = '临泉_整改台账_20230525.xlsx'") == [(4, 3, 1)]


def test_relapse_derived_after_earlier_problem_closed(small_db):
    rows = q(small_db, "SELECT serial_no, is_relapse, relapse_basis, relapse_of FROM problems ORDER BY serial_no")
    assert rows == [
        ("LQ-01", False, None, None),
        ("LQ-02", False, None, None),
        ("LQ-03", False, None, None),   # only in the May ledger: still its latest snapshot
        ("LQ-05", True, "推导", "linquan:LQ-01"),
    ]


def test_rebuild_is_identical_and_failed_build_keeps_old_database(small_db, campaign, tmp_path, monkeypatch):
    def dump(db):
        with duckdb.connect(str(db), read_only=True) as con:
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
            return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}

    before = dump(small_db)
    src = tmp_path / "src"
    src.mkdir()
    write_leads_csv(src / "线索登记表.csv")
    target = tmp_path / "x.duckdb"
    build([CampaignSources(campaign, [src])], target, salt=SALT)
    first = dump(target)
    build([CampaignSources(campaign, [src])], target, salt=SALT)
    assert dump(target) == first
    assert first["leads"] == before["leads"]

    def explode(con, table, *args, **kw):
        if table == "leads":
            raise RuntimeError("模拟导入中途失败")
        return original(con, table, *args, **kw)

    original = load_module.insert_arrow
    monkeypatch.setattr(load_module, "insert_arrow", explode)
    with pytest.raises(RuntimeError):
        build([CampaignSources(campaign, [src])], target, salt=SALT)
    assert dump(target) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src", "x.duckdb"]
