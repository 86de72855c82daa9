"""AppTest：在夹具库上运行 app.py，切换到每个页面不报错，关键数字等于 SQL 真值。"""
import pytest

from analytics import metrics
from dashboard.db import QueryRunner
from tests.app_pages import APP_PAGES as PAGES  # noqa: E402 — every page app.py navigates to
from tests.fixtures.fixture_db import CAMPAIGN_ID, S2
from tests.signed_in import app_as


@pytest.fixture()
def app(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, timeout=60)
    return at.run()


def _truth(fixture_db):
    r = QueryRunner(fixture_db)
    try:
        return r.run("kpi_overview", campaign_id=CAMPAIGN_ID, as_of=S2, units=[], categories=[],
                     channels=[]).iloc[0]
    finally:
        r.close()


def test_every_page_renders(app):
    assert not app.exception
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, [e.value for e in app.exception])
        assert app.title, page


def test_overview_kpis_equal_sql_truth(app, fixture_db):
    t = _truth(fixture_db)
    # rate cards: value is the percentage, the counts are in the label ("整改率（9/16）") so all
    # cards keep one line of value and equal height — the rate is still shown with its counts
    shown = {m.label.split("（")[0]: m for m in app.metric}
    assert shown["查摆问题数"].value == str(int(t["problems"]))
    assert shown["逾期问题"].value == str(int(t["overdue"]))
    assert metrics.fmt_rate(t["done"], t["problems"]) == "56.3%（9/16）"
    assert (shown["整改率"].value, shown["整改率"].label) == ("56.3%", "整改率（9/16）")
    assert shown["整改率"].delta == "+36.3个百分点"
    assert (shown["线索按时办结率"].value, shown["线索按时办结率"].label) == ("64.7%", "线索按时办结率（11/17）")
    assert app.query_params["as_of"] == [S2.isoformat()] or app.query_params["as_of"] == S2.isoformat()


def test_relapse_new_this_period(app):
    # LQ-06 is first reported at S2 (after the previous snapshot S1); FN-03 already at S1
    app.switch_page("pages/relapse.py").run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    assert shown["反弹问题数"] == "2" and shown["当期新发现"] == "1"
    text = " ".join(m.value for m in app.markdown)
    assert "LQ-06" not in text and "状态" in text   # unit's own 编号, not the internal problem_id


def test_filters_come_from_url(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, timeout=60)
    at.query_params["campaign"] = CAMPAIGN_ID
    at.query_params["as_of"] = "2023-05-25"
    at.query_params["unit"] = ["linquan", "taihe"]
    at.run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["查摆问题数"] == "10"      # linquan 5 + taihe 5 at S1
    # the filter state survives a page switch
    at.switch_page("pages/unit_progress.py").run()
    assert not at.exception
    assert at.session_state["flt_state"].units == ("linquan", "taihe")
    assert at.query_params["unit"] == ["linquan", "taihe"]


def test_missing_db_shows_chinese_message(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "nope.duckdb"))
    at = app_as(monkeypatch, timeout=60).run()
    assert not at.exception
    assert any("make db" in w.value for w in at.warning)
