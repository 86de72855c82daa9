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
        for k, v in {"campaign": CAMPAIGN_ID, **query}.items():
            at.query_params[k] = v
        at.run()
        if page != "pages/overview.py":
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
