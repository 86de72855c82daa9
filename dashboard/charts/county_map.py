"""县区地图（分级设色）：plotly go.Choroplethmap + 本地 GeoJSON + 空白底图，县区名称标在地图上。

离线的关键：底图样式是下面的 BLANK_STYLE（只有白色背景层，没有瓦片源），浏览器不向任何地图服务器
发请求。不要换成 go.Choropleth——它即使隐藏底图也会从 CDN 下载世界地图；也不要用 map_style="white-bg"
——它带着外网字体地址。县区名称（go.Scattermap 文字）只用汉字：MapLibre 用本机字体就地画汉字，
不下载字体；样式里的 glyphs 地址是一个永远解析不了的 .invalid 域名，只为通过样式校验（名称里若混入
字母数字，浏览器会去请求它——浏览器测试拦截并断言没有任何外部请求）。
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from analytics.county_map import MAP_METRICS, metric_text
from analytics.palette import GREEN, RED, STATE_COLORS, YELLOW

# sources 不能是空字典：Streamlit 重绘图时丢掉空对象，MapLibre 便报 “Map error.”；一个空的本地 GeoJSON 源不发任何请求。
BLANK_STYLE = {"version": 8, "sources": {"blank": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}},
               "layers": [{"id": "blank", "type": "background", "paint": {"background-color": "#ffffff"}}]}
GLYPHS_NEVER_FETCHED = "https://glyphs.invalid/{fontstack}/{range}.pbf"
LABEL_STYLE = {**BLANK_STYLE, "glyphs": GLYPHS_NEVER_FETCHED}
NO_DATA_FILL = "#e6e9ed"   # 在地图范围内、但不在当前筛选里的县区
HEIGHT = 460
ASSUMED_WIDTH = 420        # 估计地图绘图区宽度（页面左栏减去色标），用于计算缩放级别使全境可见
STATE_Z = {"绿": 0, "黄": 1, "红": 2}
# 颜色要表达“好/坏”：整改率低 = 红，高 = 绿；逾期和线索密度越多越深
SCALES = {
    "completion": [[0, RED], [0.5, YELLOW], [1, GREEN]],
    "overdue": [[0, "#fdf0ed"], [1, "#a93226"]],
    "lead_density": [[0, "#eaf1f8"], [1, "#1f4e79"]],
}


def _bounds(geojson: dict) -> tuple[float, float, float, float]:
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for x in c:
                walk(x)

    for f in geojson["features"]:
        walk(f["geometry"]["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def view(geojson: dict, width: int = ASSUMED_WIDTH, height: int = HEIGHT - 90) -> tuple[dict, float]:
    """全境可见的中心点和缩放级别（MapLibre：缩放 z 时全球宽 512·2^z 像素）。"""
    x0, y0, x1, y1 = _bounds(geojson)
    zx = math.log2(width * 360 / (512 * max(x1 - x0, 1e-6)))
    zy = math.log2(height * 2 * math.pi / (512 * max(_mercator_y(y1) - _mercator_y(y0), 1e-9)))
    center_lat = math.degrees(2 * math.atan(math.exp((_mercator_y(y0) + _mercator_y(y1)) / 2)) - math.pi / 2)
    return {"lon": (x0 + x1) / 2, "lat": center_lat}, min(zx, zy) - 0.25


def label_text(name: str) -> str:
    """地图上的县区名称：“大柴旦行政委员会” → “大柴旦”；只留汉字（见文件头：不下载字体）。"""
    return "".join(ch for ch in name.removesuffix("行政委员会") if "\u4e00" <= ch <= "\u9fff")


def _labels(geojson: dict, size: int = 13) -> go.Scattermap:
    props = [f["properties"] for f in geojson["features"]]
    return go.Scattermap(lon=[p["label"][0] for p in props], lat=[p["label"][1] for p in props], mode="text",
                         text=[label_text(p["name"]) for p in props], textfont=dict(size=size, color="#111111"),
                         hoverinfo="skip", name="县区名称")


def _hover(mapped: pd.DataFrame) -> list[str]:
    return [f"<b>{r['unit_name']}</b>（{r['county']}）<br>滞后状态：{metric_text(r, 'lagging')}"
            f"（{r['lagging_reasons']}）<br>整改率：{metric_text(r, 'completion')}"
            f"<br>逾期问题：{metric_text(r, 'overdue')}<br>线索密度：{metric_text(r, 'lead_density')}"
            for _, r in mapped.iterrows()]


def _values(mapped: pd.DataFrame, key: str) -> tuple[list[float], dict]:
    """某指标的着色值和色标设置。"""
    if key == "lagging":
        z = [STATE_Z[s] for s in mapped["lagging_state"]]
        g, y, r = STATE_COLORS["绿"], STATE_COLORS["黄"], STATE_COLORS["红"]
        scale = [[0, g], [1 / 3, g], [1 / 3, y], [2 / 3, y], [2 / 3, r], [1, r]]
        bar = dict(tickvals=[1 / 3, 1, 5 / 3], ticktext=["绿色", "黄色", "红色"], title="滞后状态")
        return z, dict(colorscale=scale, zmin=0, zmax=2, colorbar=bar)
    if key == "completion":
        z = [None if v is None or pd.isna(v) else v * 100 for v in mapped["completion"]]
        return z, dict(colorscale=SCALES[key], zmin=0, zmax=100,
                       colorbar=dict(title="整改率", ticksuffix="%"))
    m = MAP_METRICS[key]
    z = [None if v is None or pd.isna(v) else float(v) for v in mapped[key]]
    top = max([v for v in z if v is not None] or [0])
    bar = dict(title=f"{m.label}（{m.unit}）")
    if key == "overdue":       # 计数：整数刻度
        top = max(top, 1)
        bar |= dict(tickformat="d", dtick=max(1, math.ceil(top / 5)))
    return z, dict(colorscale=SCALES[key], zmin=0, zmax=top or 1, colorbar=bar)


def county_map(geojson: dict, mapped: pd.DataFrame, key: str, title: str, *, width: int | None = None,
               height: int = HEIGHT, label_size: int = 13, show_scale: bool = True) -> go.Figure:
    """各县区按指标 key（lagging / completion / overdue / lead_density）着色；不在筛选里的县区为浅灰。

    width 给定时（会议模式的幻灯片）图就是 width×height 像素、不留边距、没有标题，缩放级别按这块绘图区算；
    否则按页面左栏的估计宽度 ASSUMED_WIDTH 算。show_scale=False 不画色标（幻灯片在图旁写红黄绿图例）。"""
    codes = [f["properties"]["code"] for f in geojson["features"]]
    names = [f["properties"]["name"] for f in geojson["features"]]
    fig = go.Figure(go.Choroplethmap(
        geojson=geojson, featureidkey="properties.code", locations=codes, z=[0] * len(codes),
        colorscale=[[0, NO_DATA_FILL], [1, NO_DATA_FILL]], showscale=False,
        marker=dict(line=dict(color="#ffffff", width=1.5)), text=names,
        hovertemplate="%{text}：不在当前筛选范围<extra></extra>", name="其他县区"))
    z, color = _values(mapped, key)
    if not show_scale:
        color = {**color, "showscale": False}
    fig.add_trace(go.Choroplethmap(
        geojson=geojson, featureidkey="properties.code", locations=mapped["code"].tolist(), z=z,
        marker=dict(line=dict(color="#ffffff", width=1.5), opacity=1), text=_hover(mapped),
        hovertemplate="%{text}<extra></extra>", name=MAP_METRICS[key].label, **color))
    fig.add_trace(_labels(geojson, label_size))
    if width is None:
        center, zoom = view(geojson)
        fig.update_layout(title=title, height=height)
    else:
        center, zoom = view(geojson, width, height)
        fig.update_layout(width=width, height=height, margin=dict(l=0, r=0, t=0, b=0))
    fig.update_layout(map=dict(style=LABEL_STYLE, center=center, zoom=zoom), showlegend=False)
    return fig
