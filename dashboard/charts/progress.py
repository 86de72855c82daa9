"""整改进度图：整改率/销号率趋势、各单位趋势、方案阶段时间轴、滞后单位、各单位比率、问题状态点阵。"""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analytics import lagging
from analytics.palette import BLUE, GREEN, GREY, LIGHT_BLUE, ORANGE, PALETTE, RED, STATE_COLORS, STATUS_COLORS, YELLOW
from analytics.text_width import text_width
from dashboard.charts.base import (
    UNIT_BARS_ACROSS,
    count_axis,
    date_text,
    figure,
    pct_text,
    time_axis,
    unit_bar_height,
)
from dashboard.charts.margins import BIG, projector_plot_width
from etl.lagging_config import LaggingRules


def completion_trend(df: pd.DataFrame) -> go.Figure:
    """completion_trend.sql → 整改率、销号率折线 + 逾期数柱（次坐标）。"""
    x = pd.to_datetime(df["snap_date"])
    traces = [go.Bar(
        x=x, y=df["overdue"], name="逾期问题（个，右轴）", marker_color="rgba(192,57,43,0.35)",
        yaxis="y2", hovertemplate="%{x|%Y-%m-%d}<br>逾期问题：%{y} 个<extra></extra>")]
    for col, name, color, num in (("completion", "整改率", BLUE, "done"),
                                  ("closure", "销号率", GREEN, "closed")):
        traces.append(go.Scatter(
            x=x, y=df[col], name=name, mode="lines+markers+text", line=dict(color=color, width=4),
            marker=dict(size=8 if len(df) > 12 else 10),
            text=[""] * (len(df) - 1) + [pct_text(df[col].iloc[-1])],   # 只标最后一点，其余看悬停
            textposition="middle right", textfont=dict(color=color), cliponaxis=False,
            customdata=df[[num, "problems"]].to_numpy(),
            hovertemplate=f"%{{x|%Y-%m-%d}}<br>{name}：%{{y:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）"
                          "<extra></extra>"))
    return figure(traces, dict(
        title="整改率、销号率随时间变化（悬停查看每期数字）",
        margin=dict(r=70),
        yaxis=dict(title="比率", tickformat=".0%", range=[0, 1.08]),
        yaxis2=dict(title="逾期问题（个）", overlaying="y", side="right", showgrid=False,
                    range=[0, max(4, float(df["overdue"].max() or 0) * 1.15)],
                    **count_axis(max(4, float(df["overdue"].max() or 0)))),
        xaxis=time_axis(x) | dict(title="台账快照日期"),   # 每日快照时 37 个日期：只标约 8 个，不旋转
    ))


def unit_trend(df: pd.DataFrame, note: str = "") -> go.Figure:
    """unit_trend.sql → 各单位整改率折线（页面只查询 ≤ 10 个单位）；图例在右侧。"""
    traces = []
    for i, (name, g) in enumerate(df.groupby("unit_name", sort=False)):
        traces.append(go.Scatter(
            x=pd.to_datetime(g["snap_date"]), y=g["completion"], name=str(name), mode="lines+markers",
            line=dict(color=PALETTE[i % len(PALETTE)], width=2.5),
            customdata=g[["done", "problems", "overdue"]].to_numpy(),
            hovertemplate=(f"{name}<br>%{{x|%Y-%m-%d}}<br>整改率：%{{y:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）"
                           "<br>逾期：%{customdata[2]} 个<extra></extra>")))
    n = df["unit_name"].nunique()
    return figure(traces, dict(
        title="各单位整改率趋势" + (f"（{note}）" if note else ""),
        xaxis=time_axis(df["snap_date"]) | dict(title="台账快照日期"),
        yaxis=dict(title="整改率", tickformat=".0%", range=[0, 1.05]),
        legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"),
        height=max(420, 120 + 26 * n)))


def stage_timeline(stages: pd.DataFrame, as_of: date, next_due: date | None = None) -> go.Figure:
    """stage_timeline.sql → 方案阶段甘特条 + 台账报送节点 + 统计日竖线。"""
    st_rows = stages[stages["kind"] == "工作阶段"]
    dues = stages[stages["kind"] != "工作阶段"]
    fig = go.Figure()
    for _, r in st_rows.iterrows():
        start, end = pd.Timestamp(r["start_date"]), pd.Timestamp(r["end_date"])
        done = pd.Timestamp(as_of) > end
        color = GREY if done else (BLUE if start <= pd.Timestamp(as_of) else LIGHT_BLUE)
        label = "长期" if r["long_term"] else date_text(r["deadline"])
        short = "长期" if r["long_term"] else f"至 {pd.Timestamp(r['deadline']):%m-%d}"
        fig.add_trace(go.Bar(
            y=[r["name"]], x=[((end - start).days + 1) * 86_400_000], base=[start], orientation="h",
            marker_color=color, showlegend=False,
            text=[short], textposition="inside", insidetextanchor="middle",
            textfont=dict(color="white"),
            hovertemplate=f"{r['name']}<br>{date_text(start)} 至 {label}<extra></extra>",
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


LAG_RANGE = 2.3     # 滞后评分横轴画到满分的这么多倍：右侧留给扣分项文字


def _reason_room(units: list[str]) -> float:
    """扣分项文字一行最宽多少像素：1366 宽屏投影大字号时，绘图区（整行宽减去单位名称）里满分的条右侧剩下的宽度。"""
    return projector_plot_width(1, units) * (1 - 1 / LAG_RANGE) - BIG


def wrap_items(text: str, room: float, size: int = BIG) -> str:
    """按“、”把一串扣分项折成几行（<br>），每行不宽于 room 像素（一项本身更宽时单独一行）。"""
    lines = [""]
    for item in text.split("、"):
        joined = f"{lines[-1]}、{item}" if lines[-1] else item
        if lines[-1] and text_width(joined, size) > room:
            lines.append(item)
        else:
            lines[-1] = joined
    return "<br>".join(lines)


def lagging_bar(df: pd.DataFrame, top: int | None = None, rules: LaggingRules | None = None) -> go.Figure:
    """lagging.add_lagging 后的 unit_progress → 滞后评分横条（红黄绿）；rules：该专项整治的评分表（分数线）。"""
    rules = rules or lagging.default_rules()
    d = df.sort_values(["lagging_score", "overdue"], ascending=False)
    if top:
        d = d.head(top)
    room = _reason_room(d["unit_name"].tolist())
    text = [wrap_items(f"{s}分：{r}", room) for s, r in zip(d["lagging_score"], d["lagging_reasons"], strict=True)]
    shown = ["\u2002" + t.replace("<br>", "<br>\u2002") for t in text]      # 每行前空半个字，不贴着条
    lines = max((t.count("<br>") + 1 for t in text), default=1)
    # 扣分项写在条右侧的文字层里：条的文字折成两行时居中对齐，文字层的“middle right”各行左对齐
    fig = go.Figure([go.Bar(
        x=d["lagging_score"], y=d["unit_name"], orientation="h",
        marker_color=[STATE_COLORS.get(s, GREY) for s in d["lagging_state"]],
        customdata=text, hovertemplate="%{y}<br>%{customdata}<extra></extra>",
    ), go.Scatter(x=d["lagging_score"], y=d["unit_name"], mode="text", text=shown, textposition="middle right",
                  cliponaxis=False, hoverinfo="skip")])
    top_score = max(lagging.max_score(rules), int(d["lagging_score"].max() or 0))
    for v, name, color, anchor in ((rules.yellow, "黄色", YELLOW, "right"), (rules.red, "红色", RED, "left")):
        fig.add_vline(x=v - 0.5, line=dict(color=color, width=1.5, dash="dash"), layer="below")
        fig.add_annotation(x=v - 0.5, y=1, yref="paper", yanchor="bottom", xanchor=anchor, showarrow=False,
                           text=f"{name} ≥{v}分", font=dict(color=color, size=12))
    # 横轴留出右侧空间放扣分项文字（不截断）；刻度只标到满分
    fig.update_layout(title="滞后单位（滞后评分，越高越滞后）", xaxis_title="滞后评分（分）", showlegend=False,
                      yaxis_title="", height=max(260, 90 + (40 + 30 * (lines - 1)) * len(d)))
    fig.update_xaxes(range=[0, top_score * LAG_RANGE], tickvals=list(range(0, top_score + 1, 2)))
    fig.update_yaxes(autorange="reversed")
    return fig


def unit_rates(df: pd.DataFrame) -> go.Figure:
    """unit_progress → 各单位整改率、销号率（分组横条，单位多于 UNIT_BARS_ACROSS 个时竖柱），悬停显示分子分母。"""
    d = df[df["problems"] > 0]
    across = len(d) <= UNIT_BARS_ACROSS
    traces = []
    for num, name, color in (("done", "整改率", BLUE), ("closed", "销号率", GREEN)):
        r = d[num] / d["problems"]
        unit, rate = ("y", "x") if across else ("x", "y")
        traces.append(go.Bar(
            **{unit: d["unit_name"], rate: r}, orientation="h" if across else None, name=name,
            marker_color=color,   # 不标数字：柱太窄，看悬停
            customdata=d[[num, "problems"]].to_numpy(),
            hovertemplate=f"%{{{unit}}}<br>{name}：%{{{rate}:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）<extra></extra>"))
    rate_axis = dict(title="比率", tickformat=".0%", range=[0, 1.05])
    if not across:
        return figure(traces, dict(title="各单位整改率与销号率（悬停查看分子分母）", xaxis=dict(title=""),
                                   yaxis=rate_axis, barmode="group"))
    return figure(traces, dict(
        title="各单位整改率与销号率（悬停查看分子分母）", xaxis=rate_axis, barmode="group",
        yaxis=dict(title="", autorange="reversed"), height=unit_bar_height(len(d), per_unit=2 * 20)))


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
    traces = []
    for status, color in STATUS_COLORS.items():
        g = hist[hist["status"] == status]
        if g.empty:
            continue
        traces.append(go.Scatter(
            x=pd.to_datetime(g["as_of_date"]), y=g["label"], mode="markers", name=status,
            marker=dict(symbol="square", size=18, color=color),
            hovertemplate=f"%{{y}}<br>%{{x|%Y-%m-%d}}：{status}<extra></extra>"))
    n = hist["problem_id"].nunique()
    return figure(traces, dict(
        title="问题状态变化（每次台账报送）", height=max(260, 110 + 30 * n),
        xaxis=dict(title="台账快照日期") | time_axis(hist["as_of_date"]),
        yaxis=dict(title="问题编号", type="category", autorange="reversed")))
