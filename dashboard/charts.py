"""Plotly 图表构造：中文标题和坐标轴、悬停显示确切数字、颜色少、可切换投影大字号。

每个函数只接收 DataFrame（queries/*.sql 的结果）返回 go.Figure，不调用 streamlit。
字号由 ``style(fig, big)`` 统一设置（ui.chart 会调用）。
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from dashboard.metrics import LAG_MAX, LAG_RED, LAG_YELLOW, fmt_pct

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
BLUE = "#1f4e79"
LIGHT_BLUE = "#7fa7cf"
RED = "#c0392b"
ORANGE = "#e67e22"
YELLOW = "#e0a800"
GREEN = "#2e8b57"
GREY = "#9aa5b1"
PALETTE = [BLUE, ORANGE, GREEN, RED, "#6c5b7b", GREY, LIGHT_BLUE, YELLOW]
STATUS_COLORS = {"未整改": RED, "整改中": ORANGE, "已整改": LIGHT_BLUE, "已销号": BLUE, "长期推进": GREY}
STATE_COLORS = {"红": RED, "黄": YELLOW, "绿": GREEN}


def style(fig: go.Figure, big: bool = False, height: int | None = None) -> go.Figure:
    """统一字体、字号、边距、白底。big=True 用于会议投影。"""
    base = 20 if big else 14
    legend = dict(font=dict(size=base))
    if fig.layout.legend.orientation != "v":   # 图自己把图例放在右侧（竖排）时保留
        legend |= dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1)
    fig.update_layout(
        font=dict(family=FONT, size=base, color="#222"),
        title=dict(font=dict(size=base + 6), x=0, xanchor="left"),
        hoverlabel=dict(font=dict(family=FONT, size=base)),
        legend=legend,
        margin=dict(l=10, r=10, t=70 if big else 60, b=10),
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    fig.update_xaxes(title_font=dict(size=base), tickfont=dict(size=base - 1), gridcolor="#eee",
                     automargin=True)
    fig.update_yaxes(title_font=dict(size=base), tickfont=dict(size=base - 1), gridcolor="#eee",
                     automargin=True)
    if height:
        fig.update_layout(height=height)
    return fig


def _pct(v) -> str:
    return fmt_pct(None if pd.isna(v) else v)


def _d(v) -> str:
    return "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


# ------------------------------------------------------------------ generic
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


# ------------------------------------------------------------------ overview / progress
def completion_trend(df: pd.DataFrame) -> go.Figure:
    """completion_trend.sql → 整改率、销号率折线 + 逾期数柱（次坐标）。"""
    x = [_d(v) for v in df["snap_date"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=x, y=df["overdue"], name="逾期问题（个，右轴）", marker_color="rgba(192,57,43,0.35)",
        yaxis="y2", hovertemplate="%{x}<br>逾期问题：%{y} 个<extra></extra>"))
    for col, name, color, num in (("completion", "整改率", BLUE, "done"),
                                  ("closure", "销号率", GREEN, "closed")):
        fig.add_trace(go.Scatter(
            x=x, y=df[col], name=name, mode="lines+markers+text", line=dict(color=color, width=4),
            marker=dict(size=8 if len(df) > 12 else 10),
            text=[""] * (len(df) - 1) + [_pct(df[col].iloc[-1])],   # 只标最后一点，其余看悬停
            textposition="middle right", textfont=dict(color=color), cliponaxis=False,
            customdata=df[[num, "problems"]].to_numpy(),
            hovertemplate=f"%{{x}}<br>{name}：%{{y:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）<extra></extra>"))
    fig.update_layout(
        title="整改率、销号率随时间变化（悬停查看每期数字）", xaxis_title="台账快照日期",
        margin=dict(r=70),
        yaxis=dict(title="比率", tickformat=".0%", range=[0, 1.08]),
        yaxis2=dict(title="逾期问题（个）", overlaying="y", side="right", rangemode="tozero",
                    showgrid=False, tickformat="d",
                    range=[0, max(4, float(df["overdue"].max() or 0) * 1.15)]),
        xaxis=dict(type="category"),
    )
    return fig


def unit_trend(df: pd.DataFrame, note: str = "") -> go.Figure:
    """unit_trend.sql → 各单位整改率折线（页面只查询 ≤ 10 个单位）；图例在右侧。"""
    fig = go.Figure()
    for i, (name, g) in enumerate(df.groupby("unit_name", sort=False)):
        fig.add_trace(go.Scatter(
            x=[_d(v) for v in g["snap_date"]], y=g["completion"], name=str(name), mode="lines+markers",
            line=dict(color=PALETTE[i % len(PALETTE)], width=2.5),
            customdata=g[["done", "problems", "overdue"]].to_numpy(),
            hovertemplate=(f"{name}<br>%{{x}}<br>整改率：%{{y:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）"
                           "<br>逾期：%{customdata[2]} 个<extra></extra>")))
    n = df["unit_name"].nunique()
    fig.update_layout(title="各单位整改率趋势" + (f"（{note}）" if note else ""),
                      xaxis_title="台账快照日期", yaxis_title="整改率", xaxis=dict(type="category"),
                      legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"),
                      height=max(420, 120 + 26 * n))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def stage_timeline(stages: pd.DataFrame, as_of: date, next_due: date | None = None) -> go.Figure:
    """stage_timeline.sql → 方案阶段甘特条 + 台账报送节点 + 统计日竖线。"""
    st_rows = stages[stages["kind"] == "工作阶段"]
    dues = stages[stages["kind"] != "工作阶段"]
    fig = go.Figure()
    for _, r in st_rows.iterrows():
        start, end = pd.Timestamp(r["start_date"]), pd.Timestamp(r["end_date"])
        done = pd.Timestamp(as_of) > end
        color = GREY if done else (BLUE if start <= pd.Timestamp(as_of) else LIGHT_BLUE)
        label = "长期" if r["long_term"] else _d(r["deadline"])
        short = "长期" if r["long_term"] else f"至 {pd.Timestamp(r['deadline']):%m-%d}"
        fig.add_trace(go.Bar(
            y=[r["name"]], x=[((end - start).days + 1) * 86_400_000], base=[start], orientation="h",
            marker_color=color, showlegend=False,
            text=[short], textposition="inside", insidetextanchor="middle",
            textfont=dict(color="white"),
            hovertemplate=f"{r['name']}<br>{_d(start)} 至 {label}<extra></extra>",
        ))
    if not dues.empty:
        fig.add_trace(go.Scatter(
            x=[pd.Timestamp(v) for v in dues["deadline"]], y=["台账报送节点"] * len(dues),
            mode="markers", marker=dict(symbol="diamond", size=14, color=ORANGE),
            name="台账报送节点", showlegend=False, text=dues["name"],
            hovertemplate="%{text}<br>%{x|%Y-%m-%d}<extra></extra>"))
    ts = pd.Timestamp(as_of)
    fig.add_shape(type="line", x0=ts, x1=ts, y0=0, y1=1, yref="paper",
                  line=dict(color=RED, width=3, dash="dash"))
    fig.add_annotation(x=ts, y=1, yref="paper", text=f"统计日 {as_of:%m-%d}", showarrow=False,
                       yanchor="bottom", xanchor="right", font=dict(color=RED))
    if next_due is not None and pd.Timestamp(next_due) != ts:
        nd = pd.Timestamp(next_due)
        fig.add_shape(type="line", x0=nd, x1=nd, y0=0, y1=1, yref="paper",
                      line=dict(color=ORANGE, width=2, dash="dot"))
        fig.add_annotation(x=nd, y=1, yref="paper", text=f"下一节点 {next_due:%m-%d}", showarrow=False,
                           yanchor="bottom", xanchor="left", font=dict(color=ORANGE))
    order = list(st_rows["name"]) + (["台账报送节点"] if not dues.empty else [])
    fig.update_layout(title="方案阶段与报送节点", barmode="overlay", xaxis_title="",
                      yaxis_title="", height=170 + 48 * len(order), margin=dict(t=90, b=70),
                      uniformtext=dict(minsize=12, mode="hide"))  # 条太短放不下的文字隐藏（悬停可看）
    fig.add_annotation(  # 图例：线、菱形和条形颜色的含义
        x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="top", yshift=-30,
        showarrow=False, align="left", font=dict(size=12, color="#555"),
        text=(f"<span style='color:{RED}'>红色虚线</span>：统计日　"
              f"<span style='color:{ORANGE}'>橙色点线</span>：下一个节点　"
              f"<span style='color:{ORANGE}'>◆</span>：台账报送节点<br>"
              f"<span style='color:{GREY}'>■</span> 已结束　<span style='color:{BLUE}'>■</span> 进行中　"
              f"<span style='color:{LIGHT_BLUE}'>■</span> 未开始"))
    fig.update_xaxes(type="date", tickformat="%m-%d")
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    return fig


def lagging_bar(df: pd.DataFrame, top: int | None = None) -> go.Figure:
    """metrics.add_lagging 后的 unit_progress → 滞后评分横条（红黄绿）。"""
    d = df.sort_values(["lagging_score", "overdue"], ascending=False)
    if top:
        d = d.head(top)
    fig = go.Figure(go.Bar(
        x=d["lagging_score"], y=d["unit_name"], orientation="h",
        marker_color=[STATE_COLORS.get(s, GREY) for s in d["lagging_state"]],
        text=[f"{s}分：{r}" for s, r in zip(d["lagging_score"], d["lagging_reasons"], strict=True)],
        textposition="outside", cliponaxis=False, constraintext="none",
        hovertemplate="%{y}<br>%{text}<extra></extra>",
    ))
    top_score = max(LAG_MAX, int(d["lagging_score"].max() or 0))
    for v, name, color, anchor in ((LAG_YELLOW, "黄色", YELLOW, "right"), (LAG_RED, "红色", RED, "left")):
        fig.add_vline(x=v - 0.5, line=dict(color=color, width=1.5, dash="dash"), layer="below")
        fig.add_annotation(x=v - 0.5, y=1, yref="paper", yanchor="bottom", xanchor=anchor, showarrow=False,
                           text=f"{name} ≥{v}分", font=dict(color=color, size=12))
    # 横轴留出右侧空间放扣分项文字（不截断）；刻度只标到满分
    fig.update_layout(title="滞后单位（滞后评分，越高越滞后）", xaxis_title="滞后评分（分）",
                      yaxis_title="", height=max(260, 90 + 40 * len(d)))
    fig.update_xaxes(range=[0, top_score * 2.3], tickvals=list(range(0, top_score + 1, 2)))
    fig.update_yaxes(autorange="reversed")
    return fig


def unit_rates(df: pd.DataFrame) -> go.Figure:
    """unit_progress → 各单位整改率、销号率（分组柱），悬停显示分子分母。"""
    d = df[df["problems"] > 0]
    fig = go.Figure()
    for num, name, color in (("done", "整改率", BLUE), ("closed", "销号率", GREEN)):
        r = d[num] / d["problems"]
        fig.add_trace(go.Bar(
            x=d["unit_name"], y=r, name=name, marker_color=color,   # 不标数字：柱太窄，看悬停
            customdata=d[[num, "problems"]].to_numpy(),
            hovertemplate=f"%{{x}}<br>{name}：%{{y:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）<extra></extra>"))
    fig.update_layout(title="各单位整改率与销号率（悬停查看分子分母）", xaxis_title="", yaxis_title="比率",
                      barmode="group")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def status_history(hist: pd.DataFrame) -> go.Figure:
    """problem_history.sql → 问题 × 快照日期 的状态点阵。"""
    hist = hist.copy()
    # 纵轴用单位自己的编号（台账序号）；同一编号对应多个问题时加内部编号尾号区分
    first = hist.drop_duplicates("problem_id")
    serial = first["serial_no"] if "serial_no" in first else first["problem_id"]
    serial = serial.fillna("").astype(str).replace("", "（无编号）")
    dup = serial.duplicated(keep=False)
    names = [f"编号 {s}" + (f"（{p[-4:]}）" if d else "")
             for s, p, d in zip(serial, first["problem_id"], dup, strict=True)]
    hist["label"] = hist["problem_id"].map(dict(zip(first["problem_id"], names, strict=True)))
    fig = go.Figure()
    for status, color in STATUS_COLORS.items():
        g = hist[hist["status"] == status]
        if g.empty:
            continue
        fig.add_trace(go.Scatter(
            x=[_d(v) for v in g["as_of_date"]], y=g["label"], mode="markers", name=status,
            marker=dict(symbol="square", size=18, color=color),
            hovertemplate=f"%{{y}}<br>%{{x}}：{status}<extra></extra>"))
    n = hist["problem_id"].nunique()
    fig.update_layout(title="问题状态变化（每次台账报送）", xaxis_title="台账快照日期",
                      yaxis_title="问题编号", height=max(260, 110 + 30 * n))
    fig.update_xaxes(type="category", categoryorder="category ascending")
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


# ------------------------------------------------------------------ hotspots
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


# ------------------------------------------------------------------ relapse
def relapse_by_unit(df: pd.DataFrame) -> go.Figure:
    """relapse_counts.sql → 各单位反弹问题数（按问题方面堆叠）。"""
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    fig = go.Figure()
    for i, (cat, g) in enumerate(df.groupby("category", sort=False)):
        fig.add_trace(go.Bar(
            x=g["unit_name"], y=g["relapses"], name=str(cat), marker_color=PALETTE[i % len(PALETTE)],
            customdata=g[["relapses_done"]].to_numpy(),
            hovertemplate=f"%{{x}}<br>{cat}：%{{y}} 个（已整改或销号 %{{customdata[0]}} 个）<extra></extra>"))
    fig.update_layout(title="各单位反弹问题数（按问题方面）", xaxis_title="单位",
                      yaxis_title="反弹问题数（个）", barmode="stack")
    fig.update_xaxes(categoryorder="array", categoryarray=units)
    fig.update_yaxes(dtick=1 if df["relapses"].sum() <= 10 else None)
    return fig


def relapse_trend(df: pd.DataFrame) -> go.Figure:
    """relapse_trend.sql → 累计反弹问题数折线 + 当期新发现柱。"""
    x = [_d(v) for v in df["snap_date"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=df["new_relapses"], name="当期新发现", marker_color=ORANGE,
                         hovertemplate="%{x}<br>当期新发现：%{y} 个<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=df["relapses"], name="累计反弹问题", mode="lines+markers",
                             line=dict(color=RED, width=3),
                             hovertemplate="%{x}<br>累计反弹问题：%{y} 个<extra></extra>"))
    fig.update_layout(title="反弹问题随时间变化", xaxis_title="台账快照日期",
                      yaxis_title="问题数（个）", xaxis=dict(type="category"))
    fig.update_yaxes(rangemode="tozero")
    return fig


def relapse_by_category(df: pd.DataFrame) -> go.Figure:
    """relapse_counts.sql → 各问题方面反弹问题数（横条）。"""
    g = df.groupby("category", as_index=False)[["relapses", "relapses_done"]].sum() \
        .sort_values("relapses", ascending=False)
    fig = bar(g, "category", "relapses", "各问题方面反弹问题数", "问题方面", "反弹问题数（个）",
              horizontal=True, color=RED, hover=[("relapses_done", "已整改或销号")], text="relapses")
    fig.update_layout(height=max(260, 100 + 50 * len(g)))
    return fig
