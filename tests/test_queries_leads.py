"""线索办理页面的查询（leads_*.sql）：在夹具库上与手算结果比对（夹具见 tests/fixtures/fixture_db.py）。"""
import shutil

import duckdb
import pandas as pd
import pytest

from dashboard.db import QueryRunner
from etl.normalize.workdays import working_days_between
from tests.fixtures.fixture_db import CAMPAIGN_ID, S1, S2

ALL = dict(campaign_id=CAMPAIGN_ID, units=[], categories=[], channels=[])


def test_leads_summary_s2(q):
    s = q.run("leads_summary", as_of=S2, **ALL).iloc[0]
    assert (s.received, s.assigned, s.concluded, s.fed_back) == (19, 19, 14, 11)
    assert (s.leads_ontime, s.leads_ontime_den, s.open_overdue, s.open_leads) == (11, 17, 3, 5)
    assert (s.found, s.with_finding) == (9, 13)
    assert (s.repeat_complainants, s.repeat_leads) == (1, 2)       # k-aaa: L01 + L04


def test_leads_summary_s1_and_filters(q):
    s = q.run("leads_summary", as_of=S1, **ALL).iloc[0]
    assert (s.received, s.concluded, s.leads_ontime, s.leads_ontime_den, s.fed_back) == (7, 6, 4, 6, 5)
    assert s.repeat_complainants == 0                                # L04 not yet received
    s = q.run("leads_summary", as_of=S2, **(ALL | {"units": ["taihe"], "channels": ["12345热线"]})).iloc[0]
    assert (s.received, s.concluded, s.leads_ontime) == (2, 2, 1)          # L06 on time, L07 late


def test_leads_by_unit_s2(q):
    d = q.run("leads_by_unit", as_of=S2, **ALL).set_index("unit_id")
    assert (d.loc["linquan", ["received", "leads_ontime", "leads_ontime_den", "fed_back", "concluded", "open_overdue"]]
            .tolist() == [6, 2, 4, 2, 3, 1])
    assert d.loc["taihe", ["leads_ontime", "leads_ontime_den", "open_overdue"]].tolist() == [3, 6, 2]
    assert d.loc["funan", ["leads_ontime", "leads_ontime_den", "found", "with_finding"]].tolist() == [3, 3, 1, 2]


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
