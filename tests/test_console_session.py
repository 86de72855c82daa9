"""数据探索：查询框的内容在本会话里换页面后保留、写在链接里（sql=），复制的链接打开即是同一条查询；
执行结果下说明包含哪个专项整治的数据。AppTest 以专班账号在夹具库（一个专项整治）上运行 app.py。"""
from __future__ import annotations

import pytest

from tests.signed_in import app_as

EXPLORE = "pages/explore.py"
QUERY = "SELECT status, count(*) AS n FROM problems GROUP BY ALL ORDER BY status"


@pytest.fixture()
def at(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    return app_as(monkeypatch, "office", timeout=60).run()


def _sql_box(at):
    return next(t for t in at.text_area if t.key == "exp_sql")


def _url_sql(at):
    v = at.query_params.get("sql")
    return v[0] if isinstance(v, list) else v


def test_query_survives_switching_pages_and_is_in_the_url(at):
    at.switch_page(EXPLORE).run()
    assert not at.exception
    assert _url_sql(at) is None                     # 默认查询不写进链接
    _sql_box(at).input(QUERY).run()
    assert _url_sql(at) == QUERY
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    at.switch_page(EXPLORE).run()
    assert not at.exception
    assert _sql_box(at).value == QUERY
    assert _url_sql(at) == QUERY


def test_link_with_sql_opens_that_query_without_running_it(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, "office", timeout=60).run()
    at.query_params["sql"] = QUERY       # 会话里第一次打开数据探索页，链接带着 sql=
    at.switch_page(EXPLORE).run()
    assert not at.exception
    assert _sql_box(at).value == QUERY
    assert not at.dataframe or all(d.key != "exp_table" for d in at.dataframe)   # 不自动执行


def test_result_states_which_campaign_it_covers(at, fixture_db):
    import duckdb

    with duckdb.connect(str(fixture_db), read_only=True) as con:
        (name,) = con.execute("SELECT short_name FROM campaigns").fetchone()
    at.switch_page(EXPLORE).run()
    _sql_box(at).input(QUERY).run()
    next(b for b in at.button if b.label == "执行查询").click().run()
    assert not at.exception
    notes = [i.value for i in at.info]
    assert f"本查询未按专项整治筛选；所查的表里只有 {name} 的数据。" in notes, notes
