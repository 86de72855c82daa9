"""问题热点：问题方面 × 单位格子图、表现形式帕累托、来源渠道构成；点选图形查看背后的问题。
数据在 analytics/page_data/hotspots.py，问题清单在 analytics/page_data/drill.py。热力图显示方式、下钻选择和
“只看…”开关在链接里（mode=share&hs=unit=linquan~category=逐利执法&only=overdue，见 dashboard/drill_url.py）。"""
import streamlit as st

from analytics.page_data import drill
from analytics.page_data.hotspots import hotspots_data
from dashboard import db, drill_url, drill_view, ui
from dashboard.charts import hotspots as hotspot_charts

f = ui.require_filters()
ui.page_header("问题热点", f)

DRILL = {"unit": "hs_unit", "category": "hs_category", "manifestation": "hs_manif", "channel": "hs_channel"}
MODES = {"count": "问题数", "share": "占该单位比例"}
url = drill_url.PageUrl("hotspots")
d = hotspots_data(db.run_query, f)
matrix, par, mix = d.matrix, d.pareto, d.channels
OPTIONS = {"unit": d.unit_options, "category": d.category_options, "manifestation": d.manifestation_options,
           "channel": d.channel_options}
WHAT = {"unit": "单位", "category": "问题方面", "manifestation": "表现形式", "channel": "问题来源"}


def set_selection(values: dict) -> None:
    """下钻选择（单位、问题方面、表现形式、来源；"" = 不限）写入下面的选择框。"""
    for k in DRILL.values():
        st.session_state[k] = ""
    for k, v in values.items():
        st.session_state[DRILL[k]] = v


if url.from_url:
    raw_mode = url.get("mode")
    if raw_mode and raw_mode not in MODES:
        drill_url.bad_value("热力图显示方式", raw_mode, "“问题数”")
    st.session_state["hs_mode"] = MODES.get(raw_mode or "count", MODES["count"])
    if url.get("hs"):
        picked = dict(p.partition("=")[::2] for p in url.get("hs").split("~") if "=" in p)
        good = {k: v for k, v in picked.items() if k in DRILL and v in OPTIONS[k]}
        for k, v in picked.items():
            if k not in good:
                drill_url.bad_value(f"下钻选择（{WHAT.get(k, k)}）", v, "不限")
        set_selection(good)

mode = st.radio("热力图显示", list(MODES.values()), horizontal=True, key="hs_mode")
ev = ui.chart(lambda: hotspot_charts.category_unit_heatmap(matrix, share=mode != MODES["count"]), matrix,
              "问题方面 × 单位", "heatmap", on_select=True)
pts = drill_view.chart_points(ev)
cell = pts[0].get("customdata") if pts else None
if drill_view.new_pick("hs_sig_heat", f"{cell[0]}~{cell[1]}" if cell else None):
    set_selection({"unit": cell[0], "category": cell[1]})

left, right = st.columns([3, 2])
with left:
    ev = ui.chart(lambda: hotspot_charts.pareto(par), par, "表现形式帕累托图", "pareto", on_select=True)
    pts = drill_view.chart_points(ev)
    code = pts[0]["x"].split(" ", 1)[0] if pts and isinstance(pts[0].get("x"), str) else None
    if drill_view.new_pick("hs_sig_par", code):
        set_selection({"manifestation": code})
with right:
    ev = ui.chart(lambda: hotspot_charts.channel_mix(mix), mix, "来源渠道构成", "channels", on_select=True)
    pts = drill_view.chart_points(ev)
    ch = pts[0]["y"] if pts and isinstance(pts[0].get("y"), str) else None
    if drill_view.new_pick("hs_sig_ch", ch):
        set_selection({"channel": ch})

st.subheader("问题清单")
st.caption("点选上面图中的格子或柱子，或在这里选择：")
man_names = d.manifestation_names
for k, key in DRILL.items():
    if st.session_state.get(key) not in OPTIONS[k]:
        st.session_state[key] = ""
c = st.columns(4)
sel_unit = c[0].selectbox("单位", OPTIONS["unit"], key=DRILL["unit"],
                          format_func=lambda u: f.unit_names.get(u, u) if u else "不限")
sel_cat = c[1].selectbox("问题方面", OPTIONS["category"], key=DRILL["category"], format_func=lambda v: v or "不限")
sel_man = c[2].selectbox("表现形式", OPTIONS["manifestation"], key=DRILL["manifestation"],
                         format_func=lambda v: f"{v} {man_names.get(v, '')}" if v else "不限")
sel_ch = c[3].selectbox("问题来源", OPTIONS["channel"], key=DRILL["channel"], format_func=lambda v: v or "不限")
only = drill_url.only_toggles(url, (drill.ONLY_OVERDUE, drill.ONLY_RED), "hs_only")
chosen = {"unit": sel_unit, "category": sel_cat, "manifestation": sel_man, "channel": sel_ch}
picked_text = "、".join(f.unit_names.get(v, v) if k == "unit" else v for k, v in chosen.items() if v)
title = f"热点问题清单（{picked_text or '全部'}）"
measure = drill.Measure("problems", "problems", title)
units = [sel_unit] if sel_unit else []
narrow = dict(category=sel_cat, manifestation=sel_man, channel=sel_ch)
# 全国规模“全部问题”有十万行：页面只取前 SHOW_ROWS 行（标题行写明“共 N 个，显示前 M 个”），点下载时再取完整清单。
# 下载在另一个线程里生成：数据范围（单位账号只看本单位）在这里取定，不在那个线程里再问登录状态
full = db.get_runner(db.scope_unit()).run
lst = drill.drill_list(db.run_query, f, measure, units, only, limit=drill.SHOW_ROWS, **narrow)
drill_view.show_list(lst, "hs_list", full_rows=lambda: drill.drill_list(full, f, measure, units, only, **narrow).rows)
url.write(mode=None if mode == MODES["count"] else next(k for k, v in MODES.items() if v == mode),
          hs="~".join(f"{k}={v}" for k, v in chosen.items() if v) or None, only=list(only))
