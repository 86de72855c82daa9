"""台账报送图：单位 × 报送节点 的报送情况（按时/迟报/未报/待报）。"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.palette import GREEN, GREY, ORANGE, RED

REPORT_STATES = {"按时": (0, GREEN), "迟报": (1, ORANGE), "未报": (2, RED), "待报": (3, GREY)}


def report_grid(df: pd.DataFrame) -> go.Figure:
    """ledger_report_grid.sql → 单位 × 报送节点 的报送情况（按时/迟报/未报/待报）。"""
    units = df.sort_values(["sort_order", "unit_id"])["unit_name"].drop_duplicates().tolist()
    due_lbl = pd.to_datetime(df["due_date"]).dt.strftime("%Y-%m-%d")
    dues_lbl = sorted(due_lbl.drop_duplicates())
    d = pd.DataFrame({"unit_name": df["unit_name"].to_numpy(), "due_lbl": due_lbl.to_numpy(),
                      "report_status": df["report_status"].to_numpy(),
                      "rd": pd.to_datetime(df["report_date"]).dt.strftime("%Y-%m-%d").fillna("").to_numpy()})
    d = d.drop_duplicates(["unit_name", "due_lbl"])              # 与 pivot_table(aggfunc="first") 相同
    status = d.pivot(index="unit_name", columns="due_lbl", values="report_status").reindex(index=units, columns=dues_lbl)
    rdate = d.pivot(index="unit_name", columns="due_lbl", values="rd").reindex(index=units, columns=dues_lbl).fillna("")
    codes = {k: v[0] for k, v in REPORT_STATES.items()}
    z = status.apply(lambda col: col.map(codes)).to_numpy(dtype=float)
    n = len(REPORT_STATES)
    scale = []
    for code, color in REPORT_STATES.values():
        scale += [[code / n, color], [(code + 1) / n, color]]
    fig = go.Figure(go.Heatmap(
        z=z, x=dues_lbl, y=units, zmin=0, zmax=n, colorscale=scale, showscale=False, xgap=3, ygap=3,
        text=status.fillna("").to_numpy(), texttemplate="%{text}",
        customdata=rdate.to_numpy(),
        hovertemplate="%{y}<br>报送节点：%{x}<br>%{text}<br>报送日期：%{customdata}<extra></extra>",
    ))
    fig.update_layout(title="台账报送情况（单位 × 报送节点）", xaxis_title="报送节点（截止日期）",
                      yaxis_title="单位", height=max(300, 120 + 34 * len(units)))
    fig.update_xaxes(type="category", side="top")
    fig.update_yaxes(autorange="reversed", type="category")
    return fig
