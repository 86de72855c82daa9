"""线索办理页的数据：办理汇总与漏斗、来源构成、各单位按时办结率及明细表、超期未办结（按单位、超期最久的清单，
工作日数）、重复投诉人。投诉人、电话只有脱敏值；重复投诉人按加盐摘要归并，摘要本身不出现。"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics import metrics
from analytics.page_data import PageFilters, Run
from dashboard.charts import leads as lead_charts

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
    rates = metrics.fmt_rate
    return pd.DataFrame({
        "单位": by_unit["unit_name"],
        "受理": by_unit["received"].astype(int),
        "办结": by_unit["concluded"].astype(int),
        "按时办结率": [rates(a, b) for a, b in zip(by_unit["ontime"], by_unit["ontime_den"], strict=True)],
        "反馈率": [rates(a, b) for a, b in zip(by_unit["fed_back"], by_unit["concluded"], strict=True)],
        "属实率": [rates(a, b) for a, b in zip(by_unit["found"], by_unit["with_finding"], strict=True)],
        "超期未办结": by_unit["open_overdue"].astype(int),
        "备注": ["" if metrics.rankable(d, min_items) else f"件数少于{min_items}件，不参与排名"
               for d in by_unit["ontime_den"]],
    })


def overdue_table(run: Run, params: dict, limit: int | None = OD_SHOW) -> pd.DataFrame:
    """超期未办结线索（超期最久的 limit 件，None = 全部）→ 中文列名、关键列在前。"""
    od = lead_charts.add_overdue_ages(run("leads_overdue_open", limit=limit, **params), params["as_of"])
    return od[list(OD_COLUMNS)].rename(columns=OD_COLUMNS)


def repeat_complainants(run: Run, params: dict, limit: int | None = REP_SHOW) -> pd.DataFrame:
    """重复投诉人（脱敏），反映件数最多的在前；limit=None 为全部。"""
    return run("leads_repeat_complainants", limit=limit, **params)


def overdue_data(run: Run, f: PageFilters) -> Overdue | None:
    g = run("leads_overdue_by_unit", **f.params())
    if g.empty:
        return None
    g = lead_charts.add_unit_max_age(g, f.as_of)
    return Overdue(by_unit=g, total=int(g["leads"].sum()), max_age=int(g["max_age"].max()),
                   provisional=bool(g["any_provisional"].any()), table=overdue_table(run, f.params()))


def leads_data(run: Run, f: PageFilters) -> LeadsData:
    limit = int(f.campaign.get("lead_working_days") or 5)
    s = run("leads_summary", **f.params()).iloc[0]
    if int(s["received"]) == 0:
        return LeadsData(limit, s)
    by_unit = run("leads_by_unit", **f.params())
    return LeadsData(
        limit_days=limit, summary=s, funnel=lead_charts.leads_funnel_data(s),
        channels=run("leads_channel_mix", **f.params()), by_unit=by_unit,
        ontime_shown=by_unit[by_unit["ontime_den"] > 0],
        lowest_ontime=metrics.rank_extremes(by_unit, "ontime", "ontime_den", f.min_items, n=EXTREMES,
                                            ascending=True),
        unit_table=unit_table(by_unit, f.min_items), overdue=overdue_data(run, f),
        repeat=repeat_complainants(run, f.params()))
