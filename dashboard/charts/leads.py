"""线索办理图：办理漏斗、各单位按时办结率、来源渠道构成、各单位超期件数；超期清单加工作日数。"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.metrics import fmt_rate
from analytics.palette import BLUE, GREEN, GREY, LIGHT_BLUE, ORANGE, RED
from dashboard.charts.base import count_axis, row_share
from dashboard.charts.margins import outside_text_range, projector_plot_width


def leads_funnel(fd: pd.DataFrame) -> go.Figure:
    fig = go.Figure(go.Funnel(
        y=fd["step"], x=fd["leads"],
        # 占受理的比例保留一位小数：792/795 显示 99.6%，不四舍五入成 100%
        texttemplate="%{value:d} 件<br>%{percentInitial:.1%}",
        marker=dict(color=[BLUE, LIGHT_BLUE, GREEN, ORANGE]),
        hovertemplate="%{y}：%{x} 件（占受理 %{percentInitial:.1%}）<extra></extra>",
    ))
    fig.update_layout(title="线索办理漏斗（截至统计日）", yaxis_title="办理环节", xaxis_title="线索件数（件）",
                      height=360)
    return fig


def ontime_by_unit(df: pd.DataFrame, min_items: int, top: int | None = None) -> go.Figure:
    """leads_by_unit.sql → 各单位线索按时办结率（横条，文字为“比率（分子/分母）”）；件数不足为灰。

    top：单位多于 top 个时只画件数足够（可排名）的单位中按时办结率最低的 top 个。"""
    d = df[df["leads_ontime_den"] > 0].copy()
    d["rate"] = d["leads_ontime"] / d["leads_ontime_den"]
    d = d.sort_values(["rate", "leads_ontime_den", "unit_name"], ascending=[True, False, True])
    title = "各单位线索按时办结率（工作日规则，由低到高）"
    if top is not None and len(d) > top:
        d = d[d["leads_ontime_den"] >= min_items].head(top)
        title = f"线索按时办结率最低的 {len(d)} 个单位（工作日规则）"
    ok = d["leads_ontime_den"] >= min_items
    # 不用红黄绿：那是单位滞后状态的颜色，按时办结率低的单位可能是绿色单位（见 analytics/lagging.py）
    colors = [BLUE if k else GREY for k in ok]
    text = [fmt_rate(a, b) + ("" if k else " 件数少，不排名")
            for a, b, k in zip(d["leads_ontime"], d["leads_ontime_den"], ok, strict=True)]
    # 比率写在条右侧，不写在条里（条里放不下时字被缩小，投影时看不清）；横轴加长到文字放得下，刻度只标到 100%
    top = max(1.05, outside_text_range(d["rate"].tolist(), text, projector_plot_width(1, d["unit_name"].tolist())))
    fig = go.Figure(go.Bar(
        x=d["rate"], y=d["unit_name"], orientation="h", marker_color=colors,
        text=text, textposition="outside", cliponaxis=False,
        customdata=d[["leads_ontime", "leads_ontime_den", "open_overdue"]].to_numpy(),
        hovertemplate=("%{y}<br>按时办结率：%{x:.1%}（%{customdata[0]}/%{customdata[1]}）"
                       "<br>超期未办结：%{customdata[2]} 件<extra></extra>"),
    ))
    fig.update_layout(title=title, xaxis_title="按时办结率",
                      yaxis_title="", height=max(300, 90 + 38 * len(d)))
    fig.update_xaxes(tickformat=".0%", range=[0, top], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1])
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def channel_mix(df: pd.DataFrame) -> go.Figure:
    """leads_channel_mix.sql → 各来源渠道线索件数（横条），悬停显示占比、属实率。"""
    d = df.sort_values("received", ascending=False)
    text = [f"{n}件（{s:.1%}）" for n, s in zip(d["received"], d["share"], strict=True)]
    # 件数写在条右侧（半行宽的图，条里放不下时字被缩小）；横轴加长到文字放得下
    top = outside_text_range(d["received"].tolist(), text, projector_plot_width(0.5, d["channel"].tolist()))
    fig = go.Figure(go.Bar(
        x=d["received"], y=d["channel"], orientation="h", marker_color=BLUE,
        text=text, textposition="outside", cliponaxis=False,
        customdata=list(zip(d["share"], [fmt_rate(a, b) for a, b in zip(d["found"], d["with_finding"], strict=True)],
                            d["open_overdue"], strict=True)),
        hovertemplate=("%{y}<br>受理：%{x} 件（占%{customdata[0]:.1%}）<br>属实率：%{customdata[1]}"
                       "<br>超期未办结：%{customdata[2]} 件<extra></extra>"),
    ))
    fig.update_layout(title="线索来源渠道构成", xaxis_title="线索件数（件）", yaxis_title="来源渠道",
                      height=max(280, 90 + 34 * len(d)))
    fig.update_xaxes(**count_axis(top), range=[0, top])        # 刻度间隔按加长后的横轴取，不超过约 6 格
    fig.update_yaxes(autorange="reversed", type="category")
    return row_share(fig, 0.5)


def overdue_age(df: pd.DataFrame, top: int | None = None) -> go.Figure:
    """leads_overdue_by_unit.sql + page_data.leads.add_unit_max_age → 各单位超期件数（横条），悬停显示最长超期工作日。

    top：只画件数最多的前 top 个单位（单位很多时）。"""
    g = df.sort_values(["leads", "max_age", "unit_name"], ascending=[False, False, True])
    if top is not None and len(g) > top:
        g = g.head(top)
    fig = go.Figure(go.Bar(
        x=g["leads"], y=g["unit_name"], orientation="h", marker_color=RED, text=g["leads"],
        textposition="outside", textangle=0, cliponaxis=False, customdata=g[["max_age"]].to_numpy(),
        hovertemplate="%{y}<br>超期未办结：%{x} 件<br>最长已超期：%{customdata[0]} 个工作日<extra></extra>"))
    title = "超期未办结线索（按单位）" if top is None or len(g) < top else f"超期未办结线索最多的 {top} 个单位"
    fig.update_layout(title=title, xaxis_title="线索件数（件）", yaxis_title="",
                      height=max(260, 90 + 36 * len(g)))
    fig.update_xaxes(**count_axis(g["leads"].max()))
    fig.update_yaxes(autorange="reversed", type="category")
    return fig
