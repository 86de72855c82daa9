"""总览页“会议材料”：生成简报时一并生成会议幻灯片，下载按钮在简报的两个按钮旁边；单位账号的幻灯片只有本单位
（AppTest，夹具库）。"""
from __future__ import annotations

import io

import pytest
from pptx import Presentation

from etl.config import load_campaign
from tests.fixtures.fixture_db import CAMPAIGN_ID
from tests.signed_in import app_as

TOPICS = ["整体进展", "滞后单位", "逾期问题", "线索办理", "反弹问题", "满意度", "督办事项"]


def _generate(monkeypatch, fixture_db, role: str, unit_id: str | None = None):
    monkeypatch.setenv("DASHBOARD_DB", str(fixture_db))
    at = app_as(monkeypatch, role, unit_id=unit_id, timeout=120).run()
    next(b for b in at.button if b.label == "生成本期工作简报").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [d.proto.label for d in at.get("download_button")]
    # report_buttons: brief_<campaign>_<YYYYMMDD>_<unit or all> holds (docx, xlsx, pptx)
    key = next(k for k in at.session_state.keys()
               if str(k).startswith("brief_") and str(k).endswith(f"_{unit_id or 'all'}"))
    return labels, Presentation(io.BytesIO(at.session_state[key][2]))


def _title(slide) -> str:
    return next(sh.text_frame.text for sh in slide.shapes if sh.name == "标题")


def _all_text(deck) -> str:
    out = []
    for s in deck.slides:
        for sh in s.shapes:
            if sh.has_text_frame:
                out.append(sh.text_frame.text)
            if sh.has_table:
                out += [c.text for r in sh.table.rows for c in r.cells]
    return "\n".join(out)


@pytest.mark.parametrize("role", ["office", "leader"])
def test_deck_download_beside_the_brief(monkeypatch, fixture_db, role):
    labels, deck = _generate(monkeypatch, fixture_db, role)
    assert labels[:3] == ["下载简报（Word）", "下载简报表格（Excel）", "下载会议幻灯片（PPT）"]
    assert [_title(s) for s in deck.slides][1:] == TOPICS
    n = len(load_campaign(CAMPAIGN_ID).units)
    assert f"范围：全市全部{n}个单位" in _all_text(deck)


def test_unit_account_deck_has_only_its_unit(monkeypatch, fixture_db):
    units = {u.id: u.name for u in load_campaign(CAMPAIGN_ID).units}
    labels, deck = _generate(monkeypatch, fixture_db, "unit", unit_id="taihe")
    assert "下载会议幻灯片（PPT）" in labels
    text = _all_text(deck)
    assert _title(deck.slides[0]).endswith(f"（{units['taihe']}）")
    assert f"范围：{units['taihe']}（单位账号，仅本单位）" in text
    assert [name for uid, name in units.items() if uid != "taihe" and name in text] == []
