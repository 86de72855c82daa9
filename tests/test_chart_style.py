"""charts.base.style 把字体、字号、边距直接并进图的 layout（不经 plotly 的 update_layout）：每个页面的每张图，
普通与投影字号、指定高度，得到的图（to_plotly_json）与原来经 update_layout 的 style（下面保留，只加了按文字算好的边距与
固定的横轴文字角度，见 dashboard/charts/margins.py）完全相同。"""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from bench import page_speed
from dashboard.charts import base, margins
from dashboard.charts import legend as legends
from dashboard.charts.base import FONT
from dashboard.db import QueryRunner


# ---- style() as dashboard/charts/base.py had it before (commit 3d40c88), with the computed margins and tick angles
def style_before(fig: go.Figure, big: bool = False, height: int | None = None) -> go.Figure:
    base_size = 20 if big else 14
    margin, angles = margins.compute(fig._layout, fig._data, base_size, 70 if big else 60)
    band = legends.band(fig._layout, fig._data, base_size, margin, fig.layout.title.text or "") \
        if margin["t"] == (70 if big else 60) else 0
    if band:
        margin["t"] = margins.title_room(70 if big else 60, base_size) + band
    pinned = fig.layout.title.yref == "container"
    legend = dict(font=dict(size=base_size))
    if fig.layout.legend.orientation != "v":
        legend |= dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1)
    fig.update_layout(
        font=dict(family=FONT, size=base_size, color="#222"),
        title=dict(font=dict(size=base_size + 6), x=0, xanchor="left",
                   **({} if margin["t"] <= (70 if big else 60) else
                      dict(yref="container", y=1, yanchor="top", pad=dict(t=(70 if big else 60) // 2 - (base_size + 6) // 2)))),
        hoverlabel=dict(font=dict(family=FONT, size=base_size)),
        legend=legend,
        margin=margin,
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    fig.update_xaxes(title_font=dict(size=base_size), tickfont=dict(size=base_size - 1), gridcolor="#eee",
                     automargin=True)
    fig.update_yaxes(title_font=dict(size=base_size), tickfont=dict(size=base_size - 1), gridcolor="#eee",
                     automargin=True)
    for key, angle in angles.items():
        fig.update_layout({key: dict(tickangle=angle)})
    if fig.layout.uniformtext.mode and not fig.layout.uniformtext.minsize:
        fig.update_layout(uniformtext_minsize=base_size - 6)
    if height:
        fig.update_layout(height=height)
    if margin["t"] > (70 if big else 60) and not pinned:
        grow = margin["t"] - (70 if big else 60) if band else margins.title_room(70 if big else 60, base_size)
        fig.update_layout(height=(fig.layout.height or 450) + grow)
    _fit_side_legend_before(fig, base_size)
    return fig


def _fit_side_legend_before(fig: go.Figure, font_size: int) -> None:
    if fig.layout.legend.orientation != "v" or fig.layout.showlegend is False:
        return
    entries = sum(1 for t in fig.data if t.showlegend is not False and t.name)
    margin = fig.layout.margin
    need = (margin.t or 0) + 10 + 90 + round(font_size * 1.75) * entries
    if (fig.layout.height or 450) < need:
        fig.update_layout(height=need)


def spec(fig: go.Figure) -> str:
    """The figure as Streamlit sends it (st.plotly_chart: plotly.io.to_json of fig.to_dict())."""
    return pio.to_json(fig.to_dict(), validate=False)


def page_figures(db_path) -> list[tuple[str, callable]]:
    """每个页面（bench/page_speed.py 的页面步骤，与页面同一批数据函数）画的每张图：(名称, 构造函数)。"""
    figs = []

    class Collect(page_speed.Ctx):
        def fig(self, label, fn, data=None):
            if data is None or not data.empty:
                figs.append((label, fn))

    runner = QueryRunner(db_path)
    try:
        f = page_speed.default_filters(runner)
        for _key, _label, page in page_speed.PAGES:
            page(Collect(runner, f))
    finally:
        runner.close()
    return figs


@pytest.fixture(scope="module")
def figures():
    if not page_speed.SAMPLE_DB.exists():
        pytest.skip("示例库不存在（make data）")
    return page_figures(page_speed.SAMPLE_DB)


def test_every_page_chart_is_collected(figures):
    names = {label for label, _ in figures}
    assert {"stage_timeline", "unit_rates", "unit_trend", "category_unit_heatmap", "pareto", "relapse_trend",
            "satisfaction_heatmap", "leads_funnel", "overdue_age", "ledger_report_grid"} <= names
    assert len(figures) >= 18


@pytest.mark.parametrize("big,height", [(False, None), (True, None), (False, 640), (True, 300)])
def test_styled_figures_identical_to_update_layout_style(figures, big, height):
    for label, build in figures:
        before = style_before(build(), big=big, height=height)
        after = base.style(build(), big=big, height=height)
        assert spec(after) == spec(before), label
        assert after.layout.font.size == (20 if big else 14)               # plotly's objects see the new values


def test_side_legend_and_second_axis_identical():
    """右侧竖排图例（加高）、第二纵轴（xaxis/yaxis2 都要设字号）、showlegend=False：与原 style 相同。"""
    two_axes = go.Figure([go.Bar(x=["a", "b"], y=[1, 2], name="问题"),
                          go.Scatter(x=["a", "b"], y=[0.5, 1], yaxis="y2", name="累计占比")])
    two_axes.update_layout(yaxis2=dict(overlaying="y", side="right"), xaxis3=dict(title="x3"))
    side = go.Figure([go.Scatter(x=[1], y=[i], name=f"单位{i}") for i in range(15)])
    side.update_layout(legend=dict(orientation="v", x=1.02), height=300, title="标题")
    hidden = go.Figure(side)
    hidden.update_layout(showlegend=False)
    for fig in [two_axes, side, hidden]:
        for big in (False, True):
            assert spec(base.style(go.Figure(fig), big=big)) == spec(style_before(go.Figure(fig), big=big))
    styled = base.style(go.Figure(side))
    assert styled.layout.height == 60 + 10 + 90 + 24 * 15 == 520     # 15 entries × round(14 × 1.75) = 24
    assert base.style(go.Figure(two_axes)).layout.yaxis2.gridcolor == "#eee"
    assert base.style(go.Figure(two_axes)).layout.xaxis3.tickfont.size == 13
