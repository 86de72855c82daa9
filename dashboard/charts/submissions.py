"""台账报送图：单位 × 报送节点 的报送情况（按时/迟报/未报/待报）。"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.palette import GREEN, GREY, ORANGE, RED

REPORT_STATES = {"按时": (0, GREEN), "迟报": (1, ORANGE), "未报": (2, RED), "待报": (3, GREY)}


# Trap: 全国 3000 个单位 × 8 个节点 = 24,000 格。按单元格的 pandas pivot 和 plotly 逐个检查、逐个深拷贝对象数组
# 的文字要 200 ms 以上；这里整列算出矩阵（文字是定长字符串数组），格子的 trace 不经检查（VALIDATE_CELLS = True 为检查的
# 构造），tests/test_report_grid_speed.py 与原来的构造（保留在测试里）比对画出的图完全相同。
VALIDATE_CELLS = False


def report_grid(df: pd.DataFrame) -> go.Figure:
    """ledger_report_grid.sql → 单位 × 报送节点 的报送情况（按时/迟报/未报/待报）。"""
    names = df[["sort_order", "unit_id", "unit_name"]].drop_duplicates()
    units = names.sort_values(["sort_order", "unit_id"])["unit_name"].drop_duplicates().tolist()
    due_lbl, dates = _day_text(df["due_date"]), _day_text(df["report_date"])
    dues_lbl = sorted(set(due_lbl.tolist()))
    # 每个（单位, 节点）取表中第一行（与 pivot_table(aggfunc="first") 相同），放进 单位 × 节点 的矩阵
    row, col = _positions(df["unit_name"], units), _positions(due_lbl, dues_lbl)
    first = np.unique(row * len(dues_lbl) + col, return_index=True)[1]
    r, c = row[first], col[first]
    codes, states = pd.factorize(df["report_status"])
    codes = codes[first]                   # -1 = 空值：文字为空串、颜色值为空
    texts = np.append(np.asarray(states, dtype=str), "")
    status = np.zeros((len(units), len(dues_lbl)), dtype=texts.dtype)
    status[r, c] = texts[codes]
    rdate = np.zeros((len(units), len(dues_lbl)), dtype="U10")
    rdate[r, c] = dates[first]
    z = np.full((len(units), len(dues_lbl)), np.nan)
    z[r, c] = np.array([float(REPORT_STATES[s][0]) if s in REPORT_STATES else np.nan for s in states] + [np.nan])[codes]
    n = len(REPORT_STATES)
    scale = []
    for code, color in REPORT_STATES.values():
        scale += [[code / n, color], [(code + 1) / n, color]]
    fig = go.Figure(go.Heatmap(
        z=z, x=dues_lbl, y=np.array(units, dtype=str), zmin=0, zmax=n, colorscale=scale, showscale=False, xgap=3, ygap=3,
        text=status, texttemplate="%{text}", customdata=rdate,
        hovertemplate="%{y}<br>报送节点：%{x}<br>%{text}<br>报送日期：%{customdata}<extra></extra>",
        _validate=VALIDATE_CELLS,
    ), _validate=VALIDATE_CELLS)
    fig._validate = fig.layout._validate = True        # checks on again for the layout set below and by style()
    fig.update_layout(title="台账报送情况（单位 × 报送节点）", xaxis_title="报送节点（截止日期）",
                      yaxis_title="单位", height=max(300, 120 + 34 * len(units)))
    fig.update_xaxes(type="category", side="top")
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def _positions(values, labels: list) -> np.ndarray:
    """每个值在 labels 中的位置（不在其中为 -1）；相同的值只查一次。"""
    codes, uniques = pd.factorize(values)
    return np.append(pd.Index(labels).get_indexer(uniques), -1)[codes]


def _day_text(values: pd.Series) -> np.ndarray:
    """日期列 → “2023-06-25” 的字符串数组；空值为空串。每个不同的日期只格式化一次（报送节点、快照日只有几十个）。"""
    codes, days = pd.factorize(pd.to_datetime(values))
    text = np.append(np.asarray(days.strftime("%Y-%m-%d"), dtype="U10"), "")
    return text[codes]          # code -1（空值）取到末尾的空串
