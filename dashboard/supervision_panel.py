"""督办页的各块（界面）：新建表单（可预填）、事项表、一项的详情与操作（反馈、退回、核查、销号、佐证下载）、
到期预警与红黑榜。状态变化都经 state.supervision（它写历史和操作日志）；数字经 analytics/page_data/supervision.py。"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics import supervision_rules as rules
from analytics.page_data.supervision import items_with_escalation, supervision_data
from dashboard import audited_download, auth, chrome, db, ui, upload
from dashboard.supervise_button import K_DRAFT
from state import evidence_files, supervision

COLOUR_ICON = {"红": "🔴 红", "黄": "🟡 黄", "蓝": "🔵 蓝"}
MAX_FILES = 5


def _done(kind: str, text: str) -> None:
    st.session_state["sup_notice"] = (kind, text)
    st.rerun()


def new_item_form(store, f, campaign, draft: dict | None, actor: str) -> None:
    """新建督办事项；draft 为“发起督办”带来的预填（analytics/supervision_drafts.ItemDraft 的字段）。"""
    draft = draft or {}
    units = {u.id: u.name for u in campaign.units}
    ids = list(units)
    created = date.today()
    with st.form("sup_new", clear_on_submit=True):
        c1, c2 = st.columns(2)
        unit = c1.selectbox("督办单位", ids, format_func=units.get,
                            index=ids.index(draft["unit_id"]) if draft.get("unit_id") in ids else 0)
        sources = list(supervision.SOURCES)
        source = c2.selectbox("来源", sources, index=sources.index(draft.get("source", "专班交办")))
        title = st.text_input("督办事项", value=draft.get("title", ""), max_chars=200)
        requirement = st.text_area("督办要求", value=draft.get("requirement", ""), max_chars=4000, height=120)
        c3, c4 = st.columns(2)
        owner = c3.text_input("责任人（单位负责人或具体承办人）", value=draft.get("owner", ""), max_chars=100)
        default = rules.default_deadline(created, campaign.supervision)
        deadline = c4.date_input("办理期限", value=default, min_value=created, format="YYYY-MM-DD",
                                 help=f"默认 {campaign.supervision.default_working_days} 个工作日（按法定节假日和调休计算）")
        links = [tuple(x) for x in draft.get("links", ())]
        if links:
            st.caption("关联：" + "；".join(f"{supervision.LINK_KINDS.get(k, k)} {label}" for k, _, label in links))
        go = st.form_submit_button("交办", type="primary", icon=":material/send:")
    if go:
        rule = f"{campaign.supervision.default_working_days}个工作日" if deadline == default else None
        try:
            new_id = supervision.create_item(store, campaign_id=f.campaign_id, unit_id=unit, source=source,
                                             title=title, requirement=requirement, owner=owner, deadline=deadline,
                                             deadline_rule=rule, links=links, actor=actor)
        except supervision.SupervisionError as exc:
            st.error(str(exc))
            return
        st.session_state.pop(K_DRAFT, None)
        _done("success", f"已交办第 {new_id} 号督办事项：{units[unit]}，期限 {deadline:%Y-%m-%d}。")


def with_colour(items: pd.DataFrame, as_of: date, cfg) -> pd.DataFrame:
    return items_with_escalation(items, as_of, cfg)


def items_table(items: pd.DataFrame, names: dict) -> pd.DataFrame:
    left = [text if s == "督办中" else "—" for s, text in zip(items["status"], _left(items), strict=True)]
    return pd.DataFrame({
        "编号": items["id"], "等级": items["colour"].map(lambda c: COLOUR_ICON.get(c, "")), "状态": items["state_label"],
        "单位": items["unit_id"].map(lambda u: names.get(u, u)), "事项": items["title"],
        "期限": pd.to_datetime(items["deadline"]).dt.strftime("%Y-%m-%d"), "剩余": left, "来源": items["source"],
        "责任人": items["owner"], "最近反馈": items["last_feedback"], "通知单": items["notice_number"]})


def item_label(row: pd.Series, names: dict) -> str:
    # no status in the label: it changes with each step, and a changed label would drop the selection
    return f"第{row.name}号 {names.get(row['unit_id'], row['unit_id'])}：{row['title']}"


def _history(item: dict) -> pd.DataFrame:
    ev = pd.DataFrame(item["events"])
    if ev.empty:
        return ev
    return pd.DataFrame({"时间": pd.to_datetime(ev["at"]).dt.strftime("%Y-%m-%d %H:%M"), "操作人": ev["actor"],
                         "操作": ev["action"].map(ACTION_TEXT).fillna(ev["action"]),
                         "状态": [f"{a} → {b}" if a and b and a != b else (b or a or "") for a, b in
                                zip(ev["from_status"].fillna(""), ev["to_status"].fillna(""), strict=True)],
                         "说明": ev["note"].fillna("")})


ACTION_TEXT = {"created": "交办", "feedback": "单位反馈", "returned": "退回", "verified": "核查通过",
               "closed": "销号", "noticed": "发督办通知单", "edited": "修改"}


def item_detail(store, item_id: int, scope, names: dict, as_of: date, cfg, me) -> None:
    try:
        item = supervision.get_item(store, item_id, scope)
    except supervision.SupervisionError as exc:
        st.error(str(exc))
        return
    colour = rules.escalation(item["deadline"], as_of, item["status"], cfg)
    with st.container(border=True, key="sup_detail"):
        st.markdown(f"**第{item_id}号　{item['title']}**　{COLOUR_ICON.get(colour, '')}")
        st.markdown(f"{names.get(item['unit_id'], item['unit_id'])} · {item['source']} · 责任人 {item['owner'] or '—'} · "
                    f"期限 {pd.Timestamp(item['deadline']):%Y-%m-%d}"
                    + (f"（{item['deadline_rule']}）" if item.get("deadline_rule") else "") + f" · 状态 **{item['status']}**")
        st.text(item["requirement"])
        if item["links"]:
            st.caption("关联：" + "；".join(f"{supervision.LINK_KINDS.get(x['kind'], x['kind'])} {x['label']}"
                                          for x in item["links"]))
        st.dataframe(_history(item), hide_index=True, key="sup_history")
        for ev in item["evidence"]:
            audited_download.download_button(
                f"佐证：{ev['file_name']}（{_size(ev['size'])}）",
                lambda e=ev["id"]: supervision.evidence_bytes(store, e, scope)[1], ev["file_name"],
                what=f"督办佐证材料（第{item_id}号）", permission="view", key=f"sup_ev_{ev['id']}")
        _actions(store, item, scope, me)


def _size(n: int) -> str:
    return f"{n} 字节" if n < 1024 else upload.size_text(n)  # evidence may be a few bytes


def _actions(store, item: dict, scope, me) -> None:
    item_id, status, actor = item["id"], item["status"], me.account.username
    if status == "督办中" and auth.has("feedback"):
        with st.form(f"sup_fb_{item_id}", clear_on_submit=True):
            text = st.text_area("反馈办理情况", max_chars=4000, height=120)
            files = st.file_uploader("佐证材料（可多选：图片、PDF、Word、Excel）", accept_multiple_files=True,
                                     type=list(evidence_files.SUFFIXES))
            st.caption(chrome.upload_limits_text(evidence_files.MAX_FILE_BYTES, evidence_files.SUFFIXES)
                       + f"每次最多 {evidence_files.MAX_FILES} 个文件。")
            go = st.form_submit_button("提交反馈", type="primary", icon=":material/reply:")
        if go:
            try:
                supervision.add_feedback(store, item_id, text, [(u.name, u.getvalue()) for u in (files or [])][:MAX_FILES],
                                         actor, scope)
            except supervision.SupervisionError as exc:
                st.error(str(exc))
                return
            _done("success", f"第{item_id}号已反馈，等待专班核查。")
    if not auth.has("supervise") or status not in ("已反馈", "已核查"):
        return
    note = st.text_input("核查意见 / 退回理由 / 销号说明", key=f"sup_note_{item_id}", max_chars=1000)
    b1, b2, b3, _ = st.columns([1, 1, 1, 2])
    steps = []
    if status == "已反馈":
        steps += [(b1, "核查通过", supervision.verify, "已核查"), (b2, "退回重办", supervision.return_item, "已退回")]
    if status == "已核查":
        steps += [(b3, "销号", supervision.close, "已销号")]
    for col, label, action, result in steps:
        if col.button(label, key=f"sup_{action.__name__}_{item_id}"):
            try:
                action(store, item_id, note, actor)
            except supervision.SupervisionError as exc:
                st.error(str(exc))
                return
            _done("success", f"第{item_id}号{result}。" + ("（已销号的事项在“状态”中选“已销号”可再查看。）"
                                                        if result == "已销号" else ""))


def early_warning(f, cfg) -> None:
    """即将到期与逾期（台账问题、线索）、红黑榜、连续红色的单位（按统计日与侧栏筛选）。"""
    d = supervision_data(db.run_query, f)
    w = d.warning
    st.subheader("到期预警")
    st.caption(f"截至统计日 {f.as_of:%Y-%m-%d}：{w.within_days} 个工作日内到期、已逾期的台账问题和问题线索（工作日按法定节假日与调休计算）"
               + ("；有期限落在节假日安排尚未公布的年份，按周一至周五推算" if w.provisional else "") + "。")
    tabs = st.tabs([f"按单位（{len(w.by_unit)}）", f"即将到期问题（{len(w.problems_due_soon)}）",
                    f"即将到期线索（{len(w.leads_due_soon)}）", f"逾期问题（{len(w.problems_overdue)}）",
                    f"超期线索（{len(w.leads_overdue)}）"])
    shown = [(_by_unit(w.by_unit), "到期预警_按单位", "sup_w_units"),
             (_problems(w.problems_due_soon), "即将到期问题", "sup_w_ps"),
             (_leads(w.leads_due_soon), "即将到期线索", "sup_w_ls"),
             (_problems(w.problems_overdue), "逾期问题", "sup_w_po"),
             (_leads(w.leads_overdue), "超期未办结线索", "sup_w_lo")]
    for tab, (frame, name, key) in zip(tabs, shown, strict=True):
        with tab:
            if frame.empty:
                ui.no_data("没有。")
            else:
                ui.table(frame, name, key)
    st.subheader("红黑榜")
    st.caption(d.roll.rule)
    c1, c2 = st.columns(2)
    for col, frame, title, key in ((c1, d.roll.honor, "红榜", "sup_honor"), (c2, d.roll.black, "黑榜", "sup_black")):
        with col:
            st.markdown(f"**{title}**（{len(frame)}个）")
            if frame.empty:
                st.caption("没有单位。")
            else:
                st.dataframe(_roll(frame), hide_index=True, key=key)
    st.markdown(f"**连续 {d.streak_periods} 期及以上红色的单位**（{len(d.streaks)}个）")
    if d.streaks.empty:
        st.caption("没有。")
    else:
        st.dataframe(d.streaks.rename(columns={"unit_name": "单位", "streak": "连续红色期数", "since": "连续红色起始期",
                                                "lagging_reasons": "本期扣分项"}).drop(columns=["unit_id"]),
                     hide_index=True, key="sup_streaks")


def _by_unit(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"单位": frame["unit_name"], "逾期问题": frame["problems_overdue"],
                         "即将到期问题": frame["problems_due_soon"], "超期线索": frame["leads_overdue"],
                         "即将到期线索": frame["leads_due_soon"],
                         "最近到期日": pd.to_datetime(frame["next_deadline"]).dt.strftime("%Y-%m-%d").fillna("—")})


def _roll(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"单位": frame["unit_name"], "整改率": (frame["rate"] * 100).round(1).astype(str) + "%",
                         "已完成整改/查摆": frame["num"].astype(int).astype(str) + "/" + frame["den"].astype(int).astype(str)})


def _left(frame: pd.DataFrame) -> list[str]:
    return [f"逾期{-n}个工作日" if n < 0 else f"{n}个工作日" for n in frame["working_days_left"]]


def _problems(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"等级": frame["colour"].map(lambda c: COLOUR_ICON.get(c, "")), "单位": frame["unit_name"],
                         "序号": frame["serial_no"], "问题方面": frame["category"], "具体表现": frame["manifestation"],
                         "问题": frame["case_text"], "责任人": frame["responsible"],
                         "整改期限": pd.to_datetime(frame["deadline"]).dt.strftime("%Y-%m-%d"), "剩余": _left(frame),
                         "状态": frame["status"]})


def _leads(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"等级": frame["colour"].map(lambda c: COLOUR_ICON.get(c, "")), "单位": frame["unit_name"],
                         "线索编号": frame["lead_id"], "来源渠道": frame["channel"], "问题摘要": frame["summary"],
                         "受理日期": pd.to_datetime(frame["received_date"]).dt.strftime("%Y-%m-%d"),
                         "办结期限": pd.to_datetime(frame["due_date"]).dt.strftime("%Y-%m-%d"), "剩余": _left(frame)})


def notice_button(store, f, names: dict, actor: str) -> None:
    """为一个单位生成督办通知单（.docx）：编号、记在该单位未销号的事项上和操作日志里，然后下载。"""
    from analytics.queries import QueryRunner
    from dashboard.report_buttons import DOCX_MIME
    from reports.notice import issue_notice, notice_file_name, red_units

    st.subheader("督办通知单")
    runner = QueryRunner(db.db_path())
    try:
        red = red_units(runner, f.campaign_id, f.as_of)
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        ids = red + [u for u in names if u not in red]
        unit = c1.selectbox("单位（红色单位在前）", ids, key="sup_notice_unit",
                            format_func=lambda u: names.get(u, u) + ("（红色）" if u in red else ""))
        if c2.button("生成通知单", key="sup_notice_go", icon=":material/description:"):
            d, data = issue_notice(runner, store, f.campaign_id, unit, f.as_of, actor)
            st.session_state["sup_notice_doc"] = (notice_file_name(d), data)
    finally:
        runner.close()
    made = st.session_state.get("sup_notice_doc")
    if made:
        audited_download.download_button(f"下载 {made[0]}", made[1], made[0], what="督办通知单",
                                         permission="supervise", mime=DOCX_MIME, key="sup_notice_dl")
    st.caption("通知单列出该单位截至统计日的逾期问题、超期未办结线索和未销号的督办事项，编号按年度顺延；"
               "生成即记入该单位未销号事项的历史。")
