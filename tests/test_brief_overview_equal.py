"""One “上期”: the brief and the overview, at the same 统计日, show the same figures, the same changes and
the same compared date (issue 11: for 阜阳 at 2023-11-06 they once showed opposite trends)."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document

from analytics import comparison
from analytics.filters import Filters
from analytics.page_data.overview import overview_data
from analytics.queries import QueryRunner, to_date
from reports.brief_data import collect
from reports.brief_docx import write_docx
from tests._reports_common import build_sample_db

# two 统计日 per campaign: a Thursday and a Monday (the 2023-11-06 for 阜阳)
CASES = [("fuyang-2023", "2023-09-21"), ("fuyang-2023", "2023-11-06"),
         ("haixi-2023", "2023-09-21"), ("haixi-2023", "2023-10-16")]
# the compared date, by hand: Fuyang (report_period) → the previous period = ledger due date + 3 grace days
# (08-25 → 08-28; 10-20 → 10-23 — the last period, 11-01's, runs to the latest data, 11-06, so on 11-06 it is
# the current period); Haixi (weekly) → the previous Thursday
EXPECTED_PREV = {("fuyang-2023", "2023-09-21"): date(2023, 8, 28), ("fuyang-2023", "2023-11-06"): date(2023, 10, 23),
                 ("haixi-2023", "2023-09-21"): date(2023, 9, 14), ("haixi-2023", "2023-10-16"): date(2023, 10, 12)}
# brief KPI table row → overview key (figure) and its change
COUNT_ROWS = {"查摆问题数": "problems", "已整改（含已销号）": "done", "其中：已销号": "closed", "逾期问题": "overdue",
              "受理线索": "leads_received", "超期未办结线索": "leads_open_overdue"}
RATE_ROWS = {"整改率": ("completion", "done", "problems"), "线索按时办结率": ("ontime", "leads_ontime", "leads_ontime_den"),
             "反馈率": ("feedback", "leads_feedback", "leads_concluded")}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("equal_db"))


@pytest.fixture(scope="module")
def runner(db):
    r = QueryRunner(db)
    yield r
    r.close()


def sidebar_filters(run, cid: str, as_of: date) -> Filters:
    """The Filters dashboard/filters.sidebar() builds for this campaign and 统计日 (no unit/category filter)."""
    camps = run("campaigns")
    camp = camps[camps["campaign_id"] == cid].iloc[0].to_dict()
    snaps = [to_date(d) for d in run("snapshot_dates", campaign_id=cid)["as_of_date"]]
    units = run("units", campaign_id=cid)
    return Filters(campaign_id=cid, as_of=as_of, prev_as_of=comparison.previous_date(camp, as_of, snaps),
                   campaign=camp, unit_names=dict(zip(units["unit_id"], units["name"], strict=True)),
                   snapshot_dates=tuple(snaps))


@pytest.fixture(scope="module")
def pairs(db, runner):
    out = {}
    for cid, d in CASES:
        as_of = date.fromisoformat(d)
        brief = collect(db, cid, as_of)
        doc = Document(io.BytesIO(write_docx(brief)))
        f = sidebar_filters(runner.run, cid, as_of)
        out[(cid, d)] = (brief, doc, f, overview_data(runner.run, f))
    return out


def _kpi_rows(doc) -> dict[str, list[str]]:
    tbl = next(t for t in doc.tables if t.rows[0].cells[0].text == "指标")
    return {r.cells[0].text: [c.text.replace("\n", "") for c in r.cells[1:]] for r in tbl.rows[1:]}


@pytest.mark.parametrize("cid,d", CASES)
def test_same_compared_date_and_sentence(pairs, cid, d):
    brief, doc, f, ov = pairs[(cid, d)]
    assert brief.prev_as_of == f.prev_as_of == EXPECTED_PREV[(cid, d)]
    sentence = comparison.sentence(f.campaign, f.as_of, f.prev_as_of)  # what the sidebar prints
    rule = "上一个周报日" if cid.startswith("haixi") else "上一个台账报送期"
    assert sentence == f"与上期（{EXPECTED_PREV[(cid, d)]:%Y-%m-%d}，{rule}）相比"
    assert any(p.text.startswith("统计期间：") and p.text.endswith(f"　本简报的“较上期”变化均为{sentence}。")
               for p in doc.paragraphs)


@pytest.mark.parametrize("cid,d", CASES)
def test_same_figures_and_changes(pairs, cid, d):
    brief, doc, f, ov = pairs[(cid, d)]
    assert ov.kpi_prev is not None
    assert brief.kpi.to_dict() == ov.kpi.to_dict() and brief.kpi_prev.to_dict() == ov.kpi_prev.to_dict()
    rows = _kpi_rows(doc)
    for label, key in COUNT_ROWS.items():
        now, prev, change = rows[label]
        assert (int(now), int(prev)) == (int(ov.kpi[key]), int(ov.kpi_prev[key])), label
        assert change == ov.deltas[key], label            # '+4' / '-1' / '持平' on both
    for label, (key, num, den) in RATE_ROWS.items():
        now, prev, change = rows[label]
        assert now.endswith(f"（{int(ov.kpi[num])}/{int(ov.kpi[den])}）"), label
        assert prev.endswith(f"（{int(ov.kpi_prev[num])}/{int(ov.kpi_prev[den])}）"), label
        assert change == ov.deltas[key], label            # '+3.8个百分点' / '持平' on both


def _signed(m) -> str:
    """“提高3.8个百分点”/“下降0.1个百分点”/“增加1个”/“与…持平” → the overview's '+3.8个百分点' / '-1' / '持平'."""
    if m["same"]:
        return "持平"
    sign = "+" if m["dir"] in ("提高", "增加") else "-"
    return f"{sign}{m['n']}个百分点" if m["pp"] else f"{sign}{m['n']}"


@pytest.mark.parametrize("cid,d", CASES)
def test_opening_sentences_say_the_overviews_changes(pairs, cid, d):
    brief, doc, f, ov = pairs[(cid, d)]
    text = next(p.text for p in doc.paragraphs if p.text.startswith("截至"))
    prev = f"上期（{f.prev_as_of.month}月{f.prev_as_of.day}日）" if (f.as_of - f.prev_as_of).days != 7 else "上周"
    change = (rf"(?:，较{re.escape(prev)}(?P<dir>提高|下降|增加|减少)(?P<n>[\d.]+)(?P<pp>个百分点)?"
              rf"|(?P<same>，与{re.escape(prev)}持平))")
    for what, key in (("整改率[\\d.]+%", "completion"), ("逾期未整改问题\\d+个", "overdue"),
                      ("按时办结率[\\d.]+%", "ontime"), ("超期未办结线索\\d+件", "leads_open_overdue")):
        m = re.search(what + change, text)
        assert m, (key, text)
        assert _signed(m) == ov.deltas[key], (key, m[0])


def test_fuyang_2023_11_06_no_longer_contradicts(pairs):
    """The issue's case: both now compare 11-06 with 10-23 and agree on every change."""
    brief, doc, f, ov = pairs[("fuyang-2023", "2023-11-06")]
    rows = _kpi_rows(doc)
    assert [rows[k][2] for k in ("整改率", "线索按时办结率", "逾期问题")] == \
        [ov.deltas["completion"], ov.deltas["ontime"], ov.deltas["overdue"]]


@pytest.mark.parametrize("cid,d", [("haixi-2023", "2023-10-16"), ("fuyang-2023", "2023-11-06")])
def test_sidebar_prints_the_briefs_sentence(pairs, db, monkeypatch, cid, d):
    """The running dashboard (sidebar from the URL) compares with the brief's date and prints the same sentence."""
    from tests.signed_in import app_as

    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = app_as(monkeypatch, timeout=90)
    at.query_params["campaign"] = cid
    at.query_params["as_of"] = d
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    brief = pairs[(cid, d)][0]
    f = at.session_state["flt_state"]
    assert (f.as_of, f.prev_as_of) == (brief.as_of, brief.prev_as_of)
    sentence = comparison.sentence(brief.campaign, brief.as_of, brief.prev_as_of)
    assert any(c.value.endswith("　" + sentence) for c in at.sidebar.caption), [c.value for c in at.sidebar.caption]
