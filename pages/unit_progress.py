"""县区进度：各单位整改、线索、报送情况，滞后评分与红黄绿状态；选单位看问题历史和线索。"""
import streamlit as st

from analytics import metrics
from dashboard import db, ui
from dashboard.charts import progress as progress_charts
from dashboard.labels import REPORT_DUE_LABELS

f = ui.require_filters()
ui.page_header("县区进度", f)

units = metrics.add_lagging(db.run_query("unit_progress", **f.params()), f.min_items)
if units.empty:
    ui.no_data()
    st.stop()

n_red = int((units["lagging_state"] == "红").sum())
n_yellow = int((units["lagging_state"] == "黄").sum())
c = st.columns(4)
c[0].metric("单位数", len(units), border=True)
c[1].metric("红色（建议督办/约谈）", n_red, border=True)
c[2].metric("黄色（重点关注）", n_yellow, border=True)
c[3].metric("未按时报送台账（次）", int(units["reports_missed"].sum()), border=True,
            help=metrics.help_text("reports_missed"))

low = metrics.rank_extremes(units, "done", "problems", f.min_items, n=3, ascending=True)
high = metrics.rank_extremes(units, "done", "problems", f.min_items, n=3, ascending=False)
if not low.empty:
    st.markdown(
        "**整改率最低**：" + "、".join(f"{r.unit_name} {metrics.fmt_rate(r.done, r.problems)}"
                                  for r in low.itertuples())
        + "　　**整改率最高**：" + "、".join(f"{r.unit_name} {metrics.fmt_rate(r.done, r.problems)}"
                                      for r in high.itertuples())
        + f"　（查摆问题少于 {f.min_items} 个的单位不参与排名）")

table = metrics.unit_table(units.sort_values(["lagging_score", "overdue"], ascending=False),
                           f.min_items)
ui.table(table, "县区进度", "unit_table", download_data=table,
         column_config={
             "单位": st.column_config.TextColumn("单位", width="medium", pinned=True),
             "状态": st.column_config.TextColumn("状态", width="small"),
             "滞后评分": st.column_config.ProgressColumn(
                 "滞后评分", min_value=0, max_value=metrics.LAG_MAX, format="%d", width="small"),
             "扣分项": st.column_config.TextColumn("扣分项", width="large"),
             "台账报送": st.column_config.TextColumn("台账报送", width="medium"),
         })
with st.expander("滞后评分规则（红 / 黄 / 绿）", expanded=False):
    st.markdown("\n".join(f"{i + 1}. {t}" for i, t in enumerate(metrics.LAGGING_RULES_TEXT)))
ui.explain("completion", "closure", "overdue", "ontime", "feedback", "reports_missed", "lagging")

ui.chart(lambda: progress_charts.unit_rates(units), units[units["problems"] > 0], "各单位整改率与销号率",
         "unit_rates")

# 趋势图只画所选单位，或（未选单位时）最滞后的 10 个单位——只查询这些单位
trend_ids, trend_note = metrics.trend_units(units, f.units, n=10)
trend = db.run_query("unit_trend", **f.params(units=trend_ids)) if trend_ids else units.iloc[0:0]
ui.chart(lambda: progress_charts.unit_trend(trend, trend_note), trend, "各单位整改率趋势", "unit_trend")
st.caption(f"各单位整改率趋势：{trend_note}。")

with st.expander("台账报送明细（按报送节点）"):
    rep = db.run_query("report_punctuality", **f.params())
    ui.table(rep, "台账报送明细", "report_detail", labels=REPORT_DUE_LABELS)

st.subheader("单位明细")
with_data = units[(units["problems"] > 0) | (units["leads_received"] > 0)]
if with_data.empty:
    ui.no_data()
    st.stop()
ids = with_data["unit_id"].tolist()
unit_id = st.selectbox("选择单位", ids, key="up_unit",
                       format_func=lambda u: f.unit_names.get(u, u))
row = units[units["unit_id"] == unit_id].iloc[0]
st.markdown(f"**{row['unit_name']}**：{metrics.STATE_ICON[row['lagging_state']]}，滞后评分 "
            f"{int(row['lagging_score'])} 分（{row['lagging_reasons']}）")
tab_p, tab_h, tab_l = st.tabs(["问题清单", "状态变化", "问题线索"])
with tab_p:
    probs = db.run_query("unit_problems", **f.params(unit_id=unit_id))
    ui.table(probs, f"{row['unit_name']}_问题清单", "unit_problems", hide=("problem_id", "relapse_of"))
with tab_h:
    hist = db.run_query("problem_history", **f.params(unit_id=unit_id))
    ui.chart(lambda: progress_charts.status_history(hist), hist, f"{row['unit_name']}_问题状态变化",
             "unit_history")
with tab_l:
    leads = db.run_query("unit_leads", **f.params(unit_id=unit_id))
    st.caption("投诉人姓名、电话已脱敏显示。")
    ui.table(leads, f"{row['unit_name']}_问题线索", "unit_leads")
