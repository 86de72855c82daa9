"""督办页（AppTest，夹具库）：专班从预填的草稿交办，单位只看到并反馈本单位的事项，专班核查、销号；
每一步落在状态库（历史、操作日志），重复提交不会重复交办。浏览器里的全程见 tests/test_browser_supervision.py。"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

from analytics import supervision_drafts as drafts
from analytics import supervision_rules as rules
from dashboard import auth
from dashboard.supervise_button import K_DRAFT
from etl.config import load_campaign
from state import audit, supervision
from tests.fixtures.fixture_db import CAMPAIGN_ID, S2
from tests.signed_in import app_as

PAGE = "pages/supervision.py"


def _open(monkeypatch, fixture_db, role, unit_id=None, draft=None, tmp_path=None):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, role, unit_id=unit_id, timeout=90, tmp_path=tmp_path)
    at.run()
    if draft is not None:
        at.session_state[K_DRAFT] = asdict(draft)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_office_assigns_from_a_draft_and_unit_answers_and_office_closes(monkeypatch, fixture_db, tmp_path):
    row = {"unit_id": "taihe", "unit_name": "太和县交通运输局", "lagging_state": "红", "lagging_score": 7,
           "lagging_reasons": "整改率低2分、逾期问题3分", "problems": 6, "done": 1, "overdue": 3,
           "leads_open_overdue": 2}
    draft = drafts.from_lagging_unit(row, CAMPAIGN_ID, S2)
    at = _open(monkeypatch, fixture_db, "office", draft=draft, tmp_path=tmp_path)
    assert at.text_input[0].value == draft.title and at.text_area[0].value == draft.requirement
    next(b for b in at.button if b.label == "交办").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    store = auth.store()
    items = supervision.list_items(store, campaign_id=CAMPAIGN_ID)
    assert len(items) == 1
    item = items.iloc[0]
    assert (item["unit_id"], item["source"], item["title"], item["status"]) == \
        ("taihe", "挂牌督办", "太和县交通运输局整改滞后（红色，7分）", "督办中")
    assert supervision.get_item(store, int(item["id"]))["links"][0]["ref"] == "taihe"
    assert str(item["deadline"])[:10] == str(rules.default_deadline(date.today(), load_campaign(CAMPAIGN_ID).supervision))
    assert "已交办第" in at.success[0].value

    # another unit sees nothing of it
    other = _open(monkeypatch, fixture_db, "unit", unit_id="linquan", tmp_path=tmp_path)
    assert "还没有督办事项" in other.info[0].value

    unit = _open(monkeypatch, fixture_db, "unit", unit_id="taihe", tmp_path=tmp_path)
    unit.selectbox(key="sup_pick").select(int(item["id"])).run()
    unit.text_area[0].input("已约谈责任人，3个逾期问题已于6月28日整改完毕，联系电话13912345678。")  # in the form: sent with submit
    next(b for b in unit.button if b.label == "提交反馈").click().run()
    assert not unit.exception and not unit.error, [e.value for e in unit.error]
    answered = supervision.get_item(store, int(item["id"]))
    assert answered["status"] == "已反馈"
    assert "13912345678" not in str(answered["events"])  # phones scrubbed in what is kept

    office = _open(monkeypatch, fixture_db, "office", tmp_path=tmp_path)
    office.selectbox(key="sup_pick").select(int(item["id"])).run()
    office.text_input(key=f"sup_note_{int(item['id'])}").input("核查属实").run()
    office.button(key=f"sup_verify_{int(item['id'])}").click().run()
    assert supervision.get_item(store, int(item["id"]))["status"] == "已核查"
    office.selectbox(key="sup_pick").select(int(item["id"])).run()
    office.button(key=f"sup_close_{int(item['id'])}").click().run()
    done = supervision.get_item(store, int(item["id"]))
    assert done["status"] == "已销号"
    assert [e["action"] for e in done["events"]] == ["created", "feedback", "verified", "closed"]
    actions = set(audit.list_events(store)["action"])
    assert {"supervision_created", "supervision_feedback", "supervision_verified", "supervision_closed"} <= actions
