"""数据管理页的台账报送格子图在大库上构造得快（矩阵整列算出、格子不经 plotly 逐个检查），画出的图与改动前的构造
（下面原样保留的 grid_before：pandas pivot、plotly 逐个检查）完全相同，也与打开检查的新构造相同。"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analytics.palette import GREEN, GREY, ORANGE, RED
from dashboard.charts import submissions
from tests.fixtures.fixture_db import CAMPAIGN_ID, S2

REPORT_STATES = {"按时": (0, GREEN), "迟报": (1, ORANGE), "未报": (2, RED), "待报": (3, GREY)}


# ---- report_grid as dashboard/charts/submissions.py built it before (commit 3ce92c7), verbatim
def grid_before(df: pd.DataFrame) -> go.Figure:
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


def spec(fig: go.Figure) -> str:
    """The figure as Streamlit sends it (st.plotly_chart: plotly.io.to_json of fig.to_dict())."""
    return pio.to_json(fig.to_dict(), validate=False)


def checked(df: pd.DataFrame, monkeypatch) -> go.Figure:
    with monkeypatch.context() as m:
        m.setattr(submissions, "VALIDATE_CELLS", True)
        return submissions.report_grid(df)


def _grid(n_units: int, dues: list[str], seed: int) -> pd.DataFrame:
    """ledger_report_grid 的列：单位 × 节点，状态随机（含空值），报送日期部分为空，行顺序打乱。"""
    rng = np.random.default_rng(seed)
    rows = [(f"u{i:04d}", f"单位{i}", (i * 7) % n_units, pd.Timestamp(due), rng.choice(["按时", "迟报", "未报", "待报"]))
            for i in range(n_units) for due in dues]
    df = pd.DataFrame(rows, columns=["unit_id", "unit_name", "sort_order", "due_date", "report_status"])
    df["report_date"] = df["due_date"] + pd.to_timedelta(rng.integers(-3, 9, len(df)), unit="D")
    df.loc[df["report_status"].isin(["未报", "待报"]), "report_date"] = pd.NaT
    df["grace_end"] = df["due_date"] + pd.Timedelta(days=3)
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)


def test_fixture_grid_identical(q, monkeypatch):
    df = q.run("ledger_report_grid", campaign_id=CAMPAIGN_ID, as_of=S2, units=[], categories=[], channels=[])
    assert len(df) >= 12 and set(df["report_status"]) >= {"按时", "迟报", "未报", "待报"}
    fig = submissions.report_grid(df)
    assert spec(fig) == spec(grid_before(df)) == spec(checked(df, monkeypatch))
    row = list(fig.data[0].y).index(df.loc[df["unit_id"] == "funan", "unit_name"].iloc[0])
    col = list(fig.data[0].x).index("2023-04-15")
    assert fig.data[0].text[row][col] == "迟报" and fig.data[0].z[row][col] == 1.0   # 手算见 test_queries_submissions


@pytest.mark.parametrize("n_units,seed", [(1, 1), (37, 2), (400, 3)])
def test_generated_grids_identical(n_units, seed, monkeypatch):
    df = _grid(n_units, ["2023-04-15", "2023-05-25", "2023-06-25", "2023-07-25"], seed)
    assert spec(submissions.report_grid(df)) == spec(grid_before(df)) == spec(checked(df, monkeypatch))


def test_odd_rows_identical(monkeypatch):
    """空状态、陌生状态文字、重复的（单位, 节点）行（取第一行）、两个单位同名、某单位缺一个节点：与原构造相同。"""
    df = _grid(6, ["2023-04-15", "2023-05-25"], 4)
    df.loc[0, "report_status"] = None
    df.loc[1, "report_status"] = "补报（人工）"
    dup = df.iloc[[2]].assign(report_status="未报", report_date=pd.NaT)
    df = pd.concat([df, dup], ignore_index=True)
    df.loc[df["unit_id"] == "u0005", "unit_name"] = "单位4"
    df = df.drop(index=df.index[(df["unit_id"] == "u0003") & (df["due_date"] == pd.Timestamp("2023-05-25"))])
    df["report_status"] = df["report_status"].astype("string")
    fig = submissions.report_grid(df)
    assert spec(fig) == spec(grid_before(df)) == spec(checked(df, monkeypatch))
    assert "补报（人工）" in np.asarray(fig.data[0].text).ravel().tolist()
