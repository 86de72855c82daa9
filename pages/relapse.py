"""反弹问题：按单位、问题方面的反弹数，随时间变化，以及每条反弹与它重复的前期问题并列。"""
import streamlit as st

from dashboard import charts, db, ui

f = ui.require_filters()
ui.page_header("反弹问题（死灰复燃、重复反弹）", f)

counts = db.run_query("relapse_counts", **f.params())
trend = db.run_query("relapse_trend", **f.params())
lst = db.run_query("relapse_list", **f.params())

c = st.columns(4)
ui.kpi(c[0], "relapse", int(counts["relapses"].sum()) if not counts.empty else 0)
c[1].metric("当期新发现", int(trend["new_relapses"].iloc[-1]) if not trend.empty else 0, border=True,
            help="统计日及以前最近一个台账快照中首次出现的反弹问题数。")
c[2].metric("涉及单位", int(counts["unit_id"].nunique()) if not counts.empty else 0, border=True)
c[3].metric("其中已整改或销号", int(counts["relapses_done"].sum()) if not counts.empty else 0,
            border=True)
ui.explain("relapse")

left, right = st.columns(2)
with left:
    ui.chart(lambda: charts.relapse_by_unit(counts), counts, "各单位反弹问题数", "relapse_unit")
with right:
    ui.chart(lambda: charts.relapse_by_category(counts), counts, "各问题方面反弹问题数",
             "relapse_cat")
ui.chart(lambda: charts.relapse_trend(trend), trend[trend["relapses"] > 0] if not trend.empty else trend,
         "反弹问题随时间变化", "relapse_trend")

st.subheader("反弹问题与前期问题对照")
if lst.empty:
    ui.no_data()
else:
    for r in lst.itertuples():
        with st.container(border=True):
            a, b = st.columns(2)
            a.markdown(f"**反弹问题 {r.problem_id}**　{r.unit_name}　状态：**{r.status}**")
            a.markdown(f"{r.category} · {r.manifestation}")
            a.caption(f"{r.case_text}　|　来源：{r.source_channel or '—'}　|　判定依据：{r.relapse_basis or '—'}"
                      f"　|　首次报送：{db.to_date(r.first_reported) or '—'}")
            if r.earlier_found:
                done = db.to_date(r.earlier_done_date)
                b.markdown(f"**重复的前期问题 {r.relapse_of}**　状态：**{r.earlier_status}**"
                           + (f"（{done:%Y-%m-%d} 整改/销号）" if done else ""))
                b.markdown(f"{r.earlier_category} · {r.earlier_manifestation}")
                b.caption(r.earlier_case_text)
            elif isinstance(r.relapse_of, str) and r.relapse_of:
                b.markdown(f"**重复的前期问题 {r.relapse_of}**：本期台账中找不到该问题。")
            else:
                b.markdown("**前期问题**：台账未注明重复哪一个前期问题（"
                           f"{r.relapse_basis or '按表现形式判定'}）。")
    ui.download(lst, "反弹问题清单", "relapse_list")
