"""总览页的数据：关键指标及较上期变化、满意度卡片、方案阶段与下一节点、整改趋势、滞后单位。"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics import metrics
from analytics.page_data import PageFilters, Run
from analytics.page_data.unit_progress import count_state, rules_text, units_with_lagging
from analytics.queries import to_date

# 指标卡 → 较上期变化的算法：件数直接相减；比率按百分点（分子, 分母）
COUNT_DELTAS = ("problems", "done", "closed", "overdue", "leads_received", "leads_open_overdue")
RATE_DELTAS = {"completion": ("done", "problems"), "ontime": ("leads_ontime", "leads_ontime_den"),
               "feedback": ("leads_feedback", "leads_concluded")}
LAGGING_TOP = 10  # 滞后单位图最多列出的单位数


@dataclass
class SatisfactionCard:
    value: str               # “86.3分” / “—”
    delta: str | None        # 较上一测评年度的变化（“+1.2分”/“持平”），只有一年时 None
    label: str               # “满意度得分（2023年，120份）”
    previous_year: int | None = None   # 与哪一年的测评相比（页面在指标卡下的说明里写出）


@dataclass
class OverviewData:
    kpi: pd.Series                   # kpi_overview 本期一行
    kpi_prev: pd.Series | None       # 上期一行；没有上期快照时 None
    deltas: dict[str, str | None]    # 指标键 → 较上期变化的文字
    satisfaction: SatisfactionCard
    stages: pd.DataFrame             # stage_timeline
    next_deadline: pd.Series         # next_deadline 一行
    next_due: date | None
    stage_end: date | None
    trend: pd.DataFrame              # completion_trend
    units: pd.DataFrame              # unit_progress + 滞后评分
    lagging: pd.DataFrame            # 红、黄单位
    n_red: int
    n_yellow: int
    lagging_rules: list[str]

    @property
    def show_lagging_chart(self) -> bool:
        """没有红黄单位（且有单位）时不画图，改为一句“当前没有红色或黄色单位”。"""
        return self.units.empty or not self.lagging.empty


def kpi_deltas(cur: pd.Series, prev: pd.Series | None) -> dict[str, str | None]:
    if prev is None:
        return dict.fromkeys((*COUNT_DELTAS, *RATE_DELTAS))
    out: dict[str, str | None] = {k: metrics.fmt_delta(cur[k], prev[k]) for k in COUNT_DELTAS}
    for key, (num, den) in RATE_DELTAS.items():
        out[key] = metrics.fmt_pp(metrics.pp_change(metrics.rate(cur[num], cur[den]),
                                                    metrics.rate(prev[num], prev[den])))
    return out


def satisfaction_card(sat: pd.DataFrame) -> SatisfactionCard:
    """satisfaction_overview（新年度在前）→ 总览的满意度卡片：最近一年的得分，与上一测评年度比较。"""
    if sat.empty:
        return SatisfactionCard("—", None, "满意度得分（暂无测评）")
    s0 = sat.iloc[0]
    delta = previous = None
    if len(sat) > 1:
        # the year goes into the caption, not the delta: "-1.1分（较2022年）" takes two lines in a card at 1366
        delta = metrics.fmt_delta(round(s0["score"], 1), round(sat.iloc[1]["score"], 1), "分")
        previous = int(sat.iloc[1]["survey_year"])
    return SatisfactionCard(f"{s0['score']:.1f}分", delta,
                            f"满意度得分（{int(s0['survey_year'])}年，{int(s0['responses'])}份）", previous)


def overview_data(run: Run, f: PageFilters) -> OverviewData:
    cur = run("kpi_overview", **f.params()).iloc[0]
    prev = run("kpi_overview", **f.prev_params()).iloc[0] if f.prev_as_of else None
    sat = run("satisfaction_overview", **f.params())
    stages = run("stage_timeline", campaign_id=f.campaign_id)
    nxt = run("next_deadline", campaign_id=f.campaign_id, as_of=f.as_of).iloc[0]
    trend = run("completion_trend", **f.params())
    units = units_with_lagging(run, f)
    return OverviewData(
        kpi=cur, kpi_prev=prev, deltas=kpi_deltas(cur, prev), satisfaction=satisfaction_card(sat),
        stages=stages, next_deadline=nxt, next_due=to_date(nxt["next_due"]),
        stage_end=to_date(nxt["current_stage_deadline"]), trend=trend, units=units,
        lagging=units[units["lagging_state"] != "绿"],
        n_red=count_state(units, "红"), n_yellow=count_state(units, "黄"), lagging_rules=rules_text(f))
