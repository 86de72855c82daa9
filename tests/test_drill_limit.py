"""问题清单只取前若干行（大库“全部问题”有十万行，整张表转成 DataFrame 就要几百毫秒）：取到的是完整清单的
前几行、顺序不变，summary 写出全部行数；比率清单（要数全部行里计入分子的）不截断。夹具库 S2：16 个问题。"""
from __future__ import annotations

from analytics.page_data import drill
from tests.fixtures.fixture_db import S2
from tests.test_drill_lists import flt


def test_limited_list_is_the_head_of_the_full_list(q):
    f = flt(S2)
    full = drill.drill_list(q.run, f, drill.KPI["problems"])
    head = drill.drill_list(q.run, f, drill.KPI["problems"], limit=5)
    assert len(full.rows) == 16 and full.total is None and full.summary == "共 16 个"
    assert "listed_total" not in full.rows.columns and list(head.rows.columns) == list(full.rows.columns)
    assert head.rows["problem_id"].tolist() == full.rows["problem_id"].head(5).tolist()
    assert head.total == 16 and head.summary == "共 16 个，显示前 5 个"


def test_limit_not_reached_is_the_full_list(q):
    f = flt(S2)
    lst = drill.drill_list(q.run, f, drill.KPI["problems"], limit=16)
    assert len(lst.rows) == 16 and lst.total is None and lst.summary == "共 16 个"


def test_narrowed_and_only_overdue_lists_count_their_own_rows(q):
    f = flt(S2)
    full = drill.drill_list(q.run, f, drill.KPI["problems"], ("linquan",), (drill.ONLY_OVERDUE,))
    head = drill.drill_list(q.run, f, drill.KPI["problems"], ("linquan",), (drill.ONLY_OVERDUE,), limit=1)
    assert len(full.rows) >= 2
    assert head.total == len(full.rows) and head.rows["problem_id"].tolist() == full.rows["problem_id"].head(1).tolist()
    assert head.summary == f"共 {len(full.rows)} 个，显示前 1 个（只看逾期）"


def test_rate_list_is_never_cut(q):
    """整改率的清单是分母，“计入整改率”要数全部行：limit 不起作用（S2：16 个，其中 9 个计入）。"""
    lst = drill.drill_list(q.run, flt(S2), drill.KPI["completion"], limit=3)
    assert (len(lst.rows), lst.counted, lst.total) == (16, 9, None)


def test_empty_list(q):
    lst = drill.drill_list(q.run, flt(S2), drill.KPI["problems"], ("no-such-unit",), limit=3)
    assert lst.rows.empty and lst.total is None and lst.summary == "共 0 个"
