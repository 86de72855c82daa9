"""线索办理图：办理漏斗、各单位按时办结率、来源渠道构成、各单位超期件数；超期清单加工作日数。"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.metrics import fmt_rate
from analytics.palette import BLUE, GREEN, GREY, LIGHT_BLUE, ORANGE, RED, YELLOW
from etl.normalize.workdays import working_day_ages

FUNNEL_STEPS = [("received", "受理"), ("assigned", "交办"), ("concluded", "办结"), ("fed_back", "已反馈")]


def leads_funnel_data(summary: pd.Series) -> pd.DataFrame:
    """leads_summary.sql 的一行 → 漏斗各步（件数、占受理的比例）。"""
    base = int(summary["received"])
    rows = [{"step": label, "leads": int(summary[col]),
             "share_of_received": (int(summary[col]) / base) if base else None}
            for col, label in FUNNEL_STEPS]
    return pd.DataFrame(rows)


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
    d = df[df["ontime_den"] > 0].copy()
    d["rate"] = d["ontime"] / d["ontime_den"]
    d = d.sort_values(["rate", "ontime_den", "unit_name"], ascending=[True, False, True])
    title = "各单位线索按时办结率（工作日规则，由低到高）"
    if top is not None and len(d) > top:
        d = d[d["ontime_den"] >= min_items].head(top)
        title = f"线索按时办结率最低的 {len(d)} 个单位（工作日规则）"
    ok = d["ontime_den"] >= min_items
    colors = [(RED if r < 0.6 else YELLOW if r < 0.8 else GREEN) if k else GREY
              for r, k in zip(d["rate"], ok, strict=True)]
    fig = go.Figure(go.Bar(
        x=d["rate"], y=d["unit_name"], orientation="h", marker_color=colors,
        text=[fmt_rate(a, b) + ("" if k else " 件数少，不排名")
              for a, b, k in zip(d["ontime"], d["ontime_den"], ok, strict=True)],
        textposition="auto",
        customdata=d[["ontime", "ontime_den", "open_overdue"]].to_numpy(),
        hovertemplate=("%{y}<br>按时办结率：%{x:.1%}（%{customdata[0]}/%{customdata[1]}）"
                       "<br>超期未办结：%{customdata[2]} 件<extra></extra>"),
    ))
    fig.update_layout(title=title, xaxis_title="按时办结率",
                      yaxis_title="", height=max(300, 90 + 38 * len(d)))
    fig.update_xaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def channel_mix(df: pd.DataFrame) -> go.Figure:
    """leads_channel_mix.sql → 各来源渠道线索件数（横条），悬停显示占比、属实率。"""
    d = df.sort_values("received", ascending=False)
    fig = go.Figure(go.Bar(
        x=d["received"], y=d["channel"], orientation="h", marker_color=BLUE,
        text=[f"{n}件（{s:.1%}）" for n, s in zip(d["received"], d["share"], strict=True)],
        textposition="auto",
        customdata=list(zip(d["share"], [fmt_rate(a, b) for a, b in zip(d["found"], d["with_finding"], strict=True)],
                            d["open_overdue"], strict=True)),
        hovertemplate=("%{y}<br>受理：%{x} 件（占%{customdata[0]:.1%}）<br>属实率：%{customdata[1]}"
                       "<br>超期未办结：%{customdata[2]} 件<extra></extra>"),
    ))
    fig.update_layout(title="线索来源渠道构成", xaxis_title="线索件数（件）", yaxis_title="来源渠道",
                      height=max(280, 90 + 34 * len(d)))
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def add_unit_max_age(g: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """leads_overdue_by_unit.sql → 加 max_age（最早办理期限到统计日的工作日数，即该单位最长超期工作日）。"""
    g = g.copy()
    g["max_age"] = workday_ages(g["oldest_due"], as_of)
    return g


def overdue_age(df: pd.DataFrame, top: int | None = None) -> go.Figure:
    """leads_overdue_by_unit.sql + add_unit_max_age → 各单位超期件数（横条），悬停显示最长超期工作日。

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
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def workday_ages(values: pd.Series, as_of: date, fallback: pd.Series | None = None) -> np.ndarray:
    """日期列 → 每个日期之后到统计日（含）的工作日数（working_day_ages：国务院节假日安排，含调休）。

    fallback：values 为空时改用的日期列（如交办日期为空时用受理日期）。日期都为空的行为 -1。
    先取不同的日期再算（大库 6.8 万条线索只有几百个不同日期；逐行取值要慢几十倍）。
    """
    d = pd.to_datetime(values)
    if fallback is not None:
        d = d.fillna(pd.to_datetime(fallback))
    codes, uniques = pd.factorize(d)
    ages = np.array(working_day_ages(uniques, as_of) + [-1], dtype=int)
    return ages[codes]                                # code -1（空日期）取最后一个元素 -1


def add_overdue_ages(od: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """leads_overdue_open.sql → 加 overdue_workdays（超期工作日）、workdays_since_assigned（交办后工作日），
    按超期由长到短、线索编号排序。"""
    od = od.copy()
    od["overdue_workdays"] = workday_ages(od["due_date"], as_of)
    od["workdays_since_assigned"] = workday_ages(od["assigned_date"], as_of, fallback=od["received_date"])
    return od.sort_values(["overdue_workdays", "lead_id"], ascending=[False, True]).reset_index(drop=True)
