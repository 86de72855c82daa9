"""问题热点的格子图在大库上构造得快（格子的数组整列算出、不经 plotly 逐个检查），画出的东西与改动前的构造
（下面原样保留的 grid_before，逐格计算、plotly 逐个检查）完全相同，也与打开检查的新构造相同。"""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analytics.palette import BLUE
from dashboard.charts import hotspots
from dashboard.charts.base import style
from dashboard.charts.hotspots import GRID_FRAME_PX, GRID_PLOT_WIDTH, ROW_PX


# ---- the grid as dashboard/charts/hotspots.py built it before (commit 8a67d37), verbatim
def _cell_text_color(v: float, top: float) -> str:
    return "white" if top and v / top > 0.55 else "#222"   # 深色格子上用白字


def grid_before(df: pd.DataFrame, share: bool = False) -> go.Figure:
    """hotspot_matrix.sql → 问题方面 × 单位的格子图。share=True 显示各方面占该单位问题数的比例。

    Trap: Streamlit 的图上点选对 go.Heatmap 不起作用，所以每个格子是一个方形散点（颜色同热力图的色阶），
    点一下格子，选择里就有它的单位编码、问题方面（customdata）。"""
    cats = df.sort_values("category_no")["category"].drop_duplicates().tolist()
    units = df.sort_values("sort_order")[["unit_id", "unit_name"]].drop_duplicates("unit_id")
    counts = df.pivot_table(index="category", columns="unit_id", values="problems",
                            aggfunc="sum", fill_value=0).reindex(index=cats, columns=units["unit_id"]).fillna(0)
    values = counts / counts.sum(axis=0).replace(0, 1) if share else counts
    names = dict(zip(units["unit_id"], units["unit_name"], strict=True))
    cells = values.stack().rename("v").reset_index()              # category, unit_id, v
    cells["n"] = counts.stack().to_numpy()
    cells["unit_name"] = cells["unit_id"].map(names)
    top = float(cells["v"].max() or 0)
    label = "占比" if share else "问题数"
    size = max(14, min(0.8 * ROW_PX, 0.8 * GRID_PLOT_WIDTH / max(len(units), 1)))
    fig = go.Figure(go.Scatter(
        x=cells["unit_name"], y=cells["category"], mode="markers+text",
        marker=dict(symbol="square", size=size, color=cells["v"], colorscale=[[0, "#f4f7fb"], [1, BLUE]],
                    cmin=0, cmax=top or 1, line=dict(width=1, color="#d0d7e2"),
                    colorbar=dict(title=label, tickformat=".0%" if share else None)),
        text=[f"{v * 100:.0f}%" if share else f"{v:.0f}" for v in cells["v"]],
        textfont=dict(color=[_cell_text_color(v, top) for v in cells["v"]]),
        customdata=cells[["unit_id", "category", "n"]].to_numpy(),
        hovertemplate=("问题方面：%{y}<br>单位：%{x}<br>" + ("占比：%{marker.color:.1%}<br>" if share else "")
                       + "问题数：%{customdata[2]:.0f}<br>点击列出这些问题<extra></extra>"),
        selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=0.45)),
    ))
    title = "问题方面 × 单位（占该单位问题数比例）" if share else "问题方面 × 单位（问题数）"
    fig.update_layout(title=title, xaxis_title="单位", yaxis_title="问题方面", height=GRID_FRAME_PX + ROW_PX * len(cats),
                      clickmode="event+select", dragmode=False)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=units["unit_name"].tolist(),
                     showgrid=False)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=cats, autorange="reversed",
                     showgrid=False)
    return fig



def _matrix(n_units: int) -> pd.DataFrame:
    """hotspot_matrix.sql 的形状：有的单位某些方面没有问题（格子为 0），最后一类“未分类”。"""
    rows = []
    cats = ["执法不规范", "服务意识差", "吃拿卡要", "未分类"]
    for u in range(n_units):
        for c, cat in enumerate(cats):
            if (u + c) % 3 == 0:
                continue
            rows.append({"category": cat, "category_no": 99 if cat == "未分类" else c + 1,
                         "unit_id": f"u{u:04d}", "unit_name": f"单位{u:04d}", "sort_order": u,
                         "problems": (u * 7 + c * 3) % 40 + 1, "done": 0, "overdue": 0})
    return pd.DataFrame(rows)


def _drawn(fig) -> dict:
    return json.loads(pio.to_json(style(fig)))


@pytest.mark.parametrize("n_units", [41, 400])   # grid_before draws units as columns: more than UNIT_BARS_ACROSS units
@pytest.mark.parametrize("share", [False, True])
def test_grid_is_drawn_as_before(monkeypatch, n_units, share):
    df = _matrix(n_units)
    fast = _drawn(hotspots.category_unit_heatmap(df, share=share))
    before = _drawn(grid_before(df, share=share))
    assert json.dumps(fast, sort_keys=True) == json.dumps(before, sort_keys=True)
    monkeypatch.setattr(hotspots, "VALIDATE_CELLS", True)
    checked = _drawn(hotspots.category_unit_heatmap(df, share=share))
    assert json.dumps(fast, sort_keys=True) == json.dumps(checked, sort_keys=True)
    cells = fast["data"][0]
    assert len(cells["x"]) == 4 * n_units                     # every unit × category, empty ones as 0
    assert cells["marker"]["colorbar"]["title"] == {"text": "占比" if share else "问题数"}


def test_grid_cells_as_drawn():
    """格子的值、文字、文字颜色、点选数据：单位0000 的“执法不规范”没有问题（0），“服务意识差”有 4 个。"""
    fig = hotspots.category_unit_heatmap(_matrix(3))
    t = fig.data[0]
    # 单位不多于 UNIT_BARS_ACROSS 个：单位为行（y），问题方面为列（x）
    assert list(t.y[:3]) == ["单位0000", "单位0001", "单位0002"] and t.x[0] == "执法不规范"
    assert list(t.text[:3]) == ["0", "8", "15"] and t.text[3] == "4"
    top = max(float(v) for v in t.marker.color)
    assert top == 24                                        # 单位0002 的“未分类”：(2·7 + 3·3) % 40 + 1
    assert [c for v, c in zip(t.marker.color, t.textfont.color, strict=True) if v / top > 0.55] \
        and all(c == ("white" if v / top > 0.55 else "#222") for v, c in zip(t.marker.color, t.textfont.color,
                                                                             strict=True))
    assert list(t.customdata[3]) == ["u0000", "服务意识差", 4]


def test_layout_still_checked():
    """格子之外仍由 plotly 检查：拼错的布局属性照样报错。"""
    fig = hotspots.category_unit_heatmap(_matrix(3))
    with pytest.raises(ValueError):
        fig.update_layout(no_such_property=1)


@pytest.mark.parametrize("share", [False, True])
def test_grid_from_the_query_is_drawn_as_before(q, share, monkeypatch):
    """hotspot_matrix.sql 的真实结果（查询给的列类型）：与打开检查的构造相同（示例库单位少，单位为行，grid_before
    画的是单位为列的旧样子，不再比）。"""
    cid, as_of = q.connection.execute("SELECT campaign_id, max(as_of_date) FROM ledger_snapshots "
                                      "GROUP BY 1 ORDER BY 1 LIMIT 1").fetchone()
    df = q.run("hotspot_matrix", campaign_id=cid, as_of=as_of, units=[], categories=[], channels=[])
    assert len(df) > 3
    fast = _drawn(hotspots.category_unit_heatmap(df, share=share))
    monkeypatch.setattr(hotspots, "VALIDATE_CELLS", True)
    checked = _drawn(hotspots.category_unit_heatmap(df, share=share))
    assert json.dumps(fast, sort_keys=True) == json.dumps(checked, sort_keys=True)
