"""满意度、线索办理、数据管理页面的查询：在夹具库上与手算结果比对（夹具见 tests/fixtures/fixture_db.py）。"""
import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest

from dashboard.db import QueryRunner
from etl.normalize.workdays import working_days_between
from tests.fixtures.fixture_db import CAMPAIGN_ID, S1, S2

ALL = dict(campaign_id=CAMPAIGN_ID, units=[], categories=[], channels=[])


@pytest.fixture(scope="module")
def q(fixture_db):
    r = QueryRunner(fixture_db)
    yield r
    r.close()


@pytest.fixture(scope="module")
def q_min1(fixture_db, tmp_path_factory):
    """同一夹具，但满意度最少样本量改为 1 份（让 4 个单位都参与排名）。"""
    p = tmp_path_factory.mktemp("min1") / "min1.duckdb"
    shutil.copy(fixture_db, p)
    con = duckdb.connect(str(p))
    con.execute("UPDATE campaigns SET survey_min_responses = 1")
    con.close()
    r = QueryRunner(p)
    yield r
    r.close()


# ------------------------------------------------------------------ leads
def test_leads_summary_s2(q):
    s = q.run("leads_summary", as_of=S2, **ALL).iloc[0]
    assert (s.received, s.assigned, s.concluded, s.fed_back) == (19, 19, 14, 11)
    assert (s.ontime, s.ontime_den, s.open_overdue, s.open_leads) == (11, 17, 3, 5)
    assert (s.found, s.with_finding) == (9, 13)
    assert (s.repeat_complainants, s.repeat_leads) == (1, 2)       # k-aaa: L01 + L04


def test_leads_summary_s1_and_filters(q):
    s = q.run("leads_summary", as_of=S1, **ALL).iloc[0]
    assert (s.received, s.concluded, s.ontime, s.ontime_den, s.fed_back) == (7, 6, 4, 6, 5)
    assert s.repeat_complainants == 0                                # L04 not yet received
    s = q.run("leads_summary", as_of=S2, **(ALL | {"units": ["taihe"], "channels": ["12345热线"]})).iloc[0]
    assert (s.received, s.concluded, s.ontime) == (2, 2, 1)          # L06 on time, L07 late


def test_leads_by_unit_s2(q):
    d = q.run("leads_by_unit", as_of=S2, **ALL).set_index("unit_id")
    assert (d.loc["linquan", ["received", "ontime", "ontime_den", "fed_back", "concluded", "open_overdue"]]
            .tolist() == [6, 2, 4, 2, 3, 1])
    assert d.loc["taihe", ["ontime", "ontime_den", "open_overdue"]].tolist() == [3, 6, 2]
    assert d.loc["funan", ["ontime", "ontime_den", "found", "with_finding"]].tolist() == [3, 3, 1, 2]


def test_overdue_open_list_and_working_days(q):
    d = q.run("leads_overdue_open", as_of=S2, limit=None, **ALL)
    assert [x[-5:-1] for x in d["lead_id"]] == ["0004", "0009", "0010"]
    ages = [working_days_between(x.date(), S2) for x in d["due_date"]]
    # 2023-06-22..24 端午假期，06-25（周日）调休上班：6-19 之后 = 6-20、6-21、6-25
    assert ages == [3, 3, 2]
    assert set(d.columns) >= {"complainant_masked", "phone_masked"}
    assert "complainant_key" not in d.columns


def test_overdue_limit_and_by_unit(q):
    full = q.run("leads_overdue_open", as_of=S2, limit=None, **ALL)
    top = q.run("leads_overdue_open", as_of=S2, limit=2, **ALL)
    assert top["lead_id"].tolist() == full["lead_id"].tolist()[:2]          # 期限最早（超期最久）的在前
    g = q.run("leads_overdue_by_unit", as_of=S2, **ALL).set_index("unit_id")
    assert g["leads"].sum() == len(full) == q.run("leads_summary", as_of=S2, **ALL).iloc[0]["open_overdue"]
    assert g["leads"].to_dict() == full.groupby("unit_name").size().rename(
        index={v: k for k, v in g["unit_name"].items()}).to_dict()
    for unit, r in g.iterrows():
        assert r["oldest_due"] == full[full["unit_name"] == r["unit_name"]]["due_date"].min(), unit


def test_channel_mix_s2(q):
    d = q.run("leads_channel_mix", as_of=S2, **ALL).set_index("channel")
    assert d.loc["12345热线", "received"] == 9 and d["received"].sum() == 19
    assert d.loc["信访", ["concluded", "found", "open_overdue"]].tolist() == [2, 2, 1]
    assert abs(d["share"].sum() - 1) < 1e-9


def test_repeat_complainants_masked_only(q):
    d = q.run("leads_repeat_complainants", as_of=S2, limit=None, **ALL)
    assert len(d) == 1 and d.iloc[0]["leads"] == 2
    assert d.iloc[0]["complainant_masked"] == "张**" and d.iloc[0]["phone_masked"] == "*******1234"
    assert "complainant_key" not in d.columns
    assert q.run("leads_repeat_complainants", as_of=S1, limit=None, **ALL).empty


TIES = (("0004", "张**", "137****0004"), ("0006", "张**", "139****0006"), ("0011", "王**", "139****0011"),
        ("0009", "李**", None))


def _make_ties(con) -> dict:
    """投诉人 k-aaa 的线索：L01 L04 L06 L09 L11；姓名众数是张**（3 件），最近的 L09（与 L04 同日受理、
    编号更大）是李**且电话为空；电话各不相同（众数并列）。"""
    ids = dict(con.execute("SELECT right(lead_id, 5)[1:4], lead_id FROM leads").fetchall())
    for n, name, phone in TIES:
        con.execute("UPDATE leads SET complainant_key = 'k-aaa', complainant_masked = ?, phone_masked = ? "
                    "WHERE lead_id = ?", [name, phone, ids[n]])
    return ids


@pytest.fixture(scope="module")
def q_ties(fixture_db, tmp_path_factory):
    p = tmp_path_factory.mktemp("ties") / "ties.duckdb"
    shutil.copy(fixture_db, p)
    con = duckdb.connect(str(p))
    ids = _make_ties(con)
    con.close()
    r = QueryRunner(p)
    yield r, ids
    r.close()


def test_repeat_complainants_deterministic_latest_lead(q_ties):
    """脱敏姓名/电话取最近一件线索（受理日期、线索编号最大）上的非空值，不取众数（并列时任意挑）；
    两次运行结果完全相同。"""
    q, ids = q_ties
    first = q.run("leads_repeat_complainants", as_of=S2, limit=None, **ALL)
    for _ in range(5):
        pd.testing.assert_frame_equal(q.run("leads_repeat_complainants", as_of=S2, limit=None, **ALL), first)
    r = first.iloc[0]
    assert len(first) == 1 and r["leads"] == 5
    # L04、L09 同为 6-12 受理，L09 编号更大 → 李**；L09 电话为空 → 取 L04 的 137****0004
    assert r["complainant_masked"] == "李**" and r["phone_masked"] == "137****0004"
    assert r["lead_ids"].split("、")[-2:] == [ids["0004"], ids["0009"]]
    assert r["units_involved"] == 3


# ------------------------------------------------------------------ satisfaction
def test_satisfaction_years(q):
    d = q.run("satisfaction_years", as_of=S2, **ALL)
    assert d["survey_year"].tolist() == [2023, 2022] and d["responses"].tolist() == [6, 2]
    assert q.run("satisfaction_years", as_of=date(2022, 12, 31), **ALL)["survey_year"].tolist() == [2022]


def test_ranking_insufficient_sample(q):
    d = q.run("satisfaction_ranking", campaign_id=CAMPAIGN_ID, survey_year=2023, units=[])
    assert not d["rankable"].any() and d["rank"].isna().all() and not d["is_low"].any()
    assert d["low_reason"].str.startswith("样本不足").all()
    s = d.set_index("unit_id")["score"]
    assert s["linquan"] == pytest.approx(86.0) and s["taihe"] == pytest.approx(60.0)


def test_ranking_low_rule_and_ci(q_min1):
    d = q_min1.run("satisfaction_ranking", campaign_id=CAMPAIGN_ID, survey_year=2023, units=[]).set_index("unit_id")
    assert d["rank"].to_dict() == {"funan": 1, "linquan": 2, "zhidui": 3, "taihe": 4}
    # 低于80分 或 倒数2位：zhidui 80 分（不低于 80，但倒数第2），taihe 60 分（两条都满足）
    assert d["is_low"].to_dict() == {"funan": False, "linquan": False, "zhidui": True, "taihe": True}
    assert d.loc["taihe", "low_reason"] == "得分60.0分，低于80分；排名倒数第1位（共4个可排名单位）"
    assert d.loc["zhidui", "low_reason"] == "排名倒数第2位（共4个可排名单位）"
    # linquan 问卷平均分 4.6、4.0：标准差 0.42426，半宽 1.96×0.42426/√2×20 = 11.76
    assert d.loc["linquan", "ci_half"] == pytest.approx(11.76, abs=0.01)
    assert d.loc["linquan", "ci_low"] == pytest.approx(86 - 11.76, abs=0.01)
    assert d.loc["taihe", "ci_half"] == pytest.approx(0)
    assert d["ci_half"].isna().sum() == 2                            # 1 份问卷无法计算
    # 单位筛选不改变名次
    one = q_min1.run("satisfaction_ranking", campaign_id=CAMPAIGN_ID, survey_year=2023, units=["zhidui"])
    assert one["rank"].tolist() == [3] and one["is_low"].tolist() == [True]


def test_dimensions_and_yoy(q):
    d = q.run("satisfaction_dimensions", campaign_id=CAMPAIGN_ID, survey_year=2023, units=[])
    cell = d[(d["unit_id"] == "linquan") & (d["dimension"] == "廉洁执法")].iloc[0]
    assert cell["score"] == pytest.approx(70.0) and cell["respondents"] == 2
    y = q.run("satisfaction_yoy", as_of=S2, **ALL)
    y23 = y[y["survey_year"] == 2023].set_index("unit_id")
    assert y23.loc["linquan", "change"] == pytest.approx(26.0)
    assert y23.loc["taihe", "change"] == pytest.approx(-20.0)
    assert y23["change"].isna().sum() == 2


# ------------------------------------------------------------------ data admin
def _grid(q, as_of, units):
    d = q.run("report_grid", as_of=as_of, **(ALL | {"units": units}))
    return {(r.unit_id, r.due_date.date().isoformat()): r.report_status for r in d.itertuples()}, d


def test_report_grid(q):
    g, d = _grid(q, S2, ["linquan", "funan", "zhidui", "yingzhou"])
    assert g[("funan", "2023-04-15")] == "迟报"                     # 4-20 > 4-15 + 3 天
    assert d[(d.unit_id == "funan")].iloc[0]["days_late"] == 2
    assert g[("funan", "2023-05-25")] == "按时"
    assert g[("zhidui", "2023-06-25")] == "待报"                     # 宽限期到 6-28
    assert g[("yingzhou", "2023-04-15")] == "未报" and g[("yingzhou", "2023-06-25")] == "待报"
    assert all(g[("linquan", x)] == "按时" for x in ("2023-04-15", "2023-05-25", "2023-06-25"))
    g, _ = _grid(q, date(2023, 7, 1), ["zhidui"])
    assert g[("zhidui", "2023-06-25")] == "未报"


def test_report_grid_agrees_with_unit_progress(q):
    _, d = _grid(q, S2, [])
    up = q.run("unit_progress", as_of=S2, **ALL).set_index("unit_id")
    for unit, g in d.groupby("unit_id"):
        assert (g.report_status == "按时").sum() == up.loc[unit, "reports_ontime"]
        assert g.report_status.isin(["迟报", "未报"]).sum() == up.loc[unit, "reports_missed"]


def test_submissions_and_errors(q):
    s = q.run("submissions_list", campaign_id=CAMPAIGN_ID, units=["funan"])
    assert len(s) == 6                                               # 3 台账 + 1 线索 + 2 测评（不分单位）
    assert set(s["kind_label"]) == {"整改台账", "问题线索", "满意度测评"}
    e = q.run("load_errors_list", campaign_id=CAMPAIGN_ID)
    assert len(e) == 1 and e.iloc[0]["source_row"] == 9 and e.iloc[0]["unit_name"] == "阜南县交通运输局"
