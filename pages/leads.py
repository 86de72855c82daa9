"""线索办理：办理漏斗、各单位按时办结率（工作日规则）、超期未办结线索及超期工作日、来源构成、属实率、重复投诉人。

只显示脱敏的投诉人和电话（数据库中没有明文）；重复投诉人按加盐摘要归并，摘要本身不显示。
超期天数在页面里用 etl.normalize.workdays.working_days_between（国务院节假日安排，含调休）计算。
"""
import pandas as pd
import streamlit as st

from dashboard import charts_second, db, metrics, ui
from etl.normalize.workdays import working_days_between

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
    fd = charts_second.leads_funnel_data(s)
    ui.chart(lambda: charts_second.leads_funnel(fd), charts_second.cn(fd), "线索办理漏斗", "leads_funnel")
    st.caption(f"受理 {int(s['received'])} 件 → 交办 {int(s['assigned'])} 件 → 办结 {int(s['concluded'])} 件 → "
               f"已反馈 {int(s['fed_back'])} 件；尚未办结 {int(s['open_leads'])} 件。")
with right:
    mix = db.run_query("leads_channel_mix", **f.params())
    ui.chart(lambda: charts_second.channel_mix(mix), charts_second.cn(mix), "线索来源渠道构成", "leads_mix")

# ------------------------------------------------------------------ by unit
st.subheader("各单位按时办结率")
by_unit = db.run_query("leads_by_unit", **f.params())
ranked = metrics.rank_extremes(by_unit, "ontime", "ontime_den", f.min_items, n=3, ascending=True)
ui.chart(lambda: charts_second.ontime_by_unit(by_unit, f.min_items),
         charts_second.cn(by_unit[by_unit["ontime_den"] > 0]), "各单位线索按时办结率", "leads_ontime")
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
od = db.run_query("leads_overdue_open", **f.params())
if od.empty:
    st.success("截至统计日没有超期未办结的线索。", icon=":material/check_circle:")
else:
    od["overdue_workdays"] = [working_days_between(db.to_date(d), f.as_of) for d in od["due_date"]]
    od["workdays_since_assigned"] = [
        working_days_between(db.to_date(a) or db.to_date(r), f.as_of)
        for a, r in zip(od["assigned_date"], od["received_date"], strict=True)]
    od = od.sort_values(["overdue_workdays", "lead_id"], ascending=[False, True]).reset_index(drop=True)
    st.markdown(f"截至 {f.as_of:%Y-%m-%d}，共 **{len(od)}** 件线索已过办理期限仍未办结，"
                f"最长已超期 **{int(od['overdue_workdays'].max())}** 个工作日。")
    ui.chart(lambda: charts_second.overdue_age(od), charts_second.cn(od), "超期未办结线索（按单位）", "leads_od")
    show = od[["lead_id", "unit_name", "channel", "category", "summary", "assigned_date", "due_date",
               "workdays_since_assigned", "overdue_workdays", "complainant_masked", "phone_masked"]]
    if od["due_date_provisional"].fillna(False).any():
        st.caption("注：部分线索所在年度的节假日安排尚未公布，办理期限按周一至周五推算。")
    st.dataframe(charts_second.cn(ui.chinese_columns(show)), hide_index=True, key="tbl_leads_od")
    ui.download(charts_second.cn(show), "超期未办结线索", "leads_od_list")

# ------------------------------------------------------------------ repeat complainants
st.subheader("重复投诉人")
rep = db.run_query("leads_repeat_complainants", **f.params())
if rep.empty:
    st.info("截至统计日没有反映 2 件及以上线索的投诉人。", icon=":material/info:")
else:
    st.markdown(f"**{len(rep)}** 位投诉人反映了 2 件及以上线索（共 {int(rep['leads'].sum())} 件）。"
                "按姓名/电话的加盐摘要归并，只显示脱敏信息；下表为反映件数最多的前 20 位。")
    top = rep.head(20)
    st.dataframe(charts_second.cn(ui.chinese_columns(top)), hide_index=True, key="tbl_leads_rep")
    ui.download(charts_second.cn(rep), "重复投诉人（脱敏）", "leads_rep")

ui.explain("leads_received", "ontime", "feedback", "substantiated", "leads_open_overdue")
