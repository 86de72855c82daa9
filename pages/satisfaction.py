"""满意度：各单位得分排名（样本量、95% 置信区间）、满意度低单位及原因、单位 × 维度热力图、逐年对比。
没有逐份问卷、只有满意度汇总表的单位按汇总表的得分（或满意率）和样本量参加排名，标“来自汇总表”。
数据（含排名表的列宽）在 analytics/page_data/satisfaction.py。"""
import streamlit as st

from analytics import metrics
from analytics import supervision_drafts as drafts
from analytics.page_data.satisfaction import MAX_CHART_UNITS, sample_text, satisfaction_data, survey_years
from dashboard import db, labels, ui
from dashboard.charts import satisfaction as satisfaction_charts
from dashboard.supervise_button import pick_and_supervise

f = ui.require_filters()
ui.page_header("执法满意度测评", f)
years = survey_years(db.run_query, f)
if not years.years:
    ui.no_data("统计日所在年度及以前没有满意度测评数据（或所选单位没有被测评）。满意度测评每年进行一次，"
               "请换一个统计日或单位，或到“数据管理”上传测评结果。")
    st.stop()

if st.session_state.get("sat_year") not in years.years:
    st.session_state["sat_year"] = years.years[0]
year = st.columns([1, 3])[0].selectbox("测评年度", years.years, key="sat_year",
                    format_func=lambda y: f"{y}年（{years.responses[y]}份问卷）",
                    help="默认统计日所在年度及以前最近一次测评。")
st.caption("满意度测评不区分问题方面和来源渠道（侧栏这两项筛选对本页不起作用）；侧栏的单位筛选只决定显示哪些单位，"
           "排名和“满意度低”的判定在该年度全部被测评单位中进行。")

d = satisfaction_data(db.run_query, f, year)
if d is None:
    ui.no_data()
    st.stop()
rank, overall, low, from_summary = d.ranking, d.overall, d.low, d.from_summary
low_below, low_bottom, min_resp = d.low_below, d.low_bottom, d.min_responses
c = st.columns(5)
c[0].metric("总体满意度", "—" if overall.empty else f"{overall.iloc[0]['score']:.1f}分", border=True,
            delta=f"{year}年测评", delta_color="off", delta_arrow="off",
            help=f"{year}年测评。{metrics.help_text('satisfaction')}")
c[1].metric("被测评单位", f"{len(rank)}个", border=True)
c[2].metric("问卷份数", f"{d.respondents}份", border=True,
            help="每份问卷对各维度打分；样本量按问卷份数计。来自满意度汇总表的单位计其填报的样本量。")
c[3].metric("满意度低的单位", f"{len(low)}个", border=True,
            help=f"得分低于{low_below:g}分，或在可排名单位中排名倒数{int(low_bottom)}位。")
c[4].metric("样本不足的单位", f"{len(d.insufficient)}个", border=True,
            help=f"问卷少于{int(min_resp)}份（汇总表的样本量少于{int(min_resp)}份或未填），不参与排名。")
if not from_summary.empty:
    st.caption(f"{len(from_summary)}个单位{year}年没有逐份问卷，得分和样本量来自满意度汇总表（"
               + "、".join(from_summary["unit_name"]) + "）：参加排名，但没有置信区间和分维度得分。")

# ------------------------------------------------------------------ low units
st.subheader("满意度低的单位（建议约谈主要负责人）")
if low.empty:
    st.success(f"{year}年没有按规则判定为满意度低的单位。", icon=":material/check_circle:")
else:
    for _, r in low.iterrows():
        st.error(f"**{r['unit_name']}**：{r['score']:.1f}分（{sample_text(r)}，"
                 f"第{int(r['rank'])}名/共{int(r['n_rankable'])}个可排名单位）——{r['low_reason']}",
                 icon=":material/warning:")
    pick_and_supervise("对满意度低的单位发起督办（约谈）", {
        f"{r['unit_name']}（{r['score']:.1f}分）": drafts.from_low_satisfaction(r, f.campaign_id, year)
        for _, r in low.iterrows()}, "sat_sup")
if not d.weak_small.empty:
    st.caption(f"另有样本不足、得分低于{low_below:g}分的单位（仅供参考，不据此约谈）："
               + "、".join(f"{r['unit_name']} {r['score']:.1f}分（{sample_text(r)}）" for _, r in d.weak_small.iterrows()))
rules_box = ui.on_demand("“满意度低”判定规则与置信区间的算法", "sat_rules")
if rules_box.open:
    rules_box.markdown(
        f"- **满意度得分** = 该单位全部问卷全部题目得分（非常满意=5 … 非常不满意=1）的平均分 × 20（百分制）。\n"
        f"- **样本量**：问卷份数。少于 **{int(min_resp)}** 份的单位标为“样本不足”，不参与排名，也不据此判定满意度低。\n"
        f"- **满意度低**：可排名单位中，得分低于 **{low_below:g}** 分，或排名倒数 **{int(low_bottom)}** 位（并列按同一名次）。\n"
        "- **95% 置信区间**（正态近似）：每份问卷先求各维度平均分，得分 ± 1.96 × 问卷平均分的标准差 ÷ √问卷份数 × 20；"
        "只有 1 份问卷时无法计算。区间越宽，排名越不可靠；两个单位的区间大段重叠时，名次先后不宜作为约谈依据。\n"
        f"- **来自汇总表**：某单位该年度没有逐份问卷、只报了满意度汇总表（满意率/得分/样本量）时，用表中的得分参加排名"
        f"（没有得分时以满意率作得分），样本量按表中样本量，同样少于 {int(min_resp)} 份或未填的不排名；"
        "没有逐份答案，不计置信区间，也没有分维度得分。同一单位既有逐份问卷又有汇总表时，按逐份问卷计算。")

# ------------------------------------------------------------------ ranking
if d.chart_limited:
    st.caption(f"共{len(rank)}个单位，图中只画得分最低的{MAX_CHART_UNITS}个；完整排名见下表，或用侧栏选择单位。")
ui.chart(lambda: satisfaction_charts.satisfaction_ranking(d.charted, low_below), labels.chart_download(rank),
         f"{year}年满意度排名", "sat_rank")

lay = d.layout
col = st.column_config
st.dataframe(d.table, hide_index=True, key="tbl_sat_rank", row_height=lay.row_height, height=lay.height,
             column_config={"排名": col.TextColumn(width=lay.widths["排名"]),
                            "单位": col.TextColumn(width=lay.widths["单位"]),
                            "满意度得分": col.NumberColumn(format="%.1f", width=lay.widths["满意度得分"]),
                            "95%置信区间": col.TextColumn(width=lay.widths["95%置信区间"]),
                            "问卷份数": col.NumberColumn(width=lay.widths["问卷份数"]),
                            "状态": col.TextColumn(width=lay.widths["状态"]),
                            "说明": col.TextColumn(width=lay.reason_width)})

# ------------------------------------------------------------------ dimensions
st.subheader("分维度得分")
ui.chart(lambda: satisfaction_charts.satisfaction_heatmap(d.dimensions_charted, d.dimension_order),
         labels.chart_download(d.dimensions),
         f"{year}年各单位分维度满意度得分", "sat_dims")
worst = d.worst_dimension
if worst is not None:
    st.caption(f"最低的一项：{worst['unit_name']}的“{worst['dimension']}”，{worst['score']:.1f}分"
               f"（{int(worst['respondents'])}份作答）。")

# ------------------------------------------------------------------ year over year
st.subheader("逐年对比")
if not d.multi_year:
    st.info("只有一个年度的测评数据，暂不能逐年对比。", icon=":material/info:")
else:
    ui.chart(lambda: satisfaction_charts.satisfaction_yoy(d.yoy_charted), labels.chart_download(d.yoy),
             "各单位满意度逐年对比", "sat_yoy")
    if d.change is None:
        st.caption(f"{year}年被测评的单位在此前年度没有测评数据。")
    else:
        right = st.column_config.TextColumn(alignment="right")
        st.dataframe(d.change, hide_index=True, key="tbl_sat_change",
                     column_config={"上年得分": right, f"{year}年得分": right, "变化（分）": right})
        ui.download(d.change, "满意度逐年变化", "sat_change")

ui.explain("satisfaction")
