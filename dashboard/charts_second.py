"""满意度、线索办理、数据管理页面的 Plotly 图表（中文标题/坐标轴，悬停显示确切数字）。

与 dashboard/charts.py 同样的约定：只接收 DataFrame、返回 go.Figure，不调用 streamlit；
字号由 ui.chart → charts.style 统一设置。
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import find_intermediate_color, hex_to_rgb

from dashboard.charts import BLUE, GREEN, GREY, LIGHT_BLUE, ORANGE, PALETTE, RED, YELLOW
from dashboard.metrics import fmt_rate


def _f1(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{v:.1f}"


# ------------------------------------------------------------------ satisfaction
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
                      [_f1(v) for v in d["ci_low"]], [_f1(v) for v in d["ci_high"]],
                      [("来自汇总表" if r == "—" else f"来自汇总表；{r}") if s else r
                       for s, r in zip(summary, reasons, strict=True)], strict=True))
    fig = go.Figure(go.Scatter(
        x=d["score"], y=labels, mode="markers+text", orientation="h",
        marker=dict(size=14, color=colors, symbol=["circle" if s else "diamond" for s in summary]),
        error_x=dict(type="data", array=plus, arrayminus=minus, color="#888", thickness=2, width=6),
        text=[_f1(v) for v in d["score"]], textposition="top center",
        customdata=custom,
        hovertemplate=("%{y}<br>满意度得分：%{x:.1f} 分<br>95%置信区间：%{customdata[1]}～%{customdata[2]}"
                       "<br>问卷：%{customdata[0]} 份<br>%{customdata[3]}<extra></extra>"),
    ))
    if low_below is not None:
        fig.add_vline(x=low_below, line=dict(color=RED, dash="dash", width=2),
                      annotation_text=f"低于{low_below:g}分为满意度低", annotation_position="top")
    lo = min(60.0, float(d["ci_low"].min()) if d["ci_low"].notna().any() else 60.0,
             float(d["score"].min()))
    fig.update_layout(title="各单位满意度得分与 95% 置信区间（按得分排名）", xaxis_title="满意度得分（分）",
                      yaxis_title="", height=max(300, 90 + 42 * len(d)), showlegend=False)
    fig.update_xaxes(range=[max(0, lo - 5), 102])
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


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
    score = df.pivot_table(index="unit_name", columns="dimension", values="score", aggfunc="mean") \
        .reindex(index=units, columns=dims)
    n = df.pivot_table(index="unit_name", columns="dimension", values="respondents", aggfunc="sum") \
        .reindex(index=units, columns=dims).fillna(0)
    z = score.to_numpy(dtype=float)
    zmin = min(60.0, float(np.nanmin(z))) if np.isfinite(z).any() else 60.0
    zmax = 100.0
    # 每个格的底色 → 文字颜色：色阶上 1001 个位置先算好（单位多时格子上万个）
    lut = _light_text_lut()
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


def satisfaction_yoy(df: pd.DataFrame) -> go.Figure:
    """satisfaction_yoy.sql → 各单位各年度得分（分组柱），悬停显示问卷份数与较上年变化。"""
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    fig = go.Figure()
    for i, (year, g) in enumerate(df.sort_values("survey_year").groupby("survey_year", sort=True)):
        change = ["—" if pd.isna(c) else f"{c:+.1f} 分" for c in g["change"]]
        fig.add_trace(go.Bar(
            x=g["unit_name"], y=g["score"], name=f"{int(year)}年", marker_color=PALETTE[i % len(PALETTE)],
            text=[_f1(v) for v in g["score"]], textposition="outside",
            customdata=list(zip(g["respondents"], change, strict=True)),
            hovertemplate=(f"%{{x}}<br>{int(year)}年得分：%{{y:.1f}} 分<br>问卷：%{{customdata[0]}} 份"
                           "<br>较上一测评年度：%{customdata[1]}<extra></extra>")))
    fig.update_layout(title="各单位满意度逐年对比", xaxis_title="单位", yaxis_title="满意度得分（分）",
                      barmode="group")
    fig.update_xaxes(categoryorder="array", categoryarray=units)
    fig.update_yaxes(range=[0, 108])
    return fig


# ------------------------------------------------------------------ leads
FUNNEL_STEPS = [("received", "受理"), ("assigned", "交办"), ("concluded", "办结"), ("fed_back", "已反馈")]


def leads_funnel_data(summary: pd.Series) -> pd.DataFrame:
    """leads_summary.sql 的一行 → 漏斗各步（件数、占受理的比例）。"""
    base = int(summary["received"])
    rows = [{"step": label, "leads": int(summary[col]),
             "share_of_received": (int(summary[col]) / base) if base else None}
            for col, label in FUNNEL_STEPS]
    return pd.DataFrame(rows)


def leads_funnel(fd: pd.DataFrame) -> go.Figure:
    fig = go.Figure(go.Funnel(
        y=fd["step"], x=fd["leads"],
        # 占受理的比例保留一位小数：792/795 显示 99.6%，不四舍五入成 100%
        texttemplate="%{value:d} 件<br>%{percentInitial:.1%}",
        marker=dict(color=[BLUE, LIGHT_BLUE, GREEN, ORANGE]),
        hovertemplate="%{y}：%{x} 件（占受理 %{percentInitial:.1%}）<extra></extra>",
    ))
    fig.update_layout(title="线索办理漏斗（截至统计日）", yaxis_title="办理环节", xaxis_title="线索件数（件）",
                      height=360)
    return fig


def ontime_by_unit(df: pd.DataFrame, min_items: int, top: int | None = None) -> go.Figure:
    """leads_by_unit.sql → 各单位线索按时办结率（横条，文字为“比率（分子/分母）”）；件数不足为灰。

    top：单位多于 top 个时只画件数足够（可排名）的单位中按时办结率最低的 top 个。"""
    d = df[df["ontime_den"] > 0].copy()
    d["rate"] = d["ontime"] / d["ontime_den"]
    d = d.sort_values(["rate", "ontime_den", "unit_name"], ascending=[True, False, True])
    title = "各单位线索按时办结率（工作日规则，由低到高）"
    if top is not None and len(d) > top:
        d = d[d["ontime_den"] >= min_items].head(top)
        title = f"线索按时办结率最低的 {len(d)} 个单位（工作日规则）"
    ok = d["ontime_den"] >= min_items
    colors = [(RED if r < 0.6 else YELLOW if r < 0.8 else GREEN) if k else GREY
              for r, k in zip(d["rate"], ok, strict=True)]
    fig = go.Figure(go.Bar(
        x=d["rate"], y=d["unit_name"], orientation="h", marker_color=colors,
        text=[fmt_rate(a, b) + ("" if k else " 件数少，不排名")
              for a, b, k in zip(d["ontime"], d["ontime_den"], ok, strict=True)],
        textposition="auto",
        customdata=d[["ontime", "ontime_den", "open_overdue"]].to_numpy(),
        hovertemplate=("%{y}<br>按时办结率：%{x:.1%}（%{customdata[0]}/%{customdata[1]}）"
                       "<br>超期未办结：%{customdata[2]} 件<extra></extra>"),
    ))
    fig.update_layout(title=title, xaxis_title="按时办结率",
                      yaxis_title="", height=max(300, 90 + 38 * len(d)))
    fig.update_xaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def channel_mix(df: pd.DataFrame) -> go.Figure:
    """leads_channel_mix.sql → 各来源渠道线索件数（横条），悬停显示占比、属实率。"""
    d = df.sort_values("received", ascending=False)
    fig = go.Figure(go.Bar(
        x=d["received"], y=d["channel"], orientation="h", marker_color=BLUE,
        text=[f"{n}件（{s:.1%}）" for n, s in zip(d["received"], d["share"], strict=True)],
        textposition="auto",
        customdata=list(zip(d["share"], [fmt_rate(a, b) for a, b in zip(d["found"], d["with_finding"], strict=True)],
                            d["open_overdue"], strict=True)),
        hovertemplate=("%{y}<br>受理：%{x} 件（占%{customdata[0]:.1%}）<br>属实率：%{customdata[1]}"
                       "<br>超期未办结：%{customdata[2]} 件<extra></extra>"),
    ))
    fig.update_layout(title="线索来源渠道构成", xaxis_title="线索件数（件）", yaxis_title="来源渠道",
                      height=max(280, 90 + 34 * len(d)))
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def add_unit_max_age(g: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """leads_overdue_by_unit.sql → 加 max_age（最早办理期限到统计日的工作日数，即该单位最长超期工作日）。"""
    g = g.copy()
    g["max_age"] = workday_ages(g["oldest_due"], as_of)
    return g


def overdue_age(df: pd.DataFrame, top: int | None = None) -> go.Figure:
    """leads_overdue_by_unit.sql + add_unit_max_age → 各单位超期件数（横条），悬停显示最长超期工作日。

    top：只画件数最多的前 top 个单位（单位很多时）。"""
    g = df.sort_values(["leads", "max_age", "unit_name"], ascending=[False, False, True])
    if top is not None and len(g) > top:
        g = g.head(top)
    fig = go.Figure(go.Bar(
        x=g["leads"], y=g["unit_name"], orientation="h", marker_color=RED, text=g["leads"],
        textposition="outside", textangle=0, cliponaxis=False, customdata=g[["max_age"]].to_numpy(),
        hovertemplate="%{y}<br>超期未办结：%{x} 件<br>最长已超期：%{customdata[0]} 个工作日<extra></extra>"))
    title = "超期未办结线索（按单位）" if top is None or len(g) < top else f"超期未办结线索最多的 {top} 个单位"
    fig.update_layout(title=title, xaxis_title="线索件数（件）", yaxis_title="",
                      height=max(260, 90 + 36 * len(g)))
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def workday_ages(values: pd.Series, as_of: date, fallback: pd.Series | None = None) -> np.ndarray:
    """日期列 → 每个日期之后到统计日（含）的工作日数（按国务院节假日安排，含调休）。

    每个不同的日期只调用一次 working_days_between（大库中 6.8 万条线索只有几百个不同日期）。
    fallback：values 为空时改用的日期列（如交办日期为空时用受理日期）。日期都为空的行为 -1。
    """
    from etl.normalize.workdays import working_days_between

    d = pd.to_datetime(values)
    if fallback is not None:
        d = d.fillna(pd.to_datetime(fallback))
    codes, uniques = pd.factorize(d)
    ages = np.array([working_days_between(pd.Timestamp(u).date(), as_of) for u in uniques] + [-1], dtype=int)
    return ages[codes]                                # code -1（空日期）取最后一个元素 -1


def add_overdue_ages(od: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """leads_overdue_open.sql → 加 overdue_workdays（超期工作日）、workdays_since_assigned（交办后工作日），
    按超期由长到短、线索编号排序。"""
    od = od.copy()
    od["overdue_workdays"] = workday_ages(od["due_date"], as_of)
    od["workdays_since_assigned"] = workday_ages(od["assigned_date"], as_of, fallback=od["received_date"])
    return od.sort_values(["overdue_workdays", "lead_id"], ascending=[False, True]).reset_index(drop=True)


# ------------------------------------------------------------------ data admin
REPORT_STATES = {"按时": (0, GREEN), "迟报": (1, ORANGE), "未报": (2, RED), "待报": (3, GREY)}


def report_grid(df: pd.DataFrame) -> go.Figure:
    """report_grid.sql → 单位 × 报送节点 的报送情况（按时/迟报/未报/待报）。"""
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


# ------------------------------------------------------------------ download labels
LABELS = {
    "unit_id": "单位编码", "unit_name": "单位", "sort_order": "排序", "respondents": "问卷份数",
    "answers": "作答题数", "mean_score": "平均分（1–5）", "score": "满意度得分", "ci_half": "置信区间半宽",
    "ci_low": "95%置信下限", "ci_high": "95%置信上限", "rankable": "参与排名", "rank": "排名",
    "n_rankable": "可排名单位数", "min_responses": "最少问卷份数", "is_low": "满意度低", "low_reason": "说明",
    "dimension": "测评维度", "survey_year": "测评年度", "prev_year": "上一测评年度", "prev_score": "上年得分",
    "change": "变化（分）", "received": "受理", "assigned": "交办", "concluded": "办结", "fed_back": "已反馈",
    "ontime": "按时办结", "ontime_den": "期限已到或已办结", "open_overdue": "超期未办结", "found": "属实+部分属实",
    "with_finding": "有调查结论", "channel": "来源渠道", "share": "占比", "step": "办理环节", "leads": "线索件数",
    "share_of_received": "占受理比例", "overdue_workdays": "超期工作日数", "workdays_since_assigned": "交办后工作日数",
    "seq": "序号", "complainant_masked": "投诉人（脱敏）", "phone_masked": "联系电话（脱敏）",
    "units_involved": "涉及单位数", "unit_names": "涉及单位", "categories": "问题方面",
    "first_received": "首次受理", "last_received": "最近受理", "lead_ids": "线索编号",
    "due_date": "报送节点", "grace_end": "宽限截止", "report_date": "报送日期", "report_status": "报送情况",
    "days_late": "迟报天数", "max_age": "最长超期工作日", "oldest_due": "最早办理期限",
    "any_provisional": "有推算的期限",
}


def cn(df: pd.DataFrame, drop: tuple[str, ...] = ("sort_order", "unit_id")) -> pd.DataFrame:
    """下载用：去掉内部列，列名换成中文（其余列名由 ui.chinese_columns 处理）。"""
    return df.drop(columns=[c for c in drop if c in df.columns]).rename(columns=LABELS)
