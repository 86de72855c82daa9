"""满意度图：各单位得分与置信区间、单位 × 维度热力图（格内文字按底色取深/白）、逐年对比。"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import find_intermediate_color, hex_to_rgb

from analytics.palette import BLUE, GREEN, GREY, PALETTE, RED, YELLOW
from dashboard.charts.base import UNIT_BARS_ACROSS, one_decimal, unit_bar_height

# Trap: fig.update_layout / update_xaxes / add_vline go through plotly's property-path machinery (add_vline alone
# ~15 ms); the figures here are built with their whole layout as one dict. tests/test_satisfaction_chart_speed.py
# keeps the update_layout builds and checks the figures come out identical.


def satisfaction_ranking(df: pd.DataFrame, low_below: float | None = None) -> go.Figure:
    """satisfaction_ranking.sql → 各单位得分（点）与 95% 置信区间（误差线）；满意度低为红，样本不足为灰；
    来自满意度汇总表的单位画圆点（没有逐份问卷，没有置信区间）。"""
    d = df.copy()
    summary = d["source"].eq("汇总表") if "source" in d else pd.Series(False, index=d.index)
    colors = [GREY if not r else (RED if low else BLUE)
              for r, low in zip(d["rankable"], d["is_low"].fillna(False), strict=True)]
    labels = [f"{name}（第{int(rk)}名）" if ok and not pd.isna(rk)
              else f"{name}（{'样本不足' if not pd.isna(n) else '未填样本量'}）"
              for name, ok, rk, n in zip(d["unit_name"], d["rankable"], d["rank"], d["respondents"], strict=True)]
    plus = (d["ci_high"] - d["score"]).fillna(0)
    minus = (d["score"] - d["ci_low"]).fillna(0)
    reasons = d["low_reason"].fillna("").replace("", "—")
    custom = list(zip(["—" if pd.isna(n) else int(n) for n in d["respondents"]],
                      [one_decimal(v) for v in d["ci_low"]], [one_decimal(v) for v in d["ci_high"]],
                      [("来自汇总表" if r == "—" else f"来自汇总表；{r}") if s else r
                       for s, r in zip(summary, reasons, strict=True)], strict=True))
    lo = min(60.0, float(d["ci_low"].min()) if d["ci_low"].notna().any() else 60.0,
             float(d["score"].min()))
    layout = dict(title=dict(text="各单位满意度得分与 95% 置信区间（按得分排名）"),
                  xaxis=dict(title=dict(text="满意度得分（分）"), range=[max(0, lo - 5), 102]),
                  yaxis=dict(title=dict(text=""), autorange="reversed", type="category"),
                  # 得分写在图右侧一列（第二纵轴的刻度文字），不写在点上方：投影大字号时点上方的数字压住上一行的点，
                  # 第一行的数字被绘图区上沿截掉
                  yaxis2=dict(title=dict(text="得分"), overlaying="y", matches="y", side="right", type="category",
                              autorange="reversed",
                              tickmode="array", tickvals=labels, ticktext=[one_decimal(v) for v in d["score"]],
                              showgrid=False),
                  height=max(300, 90 + 42 * len(d)), showlegend=False)
    if low_below is not None:      # what fig.add_vline(...) adds
        x = float(low_below)
        layout["shapes"] = [dict(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="y domain",
                                 line=dict(color=RED, dash="dash", width=2))]
        # 虚线的说明写在横轴标题里：写在虚线顶端时，投影大字号下压住图标题
        layout["xaxis"]["title"]["text"] = f"满意度得分（分）　红色虚线：低于{low_below:g}分为满意度低"
    return go.Figure([go.Scatter(
        x=d["score"], y=labels, mode="markers", orientation="h",
        marker=dict(size=14, color=colors, symbol=["circle" if s else "diamond" for s in summary]),
        error_x=dict(type="data", array=plus, arrayminus=minus, color="#888", thickness=2, width=6),
        customdata=custom,
        hovertemplate=("%{y}<br>满意度得分：%{x:.1f} 分<br>95%置信区间：%{customdata[1]}～%{customdata[2]}"
                       "<br>问卷：%{customdata[0]} 份<br>%{customdata[3]}<extra></extra>"),
    ), go.Scatter(x=d["score"], y=labels, yaxis="y2", mode="markers", marker=dict(opacity=0), hoverinfo="skip")],
        layout=layout)


SCORE_SCALE = [(0.0, RED), (0.5, YELLOW), (1.0, GREEN)]
DARK_TEXT, LIGHT_TEXT = "#1a1a1a", "#ffffff"


def _scale_rgb(t: float, scale=SCORE_SCALE) -> tuple[float, float, float]:
    """色阶上位置 t（0–1）的颜色（与 plotly 的线性插值一致）。"""
    t = min(1.0, max(0.0, t))
    for (t0, c0), (t1, c1) in zip(scale, scale[1:], strict=False):
        if t <= t1:
            w = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            return find_intermediate_color(hex_to_rgb(c0), hex_to_rgb(c1), w)
    return hex_to_rgb(scale[-1][1])


def _luminance(rgb) -> float:
    """WCAG 相对亮度。"""
    def ch(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_color_for(rgb) -> str:
    """在该底色上对比度更高的文字颜色（深色或白色）。"""
    lum = _luminance(rgb)
    dark = (lum + 0.05) / (_luminance(hex_to_rgb(DARK_TEXT)) + 0.05)
    light = 1.05 / (lum + 0.05)
    return DARK_TEXT if dark >= light else LIGHT_TEXT


@lru_cache(maxsize=1)
def _light_text_lut() -> np.ndarray:
    """色阶 SCORE_SCALE 上 1001 个等分位置：该处底色上是否用白字。"""
    return np.array([text_color_for(_scale_rgb(i / 1000)) == LIGHT_TEXT for i in range(1001)])


def satisfaction_heatmap(df: pd.DataFrame, dimensions: list[str] | None = None) -> go.Figure:
    """satisfaction_dimensions.sql → 单位 × 维度 得分热力图（悬停显示得分和作答份数）。

    格内文字颜色按底色亮度取深色或白色（plotly 自动取色在橄榄绿/土黄格上对比度不足）：
    同一色轴画两层，一层只含用白字的格，一层只含用深色字的格。
    """
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    dims = [d for d in (dimensions or []) if d in set(df["dimension"])]
    dims += sorted(set(df["dimension"]) - set(dims))
    cells = df.groupby(["unit_name", "dimension"])      # = pivot_table(aggfunc="mean" / "sum"), a few times faster
    score = cells["score"].mean().unstack().reindex(index=units, columns=dims)
    n = cells["respondents"].sum().unstack().reindex(index=units, columns=dims).fillna(0)
    z = score.to_numpy(dtype=float)
    zmin = min(60.0, float(np.nanmin(z))) if np.isfinite(z).any() else 60.0
    zmax = 100.0
    # 每个格的底色 → 文字颜色：色阶上 1001 个位置先算好（单位多时格子上万个）
    lut = _light_text_lut()
    pos = np.clip(np.rint((np.nan_to_num(z, nan=zmin) - zmin) / (zmax - zmin) * 1000), 0, 1000).astype(int)
    light = lut[pos] & ~np.isnan(z)
    text = np.array([["" if np.isnan(v) else f"{v:.1f}" for v in row] for row in z], dtype=object)
    traces = [go.Heatmap(
        z=np.where(mask, z, np.nan), x=dims, y=units, text=np.where(mask, text, ""),
        texttemplate="%{text}", textfont=dict(color=color), customdata=n.to_numpy(),
        coloraxis="coloraxis", xgap=2, ygap=2, hoverongaps=False,
        hovertemplate="单位：%{y}<br>维度：%{x}<br>得分：%{z:.1f} 分<br>作答：%{customdata:.0f} 份<extra></extra>",
    ) for mask, color in ((light, LIGHT_TEXT), (~light, DARK_TEXT)) if mask.any()]
    return go.Figure(traces, layout=dict(
        title=dict(text="各单位分维度满意度得分"), height=max(300, 110 + 36 * len(units)),
        xaxis=dict(title=dict(text="测评维度"), type="category", categoryorder="array", categoryarray=dims),
        yaxis=dict(title=dict(text="单位"), autorange="reversed", type="category", categoryorder="array",
                   categoryarray=units),
        coloraxis=dict(colorscale=[[t, c] for t, c in SCORE_SCALE], cmin=zmin, cmax=zmax,
                       colorbar=dict(title=dict(text="得分")))))


def satisfaction_yoy(df: pd.DataFrame) -> go.Figure:
    """satisfaction_yoy.sql → 各单位各年度得分（分组横条，单位多于 UNIT_BARS_ACROSS 个时竖柱），悬停显示问卷份数与
    较上年变化。"""
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    across = len(units) <= UNIT_BARS_ACROSS
    unit, score = ("y", "x") if across else ("x", "y")
    traces = []
    for i, (year, g) in enumerate(df.sort_values("survey_year").groupby("survey_year", sort=True)):
        change = ["—" if pd.isna(c) else f"{c:+.1f} 分" for c in g["change"]]
        traces.append(go.Bar(
            **{unit: g["unit_name"], score: g["score"]}, orientation="h" if across else None, name=f"{int(year)}年",
            marker_color=PALETTE[i % len(PALETTE)],
            text=[one_decimal(v) for v in g["score"]], textposition="inside", insidetextanchor="end",
            customdata=list(zip(g["respondents"], change, strict=True)),
            hovertemplate=(f"%{{{unit}}}<br>{int(year)}年得分：%{{{score}:.1f}} 分<br>问卷：%{{customdata[0]}} 份"
                           "<br>较上一测评年度：%{customdata[1]}<extra></extra>")))
    score_axis = dict(title=dict(text="满意度得分（分）"), range=[0, 108])
    unit_axis = dict(categoryorder="array", categoryarray=units)
    # 得分写在条内右端，同一字号；条约 27 像素粗才放得下投影时的字（更细时 plotly 不写）；单位名称在左侧一行一个
    if across:
        return go.Figure(traces, layout=dict(
            title=dict(text="各单位满意度逐年对比"), barmode="group", bargap=0.1, uniformtext=dict(mode="hide"),
            xaxis=score_axis, yaxis=unit_axis | dict(title=dict(text=""), autorange="reversed"),
            height=unit_bar_height(len(units), per_unit=max(1, len(traces)) * 32)))
    # 得分写在柱内顶端，柱窄时竖排；所有柱同一字号，柱太窄放不下 style 定的最小字号时不写（看悬停和下面的表）。
    # 组间距比默认的 0.2 小：1366 宽投影时十个单位两个年度的柱正好放得下竖排的得分
    return go.Figure(traces, layout=dict(
        title=dict(text="各单位满意度逐年对比"), barmode="group", bargap=0.1, uniformtext=dict(mode="hide"),
        xaxis=unit_axis | dict(title=dict(text="单位")), yaxis=score_axis))
