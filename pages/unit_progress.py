"""县区进度：各单位整改、线索、报送情况，滞后评分与红黄绿状态；选单位看问题历史和线索。
数据在 analytics/page_data/unit_progress.py。"""
import streamlit as st

from analytics import lagging, metrics
from analytics import supervision_drafts as drafts
from analytics.page_data import drill
from analytics.page_data.unit_progress import (
    UNIT_TABLE_VIEWS,
    report_detail,
    unit_detail,
    unit_progress_data,
    unit_table_view,
)
from dashboard import db, drill_url, drill_view, ui
from dashboard.charts import progress as progress_charts
from dashboard.labels import REPORT_DUE_LABELS
from dashboard.supervise_button import pick_and_supervise

f = ui.require_filters()
ui.page_header("县区进度", f)

d = unit_progress_data(db.run_query, f)
if d.units.empty:
    ui.no_data()
    st.stop()
if int(d.units["problems"].sum()) + int(d.units["leads_received"].sum()) == 0:
    # 各单位都是 0：不列一张全是“绿色”的表，说明是所选统计日没有数据
    st.info("所选统计日没有数据：还没有台账问题和线索，不评红黄绿。请换一个统计日（侧栏）。", icon=":material/event_busy:")
    st.stop()

# 链接里的状态（dashboard/drill_url.py）：focus=单位明细的单位，up=done.<单位>（整改率/销号率的柱），only=red…
url = drill_url.PageUrl("unit_progress")
K_BAR = "up_bar"
if url.from_url:
    raw_focus = url.get("focus")
    if raw_focus and raw_focus not in d.detail_unit_ids:
        first = f.unit_names.get(d.detail_unit_ids[0], d.detail_unit_ids[0]) if d.detail_unit_ids else "无"
        drill_url.bad_value("单位", raw_focus, f"“{first}”（所选统计日有问题或线索的第一个单位）")
    elif raw_focus:
        st.session_state["up_unit"] = raw_focus
    raw_bar = url.get("up")
    if raw_bar:
        rate, _, unit = raw_bar.partition(".")
        ok = rate in drill.UNIT_RATES and unit in d.with_problems["unit_id"].tolist()
        st.session_state[K_BAR] = raw_bar if ok else None
        if not ok:
            drill_url.bad_value("柱的选择", raw_bar, "不打开清单")
only = drill_url.only_toggles(url, (drill.ONLY_RED, drill.ONLY_OVERDUE, drill.ONLY_LATE), "up_only")
red_only = drill.ONLY_RED in only

c = st.columns(4)
c[0].metric("单位数", len(d.units), border=True)
c[1].metric("红色（建议督办/约谈）", d.n_red, border=True)
c[2].metric("黄色（重点关注）", d.n_yellow, border=True)
c[3].metric("未按时报送台账（次）", d.reports_missed, border=True, help=metrics.help_text("reports_missed"))

if not d.lowest.empty:
    st.markdown(
        "**整改率最低**：" + "、".join(f"{r.unit_name} {metrics.fmt_rate(r.done, r.problems)}"
                                  for r in d.lowest.itertuples())
        + "　　**整改率最高**：" + "、".join(f"{r.unit_name} {metrics.fmt_rate(r.done, r.problems)}"
                                      for r in d.highest.itertuples())
        + f"　（查摆问题少于 {f.min_items} 个的单位不参与排名）")

table = d.table[d.table["状态"] == lagging.STATE_ICON["红"]] if red_only else d.table
if red_only:
    st.caption(f"只看红色单位：{len(table)} 个（共 {len(d.units)} 个单位）。")
views = list(UNIT_TABLE_VIEWS)
view = st.segmented_control("表格显示的列", views, default=views[0], key="up_cols",
                            help="列较多，分三组切换显示，每组在投影屏上整张放得下；“下载数据（CSV）”含全部列。") or views[0]
ui.table(table, "县区进度" + ("_红色单位" if red_only else ""), "unit_table", download_data=table,
         layout=unit_table_view(table, view),
         column_config={
             "滞后评分": st.column_config.ProgressColumn("滞后评分", min_value=0, max_value=d.lagging_max, format="%d"),
         })
rules_box = ui.on_demand("滞后评分规则（红 / 黄 / 绿）", "up_rules")
if rules_box.open:
    rules_box.markdown("\n".join(f"{i + 1}. {t}" for i, t in enumerate(d.lagging_rules)))
ui.explain("completion", "closure", "overdue", "ontime", "feedback", "reports_missed", "lagging")

rated = d.with_problems[d.with_problems["lagging_state"] == "红"] if red_only else d.with_problems
ev = ui.chart(lambda: progress_charts.unit_rates(rated), rated, "各单位整改率与销号率", "unit_rates", on_select=True)
pts = drill_view.chart_points(ev)
ids_by_name = dict(zip(rated["unit_name"], rated["unit_id"], strict=False))
# 单位在纵轴（横条）或横轴（单位很多时的竖柱）上
bar_unit_name = next((pts[0].get(a) for a in ("y", "x") if pts and pts[0].get(a) in ids_by_name), None)
bar = f"{['done', 'closed'][pts[0].get('curve_number', 0)]}.{ids_by_name[bar_unit_name]}" if bar_unit_name else None
if drill_view.new_pick("up_bar_sig", bar):
    st.session_state[K_BAR] = bar
picked = st.session_state.get(K_BAR) or ""
if picked:
    rate, _, bar_unit = picked.partition(".")
    m = drill.UNIT_RATES[rate]
    name = f.unit_names.get(bar_unit, bar_unit)
    drill_view.show_list(drill.drill_list(db.run_query, f, m, [bar_unit], only, title=f"{name}_{m.title}_问题清单"),
                         "up_bar", on_close=lambda: st.session_state.update({K_BAR: None}),
                         caption=f"{name}的全部查摆问题（{m.title}的分母），“{m.numerator_label}”一列为分子。")
else:
    st.caption("点一根柱，列出该单位的问题（整改率 / 销号率的分母，标出计入分子的）。")
ui.chart(lambda: progress_charts.unit_trend(d.trend, d.trend_note), d.trend, "各单位整改率趋势", "unit_trend")
st.caption(f"各单位整改率趋势：{d.trend_note}。")

report_box = ui.on_demand("台账报送明细（按报送节点）", "up_report_detail")
if report_box.open:
    with report_box:
        ui.table(report_detail(db.run_query, f), "台账报送明细", "report_detail", labels=REPORT_DUE_LABELS)

st.subheader("单位明细")
if not d.detail_unit_ids:
    ui.no_data()
    url.write(up=st.session_state.get(K_BAR), only=list(only))
    st.stop()
unit_id = st.selectbox("选择单位", d.detail_unit_ids, key="up_unit",
                       format_func=lambda u: f.unit_names.get(u, u))
row = d.unit_row(unit_id)
st.markdown(f"**{row['unit_name']}**：{lagging.STATE_ICON[row['lagging_state']]}，滞后评分 "
            f"{int(row['lagging_score'])} 分（{row['lagging_reasons']}）")
detail = unit_detail(db.run_query, f, unit_id)
# 只画打开的那一页（换页时重跑）：页面打开时不为另两页多画一张表和一张图
tab_p, tab_h, tab_l = st.tabs(["问题清单", "状态变化", "问题线索"], key="up_tabs", on_change="rerun")
if tab_p.open:
    with tab_p:
        if drill.ONLY_OVERDUE in only:   # “只看逾期”：同一口径的下钻清单（drill_problems.sql）
            drill_view.show_list(drill.drill_list(db.run_query, f, drill.KPI["problems"], [unit_id], (drill.ONLY_OVERDUE,),
                                                  title=f"{row['unit_name']}_逾期问题"), "up_unit_problems")
        else:
            ui.table(detail.problems, f"{row['unit_name']}_问题清单", "unit_problems", hide=("problem_id", "relapse_of"))
        overdue = detail.problems[detail.problems["is_overdue"].fillna(False).astype(bool)]
        pick_and_supervise("对逾期问题发起督办", {
            f"序号{p['serial_no']}：{p['manifestation']}（期限 {str(p['deadline'])[:10]}）":
                drafts.from_overdue_problem(p, unit_id, row["unit_name"], f.campaign_id, f.as_of)
            for _, p in overdue.iterrows()}, "up_sup")
if tab_h.open:
    with tab_h:
        ui.chart(lambda: progress_charts.status_history(detail.history), detail.history,
                 f"{row['unit_name']}_问题状态变化", "unit_history")
if tab_l.open:
    with tab_l:
        st.caption("投诉人姓名、电话已脱敏显示。")
        lead_only = tuple(o for o in only if o in (drill.ONLY_OVERDUE, drill.ONLY_LATE))
        if lead_only:
            drill_view.show_list(drill.drill_list(db.run_query, f, drill.KPI["leads_received"], [unit_id], lead_only,
                                                  title=f"{row['unit_name']}_问题线索"), "up_unit_leads")
        else:
            ui.table(detail.leads, f"{row['unit_name']}_问题线索", "unit_leads")
url.write(focus=unit_id, up=st.session_state.get(K_BAR), only=list(only))
