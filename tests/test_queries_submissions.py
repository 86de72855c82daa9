"""台账报送与导入记录的查询（ledger_report_grid、submissions_list、load_errors_list）：在夹具库上与手算结果比对。"""
from datetime import date

from tests.fixtures.fixture_db import CAMPAIGN_ID, S2

ALL = dict(campaign_id=CAMPAIGN_ID, units=[], categories=[], channels=[])


def _grid(q, as_of, units):
    d = q.run("ledger_report_grid", as_of=as_of, **(ALL | {"units": units}))
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
