"""县区地图面板：指标选择、地图（左）、不在地图上的单位及其数值（右）、各县区数值表（下，可下载）。"""
from __future__ import annotations

import streamlit as st

from analytics.county_map import MAP_METRICS, METRIC_HELP, county_map_data, mapped_table, others_table
from dashboard import db, ui
from dashboard.charts.county_map import county_map

K_METRIC = "cm_metric"


def county_map_panel(f) -> None:
    d = county_map_data(db.run_query, f)
    if not d.has_map:
        st.info("本专项整治没有配置县区地图（各单位的辖区边界代码），不显示地图。"
                "需要时在 data/maps/ 下为它添加地图配置。", icon=":material/map:")
        return
    key = st.radio("地图指标", list(MAP_METRICS), key=K_METRIC, horizontal=True,
                   format_func=lambda k: MAP_METRICS[k].label,
                   help="\n\n".join(f"**{m.label}**：{METRIC_HELP[k]}" for k, m in MAP_METRICS.items()))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        title = f"{d.config.title} {MAP_METRICS[key].label}"
        ui.chart(lambda: county_map(d.geojson, d.mapped, key, title), d.mapped, title, "county_map")
    with right:
        st.markdown("**不在地图上的单位**（无辖区边界）")
        if d.others.empty:
            st.caption("所有单位都在地图上。")
        else:
            ui.table(others_table(d.others, key), "不在地图上的单位", "county_map_others",
                     download_data=others_table(d.others))
    if not d.mapped.empty:
        st.markdown("**各县区数值**")
        ui.table(mapped_table(d.mapped), "县区地图数值", "county_map_values")
