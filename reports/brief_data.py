"""简报数据：全部数字经 analytics.queries.QueryRunner 执行 queries/*.sql（与看板同一批查询）取得，
口径（整改率、滞后评分、红黄绿）用 analytics.metrics。

“上期”与看板同一条规则（analytics/comparison.py，配置 [reporting] compare_with：上一个周报日或
上一个台账报送日），简报印出同一句对比说明；简报覆盖期为 上期统计日次日 至 本期统计日。

督办事项来自状态库（state.supervision.list_items，按简报的单位范围）：简报开头列出上次例会（上一个周报日）
时在办的事项及其状态、颜色（上次例会以前已销号的不再列），和下次例会（下一个周报日）前到期的事项；
“即将到期”为 N 个工作日内到期的问题、线索（analytics.page_data.supervision.early_warning）。
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from analytics import comparison
from analytics.filters import Filters
from analytics.page_data.overview import overview_data
from analytics.page_data.supervision import EarlyWarning, early_warning, items_with_escalation, rules_for
from analytics.page_data.unit_progress import units_with_lagging
from analytics.queries import QueryRunner, to_date
from analytics.supervision_rules import WAITING
from etl.config import Supervision
from etl.normalize.workdays import working_day_ages

FLAGGED_STATES = ("红", "黄")
# 上期逾期问题的本期状态 → 督办跟踪表的“结果”；其余（未整改、整改中、查不到）为“仍逾期”
FOLLOWUP_OUTCOME = {"已整改": "已整改", "已销号": "已销号", "长期推进": "转为长期推进"}


def previous_report_date(as_of: date, weekday: int) -> date:
    """统计日之前（不含当日）最近的周报日（上次例会）；weekday 1=周一 … 7=周日。"""
    return comparison.previous_weekday(as_of, weekday)


def next_report_date(as_of: date, weekday: int) -> date:
    """统计日之后（不含当日）最近的周报日，即下次例会。"""
    return as_of + timedelta(days=(weekday - as_of.isoweekday()) % 7 or 7)


@dataclass
class SupervisionTrack:
    """督办事项跟踪（简报开头）。"""
    items: pd.DataFrame      # 上次例会时在办或此后销号的事项 + colour、working_days_left、overdue、state_label
    due_next: pd.DataFrame   # 其中下次例会前（统计日至 next_report）到期、单位尚未反馈（督办中）的事项
    last_meeting: date       # 上次例会（上一个周报日）
    next_report: date        # 下次例会（下一个周报日）
    rules: Supervision


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
    prev_as_of: date | None            # 上期（analytics.comparison 的规则，与看板相同）；没有上期数据时 None
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
    supervision: SupervisionTrack | None = None   # 督办事项（状态库）
    warning: EarlyWarning | None = None           # 即将到期 / 已逾期的问题、线索
    scope_name: str | None = None                 # 单位账号的简报：该单位名称（简报只含该单位）
    prev_given: bool = False                      # 上期日期由使用者指定（命令行 --prev），不按规则

    @property
    def compared(self) -> str:
        """“与上期（2023-11-02，上一个周报日）相比”：与看板侧栏、总览印的同一句。"""
        return comparison.sentence(self.campaign, self.as_of, self.prev_as_of, self.prev_given)

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


def supervision_track(items: pd.DataFrame, as_of: date, weekday: int, rules: Supervision) -> SupervisionTrack:
    """list_items 的结果 → 简报要列的事项：上次例会以前（含当日）已销号的不列；下次例会前到期的另列。
    closed_at 是销号的实际时间（状态库），与统计日比较：简报在统计日前后生成时即“上次例会以来”。"""
    last, nxt = previous_report_date(as_of, weekday), next_report_date(as_of, weekday)
    closed_day = [None if pd.isna(t) else t.date() for t in items["closed_at"]]
    keep = [s != "已销号" or (d is not None and d > last) for s, d in zip(items["status"], closed_day, strict=True)]
    tracked = items_with_escalation(items[pd.Series(keep, index=items.index, dtype=bool)].reset_index(drop=True),
                                    as_of, rules)
    days = [to_date(d) for d in tracked["deadline"]]
    due = [s == WAITING and as_of <= d <= nxt for s, d in zip(tracked["status"], days, strict=True)]
    due_next = tracked[pd.Series(due, index=tracked.index, dtype=bool)].reset_index(drop=True)
    return SupervisionTrack(tracked, due_next, last, nxt, rules)


def _supervision(store, campaign_id: str, as_of: date, weekday: int, scope_unit) -> SupervisionTrack:
    from state.store import open_store
    from state.supervision import list_items

    store = store if store is not None else open_store()
    items = list_items(store, campaign_id=campaign_id, scope=scope_unit)
    return supervision_track(items, as_of, weekday, rules_for(campaign_id))


def _scope_name(units: pd.DataFrame, scope_unit) -> str | None:
    if scope_unit is None:
        return None
    uid = getattr(scope_unit, "unit_id", scope_unit)
    names = units.loc[units["unit_id"] == uid, "unit_name"]
    return str(names.iloc[0]) if len(names) else uid


def collect(db_path: str | Path, campaign_id: str, as_of: date, prev_as_of: date | None = None,
            runner: QueryRunner | None = None, scope_unit: str | None = None, store=None) -> BriefData:
    """一期简报的全部数字。prev_as_of 不给时按专项整治的“上期”规则（与看板相同）；scope_unit 给出时只含该单位（单位账号），
    督办事项也只含该单位的；store 为状态库（state.store.StateStore），不给时 open_store()。"""
    own = QueryRunner(db_path) if runner is None else None
    q = (runner or own).scoped(scope_unit)
    try:
        camps = q.run("campaigns")
        row = camps[camps["campaign_id"] == campaign_id]
        if row.empty:
            raise ValueError(f"数据库中没有专项整治：{campaign_id}")
        camp = row.iloc[0].to_dict()
        weekday = comparison.weekday_of(camp)
        snaps = [to_date(d) for d in q.run("snapshot_dates", campaign_id=campaign_id)["as_of_date"]]
        given = prev_as_of is not None
        if given:
            prev_as_of = prev_as_of if any(d is not None and d <= prev_as_of for d in snaps) else None
        else:
            prev_as_of = comparison.previous_date(camp, as_of, snaps)
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
            supervision=_supervision(store, campaign_id, as_of, weekday, scope_unit),
            warning=early_warning(q.run, f),
            scope_name=_scope_name(ov.units, scope_unit),
            prev_given=given,
        )
    finally:
        if own is not None:
            own.close()
