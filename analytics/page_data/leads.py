"""线索办理页的数据：办理汇总与漏斗、来源构成、各单位按时办结率及明细表、超期未办结（按单位、超期最久的清单，
工作日数）、重复投诉人。投诉人、电话只有脱敏值；重复投诉人按加盐摘要归并，摘要本身不出现。"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics import metrics
from analytics.page_data import PageFilters, Run
from etl.normalize.workdays import working_day_ages

OD_SHOW = 200          # 超期未办结线索表格显示的行数（超期最久的在前）；完整清单在下载里
OD_TOP_UNITS = 30      # 超期件数图最多画的单位数
ONTIME_TOP_UNITS = 30  # 按时办结率图最多画的单位数（最低的在前）
REP_SHOW = 20          # 重复投诉人表格显示的人数；全部名单在下载里（点击时才查询）
EXTREMES = 3           # 按时办结率最低的单位列几个
# 超期清单的列：关键列在前
OD_COLUMNS = {
    "overdue_workdays": "超期工作日", "unit_name": "单位", "lead_id": "线索编号",
    "complainant_masked": "投诉人（脱敏）", "phone_masked": "电话（脱敏）", "channel": "来源渠道",
    "category": "问题方面", "summary": "问题摘要", "assigned_date": "交办日期", "due_date": "办理期限",
    "workdays_since_assigned": "交办后工作日",
}


@dataclass
class Overdue:
    by_unit: pd.DataFrame      # leads_overdue_by_unit + max_age（最长超期工作日）
    total: int                 # 超期未办结件数
    max_age: int               # 最长超期工作日
    provisional: bool          # 有线索所在年度的节假日安排尚未公布（期限按周一至周五推算）
    table: pd.DataFrame        # 超期最久的 OD_SHOW 件（中文列，超期由长到短）


@dataclass
class LeadsData:
    limit_days: int                   # 办结时限（工作日）
    summary: pd.Series                # leads_summary 一行
    funnel: pd.DataFrame | None = None
    channels: pd.DataFrame | None = None       # leads_channel_mix
    by_unit: pd.DataFrame | None = None        # leads_by_unit
    ontime_shown: pd.DataFrame | None = None   # 有期限已到或已办结线索的单位（按时办结率图的数据）
    lowest_ontime: pd.DataFrame | None = None  # 按时办结率最低的单位（可排名的）
    unit_table: pd.DataFrame | None = None     # 各单位明细表（中文列）
    overdue: Overdue | None = None             # 没有超期未办结线索时 None
    repeat: pd.DataFrame | None = None         # 反映件数最多的前 REP_SHOW 位重复投诉人（脱敏）

    @property
    def empty(self) -> bool:
        return int(self.summary["received"]) == 0

    @property
    def many_units(self) -> bool:
        return len(self.ontime_shown) > ONTIME_TOP_UNITS


def unit_table(by_unit: pd.DataFrame, min_items: int) -> pd.DataFrame:
    rates = metrics.fmt_rates
    return pd.DataFrame({
        "单位": by_unit["unit_name"],
        "受理": by_unit["received"].astype(int),
        "办结": by_unit["concluded"].astype(int),
        "按时办结率": rates(by_unit["leads_ontime"], by_unit["leads_ontime_den"]),
        "反馈率": rates(by_unit["fed_back"], by_unit["concluded"]),
        "属实率": rates(by_unit["found"], by_unit["with_finding"]),
        "超期未办结": by_unit["open_overdue"].astype(int),
        "备注": ["" if metrics.rankable(d, min_items) else f"件数少于{min_items}件，不参与排名"
               for d in by_unit["leads_ontime_den"].tolist()],
    })


def overdue_table(run: Run, params: dict, limit: int | None = OD_SHOW) -> pd.DataFrame:
    """超期未办结线索（超期最久的 limit 件，None = 全部）→ 中文列名、关键列在前。"""
    od = add_overdue_ages(run("leads_overdue_open", limit=limit, **params), params["as_of"])
    return od[list(OD_COLUMNS)].rename(columns=OD_COLUMNS)


def repeat_complainants(run: Run, params: dict, limit: int | None = REP_SHOW) -> pd.DataFrame:
    """重复投诉人（脱敏），反映件数最多的在前；limit=None 为全部。"""
    return run("leads_repeat_complainants", limit=limit, **params)


def overdue_data(run: Run, f: PageFilters) -> Overdue | None:
    g = run("leads_overdue_by_unit", **f.params())
    if g.empty:
        return None
    g = add_unit_max_age(g, f.as_of)
    return Overdue(by_unit=g, total=int(g["leads"].sum()), max_age=int(g["max_age"].max()),
                   provisional=bool(g["any_provisional"].any()), table=overdue_table(run, f.params()))


def leads_data(run: Run, f: PageFilters) -> LeadsData:
    limit = int(f.campaign.get("lead_working_days") or 5)
    s = run("leads_summary", **f.params()).iloc[0]
    if int(s["received"]) == 0:
        return LeadsData(limit, s)
    by_unit = run("leads_by_unit", **f.params())
    return LeadsData(
        limit_days=limit, summary=s, funnel=leads_funnel_data(s),
        channels=run("leads_channel_mix", **f.params()), by_unit=by_unit,
        ontime_shown=by_unit[by_unit["leads_ontime_den"] > 0],
        lowest_ontime=metrics.rank_extremes(by_unit, "leads_ontime", "leads_ontime_den", f.min_items, n=EXTREMES,
                                            ascending=True),
        unit_table=unit_table(by_unit, f.min_items), overdue=overdue_data(run, f),
        repeat=repeat_complainants(run, f.params()))


# ------------------------------------------------------------------ funnel and working-day ages
FUNNEL_STEPS = [("received", "受理"), ("assigned", "交办"), ("concluded", "办结"), ("fed_back", "已反馈")]


def leads_funnel_data(summary: pd.Series) -> pd.DataFrame:
    """leads_summary.sql 的一行 → 漏斗各步（件数、占受理的比例）。"""
    base = int(summary["received"])
    rows = [{"step": label, "leads": int(summary[col]),
             "share_of_received": (int(summary[col]) / base) if base else None}
            for col, label in FUNNEL_STEPS]
    return pd.DataFrame(rows)


def add_unit_max_age(g: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """leads_overdue_by_unit.sql → 加 max_age（最早办理期限到统计日的工作日数，即该单位最长超期工作日）。"""
    g = g.copy()
    g["max_age"] = workday_ages(g["oldest_due"], as_of)
    return g


def workday_ages(values: pd.Series, as_of: date, fallback: pd.Series | None = None) -> np.ndarray:
    """日期列 → 每个日期之后到统计日（含）的工作日数（working_day_ages：国务院节假日安排，含调休）。

    fallback：values 为空时改用的日期列（如交办日期为空时用受理日期）。日期都为空的行为 -1。
    先取不同的日期再算（大库 6.8 万条线索只有几百个不同日期；逐行取值要慢几十倍）。
    """
    d = pd.to_datetime(values)
    if fallback is not None:
        d = d.fillna(pd.to_datetime(fallback))
    codes, uniques = pd.factorize(d)
    ages = np.array(working_day_ages(uniques, as_of) + [-1], dtype=int)
    return ages[codes]                                # code -1（空日期）取最后一个元素 -1


def add_overdue_ages(od: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """leads_overdue_open.sql → 加 overdue_workdays（超期工作日）、workdays_since_assigned（交办后工作日），
    按超期由长到短、线索编号排序。"""
    od = od.copy()
    od["overdue_workdays"] = workday_ages(od["due_date"], as_of)
    od["workdays_since_assigned"] = workday_ages(od["assigned_date"], as_of, fallback=od["received_date"])
    return od.sort_values(["overdue_workdays", "lead_id"], ascending=[False, True]).reset_index(drop=True)
