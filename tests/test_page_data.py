"""analytics/page_data（每页的数据函数）在夹具库上：页面显示的数字，逐个按夹具手算或用独立的 SQL 核对。
夹具见 tests/fixtures/fixture_db.py：统计日 S2 = 2023-06-25，上一个台账快照 2023-05-28。"""
import subprocess
import sys
from dataclasses import replace
from datetime import date

import duckdb
import pytest

from analytics.page_data import data_admin, hotspots, leads, overview, relapse, satisfaction, unit_progress
from dashboard.filters import Filters
from tests.fixtures.fixture_db import CAMPAIGN_ID, S2

PREV = date(2023, 5, 28)


@pytest.fixture(scope="module")
def run(q):  # conftest's runner on the fixture database
    return q.run


@pytest.fixture(scope="module")
def f(run):
    camps = run("campaigns")
    camp = camps[camps["campaign_id"] == CAMPAIGN_ID].iloc[0].to_dict()
    units = run("units", campaign_id=CAMPAIGN_ID)
    return Filters(campaign_id=CAMPAIGN_ID, as_of=S2, prev_as_of=PREV, campaign=camp,
                   unit_names=dict(zip(units["unit_id"], units["name"], strict=True)))


def _sql(db, sql, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_page_data_imports_no_streamlit():
    code = ("import sys, analytics.page_data.overview, analytics.page_data.unit_progress, "
            "analytics.page_data.hotspots, analytics.page_data.relapse, analytics.page_data.satisfaction, "
            "analytics.page_data.leads, analytics.page_data.data_admin; "
            "print(' '.join(m for m in sys.modules if m.split('.')[0] == 'streamlit'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_overview_kpis_and_deltas(run, f):
    d = overview.overview_data(run, f)
    assert int(d.kpi["problems"]) == 16 and int(d.kpi_prev["problems"]) == 15
    assert d.deltas["problems"] == "+1"
    assert d.deltas["done"] == "+6"                       # 9 at S2, 3 at the previous snapshot
    # 9/16 = 56.25% vs 3/15 = 20% → +36.25 pp
    assert d.deltas["completion"] == "+36.3个百分点"
    assert d.deltas["leads_open_overdue"] == "+3"
    # satisfaction: 2023 = 118/30×20 = 78.67 (6 questionnaires), 2022 = 35/10×20 = 70.0
    assert (d.satisfaction.value, d.satisfaction.delta, d.satisfaction.label, d.satisfaction.previous_year) == (
        "78.7分", "+8.7分", "满意度得分（2023年，6份）", 2022)
    assert set(d.lagging["lagging_state"]) <= {"红", "黄"}
    assert d.n_red + d.n_yellow == len(d.lagging)
    assert d.next_due == S2 and d.stage_end == date(2023, 10, 20)


def test_overview_without_previous_snapshot(run, f):
    d = overview.overview_data(run, replace(f, prev_as_of=None))
    assert d.kpi_prev is None and set(d.deltas.values()) == {None}


def test_unit_progress(run, f, fixture_db):
    d = unit_progress.unit_progress_data(run, f)
    assert len(d.units) == 12 and len(d.table) == 12
    # min_items 5: only 临泉 (3/6) and 太和 (3/5) have enough problems to be ranked
    assert [(r.unit_id, int(r.done), int(r.problems)) for r in d.lowest.itertuples()] == [
        ("linquan", 3, 6), ("taihe", 3, 5)]
    assert d.unit_row("funan")["reports_missed"] == 1      # the 4-15 report came on 4-20
    assert d.reports_missed == int(d.units["reports_missed"].sum())
    assert sorted(d.detail_unit_ids) == ["funan", "linquan", "taihe", "zhidui"]
    detail = unit_progress.unit_detail(run, f, "linquan")
    assert len(detail.problems) == 6
    (n_leads,), = _sql(fixture_db, "SELECT count(*) FROM leads WHERE unit_id = 'linquan' AND received_date <= ?", S2)
    assert len(detail.leads) == n_leads == 6


def test_hotspots_options_and_drilldown(run, f):
    d = hotspots.hotspots_data(run, f)
    assert d.unit_options[0] == "" and len(d.unit_options) == 13          # "" + 12 configured units
    assert d.category_options[0] == "" and d.channel_options[0] == ""
    assert "12345热线" in d.channel_options
    assert len(hotspots.hotspot_problems(run, f, unit="linquan")) == 6
    # 12345热线 at S2: LQ-02, TH-02, TH-04 (ZD-* are not in the S2 snapshot)
    assert len(hotspots.hotspot_problems(run, f, channel="12345热线")) == 3


def test_relapse_new_this_period(run, f):
    d = relapse.relapse_data(run, f)
    # LQ-06 first reported at S2 (after 5-28), FN-03 already on 5-25; FN-03 is 已整改
    assert (d.total, d.new_this_period, d.units, d.done) == (2, 1, 2, 1)
    assert relapse.relapse_data(run, replace(f, prev_as_of=None)).new_this_period == 2
    assert relapse.new_this_period([date(2023, 5, 28), date(2023, 5, 29), None], S2, PREV) == 1


def test_satisfaction_table_and_layout(run, f):
    years = satisfaction.survey_years(run, f)
    assert years.years == [2023, 2022] and years.responses == {2023: 6, 2022: 2}
    d = satisfaction.satisfaction_data(run, f, 2023)
    assert d.respondents == 6 and len(d.insufficient) == 4 and d.low.empty   # all below 30 questionnaires
    # 太和 2023: (15 + 15) / 10 answers = 3.0 → 60.0, below 80: listed for reference only
    assert d.weak_small["unit_name"].tolist() == ["太和县交通运输局"]
    assert d.table["状态"].tolist() == ["样本不足"] * 4
    # 单位 column: 市交通运输综合行政执法支队 13 汉字 × 14 + 16 = 198 px; 说明 “样本不足（1份，少于30份），不排名”
    # 15 full-width × 14 + 3 digits × 0.56 × 14 = 233.52 → 234, + 16 = 250 px, fits in 880 − 562 = 318 px: no wrapping
    assert d.layout.widths["单位"] == 198
    assert (d.layout.reason_width, d.layout.wrap, d.layout.row_height, d.layout.height) == (250, False, 35, "auto")
    # year over year: 太和 80.0 → 60.0 first (largest drop), 临泉 60.0 → 86.0
    assert d.change[["单位", "变化（分）"]].values.tolist() == [["太和县交通运输局", "-20.0"],
                                                          ["临泉县交通运输局", "+26.0"]]
    assert d.worst_dimension["unit_name"] == "太和县交通运输局" and round(d.worst_dimension["score"], 1) == 50.0


def test_leads(run, f):
    d = leads.leads_data(run, f)
    assert int(d.summary["received"]) == 19 and d.limit_days == 5
    taihe = d.unit_table[d.unit_table["单位"] == "太和县交通运输局"].iloc[0]
    assert (taihe["按时办结率"], taihe["反馈率"]) == ("50.0%（3/6）", "75.0%（3/4）")
    # open and past due at S2: L04, L09 (due 6-19), L10 (due 6-20, concluded 6-26). Working days after 6-19
    # up to 6-25: 6-20, 6-21 and Sunday 6-25 (调休上班; 6-22/23 端午) = 3
    assert d.overdue.total == 3 and d.overdue.max_age == 3
    assert d.overdue.table["线索编号"].tolist() == [f"阜交专办〔2023〕00{n}号" for n in ("04", "09", "10")]
    assert d.overdue.table["超期工作日"].tolist() == [3, 3, 2]
    assert list(d.funnel["leads"]) == [19, 19, 14, 11]
    assert len(d.repeat) == 1                                        # k-aaa: L01 and L04


def test_data_admin(run, f, fixture_db):
    d = data_admin.data_admin_data(run, f)
    # the fixture's one error (2023年2月30日) carries the old English severity "error"
    (n_err,), = _sql(fixture_db, "SELECT count(*) FROM load_errors WHERE campaign_id = ? AND severity = 'error'",
                     CAMPAIGN_ID)
    assert d.n_errors == n_err == 1 and d.n_warnings == 0
    assert d.errors[["级别", "原值"]].values.tolist() == [["错误", "2023年2月30日"]]
    counts = d.report_counts.set_index("单位")
    assert counts.loc["阜南县交通运输局"].tolist() == [2, 1, 0, 0]               # 4-15 late (4-20)
    assert counts.loc["市交通运输综合行政执法支队"].tolist() == [2, 0, 0, 1]     # 6-25 pending until 6-28
    assert counts.loc["颍上县交通运输局"].tolist() == [0, 0, 2, 1]               # no data at all
    assert "阜南县交通运输局" in set(d.late_units["单位"]) and "临泉县交通运输局" not in set(d.late_units["单位"])
    assert len(d.submissions) == 18 and "submission_id" not in d.submissions
