"""到期预警、红黑榜、连续红色（analytics/page_data/supervision.py）：与独立的 SQL + 工作日计算、手算的值对照。

夹具库（tests/fixtures/fixture_db.py）的期限跨 2023 年端午：6-22（周四）～6-24 放假，6-25（周日）调休上班。
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics.filters import Filters
from analytics.page_data.supervision import (
    early_warning,
    items_with_escalation,
    red_streaks,
    report_dates,
    roll_call,
    rules_for,
    supervision_data,
)
from analytics.queries import QueryRunner
from etl.normalize.workdays import working_days_between
from tests._reports_common import build_sample_db

CID = "fuyang-2023"
RULES = rules_for(CID)
# 独立的口径：最新一期快照、状态取值直接写出（不用 etl/sql/views.sql 的宏）
OPEN_PROBLEMS = """
WITH snap AS (
    SELECT * FROM ledger_snapshots WHERE campaign_id = $c AND as_of_date <= CAST($d AS DATE)
    QUALIFY row_number() OVER (PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1
)
SELECT problem_id, unit_id, deadline FROM snap
WHERE deadline_kind = 'date' AND status IN ('未整改', '整改中')
"""
OPEN_LEADS = """
SELECT lead_id, unit_id, due_date FROM leads
WHERE campaign_id = $c AND coalesce(received_date, assigned_date) <= CAST($d AS DATE)
  AND (concluded_date IS NULL OR concluded_date > CAST($d AS DATE)) AND due_date IS NOT NULL
"""


@pytest.fixture(scope="module")
def runner(fixture_db):
    r = QueryRunner(fixture_db)
    yield r
    r.close()


def _filters(runner, as_of: date, cid: str = CID) -> Filters:
    camps = runner.run("campaigns")
    return Filters(cid, as_of, None, campaign=camps[camps["campaign_id"] == cid].iloc[0].to_dict())


def _truth(db, sql: str, as_of: date, within: int) -> tuple[dict, dict]:
    """(逾期 {id: (unit, 逾期工作日)}, 即将到期 {id: (unit, 剩余工作日)})：独立 SQL + working_days_between。"""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(sql, {"c": CID, "d": as_of}).fetchall()
    finally:
        con.close()
    overdue = {i: (u, working_days_between(d, as_of)) for i, u, d in rows if d < as_of}
    soon = {i: (u, working_days_between(as_of, d)) for i, u, d in rows
            if d >= as_of and working_days_between(as_of, d) <= within}
    return overdue, soon


def _listed(df: pd.DataFrame, key: str, sign: int) -> dict:
    return {r[key]: (r["unit_id"], sign * int(r["working_days_left"])) for _, r in df.iterrows()}


@pytest.mark.parametrize("as_of", [date(2023, 5, 25), date(2023, 6, 16), date(2023, 6, 20), date(2023, 6, 21),
                                   date(2023, 6, 25), date(2023, 6, 26)])
def test_early_warning_lists_equal_independent_sql(fixture_db, runner, as_of):
    w = early_warning(runner.run, _filters(runner, as_of))
    assert w.within_days == RULES.blue_within == 3
    po, ps = _truth(fixture_db, OPEN_PROBLEMS, as_of, 3)
    lo, ls = _truth(fixture_db, OPEN_LEADS, as_of, 3)
    assert _listed(w.problems_overdue, "problem_id", -1) == po
    assert _listed(w.problems_due_soon, "problem_id", 1) == ps
    assert _listed(w.leads_overdue, "lead_id", -1) == lo
    assert _listed(w.leads_due_soon, "lead_id", 1) == ls
    counts = {r["unit_id"]: (r["problems_overdue"], r["problems_due_soon"], r["leads_overdue"], r["leads_due_soon"])
              for _, r in w.by_unit.iterrows()}
    units = {u for d in (po, ps, lo, ls) for u, _ in d.values()}
    assert counts == {u: tuple(sum(1 for x, _ in d.values() if x == u) for d in (po, ps, lo, ls)) for u in units}
    assert set(w.problems_overdue["colour"]) <= {"红"}
    assert not {"complainant_masked", "phone_masked", "complainant_key"} & set(w.leads_due_soon.columns)


def test_hand_checked_lists_on_dragon_boat_week(runner):
    """6-20（周二）：L05 期限 6-26，之后的工作日 6-21、6-25（调休）、6-26 → 剩 3 天，蓝；L10、FN-02 期限当天 → 黄。"""
    w = early_warning(runner.run, _filters(runner, date(2023, 6, 20)))
    by_no = {r["lead_id"][-5:-1]: (int(r["working_days_left"]), r["colour"]) for _, r in w.leads_due_soon.iterrows()}
    assert by_no == {"0005": (3, "蓝"), "0010": (0, "黄"), "0017": (3, "蓝")}
    assert [(r["problem_id"], int(r["working_days_left"]), r["colour"]) for _, r in w.problems_due_soon.iterrows()] \
        == [("FN-02", 0, "黄")]
    # 逾期：LQ-03 期限 6-15（周四），之后 6-16、6-19、6-20 → 逾期 3 个工作日
    lq03 = w.problems_overdue.set_index("problem_id").loc["LQ-03"]
    assert (int(lq03["working_days_left"]), lq03["colour"]) == (-3, "红")


@pytest.mark.parametrize("as_of,left,colour", [
    (date(2023, 6, 19), 4, None), (date(2023, 6, 20), 3, "蓝"), (date(2023, 6, 21), 2, "蓝"),
    (date(2023, 6, 22), 2, "蓝"), (date(2023, 6, 24), 2, "蓝"), (date(2023, 6, 25), 1, "黄"),
    (date(2023, 6, 26), 0, "黄"), (date(2023, 6, 27), -1, "红")])
def test_colour_of_a_lead_across_the_holiday(runner, as_of, left, colour):
    """L05（临泉，期限 6-26 周一）：蓝从 6-20 起，端午三天仍剩 2 天，黄从 6-25（周日调休上班）起，6-27 红。"""
    f = _filters(runner, as_of)
    w = early_warning(runner.run, f, within_days=10)
    listed = w.leads_overdue if as_of > date(2023, 6, 26) else w.leads_due_soon
    r = listed[listed["lead_id"].str.endswith("0005号")].iloc[0]
    assert (int(r["working_days_left"]), r["colour"]) == (left, colour)
    assert bool(r["overdue"]) == (as_of > date(2023, 6, 26))


def test_scoped_runner_sees_only_its_unit(runner):
    f = _filters(runner, date(2023, 6, 25))
    w = early_warning(runner.scoped("taihe").run, f)
    assert set(w.by_unit["unit_id"]) == {"taihe"}
    assert sorted(w.problems_overdue["problem_id"]) == ["TH-02"]
    assert len(w.leads_overdue) == 2


def test_roll_call_on_fixture(runner):
    """6-25：临泉 3/6、太和 3/5 上黑榜（< 85%）；阜南 3 个、支队 2 个问题少于最少件数 5，不参与；无红榜。"""
    data = supervision_data(runner.run, _filters(runner, date(2023, 6, 25)))
    roll = data.roll
    assert roll.honor.empty
    assert [(r["unit_id"], r["num"], r["den"]) for _, r in roll.black.iterrows()] == [("linquan", 3, 6), ("taihe", 3, 5)]
    assert sorted(roll.unranked["unit_id"]) == ["funan", "zhidui"]
    assert roll.rule == "红榜：整改率 ≥ 90%；黑榜：整改率 < 85%。"
    assert "交办后 5 个工作日" in data.rules_text and data.streak_periods == 2


def test_roll_call_thresholds_are_inclusive_as_configured():
    units = pd.DataFrame({"unit_id": list("abcde"), "unit_name": list("甲乙丙丁戊"),
                          "done": [9, 17, 18, 8, 1], "problems": [10, 20, 20, 10, 2]})
    roll = roll_call(units, RULES, min_items=5)
    assert list(roll.honor["unit_id"]) == ["c", "a"]        # 90% 恰好入红榜；同率分母大的在前
    assert list(roll.black["unit_id"]) == ["d"]             # 85% 不入黑榜，80% 入
    assert list(roll.unranked["unit_id"]) == ["e"]


def test_report_dates_are_the_weekly_brief_dates():
    assert report_dates(date(2023, 9, 21), 4, date(2023, 8, 30)) == [
        date(2023, 9, 21), date(2023, 9, 14), date(2023, 9, 7), date(2023, 8, 31)]
    assert report_dates(date(2023, 9, 25), 4, None, 3) == [date(2023, 9, 25), date(2023, 9, 21), date(2023, 9, 14)]


@pytest.fixture(scope="module")
def sample_runner(tmp_path_factory):
    r = QueryRunner(build_sample_db(tmp_path_factory.mktemp("warn_db")))
    yield r
    r.close()


@pytest.mark.parametrize("cid", ["fuyang-2023", "haixi-2023"])
def test_red_streaks_follow_the_lagging_state_of_each_period(sample_runner, cid):
    """每期单独算滞后评分（unit_progress + analytics.lagging），从本期往前数连续红色的期数。"""
    from analytics import lagging

    f = _filters(sample_runner, date(2023, 9, 21), cid)
    streaks = red_streaks(sample_runner.run, f, rules_for(cid))
    first = pd.Timestamp(sample_runner.run("snapshot_dates", campaign_id=cid)["as_of_date"].min()).date()
    states = {}
    for d in report_dates(f.as_of, 4, first):
        u = lagging.add_lagging(sample_runner.run("unit_progress", **f.params(as_of=d)), f.min_items,
                                lagging.for_campaign(cid))
        states[d] = dict(zip(u["unit_id"], u["lagging_state"], strict=True))
    dates = sorted(states, reverse=True)
    expected = {}
    for unit in states[dates[0]]:
        n = 0
        while n < len(dates) and states[dates[n]].get(unit) == "红":
            n += 1
        if n >= rules_for(cid).red_streak_periods:
            expected[unit] = (n, dates[n - 1])
    assert {r["unit_id"]: (r["streak"], r["since"]) for _, r in streaks.iterrows()} == expected
    assert expected, "示例数据应有连续红色的单位"


def test_items_get_colour_and_derived_overdue():
    items = pd.DataFrame({"id": [1, 2, 3, 4], "deadline": [date(2023, 6, 21), date(2023, 6, 26), date(2023, 6, 19),
                                                           date(2023, 6, 19)],
                          "status": ["督办中", "已反馈", "已销号", "已核查"]})
    out = items_with_escalation(items, date(2023, 6, 20), RULES)
    # 只有单位尚未反馈的（督办中）按期限标色、算逾期
    assert list(out["colour"]) == ["黄", None, None, None]
    assert list(out["state_label"]) == ["督办中", "已反馈", "已销号", "已核查"]
    assert list(out["working_days_left"]) == [1, 3, -1, -1]
    late = items_with_escalation(items, date(2023, 6, 27), RULES)
    assert list(late["colour"]) == ["红", None, None, None]
    assert list(late["state_label"]) == ["督办中（逾期）", "已反馈", "已销号", "已核查"]
