"""一键发起督办的预填：滞后单位、逾期问题、满意度低的单位，草稿的每一项都来自那一行数据（夹具库上手算）。"""
from __future__ import annotations

import pytest

from analytics import supervision_drafts as drafts
from analytics.page_data.unit_progress import unit_detail, units_with_lagging
from dashboard.filters import Filters
from tests.fixtures.fixture_db import CAMPAIGN_ID, S2


@pytest.fixture(scope="module")
def run(q):  # conftest's runner on the fixture database
    return q.run


@pytest.fixture(scope="module")
def f(run):
    camps = run("campaigns")
    return Filters(campaign_id=CAMPAIGN_ID, as_of=S2, prev_as_of=None,
                   campaign=camps[camps["campaign_id"] == CAMPAIGN_ID].iloc[0].to_dict())


def test_lagging_unit_prefills_source_title_and_figures(run, f):
    units = units_with_lagging(run, f)
    row = units.sort_values("lagging_score", ascending=False).iloc[0]
    d = drafts.from_lagging_unit(row, CAMPAIGN_ID, S2)
    assert d.unit_id == row["unit_id"] and d.campaign_id == CAMPAIGN_ID
    assert d.source == ("挂牌督办" if row["lagging_state"] == "红" else "周例会")
    assert d.title == f"{row['unit_name']}整改滞后（{row['lagging_state']}色，{int(row['lagging_score'])}分）"
    assert d.requirement.startswith(f"截至2023年6月25日，{row['unit_name']}滞后评分{int(row['lagging_score'])}分")
    assert f"查摆问题{int(row['problems'])}个，已完成整改{int(row['done'])}个，逾期问题{int(row['overdue'])}个" \
        in d.requirement
    assert d.links == (("unit", row["unit_id"], row["unit_name"]),)


def test_overdue_problem_prefills_the_problem_and_its_deadline(run, f):
    units = units_with_lagging(run, f)
    uid = units.sort_values("overdue", ascending=False).iloc[0]["unit_id"]
    problems = unit_detail(run, f, uid).problems
    row = problems[problems["is_overdue"]].iloc[0]
    name = units.set_index("unit_id").loc[uid, "unit_name"]
    d = drafts.from_overdue_problem(row, uid, name, CAMPAIGN_ID, S2)
    dl = row["deadline"].date()
    assert d.source == "专班交办" and d.links[0][:2] == ("problem", row["problem_id"])
    assert f"整改期限{dl.year}年{dl.month}月{dl.day}日，截至2023年6月25日仍为“{row['status']}”" in d.requirement
    assert row["case_text"] in d.requirement and d.owner == (row["responsible"] or "")


def test_low_satisfaction_unit_prefills_an_interview():
    row = {"unit_id": "dulan", "unit_name": "都兰县交通运输局", "score": 60.166667,
           "low_reason": "得分60.2分，低于80分；排名倒数第2位（共8个可排名单位）"}  # a row of satisfaction_data().low
    d = drafts.from_low_satisfaction(row, "haixi-2023", 2023)
    assert (d.source, d.unit_id, d.title) == ("约谈", "dulan", "都兰县交通运输局满意度偏低（2023年，60.2分）")
    assert d.requirement.startswith("2023年执法满意度测评中，都兰县交通运输局得分60.2分，低于80分；排名倒数第2位")
    assert d.links == (("unit", "dulan", "都兰县交通运输局"),)
