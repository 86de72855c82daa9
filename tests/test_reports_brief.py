"""The brief (.docx and .xlsx): every figure equals the SQL truth, computed here independently."""
from __future__ import annotations

import re
from datetime import date

import openpyxl
import pytest
from docx import Document

from reports.brief_data import collect, previous_report_date
from reports.brief_docx import write_docx
from reports.brief_xlsx import write_xlsx
from tests._reports_common import AS_OF, CAMPAIGNS, build_sample_db, truth_kpi, truth_overdue, truth_status

CASES = [(cid, d) for cid in CAMPAIGNS for d in AS_OF[cid]]
# 上期 (analytics/comparison.py, [reporting] compare_with): Haixi reports weekly → the previous Thursday;
# Fuyang by report periods → the previous period: ledger due date + grace_days 3 (06-25 → 06-28, 08-25 → 08-28)
PREV = {("fuyang-2023", "2023-07-27"): "2023-06-28", ("fuyang-2023", "2023-09-21"): "2023-08-28",
        ("haixi-2023", "2023-08-31"): "2023-08-24", ("haixi-2023", "2023-09-21"): "2023-09-14"}
# how the brief names 上期 in its sentences: 7 days back is 上周, otherwise 上期 with the date
PREV_WORD = r"(?:上周|上期（\d+月\d+日）)"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("brief_db"))


@pytest.fixture(scope="module")
def briefs(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("briefs")
    res = {}
    for cid, d in CASES:
        data = collect(db, cid, date.fromisoformat(d))
        docx_path = write_docx(data, out / f"{cid}_{d}.docx")
        xlsx_path = write_xlsx(data, out / f"{cid}_{d}.xlsx")
        res[(cid, d)] = (data, Document(str(docx_path)), openpyxl.load_workbook(xlsx_path))
    return res


def _pct(num, den) -> float:
    return round(num / den * 100, 1)


def _pp(cur, prev, num, den) -> float:
    return round((cur[num] / cur[den] - prev[num] / prev[den]) * 100, 1)


def test_previous_report_date_is_previous_thursday():
    assert previous_report_date(date(2023, 9, 21), 4) == date(2023, 9, 14)
    assert previous_report_date(date(2023, 9, 25), 4) == date(2023, 9, 21)


@pytest.mark.parametrize("cid,d", CASES)
def test_opening_paragraph_numbers(briefs, db, cid, d):
    data, doc, _ = briefs[(cid, d)]
    prev = PREV[(cid, d)]
    t, tp = truth_kpi(db, cid, d), truth_kpi(db, cid, prev)
    text = next(p.text for p in doc.paragraphs if p.text.startswith("截至"))
    dd = date.fromisoformat(d)
    region = "全市" if cid.startswith("fuyang") else "全州"
    m = re.search(r"截至(\d+)月(\d+)日，(全[市州])共查摆问题(\d+)个，已整改(\d+)个（其中已销号(\d+)个），"
                  rf"整改率([\d.]+)%(?:，较{PREV_WORD}(提高|下降)([\d.]+)个百分点|，与{PREV_WORD}持平)；", text)
    assert m, text
    assert (int(m[1]), int(m[2]), m[3]) == (dd.month, dd.day, region)
    assert (int(m[4]), int(m[5]), int(m[6])) == (t["problems"], t["done"], t["closed"])
    p = date.fromisoformat(prev)
    if t["problems"] != tp["problems"]:  # a change is worded against 上周 (weekly) or 上期（date）
        assert ("较上周" if cid.startswith("haixi") else f"较上期（{p.month}月{p.day}日）") in text
    assert float(m[7]) == _pct(t["done"], t["problems"])
    pp = _pp(t, tp, "done", "problems")
    if pp == 0:
        assert "整改率" in text and m[8] is None
    else:
        assert m[8] == ("提高" if pp > 0 else "下降") and float(m[9]) == abs(pp)
    m = re.search(rf"逾期未整改问题(\d+)个(?:，较{PREV_WORD}(增加|减少)(\d+)个|，与{PREV_WORD}持平)", text)
    assert int(m[1]) == t["overdue"]
    delta = t["overdue"] - tp["overdue"]
    assert (m[2] is None) if delta == 0 else (m[2] == ("增加" if delta > 0 else "减少") and int(m[3]) == abs(delta))
    m = re.search(r"受理问题线索(\d+)件，已办结(\d+)件，按时办结率([\d.]+)%", text)
    assert (int(m[1]), int(m[2])) == (t["leads_received"], t["leads_concluded"])
    assert float(m[3]) == _pct(t["leads_ontime"], t["leads_ontime_den"])
    assert f"超期未办结线索{t['leads_open_overdue']}件" in text
    assert f"反弹问题{t['relapse']}个" in text and f"长期推进问题{t['long_term']}个" in text


def _kpi_rows(doc) -> dict[str, list[str]]:
    tbl = next(t for t in doc.tables if t.rows[0].cells[0].text == "指标")
    return {r.cells[0].text: [c.text for c in r.cells[1:]] for r in tbl.rows[1:]}


@pytest.mark.parametrize("cid,d", CASES)
def test_docx_kpi_table(briefs, db, cid, d):
    _, doc, _ = briefs[(cid, d)]
    prev = PREV[(cid, d)]
    t, tp = truth_kpi(db, cid, d), truth_kpi(db, cid, prev)
    rows = _kpi_rows(doc)
    assert rows["查摆问题数"][:2] == [str(t["problems"]), str(tp["problems"])]
    assert rows["已整改（含已销号）"][0] == str(t["done"])
    assert rows["逾期问题"][0] == str(t["overdue"])
    assert rows["超期未办结线索"][0] == str(t["leads_open_overdue"])
    cur = rows["整改率"][0].replace("\n", "")
    assert cur == f"{_pct(t['done'], t['problems']):.1f}%（{t['done']}/{t['problems']}）"
    pp = _pp(t, tp, "done", "problems")
    assert rows["整改率"][2] == ("持平" if pp == 0 else f"{pp:+.1f}个百分点")
    d_over = t["overdue"] - tp["overdue"]
    assert rows["逾期问题"][2] == ("持平" if d_over == 0 else f"{d_over:+d}")


@pytest.mark.parametrize("cid,d", CASES)
def test_xlsx_kpi_and_lists(briefs, db, cid, d):
    _, _, wb = briefs[(cid, d)]
    prev = PREV[(cid, d)]
    t, tp = truth_kpi(db, cid, d), truth_kpi(db, cid, prev)
    ws = wb["关键指标"]
    assert ws.freeze_panes == "A2"
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}
    assert rows["查摆问题数"][1].value == t["problems"] and rows["查摆问题数"][3].value == tp["problems"]
    rate = rows["整改率"][1]
    assert rate.value == pytest.approx(t["done"] / t["problems"]) and "%" in rate.number_format
    assert rows["整改率"][2].value == f"{t['done']}/{t['problems']}"
    assert rows["整改率"][5].value == pytest.approx(_pp(t, tp, "done", "problems"))
    over = truth_overdue(db, cid, d)
    ws = wb["逾期问题"]
    body = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] and not str(r[0]).startswith("注")]
    assert len(body) == len(over)
    assert sorted(r[2] for r in body) == sorted(v[0] for v in over.values())
    deadline_cell = ws.cell(2, 4)
    if over:
        assert deadline_cell.is_date
    assert wb["超期线索"].max_row >= t["leads_open_overdue"] + 1


@pytest.mark.parametrize("cid,d", CASES)
def test_followup_of_previous_brief(briefs, db, cid, d):
    data, doc, wb = briefs[(cid, d)]
    prev = PREV[(cid, d)]
    assert data.prev_as_of == date.fromisoformat(prev)
    prev_over = truth_overdue(db, cid, prev)
    now = truth_status(db, cid, d)
    expected = {"已整改": 0, "已销号": 0, "转为长期推进": 0, "仍逾期": 0}
    for pid in prev_over:
        st = now[pid]
        expected[{"已整改": "已整改", "已销号": "已销号", "长期推进": "转为长期推进"}.get(st, "仍逾期")] += 1
    # docx: the follow-up table lists every item overdue at the previous brief with its outcome
    tbl = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][-1] == "跟踪结果"
               and t.rows[0].cells[1].text == "具体问题")
    outcomes = [r.cells[-1].text for r in tbl.rows[1:]]
    assert len(outcomes) == len(prev_over)
    assert {k: outcomes.count(k) for k in expected} == expected
    summary = next(p.text for p in doc.paragraphs if p.text.startswith("上期（"))
    assert f"上期逾期问题{len(prev_over)}个" in summary
    assert f"本期已整改（含销号）{expected['已整改'] + expected['已销号']}个" in summary
    assert f"仍逾期{expected['仍逾期']}个" in summary
    ws = wb["上期督办-问题"]
    xs = [r[-1] for r in ws.iter_rows(min_row=2, values_only=True) if r[1]]
    assert {k: xs.count(k) for k in expected} == expected
    # lagging units of the previous brief: each listed with its state then and now
    flagged_prev = set(data.units_prev.loc[data.units_prev["lagging_state"].isin(["红", "黄"]), "unit_name"])
    tbl = next(t for t in doc.tables if t.rows[0].cells[1].text == "上期状态")
    assert {r.cells[0].text for r in tbl.rows[1:]} == flagged_prev


def test_docx_page_setup(briefs):
    _, doc, _ = briefs[CASES[0]]
    sec = doc.sections[0]
    assert round(sec.page_width.cm, 1) == 21.0 and round(sec.page_height.cm, 1) == 29.7
    footer_xml = sec.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml
    tbl = doc.tables[1]
    assert "w:tblHeader" in tbl.rows[0]._tr.xml
    assert all("w:cantSplit" in r._tr.xml for r in tbl.rows)
    assert len(doc.inline_shapes) >= 3  # charts embedded as images


def test_font_missing_message_is_chinese(monkeypatch):
    from reports import fonts

    fonts.cjk_font_path.cache_clear()
    monkeypatch.setenv("REPORTS_CJK_FONT", "/nonexistent/font.ttf")
    with pytest.raises(fonts.FontNotFound, match="找不到可用的中文字体"):
        fonts.cjk_font_path()
    monkeypatch.delenv("REPORTS_CJK_FONT")
    fonts.cjk_font_path.cache_clear()
    assert fonts.cjk_font_path().exists()


@pytest.mark.parametrize("cid,d", CASES)
def test_lagging_thresholds_printed_are_the_ones_the_states_follow(briefs, cid, d):
    """The brief once printed ≥5 red / 2～4 yellow while the states followed ≥6 / 4～5."""
    data, doc, _ = briefs[(cid, d)]
    note = "注：状态按滞后评分：≥6分红色，4～5分黄色，其余绿色。"
    assert note in [p.text for p in doc.paragraphs]
    states = [("红" if s >= 6 else "黄" if s >= 4 else "绿") for s in data.units["lagging_score"]]
    assert states == data.units["lagging_state"].tolist()


def _docx_text(doc) -> str:
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("cid,d", CASES)
def test_brief_prints_the_dates_compared(briefs, cid, d):
    data, doc, wb = briefs[(cid, d)]
    rule = "上一个周报日" if cid.startswith("haixi") else "上一个台账报送期"
    line = f"本简报的“较上期”变化均为与上期（{PREV[(cid, d)]}，{rule}）相比。"
    paras = [p.text for p in doc.paragraphs]
    assert any(p.startswith("统计期间：") and p.endswith("　" + line) for p in paras)  # under the title
    assert any(p.endswith(line) and p.startswith("注：") for p in paras)  # the KPI table's note
    assert line in wb["简报"]["A4"].value


def test_no_previous_period_is_said_not_hidden(db):
    # Haixi's first ledgers are 5-10…; its first report period closes 05-18 (05-15 + 3): on Thursday 05-18
    # the previous Thursday (05-11) has no period yet → no comparison, and the brief says why
    data = collect(db, "haixi-2023", date(2023, 5, 18))
    assert data.prev_as_of is None and data.kpi_prev is None
    doc = Document(_docx(data))
    assert any(p.text.endswith("　上一个周报日（2023-05-11）及以前还没有一期台账，不与上期比较。") for p in doc.paragraphs)


def _docx(data):
    import io

    return io.BytesIO(write_docx(data))


def _rule_paragraph(doc) -> str:
    return next(p.text for p in doc.paragraphs if "扣分规则：" in p.text)


@pytest.mark.parametrize("cid,d", CASES)
def test_rule_sentence_is_the_dashboards(briefs, cid, d):
    """The brief's rule text is the text the dashboard prints beside the same scores (unit_progress.rules_text)."""
    from analytics.filters import Filters
    from analytics.page_data.unit_progress import rules_text

    data, doc, _ = briefs[(cid, d)]
    dashboard = "".join(rules_text(Filters(cid, data.as_of, data.prev_as_of, campaign=data.campaign)))
    assert _rule_paragraph(doc).split("扣分规则：", 1)[1] == dashboard
    assert dashboard.endswith("合计 ≥ 6 分为红色（建议挂牌督办或约谈），4～5 分为黄色（重点关注），3 分及以下为绿色（按计划推进）。")
    text = _docx_text(doc)
    assert "普遍存在" not in text and "明显偏低" not in text  # the config's internal reasoning stays out
    lag = next(t for t in doc.tables if t.rows[0].cells[-1].text == "建议")
    assert {r.cells[-1].text for r in lag.rows[1:]} <= {"建议挂牌督办或约谈", "重点关注"}


def test_changed_thresholds_change_the_brief(db, tmp_path, monkeypatch):
    """red = 7 / yellow = 5 in a temporary copy of the config: scores, states and every printed rule follow."""
    import matplotlib.axes

    from analytics import lagging
    from etl.config import load_campaign
    from reports.charts_png import brief_charts

    cid = "haixi-2023"
    text = load_campaign(cid).source.read_text(encoding="utf-8")
    assert text.count("red = 6\nyellow = 4\n") == 1
    (tmp_path / f"{cid}.toml").write_text(text.replace("red = 6\nyellow = 4\n", "red = 7\nyellow = 5\n"),
                                          encoding="utf-8")
    rules = load_campaign(cid, tmp_path).lagging
    monkeypatch.setattr(lagging, "for_campaign", lambda c: rules)
    data = collect(db, cid, date(2023, 9, 21))
    states = [("红" if s >= 7 else "黄" if s >= 5 else "绿") for s in data.units["lagging_score"]]
    assert states == data.units["lagging_state"].tolist()
    doc = Document(_docx(data))
    paras = [p.text for p in doc.paragraphs]
    assert "注：状态按滞后评分：≥7分红色，5～6分黄色，其余绿色。" in paras
    rule = _rule_paragraph(doc)
    assert rule.endswith("合计 ≥ 7 分为红色（建议挂牌督办或约谈），5～6 分为黄色（重点关注），4 分及以下为绿色（按计划推进）。")
    assert rule.split("扣分规则：", 1)[1] == "".join(lagging.rules_text(rules, data.min_items))
    titles = []
    monkeypatch.setattr(matplotlib.axes.Axes, "set_title", lambda ax, t, *a, **k: titles.append(t))
    brief_charts(data)
    assert "各单位滞后评分（越高越滞后；红≥7，黄5～6）" in titles


@pytest.mark.parametrize("cid,d", CASES)
def test_no_raw_codes_and_the_plans_words(briefs, cid, d):
    from analytics.metrics import RELAPSE_BASIS

    data, doc, _ = briefs[(cid, d)]
    text = _docx_text(doc)
    assert "问题类别" not in text
    leads = next(t for t in doc.tables if t.rows[0].cells[0].text == "线索编号")
    assert [c.text for c in leads.rows[0].cells][3] == "问题方面"
    rel = next((t for t in doc.tables if t.rows[0].cells[3].text == "判定依据"), None)
    if rel is not None and len(rel.rows) > 1:
        basis = {r.cells[3].text for r in rel.rows[1:]}
        assert basis <= set(RELAPSE_BASIS.values()), basis
        assert len(data.relapses) == len(rel.rows) - 1
