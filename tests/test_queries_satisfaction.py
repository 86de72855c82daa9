"""满意度页面的查询（satisfaction_*.sql）：在夹具库上与手算结果比对（夹具见 tests/fixtures/fixture_db.py）。"""
import shutil
from datetime import date

import duckdb
import pytest

from dashboard.db import QueryRunner
from tests.fixtures.fixture_db import CAMPAIGN_ID, S2

ALL = dict(campaign_id=CAMPAIGN_ID, units=[], categories=[], channels=[])


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


def test_a_unit_alone_is_not_bottom_ranked(q_min1):
    """单位账号只看得到自己：1 个可排名单位时不按“倒数 N 位”判满意度低（全体中 zhidui 是倒数第 2，80 分不低于 80）。"""
    everyone = q_min1.run("satisfaction_ranking", campaign_id=CAMPAIGN_ID, survey_year=2023, units=[])
    assert everyone.set_index("unit_id").loc["zhidui", "is_low"]
    alone = q_min1.scoped("zhidui").run("satisfaction_ranking", campaign_id=CAMPAIGN_ID, survey_year=2023, units=[])
    assert alone["unit_id"].tolist() == ["zhidui"] and alone["is_low"].tolist() == [False]
    brief = q_min1.scoped("zhidui").run("brief_satisfaction_units", as_of=S2, **ALL)
    assert brief["unit_id"].tolist() == ["zhidui"] and brief["is_low"].tolist() == [False]
    # taihe 60 分：得分低于 80 的规则不看名次，单独看也仍是满意度低
    taihe = q_min1.scoped("taihe").run("brief_satisfaction_units", as_of=S2, **ALL)
    assert taihe["is_low"].tolist() == [True]

