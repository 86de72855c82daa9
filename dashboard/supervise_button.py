"""“发起督办”：在滞后单位、逾期问题、满意度低的单位旁一键转到督办页，表单已按那一行预填（只对专班显示）。"""
from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from analytics.supervision_drafts import ItemDraft
from dashboard import auth

K_DRAFT = "sup_draft"  # the draft the 督办 page's form opens with
PAGE = "pages/supervision.py"


def pick_and_supervise(label: str, drafts: dict[str, ItemDraft], key: str) -> None:
    """选一个（单位或问题）→ 发起督办。drafts：选项文字 → 草稿；为空或无权限时不显示。"""
    if not drafts or not auth.has("supervise"):
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    choice = c1.selectbox(label, list(drafts), index=None, key=f"{key}_pick", placeholder="选择后点“发起督办”…")
    if c2.button("发起督办", key=f"{key}_go", icon=":material/flag:", disabled=choice is None):
        st.session_state[K_DRAFT] = asdict(drafts[choice])
        st.switch_page(PAGE)
