"""图表一次构造（charts.base.figure：图层与布局一起交给 go.Figure，不再逐个 add_trace、update_layout）：
画出的图与原来逐步构造的（下面原样保留，commit 3d40c88）完全相同（JSON 读回后相等，布局的键顺序不同）——示例库各页面的数据、统计日前后几期，
以及单个单位、很多单位、每日快照、没有逾期等情形。"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analytics.page_data import overview, unit_progress
from analytics.palette import BLUE, GREEN, PALETTE, STATUS_COLORS
from bench import page_speed
from dashboard.charts import progress
from dashboard.charts.base import UNIT_BARS_ACROSS, count_axis, pct_text, time_axis
from dashboard.db import QueryRunner


# ---- dashboard/charts/progress.py before (commit 3d40c88), verbatim
def before_completion_trend(df: pd.DataFrame) -> go.Figure:
    """completion_trend.sql → 整改率、销号率折线 + 逾期数柱（次坐标）。"""
    x = pd.to_datetime(df["snap_date"])
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=x, y=df["overdue"], name="逾期问题（个，右轴）", marker_color="rgba(192,57,43,0.35)",
        yaxis="y2", hovertemplate="%{x|%Y-%m-%d}<br>逾期问题：%{y} 个<extra></extra>"))
    for col, name, color, num in (("completion", "整改率", BLUE, "done"),
                                  ("closure", "销号率", GREEN, "closed")):
        fig.add_trace(go.Scatter(
            x=x, y=df[col], name=name, mode="lines+markers+text", line=dict(color=color, width=4),
            marker=dict(size=8 if len(df) > 12 else 10),
            text=[""] * (len(df) - 1) + [pct_text(df[col].iloc[-1])],   # 只标最后一点，其余看悬停
            textposition="middle right", textfont=dict(color=color), cliponaxis=False,
            customdata=df[[num, "problems"]].to_numpy(),
            hovertemplate=f"%{{x|%Y-%m-%d}}<br>{name}：%{{y:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）"
                          "<extra></extra>"))
    fig.update_layout(
        title="整改率、销号率随时间变化（悬停查看每期数字）", xaxis_title="台账快照日期",
        margin=dict(r=70),
        yaxis=dict(title="比率", tickformat=".0%", range=[0, 1.08]),
        yaxis2=dict(title="逾期问题（个）", overlaying="y", side="right", showgrid=False,
                    range=[0, max(4, float(df["overdue"].max() or 0) * 1.15)],
                    **count_axis(max(4, float(df["overdue"].max() or 0)))),
        xaxis=time_axis(x),   # 每日快照时 37 个日期：只标约 8 个，不旋转
    )
    return fig


def before_unit_trend(df: pd.DataFrame, note: str = "") -> go.Figure:
    """unit_trend.sql → 各单位整改率折线（页面只查询 ≤ 10 个单位）；图例在右侧。"""
    fig = go.Figure()
    for i, (name, g) in enumerate(df.groupby("unit_name", sort=False)):
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(g["snap_date"]), y=g["completion"], name=str(name), mode="lines+markers",
            line=dict(color=PALETTE[i % len(PALETTE)], width=2.5),
            customdata=g[["done", "problems", "overdue"]].to_numpy(),
            hovertemplate=(f"{name}<br>%{{x|%Y-%m-%d}}<br>整改率：%{{y:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）"
                           "<br>逾期：%{customdata[2]} 个<extra></extra>")))
    n = df["unit_name"].nunique()
    fig.update_layout(title="各单位整改率趋势" + (f"（{note}）" if note else ""),
                      xaxis_title="台账快照日期", yaxis_title="整改率", xaxis=time_axis(df["snap_date"]),
                      legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"),
                      height=max(420, 120 + 26 * n))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def before_unit_rates(df: pd.DataFrame) -> go.Figure:
    """unit_progress → 各单位整改率、销号率（分组横条；单位多于 UNIT_BARS_ACROSS 个时竖柱），悬停显示分子分母。"""
    d = df[df["problems"] > 0]
    across = len(d) <= UNIT_BARS_ACROSS
    fig = go.Figure()
    for num, name, color in (("done", "整改率", BLUE), ("closed", "销号率", GREEN)):
        r = d[num] / d["problems"]
        if across:
            fig.add_trace(go.Bar(
                x=r, y=d["unit_name"], orientation="h", name=name, marker_color=color,
                customdata=d[[num, "problems"]].to_numpy(),
                hovertemplate=f"%{{y}}<br>{name}：%{{x:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）<extra></extra>"))
        else:
            fig.add_trace(go.Bar(
                x=d["unit_name"], y=r, name=name, marker_color=color,   # 不标数字：柱太窄，看悬停
                customdata=d[[num, "problems"]].to_numpy(),
                hovertemplate=f"%{{x}}<br>{name}：%{{y:.1%}}（%{{customdata[0]}}/%{{customdata[1]}}）<extra></extra>"))
    if not across:
        fig.update_layout(title="各单位整改率与销号率（悬停查看分子分母）", xaxis_title="", yaxis_title="比率",
                          barmode="group")
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
        return fig
    fig.update_layout(title="各单位整改率与销号率（悬停查看分子分母）", xaxis_title="比率", yaxis_title="",
                      barmode="group", height=max(300, 150 + len(d) * 40))
    fig.update_xaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_yaxes(autorange="reversed")
    return fig


def before_status_history(hist: pd.DataFrame) -> go.Figure:
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
            x=pd.to_datetime(g["as_of_date"]), y=g["label"], mode="markers", name=status,
            marker=dict(symbol="square", size=18, color=color),
            hovertemplate=f"%{{y}}<br>%{{x|%Y-%m-%d}}：{status}<extra></extra>"))
    n = hist["problem_id"].nunique()
    fig.update_layout(title="问题状态变化（每次台账报送）", xaxis_title="台账快照日期",
                      yaxis_title="问题编号", height=max(260, 110 + 30 * n))
    fig.update_xaxes(**time_axis(hist["as_of_date"]))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def spec(fig: go.Figure) -> dict:
    """The figure as Streamlit sends it (st.plotly_chart: plotly.io.to_json of fig.to_dict()), read back: the same
    figure, whatever the order of the layout's keys (the one-step build puts the template last)."""
    return json.loads(pio.to_json(fig.to_dict(), validate=False))


def same(new: go.Figure, old: go.Figure) -> None:
    assert spec(new) == spec(old)


@pytest.fixture(scope="module")
def page_data():
    """示例库上 总览、县区进度 的数据：最近一期和往前两期的统计日。"""
    if not page_speed.SAMPLE_DB.exists():
        pytest.skip("示例库不存在（make data）")
    runner = QueryRunner(page_speed.SAMPLE_DB)
    try:
        f = page_speed.default_filters(runner)
        out = []
        for as_of in f.snapshot_dates[-3:]:
            g = page_speed.filters.Filters(**{**f.__dict__, "as_of": as_of})
            ov = overview.overview_data(runner.run, g)
            up = unit_progress.unit_progress_data(runner.run, g)
            detail = [unit_progress.unit_detail(runner.run, g, u).history for u in up.detail_unit_ids[:3]]
            out.append((ov, up, detail))
        return out
    finally:
        runner.close()


def test_page_charts_identical(page_data):
    checked = 0
    for ov, up, details in page_data:
        same(progress.completion_trend(ov.trend), before_completion_trend(ov.trend))
        same(progress.unit_trend(up.trend, up.trend_note), before_unit_trend(up.trend, up.trend_note))
        same(progress.unit_trend(up.trend), before_unit_trend(up.trend))
        same(progress.unit_rates(up.units), before_unit_rates(up.units))
        for hist in details:
            same(progress.status_history(hist), before_status_history(hist))
            checked += 1
    assert checked >= 3 and len(page_data) == 3


def _trend(n_dates: int, overdue: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    problems = rng.integers(1, 400, n_dates)
    done = (problems * rng.uniform(0, 1, n_dates)).astype(int)
    closed = (done * rng.uniform(0, 1, n_dates)).astype(int)
    return pd.DataFrame({"snap_date": pd.date_range("2023-06-25", periods=n_dates, freq="D"), "problems": problems,
                         "done": done, "closed": closed, "overdue": rng.integers(0, 50, n_dates) * overdue,
                         "completion": done / problems, "closure": closed / problems})


@pytest.mark.parametrize("n_dates,overdue", [(1, False), (5, True), (37, True), (37, False)])
def test_completion_trend_identical(n_dates, overdue):
    df = _trend(n_dates, overdue, n_dates)
    same(progress.completion_trend(df), before_completion_trend(df))


@pytest.mark.parametrize("n_units", [1, 4, 10, 45])
def test_unit_charts_identical(n_units):
    rng = np.random.default_rng(n_units)
    trend = pd.concat([_trend(9, True, i).assign(unit_name=f"单位{i}") for i in range(n_units)], ignore_index=True)
    same(progress.unit_trend(trend, "全部单位"), before_unit_trend(trend, "全部单位"))
    units = pd.DataFrame({"unit_name": [f"单位{i}" for i in range(n_units + 2)],
                          "problems": [0, *rng.integers(1, 50, n_units + 1)]})
    units["done"] = (units["problems"] * 0.6).astype(int)
    units["closed"] = (units["done"] * 0.5).astype(int)
    same(progress.unit_rates(units), before_unit_rates(units))
    hist = pd.DataFrame({"problem_id": np.repeat([f"p{i}" for i in range(n_units)], 3),
                         "serial_no": np.repeat([str(i % 3) for i in range(n_units)], 3),
                         "as_of_date": np.tile(pd.to_datetime(["2023-06-25", "2023-07-25", "2023-08-25"]), n_units),
                         "status": rng.choice(list(STATUS_COLORS), 3 * n_units)})
    same(progress.status_history(hist), before_status_history(hist))
