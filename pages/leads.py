"""线索办理：办理漏斗、各单位按时办结率（工作日规则）、超期未办结线索及超期工作日、来源构成、属实率、重复投诉人。

只显示脱敏的投诉人和电话（数据库中没有明文）；重复投诉人按加盐摘要归并，摘要本身不显示。
超期天数用 etl.normalize.workdays.working_days_between（国务院节假日安排，含调休）计算，每个不同日期只算一次
（etl.normalize.workdays.working_day_ages）。超期清单页面上只查询、显示超期最久的前 OD_SHOW 件，完整清单在点击下载时才查询、生成。
"""
import pandas as pd
import streamlit as st

from analytics import metrics
from dashboard import db, labels, ui
from dashboard.charts import leads as lead_charts

OD_SHOW = 200          # 超期未办结线索表格显示的行数（超期最久的在前）；完整清单在下载里
OD_TOP_UNITS = 30      # 超期件数图最多画的单位数
ONTIME_TOP_UNITS = 30  # 按时办结率图最多画的单位数（最低的在前）
REP_SHOW = 20          # 重复投诉人表格显示的人数；全部名单在下载里（点击时才查询）
# 超期清单的列：关键列在前
OD_COLUMNS = {
    "overdue_workdays": "超期工作日", "unit_name": "单位", "lead_id": "线索编号",
    "complainant_masked": "投诉人（脱敏）", "phone_masked": "电话（脱敏）", "channel": "来源渠道",
    "category": "问题方面", "summary": "问题摘要", "assigned_date": "交办日期", "due_date": "办理期限",
    "workdays_since_assigned": "交办后工作日",
}


def od_table(od: pd.DataFrame) -> pd.DataFrame:
    """超期清单（已按超期由长到短排序）→ 中文列名、关键列在前、日期为文本。"""
    return ui.chinese_columns(od[list(OD_COLUMNS)].rename(columns=OD_COLUMNS))

f = ui.require_filters()
ui.page_header("问题线索办理", f)
limit = int(f.campaign.get("lead_working_days") or 5)
st.caption(f"线索交办后原则上 {limit} 个工作日内办结（按国务院节假日安排计算，调休上班日算工作日）；"
           "所有数字均为截至统计日的情况：统计日之后才办结或反馈的，按未办结、未反馈计。")

s = db.run_query("leads_summary", **f.params()).iloc[0]
if int(s["received"]) == 0:
    ui.no_data()
    st.stop()

c = st.columns(3)
ui.kpi(c[0], "leads_received", f"{int(s['received'])}件")
ui.kpi(c[1], "ontime", metrics.fmt_rate(s["ontime"], s["ontime_den"]))
ui.kpi(c[2], "feedback", metrics.fmt_rate(s["fed_back"], s["concluded"]))
c = st.columns(3)
ui.kpi(c[0], "leads_open_overdue", f"{int(s['open_overdue'])}件")
ui.kpi(c[1], "substantiated", metrics.fmt_rate(s["found"], s["with_finding"]))
c[2].metric("重复投诉人", f"{int(s['repeat_complainants'])}人", border=True,
            delta=f"涉及{int(s['repeat_leads'])}件线索", delta_color="off", delta_arrow="off",
            help="同一投诉人（按姓名/电话加盐摘要归并，不可还原）反映 2 件及以上线索的人数。")

left, right = st.columns(2)
with left:
    fd = lead_charts.leads_funnel_data(s)
    ui.chart(lambda: lead_charts.leads_funnel(fd), labels.chart_download(fd), "线索办理漏斗", "leads_funnel")
    st.caption(f"受理 {int(s['received'])} 件 → 交办 {int(s['assigned'])} 件 → 办结 {int(s['concluded'])} 件 → "
               f"已反馈 {int(s['fed_back'])} 件；尚未办结 {int(s['open_leads'])} 件。")
with right:
    mix = db.run_query("leads_channel_mix", **f.params())
    ui.chart(lambda: lead_charts.channel_mix(mix), labels.chart_download(mix), "线索来源渠道构成", "leads_mix")

# ------------------------------------------------------------------ by unit
st.subheader("各单位按时办结率")
by_unit = db.run_query("leads_by_unit", **f.params())
ranked = metrics.rank_extremes(by_unit, "ontime", "ontime_den", f.min_items, n=3, ascending=True)
ui.chart(lambda: lead_charts.ontime_by_unit(by_unit, f.min_items, top=ONTIME_TOP_UNITS),
         labels.chart_download(by_unit[by_unit["ontime_den"] > 0]), "各单位线索按时办结率", "leads_ontime")
if int((by_unit["ontime_den"] > 0).sum()) > ONTIME_TOP_UNITS:
    st.caption(f"单位较多：图中只画件数不少于 {f.min_items} 件的单位中按时办结率最低的 {ONTIME_TOP_UNITS} 个；"
               "全部单位见图下的下载数据和“各单位明细表”。")
if not ranked.empty:
    st.caption(f"按时办结率最低（期限已到或已办结的线索不少于 {f.min_items} 件的单位中）："
               + "、".join(f"{r['unit_name']} {metrics.fmt_rate(r['ontime'], r['ontime_den'])}"
                          for _, r in ranked.iterrows()))
unit_tbl = pd.DataFrame({
    "单位": by_unit["unit_name"],
    "受理": by_unit["received"].astype(int),
    "办结": by_unit["concluded"].astype(int),
    "按时办结率": [metrics.fmt_rate(a, b) for a, b in zip(by_unit["ontime"], by_unit["ontime_den"], strict=True)],
    "反馈率": [metrics.fmt_rate(a, b) for a, b in zip(by_unit["fed_back"], by_unit["concluded"], strict=True)],
    "属实率": [metrics.fmt_rate(a, b) for a, b in zip(by_unit["found"], by_unit["with_finding"], strict=True)],
    "超期未办结": by_unit["open_overdue"].astype(int),
    "备注": ["" if metrics.rankable(d, f.min_items) else f"件数少于{f.min_items}件，不参与排名"
           for d in by_unit["ontime_den"]],
})
with st.expander("各单位明细表", expanded=False):
    st.dataframe(unit_tbl, hide_index=True, key="tbl_leads_unit")
    ui.download(unit_tbl, "各单位线索办理", "leads_unit")

# ------------------------------------------------------------------ open & past due
st.subheader("超期未办结线索")
od_units = db.run_query("leads_overdue_by_unit", **f.params())
if od_units.empty:
    st.success("截至统计日没有超期未办结的线索。", icon=":material/check_circle:")
else:
    od_units = lead_charts.add_unit_max_age(od_units, f.as_of)
    n_od = int(od_units["leads"].sum())
    st.markdown(f"截至 {f.as_of:%Y-%m-%d}，共 **{n_od}** 件线索已过办理期限仍未办结，"
                f"最长已超期 **{int(od_units['max_age'].max())}** 个工作日。")
    ui.chart(lambda: lead_charts.overdue_age(od_units, top=OD_TOP_UNITS),
             labels.chart_download(od_units[["unit_name", "leads", "max_age", "oldest_due"]]),
             "超期未办结线索（按单位）", "leads_od")
    if len(od_units) > OD_TOP_UNITS:
        st.caption(f"图中只画超期件数最多的 {OD_TOP_UNITS} 个单位（共 {len(od_units)} 个单位有超期线索），"
                   "全部单位见图下的下载数据。")
    if od_units["any_provisional"].any():
        st.caption("注：部分线索所在年度的节假日安排尚未公布，办理期限按周一至周五推算。")
    # 表格只取超期最久的 OD_SHOW 件；完整清单在点击下载时才查询、生成
    od = lead_charts.add_overdue_ages(db.run_query("leads_overdue_open", limit=OD_SHOW, **f.params()), f.as_of)
    if n_od > OD_SHOW:
        st.caption(f"下表只列超期最久的 {OD_SHOW} 件（共 {n_od} 件）；完整清单请点“下载完整清单”。")
    st.dataframe(od_table(od), hide_index=True, key="tbl_leads_od", placeholder="",
                 column_config={"超期工作日": st.column_config.NumberColumn(width=86),
                                "问题摘要": st.column_config.TextColumn(width="large")})
    params = f.params()

    def od_full_csv() -> bytes:
        full = db.run_query("leads_overdue_open", limit=None, **params)
        return ui.csv_bytes(od_table(lead_charts.add_overdue_ages(full, params["as_of"])))

    st.download_button(f"下载完整清单（{n_od}件，CSV）", od_full_csv,
                       file_name=f"超期未办结线索_{f.as_of:%Y%m%d}.csv", mime="text/csv", key="dl_leads_od_list",
                       icon=":material/download:", on_click="ignore")

# ------------------------------------------------------------------ repeat complainants
st.subheader("重复投诉人")
rep = db.run_query("leads_repeat_complainants", limit=REP_SHOW, **f.params())
if rep.empty:
    st.info("截至统计日没有反映 2 件及以上线索的投诉人。", icon=":material/info:")
else:
    n_rep = int(s["repeat_complainants"])
    st.markdown(f"**{n_rep}** 位投诉人反映了 2 件及以上线索（共 {int(s['repeat_leads'])} 件）。"
                f"按姓名/电话的加盐摘要归并，只显示脱敏信息（取其最近一件线索上的）；"
                f"下表为反映件数最多的前 {min(REP_SHOW, n_rep)} 位。")
    st.dataframe(ui.chinese_columns(rep), hide_index=True, key="tbl_leads_rep")
    rep_params = f.params()

    def rep_full_csv() -> bytes:
        full = db.run_query("leads_repeat_complainants", limit=None, **rep_params)
        return ui.csv_bytes(ui.chinese_columns(full))

    st.download_button(f"下载全部重复投诉人（{n_rep}人，CSV）", rep_full_csv,
                       file_name=f"重复投诉人（脱敏）_{f.as_of:%Y%m%d}.csv", mime="text/csv", key="dl_leads_rep",
                       icon=":material/download:", on_click="ignore")

ui.explain("leads_received", "ontime", "feedback", "substantiated", "leads_open_overdue")
