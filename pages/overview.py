"""总览：会议投影用。关键指标（较上期变化）、方案阶段时间轴、整改趋势、滞后单位。"""
import streamlit as st

from analytics import metrics
from dashboard import db, ui
from dashboard.charts import progress as progress_charts
from dashboard.report_buttons import brief_download_button

f = ui.require_filters()
ui.page_header("专项整治总览", f)
ui.equal_kpi_height()
with st.expander("会议材料：本期工作简报（Word / Excel）"):
    brief_download_button(f.campaign_id, f.as_of)

cur = db.run_query("kpi_overview", **f.params()).iloc[0]
prev = db.run_query("kpi_overview", **f.prev_params()).iloc[0] if f.prev_as_of else None
sat = db.run_query("satisfaction_overview", **f.params())


def delta_count(col):
    return None if prev is None else metrics.fmt_delta(cur[col], prev[col])


def delta_rate(num, den):
    if prev is None:
        return None
    return metrics.fmt_pp(metrics.pp_change(metrics.rate(cur[num], cur[den]),
                                            metrics.rate(prev[num], prev[den])))


c = st.columns(5)
ui.kpi(c[0], "problems", int(cur["problems"]), delta_count("problems"))
ui.kpi(c[1], "done", int(cur["done"]), delta_count("done"))
ui.kpi(c[2], "closed", int(cur["closed"]), delta_count("closed"))
ui.kpi_rate(c[3], "completion", cur["done"], cur["problems"], delta_rate("done", "problems"))
ui.kpi(c[4], "overdue", int(cur["overdue"]), delta_count("overdue"), inverse=True)

c = st.columns(5)
ui.kpi(c[0], "leads_received", int(cur["leads_received"]), delta_count("leads_received"))
ui.kpi_rate(c[1], "ontime", cur["leads_ontime"], cur["leads_ontime_den"],
            delta_rate("leads_ontime", "leads_ontime_den"))
ui.kpi_rate(c[2], "feedback", cur["leads_feedback"], cur["leads_concluded"],
            delta_rate("leads_feedback", "leads_concluded"))
ui.kpi(c[3], "leads_open_overdue", int(cur["leads_open_overdue"]),
       delta_count("leads_open_overdue"), inverse=True)
if sat.empty:
    ui.kpi(c[4], "satisfaction", "—", None, label="满意度得分（暂无测评）")
else:
    s0 = sat.iloc[0]
    s_delta = None
    if len(sat) > 1:
        d = metrics.fmt_delta(round(s0["score"], 1), round(sat.iloc[1]["score"], 1), "分")
        s_delta = d if d in (None, "持平") else f"{d}（较{int(sat.iloc[1]['survey_year'])}年）"
    ui.kpi(c[4], "satisfaction", f"{s0['score']:.1f}分", s_delta,
           label=f"满意度得分（{int(s0['survey_year'])}年，{int(s0['responses'])}份）")

if f.prev_as_of:
    st.caption(f"箭头为与上期（{f.prev_as_of:%Y-%m-%d} 台账快照）相比的变化；比率的变化以百分点计，"
               "比率的分子/分母写在指标名后的括号里。满意度与上一年度测评相比。")
else:
    st.caption("统计日之前没有更早的台账快照，不显示变化。")

left, right = st.columns([3, 2])
with left:
    stages = db.run_query("stage_timeline", campaign_id=f.campaign_id)
    nxt = db.run_query("next_deadline", campaign_id=f.campaign_id, as_of=f.as_of).iloc[0]
    next_due = db.to_date(nxt["next_due"])
    ui.chart(lambda: progress_charts.stage_timeline(stages, f.as_of, next_due), stages, "方案阶段与报送节点",
             "stages")
with right:
    st.subheader("所处阶段")
    stage_end = db.to_date(nxt["current_stage_deadline"])
    st.markdown(f"#### {nxt['current_stage'] or '尚未开始'}"
                + (f"（至 {stage_end:%Y-%m-%d}）" if stage_end else ""))
    if next_due:
        days = int(nxt["days_to_next"])
        when = "今天" if days == 0 else f"还有 {days} 天"
        st.markdown(f"#### 下一节点：{next_due:%Y-%m-%d} {nxt['next_what']}（{when}）")
    else:
        st.markdown("#### 方案规定的节点均已过")
    st.markdown(f"未整改+整改中 **{int(cur['open_problems'])}** 个，长期推进 **{int(cur['long_term'])}** 个，"
                f"反弹问题 **{int(cur['relapse'])}** 个。")

trend = db.run_query("completion_trend", **f.params())
ui.chart(lambda: progress_charts.completion_trend(trend), trend, "整改率、销号率随时间变化", "trend")

units = metrics.add_lagging(db.run_query("unit_progress", **f.params()), f.min_items)
lagging = units[units["lagging_state"] != "绿"]
if units.empty or not lagging.empty:
    ui.chart(lambda: progress_charts.lagging_bar(lagging, top=10), lagging, "滞后单位", "lagging")
else:
    st.markdown("**滞后单位**")
    st.success("当前没有红色或黄色单位（各单位滞后评分均低于黄色线）。", icon=":material/check_circle:")
n_red = int((units["lagging_state"] == "红").sum())
n_yellow = int((units["lagging_state"] == "黄").sum())
st.caption(f"红色（建议挂牌督办或约谈）{n_red} 个、黄色（重点关注）{n_yellow} 个；图中最多列出 10 个。"
           "绿色单位（按计划推进）不列出，完整名单见“县区进度”。")
with st.expander("滞后评分规则（红 / 黄 / 绿）"):
    st.markdown("\n".join(f"{i + 1}. {t}" for i, t in enumerate(metrics.LAGGING_RULES_TEXT)))
ui.explain("problems", "done", "closed", "completion", "overdue", "leads_received", "ontime",
           "feedback", "leads_open_overdue", "satisfaction")
