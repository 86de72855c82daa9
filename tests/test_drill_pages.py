"""AppTest：下钻按钮、链接里的下钻状态与无效值的说明、“只看…”开关、持平无箭头、无数据的统计日（夹具库）。"""
from __future__ import annotations

import pytest

from tests.fixtures.fixture_db import CAMPAIGN_ID, S2, TRUTH
from tests.signed_in import app_as


@pytest.fixture
def app(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))

    def make(page: str = "pages/overview.py", **query):
        at = app_as(monkeypatch, timeout=90)
        sidebar = {k: v for k, v in query.items() if k in ("as_of", "unit")}
        for k, v in ({"campaign": CAMPAIGN_ID, **(sidebar if page != "pages/overview.py" else query)}).items():
            at.query_params[k] = v
        at.run()
        if page != "pages/overview.py":  # 页面的键在该页面第一次运行时读（总览会去掉别的页面的键）
            for k, v in query.items():
                at.query_params[k] = v
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return make


def qp(at, key: str):
    v = at.query_params[key]
    return v[-1] if isinstance(v, list) and len(v) == 1 else v


def texts(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(w.value for w in at.warning)


def test_kpi_button_opens_the_list_and_writes_the_url(app):
    at = app(as_of="2023-06-25")
    at.button(key="drill_btn_ov_overdue").click().run()
    assert not at.exception
    assert f"共 {TRUTH[S2]['overdue']} 个" in texts(at)
    assert qp(at, "ov") == "kpi.overdue"
    assert qp(at, "as_of") == "2023-06-25"   # 侧栏的键仍在
    at.button(key="drill_close_ov_kpi").click().run()
    assert "ov" not in at.query_params


def test_a_list_opened_below_the_screen_says_so_once(app):
    """新用户走查：1366×768 下点“查看清单”，清单开在屏幕下方，看起来像没反应。点开时提示一次；再运行、从链接打开、
    页面默认列出的清单都不提示。"""
    at = app(as_of="2023-06-25")
    at.button(key="drill_btn_ov_overdue").click().run()
    assert [t.value for t in at.toast] == ["清单已在下方打开，请向下滚动查看"]
    at.run()
    assert [t.value for t in at.toast] == []
    at.button(key="drill_close_ov_kpi").click().run()
    at.button(key="drill_btn_ov_overdue").click().run()
    assert len(at.toast) == 1  # opened again after closing: said again
    assert len(app(as_of="2023-06-25", ov="kpi.leads_received").toast) == 0  # from the URL


def test_url_reopens_the_list_with_toggles(app):
    at = app(as_of="2023-06-25", ov="kpi.leads_received", only="late")
    assert "共 3 件，" not in texts(at)
    assert "清单：受理线索数_受理的线索**　共 3 件（只看超期办结）" in texts(at) or "共 3 件（只看超期办结）" in texts(at)


def test_bad_values_in_the_url_are_explained(app):
    at = app(as_of="2023-13-45", unit="nowhere", ov="kpi.nothing")
    w = [x.value for x in at.warning]
    assert any("“2023-13-45”" in x and "已改用" in x and "2023-06-25" in x for x in w), w
    assert any("“nowhere”" in x and "全部单位" in x for x in w), w
    assert any("“kpi.nothing”" in x for x in w), w
    assert qp(at, "as_of") == "2023-06-25"


def test_unchanged_kpi_has_no_arrow(fixture_db, monkeypatch):
    """6-01 与上期 5-25 相比查摆问题数 15 → 15（持平）：不画箭头；有变化的（逾期 2 → 4）画箭头。"""
    from streamlit.proto.Metric_pb2 import Metric

    from dashboard import ui

    class Col:
        def metric(self, *args, **kw):
            self.kw = kw

    flat, up = Col(), Col()
    ui.kpi(flat, "problems", 15, "持平")
    ui.kpi(up, "overdue", 4, "+2", inverse=True)
    assert (flat.kw["delta_arrow"], up.kw["delta_arrow"]) == ("off", "auto")
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, timeout=90)
    at.query_params["campaign"] = CAMPAIGN_ID
    at.query_params["as_of"] = "2023-06-01"
    at.run()
    by_label = {m.label: m for m in at.metric}
    assert by_label["查摆问题数"].value == "15" and by_label["查摆问题数"].delta == "持平"
    assert by_label["查摆问题数"].proto.direction == Metric.MetricDirection.NONE
    assert by_label["逾期问题"].delta == "+2"
    assert by_label["逾期问题"].proto.direction == Metric.MetricDirection.UP


def test_a_date_without_data_says_so(app):
    at = app(as_of="2023-04-01")
    assert not at.success
    assert any("所选统计日没有数据" in i.value for i in at.info)
    at = app("pages/unit_progress.py", as_of="2023-04-01")
    assert any("所选统计日没有数据" in i.value for i in at.info)
    assert not at.dataframe


def test_leads_stage_and_late_toggle_from_the_url(app):
    at = app("pages/leads.py", as_of="2023-06-25", stage="concluded", only="late")
    t = texts(at)
    assert "清单：线索清单_已办结的线索**　共 3 件（只看超期办结）" in t, t[-600:]
    assert qp(at, "stage") == "concluded" and qp(at, "only") == "late"
    at.toggle(key="ld_only_late").set_value(False).run()
    assert "共 14 件" in texts(at)   # 已办结 14 件（TRUTH）
    assert "only" not in at.query_params


def test_hotspots_selection_and_mode_from_the_url(app):
    at = app("pages/hotspots.py", as_of="2023-06-25", mode="share", hs="unit=taihe", only="overdue")
    assert at.radio(key="hs_mode").value == "占该单位比例"
    assert at.selectbox(key="hs_unit").value == "taihe"
    assert "共 1 个（只看逾期）" in texts(at)      # 太和的逾期问题 1 个
    assert qp(at, "mode") == "share" and qp(at, "hs") == "unit=taihe"


def test_unit_progress_focus_bar_and_bad_unit(app):
    at = app("pages/unit_progress.py", as_of="2023-06-25", focus="funan", up="done.linquan")
    assert at.selectbox(key="up_unit").value == "funan"
    assert "共 6 个，其中计入整改率 3 个" in texts(at)     # 临泉 6 个问题，已整改+已销号 3 个
    assert qp(at, "focus") == "funan" and qp(at, "up") == "done.linquan"
    bad = app("pages/unit_progress.py", as_of="2023-06-25", focus="atlantis")
    assert any("“atlantis”" in w.value and "已改用" in w.value for w in bad.warning)


def test_satisfaction_card_opens_its_units(app):
    at = app(as_of="2023-06-25")
    at.button(key="drill_btn_ov_satisfaction").click().run()
    assert "共 4 个单位，6 份" in texts(at)
    assert qp(at, "ov") == "kpi.satisfaction"


def test_hotspots_long_list_shows_its_first_rows_and_says_so(app, monkeypatch):
    from analytics.page_data import drill
    monkeypatch.setattr(drill, "SHOW_ROWS", 5)
    at = app("pages/hotspots.py", as_of="2023-06-25")
    n = TRUTH[S2]["problems"]  # 16 problems at S2, all units
    assert f"共 {n} 个，显示前 5 个" in texts(at)
    table = next(d.value for d in at.dataframe if len(d.value.columns) > 3 and "问题编号" in " ".join(d.value.columns))
    assert len(table) == 5
