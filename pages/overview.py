"""总览：会议投影用。关键指标（较上期变化）、方案阶段时间轴、整改趋势、滞后单位。
数据在 analytics/page_data/overview.py。"""
import streamlit as st

from analytics import lagging
from analytics import supervision_drafts as drafts
from analytics.page_data.overview import LAGGING_TOP, overview_data
from dashboard import db, ui
from dashboard.charts import progress as progress_charts
from dashboard.report_buttons import brief_download_button
from dashboard.supervise_button import pick_and_supervise

f = ui.require_filters()
ui.page_header("专项整治总览", f)
ui.equal_kpi_height()
with st.expander("会议材料：本期工作简报（Word / Excel）"):
    brief_download_button(f.campaign_id, f.as_of)

d = overview_data(db.run_query, f)
cur, delta = d.kpi, d.deltas

c = st.columns(5)
ui.kpi(c[0], "problems", int(cur["problems"]), delta["problems"])
ui.kpi(c[1], "done", int(cur["done"]), delta["done"])
ui.kpi(c[2], "closed", int(cur["closed"]), delta["closed"])
ui.kpi_rate(c[3], "completion", cur["done"], cur["problems"], delta["completion"])
ui.kpi(c[4], "overdue", int(cur["overdue"]), delta["overdue"], inverse=True)

c = st.columns(5)
ui.kpi(c[0], "leads_received", int(cur["leads_received"]), delta["leads_received"])
ui.kpi_rate(c[1], "ontime", cur["leads_ontime"], cur["leads_ontime_den"], delta["ontime"])
ui.kpi_rate(c[2], "feedback", cur["leads_feedback"], cur["leads_concluded"], delta["feedback"])
ui.kpi(c[3], "leads_open_overdue", int(cur["leads_open_overdue"]), delta["leads_open_overdue"], inverse=True)
ui.kpi(c[4], "satisfaction", d.satisfaction.value, d.satisfaction.delta, label=d.satisfaction.label)

if f.prev_as_of:
    st.caption(f"箭头为与上期（{f.prev_as_of:%Y-%m-%d} 台账快照）相比的变化；比率的变化以百分点计，"
               "比率的分子/分母写在指标名后的括号里。满意度与上一年度测评相比。")
else:
    st.caption("统计日之前没有更早的台账快照，不显示变化。")

left, right = st.columns([3, 2])
with left:
    ui.chart(lambda: progress_charts.stage_timeline(d.stages, f.as_of, d.next_due), d.stages,
             "方案阶段与报送节点", "stages")
with right:
    nxt = d.next_deadline
    st.subheader("所处阶段")
    st.markdown(f"#### {nxt['current_stage'] or '尚未开始'}"
                + (f"（至 {d.stage_end:%Y-%m-%d}）" if d.stage_end else ""))
    if d.next_due:
        days = int(nxt["days_to_next"])
        when = "今天" if days == 0 else f"还有 {days} 天"
        st.markdown(f"#### 下一节点：{d.next_due:%Y-%m-%d} {nxt['next_what']}（{when}）")
    else:
        st.markdown("#### 方案规定的节点均已过")
    st.markdown(f"未整改+整改中 **{int(cur['open_problems'])}** 个，长期推进 **{int(cur['long_term'])}** 个，"
                f"反弹问题 **{int(cur['relapse'])}** 个。")

ui.chart(lambda: progress_charts.completion_trend(d.trend), d.trend, "整改率、销号率随时间变化", "trend")

if d.show_lagging_chart:
    ui.chart(lambda: progress_charts.lagging_bar(d.lagging, top=LAGGING_TOP,
                                                      rules=lagging.for_campaign(f.campaign_id)), d.lagging, "滞后单位", "lagging")
else:
    st.markdown("**滞后单位**")
    st.success("当前没有红色或黄色单位（各单位滞后评分均低于黄色线）。", icon=":material/check_circle:")
st.caption(f"红色（建议挂牌督办或约谈）{d.n_red} 个、黄色（重点关注）{d.n_yellow} 个；图中最多列出 {LAGGING_TOP} 个。"
           "绿色单位（按计划推进）不列出，完整名单见“县区进度”。")
pick_and_supervise("对滞后单位发起督办", {f"{r['unit_name']}（{r['lagging_state']}色，{int(r['lagging_score'])}分）":
                                  drafts.from_lagging_unit(r, f.campaign_id, f.as_of)
                                  for _, r in d.lagging.iterrows()}, "ov_sup")
with st.expander("滞后评分规则（红 / 黄 / 绿）"):
    st.markdown("\n".join(f"{i + 1}. {t}" for i, t in enumerate(d.lagging_rules)))
ui.explain("problems", "done", "closed", "completion", "overdue", "leads_received", "ontime",
           "feedback", "leads_open_overdue", "satisfaction")
