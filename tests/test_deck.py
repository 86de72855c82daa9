"""会议幻灯片（.pptx）：一页一个议题、每页有“数据截至”，幻灯片上的数字与简报一致——从幻灯片文字里解析出数字，
与独立 SQL（tests/_reports_common.truth_kpi）、BriefData 的原始数字和 Word 简报里的数字逐一比较。"""
from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from docx import Document
from pptx import Presentation
from pptx.util import Inches

from etl.config import load_campaign
from reports.__main__ import main as reports_main
from reports.brief_data import collect
from reports.brief_docx import write_docx
from reports.deck import write_deck
from state import supervision as sv
from state.store import close_store, open_store
from tests._reports_common import build_sample_db, truth_kpi

CASES = [("fuyang-2023", "2023-09-21"), ("haixi-2023", "2023-09-21")]
TOPICS = ["整体进展", "滞后单位", "逾期问题", "线索办理", "反弹问题", "满意度", "督办事项"]
UNIT = "linquan"
FOOTER_TOP = 7.5 - 0.42   # reports/deck_layout.py: SLIDE_H - FOOTER_H
# 指标卡 → 独立 SQL 的键（比率为 分子、分母）
CARDS = {"查摆问题数": ("problems",), "整改率": ("done", "problems"), "销号率": ("closed", "problems"),
         "逾期问题": ("overdue",), "长期推进": ("long_term",), "反弹问题": ("relapse",),
         "受理线索": ("leads_received",), "已办结线索": ("leads_concluded",),
         "线索按时办结率": ("leads_ontime", "leads_ontime_den"), "反馈率": ("leads_feedback", "leads_concluded"),
         "属实率": ("leads_found", "leads_with_finding"), "超期未办结线索": ("leads_open_overdue",)}


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    root = tmp_path_factory.mktemp("deck")
    db = build_sample_db(root)
    url = f"sqlite:///{root / 'state.db'}"
    store = open_store(url)
    mk = dict(campaign_id="fuyang-2023", requirement="按期整改到位并反馈", owner="主要负责人", actor="专班")
    items = {"yingzhou": sv.create_item(store, unit_id="yingzhou", source="周例会", title="逾期问题清零",
                                        deadline=date(2023, 9, 28), **mk),
             UNIT: sv.create_item(store, unit_id=UNIT, source="约谈", title="超期线索办结", deadline=date(2023, 9, 26),
                                  **mk)}
    out = {}
    for cid, d in CASES + [("fuyang-2023/unit", "2023-09-21")]:
        camp, scope = cid.split("/")[0], (UNIT if cid.endswith("/unit") else None)
        data = collect(db, camp, date.fromisoformat(d), store=store, scope_unit=scope)
        name = cid.replace("/", "_")
        deck = Presentation(str(write_deck(data, root / f"{name}.pptx")))
        brief = Document(str(write_docx(data, root / f"{name}.docx")))
        out[cid] = (data, deck, brief)
    yield db, items, out
    close_store(url)


def _texts(slide) -> list[str]:
    out = []
    for sh in slide.shapes:
        if sh.has_text_frame:
            out.append(sh.text_frame.text)
        if sh.has_table:
            out += [c.text for r in sh.table.rows for c in r.cells]
    return out


def _shape(slide, name: str):
    return next(sh for sh in slide.shapes if sh.name == name)


def _table(slide, key: str) -> list[list[str]]:
    rows = [[c.text for c in r.cells] for r in _shape(slide, key).table.rows]
    return rows[1:]


def _more(slide) -> int:
    """“另有 N 个…，见简报。” 的 N；没有这句时 0。"""
    note = [sh.text_frame.text for sh in slide.shapes if sh.name == "另有"]
    return int(re.search(r"另有 (\d+) 个", note[0])[1]) if note else 0


def _pct(num: int, den: int) -> float:
    return float((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _slide(deck, topic: str):
    return next(s for s in deck.slides if _shape(s, "标题").text_frame.text == topic)


def _docx_rows(doc, *headers: str) -> list[list[str]]:
    """Word 简报里表头以 headers 开头的表（表头行以外的行）。"""
    t = next(t for t in doc.tables if tuple(c.text for c in t.rows[0].cells[:len(headers)]) == headers)
    return [[c.text.replace("\n", "") for c in r.cells] for r in t.rows[1:]]


# ------------------------------------------------------------------ structure
@pytest.mark.parametrize("cid", [c for c, _ in CASES])
def test_one_slide_per_topic_16_9(decks, cid):
    data, deck, _ = decks[2][cid]
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    titles = [_shape(s, "标题").text_frame.text for s in deck.slides]
    assert titles[0] == f"{data.campaign['short_name']}工作简报"
    assert titles[1:] == TOPICS


@pytest.mark.parametrize("cid", [c for c, _ in CASES])
def test_every_slide_has_stamp_scope_and_compared_date(decks, cid):
    data, deck, _ = decks[2][cid]
    n_units = len(load_campaign(cid).units)
    region = "全市" if cid.startswith("fuyang") else "全州"
    for i, s in enumerate(deck.slides, start=1):
        assert _shape(s, "数据截至").text_frame.text == f"数据截至 2023-09-21　{i}/8"
        scope = _shape(s, "范围").text_frame.text
        assert scope == f"范围：{region}全部{n_units}个单位｜问题方面、来源渠道：全部｜{data.compared}", scope
        assert f"与上期（{data.prev_as_of:%Y-%m-%d}，" in scope, scope


@pytest.mark.parametrize("cid", [c for c, _ in CASES])
def test_nothing_runs_into_the_footer_or_off_the_slide(decks, cid):
    _, deck, _ = decks[2][cid]
    for i, s in enumerate(deck.slides, start=1):
        for sh in s.shapes:
            left, top = sh.left / 914400, sh.top / 914400
            right, bottom = left + sh.width / 914400, top + sh.height / 914400
            assert 0 <= left and right <= 13.34 and 0 <= top and bottom <= 7.5 + 1e-6, (i, sh.name)
            if sh.name not in ("范围", "数据截至") and top < FOOTER_TOP:
                assert bottom <= FOOTER_TOP + 1e-6, (i, sh.name, bottom)


# ------------------------------------------------------------------ figures
def _card(slide, label: str) -> dict:
    text = _shape(slide, f"指标卡：{label}").text_frame.text.replace("\n", "")
    m = re.fullmatch(r"(?P<label>.+?)(?P<cur>[\d.]+)(?P<pct>%)?(?:（(?P<num>\d+)/(?P<den>\d+)）)?"
                     r"(?:上期 (?P<prev>[\d.]+)%?，?较上期 (?P<chg>持平|[+-][\d.]+)(?:个百分点)?|无上期数据)", text)
    assert m and m["label"] == label, text
    return m.groupdict()


@pytest.mark.parametrize("cid", [c for c, _ in CASES])
def test_kpi_cards_equal_sql_and_the_word_brief(decks, cid):
    db, _, out = decks
    data, deck, brief = out[cid]
    d, prev = data.as_of.isoformat(), data.prev_as_of.isoformat()
    t, tp = truth_kpi(db, cid, d), truth_kpi(db, cid, prev)
    for k in ("leads_found", "leads_with_finding"):  # 属实率：truth_kpi 不算，取 BriefData 的原始计数
        t[k], tp[k] = int(data.kpi[k]), int(data.kpi_prev[k])
    word = {r[0]: r[1:] for r in _docx_rows(brief, "指标", "本期")}
    for topic, labels in (("整体进展", list(CARDS)[:6]), ("线索办理", list(CARDS)[6:])):
        s = _slide(deck, topic)
        for label in labels:
            c, keys = _card(s, label), CARDS[label]
            w_cur, w_prev, w_chg = word[label]
            if len(keys) == 2:
                num, den = t[keys[0]], t[keys[1]]
                assert (c["pct"], int(c["num"]), int(c["den"])) == ("%", num, den), (label, c)
                assert float(c["cur"]) == _pct(num, den), (label, c)
                assert abs(float(c["prev"]) - _pct(tp[keys[0]], tp[keys[1]])) < 1e-9, (label, c)
                pp = (num / den - tp[keys[0]] / tp[keys[1]]) * 100
                assert (c["chg"] == "持平") if round(pp, 1) == 0 else abs(float(c["chg"]) - pp) <= 0.051, (label, c)
                assert re.match(rf"{c['cur']}%（{num}/{den}）$", w_cur), (label, w_cur)
                assert w_prev.startswith(f"{c['prev']}%（"), (label, w_prev)
            else:
                cur, before = t[keys[0]], tp[keys[0]]
                assert (c["pct"], int(c["cur"]), int(c["prev"])) == (None, cur, before), (label, c)
                assert c["chg"] == ("持平" if cur == before else f"{cur - before:+d}"), (label, c)
                assert (w_cur, w_prev) == (str(cur), str(before)), label
            assert w_chg.replace("个百分点", "") == c["chg"], (label, w_chg)


@pytest.mark.parametrize("cid", [c for c, _ in CASES])
def test_lagging_slide_equals_the_brief_and_states_the_rule(decks, cid):
    data, deck, brief = decks[2][cid]
    s = _slide(deck, "滞后单位")
    rules = load_campaign(cid).lagging
    rule = _shape(s, "规则").text_frame.text
    assert f"合计 ≥ {rules.red} 分为红色" in rule and f"{rules.yellow}～{rules.red - 1} 分为黄色" in rule, rule
    rows = _table(s, "lagging")
    units, prev = data.units.set_index("unit_name"), data.units_prev.set_index("unit_name")
    flagged = units[units["lagging_score"] >= rules.yellow]
    assert len(rows) + _more(s) == len(flagged) > 0
    scores = []
    for name, state, score, change, _reasons in rows:
        u = units.loc[name]
        expect = "红" if u["lagging_score"] >= rules.red else "黄"
        assert (state, int(score)) == (expect, int(u["lagging_score"])), name
        delta = int(u["lagging_score"]) - int(prev.loc[name, "lagging_score"])
        assert change == ("持平" if delta == 0 else f"{delta:+d}"), name
        scores.append(int(score))
    assert scores == sorted(scores, reverse=True)
    word = [r[:4] for r in _docx_rows(brief, "单位", "状态", "滞后评分", "较上期")]
    assert [r[:4] for r in rows] == word[:len(rows)]


@pytest.mark.parametrize("cid", [c for c, _ in CASES])
def test_overdue_and_leads_slides_list_the_longest_overdue_first(decks, cid):
    db, _, out = decks
    data, deck, _ = out[cid]
    t = truth_kpi(db, cid, data.as_of.isoformat())
    s = _slide(deck, "逾期问题")
    assert f"逾期未整改问题{t['overdue']}个" in _shape(s, "摘要").text_frame.text
    rows = _table(s, "overdue")
    assert len(rows) + _more(s) == t["overdue"] == len(data.overdue)
    days = [int(r[4]) for r in rows]
    for unit, _cat, _case, deadline, n, _status in rows:  # 逾期天数 = 统计日 − 整改时限
        assert int(n) == (data.as_of - date.fromisoformat(deadline)).days, (unit, deadline, n)
    assert days == sorted(data.overdue["days_overdue"].astype(int), reverse=True)[:len(days)]

    s = _slide(deck, "线索办理")
    rows = _table(s, "leads_overdue")
    assert len(rows) + _more(s) == t["leads_open_overdue"] == len(data.leads_overdue)
    by_id = data.leads_overdue.set_index("lead_id")
    for lead_id, unit, _ch, _summary, due, n in rows:
        assert (by_id.loc[lead_id, "unit_name"], int(by_id.loc[lead_id, "working_days_overdue"])) == (unit, int(n))
        assert f"{by_id.loc[lead_id, 'due_date']:%Y-%m-%d}" == due
    n = [int(r[5]) for r in rows]
    assert n == sorted(data.leads_overdue["working_days_overdue"].astype(int), reverse=True)[:len(n)]


@pytest.mark.parametrize("cid", [c for c, _ in CASES])
def test_relapse_and_satisfaction_slides(decks, cid):
    db, _, out = decks
    data, deck, _ = out[cid]
    t = truth_kpi(db, cid, data.as_of.isoformat())
    s = _slide(deck, "反弹问题")
    assert f"问题{t['relapse']}个" in _shape(s, "摘要").text_frame.text
    assert len(_table(s, "relapses")) + _more(s) == t["relapse"]

    s = _slide(deck, "满意度")
    sat = data.satisfaction.set_index("unit_name")
    rows = _table(s, "satisfaction")
    assert len(rows) + _more(s) == len(sat) > 0
    for rank, unit, n, score, _note in rows:
        r = sat.loc[unit]
        assert rank == ("—" if not bool(r["rankable"]) else str(int(r["rank"]))), unit
        assert (int(n), abs(float(score) - float(r["score"])) <= 0.05) == (int(r["responses"]), True), unit


def test_supervision_slide_lists_the_items(decks):
    _, items, out = decks
    data, deck, _ = out["fuyang-2023"]
    s = _slide(deck, "督办事项")
    assert _shape(s, "摘要").text_frame.text.startswith("上次例会（9月14日）以来督办事项2项：督办中2项")
    rows = {int(r[0]): r for r in _table(s, "supervision_items")}
    assert set(rows) == set(items.values())
    assert rows[items[UNIT]][1:4] == ["临泉县交通运输局", "约谈", "超期线索办结"]
    assert rows[items["yingzhou"]][1:4] == ["颍州区交通运输局", "周例会", "逾期问题清零"]


# ------------------------------------------------------------------ unit scope, CLI
def test_unit_deck_shows_only_its_unit(decks):
    _, items, out = decks
    data, deck, brief = out["fuyang-2023/unit"]
    own = next(u.name for u in load_campaign("fuyang-2023").units if u.id == UNIT)
    others = [u.name for u in load_campaign("fuyang-2023").units if u.id != UNIT]
    text = "\n".join(t for s in deck.slides for t in _texts(s))
    assert [o for o in others if o in text] == []
    titles = [_shape(s, "标题").text_frame.text for s in deck.slides]
    assert titles == [f"{data.campaign['short_name']}工作简报（{own}）", *TOPICS]
    assert brief.paragraphs[0].text == titles[0]
    assert _shape(deck.slides[1], "范围").text_frame.text.startswith(f"范围：{own}（单位账号，仅本单位）")
    assert f"{own}本期滞后评分" in _shape(_slide(deck, "滞后单位"), "本单位").text_frame.text
    assert [int(r[0]) for r in _table(_slide(deck, "督办事项"), "supervision_items")] == [items[UNIT]]
    own_rows = _table(_slide(deck, "逾期问题"), "overdue")
    assert own_rows and {r[0] for r in own_rows} == {own}


def test_cli_writes_the_deck(decks, tmp_path, capsys):
    db = decks[0]
    out = tmp_path / "sub" / "会议幻灯片.pptx"
    assert reports_main(["deck", "--campaign", "haixi-2023", "--as-of", "2023-09-21", "--db", str(db),
                         "--out", str(out)]) == 0
    assert f"会议幻灯片已生成：{out}" in capsys.readouterr().out
    deck = Presentation(str(out))
    assert [_shape(s, "标题").text_frame.text for s in deck.slides][1:] == TOPICS
    with pytest.raises(SystemExit, match="无法识别的单位：不存在"):
        reports_main(["deck", "--campaign", "haixi-2023", "--as-of", "2023-09-21", "--db", str(db),
                      "--unit", "不存在", "--out", str(out)])
