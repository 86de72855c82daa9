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


# ------------------------------------------------------------------ 3 逾期未办
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


# ------------------------------------------------------------------ 4 反弹问题
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


# ------------------------------------------------------------------ 5 满意度靠后
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


# ------------------------------------------------------------------ 6 督办事项
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
        if t < len(md.TOPICS):
            at.button(key="mt_next").click().run()
            assert not at.exception, (t, [e.value for e in at.exception])
    assert at.button(key="mt_next").disabled
    at.button(key="mt_prev").click().run()
    assert at.title[0].value == md.TOPICS[-2]


def test_page_opens_topic_from_url_and_explains_a_bad_one(fixture_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, role="office", timeout=60)
    at.query_params["topic"] = "3"
    at.run()
    at.switch_page("pages/meeting.py").run()
    assert at.title[0].value == md.TOPICS[2]
    problems = _sql(fixture_db, LATEST + """SELECT count(*) FROM latest
        WHERE deadline_kind = 'date' AND deadline < $d AND status IN ('未整改', '整改中')""", cid=CAMPAIGN_ID, d=S2)
    assert f"逾期问题{problems[0][0]}个" in _html(at)

    at2 = app_as(monkeypatch, role="office", timeout=60, username="office-2")
    at2.query_params["topic"] = "9"
    at2.run()
    at2.switch_page("pages/meeting.py").run()
    assert at2.title[0].value == md.TOPICS[0]
    assert any("页码“9”无效" in t.value for t in at2.toast)
