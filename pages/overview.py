"""总览：会议投影用。关键指标（较上期变化）、方案阶段时间轴、整改趋势、滞后单位。
数据在 analytics/page_data/overview.py。"""
import streamlit as st

from analytics import comparison, lagging
from analytics import supervision_drafts as drafts
from analytics.page_data import drill
from analytics.page_data.overview import LAGGING_TOP, overview_data
from dashboard import db, drill_url, drill_view, ui
from dashboard.charts import progress as progress_charts
from dashboard.report_buttons import brief_download_button
from dashboard.supervise_button import pick_and_supervise

f = ui.require_filters()
ui.page_header("专项整治总览", f)
ui.equal_kpi_height()
with st.expander("会议材料：本期工作简报（Word / Excel）与会议幻灯片"):
    brief_download_button(f.campaign_id, f.as_of)

d = overview_data(db.run_query, f)
cur, delta = d.kpi, d.deltas
has_data = int(cur["problems"]) + int(cur["leads_received"]) > 0

# 下钻：ov=kpi.<指标> 或 unit.<滞后单位>（链接里，见 dashboard/drill_url.py）
url = drill_url.PageUrl("overview")
K_DRILL = "ov_drill"
if url.from_url and url.get("ov"):
    raw = url.get("ov")
    kind, _, what = raw.partition(".")
    ok = (kind == "kpi" and what in drill.KPI) or (kind == "unit" and what in d.lagging["unit_id"].tolist())
    st.session_state[K_DRILL] = raw if ok else None
    if not ok:
        drill_url.bad_value("清单选择", raw, "不打开清单" if kind != "unit" else
                            "不打开清单（该单位在所选统计日不是红色或黄色单位）")


def open_drill(value: str | None) -> None:
    st.session_state[K_DRILL] = value


def kpi_card(col, key: str, *args, **kw) -> None:
    (ui.kpi_rate if key in ("completion", "ontime", "feedback") else ui.kpi)(col, key, *args, **kw)
    if key in drill.KPI:
        ui.drill_button(col, f"ov_{key}", open_drill, (f"kpi.{key}",))


c = st.columns(5)
kpi_card(c[0], "problems", int(cur["problems"]), delta["problems"])
kpi_card(c[1], "done", int(cur["done"]), delta["done"])
kpi_card(c[2], "closed", int(cur["closed"]), delta["closed"])
kpi_card(c[3], "completion", cur["done"], cur["problems"], delta["completion"])
kpi_card(c[4], "overdue", int(cur["overdue"]), delta["overdue"], inverse=True)

c = st.columns(5)
kpi_card(c[0], "leads_received", int(cur["leads_received"]), delta["leads_received"])
kpi_card(c[1], "ontime", cur["leads_ontime"], cur["leads_ontime_den"], delta["ontime"])
kpi_card(c[2], "feedback", cur["leads_feedback"], cur["leads_concluded"], delta["feedback"])
kpi_card(c[3], "leads_open_overdue", int(cur["leads_open_overdue"]), delta["leads_open_overdue"], inverse=True)
kpi_card(c[4], "satisfaction", d.satisfaction.value, d.satisfaction.delta, label=d.satisfaction.label)

picked = st.session_state.get(K_DRILL) or ""


def only_for(m: drill.Measure) -> tuple[str, ...]:
    if m.kind == "satisfaction":   # 各单位一行：“只看…”不适用
        return ()
    opts = (drill.ONLY_OVERDUE, drill.ONLY_RED) if m.kind == "problems" else \
        (drill.ONLY_OVERDUE, drill.ONLY_LATE, drill.ONLY_RED)
    return drill_url.only_toggles(url, opts, "ov_only")


only: tuple[str, ...] = ()
if picked.startswith("kpi."):
    key = picked.removeprefix("kpi.")
    m = drill.KPI[key]
    with st.container(key="ov_kpi_drill"):
        only = only_for(m)
        drill_view.show_list(drill.drill_list(db.run_query, f, m, only=only),
                             "ov_kpi", on_close=lambda: open_drill(None))

compared = comparison.sentence(f.campaign, f.as_of, f.prev_as_of)
if f.prev_as_of:
    versus = f"{d.satisfaction.previous_year}年" if d.satisfaction.previous_year else "上一年度"
    st.caption(f"箭头为{compared}的变化；比率的变化以百分点计，比率的分子/分母写在指标名后的括号里。满意度与{versus}测评相比。")
else:
    st.caption(f"{compared}。")

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

if not has_data:
    st.markdown("**滞后单位**")
    st.info("所选统计日没有数据：还没有台账问题和线索，不评滞后单位。请换一个统计日（侧栏）。",
            icon=":material/event_busy:")
elif d.show_lagging_chart:
    ev = ui.chart(lambda: progress_charts.lagging_bar(d.lagging, top=LAGGING_TOP,
                                                      rules=lagging.for_campaign(f.campaign_id)), d.lagging,
                  "滞后单位", "lagging", on_select=True)
    ids_by_name = dict(zip(d.lagging["unit_name"], d.lagging["unit_id"], strict=False))
    pts = drill_view.chart_points(ev)
    new = drill_view.new_pick("ov_lag_sig", ids_by_name.get(pts[0].get("y")) if pts else None)
    if new:
        open_drill(f"unit.{new}")
        st.rerun()  # 清单在横条下方；上方若开着指标卡的清单，重跑后就关掉了
    st.caption("点一根横条，列出该单位尚未完成的问题和超期未办结的线索。")
else:
    st.markdown("**滞后单位**")
    st.success("当前没有红色或黄色单位（各单位滞后评分均低于黄色线）。", icon=":material/check_circle:")
if picked.startswith("unit.") and has_data:
    unit_id = picked.removeprefix("unit.")
    row = d.lagging[d.lagging["unit_id"] == unit_id]
    if not row.empty:
        r = row.iloc[0]
        with st.container(key="ov_unit_drill"):
            st.markdown(f"**{r['unit_name']}**：{lagging.STATE_ICON[r['lagging_state']]}，滞后评分 "
                        f"{int(r['lagging_score'])} 分（{r['lagging_reasons']}）")
            only = drill_url.only_toggles(url, (drill.ONLY_OVERDUE,), "ov_only")
            lists = drill.lagging_unit_lists(db.run_query, f, unit_id, only)
            for i, lst in enumerate(lists):
                drill_view.show_list(lst, f"ov_unit_{i}", on_close=(lambda: open_drill(None)) if i == 0 else None)
url.write(ov=st.session_state.get(K_DRILL), only=[o for o in only])
st.caption(f"红色（建议挂牌督办或约谈）{d.n_red} 个、黄色（重点关注）{d.n_yellow} 个；图中最多列出 {LAGGING_TOP} 个。"
           "绿色单位（按计划推进）不列出，完整名单见“县区进度”。")
pick_and_supervise("对滞后单位发起督办", {f"{r['unit_name']}（{r['lagging_state']}色，{int(r['lagging_score'])}分）":
                                  drafts.from_lagging_unit(r, f.campaign_id, f.as_of)
                                  for _, r in d.lagging.iterrows()}, "ov_sup")
rules_box = ui.on_demand("滞后评分规则（红 / 黄 / 绿）", "ov_rules")
if rules_box.open:
    rules_box.markdown("\n".join(f"{i + 1}. {t}" for i, t in enumerate(d.lagging_rules)))
ui.explain("problems", "done", "closed", "completion", "overdue", "leads_received", "ontime",
           "feedback", "leads_open_overdue", "satisfaction")
