"""下钻清单（analytics/page_data/drill.py + queries/drill_*.sql）在小样本库上：每个清单的行就是指标数的那些行。

真值两种：kpi_overview / unit_progress / hotspot_matrix 的数字（清单的行数必须等于它），以及另写的一条 SQL
（直接写状态取值和日期比较，不经 is_* 标志）选出的编号集合；再加手算的编号（tests/fixtures/fixture_db.py）。
"""
from __future__ import annotations

import pytest

from analytics.filters import Filters
from analytics.page_data import drill
from analytics.queries import QueryRunner
from analytics.scope import UnitScope
from tests.fixtures.fixture_db import CAMPAIGN_ID, S1, S2, TRUTH, UNIT_TRUTH_S2


def flt(as_of, **kw) -> Filters:
    return Filters(CAMPAIGN_ID, as_of, None, campaign={"min_items": 0},
                   unit_names={"linquan": "临泉县", "taihe": "太和县", "funan": "阜南县", "zhidui": "支队"}, **kw)


def ids(con, sql: str, *args) -> set[str]:
    return {r[0] for r in con.execute(sql, list(args)).fetchall()}


LATEST = ("SELECT problem_id, status, deadline_kind, deadline, unit_id, category FROM ledger_snapshots "
          "WHERE campaign_id = ? AND as_of_date <= ? QUALIFY row_number() OVER "
          "(PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1")
# 另写的谓词：状态取值与日期比较直接写出（不经 views.sql 的标志）
PROBLEM_TRUTH = {
    "problems": "true",
    "done": "status IN ('已整改', '已销号')",
    "closed": "status = '已销号'",
    "open": "status IN ('未整改', '整改中')",
    "overdue": "deadline_kind = 'date' AND deadline < ? AND status IN ('未整改', '整改中')",
}
LEAD_TRUTH = {
    "received": "coalesce(received_date, assigned_date) <= ?",
    "concluded": "coalesce(received_date, assigned_date) <= ? AND concluded_date <= ?",
    "fed_back": "coalesce(received_date, assigned_date) <= ? AND concluded_date <= ? AND feedback_date <= ?",
    "overdue_open": "coalesce(received_date, assigned_date) <= ? AND (concluded_date IS NULL OR concluded_date > ?)"
                    " AND due_date < ?",
    "late": "coalesce(received_date, assigned_date) <= ? AND concluded_date <= ? AND concluded_date > due_date",
}


@pytest.fixture(scope="module")
def con(fixture_db):
    import duckdb

    c = duckdb.connect(str(fixture_db), read_only=True)
    yield c
    c.close()


def problem_truth(con, measure: str, as_of, unit: str | None = None) -> set[str]:
    pred = PROBLEM_TRUTH[measure]
    args = [CAMPAIGN_ID, as_of] + ([as_of] if "?" in pred else [])
    unit_pred = f" AND unit_id = '{unit}'" if unit else ""
    return ids(con, f"SELECT problem_id FROM ({LATEST}) WHERE {pred}{unit_pred}", *args)


def lead_truth(con, measure: str, as_of, unit: str | None = None) -> set[str]:
    pred = LEAD_TRUTH[measure]
    unit_pred = f" AND unit_id = '{unit}'" if unit else ""
    return ids(con, f"SELECT lead_id FROM leads WHERE campaign_id = ? AND {pred}{unit_pred}",
               CAMPAIGN_ID, *([as_of] * pred.count("?")))


@pytest.mark.parametrize("as_of", [S1, S2])
@pytest.mark.parametrize("key", ["problems", "done", "closed", "overdue"])
def test_problem_kpi_list_is_the_rows_the_kpi_counts(q, con, as_of, key):
    f = flt(as_of)
    lst = drill.drill_list(q.run, f, drill.KPI[key])
    kpi = q.run("kpi_overview", **f.params()).iloc[0]
    assert len(lst.rows) == int(kpi[key]) == TRUTH[as_of][key]
    assert set(lst.rows["problem_id"]) == problem_truth(con, key, as_of)
    assert lst.rows["problem_id"].is_unique


@pytest.mark.parametrize("as_of", [S1, S2])
@pytest.mark.parametrize("key,measure", [("leads_received", "received"), ("leads_open_overdue", "overdue_open")])
def test_lead_kpi_list_is_the_rows_the_kpi_counts(q, con, as_of, key, measure):
    f = flt(as_of)
    lst = drill.drill_list(q.run, f, drill.KPI[key])
    assert len(lst.rows) == int(q.run("kpi_overview", **f.params()).iloc[0][key]) == TRUTH[as_of][key]
    assert set(lst.rows["lead_id"]) == lead_truth(con, measure, as_of)


def test_rate_cards_list_the_denominator_and_mark_the_numerator(q, con):
    f = flt(S2)
    comp = drill.drill_list(q.run, f, drill.KPI["completion"])
    assert (len(comp.rows), comp.counted) == (16, 9)
    assert set(comp.rows.loc[comp.rows["计入整改率"] == "是", "problem_id"]) == problem_truth(con, "done", S2)
    ontime = drill.drill_list(q.run, f, drill.KPI["ontime"])
    assert (ontime.counted, len(ontime.rows)) == TRUTH[S2]["ontime"] == (11, 17)
    # 分母 = 已办结 + 超期未办结
    assert set(ontime.rows["lead_id"]) == lead_truth(con, "concluded", S2) | lead_truth(con, "overdue_open", S2)
    fb = drill.drill_list(q.run, f, drill.KPI["feedback"])
    assert (fb.counted, len(fb.rows)) == TRUTH[S2]["feedback"]
    assert set(fb.rows.loc[fb.rows["已反馈"] == "是", "lead_id"]) == lead_truth(con, "fed_back", S2)
    assert fb.summary == "共 14 件，其中已反馈 11 件"


def test_late_leads_are_the_ones_closed_after_their_due_date(q, con):
    """超期办结：L02（5-19 办结，期限 5-17）、L07（5-24 / 5-17）、L15（6-15 / 6-12）；L10 在统计日 6-25 之后才办结，不算。"""
    f = flt(S2)
    late = drill.drill_list(q.run, f, drill.FUNNEL["concluded"], only=(drill.ONLY_LATE,))
    assert set(late.rows["lead_id"]) == lead_truth(con, "late", S2)
    assert sorted(i[-6:-1] for i in late.rows["lead_id"]) == ["〕0002", "〕0007", "〕0015"]
    assert set(late.rows["lead_status"]) == {"超期办结"}
    assert late.notes == ["只看超期办结"]
    od = drill.drill_list(q.run, f, drill.FUNNEL["received"], only=(drill.ONLY_OVERDUE,))
    assert set(od.rows["lead_id"]) == lead_truth(con, "overdue_open", S2)
    assert sorted(i[-6:-1] for i in od.rows["lead_id"]) == ["〕0004", "〕0009", "〕0010"]


@pytest.mark.parametrize("step", ["received", "assigned", "concluded", "fed_back"])
def test_funnel_stage_lists_equal_the_funnel(q, step):
    f = flt(S2)
    summary = q.run("leads_summary", **f.params()).iloc[0]
    assert len(drill.drill_list(q.run, f, drill.FUNNEL[step]).rows) == int(summary[step])


@pytest.mark.parametrize("unit", sorted(UNIT_TRUTH_S2))
def test_unit_rate_bar_lists_the_units_problems(q, con, unit):
    f = flt(S2)
    t = UNIT_TRUTH_S2[unit]
    done = drill.drill_list(q.run, f, drill.UNIT_RATES["done"], [unit])
    closed = drill.drill_list(q.run, f, drill.UNIT_RATES["closed"], [unit])
    assert (len(done.rows), done.counted, closed.counted) == (t["problems"], t["done"], t["closed"])
    assert set(done.rows["problem_id"]) == problem_truth(con, "problems", S2, unit)
    overdue = drill.drill_list(q.run, f, drill.UNIT_RATES["done"], [unit], only=(drill.ONLY_OVERDUE,))
    assert set(overdue.rows["problem_id"]) == problem_truth(con, "overdue", S2, unit)
    assert len(overdue.rows) == t["overdue"]


def test_heatmap_cells_equal_the_matrix(q, con):
    f = flt(S2)
    matrix = q.run("hotspot_matrix", **f.params())
    assert len(matrix) > 5
    for r in matrix.itertuples():
        rows = drill.problem_rows(q.run, f, "problems", [r.unit_id], category=r.category)
        assert len(rows) == r.problems, (r.unit_id, r.category)
        truth = ids(con, f"SELECT problem_id FROM ({LATEST}) WHERE unit_id = ? AND coalesce(category, '未分类') = ?",
                    CAMPAIGN_ID, S2, r.unit_id, r.category)
        assert set(rows["problem_id"]) == truth


def test_only_red_units_uses_the_lagging_score(q):
    f = flt(S2)
    red = drill.red_unit_ids(q.run, f)
    lst = drill.drill_list(q.run, f, drill.KPI["problems"], only=(drill.ONLY_RED,))
    assert set(lst.rows["unit_id"]) <= set(red)
    units = q.run("unit_progress", **f.params())
    assert len(lst.rows) == int(units.loc[units["unit_id"].isin(red), "problems"].sum())
    # 只看红色单位 + 一个非红色单位 = 没有行
    green = next(u for u in UNIT_TRUTH_S2 if u not in red)
    assert drill.drill_list(q.run, f, drill.KPI["problems"], [green], only=(drill.ONLY_RED,)).rows.empty
    assert drill.narrow_units([], []) == [drill.NO_UNIT]


def test_sidebar_filters_narrow_the_list_like_the_kpi(q):
    f = flt(S2, units=("taihe",), channels=("12345热线",))
    kpi = q.run("kpi_overview", **f.params()).iloc[0]
    assert len(drill.drill_list(q.run, f, drill.KPI["problems"]).rows) == int(kpi["problems"]) == 2
    assert len(drill.drill_list(q.run, f, drill.KPI["leads_received"]).rows) == int(kpi["leads_received"])


def test_unknown_measure_has_no_rows(q):
    assert drill.problem_rows(q.run, flt(S2), "nonsense").empty
    assert drill.lead_rows(q.run, flt(S2), "nonsense").empty


def test_drill_queries_work_under_a_unit_scope(fixture_db):
    r = QueryRunner(fixture_db).scoped(UnitScope("taihe", CAMPAIGN_ID))
    f = flt(S2)
    problems = drill.drill_list(r.run, f, drill.KPI["problems"])
    leads = drill.drill_list(r.run, f, drill.KPI["leads_received"])
    assert set(problems.rows["unit_id"]) == {"taihe"} and len(problems.rows) == UNIT_TRUTH_S2["taihe"]["problems"]
    assert set(leads.rows["unit_id"]) == {"taihe"} and len(leads.rows) == 6
    # 单位账号要别的单位：没有行
    assert drill.drill_list(r.run, f, drill.KPI["problems"], ["linquan"]).rows.empty


def test_lists_hold_no_clear_personal_data(q):
    rows = drill.drill_list(q.run, flt(S2), drill.KPI["leads_received"]).rows
    assert not {"complainant", "phone", "complainant_key"} & set(rows.columns)


def test_satisfaction_card_lists_its_units(q):
    """2023 年：临泉 2 份（(5+5+4+4+5 + 4+4+4+3+5)/10×20 = 86）、太和 2 份、阜南 1 份、支队 1 份，共 6 份 = 卡片的份数。"""
    f = flt(S2)
    lst = drill.drill_list(q.run, f, drill.KPI["satisfaction"])
    card = q.run("satisfaction_overview", **f.params()).iloc[0]
    assert int(lst.rows["responses"].sum()) == int(card["responses"]) == 6
    assert dict(zip(lst.rows["unit_id"], lst.rows["responses"], strict=True)) == {
        "linquan": 2, "taihe": 2, "funan": 1, "zhidui": 1}
    assert lst.rows.set_index("unit_id").loc["linquan", "score"] == 86.0
    assert lst.rows["score"].is_monotonic_increasing
    assert lst.summary == "共 4 个单位，6 份"
