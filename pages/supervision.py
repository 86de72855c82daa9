"""督办：专班交办、约谈、挂牌督办的事项，从发起到单位反馈、专班核查、销号；按期限在工作日历上标蓝/黄/红。
事项存在状态库（state/supervision.py），重建数据库不影响；单位账号只看到、只反馈本单位的事项。
即将到期的线索和台账问题、红黑榜在 analytics/page_data/supervision.py；规则文字与颜色在 analytics/supervision_rules.py。"""
from datetime import date

import streamlit as st

from analytics import supervision_rules as rules
from analytics.supervision_drafts import SOURCES
from dashboard import auth, supervision_panel, ui
from dashboard.supervise_button import K_DRAFT
from etl.config import load_campaign
from state import supervision

f = ui.require_filters()
me = auth.current()
ui.page_header("督办事项", f)
campaign = load_campaign(f.campaign_id)
cfg = campaign.supervision
store = auth.store()
scope = me.scope
names = {u.id: u.name for u in campaign.units}

notice = st.session_state.pop("sup_notice", None)
if notice:
    getattr(st, notice[0])(notice[1])
st.caption(rules.rules_text(cfg))

# ------------------------------------------------------------------ new item (专班)
draft = st.session_state.get(K_DRAFT)  # kept until the item is assigned: the form's values must not change
if auth.has("supervise"):
    with st.expander("新建督办事项" + ("（已按所选内容预填）" if draft else ""), expanded=bool(draft),
                     icon=":material/add_task:"):
        supervision_panel.new_item_form(store, f, campaign, draft, me.account.username)

# ------------------------------------------------------------------ the list
items = supervision.list_items(store, campaign_id=f.campaign_id, scope=scope)
if items.empty:
    st.info("还没有督办事项。" + ("在总览、县区进度、满意度页点“发起督办”，或在上方新建。" if auth.has("supervise") else ""),
            icon=":material/inbox:")
else:
    # live items run against today's calendar (the 统计日 is a data date; the early warning below uses it)
    items = supervision_panel.with_colour(items, date.today(), cfg)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    statuses = c1.multiselect("状态", list(supervision.STATUSES), default=[s for s in supervision.STATUSES
                                                                        if s != "已销号"], key="sup_status")
    only_overdue = c2.toggle("只看逾期", key="sup_overdue")
    shown = items[items["status"].isin(statuses or supervision.STATUSES)]
    if only_overdue:
        shown = shown[shown["colour"] == "红"]
    counts = items["colour"].value_counts()
    st.markdown(f"共 **{len(items)}** 项：红色（逾期）**{int(counts.get('红', 0))}**，黄色 **{int(counts.get('黄', 0))}**，"
                f"蓝色 **{int(counts.get('蓝', 0))}**，已销号 **{int((items['status'] == '已销号').sum())}**。")
    table = supervision_panel.items_table(shown, names)
    st.dataframe(table, hide_index=True, key="sup_table", column_config={
        "事项": st.column_config.TextColumn(width="medium"), "最近反馈": st.column_config.TextColumn(width="medium")})
    ui.download(table, f"督办事项_{f.campaign_id}", "sup_items")
    pick = st.selectbox("查看、反馈或核查一项", shown["id"].tolist(), index=None, key="sup_pick",
                        format_func=lambda i: supervision_panel.item_label(shown.set_index("id").loc[i], names),
                        placeholder="选择事项…")
    if pick is not None:
        supervision_panel.item_detail(store, int(pick), scope, names, date.today(), cfg, me)

# ------------------------------------------------------------------ early warning, 红黑榜, notices
supervision_panel.early_warning(f, cfg)
if auth.has("supervise"):
    supervision_panel.notice_button(store, f, names, me.account.username)
st.caption("来源：" + "、".join(SOURCES) + "。状态：督办中 → 已反馈（单位）→ 已核查 → 已销号（专班）；专班可退回重新反馈。")
