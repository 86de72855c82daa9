"""会议模式“县区分布”一屏的版面：标题句（问题在哪里）在上，县区地图（plotly，离线）在左，红黄绿图例与
不在地图上的单位（支队、中心、科室）在右。其余议题是纯 HTML（dashboard/meeting_slides.py），这一页有地图，
所以由这里摆放 Streamlit 元素。

地图按 1920×1080 时的像素大小画（MAP_WIDTH×MAP_HEIGHT，缩放级别在服务器端按这块绘图区算，见
dashboard/charts/county_map.py），再用 CSS transform 随根字号缩小（meeting_chrome.SCALE）：任何窗口下地图与文字
同比例，1366×768 时约 640×440（画布按原大小绘制再缩小，不模糊）。
陷阱：Streamlit 按图外框量到的（缩放后的）大小重画图，所以不能用 CSS zoom，transform 也只能加在外框里面的
.js-plotly-plot 上，否则图被缩小两次。transform 不改变布局，所以外框按原大小占位，用负的右、下外边距让出缩掉的部分。
"""
from __future__ import annotations

import streamlit as st

from analytics.page_data import meeting as md
from dashboard import meeting_slides as ms
from dashboard.charts.base import PLOTLY_CONFIG
from dashboard.charts.county_map import county_map
from dashboard.meeting_chrome import SCALE

MAP_WIDTH, MAP_HEIGHT = 900, 620   # 1920×1080 时的像素；1366×768 时约 640×440（标题句两行也放得下）
LABEL_SIZE = 24                    # 县区名称字号（1920×1080 时的像素），后排看得清
CSS = f"""
.st-key-mt_map{{margin-top:0.9rem;}}
.st-key-mt_map [data-testid="stPlotlyChart"] .js-plotly-plot{{transform:scale({SCALE});transform-origin:0 0;}}
.st-key-mt_county_map{{margin:0 calc({MAP_WIDTH}px * ({SCALE} - 1)) calc({MAP_HEIGHT}px * ({SCALE} - 1)) 0;}}
"""


def show(d: md.MapSlide) -> None:
    st.html(f"<style>{CSS}</style>" + ms.county_head(d))
    if not (d.has_map and d.has_units):
        return
    with st.container(key="mt_map", horizontal=True, gap="large", vertical_alignment="top", wrap=False):
        fig = county_map(d.geojson, d.mapped, "lagging", "", width=MAP_WIDTH, height=MAP_HEIGHT,
                         label_size=LABEL_SIZE, show_scale=False)
        st.plotly_chart(fig, width=MAP_WIDTH, config=PLOTLY_CONFIG, key="mt_county_map")   # 高度取图的 layout.height
        st.html(ms.county_side(d), width="stretch")
