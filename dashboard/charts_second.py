"""满意度、线索办理、数据管理页面的 Plotly 图表（中文标题/坐标轴，悬停显示确切数字）。

与 dashboard/charts.py 同样的约定：只接收 DataFrame、返回 go.Figure，不调用 streamlit；
字号由 ui.chart → charts.style 统一设置。
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import BLUE, GREEN, GREY, LIGHT_BLUE, ORANGE, PALETTE, RED, YELLOW
from dashboard.metrics import fmt_rate


def _f1(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{v:.1f}"


# ------------------------------------------------------------------ satisfaction
def satisfaction_ranking(df: pd.DataFrame, low_below: float | None = None) -> go.Figure:
    """satisfaction_ranking.sql → 各单位得分（点）与 95% 置信区间（误差线）；满意度低为红，样本不足为灰。"""
    d = df.copy()
    colors = [GREY if not r else (RED if low else BLUE)
              for r, low in zip(d["rankable"], d["is_low"].fillna(False), strict=True)]
    labels = [f"{name}（第{int(rk)}名）" if ok and not pd.isna(rk) else f"{name}（样本不足）"
              for name, ok, rk in zip(d["unit_name"], d["rankable"], d["rank"], strict=True)]
    plus = (d["ci_high"] - d["score"]).fillna(0)
    minus = (d["score"] - d["ci_low"]).fillna(0)
    custom = list(zip(d["respondents"], [_f1(v) for v in d["ci_low"]], [_f1(v) for v in d["ci_high"]],
                      d["low_reason"].fillna("").replace("", "—"), strict=True))
    fig = go.Figure(go.Scatter(
        x=d["score"], y=labels, mode="markers+text", orientation="h",
        marker=dict(size=14, color=colors, symbol="diamond"),
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


def satisfaction_heatmap(df: pd.DataFrame, dimensions: list[str] | None = None) -> go.Figure:
    """satisfaction_dimensions.sql → 单位 × 维度 得分热力图（悬停显示得分和作答份数）。"""
    units = df.sort_values("sort_order")["unit_name"].drop_duplicates().tolist()
    dims = [d for d in (dimensions or []) if d in set(df["dimension"])]
    dims += sorted(set(df["dimension"]) - set(dims))
    score = df.pivot_table(index="unit_name", columns="dimension", values="score", aggfunc="mean") \
        .reindex(index=units, columns=dims)
    n = df.pivot_table(index="unit_name", columns="dimension", values="respondents", aggfunc="sum") \
        .reindex(index=units, columns=dims).fillna(0)
    z = score.to_numpy(dtype=float)
    text = [["" if pd.isna(v) else f"{v:.1f}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=dims, y=units, text=text, texttemplate="%{text}", customdata=n.to_numpy(),
        colorscale=[[0, RED], [0.5, YELLOW], [1, GREEN]], zmin=min(60, float(pd.DataFrame(z).min().min())),
        zmax=100, xgap=2, ygap=2, colorbar=dict(title="得分"),
        hovertemplate="单位：%{y}<br>维度：%{x}<br>得分：%{z:.1f} 分<br>作答：%{customdata:.0f} 份<extra></extra>",
    ))
    fig.update_layout(title="各单位分维度满意度得分", xaxis_title="测评维度", yaxis_title="单位",
                      height=max(300, 110 + 36 * len(units)))
    fig.update_yaxes(autorange="reversed")
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
        y=fd["step"], x=fd["leads"], textinfo="value+percent initial",
        marker=dict(color=[BLUE, LIGHT_BLUE, GREEN, ORANGE]),
        hovertemplate="%{y}：%{x} 件（占受理 %{percentInitial:.1%}）<extra></extra>",
    ))
    fig.update_layout(title="线索办理漏斗（截至统计日）", yaxis_title="办理环节", xaxis_title="线索件数（件）",
                      height=360)
    return fig


def ontime_by_unit(df: pd.DataFrame, min_items: int) -> go.Figure:
    """leads_by_unit.sql → 各单位线索按时办结率（横条，文字为“比率（分子/分母）”）；件数不足为灰。"""
    d = df[df["ontime_den"] > 0].copy()
    d["rate"] = d["ontime"] / d["ontime_den"]
    d = d.sort_values(["rate", "ontime_den"], ascending=[True, False])
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
    fig.update_layout(title="各单位线索按时办结率（工作日规则，由低到高）", xaxis_title="按时办结率",
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


def overdue_age(df: pd.DataFrame) -> go.Figure:
    """超期未办结线索（页面已算 overdue_workdays）→ 按单位的件数（横条），悬停显示最长超期工作日。"""
    g = df.groupby("unit_name", as_index=False).agg(leads=("lead_id", "count"),
                                                    max_age=("overdue_workdays", "max"))
    g = g.sort_values(["leads", "max_age"], ascending=False)
    fig = go.Figure(go.Bar(
        x=g["leads"], y=g["unit_name"], orientation="h", marker_color=RED, text=g["leads"],
        textposition="outside", textangle=0, cliponaxis=False, customdata=g[["max_age"]].to_numpy(),
        hovertemplate="%{y}<br>超期未办结：%{x} 件<br>最长已超期：%{customdata[0]} 个工作日<extra></extra>"))
    fig.update_layout(title="超期未办结线索（按单位）", xaxis_title="线索件数（件）", yaxis_title="",
                      height=max(260, 90 + 36 * len(g)))
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


# ------------------------------------------------------------------ data admin
REPORT_STATES = {"按时": (0, GREEN), "迟报": (1, ORANGE), "未报": (2, RED), "待报": (3, GREY)}


def report_grid(df: pd.DataFrame) -> go.Figure:
    """report_grid.sql → 单位 × 报送节点 的报送情况（按时/迟报/未报/待报）。"""
    units = df.sort_values(["sort_order", "unit_id"])["unit_name"].drop_duplicates().tolist()
    dues = sorted(df["due_date"].drop_duplicates())
    dues_lbl = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in dues]
    d = df.assign(due_lbl=[pd.Timestamp(v).strftime("%Y-%m-%d") for v in df["due_date"]])
    status = d.pivot_table(index="unit_name", columns="due_lbl", values="report_status", aggfunc="first") \
        .reindex(index=units, columns=dues_lbl)
    rdate = d.assign(rd=[("" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")) for v in d["report_date"]]) \
        .pivot_table(index="unit_name", columns="due_lbl", values="rd", aggfunc="first") \
        .reindex(index=units, columns=dues_lbl).fillna("")
    z = status.map(lambda s: REPORT_STATES.get(s, (None, None))[0]).to_numpy(dtype=float)
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
    "days_late": "迟报天数",
}


def cn(df: pd.DataFrame, drop: tuple[str, ...] = ("sort_order", "unit_id")) -> pd.DataFrame:
    """下载用：去掉内部列，列名换成中文（其余列名由 ui.chinese_columns 处理）。"""
    return df.drop(columns=[c for c in drop if c in df.columns]).rename(columns=LABELS)
