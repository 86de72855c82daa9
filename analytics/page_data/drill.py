"""下钻：从一个数字到它背后的清单（总览指标卡、滞后单位的柱、县区进度的柱、问题热点的格子、线索漏斗的环节）。

清单来自 queries/drill_problems.sql、drill_leads.sql，与指标用同一口径标志（etl/sql/views.sql），所以
清单的行数就是那个数字；比率指标的清单是它的分母，另有一列标出哪些行计入分子。不调用 streamlit。
“只看逾期”“只看超期办结”“只看红色单位”在这里缩小清单（红色单位按当前筛选的滞后评分）。
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analytics.page_data import PageFilters, Run
from analytics.page_data.unit_progress import units_with_lagging

ONLY_OVERDUE, ONLY_LATE, ONLY_RED = "overdue", "late", "red"
ONLY_LABELS = {ONLY_OVERDUE: "只看逾期", ONLY_LATE: "只看超期办结", ONLY_RED: "只看红色单位"}
NO_UNIT = ""  # 单位编号不会为空：sel_units = [NO_UNIT] 即“没有单位”（只看红色单位而没有红色单位时）


@dataclass(frozen=True)
class Measure:
    """一个可下钻的数字：清单取哪一类（problems / leads）的哪一个计数（SQL 的 $measure）。"""
    kind: str
    measure: str
    title: str
    numerator: str | None = None        # 比率：计入分子的标志列（清单为分母）
    numerator_label: str | None = None  # 该列在表格里的名称


# 总览指标卡（键同 analytics/metrics.py）；比率卡的清单是分母
KPI = {
    "problems": Measure("problems", "problems", "查摆问题"),
    "done": Measure("problems", "done", "已整改+已销号的问题"),
    "closed": Measure("problems", "closed", "已销号的问题"),
    "completion": Measure("problems", "problems", "整改率的分母：全部查摆问题", "is_done", "计入整改率"),
    "overdue": Measure("problems", "overdue", "逾期问题"),
    "leads_received": Measure("leads", "received", "受理的线索"),
    "ontime": Measure("leads", "ontime_due", "按时办结率的分母：已办结或期限已过的线索", "is_on_time", "按时办结"),
    "feedback": Measure("leads", "concluded", "反馈率的分母：已办结的线索", "is_fed_back", "已反馈"),
    "leads_open_overdue": Measure("leads", "overdue_open", "超期未办结的线索"),
    "satisfaction": Measure("satisfaction", "", "各单位满意度得分（最近测评年度）"),
}
# 线索办理漏斗的环节（键同 analytics/page_data/leads.FUNNEL_STEPS）
FUNNEL = {
    "received": Measure("leads", "received", "受理的线索"),
    "assigned": Measure("leads", "assigned", "已交办的线索"),
    "concluded": Measure("leads", "concluded", "已办结的线索"),
    "fed_back": Measure("leads", "fed_back", "已反馈的线索"),
}
# 县区进度“各单位整改率与销号率”的两种柱：该单位全部问题，标出计入分子的
UNIT_RATES = {
    "done": Measure("problems", "problems", "整改率", "is_done", "计入整改率"),
    "closed": Measure("problems", "problems", "销号率", "is_closed", "计入销号率"),
}
# 标志列的中文名（ui.table 的 labels）；单位编号、内部编号只在下载里
LABELS = {"is_done": "已整改或销号", "is_closed": "已销号", "is_on_time": "按时办结", "is_fed_back": "已反馈"}
HIDDEN = ("problem_id", "unit_id", "is_done", "is_closed", "is_on_time", "is_fed_back")
SHOW_ROWS = 1000  # 问题清单在页面上最多显示的行数（大库“全部问题”有十万行）；完整清单用 limit=None 再取一次


@dataclass
class DrillList:
    title: str                  # 清单名（也是下载文件名）
    rows: pd.DataFrame
    counted: int | None = None  # 比率：计入分子的行数
    numerator_label: str | None = None
    notes: list[str] = field(default_factory=list)  # 生效的“只看…”
    total: int | None = None    # 只取了前 len(rows) 行时，清单的全部行数（None = rows 就是全部）

    @property
    def summary(self) -> str:
        if "responses" in self.rows.columns:   # 满意度：单位数与问卷份数
            return f"共 {len(self.rows)} 个单位，{int(self.rows['responses'].sum())} 份"
        unit = "件" if "lead_id" in self.rows.columns else "个"
        text = f"共 {len(self.rows)} {unit}" if self.total is None else f"共 {self.total} {unit}，显示前 {len(self.rows)} {unit}"
        if self.counted is not None:
            text += f"，其中{self.numerator_label} {self.counted} {unit}"
        if self.notes:
            text += "（" + "、".join(self.notes) + "）"
        return text


def red_unit_ids(run: Run, f: PageFilters) -> list[str]:
    """当前筛选下滞后评分为红色的单位。"""
    units = units_with_lagging(run, f)
    return units.loc[units["lagging_state"] == "红", "unit_id"].tolist()


def problem_rows(run: Run, f: PageFilters, measure: str, units=(), category: str = "", manifestation: str = "",
                 channel: str = "", only_overdue: bool = False, limit: int | None = None) -> pd.DataFrame:
    """drill_problems.sql：measure 那一个问题计数背后的问题（units / category … 缩小，空 = 不限），排在最前的
    limit 行（None = 全部）；listed_total 列为全部行数。"""
    return run("drill_problems", **f.params(measure=measure, sel_units=list(units), sel_category=category,
                                           sel_manifestation=manifestation, sel_channel=channel,
                                           only_overdue=bool(only_overdue), limit=limit))


def lead_rows(run: Run, f: PageFilters, measure: str, units=(), only_overdue: bool = False,
              only_late: bool = False) -> pd.DataFrame:
    """drill_leads.sql：measure 那一个线索计数背后的线索（脱敏）。"""
    return run("drill_leads", **f.params(measure=measure, sel_units=list(units), only_overdue=bool(only_overdue),
                                        only_late=bool(only_late)))


def satisfaction_rows(run: Run, f: PageFilters) -> pd.DataFrame:
    """满意度卡片的年度（统计日所在年度及以前最近的测评年度，同 satisfaction_overview.sql）各单位的份数与得分。"""
    years = run("satisfaction_overview", **f.params())
    year = int(years.iloc[0]["survey_year"]) if not years.empty else 0
    return run("drill_satisfaction_units", **f.params(survey_year=year))


def narrow_units(units, red: list[str] | None) -> list[str]:
    """下钻的单位与“只看红色单位”相交；red 为 None 时不限红色。结果为空而 red 给出时为 [NO_UNIT]（没有单位）。"""
    units = list(units)
    if red is None:
        return units
    picked = [u for u in units if u in red] if units else list(red)
    return picked or [NO_UNIT]


def drill_list(run: Run, f: PageFilters, m: Measure, units=(), only: tuple[str, ...] = (), title: str | None = None,
               limit: int | None = None, **narrow) -> DrillList:
    """一个 Measure 的清单；only 中的“只看…”（ONLY_*）再缩小；比率的清单加一列“计入分子”（是/否）。
    limit：问题清单只取排在最前的 limit 行，DrillList.total 为全部行数，summary 写“共 N 个，显示前 M 个”
    （比率清单要数全部行里计入分子的，不截断；线索清单尚不支持）。"""
    if m.kind == "satisfaction":
        return DrillList(title or m.title, satisfaction_rows(run, f))
    red = red_unit_ids(run, f) if ONLY_RED in only else None
    sel = narrow_units(units, red)
    overdue = ONLY_OVERDUE in only
    total = None
    if m.kind == "problems":
        rows = problem_rows(run, f, m.measure, sel, only_overdue=overdue, limit=None if m.numerator else limit,
                            **narrow)
        listed = int(rows["listed_total"].iloc[0]) if len(rows) else 0
        rows = rows.drop(columns="listed_total")
        total = listed if listed > len(rows) else None
        applied = [k for k in (ONLY_OVERDUE, ONLY_RED) if k in only]
    else:
        rows = lead_rows(run, f, m.measure, sel, only_overdue=overdue, only_late=ONLY_LATE in only)
        applied = [k for k in (ONLY_OVERDUE, ONLY_LATE, ONLY_RED) if k in only]
    counted = None
    if m.numerator:
        flags = rows[m.numerator].fillna(False).astype(bool)
        counted = int(flags.sum())
        rows = rows.assign(**{m.numerator_label: flags.map({True: "是", False: "否"})})
        first = ["unit_name", m.numerator_label]  # 计入分子与否放在单位后面，一眼看得到
        rows = rows[first + [c for c in rows.columns if c not in first]]
    return DrillList(title or m.title, rows, counted, m.numerator_label, [ONLY_LABELS[k] for k in applied], total)


def lagging_unit_lists(run: Run, f: PageFilters, unit_id: str, only: tuple[str, ...] = ()) -> list[DrillList]:
    """滞后单位的一根柱 → 该单位尚未完成的问题（逾期的在前）与超期未办结的线索：滞后评分的扣分多出自这两类。"""
    name = f.unit_names.get(unit_id, unit_id)
    return [drill_list(run, f, Measure("problems", "open", "未整改+整改中的问题"), [unit_id], only,
                       title=f"{name}_未整改+整改中的问题"),
            drill_list(run, f, KPI["leads_open_overdue"], [unit_id], only, title=f"{name}_超期未办结的线索")]
