"""问题热点图：问题方面 × 单位热力图、表现形式帕累托图、来源渠道构成（台账问题与线索）。"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.palette import BLUE, ORANGE
from dashboard.charts.base import heatmap


def category_unit_heatmap(df: pd.DataFrame, share: bool = False) -> go.Figure:
    """hotspot_matrix.sql → 问题方面 × 单位。share=True 显示各方面占该单位问题数的比例。"""
    cats = df.sort_values("category_no")["category"].drop_duplicates().tolist()
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    counts = df.pivot_table(index="category", columns="unit_name", values="problems",
                            aggfunc="sum", fill_value=0).reindex(index=cats, columns=units).fillna(0)
    if share:
        m = counts / counts.sum(axis=0).replace(0, 1)
        return heatmap(m, "问题方面 × 单位（占该单位问题数比例）", "单位", "问题方面", "占比",
                       percent=True, counts=counts)
    return heatmap(counts, "问题方面 × 单位（问题数）", "单位", "问题方面", "问题数")


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
    return fig


def channel_mix(df: pd.DataFrame) -> go.Figure:
    """channel_mix.sql → 各来源渠道的台账问题数、线索数（横向分组柱）。"""
    order = df.groupby("channel")["n"].sum().sort_values(ascending=False).index.tolist()
    fig = go.Figure()
    for i, (src, g) in enumerate(df.groupby("source", sort=False)):
        fig.add_trace(go.Bar(
            y=g["channel"], x=g["n"], name=str(src), orientation="h",
            marker_color=[BLUE, ORANGE][i % 2], text=g["n"], textposition="outside",
            textangle=0, constraintext="none", cliponaxis=False,
            hovertemplate=f"%{{y}}<br>{src}：%{{x}} 件<extra></extra>"))
    fig.update_layout(title="来源渠道构成", xaxis_title="数量（个/件）", yaxis_title="",
                      barmode="group", bargap=0.25, height=max(320, 90 + 44 * len(order)))
    fig.update_xaxes(range=[0, float(df["n"].max() or 1) * 1.18])
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    return fig
