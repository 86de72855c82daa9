"""问题热点图：问题方面 × 单位热力图、表现形式帕累托图、来源渠道构成（台账问题与线索）。"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.palette import BLUE, ORANGE
from dashboard.charts.base import UNIT_BARS_ACROSS, row_share, wrap_name

GRID_PLOT_WIDTH = 900   # 1366×768 宽屏布局下绘图区约这么宽（像素），用来估每格的方块大小
ROW_PX = 52             # 每个问题方面一行的高度（像素）
GRID_FRAME_PX = 250     # 标题、边距和斜排的单位名称占的高度：绘图区每行约 ROW_PX，方块不重叠
# 单位不多于 UNIT_BARS_ACROSS 个时单位为行、问题方面为列：单位名称在左侧一行一个（不斜排），方面名称折成几行
UNIT_ROW_PX = 44        # 每个单位一行的高度（像素）
ACROSS_FRAME_PX = 210   # 标题、边距、折行的方面名称占的高度
ACROSS_PLOT_WIDTH = 520  # 1366 宽屏上绘图区约这么宽（整行减去左侧单位名称与右侧色标）
CATEGORY_LINE_CHARS = 3  # 方面名称每行至多几个字（投影大字号下 3 个字约 57 像素，窄于一列）


# Trap: plotly checks every element of the per-cell arrays (each text colour against its colour names, 3000 单位 ×
# 6 方面 = 18,000 格 ≈ 0.7 s), then copies the trace again into the figure. The arrays are built here from the
# query's columns (numbers, names, two colours), so the cell trace is built unchecked; tests/test_hotspot_grid_speed.py
# builds it both ways and compares the figures (VALIDATE_CELLS = True is the checked build). Everything set on the
# figure afterwards (layout, style()) is checked as usual.
VALIDATE_CELLS = False


def _unvalidated_figure(trace: go.Scatter, customdata: np.ndarray) -> go.Figure:
    fig = go.Figure(trace, _validate=VALIDATE_CELLS)
    fig.data[0].customdata = customdata     # set afterwards: the constructor deep-copies an object array cell by cell
    fig._validate = fig.layout._validate = True        # checks on again for the layout set below and by style()
    return fig


def category_unit_heatmap(df: pd.DataFrame, share: bool = False) -> go.Figure:
    """hotspot_matrix.sql → 问题方面 × 单位的格子图（单位不多于 UNIT_BARS_ACROSS 个时单位为行，否则为列）。
    share=True 显示各方面占该单位问题数的比例。

    Trap: Streamlit 的图上点选对 go.Heatmap 不起作用，所以每个格子是一个方形散点（颜色同热力图的色阶），
    点一下格子，选择里就有它的单位编码、问题方面（customdata）。"""
    cats = df.sort_values("category_no")["category"].drop_duplicates().tolist()
    units = df.sort_values("sort_order")[["unit_id", "unit_name"]].drop_duplicates("unit_id")
    counts = df.pivot_table(index="category", columns="unit_id", values="problems",
                            aggfunc="sum", fill_value=0).reindex(index=cats, columns=units["unit_id"]).fillna(0)
    values = counts / counts.sum(axis=0).replace(0, 1) if share else counts
    # the cells category by category, each across the units (as values.stack() lists them), as whole arrays
    v, n = values.to_numpy().ravel(), counts.to_numpy().ravel()
    unit_ids, n_cats = np.tile(units["unit_id"].to_numpy(dtype=str), len(cats)), len(cats)
    cat_of_cell = np.repeat(np.array(cats, dtype=str), len(units))
    top = float(v.max() if len(v) else 0) or 0.0
    label = "占比" if share else "问题数"
    across = len(units) <= UNIT_BARS_ACROSS
    if across:
        size = max(14, min(0.8 * UNIT_ROW_PX, 0.8 * ACROSS_PLOT_WIDTH / max(n_cats, 1)))
    else:
        size = max(14, min(0.8 * ROW_PX, 0.8 * GRID_PLOT_WIDTH / max(len(units), 1)))
    customdata = np.empty((len(v), 3), dtype=object)
    customdata[:, 0], customdata[:, 1], customdata[:, 2] = unit_ids, cat_of_cell, n
    unit_of_cell = np.tile(units["unit_name"].to_numpy(dtype=str), n_cats)
    unit_axis, cat_axis = ("y", "x") if across else ("x", "y")
    fig = _unvalidated_figure(go.Scatter(
        **{unit_axis: unit_of_cell, cat_axis: cat_of_cell}, mode="markers+text",
        marker=dict(symbol="square", size=size, color=v, colorscale=[[0, "#f4f7fb"], [1, BLUE]],
                    cmin=0, cmax=top or 1, line=dict(width=1, color="#d0d7e2"),
                    colorbar=dict(title=dict(text=label), **({"tickformat": ".0%"} if share else {}))),
        text=np.char.mod("%.0f%%", v * 100) if share else np.char.mod("%.0f", v),
        textfont=dict(color=np.where(v / (top or 1) > 0.55, "white", "#222")),       # 深色格子上用白字
        hovertemplate=(f"问题方面：%{{{cat_axis}}}<br>单位：%{{{unit_axis}}}<br>"
                       + ("占比：%{marker.color:.1%}<br>" if share else "")
                       + "问题数：%{customdata[2]:.0f}<br>点击列出这些问题<extra></extra>"),
        selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=0.45)),
        _validate=VALIDATE_CELLS,
    ), customdata)
    title = "问题方面 × 单位（占该单位问题数比例）" if share else "问题方面 × 单位（问题数）"
    names = units["unit_name"].tolist()
    if across:
        fig.update_layout(title=title, xaxis_title="问题方面", yaxis_title="",
                          height=ACROSS_FRAME_PX + UNIT_ROW_PX * len(units), clickmode="event+select", dragmode=False)
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=cats, tickmode="array", tickvals=cats,
                         ticktext=[wrap_name(c, CATEGORY_LINE_CHARS) for c in cats], tickangle=0, showgrid=False)
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=names, autorange="reversed",
                         showgrid=False)
        return fig
    fig.update_layout(title=title, xaxis_title="单位", yaxis_title="问题方面", height=GRID_FRAME_PX + ROW_PX * len(cats),
                      clickmode="event+select", dragmode=False)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=names, showgrid=False)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=cats, autorange="reversed",
                     showgrid=False)
    return fig


def pareto(df: pd.DataFrame) -> go.Figure:
    """manifestation_pareto.sql → 表现形式帕累托（柱 + 累计占比折线）。"""
    labels = df["manifestation_code"].astype(str).tolist()   # 轴上只放编码，全称看悬停
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=labels, y=df["problems"], name="问题数", marker_color=BLUE,
        customdata=df[["manifestation", "category", "share"]].to_numpy(),
        hovertemplate=("%{x} %{customdata[0]}<br>问题方面：%{customdata[1]}<br>问题数：%{y}"
                       "（占%{customdata[2]:.1%}）<extra></extra>")))
    fig.add_trace(go.Scatter(
        x=labels, y=df["cum_share"], name="累计占比", yaxis="y2", mode="lines+markers",
        line=dict(color=ORANGE, width=3), hovertemplate="%{x} 累计占比：%{y:.1%}<extra></extra>"))
    fig.update_layout(title="表现形式帕累托图", xaxis_title="表现形式编码（悬停查看全称）", yaxis_title="问题数",
                      yaxis2=dict(title="累计占比", overlaying="y", side="right",
                                  tickformat=".0%", range=[0, 1.05], showgrid=False))
    fig.update_xaxes(type="category", tickangle=-90 if len(labels) > 20 else 0)
    return row_share(fig, 0.6)


def channel_mix(df: pd.DataFrame) -> go.Figure:
    """channel_mix.sql → 各来源渠道的台账问题数、线索数（横向分组柱）。"""
    order = df.groupby("channel")["n"].sum().sort_values(ascending=False).index.tolist()
    fig = go.Figure()
    for i, (src, g) in enumerate(df.groupby("source", sort=False)):
        fig.add_trace(go.Bar(
            y=g["channel"], x=g["n"], name=str(src), orientation="h",
            marker_color=[BLUE, ORANGE][i % 2], text=g["n"], textposition="outside",
            textangle=0, cliponaxis=False,       # 数字不高于柱的粗细：同一渠道上下两根柱的数字不相碰
            hovertemplate=f"%{{y}}<br>{src}：%{{x}} 件<extra></extra>"))
    fig.update_layout(title="来源渠道构成", xaxis_title="数量（个/件）", yaxis_title="",
                      barmode="group", bargap=0.2, bargroupgap=0.12, height=max(320, 90 + 52 * len(order)))
    fig.update_xaxes(range=[0, float(df["n"].max() or 1) * 1.18])
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    return row_share(fig, 0.4)
