"""图表共用：字体与字号（style）、数字和日期的显示文字、通用柱状图/折线图/热力图。颜色见 analytics/palette.py。"""
from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go

from analytics.metrics import fmt_pct
from analytics.palette import BLUE, PALETTE
from dashboard.charts import legend as legends
from dashboard.charts import margins

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"

# st.plotly_chart 的 config：不显示 plotly 工具栏。Streamlit 不带 plotly 的 zh-CN 语言包，工具栏提示
# （Download plot as a PNG、Zoom、Pan…）和 Streamlit 加的 Fullscreen 都是英文；下载 PNG 也绕过审计过的下载。
# 缩放仍可在图上拖动、双击复原；每张图下面有中文的数据下载按钮。
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "locale": "zh-CN", "scrollZoom": False}


def style(fig: go.Figure, big: bool = False, height: int | None = None) -> go.Figure:
    """统一字体、字号、边距、白底。big=True 用于会议投影。边距按刻度文字和坐标轴标题算好（dashboard/charts/margins.py）。"""
    base = margins.BIG if big else 14
    layout = fig._layout
    top = 70 if big else 60
    margin, angles = margins.compute(layout, fig._data, base, top)
    legend_band = legends.band(layout, fig._data, base, margin, _get(layout, "title", "text") or "") \
        if margin["t"] == top else 0
    if legend_band:                     # 图例单独占标题下面的一条（见 dashboard/charts/legend.py）
        margin["t"] = margins.title_room(top, base) + legend_band
    legend = dict(font=dict(size=base))
    if _get(layout, "legend", "orientation") != "v":   # 图自己把图例放在右侧（竖排）时保留
        legend |= dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1)
    updates = dict(
        font=dict(family=FONT, size=base, color="#222"),
        title=_title(base, margin["t"], top),
        hoverlabel=dict(font=dict(family=FONT, size=base)),
        legend=legend,
        margin=margin,
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    for prefix in ("xaxis", "yaxis"):     # 同 fig.update_xaxes / update_yaxes：xaxis 及图里已有的 xaxis2…
        for key in [prefix] + sorted((k for k in layout if re.fullmatch(prefix + r"[2-9]\d*|" + prefix + r"1\d+", k)),
                                     key=lambda k: int(k[len(prefix):])):
            updates[key] = dict(title=dict(font=dict(size=base)), tickfont=dict(size=base - 1), gridcolor="#eee",
                                automargin=True)   # 边距算小了（字体比估计的宽）时 plotly 补上，多画一遍
    for key, angle in angles.items():
        updates[key]["tickangle"] = angle
    if _get(layout, "uniformtext", "mode") and not _get(layout, "uniformtext", "minsize"):
        updates["uniformtext"] = dict(minsize=base - 6)   # 数值标签同一字号，柱里放不下这么大（投影时 14）的字就不写
    if height:
        updates["height"] = height
    if margin["t"] > top and _get(layout, "title", "yref") != "container":   # 第二次 style 不再加高
        # 标题不再与上方横轴的文字（或图例）共用上边距：图加高标题（和图例）那么多，绘图区不变矮
        grow = margin["t"] - top if legend_band else margins.title_room(top, base)
        updates["height"] = (updates.get("height") or layout.get("height") or 450) + grow
    _merge_layout(fig, updates)
    _fit_side_legend(fig, base)
    return fig


def _title(base: int, t: int, top: int) -> dict:
    """标题：左对齐。横轴在上方时上边距里还有刻度文字，标题钉在图顶（plotly 默认把标题放在上边距正中，会压在斜排的
    刻度文字上）。键的次序同 update_layout 的结果（tests/test_chart_style.py 逐字比较）。"""
    if t <= top:
        return dict(font=dict(size=base + 6), x=0, xanchor="left")
    return dict(font=dict(size=base + 6), pad=dict(t=top // 2 - (base + 6) // 2), x=0, xanchor="left",
                yref="container", y=1, yanchor="top")


# Trap: fig.update_layout / update_xaxes go through plotly's property-path machinery and checks, 20–60 ms per chart
# at national scale (7 pages × 3–4 charts). style() sets only fixed, valid values (fonts, sizes, colours), so it
# merges them straight into the figure's layout dict, the one plotly serialises; tests/test_chart_style.py checks
# that every page's figures come out JSON-identical to the update_layout build (kept there).
def _merge_layout(fig: go.Figure, updates: dict) -> None:
    _merge(fig._layout, updates)      # plotly's layout objects read their values from this dict on every access


def _merge(target: dict, updates: dict) -> None:
    for key, value in updates.items():
        if isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            _merge(target[key], value)
        else:
            target[key] = value


def _get(layout: dict, *path):
    for key in path:
        layout = layout.get(key) if isinstance(layout, dict) else None
    return layout


def _fit_side_legend(fig: go.Figure, font_size: int) -> None:
    """右侧竖排图例的每一项都要放得下：图不够高时加高（否则图例出滚动条，投影大字号时藏住后几个单位）。"""
    layout = fig._layout
    if _get(layout, "legend", "orientation") != "v" or layout.get("showlegend") is False:
        return
    entries = sum(1 for t in fig._data if t.get("showlegend") is not False and t.get("name"))
    top = _get(layout, "margin", "t") or 0
    need = top + 10 + 90 + round(font_size * 1.75) * entries     # 10 + 90：下边距与横轴文字、标题（算边距之前的估计）
    if (layout.get("height") or 450) < need:
        _merge_layout(fig, {"height": need})


def row_share(fig: go.Figure, share: float) -> go.Figure:
    """标明这张图在页面上只占一行的几分之几（如左右两栏的一栏为 0.5）：style() 按此估计图例放不放得下。"""
    fig._layout["meta"] = {"row_share": share}
    return fig


def figure(traces: list, layout: dict) -> go.Figure:
    """go.Figure(traces, layout)：图层与布局一次交给 plotly。逐个 add_trace 再 update_layout / update_xaxes 每一步
    都经过 plotly 的属性路径与重排机制，一张图多花 10–30 ms；得到的图相同（tests/test_chart_build.py）。"""
    return go.Figure(traces, layout=layout)


# 单位不多于此数时按单位的柱画成横条：名称在左侧一行一个、水平可读（竖柱下斜排的长名称曾占去半张图）；
# 更多时仍画竖柱（横条图会太高）
UNIT_BARS_ACROSS = 40
UNIT_BAR_PX = 34        # 横条图里每个单位占的高度（像素，投影大字号下名称一行）


def unit_bar_height(n_units: int, lines: int = 1, per_unit: int = UNIT_BAR_PX) -> int:
    """按单位的横条图的高度：标题、图例、横轴之外每个单位 per_unit 像素（名称折成几行时加高）。"""
    return max(300, 150 + n_units * (per_unit + 22 * (lines - 1)))


def wrap_name(name: str, per_line: int) -> str:
    """长名称折成几行（<br>），每行不多于 per_line 个字、各行字数相近：“大柴旦行委建设和交通运输局”（每行 8 字）→
    “大柴旦行委建设<br>和交通运输局”。刻度文字用它（ticktext），悬停仍写全名。"""
    n = -(-len(name) // per_line)
    if n <= 1:
        return name
    size = -(-len(name) // n)
    lines = [name[i:i + size] for i in range(0, len(name), size)]
    for i in range(len(lines) - 1):     # 左引号、左括号不留在行尾（下一行放得下时）：执法“<br>寻租” → 执法<br>“寻租”
        if lines[i][-1] in "“‘（《(" and len(lines[i + 1]) < per_line:
            lines[i], lines[i + 1] = lines[i][:-1], lines[i][-1] + lines[i + 1]
    return "<br>".join(lines)


def count_axis(vmax) -> dict:
    """件数/个数坐标轴：只有整数刻度（不出现 0.5），间隔取 1、2、5、10、20、50…，最多约 6 格。"""
    top = 0.0 if vmax is None or pd.isna(vmax) else float(vmax)
    step = 1
    while top / step > 6:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2   # 1 → 2 → 5 → 10 → 20 → 50 …
    return dict(tickformat="d", dtick=step, tick0=0, rangemode="tozero")


def time_axis(dates, most: int = 8) -> dict:
    """台账快照日期的横轴（日期型：间隔按实际天数）：最多 most 个水平的刻度文字，同一年内只写“06-25”；
    快照不多于 most 期时正好标出每一期。每日快照的趋势（37 期）不再是 37 个旋转的日期。"""
    ts = sorted(set(pd.to_datetime(pd.Series(list(dates))).dropna()))
    fmt = "%m-%d" if len({t.year for t in ts}) <= 1 else "%Y-%m-%d"
    axis = dict(type="date", tickformat=fmt, hoverformat="%Y-%m-%d", tickangle=0)
    if len(ts) <= most:
        return axis | dict(tickmode="array", tickvals=ts, ticktext=[t.strftime(fmt) for t in ts])
    return axis | dict(tickmode="auto", nticks=most)


def pct_text(v) -> str:
    """比率 → “56.3%”；空值 → “—”。"""
    return fmt_pct(None if pd.isna(v) else v)


def date_text(v) -> str:
    """日期 → “2023-06-25”；空值 → 空串。"""
    return "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


def one_decimal(v) -> str:
    """得分 → “86.4”；空值 → “—”。"""
    return "—" if v is None or pd.isna(v) else f"{v:.1f}"


def bar(df: pd.DataFrame, x: str, y: str, title: str, x_label: str, y_label: str,
        horizontal: bool = False, color: str = BLUE, hover: list[tuple[str, str]] | None = None,
        text: str | None = None) -> go.Figure:
    """通用柱状图。hover: [(列名, 中文名)]，悬停时逐行显示。"""
    hover = hover or []
    custom = df[[c for c, _ in hover]].astype(str).to_numpy() if hover else None
    extra = "".join(f"<br>{lab}：%{{customdata[{i}]}}" for i, (_, lab) in enumerate(hover))
    if horizontal:
        tr = go.Bar(x=df[y], y=df[x], orientation="h", marker_color=color, customdata=custom,
                    text=df[text] if text else None, textposition="auto",
                    hovertemplate=f"%{{y}}<br>{y_label}：%{{x}}{extra}<extra></extra>")
    else:
        tr = go.Bar(x=df[x], y=df[y], marker_color=color, customdata=custom,
                    text=df[text] if text else None, textposition="auto",
                    hovertemplate=f"%{{x}}<br>{y_label}：%{{y}}{extra}<extra></extra>")
    fig = go.Figure(tr)
    if horizontal:
        fig.update_layout(title=title, xaxis_title=y_label, yaxis_title=x_label)
        fig.update_yaxes(autorange="reversed")
    else:
        fig.update_layout(title=title, xaxis_title=x_label, yaxis_title=y_label)
    return fig


def line(df: pd.DataFrame, x: str, y: str, title: str, x_label: str, y_label: str,
         series: str | None = None, percent: bool = False) -> go.Figure:
    """通用折线图；series 列区分多条线；percent=True 时 y 为 0–1 比率、按百分比显示。"""
    fig = go.Figure()
    groups = df.groupby(series, sort=False) if series else [(y_label, df)]
    for i, (name, g) in enumerate(groups):
        fig.add_trace(go.Scatter(
            x=g[x], y=g[y], name=str(name), mode="lines+markers",
            line=dict(color=PALETTE[i % len(PALETTE)], width=3),
            hovertemplate=f"{name}<br>%{{x}}<br>{y_label}：%{{y:{'.1%' if percent else ','}}}<extra></extra>",
        ))
    fig.update_layout(title=title, xaxis_title=x_label, yaxis_title=y_label)
    if percent:
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return fig


def heatmap(matrix: pd.DataFrame, title: str, x_label: str, y_label: str, value_label: str,
            percent: bool = False, counts: pd.DataFrame | None = None) -> go.Figure:
    """矩阵热力图：matrix 行 = y，列 = x。counts 给出时悬停同时显示件数。"""
    z = matrix.to_numpy(dtype=float)
    text = [[f"{v * 100:.0f}%" if percent else f"{v:.0f}" for v in row] for row in z]  # 0 也显示
    custom = counts.reindex(index=matrix.index, columns=matrix.columns).fillna(0).to_numpy() \
        if counts is not None else z
    fig = go.Figure(go.Heatmap(
        z=z, x=list(matrix.columns), y=list(matrix.index), text=text, texttemplate="%{text}",
        customdata=custom, colorscale=[[0, "#f4f7fb"], [1, BLUE]], xgap=2, ygap=2,
        colorbar=dict(title=value_label, tickformat=".0%" if percent else None),
        hovertemplate=(f"{y_label}：%{{y}}<br>{x_label}：%{{x}}<br>{value_label}："
                       + ("%{z:.1%}<br>问题数：%{customdata:.0f}" if percent else "%{z:.0f}")
                       + "<extra></extra>"),
    ))
    fig.update_layout(title=title, xaxis_title=x_label, yaxis_title=y_label)
    fig.update_yaxes(autorange="reversed")
    return fig
