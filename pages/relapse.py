"""反弹问题：按单位、问题方面的反弹数，随时间变化，以及每条反弹与它重复的前期问题并列。
数据在 analytics/page_data/relapse.py。"""
import html

import pandas as pd
import streamlit as st

from analytics import comparison, metrics
from analytics.page_data.relapse import relapse_data
from dashboard import db, ui
from dashboard.charts import relapse as relapse_charts

f = ui.require_filters()
ui.page_header("反弹问题（死灰复燃、重复反弹）", f)

d = relapse_data(db.run_query, f)
counts, lst = d.counts, d.relapses
c = st.columns(4)
ui.kpi(c[0], "relapse", d.total)
c[1].metric("当期新发现", d.new_this_period, border=True,
            help=(f"首次报送日期在上期之后、统计日（{f.as_of:%Y-%m-%d}）及以前的反弹问题数；"
                  f"{comparison.sentence(f.campaign, f.as_of, f.prev_as_of)}。"
                  if f.prev_as_of else f"{comparison.sentence(f.campaign, f.as_of, None)}：截至统计日的全部反弹问题。"))
c[2].metric("涉及单位", d.units, border=True)
c[3].metric("其中已整改或销号", d.done, border=True)
ui.explain("relapse")

left, right = st.columns(2)
with left:
    ui.chart(lambda: relapse_charts.relapse_by_unit(counts), counts, "各单位反弹问题数", "relapse_unit")
with right:
    ui.chart(lambda: relapse_charts.relapse_by_category(counts), counts, "各问题方面反弹问题数",
             "relapse_cat")
ui.chart(lambda: relapse_charts.relapse_trend(d.trend), d.trend_shown, "反弹问题随时间变化", "relapse_trend")

st.subheader("反弹问题与前期问题对照")
if lst.empty:
    ui.no_data()
else:
    def nowrap(text: str) -> str:
        return f"<span style='white-space:nowrap'>{html.escape(str(text))}</span>"

    def serial(v) -> str:
        return "（无编号）" if v is None or (isinstance(v, float) and pd.isna(v)) or v == "" else f"编号 {v}"

    for r in lst.itertuples():
        with st.container(border=True):
            a, b = st.columns(2)
            a.markdown(f"**反弹问题 {nowrap(serial(r.serial_no))}**　{nowrap(r.unit_name)}　"
                       f"{nowrap('状态：')}<b>{nowrap(r.status)}</b>", unsafe_allow_html=True)
            a.markdown(f"{r.category} · {r.manifestation}")
            a.caption(f"{r.case_text}　|　来源：{r.source_channel or '—'}"
                      f"　|　判定依据：{metrics.relapse_basis_text(r.relapse_basis)}"
                      f"　|　首次报送：{db.to_date(r.first_reported) or '—'}")
            if r.earlier_found:
                done = db.to_date(r.earlier_done_date)
                other = "" if r.earlier_unit_name == r.unit_name else f"（{r.earlier_unit_name}）"
                b.markdown(f"**重复的前期问题 {nowrap(serial(r.earlier_serial_no))}**{other}　"
                           f"{nowrap('状态：')}<b>{nowrap(r.earlier_status)}</b>"
                           + (nowrap(f"（{done:%Y-%m-%d} 整改/销号）") if done else ""),
                           unsafe_allow_html=True)
                b.markdown(f"{r.earlier_category} · {r.earlier_manifestation}")
                b.caption(r.earlier_case_text)
            elif isinstance(r.relapse_of, str) and r.relapse_of:
                b.markdown("**重复的前期问题**：台账注明了重复的前期问题，但截至统计日的台账中找不到该问题。")
            else:
                b.markdown("**前期问题**：台账未注明重复哪一个前期问题（判定依据："
                           f"{metrics.relapse_basis_text(r.relapse_basis)}）。")
    ui.download(lst, "反弹问题清单", "relapse_list")
