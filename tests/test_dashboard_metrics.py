"""口径测试：queries/*.sql 在夹具库上的结果等于手算的真值（tests/fixtures/fixture_db.py）。"""
from datetime import date

import pytest

from analytics import lagging, metrics
from analytics.comparison import REPORT_PERIOD, previous_date
from dashboard.db import QueryError, QueryRunner, bind, query_names
from tests.fixtures.fixture_db import (
    CAMPAIGN_ID,
    S1,
    S2,
    SATISFACTION,
    TRUTH,
    UNIT_TRUTH_S2,
)


@pytest.fixture(scope="module")
def runner(fixture_db):
    r = QueryRunner(fixture_db)
    yield r
    r.close()


def params(as_of=S2, units=(), categories=(), channels=(), **extra):
    return dict(campaign_id=CAMPAIGN_ID, as_of=as_of, units=list(units),
                categories=list(categories), channels=list(channels), **extra)


ALL_PARAMS = params(unit_id="linquan", sel_unit="", sel_category="", sel_manifestation="",
                    sel_channel="")


# the queries behind 总览 / 县区进度 / 问题热点 / 反弹问题 and the sidebar (other pages test theirs)
MY_QUERIES = ["campaigns", "units", "category_options", "channel_options", "snapshot_dates",
              "kpi_overview", "satisfaction_overview", "unit_progress", "ledger_report_punctuality",
              "completion_trend", "unit_trend", "stage_timeline", "next_deadline", "unit_problems",
              "problem_history", "unit_leads", "hotspot_matrix", "manifestation_pareto",
              "channel_mix", "problems_list", "relapse_counts", "relapse_trend", "relapse_list"]


def test_my_queries_exist():
    assert set(MY_QUERIES) <= set(query_names())


@pytest.mark.parametrize("name", MY_QUERIES)
def test_every_query_runs(runner, name):
    df = runner.run(name, **ALL_PARAMS)
    assert df is not None


def test_missing_param_is_a_chinese_error():
    with pytest.raises(QueryError, match="缺少参数"):
        bind("SELECT $campaign_id, $as_of", {"campaign_id": "x"})


@pytest.mark.parametrize("as_of", [S1, S2])
def test_kpi_overview_matches_truth(runner, as_of):
    t = TRUTH[as_of]
    k = runner.run("kpi_overview", **params(as_of)).iloc[0]
    for key in ("problems", "rectified", "closed", "done", "overdue", "relapse", "leads_received",
                "leads_concluded", "leads_open_overdue"):
        assert k[key] == t[key], key
    assert (k["leads_ontime"], k["leads_ontime_den"]) == t["ontime"]
    assert (k["leads_feedback"], k["leads_concluded"]) == t["feedback"]
    assert (k["leads_found"], k["leads_with_finding"]) == t["substantiated"]


def test_as_of_between_snapshots_uses_latest_earlier_snapshot(runner):
    # 6-01: statuses from 5-25, but overdue judged against 6-01 (LQ-02 and ZD-01 due 5-31)
    k = runner.run("kpi_overview", **params(date(2023, 6, 1))).iloc[0]
    t = TRUTH[date(2023, 6, 1)]
    assert (k["problems"], k["done"], k["overdue"]) == (t["problems"], t["done"], t["overdue"])


def test_resubmission_same_day_latest_wins(runner):
    p = runner.run("unit_problems", **params(unit_id="taihe"))
    assert p.set_index("problem_id").loc["TH-04", "status"] == "已整改"


def test_carried_forward_when_unit_did_not_report(runner):
    p = runner.run("unit_problems", **params(unit_id="zhidui")).set_index("problem_id")
    assert p.loc["ZD-01", "status"] == "整改中" and bool(p.loc["ZD-01", "is_overdue"])
    assert str(p.loc["ZD-01", "last_reported"].date()) == "2023-05-25"


def test_rates_and_pp_change(runner):
    cur = runner.run("kpi_overview", **params(S2)).iloc[0]
    prev = runner.run("kpi_overview", **params(S1)).iloc[0]
    assert metrics.fmt_rate(cur["done"], cur["problems"]) == "56.3%（9/16）"
    assert metrics.fmt_rate(cur["closed"], cur["problems"]) == "18.8%（3/16）"
    pp = metrics.pp_change(metrics.rate(cur["done"], cur["problems"]),
                           metrics.rate(prev["done"], prev["problems"]))
    assert pp == pytest.approx(56.25 - 20.0)
    assert metrics.fmt_pp(pp) == "+36.3个百分点"
    ot = metrics.pp_change(11 / 17, 4 / 6)
    assert metrics.fmt_pp(ot) == "-2.0个百分点"
    assert metrics.fmt_rate(cur["leads_ontime"], cur["leads_ontime_den"]) == "64.7%（11/17）"


def test_formatters():
    assert metrics.fmt_rate(21, 29) == "72.4%（21/29）"
    assert metrics.fmt_rate(0, 0) == "—（0/0）"
    assert metrics.fmt_pp(3.2) == "+3.2个百分点"
    assert metrics.fmt_pp(0.01) == "持平"
    assert metrics.fmt_pp(None) is None
    assert metrics.fmt_delta(5, 2) == "+3" and metrics.fmt_delta(2, 2) == "持平"


def test_unit_progress_matches_truth(runner):
    df = runner.run("unit_progress", **params(S2)).set_index("unit_id")
    assert len(df) == 12  # all configured units, with or without data
    for uid, t in UNIT_TRUTH_S2.items():
        r = df.loc[uid]
        assert (r["problems"], r["done"], r["closed"], r["overdue"], r["relapse"]) == (
            t["problems"], t["done"], t["closed"], t["overdue"], t["relapse"]), uid
        assert (r["leads_ontime"], r["leads_ontime_den"]) == t["ontime"], uid
        assert (r["leads_feedback"], r["leads_concluded"]) == t["feedback"], uid
        assert r["reports_missed"] == t["missed"], uid
    # a unit with no data at all: 4-15 and 5-25 missed, 6-25 still within grace → pending
    assert (df.loc["yingshang", "reports_missed"], df.loc["yingshang", "reports_pending"]) == (2, 1)
    # zhidui misses 6-25 only once the grace window (to 6-28) has closed
    later = runner.run("unit_progress", **params(date(2023, 6, 29))).set_index("unit_id")
    assert later.loc["zhidui", "reports_missed"] == 1


def test_unit_filter_list_param(runner):
    k = runner.run("kpi_overview", **params(S2, units=["linquan", "funan"])).iloc[0]
    assert (k["problems"], k["done"], k["overdue"]) == (9, 5, 3)
    assert (k["leads_ontime"], k["leads_ontime_den"]) == (5, 7)
    up = runner.run("unit_progress", **params(S2, units=["linquan", "funan"]))
    assert sorted(up["unit_id"]) == ["funan", "linquan"]


def test_category_and_channel_filters(runner):
    k = runner.run("kpi_overview", **params(S2, categories=["执法不规范"])).iloc[0]
    assert k["problems"] == 4  # LQ-02, LQ-03, TH-02, ZD-01
    assert k["overdue"] == 3   # LQ-03, TH-02, ZD-01
    k = runner.run("kpi_overview", **params(S2, channels=["自查自纠"])).iloc[0]
    assert k["problems"] == 6 and k["leads_received"] == 0


def test_completion_trend(runner):
    t = runner.run("completion_trend", **params(S2))
    assert [str(d.date()) for d in t["snap_date"]] == ["2023-05-25", "2023-06-25"]
    assert t["problems"].tolist() == [15, 16]
    assert t["done"].tolist() == [3, 9]
    assert t["overdue"].tolist() == [2, 5]
    assert t["completion"].tolist() == pytest.approx([0.2, 0.5625])


def test_relapse(runner):
    c = runner.run("relapse_counts", **params(S2))
    assert c["relapses"].sum() == TRUTH[S2]["relapse"]
    lst = runner.run("relapse_list", **params(S2)).set_index("problem_id")
    assert lst.loc["LQ-06", "relapse_of"] == "LQ-04"
    assert lst.loc["LQ-06", "earlier_status"] == "已销号"
    assert str(lst.loc["LQ-06", "earlier_done_date"].date()) == "2023-05-25"
    assert not bool(lst.loc["FN-03", "earlier_found"])
    tr = runner.run("relapse_trend", **params(S2))
    assert tr["relapses"].tolist() == [1, 2] and tr["new_relapses"].tolist() == [1, 1]


def test_hotspots(runner):
    m = runner.run("hotspot_matrix", **params(S2))
    assert m["problems"].sum() == 16
    cell = m[(m["category"] == "执法不规范") & (m["unit_id"] == "linquan")]
    assert cell["problems"].item() == 2
    par = runner.run("manifestation_pareto", **params(S2))
    assert par.iloc[0]["manifestation_code"] == "F05" and par.iloc[0]["problems"] == 3
    assert par["cum_share"].iloc[-1] == pytest.approx(1.0)
    lst = runner.run("problems_list", **params(S2, sel_unit="linquan", sel_category="执法不规范",
                                               sel_manifestation="", sel_channel=""))
    assert sorted(lst["problem_id"]) == ["LQ-02", "LQ-03"]


def test_satisfaction(runner):
    s = runner.run("satisfaction_overview", **params(S2))
    assert s["survey_year"].tolist() == [2023, 2022]
    assert s["score"].tolist() == pytest.approx([SATISFACTION[2023], SATISFACTION[2022]])
    assert s["responses"].tolist() == [6, 2]


def test_lagging_rule():
    import pandas as pd

    rows = pd.DataFrame([
        dict(unit_name="甲", problems=10, done=4, overdue=3, leads_ontime=2, leads_ontime_den=10,
             leads_feedback=3, leads_concluded=6, reports_missed=1, self_inspection=0,
             leads_received=10),
        dict(unit_name="乙", problems=10, done=9, overdue=0, leads_ontime=9, leads_ontime_den=10,
             leads_feedback=6, leads_concluded=6, reports_missed=0, self_inspection=2,
             leads_received=10),
        dict(unit_name="丙", problems=3, done=0, overdue=1, leads_ontime=0, leads_ontime_den=2,
             leads_feedback=0, leads_concluded=2, reports_missed=0, self_inspection=1,
             leads_received=2),
    ])
    out = lagging.add_lagging(rows, min_items=5)
    # rule revised (red = press/summon now; lead lateness weighs less, overdue share more):
    # 甲: 整改率40%→2, 逾期3/10=30%→3, 按时20%→1, 反馈50%→1, 漏报1次→2, 自查0且线索10→1 = 10
    # 丙: 问题3个 < 5 → 整改率、比率不计分；逾期按个数 1→1 = 1
    assert out["lagging_score"].tolist() == [10, 0, 1]
    assert out["lagging_state"].tolist() == ["红", "绿", "绿"]
    assert out.loc[0, "lagging_reasons"] == ("整改率低2分、逾期问题3分、报送不及时2分、线索超期1分、"
                                             "未反馈1分、自查不实1分")
    # thresholds: ≥6 red, 4–5 yellow, ≤3 green
    assert [lagging.lagging_state(s) for s in (6, 5, 4, 3, 0)] == ["红", "黄", "黄", "绿", "绿"]
    # lead lateness alone (common to all units) no longer makes a unit yellow:
    # 按时 65%、反馈 70%, everything else fine → 0
    ok = lagging.lagging_points(dict(problems=10, done=8, overdue=0, leads_ontime=13,
                                     leads_ontime_den=20, leads_feedback=7, leads_concluded=10,
                                     reports_missed=0, self_inspection=1, leads_received=20), 5)
    assert sum(ok.values()) == 0


def test_lagging_on_fixture(runner):
    from analytics import lagging

    rows = runner.run("unit_progress", **params(S2))
    df = lagging.add_lagging(rows, 5).set_index("unit_id")
    # the campaign's own [lagging] table gives the same columns as the default the old names use
    own = lagging.add_lagging(rows, 5, lagging.for_campaign(CAMPAIGN_ID)).set_index("unit_id")
    cols = ["lagging_score", "lagging_state", "lagging_reasons"]
    assert own[cols].equals(df[cols])
    # revised rule: 整改率60%→1, 逾期1/5=20%→2, 按时50%→1 = 4 → yellow
    assert df.loc["taihe", "lagging_score"] == 4
    assert df.loc["taihe", "lagging_state"] == "黄"
    # linquan: 整改率50%→1, 逾期2/6=33%→3 = 4; funan (3 problems < 5): 逾期1个→1, 漏报1次→2 = 3
    assert (df.loc["linquan", "lagging_score"], df.loc["funan", "lagging_score"]) == (4, 3)
    assert df.loc["zhidui", "lagging_state"] == "绿"


def test_rank_extremes_respects_min_items(runner):
    df = runner.run("unit_progress", **params(S2))
    low = metrics.rank_extremes(df, "done", "problems", min_items=5, n=3)
    assert low["unit_id"].tolist() == ["linquan", "taihe"]  # funan (3), zhidui (2) not ranked


def test_prev_snapshot_date():
    dates, by_period = [S1, S2], {"compare_with": REPORT_PERIOD}
    assert previous_date(by_period, S2, dates) == S1
    assert previous_date(by_period, date(2023, 6, 1), dates) == S1
    assert previous_date(by_period, S1, dates) is None
