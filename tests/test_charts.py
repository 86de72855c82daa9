"""图表与图表数据：线索超期/交办后工作日数（按不同日期缓存，与逐行计算一致）、漏斗比例、满意度热力图文字对比度、
单位很多时图只画一部分。"""
from datetime import date

import pandas as pd

from etl.normalize.workdays import working_day_ages, working_days_between


def test_working_day_ages_by_hand():
    """2023-06-19（周一）到 6-25：端午 6-22 至 6-24 放假，6-25（周日）调休上班 → 6-20、6-21、6-25 共 3 个工作日。"""
    as_of = date(2023, 6, 25)
    days = [date(2023, 6, 19), pd.Timestamp("2023-06-19"), None, pd.NaT, float("nan"), date(2023, 6, 21),
            as_of, date(2023, 6, 30)]
    assert working_day_ages(days, as_of) == [3, 3, -1, -1, -1, 1, 0, 0]
    assert working_day_ages([], as_of) == []
    assert working_days_between(date(2023, 6, 19), as_of) == 3


def test_overdue_ages_once_per_date_equal_per_row(fixture_db):
    """超期/交办后工作日按不同日期缓存计算，结果与逐行计算一致；按超期由长到短排序。"""
    from analytics.page_data import leads as lead_data
    from dashboard import db
    from dashboard.db import QueryRunner
    from etl.normalize.workdays import working_days_between
    from tests.fixtures.fixture_db import CAMPAIGN_ID, S2

    r = QueryRunner(fixture_db)
    try:
        prm = dict(campaign_id=CAMPAIGN_ID, as_of=S2, units=[], categories=[], channels=[])
        od = r.run("leads_overdue_open", limit=None, **prm)
        g = lead_data.add_unit_max_age(r.run("leads_overdue_by_unit", **prm), S2)
    finally:
        r.close()
    out = lead_data.add_overdue_ages(od, S2)
    for _, row in out.iterrows():
        assert row["overdue_workdays"] == working_days_between(db.to_date(row["due_date"]), S2)
        start = db.to_date(row["assigned_date"]) or db.to_date(row["received_date"])
        assert row["workdays_since_assigned"] == working_days_between(start, S2)
    assert out["overdue_workdays"].is_monotonic_decreasing
    by_unit = out.groupby("unit_name")["overdue_workdays"].max()
    assert g.set_index("unit_name")["max_age"].to_dict() == by_unit.to_dict()


def test_funnel_shows_one_decimal():
    import pandas as pd

    from analytics.page_data import leads as lead_data
    from dashboard.charts import leads as lead_charts

    s = pd.Series({"received": 795, "assigned": 792, "concluded": 715, "fed_back": 474})
    fig = lead_charts.leads_funnel(lead_data.leads_funnel_data(s))
    assert "%{percentInitial:.1%}" in fig.data[0].texttemplate     # 792/795 → 99.6%，不显示成 100%


def test_heatmap_text_readable_on_every_cell():
    """热力图每个格的文字颜色与底色的对比度不低于 4:1（WCAG 大字号/图形要求为 3:1）。"""
    import numpy as np
    import pandas as pd

    from dashboard.charts import satisfaction as cs

    scores = np.linspace(50, 100, 101)
    df = pd.DataFrame({"unit_name": [f"单位{i:03d}" for i in range(len(scores))], "sort_order": range(len(scores)),
                       "dimension": "执法规范", "score": scores, "respondents": 10})
    fig = cs.satisfaction_heatmap(df, ["执法规范"])
    ca = fig.layout.coloraxis
    seen = 0
    for tr in fig.data:
        color = tr.textfont.color
        for v in np.asarray(tr.z, dtype=float).ravel():
            if np.isnan(v):
                continue
            bg = cs._scale_rgb((v - ca.cmin) / (ca.cmax - ca.cmin))
            fg = cs.hex_to_rgb(color)
            hi, lo = sorted((cs._luminance(bg), cs._luminance(fg)), reverse=True)
            assert (hi + 0.05) / (lo + 0.05) >= 4.0, (v, color)
            seen += 1
    assert seen == len(scores)


def test_unit_charts_limited_when_many_units():
    """单位很多（大库 3000 个）时，按时办结率图只画最低的 top 个可排名单位，超期图只画件数最多的 top 个。"""
    import pandas as pd

    from dashboard.charts import leads as lead_charts

    n = 100
    by_unit = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "unit_name": [f"单位{i:03d}" for i in range(n)],
                            "leads_ontime": list(range(n)), "leads_ontime_den": [100] * (n - 1) + [2], "open_overdue": 1})
    fig = lead_charts.ontime_by_unit(by_unit, min_items=5, top=30)
    assert len(fig.data[0].y) == 30 and fig.data[0].y[0] == "单位000" and "单位099" not in fig.data[0].y
    g = pd.DataFrame({"unit_name": by_unit["unit_name"], "leads": range(n), "max_age": 3})
    fig = lead_charts.overdue_age(g, top=30)
    assert len(fig.data[0].y) == 30 and fig.data[0].y[0] == "单位099"
