"""满意度：各单位得分排名（样本量、95% 置信区间）、满意度低单位及原因、单位 × 维度热力图、逐年对比。
没有逐份问卷、只有满意度汇总表的单位按汇总表的得分（或满意率）和样本量参加排名，标“来自汇总表”。"""
import pandas as pd
import streamlit as st

from analytics import metrics
from dashboard import db, labels, ui
from dashboard.charts import satisfaction as satisfaction_charts

TABLE_PX = 975          # 宽屏（1440px）下正文表格的可用宽度，排名表各列合计不超过它
MAX_CHART_UNITS = 30    # 图中最多画的单位数


def _text_px(text: str, size: int = 14) -> int:
    """文字在表格里的大致宽度（像素）：汉字和全角符号按一个字号，其余按半个。"""
    return sum(size if ord(ch) > 0x2E80 else size // 2 for ch in str(text))


def count_or_na(values: pd.Series) -> pd.Series:
    """份数列：整数；汇总表未填样本量的显示为空。"""
    return values.astype("Int64")


def sample_text(r) -> str:
    """“12份问卷” / 汇总表单位 “样本120份，来自汇总表” / “未填样本量，来自汇总表”。"""
    if r.get("source") != "汇总表":
        return f"{int(r['respondents'])}份问卷"
    return ("未填样本量" if pd.isna(r["respondents"]) else f"样本{int(r['respondents'])}份") + "，来自汇总表"


def yoy_change(v: float) -> str:
    """较上年变化（已保留一位小数）→ “+2.1”“-0.6”；0.0 显示“持平”。"""
    return "持平" if v == 0 else f"{v:+.1f}"


f = ui.require_filters()
ui.page_header("执法满意度测评", f)
camp = f.campaign
low_below = camp.get("survey_low_score_below")
low_bottom = camp.get("survey_low_rank_bottom")
min_resp = camp.get("survey_min_responses")

years = db.run_query("satisfaction_years", **f.params())
if years.empty:
    ui.no_data("统计日所在年度及以前没有满意度测评数据（或所选单位没有被测评）。满意度测评每年进行一次，"
               "请换一个统计日或单位，或到“数据管理”上传测评结果。")
    st.stop()

year_opts = [int(y) for y in years["survey_year"]]
if st.session_state.get("sat_year") not in year_opts:
    st.session_state["sat_year"] = year_opts[0]
n_by_year = dict(zip(year_opts, years["responses"], strict=True))
year = st.columns([1, 3])[0].selectbox("测评年度", year_opts, key="sat_year",
                    format_func=lambda y: f"{y}年（{int(n_by_year[y])}份问卷）",
                    help="默认统计日所在年度及以前最近一次测评。")
st.caption("满意度测评不区分问题方面和来源渠道（侧栏这两项筛选对本页不起作用）；侧栏的单位筛选只决定显示哪些单位，"
           "排名和“满意度低”的判定在该年度全部被测评单位中进行。")

rank = db.run_query("satisfaction_ranking", campaign_id=f.campaign_id, survey_year=year,
                    units=list(f.units))
overall = db.run_query("satisfaction_overview", **f.params())
overall = overall[overall["survey_year"] == year]
if rank.empty:
    ui.no_data()
    st.stop()

low = rank[rank["is_low"].fillna(False)]
insufficient = rank[~rank["rankable"]]
from_summary = rank[rank["source"] == "汇总表"]
c = st.columns(5)
c[0].metric("总体满意度", "—" if overall.empty else f"{overall.iloc[0]['score']:.1f}分", border=True,
            delta=f"{year}年测评", delta_color="off", delta_arrow="off",
            help=f"{year}年测评。{metrics.help_text('satisfaction')}")
c[1].metric("被测评单位", f"{len(rank)}个", border=True)
c[2].metric("问卷份数", f"{int(rank['respondents'].sum())}份", border=True,
            help="每份问卷对各维度打分；样本量按问卷份数计。来自满意度汇总表的单位计其填报的样本量。")
c[3].metric("满意度低的单位", f"{len(low)}个", border=True,
            help=f"得分低于{low_below:g}分，或在可排名单位中排名倒数{int(low_bottom)}位。")
c[4].metric("样本不足的单位", f"{len(insufficient)}个", border=True,
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
weak_small = insufficient[insufficient["score"] < low_below]
if not weak_small.empty:
    st.caption(f"另有样本不足、得分低于{low_below:g}分的单位（仅供参考，不据此约谈）："
               + "、".join(f"{r['unit_name']} {r['score']:.1f}分（{sample_text(r)}）" for _, r in weak_small.iterrows()))
with st.expander("“满意度低”判定规则与置信区间的算法"):
    st.markdown(
        f"- **满意度得分** = 该单位全部问卷全部题目得分（非常满意=5 … 非常不满意=1）的平均分 × 20（百分制）。\n"
        f"- **样本量**：问卷份数。少于 **{int(min_resp)}** 份的单位标为“样本不足”，不参与排名，也不据此判定满意度低。\n"
        f"- **满意度低**：可排名单位中，得分低于 **{low_below:g}** 分，或排名倒数 **{int(low_bottom)}** 位（并列按同一名次）。\n"
        "- **95% 置信区间**（正态近似）：每份问卷先求各维度平均分，得分 ± 1.96 × 问卷平均分的标准差 ÷ √问卷份数 × 20；"
        "只有 1 份问卷时无法计算。区间越宽，排名越不可靠；两个单位的区间大段重叠时，名次先后不宜作为约谈依据。\n"
        f"- **来自汇总表**：某单位该年度没有逐份问卷、只报了满意度汇总表（满意率/得分/样本量）时，用表中的得分参加排名"
        f"（没有得分时以满意率作得分），样本量按表中样本量，同样少于 {int(min_resp)} 份或未填的不排名；"
        "没有逐份答案，不计置信区间，也没有分维度得分。同一单位既有逐份问卷又有汇总表时，按逐份问卷计算。")

# ------------------------------------------------------------------ ranking
# 单位很多时（全省推广）图只画得分最低的一批：它们才是约谈对象；完整排名在表格和下载里。
charted = rank
if len(rank) > MAX_CHART_UNITS:
    lowest = set(rank.nsmallest(MAX_CHART_UNITS, "score")["unit_id"])
    charted = rank[rank["unit_id"].isin(lowest)]
    st.caption(f"共{len(rank)}个单位，图中只画得分最低的{MAX_CHART_UNITS}个；完整排名见下表，或用侧栏选择单位。")
ui.chart(lambda: satisfaction_charts.satisfaction_ranking(charted, low_below), labels.chart_download(rank),
         f"{year}年满意度排名", "sat_rank")


def _state(r) -> str:
    if not r["rankable"]:
        return "样本不足" if not pd.isna(r["respondents"]) else "未填样本量"
    return "满意度低" if r["is_low"] else "正常"


table = pd.DataFrame({
    "排名": ["—" if pd.isna(v) else str(int(v)) for v in rank["rank"]],
    "单位": rank["unit_name"],
    "满意度得分": rank["score"].round(1),
    "95%置信区间": [("—" if pd.isna(lo) else f"{lo:.1f}～{hi:.1f}")
                 for lo, hi in zip(rank["ci_low"], rank["ci_high"], strict=True)],
    "问卷份数": count_or_na(rank["respondents"]),
    "状态": [_state(r) for _, r in rank.iterrows()],
    "说明": ["；".join(t for t in (note, reason) if isinstance(t, str) and t) or "—"
           for note, reason in zip(rank["source_note"], rank["low_reason"], strict=True)],
})
# 列宽按文字宽度给；“说明”较长，占剩余宽度，放不下时加高行、自动换行（行高 > 4rem 时表格才换行）
widths = {"排名": 44, "单位": min(240, max(_text_px(t) for t in table["单位"]) + 16), "满意度得分": 80,
          "95%置信区间": 96, "问卷份数": 72, "状态": 72}
reason_avail = max(240, TABLE_PX - sum(widths.values()))
reason_px = max(_text_px(t) for t in table["说明"]) + 16
wrap = reason_px > reason_avail
row_h = 70 if wrap else 35
col = st.column_config
st.dataframe(table, hide_index=True, key="tbl_sat_rank", row_height=row_h,
             height=min(800, len(table) * row_h + 38) if wrap else "auto",
             column_config={"排名": col.TextColumn(width=widths["排名"]),
                            "单位": col.TextColumn(width=widths["单位"]),
                            "满意度得分": col.NumberColumn(format="%.1f", width=widths["满意度得分"]),
                            "95%置信区间": col.TextColumn(width=widths["95%置信区间"]),
                            "问卷份数": col.NumberColumn(width=widths["问卷份数"]),
                            "状态": col.TextColumn(width=widths["状态"]),
                            "说明": col.TextColumn(width=min(reason_px, reason_avail))})

# ------------------------------------------------------------------ dimensions
st.subheader("分维度得分")
dims_df = db.run_query("satisfaction_dimensions", campaign_id=f.campaign_id, survey_year=year,
                       units=list(f.units))
try:
    from etl.config import load_campaign

    dim_order = list(load_campaign(f.campaign_id).survey.dimensions)
except Exception:  # noqa: BLE001 — config missing: alphabetical order is fine
    dim_order = []
dims_charted = dims_df[dims_df["unit_id"].isin(set(charted["unit_id"]))] if len(charted) < len(rank) else dims_df
ui.chart(lambda: satisfaction_charts.satisfaction_heatmap(dims_charted, dim_order),
         labels.chart_download(dims_df),
         f"{year}年各单位分维度满意度得分", "sat_dims")
if not dims_df.empty:
    worst = dims_df.sort_values("score").iloc[0]
    st.caption(f"最低的一项：{worst['unit_name']}的“{worst['dimension']}”，{worst['score']:.1f}分"
               f"（{int(worst['respondents'])}份作答）。")

# ------------------------------------------------------------------ year over year
st.subheader("逐年对比")
yoy = db.run_query("satisfaction_yoy", **f.params())
if yoy["survey_year"].nunique() < 2:
    st.info("只有一个年度的测评数据，暂不能逐年对比。", icon=":material/info:")
else:
    yoy_charted = yoy[yoy["unit_id"].isin(set(charted["unit_id"]))] if len(charted) < len(rank) else yoy
    ui.chart(lambda: satisfaction_charts.satisfaction_yoy(yoy_charted), labels.chart_download(yoy),
             "各单位满意度逐年对比", "sat_yoy")
    cur = yoy[(yoy["survey_year"] == year) & yoy["prev_score"].notna()]
    if cur.empty:
        st.caption(f"{year}年被测评的单位在此前年度没有测评数据。")
    else:
        cur = cur.assign(_chg=cur["change"].round(1)).sort_values(["_chg", "sort_order"])
        chg = pd.DataFrame({
            "单位": cur["unit_name"],
            "对比年度": [f"{int(p)}年 → {year}年" for p in cur["prev_year"]],
            "上年得分": [f"{v:.1f}" for v in cur["prev_score"]],
            f"{year}年得分": [f"{v:.1f}" for v in cur["score"]],
            "变化（分）": [yoy_change(v) for v in cur["_chg"]],
            f"{year}年问卷份数": count_or_na(cur["respondents"]),
        })
        right = st.column_config.TextColumn(alignment="right")
        st.dataframe(chg, hide_index=True, key="tbl_sat_change",
                     column_config={"上年得分": right, f"{year}年得分": right, "变化（分）": right})
        ui.download(chg, "满意度逐年变化", "sat_change")

ui.explain("satisfaction")
