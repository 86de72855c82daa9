"""简报数据：全部数字经 analytics.queries.QueryRunner 执行 queries/*.sql（与看板同一批查询）取得，
口径（整改率、滞后评分、红黄绿）用 analytics.metrics。

“上期”= 统计日之前最近的一个周报日（方案：每周四报送周报；配置 weekly_report_weekday），
即上一期简报的统计日；简报覆盖期为 上期统计日次日 至 本期统计日。
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from analytics.filters import Filters
from analytics.page_data.overview import overview_data
from analytics.page_data.unit_progress import units_with_lagging
from analytics.queries import QueryRunner, to_date
from etl.normalize.workdays import working_day_ages

FLAGGED_STATES = ("红", "黄")
# 上期逾期问题的本期状态 → 督办跟踪表的“结果”；其余（未整改、整改中、查不到）为“仍逾期”
FOLLOWUP_OUTCOME = {"已整改": "已整改", "已销号": "已销号", "长期推进": "转为长期推进"}


def previous_report_date(as_of: date, weekday: int) -> date:
    """统计日之前（不含当日）最近的周报日；weekday 1=周一 … 7=周日。"""
    delta = (as_of.isoweekday() - weekday) % 7 or 7
    return as_of - timedelta(days=delta)


@dataclass
class FollowUp:
    """上期督办事项跟踪。"""
    units: pd.DataFrame      # 上期红/黄单位：unit_name, prev_state, prev_score, prev_reasons, state, score, change
    problems: pd.DataFrame   # 上期逾期问题：unit_name, case_text, deadline, prev_status, status, outcome


@dataclass
class BriefData:
    campaign_id: str
    campaign: dict                     # campaigns 表一行：简报用到的方案设置都从这里取（与页面同源）
    as_of: date
    prev_as_of: date | None            # 上期简报统计日；没有上期数据时 None
    kpi: pd.Series
    kpi_prev: pd.Series | None
    units: pd.DataFrame                # unit_progress + add_lagging
    units_prev: pd.DataFrame | None
    trend: pd.DataFrame                # completion_trend
    overdue: pd.DataFrame              # brief_overdue_problems
    leads_overdue: pd.DataFrame        # brief_leads_overdue + working_days_overdue
    relapses: pd.DataFrame             # relapse_list
    satisfaction: pd.DataFrame         # brief_satisfaction_units（可能为空）
    stage: pd.Series                   # next_deadline
    followup: FollowUp | None

    @property
    def min_items(self) -> int:
        return int(self.campaign.get("min_items") or 0)

    @property
    def lagging(self) -> pd.DataFrame:
        d = self.units[self.units["lagging_state"].isin(FLAGGED_STATES)]
        return d.sort_values(["lagging_score", "overdue"], ascending=False, kind="stable")

    @property
    def week_gap(self) -> int | None:
        return None if self.prev_as_of is None else (self.as_of - self.prev_as_of).days


def _followup(q: QueryRunner, cid: str, as_of: date, units: pd.DataFrame,
              units_prev: pd.DataFrame, prev_overdue: pd.DataFrame) -> FollowUp:
    cur = units.set_index("unit_id")
    rows = []
    flagged = units_prev[units_prev["lagging_state"].isin(FLAGGED_STATES)]
    for _, p in flagged.sort_values(["lagging_score"], ascending=False, kind="stable").iterrows():
        c = cur.loc[p["unit_id"]]
        ps, cs = int(p["lagging_score"]), int(c["lagging_score"])
        change = "已改善" if cs < ps else ("加重" if cs > ps else "未改善")
        if c["lagging_state"] == "绿":
            change = "已改善（转为绿色）"
        rows.append({"unit_id": p["unit_id"], "unit_name": p["unit_name"],
                     "prev_state": p["lagging_state"], "prev_score": ps,
                     "prev_reasons": p["lagging_reasons"], "state": c["lagging_state"], "score": cs,
                     "reasons": c["lagging_reasons"], "change": change})
    fu_units = pd.DataFrame(rows, columns=["unit_id", "unit_name", "prev_state", "prev_score", "prev_reasons",
                                           "state", "score", "reasons", "change"])
    now = q.run("brief_problem_status", campaign_id=cid, as_of=as_of,
                problem_ids=prev_overdue["problem_id"].tolist() or [""])
    now = now.set_index("problem_id")
    prow = []
    for _, p in prev_overdue.iterrows():
        st = now.loc[p["problem_id"], "status"] if p["problem_id"] in now.index else None
        outcome = FOLLOWUP_OUTCOME.get(st, "仍逾期")
        prow.append({"problem_id": p["problem_id"], "unit_name": p["unit_name"], "category": p["category"],
                     "case_text": p["case_text"], "deadline": p["deadline"], "prev_status": p["status"],
                     "status": st, "outcome": outcome})
    fu_problems = pd.DataFrame(prow, columns=["problem_id", "unit_name", "category", "case_text", "deadline",
                                              "prev_status", "status", "outcome"])
    return FollowUp(fu_units, fu_problems)


def collect(db_path: str | Path, campaign_id: str, as_of: date, prev_as_of: date | None = None,
            runner: QueryRunner | None = None, scope_unit: str | None = None) -> BriefData:
    """一期简报的全部数字。prev_as_of 不给时取上一个周报日；scope_unit 给出时只含该单位（单位账号）。"""
    own = QueryRunner(db_path) if runner is None else None
    q = (runner or own).scoped(scope_unit)
    try:
        camps = q.run("campaigns")
        row = camps[camps["campaign_id"] == campaign_id]
        if row.empty:
            raise ValueError(f"数据库中没有专项整治：{campaign_id}")
        camp = row.iloc[0].to_dict()
        weekday = int(camp.get("weekly_report_weekday") or 4)
        if prev_as_of is None:
            prev_as_of = previous_report_date(as_of, weekday)
        snaps = q.run("snapshot_dates", campaign_id=campaign_id)
        first_snap = to_date(snaps["as_of_date"].min()) if not snaps.empty else None
        if first_snap is None or prev_as_of < first_snap:
            prev_as_of = None  # 上期时还没有任何台账：不比较
        # The brief states what the overview shows: the same page-data function, campaign-wide.
        f = Filters(campaign_id, as_of, prev_as_of, campaign=camp)
        p = f.params()
        ov = overview_data(q.run, f)
        units_prev = followup = None
        if prev_as_of is not None:
            pp = f.prev_params()
            units_prev = units_with_lagging(q.run, f, pp)
            prev_overdue = q.run("brief_overdue_problems", **pp)
            followup = _followup(q, campaign_id, as_of, ov.units, units_prev, prev_overdue)
        leads = q.run("brief_leads_overdue", **p)
        leads["working_days_overdue"] = working_day_ages(leads["due_date"], as_of)
        return BriefData(
            campaign_id=campaign_id, campaign=camp, as_of=as_of, prev_as_of=prev_as_of,
            kpi=ov.kpi, kpi_prev=ov.kpi_prev, units=ov.units, units_prev=units_prev,
            trend=ov.trend,
            overdue=q.run("brief_overdue_problems", **p),
            leads_overdue=leads,
            relapses=q.run("relapse_list", **p),
            satisfaction=q.run("brief_satisfaction_units", **p),
            stage=ov.next_deadline,
            followup=followup,
        )
    finally:
        if own is not None:
            own.close()
