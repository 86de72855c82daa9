"""线索办理：办理漏斗、各单位按时办结率（工作日规则）、超期未办结线索及超期工作日、来源构成、属实率、重复投诉人。

只显示脱敏的投诉人和电话（数据库中没有明文）；重复投诉人按加盐摘要归并，摘要本身不显示。
数据在 analytics/page_data/leads.py（超期天数按国务院节假日安排的工作日计）。超期清单页面上只查询、显示
超期最久的前 OD_SHOW 件，完整清单在点击下载时才查询、生成。
"""
import streamlit as st

from analytics import metrics
from analytics.page_data import drill
from analytics.page_data.leads import (
    FUNNEL_STEPS,
    OD_SHOW,
    OD_TOP_UNITS,
    ONTIME_TOP_UNITS,
    REP_SHOW,
    leads_data,
    overdue_table,
    repeat_complainants,
)
from dashboard import audited_download, db, drill_url, drill_view, labels, ui
from dashboard.charts import leads as lead_charts

f = ui.require_filters()
ui.page_header("问题线索办理", f)
d = leads_data(db.run_query, f)
st.caption(f"线索交办后原则上 {d.limit_days} 个工作日内办结（按国务院节假日安排计算，调休上班日算工作日）；"
           "所有数字均为截至统计日的情况：统计日之后才办结或反馈的，按未办结、未反馈计。")

s = d.summary
if d.empty:
    ui.no_data()
    st.stop()

c = st.columns(3)
ui.kpi(c[0], "leads_received", f"{int(s['received'])}件")
ui.kpi_rate(c[1], "ontime", s["leads_ontime"], s["leads_ontime_den"])
ui.kpi_rate(c[2], "feedback", s["fed_back"], s["concluded"])
c = st.columns(3)
ui.kpi(c[0], "leads_open_overdue", f"{int(s['open_overdue'])}件")
ui.kpi_rate(c[1], "substantiated", s["found"], s["with_finding"])
c[2].metric("重复投诉人", f"{int(s['repeat_complainants'])}人", border=True,
            delta=f"涉及{int(s['repeat_leads'])}件线索", delta_color="off", delta_arrow="off",
            help="同一投诉人（按姓名/电话加盐摘要归并，不可还原）反映 2 件及以上线索的人数。")

# 漏斗的环节 → 线索清单；环节和“只看…”在链接里（stage=concluded&only=late，见 dashboard/drill_url.py）
url = drill_url.PageUrl("leads")
K_STAGE = "ld_stage"
STEP_KEYS = [k for k, _ in FUNNEL_STEPS]
STEP_BY_LABEL = {label: k for k, label in FUNNEL_STEPS}
if url.from_url and url.get("stage"):
    raw = url.get("stage")
    st.session_state[K_STAGE] = raw if raw in STEP_KEYS else None
    if raw not in STEP_KEYS:
        drill_url.bad_value("漏斗环节", raw, "不打开线索清单")

left, right = st.columns(2)
with left:
    ev = ui.chart(lambda: lead_charts.leads_funnel(d.funnel), labels.chart_download(d.funnel), "线索办理漏斗",
                  "leads_funnel", on_select=True)
    pts = drill_view.chart_points(ev)
    new = drill_view.new_pick("ld_funnel_sig", STEP_BY_LABEL.get(pts[0].get("y")) if pts else None)
    if new:
        st.session_state[K_STAGE] = new
    st.caption(f"受理 {int(s['received'])} 件 → 交办 {int(s['assigned'])} 件 → 办结 {int(s['concluded'])} 件 → "
               f"已反馈 {int(s['fed_back'])} 件；尚未办结 {int(s['open_leads'])} 件。点漏斗的一层列出这些线索。")
with right:
    ui.chart(lambda: lead_charts.channel_mix(d.channels), labels.chart_download(d.channels), "线索来源渠道构成",
             "leads_mix")

st.subheader("线索清单")
stage = st.segmented_control("办理环节", STEP_KEYS, key=K_STAGE, format_func=lambda k: dict(FUNNEL_STEPS)[k],
                             help="也可以点上面漏斗的一层。")
only = drill_url.only_toggles(url, (drill.ONLY_OVERDUE, drill.ONLY_LATE, drill.ONLY_RED), "ld_only")
if stage:
    drill_view.show_list(drill.drill_list(db.run_query, f, drill.FUNNEL[stage], only=only,
                                          title=f"线索清单_{drill.FUNNEL[stage].title}"), "ld_stage")
elif only:
    drill_view.show_list(drill.drill_list(db.run_query, f, drill.FUNNEL["received"], only=only,
                                          title="线索清单_受理的线索"), "ld_stage")
else:
    st.caption("选择一个办理环节，或打开“只看超期办结”等开关，列出线索。")
url.write(stage=stage, only=list(only))

# ------------------------------------------------------------------ by unit
st.subheader("各单位按时办结率")
ui.chart(lambda: lead_charts.ontime_by_unit(d.by_unit, f.min_items, top=ONTIME_TOP_UNITS),
         labels.chart_download(d.ontime_shown), "各单位线索按时办结率", "leads_ontime")
if d.many_units:
    st.caption(f"单位较多：图中只画件数不少于 {f.min_items} 件的单位中按时办结率最低的 {ONTIME_TOP_UNITS} 个；"
               "全部单位见图下的下载数据和“各单位明细表”。")
if not d.lowest_ontime.empty:
    st.caption(f"按时办结率最低（期限已到或已办结的线索不少于 {f.min_items} 件的单位中）："
               + "、".join(f"{r['unit_name']} {metrics.fmt_rate(r['leads_ontime'], r['leads_ontime_den'])}"
                          for _, r in d.lowest_ontime.iterrows()))
unit_box = ui.on_demand("各单位明细表", "leads_unit_box")
if unit_box.open:
    with unit_box:
        st.dataframe(d.unit_table, hide_index=True, key="tbl_leads_unit")
        ui.download(d.unit_table, "各单位线索办理", "leads_unit")

# ------------------------------------------------------------------ open & past due
st.subheader("超期未办结线索")
od = d.overdue
if od is None:
    st.success("截至统计日没有超期未办结的线索。", icon=":material/check_circle:")
else:
    st.markdown(f"截至 {f.as_of:%Y-%m-%d}，共 **{od.total}** 件线索已过办理期限仍未办结，"
                f"最长已超期 **{od.max_age}** 个工作日。")
    ui.chart(lambda: lead_charts.overdue_age(od.by_unit, top=OD_TOP_UNITS),
             labels.chart_download(od.by_unit[["unit_name", "leads", "max_age", "oldest_due"]]),
             "超期未办结线索（按单位）", "leads_od")
    if len(od.by_unit) > OD_TOP_UNITS:
        st.caption(f"图中只画超期件数最多的 {OD_TOP_UNITS} 个单位（共 {len(od.by_unit)} 个单位有超期线索），"
                   "全部单位见图下的下载数据。")
    if od.provisional:
        st.caption("注：部分线索所在年度的节假日安排尚未公布，办理期限按周一至周五推算。")
    if od.total > OD_SHOW:
        st.caption(f"下表只列超期最久的 {OD_SHOW} 件（共 {od.total} 件）；完整清单请点“下载完整清单”。")
    st.dataframe(ui.chinese_columns(od.table), hide_index=True, key="tbl_leads_od", placeholder="",
                 column_config={"超期工作日": st.column_config.NumberColumn(width=86),
                                "问题摘要": st.column_config.TextColumn(width="large")})
    params = f.params()

    def od_full_csv() -> bytes:
        return ui.csv_bytes(overdue_table(db.run_query, params, limit=None))

    audited_download.download_button(f"下载完整清单（{od.total}件，CSV）", od_full_csv,
                                     f"超期未办结线索_{f.as_of:%Y%m%d}.csv", what="超期未办结线索完整清单",
                                     mime="text/csv", key="dl_leads_od_list", icon=":material/download:")

# ------------------------------------------------------------------ repeat complainants
st.subheader("重复投诉人")
if d.repeat.empty:
    st.info("截至统计日没有反映 2 件及以上线索的投诉人。", icon=":material/info:")
else:
    n_rep = int(s["repeat_complainants"])
    st.markdown(f"**{n_rep}** 位投诉人反映了 2 件及以上线索（共 {int(s['repeat_leads'])} 件）。"
                f"按姓名/电话的加盐摘要归并，只显示脱敏信息（取其最近一件线索上的）；"
                f"下表为反映件数最多的前 {min(REP_SHOW, n_rep)} 位。")
    st.dataframe(ui.chinese_columns(d.repeat), hide_index=True, key="tbl_leads_rep")
    rep_params = f.params()

    def rep_full_csv() -> bytes:
        return ui.csv_bytes(repeat_complainants(db.run_query, rep_params, limit=None))

    audited_download.download_button(f"下载全部重复投诉人（{n_rep}人，CSV）", rep_full_csv,
                                     f"重复投诉人（脱敏）_{f.as_of:%Y%m%d}.csv", what="重复投诉人完整清单",
                                     mime="text/csv", key="dl_leads_rep", icon=":material/download:")

ui.explain("leads_received", "ontime", "feedback", "substantiated", "leads_open_overdue")
