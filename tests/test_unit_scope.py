"""单位账号的数据范围（analytics/scope.py）：每张表都有归属，单位账号的每个查询只含本单位，
数字与“全部数据按该单位筛选”的独立计算相同；简报与合并台账同样只含本单位。"""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from analytics import scope
from analytics.queries import QUERIES_DIR, QueryRunner, sql_params
from tests.fixtures.fixture_db import CAMPAIGN_ID, S1, S2

ROOT = Path(__file__).resolve().parent.parent
UNIT, OTHER = "linquan", "taihe"
NAMES = {"linquan": "临泉", "taihe": "太和", "funan": "阜南", "zhidui": "支队"}
NAMES_TO_ID = {v: k for k, v in NAMES.items()}

PARAMS = {"campaign_id": CAMPAIGN_ID, "as_of": S2, "prev_as_of": S1, "units": [], "categories": [], "channels": [],
          "limit": 500, "survey_year": 2023, "unit_id": UNIT, "problem_ids": [], "sel_unit": None,
          "sel_category": None, "sel_channel": None, "sel_manifestation": None,
          "sel_units": [], "only_overdue": False, "only_late": False}
# The drill lists' measure: one that has rows (any other value gives none, and an empty result proves nothing).
MEASURE = {"drill_problems": "problems", "drill_leads": "received", "drill_satisfaction_units": "responses"}


def test_every_table_has_a_scope_rule():
    tables = re.findall(r"CREATE TABLE (\w+)", (ROOT / "etl" / "schema.sql").read_text(encoding="utf-8"))
    groups = [set(scope.BY_UNIT), set(scope.BY_SUBMISSION), set(scope.UNIT_FREE)]
    for t in tables:
        assert sum(t in g for g in groups) == 1, f"{t} 必须恰好在 analytics/scope.py 的一组里"
    assert set().union(*groups) == set(tables)


@pytest.fixture(scope="module")
def runner(fixture_db):
    r = QueryRunner(fixture_db)
    yield r
    r.close()


def _ids_by_name() -> dict[str, str]:
    from etl.config import load_campaign

    units = load_campaign(CAMPAIGN_ID).units
    return {**{u.name: u.id for u in units}, **{u.short_name: u.id for u in units if getattr(u, "short_name", None)}}


def _unit_values(frame) -> set:
    """Every unit a result mentions, as unit ids (names mapped back through the campaign's units)."""
    by_name = _ids_by_name()
    out = set()
    for col in frame.columns:
        if col in ("unit_id", "unit"):
            out |= set(frame[col].dropna())
        elif col in ("unit_name", "单位"):
            out |= {by_name.get(x, NAMES_TO_ID.get(x, x)) for x in frame[col].dropna()}
    return out


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES_DIR.glob("*.sql")))
def test_scoped_query_sees_only_its_unit(runner, name):
    sql = runner.sql(name)
    params = {p: PARAMS[p] for p in sql_params(sql) if p != "measure"}
    if name in MEASURE:  # the drill lists write "不限" as '' (a NULL selection matches nothing)
        params |= {"measure": MEASURE[name]} | {k: "" for k in params if k.startswith("sel_") and k != "sel_units"}
    scoped = runner.scoped(UNIT).run(name, **params)
    assert _unit_values(scoped) <= {UNIT}, (name, _unit_values(scoped))
    if name in MEASURE:
        assert _unit_values(scoped) == {UNIT}, name


def test_kpis_equal_the_unit_filter_on_all_data(runner):
    base = dict(campaign_id=CAMPAIGN_ID, as_of=S2, categories=[], channels=[])
    mine = runner.scoped(UNIT).run("kpi_overview", units=[], **base).iloc[0]
    truth = runner.run("kpi_overview", units=[UNIT], **base).iloc[0]
    everyone = runner.run("kpi_overview", units=[], **base).iloc[0]
    assert int(mine["problems"]) == int(truth["problems"]) > 0
    assert int(mine["problems"]) < int(everyone["problems"])
    for col in ("done", "overdue", "leads_received", "leads_open_overdue"):
        assert int(mine[col]) == int(truth[col]), col
    # an independent count straight from the table
    con = duckdb.connect(str(runner.path), read_only=True)
    n = con.execute("SELECT count(*) FROM leads WHERE campaign_id = ? AND unit_id = ? AND received_date <= ?",
                    [CAMPAIGN_ID, UNIT, S2]).fetchone()[0]
    con.close()
    assert int(mine["leads_received"]) == n


def test_scoped_units_list_and_filters_cannot_widen(runner):
    units = runner.scoped(UNIT).run("units", campaign_id=CAMPAIGN_ID)
    assert units["unit_id"].tolist() == [UNIT]
    # asking for another unit through the page filter gives nothing, not that unit's data
    other = runner.scoped(UNIT).run("kpi_overview", campaign_id=CAMPAIGN_ID, as_of=S2, units=[OTHER],
                                    categories=[], channels=[]).iloc[0]
    assert int(other["problems"]) == 0 and int(other["leads_received"]) == 0


def test_unscoped_cursor_is_untouched_after_a_scoped_query(runner):
    runner.scoped(UNIT).run("units", campaign_id=CAMPAIGN_ID)
    assert len(runner.run("units", campaign_id=CAMPAIGN_ID)) > 1


def test_unknown_table_refuses_rather_than_leaks(fixture_db, tmp_path):
    copy = tmp_path / "extra.duckdb"
    shutil.copy(fixture_db, copy)
    con = duckdb.connect(str(copy))
    con.execute("CREATE TABLE complaints_raw (unit_id VARCHAR, text VARCHAR)")
    con.close()
    r = QueryRunner(copy)
    try:
        with pytest.raises(scope.ScopeError, match="complaints_raw"):
            r.scoped(UNIT).run("units", campaign_id=CAMPAIGN_ID)
        with pytest.raises(scope.ScopeError):
            r.scoped("").run("units", campaign_id=CAMPAIGN_ID)
    finally:
        r.close()


def test_brief_and_ledger_export_of_a_unit(fixture_db):
    from reports.brief_data import collect
    from reports.ledger_export import export_ledger

    data = collect(fixture_db, CAMPAIGN_ID, S2, scope_unit=UNIT)
    assert set(data.units["unit_id"]) == {UNIT}
    assert _unit_values(data.overdue) <= {UNIT} and _unit_values(data.leads_overdue) <= {UNIT}
    r = QueryRunner(fixture_db)
    try:
        truth = r.run("kpi_overview", campaign_id=CAMPAIGN_ID, as_of=S2, units=[UNIT], categories=[],
                      channels=[]).iloc[0]
        export_all = r.run("export_ledger", campaign_id=CAMPAIGN_ID, as_of=S2, units=[], categories=[], channels=[])
    finally:
        r.close()
    assert int(data.kpi["problems"]) == int(truth["problems"])
    wb = openpyxl.load_workbook(io.BytesIO(export_ledger(fixture_db, CAMPAIGN_ID, S2, scope_unit=UNIT)))
    assert [_ids_by_name().get(n) for n in wb.sheetnames] == [UNIT]
    assert export_all["unit_id"].nunique() > 1  # the unscoped export has several units: the scope did the cut


def test_a_unit_of_one_campaign_sees_nothing_of_another(runner):
    """Unit ids may repeat between campaigns (a province has many 支队): the account's campaign is bound too."""
    base = dict(campaign_id=CAMPAIGN_ID, as_of=S2, units=[], categories=[], channels=[])
    same = runner.scoped(scope.UnitScope(UNIT, CAMPAIGN_ID)).run("kpi_overview", **base).iloc[0]
    assert int(same["problems"]) == int(runner.scoped(UNIT).run("kpi_overview", **base).iloc[0]["problems"]) > 0
    other = scope.UnitScope(UNIT, "another-2024")
    assert int(runner.scoped(other).run("kpi_overview", **base).iloc[0]["problems"]) == 0
    assert runner.scoped(other).run("campaigns").empty
    assert runner.scoped(scope.UnitScope(UNIT, CAMPAIGN_ID)).run("campaigns")["campaign_id"].tolist() == [CAMPAIGN_ID]


def test_a_units_brief_names_the_unit_not_the_city(fixture_db):
    from reports.brief_data import collect
    from reports.brief_text import opening_paragraph, title_block

    data = collect(fixture_db, CAMPAIGN_ID, S2, scope_unit=UNIT)
    name = _ids_by_name_inverse()[UNIT]
    assert data.scope_name == name
    assert title_block(data)["title"].endswith(f"工作简报（{name}）")
    assert opening_paragraph(data).startswith(f"截至6月25日，{name}共查摆问题{int(data.kpi['problems'])}个")
    everyone = collect(fixture_db, CAMPAIGN_ID, S2)
    region = everyone.campaign.get("region_label") or "全市"
    assert everyone.scope_name is None and region != name
    assert opening_paragraph(everyone).startswith(f"截至6月25日，{region}共查摆问题{int(everyone.kpi['problems'])}个")


def _ids_by_name_inverse() -> dict[str, str]:
    from etl.config import load_campaign

    return {u.id: u.name for u in load_campaign(CAMPAIGN_ID).units}
