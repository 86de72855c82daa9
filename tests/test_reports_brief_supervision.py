"""简报开头的督办事项跟踪：9 月 21 日例会交办的事项，在下一周（9 月 28 日）的简报 .docx / .xlsx 里带状态和督办等级
列出；下次例会（10 月 5 日）前到期的另列；单位范围的简报只有本单位的事项；“即将到期”一节与独立计算一致。

工作日：2023 年国庆中秋 9-29～10-6 放假，10-7（周六）、10-8（周日）调休上班。"""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from docx import Document

from analytics.scope import UnitScope
from analytics.supervision_rules import default_deadline
from etl.config import load_campaign
from reports.brief_data import collect
from reports.brief_docx import write_docx
from reports.brief_xlsx import write_xlsx
from state import supervision as sv
from state.store import close_store, open_store
from tests._reports_common import build_sample_db
from tests.test_supervision_warning import OPEN_LEADS, OPEN_PROBLEMS, _truth

CID = "fuyang-2023"
MEETING, NEXT_WEEK = date(2023, 9, 21), date(2023, 9, 28)
HEADER = ["编号", "单位", "来源", "督办事项", "期限", "剩余工作日", "状态", "等级"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    root = tmp_path_factory.mktemp("brief_sv")
    db = build_sample_db(root)
    url = f"sqlite:///{root / 'state.db'}"
    store = open_store(url)
    rules = load_campaign(CID).supervision
    mk = dict(campaign_id=CID, requirement="按期整改到位并反馈", owner="主要负责人", actor="专班")
    ids = {
        # 交办后 5 个工作日：9-22、9-25、9-26、9-27、9-28
        "A": sv.create_item(store, unit_id="yingzhou", source="周例会", title="逾期问题清零",
                            deadline=default_deadline(MEETING, rules), deadline_rule="交办后5个工作日", **mk),
        "B": sv.create_item(store, unit_id="linquan", source="约谈", title="超期线索办结", deadline=date(2023, 9, 26), **mk),
        "C": sv.create_item(store, unit_id="taihe", source="挂牌督办", title="台账报送整改", deadline=date(2023, 10, 9),
                            **mk),
        "D": sv.create_item(store, unit_id="funan", source="领导批示", title="满意度回访", deadline=NEXT_WEEK, **mk),
        "E": sv.create_item(store, unit_id="zhidui", source="专班交办", title="整改方案报送", deadline=date(2023, 9, 15),
                            **mk),
    }
    sv.add_feedback(store, ids["A"], "已全部整改，附整改报告", [], actor="颍州区")
    sv.add_feedback(store, ids["E"], "已报送", [], actor="支队")
    sv.verify(store, ids["E"], "核查属实", actor="专班")
    sv.close(store, ids["E"], "", actor="专班")
    data = collect(db, CID, NEXT_WEEK, store=store)
    docx_path = write_docx(data, root / "brief.docx")
    xlsx_path = write_xlsx(data, root / "brief.xlsx")
    yield db, store, url, ids, data, Document(str(docx_path)), openpyxl.load_workbook(xlsx_path)
    close_store(url)


def _rows(doc, header: list[str]) -> list[list[str]]:
    t = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == header)
    return [[c.text for c in r.cells] for r in t.rows[1:]]


def test_brief_opens_with_the_items_of_last_meeting(scenario):
    _, _, _, ids, _, doc, _ = scenario
    paras = [p.text for p in doc.paragraphs]
    assert paras[5] == "一、督办事项跟踪"
    assert paras[6] == ("上次例会（9月21日）以来督办事项5项：督办中3项、已反馈1项、已销号1项；其中逾期未反馈（红色）1项，"
                        "临近期限黄色1项、蓝色1项。下次例会（10月5日）前到期1项。")
    assert paras.index("二、总体情况") > 6
    assert _rows(doc, HEADER) == [
        [str(ids["E"]), "市交通运输综合行政执法支队", "专班交办", "整改方案报送", "2023-09-15", "—", "已销号", "—"],
        [str(ids["B"]), "临泉县交通运输局", "约谈", "超期线索办结", "2023-09-26", "逾期2", "督办中（逾期）", "红"],
        [str(ids["A"]), "颍州区交通运输局", "周例会", "逾期问题清零", "2023-09-28", "—", "已反馈", "—"],
        [str(ids["D"]), "阜南县交通运输局", "领导批示", "满意度回访", "2023-09-28", "0（今日到期）", "督办中", "黄"],
        # 9-28 之后：9-29～10-6 放假，10-7、10-8 调休上班，10-9 → 剩 3 个工作日，蓝
        [str(ids["C"]), "太和县交通运输局", "挂牌督办", "台账报送整改", "2023-10-09", "3", "督办中", "蓝"],
    ]
    # 督办等级的底色
    t = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == HEADER)
    fills = [r.cells[-1]._tc.xml for r in t.rows[1:]]
    assert 'w:fill="F4CCCC"' in fills[1] and 'w:fill="FFF2CC"' in fills[3] and 'w:fill="DDEBF7"' in fills[4]


def test_items_due_before_the_next_meeting(scenario):
    _, _, _, ids, _, doc, _ = scenario
    assert "下次例会（10月5日）前到期的督办事项" in [p.text for p in doc.paragraphs]
    assert _rows(doc, ["编号", "单位", "督办事项", "责任人", "期限", "剩余工作日", "状态", "等级"]) == [
        [str(ids["D"]), "阜南县交通运输局", "满意度回访", "主要负责人", "2023-09-28", "0（今日到期）", "督办中", "黄"]]


def test_xlsx_has_the_items_sheet_first(scenario):
    *_, ids, _, _, wb = scenario
    assert wb.sheetnames[:3] == ["简报", "督办事项", "例会前到期"]
    assert wb["简报"].cell(7, 1).value.startswith("督办事项跟踪：上次例会（9月21日）以来督办事项5项")
    body = [r for r in wb["督办事项"].iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
    assert [(r[0], r[6], r[7]) for r in body] == [(ids["E"], "已销号", None), (ids["B"], "督办中（逾期）", "红"),
                                                 (ids["A"], "已反馈", None), (ids["D"], "督办中", "黄"),
                                                 (ids["C"], "督办中", "蓝")]
    assert wb["督办事项"].cell(2, 5).is_date


def test_unit_brief_lists_only_its_own_items(scenario, monkeypatch):
    """单位范围的简报：只有本单位的事项；不给 store 时读 DASHBOARD_STATE_URL 指向的状态库。"""
    db, _, url, ids, *_ = scenario
    monkeypatch.setenv("DASHBOARD_STATE_URL", url)
    data = collect(db, CID, NEXT_WEEK, scope_unit=UnitScope("linquan", CID))
    doc = Document(io.BytesIO(write_docx(data)))
    assert [r[0] for r in _rows(doc, HEADER)] == [str(ids["B"])]
    assert set(data.warning.by_unit["unit_id"]) <= {"linquan"}


def test_due_soon_section_equals_independent_computation(scenario):
    db, *_, data, doc, _ = scenario
    paras = [p.text for p in doc.paragraphs]
    head = next(i for i, p in enumerate(paras) if p.endswith("、即将到期"))
    _, problems = _truth(db, OPEN_PROBLEMS, NEXT_WEEK, 3)
    _, leads = _truth(db, OPEN_LEADS, NEXT_WEEK, 3)
    assert paras[head + 1].startswith(f"截至9月28日，3个工作日内到期的问题{len(problems)}个、线索{len(leads)}件")
    shown = _rows(doc, ["线索编号", "承办单位", "线索来源", "问题方面", "问题摘要", "办理期限", "剩余工作日", "等级"])
    assert {r[0]: int(r[6]) for r in shown} == {k: v for k, (_, v) in leads.items()}
    assert not any("*" in c for r in shown for c in r)
