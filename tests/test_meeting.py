"""会议模式：各议题的数字等于测试里独立写的 SQL（夹具库，统计日 S2、上期 S1），督办事项的颜色与剩余工作日
按手算（国庆调休）；页面（AppTest）翻页、URL 的 topic、无效 topic 的说明、每页的“数据截至”与关键数字。
浏览器里的版面（不滚动、不截断、键盘翻页、截图）见 tests/test_meeting_browser.py。"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics import metrics
from analytics.filters import Filters
from analytics.page_data import meeting as md
from dashboard.charts import meeting as mc
from dashboard.meeting_chrome import parse_topic
from tests.fixtures.fixture_db import CAMPAIGN_ID, S1, S2
from tests.signed_in import app_as
from tests.test_browser import sample_db  # noqa: F401 — pytest fixture（示例数据库，两个专项整治）

# 最新一期快照（as_of_date ≤ D，同日两次报送取后一次）里的每个问题；逾期：按日期的期限早于 D 且未整改/整改中
LATEST = """
WITH latest AS (
    SELECT * FROM ledger_snapshots WHERE campaign_id = $cid AND as_of_date <= $d
    QUALIFY row_number() OVER (PARTITION BY unit_id, problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1)
"""
OPEN_OVERDUE_LEADS = """
SELECT unit_id, count(*) FROM leads
WHERE campaign_id = $cid AND coalesce(received_date, assigned_date) <= $d
  AND (concluded_date IS NULL OR concluded_date > $d) AND due_date < $d
GROUP BY 1
"""


def _sql(db, sql: str, **params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def f(fixture_db, q) -> Filters:
    camp = q.run("campaigns").set_index("campaign_id").loc[CAMPAIGN_ID].to_dict()
    camp["campaign_id"] = CAMPAIGN_ID
    units = q.run("units", campaign_id=CAMPAIGN_ID)
    return Filters(CAMPAIGN_ID, S2, S1, campaign=camp, unit_names=dict(zip(units["unit_id"], units["name"], strict=True)))


def _problem_counts(db, d: date) -> tuple[int, int]:
    (n, done), = _sql(db, LATEST + "SELECT count(*), count(*) FILTER (status IN ('已整改', '已销号')) FROM latest",
                      cid=CAMPAIGN_ID, d=d)
    return n, done


# ------------------------------------------------------------------ 1 整体进度
def test_stage_slide_equals_sql(fixture_db, q, f):
    s = md.stage_slide(q.run, f)
    n, done = _problem_counts(fixture_db, S2)
    n1, done1 = _problem_counts(fixture_db, S1)
    fig = {x.label: x for x in s.figures}
    assert fig["查摆问题"].value == f"{n}个" and fig["查摆问题"].good is None   # 多查出问题不算好坏
    assert fig["整改率"].value == metrics.fmt_pct(done / n) == s.completion
    assert fig["整改率"].note == f"已整改 {done}/{n}"
    assert s.completion_delta == metrics.fmt_pp((done / n - done1 / n1) * 100) == "+36.3个百分点"
    assert fig["整改率"].good is True
    (ontime, den), = _sql(fixture_db, """
        SELECT count(*) FILTER (WHERE concluded_date <= $d AND concluded_date <= due_date),
               count(*) FILTER (WHERE concluded_date <= $d OR due_date < $d)
        FROM leads WHERE campaign_id = $cid AND coalesce(received_date, assigned_date) <= $d""", cid=CAMPAIGN_ID, d=S2)
    assert fig["线索按时办结率"].value == metrics.fmt_pct(ontime / den) == "64.7%"
    # 阶段条：方案的工作阶段，统计日所在的为“当前”，之前“已过”、之后“未到”
    stages = _sql(fixture_db, "SELECT name, start_date FROM stages WHERE campaign_id = $cid ORDER BY stage_no",
                  cid=CAMPAIGN_ID)
    assert [x.name for x in s.steps] == [r[0] for r in stages]
    current = max(i for i, r in enumerate(stages) if r[1] <= S2)
    assert [x.state for x in s.steps] == ["已过"] * current + ["当前"] + ["未到"] * (len(stages) - current - 1)
    assert s.stage == stages[current][0]


# ------------------------------------------------------------------ 2 滞后单位
def test_lagging_slide_lists_red_then_yellow_with_reasons(q, f):
    from analytics.page_data.unit_progress import units_with_lagging

    s = md.lagging_slide(q.run, f)
    units = units_with_lagging(q.run, f)
    flagged = units[units["lagging_state"] != "绿"]
    assert (s.n_red, s.n_yellow) == ((flagged["lagging_state"] == "红").sum(), (flagged["lagging_state"] == "黄").sum())
    assert [r.unit_name for r in s.rows] == flagged.sort_values(
        ["lagging_state", "lagging_score", "overdue", "sort_order"], ascending=[False, False, False, True],
        key=lambda c: c.map({"红": 1, "黄": 0}) if c.name == "lagging_state" else c)["unit_name"].tolist()[:md.LAGGING_ROWS]
    for r in s.rows:
        u = units[units["unit_name"] == r.unit_name].iloc[0]
        assert r.score == u["lagging_score"] and r.state == u["lagging_state"]
        assert "、".join(r.reasons) == u["lagging_reasons"]
    prev = units_with_lagging(q.run, f, f.prev_params()).set_index("unit_name")
    assert all(r.prev == f"{prev.loc[r.unit_name, 'lagging_state']}{int(prev.loc[r.unit_name, 'lagging_score'])}分"
               for r in s.rows)
    assert "6 分为红色" in s.rule or "≥ 6" in s.rule


# ------------------------------------------------------------------ 3 县区分布
def test_topics_in_meeting_order():
    assert md.TOPICS == ("整体进度", "滞后单位", "县区分布", "逾期未办", "反弹问题", "满意度靠后", "督办事项")


def _sample_filters(runner, cid: str) -> Filters:
    from dashboard.db import to_date

    camp = runner.run("campaigns").set_index("campaign_id").loc[cid].to_dict()
    camp["campaign_id"] = cid
    as_of = max(to_date(v) for v in runner.run("snapshot_dates", campaign_id=cid)["as_of_date"])
    units = runner.run("units", campaign_id=cid)
    return Filters(cid, as_of, None, campaign=camp, unit_names=dict(zip(units["unit_id"], units["name"], strict=True)))


@pytest.mark.parametrize("cid, n_counties, n_others", [("fuyang-2023", 8, 4), ("haixi-2023", 7, 3)])
def test_map_slide_equals_county_map_data(sample_db, cid, n_counties, n_others):  # noqa: F811
    """两个示例专项整治：地图上的县区、旁边的单位、各自的状态与评分就是 analytics.county_map 的数据（与“县区地图”页
    同一函数），红在前、分高在前；红黄绿个数是两边合计。"""
    from analytics import county_map as cm
    from analytics.queries import QueryRunner

    r = QueryRunner(sample_db)
    try:
        f = _sample_filters(r, cid)
        s = md.map_slide(r.run, f)
        d = cm.county_map_data(r.run, f)
    finally:
        r.close()
    assert s.has_map and s.has_units and s.title == d.config.title
    assert (len(s.counties), len(s.others)) == (n_counties, n_others)
    truth = {row.unit_name: (row.lagging_state, int(row.lagging_score), row.county) for row in d.mapped.itertuples()}
    assert {u.unit_name: (u.state, u.score, u.place) for u in s.counties} == truth
    truth = {row.unit_name: (row.lagging_state, int(row.lagging_score), row.note) for row in d.others.itertuples()}
    assert {u.unit_name: (u.state, u.score, u.place) for u in s.others} == truth
    for units in (s.counties, s.others):
        keys = [({"红": 0, "黄": 1, "绿": 2}[u.state], -u.score) for u in units]
        assert keys == sorted(keys)
    every = pd.concat([d.mapped, d.others])["lagging_state"].value_counts().to_dict()
    assert s.counts == {k: every.get(k, 0) for k in ("红", "黄", "绿")}
    assert s.mapped["code"].tolist() == d.mapped["code"].tolist()


def test_map_slide_on_fixture_db_says_where(q, f):
    """夹具库（阜阳，统计日 S2）：没有红色；7 个县区黄色、阜南县绿色；旁边三个黄色、支队绿色。"""
    from dashboard import meeting_slides as ms

    s = md.map_slide(q.run, f)
    assert s.counts == {"红": 0, "黄": 10, "绿": 2}
    assert [(u.place, u.state) for u in s.counties if u.state == "绿"] == [("阜南县", "绿")]
    assert [(u.unit_name, u.state, u.score) for u in s.others] == [
        ("市交通运输指挥调度中心", "黄", 4), ("局政策法规科", "黄", 4), ("局规划运输科", "黄", 4),
        ("市交通运输综合行政执法支队", "绿", 1)]
    sentence = "没有红色单位；除阜南县外，7个县区都是黄色，另有市交通运输指挥调度中心、局政策法规科、局规划运输科也是黄色"
    assert md.where_sentence(s, mc.short_unit) == sentence
    assert sentence in ms.county_head(s)
    side = ms.county_side(s)
    assert "不在地图上的单位" in side and side.count('class="chip yellow"') == 1 + 3   # 图例一个，表里三个
    assert "不在筛选范围" not in side
    # 只选两个县：其余县区灰色（图例说明），旁边没有单位
    two = Filters(CAMPAIGN_ID, S2, S1, units=("linquan", "funan"), campaign=f.campaign, unit_names=f.unit_names)
    s2 = md.map_slide(q.run, two)
    assert [u.place for u in s2.counties] == ["临泉县", "阜南县"] and not s2.others
    assert "不在筛选范围" in ms.county_side(s2) and "所选单位都在地图上。" in ms.county_side(s2)


def _unit(name, state, score=0, place=""):
    return md.MapUnit(name, state, score, place)


def test_where_sentence_cases():
    def slide(counties, others):
        units = counties + others
        return md.MapSlide(True, True, counties=counties, others=others,
                           counts={s: sum(u.state == s for u in units) for s in ("红", "黄", "绿")})

    c = [_unit("临泉县交通运输局", "红"), _unit("太和县交通运输局", "红"), _unit("颍州区交通运输局", "黄"),
         _unit("阜南县交通运输局", "绿")]
    zd = _unit("市交通运输综合行政执法支队", "红")
    assert md.where_sentence(slide(c, []), mc.short_unit) == "红色单位集中在临泉县、太和县；黄色1个"
    assert md.where_sentence(slide(c, [zd]), mc.short_unit) == \
        "红色单位集中在临泉县、太和县，另有市交通运输综合行政执法支队也是红色；黄色1个"
    green = [_unit(f"{i}县交通运输局", "绿") for i in "甲乙"]
    assert md.where_sentence(slide(green, [zd])) == "地图上没有红色县区，红色单位是市交通运输综合行政执法支队"
    assert md.where_sentence(slide(green, [])) == "各单位均为绿色，没有滞后单位"
    reds = [_unit(f"{i}县", "红") for i in "甲乙丙丁戊"]
    assert md.where_sentence(slide(reds, [])) == "地图上5个县区都是红色"
    assert md.where_sentence(slide(reds + [_unit("己县", "绿")], [])) == "除己县外，5个县区都是红色"


def test_map_slide_without_map_config_says_so(q, f, tmp_path):
    """没有地图配置的专项整治：这一页照样在（各专项整治的页码一致，链接 ?topic=3 总是“县区分布”），说明没有地图。"""
    from dashboard import meeting_slides as ms

    s = md.map_slide(q.run, f, maps_dir=tmp_path)
    assert not s.has_map and not s.counties and not s.others
    assert "本专项整治没有配置县区地图" in ms.county_head(s)


def test_map_chart_is_sized_to_the_slide(q, f):
    """幻灯片的地图：给定像素大小、无边距、无色标（图例写在旁边），缩放级别按这块大小算。"""
    from dashboard.charts.county_map import county_map, view
    from dashboard.meeting_map import LABEL_SIZE, MAP_HEIGHT, MAP_WIDTH

    s = md.map_slide(q.run, f)
    fig = county_map(s.geojson, s.mapped, "lagging", "", width=MAP_WIDTH, height=MAP_HEIGHT, label_size=LABEL_SIZE,
                     show_scale=False)
    assert (fig.layout.width, fig.layout.height) == (MAP_WIDTH, MAP_HEIGHT)
    assert fig.layout.map.zoom == pytest.approx(view(s.geojson, MAP_WIDTH, MAP_HEIGHT)[1])
    assert fig.layout.map.zoom > view(s.geojson)[1]           # 比“县区地图”页左栏的估计宽度大，放得更大
    assert fig.data[1].showscale is False and fig.data[2].textfont.size == LABEL_SIZE


# ------------------------------------------------------------------ 4 逾期未办
def test_overdue_slide_equals_sql(fixture_db, q, f):
    s = md.overdue_slide(q.run, f)
    problems = dict(_sql(fixture_db, LATEST + """SELECT unit_id, count(*) FROM latest
        WHERE deadline_kind = 'date' AND deadline < $d AND status IN ('未整改', '整改中') GROUP BY 1""",
                         cid=CAMPAIGN_ID, d=S2))
    leads = dict(_sql(fixture_db, OPEN_OVERDUE_LEADS, cid=CAMPAIGN_ID, d=S2))
    assert s.overdue == sum(problems.values()) and s.leads_overdue == sum(leads.values())
    assert s.overdue > 0 and s.leads_overdue > 0
    truth = {f.unit_names[u]: (problems.get(u, 0), leads.get(u, 0)) for u in set(problems) | set(leads)}
    shown = {r.unit_name: (r.overdue, r.leads_open_overdue) for r in s.by_unit.itertuples()}
    assert shown == truth if len(truth) <= md.OVERDUE_ROWS else set(shown) < set(truth)
    assert s.by_unit["total"].is_monotonic_decreasing
    prev = sum(dict(_sql(fixture_db, LATEST + """SELECT unit_id, count(*) FROM latest
        WHERE deadline_kind = 'date' AND deadline < $d AND status IN ('未整改', '整改中') GROUP BY 1""",
                         cid=CAMPAIGN_ID, d=S1)).values())
    fig = {x.label: x for x in s.figures}
    assert fig["逾期未整改问题"].delta == metrics.fmt_delta(s.overdue, prev)
    assert fig["逾期未整改问题"].good is (None if s.overdue == prev else s.overdue < prev)


# ------------------------------------------------------------------ 5 反弹问题
def test_relapse_slide_equals_sql(fixture_db, q, f):
    s = md.relapse_slide(q.run, f)
    rows = _sql(fixture_db, LATEST + "SELECT unit_id, category, status FROM latest WHERE is_relapse", cid=CAMPAIGN_ID,
                d=S2)
    assert s.total == len(rows) == 2 and s.new_this_period == 1       # LQ-06 首次出现在 S2
    assert s.units == len({r[0] for r in rows})
    by_unit = {f.unit_names[u]: sum(1 for r in rows if r[0] == u) for u in {r[0] for r in rows}}
    assert dict(zip(s.by_unit["unit_name"], s.by_unit["relapses"], strict=True)) == by_unit
    fig = {x.label: x.value for x in s.figures}
    assert fig["已整改或销号"] == f"{sum(1 for r in rows if r[2] in ('已整改', '已销号'))}个"


# ------------------------------------------------------------------ 6 满意度靠后
def test_satisfaction_slide_bottom_units_equal_sql(fixture_db, q, f):
    s = md.satisfaction_slide(q.run, f)
    (year,), = _sql(fixture_db, "SELECT max(survey_year) FROM survey_responses WHERE campaign_id = $cid "
                    "AND survey_year <= $y", cid=CAMPAIGN_ID, y=S2.year)
    assert s.year == year
    rows = _sql(fixture_db, """SELECT unit_id, count(DISTINCT response_id), avg(score) * 20 FROM survey_responses
        WHERE campaign_id = $cid AND survey_year = $y GROUP BY 1""", cid=CAMPAIGN_ID, y=year)
    (min_n,), = _sql(fixture_db, "SELECT survey_min_responses FROM campaigns WHERE campaign_id = $cid",
                     cid=CAMPAIGN_ID)
    rankable = sorted((r for r in rows if r[1] >= min_n), key=lambda r: r[2])
    assert s.rankable == len(rankable)
    assert sorted(s.unranked) == sorted(f.unit_names[r[0]] for r in rows if r[1] < min_n)
    assert s.bottom["unit_name"].tolist() == [f.unit_names[r[0]] for r in rankable][:md.SATISFACTION_ROWS]
    assert s.bottom["score"].round(6).tolist() == [round(r[2], 6) for r in rankable][:md.SATISFACTION_ROWS]


def test_satisfaction_slide_without_survey(q, f):
    early = Filters(CAMPAIGN_ID, date(2021, 1, 1), None, campaign=f.campaign, unit_names=f.unit_names)
    s = md.satisfaction_slide(q.run, early)
    assert s.year is None and s.bottom.empty


# ------------------------------------------------------------------ 7 督办事项
def _item(i, unit, deadline, status="督办中", title="按期整改"):
    return {"id": i, "campaign_id": CAMPAIGN_ID, "unit_id": unit, "title": title, "deadline": deadline,
            "status": status}


def test_supervision_slide_colours_by_working_days(q, f):
    # 今天 2023-10-09（周一）：9-29～10-06 国庆中秋放假，10-07、10-08 调休上班
    today = date(2023, 10, 9)
    items = pd.DataFrame([
        _item(1, "linquan", date(2023, 10, 10), title="约谈主要负责人" * 4),  # 剩 1 个工作日 → 黄
        _item(2, "taihe", date(2023, 9, 27)),                               # 9-28、10-07、10-08、10-09 → 逾期 4 → 红
        _item(3, "funan", date(2023, 10, 12)),                              # 10-10、10-11、10-12 → 剩 3 → 蓝
        _item(4, "funan", date(2023, 11, 30)),                              # 远 → 无色，不列
        _item(5, "zhidui", date(2023, 9, 1), status="已反馈"),              # 单位已反馈：不计逾期
        _item(6, "zhidui", date(2023, 9, 1), status="已销号"),              # 已销号：不在办
    ])
    s = md.supervision_slide(q.run, f, items, today)
    assert (s.open_items, s.overdue, s.due_soon, s.answered) == (5, 1, 2, 1)
    assert s.rows["colour"].tolist() == ["红", "黄", "蓝"]
    assert s.rows["days_text"].tolist() == ["逾期4个工作日", "剩1个工作日", "剩3个工作日"]
    assert s.rows["unit_name"].tolist() == [f.unit_names[u] for u in ("taihe", "linquan", "funan")]
    assert s.rows["title"].iloc[1] == ("约谈主要负责人" * 4)[:md.TITLE_CHARS - 1] + "…"
    # 即将到期 / 已逾期的问题、线索：按统计日，与督办页的到期预警同一函数
    from analytics.page_data.supervision import early_warning

    w = early_warning(q.run, f)
    assert (s.problems_due_soon, s.leads_due_soon, s.problems_overdue, s.leads_overdue) == (
        len(w.problems_due_soon), len(w.leads_due_soon), len(w.problems_overdue), len(w.leads_overdue))
    assert [x.value for x in s.figures[:3]] == ["1项", "2项", "1项"]


def test_supervision_slide_without_items(q, f):
    from state.supervision import LIST_COLUMNS

    s = md.supervision_slide(q.run, f, pd.DataFrame(columns=LIST_COLUMNS), S2)
    assert s.open_items == 0 and s.rows.empty


def test_slides_before_any_data_say_so(q, f):
    from dashboard import meeting_slides as ms

    early = Filters(CAMPAIGN_ID, date(2023, 1, 2), None, campaign=f.campaign, unit_names=f.unit_names)
    stage = md.stage_slide(q.run, early)
    assert not stage.has_problems and "所选统计日没有数据" in ms.stage(stage)
    assert all(x.state == "未到" for x in stage.steps) and stage.stage == "尚未开始"
    overdue = md.overdue_slide(q.run, early)
    assert not overdue.has_data and "所选统计日没有数据" in ms.overdue(overdue)
    relapse = md.relapse_slide(q.run, early)
    assert relapse.total == 0 and "没有反弹问题" in ms.relapse(relapse)


# ------------------------------------------------------------------ 版块与页码
def test_short_unit_names_and_topic_parsing():
    assert mc.short_unit("乌兰县建设和交通运输局") == "乌兰县"
    assert mc.short_unit("大柴旦行委建设和交通运输局") == "大柴旦行委"
    assert mc.short_unit("颍州区交通运输局") == "颍州区"
    assert mc.short_unit("市交通运输综合行政执法支队") == "市交通运输综合行政执法支队"
    assert mc.short_unit("州交通运输局运输管理科") == "州交通运输局运输管理科"
    assert [parse_topic(v, 6) for v in ("3", " 6 ", "0", "7", "abc", None)] == [3, 6, None, None, None, None]


def test_delta_colours_and_no_arrow_on_flat():
    assert mc.delta_html("持平", None) == '<span class="flat">较上期 持平</span>'
    assert "↑+5" in mc.delta_html("+5", False) and 'class="bad"' in mc.delta_html("+5", False)
    assert "↓-0.1个百分点" in mc.delta_html("-0.1个百分点", False)
    assert mc.delta_html(None, None) == ""


def test_html_escapes_data_text():
    html = mc.table([("单位", "")], [[(mc.chip("红"), "")]]) + mc.stacked_bars([("<b>x</b>", [1, 2], "a&b")],
                                                                                mc.OVERDUE_COLOURS, ["问题", "线索"])
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "a&amp;b" in html


# ------------------------------------------------------------------ 页面（AppTest）
def _html(at) -> str:
    return " ".join(e.proto.body for e in at.get("html"))


@pytest.fixture()
def app(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, role="leader", timeout=60)
    at.run()
    assert not at.exception
    return at


def test_page_pages_through_topics(app, fixture_db):
    at = app.switch_page("pages/meeting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    n, done = _problem_counts(fixture_db, S2)
    for t, title in enumerate(md.TOPICS, start=1):
        assert at.title[0].value == title
        assert f"{t}/{len(md.TOPICS)}" in _html(at)
        assert f"数据截至 {S2:%Y-%m-%d}" in _html(at)
        assert at.query_params["topic"] in (str(t), [str(t)])
        if t == 1:
            assert f"整改率{metrics.fmt_pct(done / n)}" in _html(at)
        if title == "县区分布":   # 地图（plotly）在左，旁边是不在地图上的单位
            assert len(at.get("plotly_chart")) == 1 and "除阜南县外，7个县区都是黄色" in _html(at)
            assert "市交通运输综合行政执法支队" in _html(at)
        else:
            assert not at.get("plotly_chart")
        if t < len(md.TOPICS):
            at.button(key="mt_next").click().run()
            assert not at.exception, (t, [e.value for e in at.exception])
    assert at.button(key="mt_next").disabled
    at.button(key="mt_prev").click().run()
    assert at.title[0].value == md.TOPICS[-2]


def test_page_opens_topic_from_url_and_explains_a_bad_one(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, role="office", timeout=60)
    at.query_params["topic"] = "4"
    at.run()
    at.switch_page("pages/meeting.py").run()
    assert at.title[0].value == md.TOPICS[3] == "逾期未办"
    problems = _sql(fixture_db, LATEST + """SELECT count(*) FROM latest
        WHERE deadline_kind = 'date' AND deadline < $d AND status IN ('未整改', '整改中')""", cid=CAMPAIGN_ID, d=S2)
    assert f"逾期问题{problems[0][0]}个" in _html(at)

    at2 = app_as(monkeypatch, role="office", timeout=60, username="office-2")
    at2.query_params["topic"] = "9"
    at2.run()
    at2.switch_page("pages/meeting.py").run()
    assert at2.title[0].value == md.TOPICS[0]
    assert any("页码“9”无效" in t.value for t in at2.toast)
