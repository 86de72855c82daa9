"""问题热点：问题方面 × 单位热力图、表现形式帕累托、来源渠道构成；点选图形查看背后的问题。
数据在 analytics/page_data/hotspots.py。"""
import streamlit as st

from analytics.page_data.hotspots import hotspot_problems, hotspots_data
from dashboard import db, ui
from dashboard.charts import hotspots as hotspot_charts

f = ui.require_filters()
ui.page_header("问题热点", f)

DRILL = {"unit": "hs_unit", "category": "hs_category", "manifestation": "hs_manif", "channel": "hs_channel"}


def points(event):
    try:
        return list(event.selection.points) if event else []
    except AttributeError:
        return []


def apply_selection(sig_key: str, values: dict) -> None:
    """图上新的点选 → 写入下钻选择框（只在选择变化时，以免覆盖手动选择）。"""
    sig = repr(sorted(values.items()))
    if values and st.session_state.get(sig_key) != sig:
        st.session_state[sig_key] = sig
        for k in DRILL.values():
            st.session_state[k] = ""
        for k, v in values.items():
            st.session_state[DRILL[k]] = v


d = hotspots_data(db.run_query, f)
matrix, par, mix = d.matrix, d.pareto, d.channels
mode = st.radio("热力图显示", ["问题数", "占该单位比例"], horizontal=True, key="hs_mode")
ev = ui.chart(lambda: hotspot_charts.category_unit_heatmap(matrix, share=mode != "问题数"), matrix,
              "问题方面 × 单位", "heatmap", on_select=True)
pts = points(ev)
if pts:
    p = pts[0]
    apply_selection("hs_sig_heat", {"unit": d.unit_ids_by_name.get(p.get("x"), ""), "category": p.get("y", "")})

left, right = st.columns([3, 2])
with left:
    ev = ui.chart(lambda: hotspot_charts.pareto(par), par, "表现形式帕累托图", "pareto", on_select=True)
    pts = points(ev)
    if pts and isinstance(pts[0].get("x"), str):
        apply_selection("hs_sig_par", {"manifestation": pts[0]["x"].split(" ", 1)[0]})
with right:
    ev = ui.chart(lambda: hotspot_charts.channel_mix(mix), mix, "来源渠道构成", "channels", on_select=True)
    pts = points(ev)
    if pts and isinstance(pts[0].get("y"), str):
        apply_selection("hs_sig_ch", {"channel": pts[0]["y"]})

st.subheader("问题清单")
st.caption("点选上面图中的格子或柱子，或在这里选择：")
unit_opts, cat_opts, man_opts, ch_opts = (d.unit_options, d.category_options, d.manifestation_options,
                                          d.channel_options)
man_names = d.manifestation_names
for k, opts in ((DRILL["unit"], unit_opts), (DRILL["category"], cat_opts),
                (DRILL["manifestation"], man_opts), (DRILL["channel"], ch_opts)):
    if st.session_state.get(k) not in opts:
        st.session_state[k] = ""
c = st.columns(4)
sel_unit = c[0].selectbox("单位", unit_opts, key=DRILL["unit"],
                          format_func=lambda u: f.unit_names.get(u, u) if u else "不限")
sel_cat = c[1].selectbox("问题方面", cat_opts, key=DRILL["category"], format_func=lambda v: v or "不限")
sel_man = c[2].selectbox("表现形式", man_opts, key=DRILL["manifestation"],
                         format_func=lambda v: f"{v} {man_names.get(v, '')}" if v else "不限")
sel_ch = c[3].selectbox("问题来源", ch_opts, key=DRILL["channel"], format_func=lambda v: v or "不限")
lst = hotspot_problems(db.run_query, f, sel_unit, sel_cat, sel_man, sel_ch)
st.markdown(f"共 **{len(lst)}** 个问题")
ui.table(lst, "热点问题清单", "hotspot_list", hide=("problem_id",))
