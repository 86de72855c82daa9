"""AppTest：满意度、线索办理、数据探索、数据管理四个页面在示例库（data/sample 生成，没有时现场生成）和
夹具库上运行不报错，页面上的关键数字等于测试里独立写的 SQL 算出的真值（其余页面见 test_app_pages.py）。"""
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analytics import metrics

ROOT = Path(__file__).resolve().parent.parent
from tests.app_pages import APP_PAGES as PAGES  # noqa: E402 — every page app.py navigates to
from tests.signed_in import app_as  # noqa: E402


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    from etl.build import build, sample_sources
    from etl.config import list_campaigns

    tmp = tmp_path_factory.mktemp("sample")
    root = ROOT / "data" / "sample"
    if not all(any((root / cid).glob("*.xls*")) for cid in list_campaigns()):
        from samplegen import generate

        root = tmp / "sample"
        for cid in list_campaigns():
            generate(cid, root / cid)
    db = tmp / "sample.duckdb"
    build(sample_sources(root, tmp / "uploads"), db)
    return db


def _app(db: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = app_as(monkeypatch, timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _filters(at):
    return at.session_state["flt_state"]


def _sql(db: Path, sql: str, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _switch(at, page):
    at.switch_page(page).run()
    assert not at.exception, (page, [e.value for e in at.exception])
    return at


@pytest.mark.parametrize("which", ["sample", "fixture"])
def test_pages_render(which, sample_db, fixture_db, monkeypatch):
    at = _app(sample_db if which == "sample" else fixture_db, monkeypatch)
    for page in PAGES:
        _switch(at, page)
        assert at.title, page
        assert not at.error or page == "pages/satisfaction.py", (page, [e.value for e in at.error])


def test_leads_numbers_equal_sql(sample_db, monkeypatch):
    at = _switch(_app(sample_db, monkeypatch), "pages/leads.py")
    f = _filters(at)
    base = """FROM leads WHERE campaign_id = ? AND coalesce(received_date, assigned_date) <= ?"""
    (received,), = _sql(sample_db, "SELECT count(*) " + base, f.campaign_id, f.as_of)
    (open_overdue,), = _sql(sample_db, "SELECT count(*) " + base + """
        AND (concluded_date IS NULL OR concluded_date > ?) AND due_date < ?""",
                            f.campaign_id, f.as_of, f.as_of, f.as_of)
    (ontime, den), = _sql(sample_db, """SELECT
        count(*) FILTER (WHERE concluded_date <= ? AND concluded_date <= due_date),
        count(*) FILTER (WHERE concluded_date <= ? OR due_date < ?) """ + base,
                          f.as_of, f.as_of, f.as_of, f.campaign_id, f.as_of)
    (repeat,), = _sql(sample_db, "SELECT count(*) FROM (SELECT complainant_key " + base
                      + " AND complainant_key IS NOT NULL GROUP BY 1 HAVING count(*) >= 2)", f.campaign_id, f.as_of)
    shown = {m.label: m.value for m in at.metric}
    assert shown["受理线索"] == f"{received}件"
    assert shown["超期未办结线索"] == f"{open_overdue}件"
    # a rate card: the percentage alone (one line at projector size), its counts in the label
    assert shown[f"线索按时办结率（{ontime}/{den}）"] + f"（{ontime}/{den}）" == metrics.fmt_rate(ontime, den)
    assert shown["重复投诉人"] == f"{repeat}人"
    assert open_overdue > 0
    assert any(f"共 **{open_overdue}** 件线索已过办理期限" in m.value for m in at.markdown)
    # 没有明文电话：表格里的电话都是脱敏格式
    for df in (d.value for d in at.dataframe):
        for col in [c for c in df.columns if "电话" in str(c)]:
            assert df[col].dropna().str.fullmatch(r"\*{7}\d{4}").all()


def test_leads_fixture_working_day_age(fixture_db, monkeypatch):
    at = _switch(_app(fixture_db, monkeypatch), "pages/leads.py")
    shown = {m.label: m.value for m in at.metric}
    assert shown["超期未办结线索"] == "3件" and shown["属实率（9/13）"] == "69.2%"
    # 端午调休：6-19 到期的线索截至 6-25 已超期 3 个工作日
    assert any("最长已超期 **3** 个工作日" in m.value for m in at.markdown)


def test_satisfaction_numbers_equal_sql(sample_db, monkeypatch):
    at = _switch(_app(sample_db, monkeypatch), "pages/satisfaction.py")
    f = _filters(at)
    (year,), = _sql(sample_db, "SELECT max(survey_year) FROM survey_responses WHERE campaign_id = ? "
                    "AND survey_year <= ?", f.campaign_id, f.as_of.year)
    rows = _sql(sample_db, """
        SELECT s.unit_id, count(DISTINCT response_id) AS n, avg(score) * 20 AS score
        FROM survey_responses s WHERE campaign_id = ? AND survey_year = ? GROUP BY 1""", f.campaign_id, year)
    (min_n, below, bottom), = _sql(sample_db, "SELECT survey_min_responses, survey_low_score_below, "
                                   "survey_low_rank_bottom FROM campaigns WHERE campaign_id = ?", f.campaign_id)
    rankable = sorted([r for r in rows if r[1] >= min_n], key=lambda r: -r[2])
    low = [r for i, r in enumerate(rankable) if r[2] < below or i >= len(rankable) - bottom]
    shown = {m.label: m.value for m in at.metric}
    assert shown["满意度低的单位"] == f"{len(low)}个"
    assert shown["样本不足的单位"] == f"{len(rows) - len(rankable)}个"
    table = next(d.value for d in at.dataframe if "95%置信区间" in d.value.columns)
    last = table[table["排名"] == str(len(rankable))].iloc[0]
    assert last["满意度得分"] == pytest.approx(round(rankable[-1][2], 1))
    assert (table["状态"] == "样本不足").sum() == len(rows) - len(rankable)
    assert len(at.error) == len(low)                                # one red box per low unit


def test_explore_runs_and_refuses(sample_db, monkeypatch):
    at = _switch(_app(sample_db, monkeypatch), "pages/explore.py")
    at.text_area(key="exp_sql").set_value("SELECT count(*) AS n FROM leads WHERE campaign_id = $campaign_id")
    at.button[0].click().run()
    assert not at.exception and not at.error
    f = _filters(at)
    (n,), = _sql(sample_db, "SELECT count(*) FROM leads WHERE campaign_id = ?", f.campaign_id)
    res = next(d.value for d in at.dataframe if list(d.value.columns) == ["n"])
    assert int(res.iloc[0]["n"]) == n
    at.text_area(key="exp_sql").set_value("COPY leads TO '/tmp/leak.csv'")
    at.button[0].click().run()
    assert not at.exception
    assert at.error and "不能执行" in at.error[0].value
    at.text_area(key="exp_sql").set_value("SELECT * FROM read_csv('/etc/passwd')")
    at.button[0].click().run()
    assert at.error and "读写文件" in at.error[0].value


def test_data_admin_numbers_equal_sql(sample_db, monkeypatch):
    at = _switch(_app(sample_db, monkeypatch), "pages/data_admin.py")
    f = _filters(at)
    (n_err,), = _sql(sample_db, "SELECT count(*) FROM load_errors WHERE campaign_id = ? AND severity IN ('错误','error')",
                     f.campaign_id)
    assert any(f"错误 **{n_err}** 条" in m.value for m in at.markdown)
    (n_sub,), = _sql(sample_db, "SELECT count(*) FROM submissions WHERE campaign_id = ?", f.campaign_id)
    subs = next(d.value for d in at.dataframe if "填报时间来源" in d.value.columns)
    assert len(subs) == n_sub


def test_data_admin_rebuild_is_picked_up(fixture_db, tmp_path, monkeypatch):
    """“只重新生成数据库”：重建后页面读到新库（不是进程里仍打开的旧库）。"""
    import shutil

    from dashboard import upload

    if not any((ROOT / "data" / "sample").glob("*/*.xls*")):
        pytest.skip("data/sample 下没有示例文件")
    db = tmp_path / "dash.duckdb"
    shutil.copy(fixture_db, db)
    monkeypatch.setattr(upload, "UPLOADS_ROOT", tmp_path / "uploads")
    at = _switch(_app(db, monkeypatch), "pages/data_admin.py")
    before = len(next(d.value for d in at.dataframe if "填报时间来源" in d.value.columns))
    next(b for b in at.button if b.label == "只重新生成数据库").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("数据库已重新生成" in s.value for s in at.success)
    f = _filters(at)
    (n_sub,), = _sql(db, "SELECT count(*) FROM submissions WHERE campaign_id = ?", f.campaign_id)
    subs = next(d.value for d in at.dataframe if "填报时间来源" in d.value.columns)
    assert len(subs) == n_sub != before


def test_display_fixes_on_pages(sample_db, monkeypatch):
    at = _switch(_app(sample_db, monkeypatch), "pages/satisfaction.py")
    labels = [m.label for m in at.metric]
    assert "总体满意度" in labels and not any(lb.startswith("20") for lb in labels)
    chg = next(d.value for d in at.dataframe if "对比年度" in d.value.columns)
    score_cols = [c for c in chg.columns if "得分" in c]
    for c in score_cols:
        assert chg[c].str.fullmatch(r"\d+\.\d").all(), c            # 92 显示为 92.0
    assert chg["变化（分）"].str.fullmatch(r"[+-]\d+\.\d|持平").all()

    _switch(at, "pages/leads.py")
    od = next(d.value for d in at.dataframe if "超期工作日" in d.value.columns)
    assert list(od.columns[:5]) == ["超期工作日", "单位", "线索编号", "投诉人（脱敏）", "电话（脱敏）"]
    assert len(od) <= 200 and od["超期工作日"].is_monotonic_decreasing

    _switch(at, "pages/data_admin.py")
    at.toggle(key="adm_err_detail").set_value(True).run()  # 原值 is among the detail columns
    errs = next(d.value for d in at.dataframe if "原值" in d.value.columns)
    assert not errs["原值"].isna().any() and not (errs["原值"] == "None").any()
    from dashboard.upload import MAX_FILE_BYTES
    limit = f"单个文件不超过 {MAX_FILE_BYTES // 2**20}MB"
    assert at.caption and any(limit in c.value for c in at.caption)


def test_repeat_complainants_limit_is_head_of_full_list(sample_db):
    """表格只取前 N 位（limit）= 完整名单（下载）的前 N 行；名次按件数、最近受理、线索编号；两次运行相同。"""
    import pandas as pd

    from dashboard.db import QueryRunner

    r = QueryRunner(sample_db)
    try:
        cid = r.run("campaigns")["campaign_id"].iloc[0]
        as_of = max(r.run("snapshot_dates", campaign_id=cid)["as_of_date"]).date()
        prm = dict(campaign_id=cid, as_of=as_of, units=[], categories=[], channels=[])
        full = r.run("leads_repeat_complainants", limit=None, **prm)
        top = r.run("leads_repeat_complainants", limit=5, **prm)
        s = r.run("leads_summary", **prm).iloc[0]
        pd.testing.assert_frame_equal(r.run("leads_repeat_complainants", limit=None, **prm), full)
    finally:
        r.close()
    assert len(full) == s["repeat_complainants"] > 5 and full["leads"].sum() == s["repeat_leads"]
    pd.testing.assert_frame_equal(top, full.head(5))
    expect = full.sort_values(["leads", "last_received", "lead_ids"], ascending=[False, False, True])
    assert full["seq"].tolist() == list(range(1, len(full) + 1))
    assert full["lead_ids"].tolist() == expect["lead_ids"].tolist()


def test_report_detail_names_the_report_due_date(fixture_db, monkeypatch):
    # due_date in ledger_report_punctuality is the 台账报送节点, not a lead's 办理期限
    at = _switch(_app(fixture_db, monkeypatch), "pages/unit_progress.py")
    assert not [d for d in at.dataframe if "报送节点" in d.value.columns]  # built only when the box is opened
    at.session_state["up_report_detail"] = True
    at.run()
    detail = next(d.value for d in at.dataframe if "报送节点" in d.value.columns)
    assert "办理期限" not in detail.columns
    import duckdb

    from tests.fixtures.fixture_db import CAMPAIGN_ID
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        due = con.execute("SELECT count(*) FROM report_due_dates WHERE campaign_id = ?", [CAMPAIGN_ID]).fetchone()[0]
    assert 0 < detail["报送节点"].nunique() <= due
