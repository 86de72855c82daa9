"""数据探索控制台：只读查询可用、限行；文件读写、ATTACH、INSTALL、SET、DELETE、多语句一律拒绝（中文信息）；超时中止。"""
import re
import time

import pytest

from dashboard import sql_console as sc

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_select_works_and_caps_rows(fixture_db):
    r = sc.run_console("SELECT lead_id, unit_id FROM leads ORDER BY lead_id", fixture_db, row_cap=5)
    assert list(r.data.columns) == ["lead_id", "unit_id"]
    assert len(r.data) == 5 and r.truncated and r.row_cap == 5
    r = sc.run_console("SELECT count(*) AS n FROM leads", fixture_db)
    assert int(r.data.iloc[0]["n"]) == 20 and not r.truncated


@pytest.mark.parametrize("sql", [
    "WITH x AS (SELECT 1 AS a) SELECT * FROM x",
    "DESCRIBE leads", "SHOW TABLES", "SUMMARIZE units", "EXPLAIN SELECT * FROM leads",
    "FROM problems LIMIT 2", "-- 注释\nSELECT 1;",
])
def test_read_only_statement_kinds_allowed(fixture_db, sql):
    r = sc.run_console(sql, fixture_db)
    assert len(r.data.columns) >= 1


def test_saved_query_params_bound(fixture_db):
    sql = sc.saved_query("leads_summary")
    from tests.fixtures.fixture_db import CAMPAIGN_ID, S2
    r = sc.run_console(sql, fixture_db, params={"campaign_id": CAMPAIGN_ID, "as_of": S2, "units": [],
                                                "categories": [], "channels": []})
    assert int(r.data.iloc[0]["open_overdue"]) == 3
    with pytest.raises(sc.ConsoleError, match="参数没有取值"):
        sc.run_console(sql, fixture_db, params={"campaign_id": CAMPAIGN_ID})


@pytest.mark.parametrize("sql, needle", [
    ("SELECT * FROM read_csv('/etc/passwd')", "读写文件"),
    ("SELECT * FROM read_text('/etc/passwd')", "读写文件"),
    ("SELECT * FROM glob('/etc/*')", "读写文件"),
    ("COPY leads TO '/tmp/leads_out.csv'", "COPY"),
    ("COPY (SELECT 1) TO '/tmp/x.parquet' (FORMAT parquet)", "COPY"),
    ("ATTACH '/tmp/other.duckdb' AS o", "ATTACH"),
    ("INSTALL httpfs", "INSTALL"),
    ("LOAD httpfs", "LOAD"),
    ("SET threads = 1", "SET"),
    ("RESET lock_configuration", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("DELETE FROM leads", "DELETE"),
    ("UPDATE leads SET unit_id = 'x'", "UPDATE"),
    ("CREATE TABLE t AS SELECT 1", "CREATE"),
    ("EXPORT DATABASE '/tmp/exp'", "EXPORT"),
    ("EXPLAIN ANALYZE DELETE FROM leads", "EXPLAIN"),
    ("SELECT 1; SELECT 2", "一条"),
    ("SELECT 1; DELETE FROM leads", "一条"),
    ("", "请输入"),
    ("SELEC 1", "语法"),
    ("SELECT * FROM no_such_table", "找不到"),
])
def test_refused_with_chinese_message(fixture_db, sql, needle):
    with pytest.raises(sc.ConsoleError) as ei:
        sc.run_console(sql, fixture_db)
    msg = str(ei.value)
    assert CJK.search(msg) and needle in msg, msg
    assert "Traceback" not in msg


def test_sandbox_settings_locked(fixture_db):
    con = sc.open_sandbox(fixture_db)
    try:
        ext, lock = con.execute("SELECT current_setting('enable_external_access'), "
                                "current_setting('lock_configuration')").fetchone()
        assert ext is False and lock is True
    finally:
        con.close()


def test_long_query_is_interrupted(fixture_db):
    t0 = time.perf_counter()
    with pytest.raises(sc.ConsoleError, match="超过 1 秒，已中止"):
        sc.run_console("SELECT count(*) FROM range(10000000000) a, range(1000) b", fixture_db, time_limit=1)
    assert time.perf_counter() - t0 < 8


def test_schema_and_exports(fixture_db):
    s = sc.schema(fixture_db)
    assert {"leads", "problems", "survey_responses"} <= set(s["table_name"])
    assert s[s["table_name"] == "problems"]["table_type"].iloc[0] == "VIEW"
    df = sc.run_console("SELECT lead_id, complainant_masked, received_date FROM leads", fixture_db).data
    x = sc.xlsx_bytes(df)
    assert x[:2] == b"PK"
    import io

    import openpyxl
    ws = openpyxl.load_workbook(io.BytesIO(x)).active
    assert ws.max_row == len(df) + 1 and ws.cell(1, 1).value == "lead_id"
    c = sc.csv_bytes(df)
    assert c.startswith("\ufeff".encode()) and "张**".encode() in c
