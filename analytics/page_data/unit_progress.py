"""县区进度页的数据：各单位滞后评分与红黄绿、整改率最低/最高、单位表、趋势、台账报送明细；选定单位的明细。"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analytics import lagging, metrics
from analytics.page_data import PageFilters, Run
from analytics.page_data.table_layout import Col, TableLayout, fit

TREND_UNITS = 10    # 趋势图最多画的单位数
EXTREMES = 3        # 整改率最低/最高各列几个单位

# 县区进度表（metrics.unit_table 的 14 列）在 1366 宽投影下一次放不下：分成三组列，每组整张放得下；
# 单位、状态每组都有；下载的是全部列。
_UNIT = Col("单位", min_px=130, max_px=230, wrap=True)
_STATE = Col("状态", min_px=58)
UNIT_TABLE_VIEWS: dict[str, list[Col]] = {
    "评分与整改": [_UNIT, _STATE, Col("滞后评分", min_px=90), Col("扣分项", min_px=160, wrap=True), Col("整改率"),
               Col("逾期问题")],
    "问题整改": [_UNIT, _STATE, Col("查摆问题数"), Col("整改率"), Col("销号率"), Col("逾期问题"), Col("反弹问题"),
             Col("备注", min_px=80, wrap=True)],
    "线索与报送": [_UNIT, _STATE, Col("台账报送", min_px=150, wrap=True), Col("线索按时办结率"), Col("反馈率"),
              Col("超期未办结线索")],
}


def units_with_lagging(run: Run, f: PageFilters, params: dict | None = None) -> pd.DataFrame:
    """unit_progress.sql（默认按当前筛选）+ 滞后评分、红黄绿状态、扣分项（按该专项整治配置的规则）。"""
    return lagging.add_lagging(run("unit_progress", **(params or f.params())), f.min_items,
                               lagging.for_campaign(f.campaign_id))


def count_state(units: pd.DataFrame, state: str) -> int:
    return int((units["lagging_state"] == state).sum())


def rules_text(f: PageFilters) -> list[str]:
    """该专项整治的滞后评分规则（各扣分项、红 / 黄 / 绿分数线），逐条，与评分出自同一张表。"""
    return lagging.rules_text(lagging.for_campaign(f.campaign_id), f.min_items)


@dataclass
class UnitProgressData:
    units: pd.DataFrame                        # unit_progress + 滞后评分；空时其余字段为空
    n_red: int = 0
    n_yellow: int = 0
    reports_missed: int = 0
    lowest: pd.DataFrame = field(default_factory=pd.DataFrame)    # 整改率最低的单位（可排名的）
    highest: pd.DataFrame = field(default_factory=pd.DataFrame)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)     # 县区进度表（中文列，最滞后的在前）
    with_problems: pd.DataFrame = field(default_factory=pd.DataFrame)  # 整改率图的数据
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)     # unit_trend：所选或最滞后的单位
    trend_note: str = ""
    detail_unit_ids: list[str] = field(default_factory=list)      # 有问题或线索的单位（明细的选择框）
    lagging_rules: list[str] = field(default_factory=list)
    lagging_max: int = 0                       # 滞后评分的满分（各项上限之和）

    def unit_row(self, unit_id: str) -> pd.Series:
        return self.units[self.units["unit_id"] == unit_id].iloc[0]


@dataclass
class UnitDetail:
    problems: pd.DataFrame   # unit_problems
    history: pd.DataFrame    # problem_history
    leads: pd.DataFrame      # unit_leads（投诉人、电话已脱敏）


def unit_progress_data(run: Run, f: PageFilters) -> UnitProgressData:
    units = units_with_lagging(run, f)
    rules = lagging.for_campaign(f.campaign_id)
    if units.empty:
        return UnitProgressData(units, lagging_rules=rules_text(f), lagging_max=lagging.max_score(rules))
    # 趋势图只画所选单位，或（未选单位时）最滞后的 TREND_UNITS 个单位——只查询这些单位
    trend_ids, trend_note = metrics.trend_units(units, f.units, n=TREND_UNITS)
    trend = run("unit_trend", **f.params(units=trend_ids)) if trend_ids else units.iloc[0:0]
    with_data = units[(units["problems"] > 0) | (units["leads_received"] > 0)]
    return UnitProgressData(
        units=units, n_red=count_state(units, "红"), n_yellow=count_state(units, "黄"),
        reports_missed=int(units["reports_missed"].sum()),
        lowest=metrics.rank_extremes(units, "done", "problems", f.min_items, n=EXTREMES, ascending=True),
        highest=metrics.rank_extremes(units, "done", "problems", f.min_items, n=EXTREMES, ascending=False),
        table=metrics.unit_table(units.sort_values(["lagging_score", "overdue"], ascending=False), f.min_items),
        with_problems=units[units["problems"] > 0], trend=trend, trend_note=trend_note,
        detail_unit_ids=with_data["unit_id"].tolist(), lagging_rules=rules_text(f),
        lagging_max=lagging.max_score(rules))


def report_detail(run: Run, f: PageFilters) -> pd.DataFrame:
    """台账报送明细（每个单位、每个报送节点一行）：只在页面上展开这一栏时才查（全国 3000 个单位约 50 ms）。"""
    return run("ledger_report_punctuality", **f.params())


def unit_table_view(table: pd.DataFrame, view: str) -> TableLayout:
    """县区进度表的一组列（UNIT_TABLE_VIEWS）在这张表（可能只有红色单位）上的列宽与行高。"""
    return fit(table, UNIT_TABLE_VIEWS[view])


def unit_detail(run: Run, f: PageFilters, unit_id: str) -> UnitDetail:
    p = f.params(unit_id=unit_id)
    return UnitDetail(run("unit_problems", **p), run("problem_history", **p), run("unit_leads", **p))
