"""反弹问题图：各单位（按问题方面堆叠）、随时间变化、各问题方面。"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.palette import ORANGE, PALETTE, RED
from dashboard.charts import margins
from dashboard.charts.base import (
    UNIT_BARS_ACROSS,
    bar,
    count_axis,
    row_share,
    time_axis,
    unit_bar_height,
    wrap_name,
)

HALF_ROW_PLOT = 370     # 反弹页左右两列里一列的绘图区宽度（1366 宽屏，像素）
UNIT_LINE_CHARS = 7     # 半行宽的横条图里单位名称每行至多几个字（投影大字号 7 个字约 133 像素）


def relapse_by_unit(df: pd.DataFrame) -> go.Figure:
    """relapse_counts.sql → 各单位反弹问题数（按问题方面堆叠；横条，单位多于 UNIT_BARS_ACROSS 个时竖柱）。"""
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    across = len(units) <= UNIT_BARS_ACROSS
    unit, count = ("y", "x") if across else ("x", "y")
    fig = go.Figure()
    for i, (cat, g) in enumerate(df.groupby("category", sort=False)):
        fig.add_trace(go.Bar(
            **{unit: g["unit_name"], count: g["relapses"]}, orientation="h" if across else None, name=str(cat),
            marker_color=PALETTE[i % len(PALETTE)], customdata=g[["relapses_done"]].to_numpy(),
            hovertemplate=f"%{{{unit}}}<br>{cat}：%{{{count}}} 个（已整改或销号 %{{customdata[0]}} 个）<extra></extra>"))
    fig.update_layout(title="各单位反弹问题数（按问题方面）", barmode="stack")
    counts = count_axis(df.groupby("unit_name")["relapses"].sum().max())
    if across:
        # 半行宽的图：长名称折成两三行（每行至多 UNIT_LINE_CHARS 个字），给横条留出宽度；悬停写全名
        shown = [wrap_name(u, UNIT_LINE_CHARS) for u in units]
        lines = max((t.count("<br>") + 1 for t in shown), default=1)
        fig.update_layout(xaxis_title="反弹问题数（个）", height=unit_bar_height(len(units), lines))
        fig.update_yaxes(categoryorder="array", categoryarray=units, tickmode="array", tickvals=units, ticktext=shown,
                         autorange="reversed")
        fig.update_xaxes(**counts)
        return row_share(fig, 0.5)
    fig.update_layout(xaxis_title="单位", yaxis_title="反弹问题数（个）")
    # 单位名称在半行宽的图里水平放不下时固定斜 30°（不让 plotly 按屏幕宽度决定，边距才算得准；按投影大字号判断）
    slant = len(units) * (margins.widest(units, 19) + 8) > HALF_ROW_PLOT
    fig.update_xaxes(categoryorder="array", categoryarray=units, **({"tickangle": 30} if slant else {}))
    fig.update_yaxes(**counts)
    return row_share(fig, 0.5)


def relapse_trend(df: pd.DataFrame) -> go.Figure:
    """relapse_trend.sql → 累计反弹问题数折线 + 当期新发现柱。"""
    x = pd.to_datetime(df["snap_date"])
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=df["new_relapses"], name="当期新发现", marker_color=ORANGE,
                         hovertemplate="%{x|%Y-%m-%d}<br>当期新发现：%{y} 个<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=df["relapses"], name="累计反弹问题", mode="lines+markers",
                             line=dict(color=RED, width=3),
                             hovertemplate="%{x|%Y-%m-%d}<br>累计反弹问题：%{y} 个<extra></extra>"))
    fig.update_layout(title="反弹问题随时间变化", xaxis_title="台账快照日期",
                      yaxis_title="问题数（个）", xaxis=time_axis(x))
    fig.update_yaxes(**count_axis(max(df["relapses"].max(), df["new_relapses"].max())))
    return fig


def relapse_by_category(df: pd.DataFrame) -> go.Figure:
    """relapse_counts.sql → 各问题方面反弹问题数（横条）。"""
    g = df.groupby("category", as_index=False)[["relapses", "relapses_done"]].sum() \
        .sort_values("relapses", ascending=False)
    fig = bar(g, "category", "relapses", "各问题方面反弹问题数", "问题方面", "反弹问题数（个）",
              horizontal=True, color=RED, hover=[("relapses_done", "已整改或销号")], text="relapses")
    fig.update_layout(height=max(260, 100 + 50 * len(g)))
    fig.update_xaxes(**count_axis(g["relapses"].max()))
    return fig
