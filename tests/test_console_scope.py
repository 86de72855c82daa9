"""数据探索：查询结果包含哪些专项整治的数据（sql_console.campaign_scope），在两个专项整治的示例库上对照 SQL。"""
from __future__ import annotations

import duckdb
import pytest

from dashboard import sql_console
from tests.test_browser import sample_db  # noqa: F401 — pytest fixture：两个专项整治的示例库


@pytest.fixture(scope="module")
def world(sample_db):  # noqa: F811
    with duckdb.connect(str(sample_db), read_only=True) as con:
        names = dict(con.execute("SELECT campaign_id, short_name FROM campaigns ORDER BY start_date DESC, "
                                 "campaign_id").fetchall())
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.columns "
                                            "WHERE column_name = 'campaign_id'").fetchall()}
        in_problems = [r[0] for r in con.execute("SELECT DISTINCT campaign_id FROM problems").fetchall()]
        haixi_unit = con.execute("SELECT min(unit_id) FROM problems WHERE campaign_id = 'haixi-2023'").fetchone()[0]
    assert sorted(names) == ["fuyang-2023", "haixi-2023"] and sorted(in_problems) == sorted(names)
    return {"db": sample_db, "names": names, "tables": tables, "haixi_unit": haixi_unit}


def _scope(world, sql, result=None, selected=None):
    return sql_console.campaign_scope(sql, result, world["tables"], world["names"],
                                      lambda t: sql_console.campaigns_present(world["db"], t), selected)


def test_plain_table_query_says_it_mixes_both_campaigns(world):
    fy, hx = world["names"]["fuyang-2023"], world["names"]["haixi-2023"]
    order = "、".join(world["names"].values())   # 侧栏的顺序
    assert {fy, hx} == set(order.split("、"))
    sql = "SELECT unit_id, status, count(*) AS 问题数\nFROM problems\nGROUP BY ALL\nORDER BY unit_id, status"
    res = sql_console.run_console(sql, world["db"])
    assert _scope(world, sql, res.data) == (
        f"本查询未按专项整治筛选：结果包含 {order} 两个专项整治的数据。"
        "只看侧栏所选的一个，可加条件 WHERE campaign_id = $campaign_id。")


def test_filtered_query_names_the_campaign(world):
    hx = world["names"]["haixi-2023"]
    sql = "SELECT count(*) FROM problems WHERE campaign_id = $campaign_id"
    assert _scope(world, sql, selected="haixi-2023") == f"本查询按侧栏所选的专项整治筛选：{hx}。"
    joined = ("SELECT u.name, count(*) FROM leads l JOIN units u ON u.unit_id = l.unit_id "
              "AND u.campaign_id = l.campaign_id WHERE l.campaign_id = 'haixi-2023' GROUP BY 1")
    assert _scope(world, joined) == f"本查询按专项整治筛选：{hx}。"


def test_result_with_campaign_column_is_read_from_the_result(world):
    hx = world["names"]["haixi-2023"]
    one = f"SELECT campaign_id, count(*) AS n FROM problems WHERE unit_id = '{world['haixi_unit']}' GROUP BY 1"
    res = sql_console.run_console(one, world["db"])
    assert res.data["campaign_id"].tolist() == ["haixi-2023"]
    assert _scope(world, one, res.data) == f"结果只含 {hx} 的数据。"
    both = "SELECT campaign_id, count(*) AS n FROM leads GROUP BY 1"
    res = sql_console.run_console(both, world["db"])
    assert _scope(world, both, res.data).startswith("结果包含 ") and "两个专项整治" in _scope(world, both, res.data)


def test_no_note_for_structure_or_tables_without_campaigns(world):
    assert _scope(world, "DESCRIBE problems") is None
    assert _scope(world, "SELECT 1 AS x") is None
    assert _scope(world, "SELECT * FROM build_info") is None
