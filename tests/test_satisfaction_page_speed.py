"""满意度页提速（issue 13）：图表整体用 layout 字典构造（不经 update_layout / add_vline）、热力图用 groupby 代替
pivot_table；分维度得分和逐年对比第一次用到时才查询。改动前的写法保留在这里（*_before），在示例库（两个专项整治、
每个测评年度、全部单位和选 3 个单位）、夹具库和手造的边界数据上逐项比对：图表的 JSON 相同，页面数据的每个字段相同。"""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.page_data import satisfaction as sd
from analytics.page_data.satisfaction import (
    MAX_CHART_UNITS,
    change_table,
    dimension_order,
    ranking_layout,
    ranking_table,
)
from analytics.palette import BLUE, GREY, PALETTE, RED
from analytics.queries import QueryRunner
from bench.page_speed import default_filters
from dashboard.charts import satisfaction as cs
from dashboard.charts.base import one_decimal
from dashboard.charts.satisfaction import DARK_TEXT, LIGHT_TEXT, SCORE_SCALE
from tests._reports_common import build_sample_db


# ------------------------------------------------------------------ the code before (reference)
def satisfaction_ranking_before(df: pd.DataFrame, low_below: float | None = None) -> go.Figure:
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
    fig = go.Figure(go.Scatter(
        x=d["score"], y=labels, mode="markers", orientation="h",
        marker=dict(size=14, color=colors, symbol=["circle" if s else "diamond" for s in summary]),
        error_x=dict(type="data", array=plus, arrayminus=minus, color="#888", thickness=2, width=6),
        customdata=custom,
        hovertemplate=("%{y}<br>满意度得分：%{x:.1f} 分<br>95%置信区间：%{customdata[1]}～%{customdata[2]}"
                       "<br>问卷：%{customdata[0]} 份<br>%{customdata[3]}<extra></extra>"),
    ))
    fig.add_trace(go.Scatter(x=d["score"], y=labels, yaxis="y2", mode="markers", marker=dict(opacity=0),
                             hoverinfo="skip"))
    x_title = "满意度得分（分）"
    if low_below is not None:
        fig.add_vline(x=low_below, line=dict(color=RED, dash="dash", width=2))
        x_title += f"　红色虚线：低于{low_below:g}分为满意度低"
    lo = min(60.0, float(d["ci_low"].min()) if d["ci_low"].notna().any() else 60.0,
             float(d["score"].min()))
    fig.update_layout(title="各单位满意度得分与 95% 置信区间（按得分排名）", xaxis_title=x_title,
                      yaxis_title="", height=max(300, 90 + 42 * len(d)), showlegend=False,
                      yaxis2=dict(title="得分", overlaying="y", matches="y", side="right", type="category",
                                  tickmode="array", tickvals=labels, ticktext=[one_decimal(v) for v in d["score"]],
                                  showgrid=False))
    fig.update_xaxes(range=[max(0, lo - 5), 102])
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def satisfaction_heatmap_before(df: pd.DataFrame, dimensions: list[str] | None = None) -> go.Figure:
    """satisfaction_dimensions.sql → 单位 × 维度 得分热力图（悬停显示得分和作答份数）。

    格内文字颜色按底色亮度取深色或白色（plotly 自动取色在橄榄绿/土黄格上对比度不足）：
    同一色轴画两层，一层只含用白字的格，一层只含用深色字的格。
    """
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    dims = [d for d in (dimensions or []) if d in set(df["dimension"])]
    dims += sorted(set(df["dimension"]) - set(dims))
    score = df.pivot_table(index="unit_name", columns="dimension", values="score", aggfunc="mean") \
        .reindex(index=units, columns=dims)
    n = df.pivot_table(index="unit_name", columns="dimension", values="respondents", aggfunc="sum") \
        .reindex(index=units, columns=dims).fillna(0)
    z = score.to_numpy(dtype=float)
    zmin = min(60.0, float(np.nanmin(z))) if np.isfinite(z).any() else 60.0
    zmax = 100.0
    # 每个格的底色 → 文字颜色：色阶上 1001 个位置先算好（单位多时格子上万个）
    lut = cs._light_text_lut()
    pos = np.clip(np.rint((np.nan_to_num(z, nan=zmin) - zmin) / (zmax - zmin) * 1000), 0, 1000).astype(int)
    light = lut[pos] & ~np.isnan(z)
    text = np.array([["" if np.isnan(v) else f"{v:.1f}" for v in row] for row in z], dtype=object)
    fig = go.Figure()
    for mask, color in ((light, LIGHT_TEXT), (~light, DARK_TEXT)):
        if not mask.any():
            continue
        fig.add_trace(go.Heatmap(
            z=np.where(mask, z, np.nan), x=dims, y=units, text=np.where(mask, text, ""),
            texttemplate="%{text}", textfont=dict(color=color), customdata=n.to_numpy(),
            coloraxis="coloraxis", xgap=2, ygap=2, hoverongaps=False,
            hovertemplate="单位：%{y}<br>维度：%{x}<br>得分：%{z:.1f} 分<br>作答：%{customdata:.0f} 份<extra></extra>",
        ))
    fig.update_layout(
        title="各单位分维度满意度得分", xaxis_title="测评维度", yaxis_title="单位",
        height=max(300, 110 + 36 * len(units)),
        coloraxis=dict(colorscale=[[t, c] for t, c in SCORE_SCALE], cmin=zmin, cmax=zmax,
                       colorbar=dict(title="得分")))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=dims)
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array", categoryarray=units)
    return fig


def satisfaction_yoy_before(df: pd.DataFrame) -> go.Figure:
    """satisfaction_yoy.sql → 各单位各年度得分（分组横条：图里不超过 MAX_CHART_UNITS 个单位，总在
    UNIT_BARS_ACROSS 之内），悬停显示问卷份数与较上年变化。"""
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    fig = go.Figure()
    for i, (year, g) in enumerate(df.sort_values("survey_year").groupby("survey_year", sort=True)):
        change = ["—" if pd.isna(c) else f"{c:+.1f} 分" for c in g["change"]]
        fig.add_trace(go.Bar(
            x=g["score"], y=g["unit_name"], orientation="h", name=f"{int(year)}年",
            marker_color=PALETTE[i % len(PALETTE)],
            text=[one_decimal(v) for v in g["score"]], textposition="inside", insidetextanchor="end",
            customdata=list(zip(g["respondents"], change, strict=True)),
            hovertemplate=(f"%{{y}}<br>{int(year)}年得分：%{{x:.1f}} 分<br>问卷：%{{customdata[0]}} 份"
                           "<br>较上一测评年度：%{customdata[1]}<extra></extra>")))
    n_years = max(1, df["survey_year"].nunique())
    fig.update_layout(title="各单位满意度逐年对比", xaxis_title="满意度得分（分）", yaxis_title="",
                      barmode="group", bargap=0.1, uniformtext_mode="hide",
                      height=max(300, 150 + len(units) * n_years * 32))
    fig.update_yaxes(categoryorder="array", categoryarray=units, autorange="reversed")
    fig.update_xaxes(range=[0, 108])
    return fig


def satisfaction_data_before(run, f, year):
    """改动前的 satisfaction_data：一次查齐排名、分维度得分、逐年对比（返回字段的字典）。"""
    camp = f.campaign
    rank = run("satisfaction_ranking", campaign_id=f.campaign_id, survey_year=year, units=list(f.units))
    overall = run("satisfaction_overview", **f.params())
    if rank.empty:
        return None
    low_below = camp.get("survey_low_score_below")
    insufficient = rank[~rank["rankable"]]
    charted = rank
    if len(rank) > MAX_CHART_UNITS:
        lowest = set(rank.nsmallest(MAX_CHART_UNITS, "score")["unit_id"])
        charted = rank[rank["unit_id"].isin(lowest)]
    limited = len(charted) < len(rank)
    shown = set(charted["unit_id"])
    dims = run("satisfaction_dimensions", campaign_id=f.campaign_id, survey_year=year, units=list(f.units))
    yoy = run("satisfaction_yoy", **f.params())
    table = ranking_table(rank)
    return dict(
        year=year, low_below=low_below, low_bottom=int(camp.get("survey_low_rank_bottom")),
        min_responses=int(camp.get("survey_min_responses")),
        ranking=rank, overall=overall[overall["survey_year"] == year],
        low=rank[rank["is_low"].fillna(False)], insufficient=insufficient,
        weak_small=insufficient[insufficient["score"] < low_below],
        from_summary=rank[rank["source"] == "汇总表"], respondents=int(rank["respondents"].sum()),
        charted=charted, table=table, layout=ranking_layout(table),
        dimensions=dims, dimensions_charted=dims[dims["unit_id"].isin(shown)] if limited else dims,
        dimension_order=dimension_order(f.campaign_id),
        yoy=yoy, yoy_charted=yoy[yoy["unit_id"].isin(shown)] if limited else yoy,
        change=change_table(yoy, year))


# ------------------------------------------------------------------ helpers
def spec(fig: go.Figure) -> dict:
    """图表发给浏览器的 JSON（数组按 plotly 的编码，含 dtype）。"""
    return json.loads(fig.to_json())


def same_value(a, b) -> None:
    if isinstance(b, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        assert a == b


def check_case(run, f, year) -> int:
    """新旧页面数据逐字段相同、三张图的 JSON 相同；返回排名的单位数（没有排名数据时 0）。"""
    before = satisfaction_data_before(run, f, year)
    d = sd.satisfaction_data(run, f, year)
    if before is None:
        assert d is None
        return 0
    for name, value in before.items():
        same_value(getattr(d, name), value)
    assert spec(cs.satisfaction_ranking(d.charted, d.low_below)) == \
        spec(satisfaction_ranking_before(before["charted"], before["low_below"]))
    if not d.dimensions.empty:
        assert spec(cs.satisfaction_heatmap(d.dimensions_charted, d.dimension_order)) == \
            spec(satisfaction_heatmap_before(before["dimensions_charted"], before["dimension_order"]))
    if not d.yoy.empty:
        assert spec(cs.satisfaction_yoy(d.yoy_charted)) == spec(satisfaction_yoy_before(before["yoy_charted"]))
    return len(d.ranking)


# ------------------------------------------------------------------ tests
@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("sat_sample"))


def test_sample_db_same_data_and_figures(sample_db):
    r = QueryRunner(sample_db)
    try:
        ranked = {}
        for cid in r.run("campaigns")["campaign_id"]:
            f = default_filters(r, cid)
            units = sorted(f.unit_names)
            for year in sd.survey_years(r.run, f).years:
                ranked[cid, year] = [check_case(r.run, pick, year) for pick in (f, replace(f, units=tuple(units[:3])))]
        assert ranked and all(all_units > 0 for all_units, _ in ranked.values())
    finally:
        r.close()


def test_fixture_db_same_data_and_figures(q):
    f = default_filters(q)
    assert [check_case(q.run, f, y) for y in (2023, 2022)] == [4, 2]     # units with questionnaires that year


def test_dimensions_and_yoy_queried_only_when_used(q):
    f = default_filters(q)
    asked = []

    def run(name, **params):
        asked.append(name)
        return q.run(name, **params)

    d = sd.satisfaction_data(run, f, 2023)
    assert asked == ["satisfaction_ranking", "satisfaction_overview"]
    assert d.multi_year and asked[-1] == "satisfaction_yoy"
    assert d.worst_dimension["unit_name"] == "太和县交通运输局" and asked[-1] == "satisfaction_dimensions"
    assert d.change is not None and not d.yoy_charted.empty and not d.dimensions_charted.empty
    assert len(asked) == 4                      # each queried once


def _rank_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    score = rng.uniform(40, 99, n).round(3)
    rankable = np.arange(n) % 5 != 4
    no_ci = np.arange(n) % 3 == 0
    return pd.DataFrame({
        "unit_id": [f"u{i}" for i in range(n)], "unit_name": [f"单位{i}" for i in range(n)],
        "rank": np.where(rankable, np.arange(1, n + 1), np.nan), "score": score,
        "ci_low": np.where(no_ci, np.nan, score - 3), "ci_high": np.where(no_ci, np.nan, score + 3),
        "respondents": pd.array([None if i % 7 == 6 else 30 + i for i in range(n)], dtype="Int64"),
        "rankable": rankable,
        "is_low": pd.array([bool(s < 70) if ok else None for s, ok in zip(score, rankable, strict=True)],
                           dtype="boolean"),
        "source": ["汇总表" if i % 4 == 3 else "问卷" for i in range(n)],
        "low_reason": [None if s >= 70 else f"得分{s:.1f}分" for s in score]})


@pytest.mark.parametrize("low_below", [80.0, 75.5, None])
def test_ranking_figure_edge_cases(low_below):
    df = _rank_frame(12)
    assert spec(cs.satisfaction_ranking(df, low_below)) == spec(satisfaction_ranking_before(df, low_below))
    one = df.head(1)
    assert spec(cs.satisfaction_ranking(one, low_below)) == spec(satisfaction_ranking_before(one, low_below))


def test_heatmap_figure_edge_cases():
    rows = []
    for u in range(6):
        for k, dim in enumerate(["执法规范", "执法态度", "廉洁执法", "便民服务"]):
            if (u, k) == (2, 1):
                continue                                             # a missing cell
            score = np.nan if (u, k) == (3, 2) else 50.0 + 8 * u + k   # a cell without a score
            rows.append({"unit_id": f"u{u}", "unit_name": f"单位{u}", "sort_order": 5 - u, "dimension": dim,
                         "respondents": 10 + u, "score": score})
    rows.append({**rows[0], "score": 99.0, "respondents": 4})        # the same unit × dimension twice
    df = pd.DataFrame(rows)
    for order in (["便民服务", "执法规范"], [], None):
        assert spec(cs.satisfaction_heatmap(df, order)) == spec(satisfaction_heatmap_before(df, order))
    dark_only = df[df["score"] > 80]                                 # only dark-text cells: one trace
    assert len(cs.satisfaction_heatmap(dark_only).data) == 1
    assert spec(cs.satisfaction_heatmap(dark_only)) == spec(satisfaction_heatmap_before(dark_only))
    complete = df[df["unit_name"].isin(["单位0", "单位1"])].iloc[:-1]  # no gaps: counts stay integers
    assert spec(cs.satisfaction_heatmap(complete)) == spec(satisfaction_heatmap_before(complete))


def test_yoy_figure_edge_cases():
    df = pd.DataFrame({"unit_id": ["a", "b", "a", "b", "c"], "unit_name": ["甲", "乙", "甲", "乙", "丙"],
                       "sort_order": [2, 1, 2, 1, 3], "survey_year": [2022, 2022, 2023, 2023, 2023],
                       "score": [80.0, 70.0, 85.5, 60.25, 90.0], "respondents": [30, 31, 32, 33, 34],
                       "change": [np.nan, np.nan, 5.5, -9.75, np.nan]})
    assert spec(cs.satisfaction_yoy(df)) == spec(satisfaction_yoy_before(df))
    single = df[df["survey_year"] == 2023]
    assert spec(cs.satisfaction_yoy(single)) == spec(satisfaction_yoy_before(single))
