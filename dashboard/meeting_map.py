"""会议模式“县区分布”一屏的版面：标题句（问题在哪里）在上，县区地图（plotly，离线）在左，红黄绿图例与
不在地图上的单位（支队、中心、科室）在右。其余议题是纯 HTML（dashboard/meeting_slides.py），这一页有地图，
所以由这里摆放 Streamlit 元素。

地图按 1920×1080 时的像素大小画（MAP_WIDTH×MAP_HEIGHT，缩放级别在服务器端按这块绘图区算，见
dashboard/charts/county_map.py），再用 CSS zoom 随根字号缩放（meeting_chrome.scale_css）：任何窗口下地图与
文字同比例，1366×768 时约 640×440。
"""
from __future__ import annotations

import streamlit as st

from analytics.page_data import meeting as md
from dashboard import meeting_slides as ms
from dashboard.charts.base import PLOTLY_CONFIG
from dashboard.charts.county_map import county_map
from dashboard.meeting_chrome import scale_css

MAP_WIDTH, MAP_HEIGHT = 900, 620   # 1920×1080 时的像素；1366×768 时约 640×440（标题句两行也放得下）
LABEL_SIZE = 24                    # 县区名称字号（1920×1080 时的像素），后排看得清
CSS = """
.st-key-mt_map{margin-top:0.9rem;}
.st-key-mt_map [data-testid="stPlotlyChart"]{border:0.1rem solid #dde3ea;border-radius:0.5rem;overflow:hidden;}
""" + scale_css('.st-key-mt_map [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"])')


def show(d: md.MapSlide) -> None:
    st.html(f"<style>{CSS}</style>" + ms.county_head(d))
    if not (d.has_map and d.has_units):
        return
    with st.container(key="mt_map", horizontal=True, gap="large", vertical_alignment="top", wrap=False):
        fig = county_map(d.geojson, d.mapped, "lagging", "", width=MAP_WIDTH, height=MAP_HEIGHT,
                         label_size=LABEL_SIZE, show_scale=False)
        st.plotly_chart(fig, width=MAP_WIDTH, height=MAP_HEIGHT, config=PLOTLY_CONFIG, key="mt_county_map")
        st.html(ms.county_side(d), width="stretch")
