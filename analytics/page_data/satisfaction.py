"""满意度页的数据：测评年度、各单位排名（样本量、95% 置信区间、满意度低的判定）、排名表及其列宽、
单位 × 维度得分、逐年对比。没有逐份问卷、只有满意度汇总表的单位标“来自汇总表”。"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from analytics.page_data import PageFilters, Run
from analytics.text_width import widest

TABLE_PX = 880          # 1366 宽屏（会议投影）下正文表格的可用宽度，排名表各列合计不超过它（放不下时“说明”换行）
MAX_CHART_UNITS = 30    # 图中最多画的单位数


@dataclass
class SurveyYears:
    years: list[int]               # 有测评的年度（统计日所在年度及以前），新的在前；空 = 没有测评
    responses: dict[int, int]      # 年度 → 问卷份数


@dataclass
class RankTableLayout:
    """排名表的列宽（像素）与行高：“说明”占剩余宽度，放不下时加高行、自动换行（行高 > 4rem 时表格才换行）。"""
    widths: dict[str, int]
    reason_width: int
    wrap: bool
    row_height: int
    height: int | str


@dataclass
class SatisfactionData:
    """排名部分在构造时算好；分维度得分和逐年对比（dimensions、yoy 及由它们派生的属性）第一次用到时才查询：
    页面先画出排名图再查这两项，会议模式的满意度页只用排名。"""
    year: int
    low_below: float                # 低于此分为满意度低
    low_bottom: int                 # 倒数几位为满意度低
    min_responses: int              # 少于此份数为样本不足
    ranking: pd.DataFrame           # satisfaction_ranking（所选单位）
    overall: pd.DataFrame           # satisfaction_overview 该年度一行（或空）
    low: pd.DataFrame               # 满意度低的单位
    insufficient: pd.DataFrame      # 样本不足、不参与排名的单位
    weak_small: pd.DataFrame        # 样本不足且得分低于 low_below（仅供参考）
    from_summary: pd.DataFrame      # 来自汇总表的单位
    respondents: int                # 问卷份数合计
    charted: pd.DataFrame           # 图中画的单位（单位很多时只画得分最低的 MAX_CHART_UNITS 个）
    table: pd.DataFrame             # 排名表（中文列）
    layout: RankTableLayout
    run: Run = field(repr=False, compare=False)
    filters: PageFilters = field(repr=False, compare=False)

    @cached_property
    def dimensions(self) -> pd.DataFrame:
        """satisfaction_dimensions（全部所选单位）"""
        return self.run("satisfaction_dimensions", campaign_id=self.filters.campaign_id, survey_year=self.year,
                        units=list(self.filters.units))

    @cached_property
    def dimensions_charted(self) -> pd.DataFrame:
        return self._charted_only(self.dimensions)

    @cached_property
    def dimension_order(self) -> list[str]:
        """方案中的维度顺序；读不到方案时空（按字母序）"""
        return dimension_order(self.filters.campaign_id)

    @cached_property
    def yoy(self) -> pd.DataFrame:
        """satisfaction_yoy"""
        return self.run("satisfaction_yoy", **self.filters.params())

    @cached_property
    def yoy_charted(self) -> pd.DataFrame:
        return self._charted_only(self.yoy)

    @cached_property
    def change(self) -> pd.DataFrame | None:
        """逐年变化表（中文列）；该年度的单位此前都没有测评时 None"""
        return change_table(self.yoy, self.year)

    def _charted_only(self, df: pd.DataFrame) -> pd.DataFrame:
        """图中画的单位的行（单位很多、图只画一部分时）。"""
        return df[df["unit_id"].isin(set(self.charted["unit_id"]))] if self.chart_limited else df

    @property
    def chart_limited(self) -> bool:
        return len(self.charted) < len(self.ranking)

    @property
    def worst_dimension(self) -> pd.Series | None:
        """得分最低的单位 × 维度。"""
        return None if self.dimensions.empty else self.dimensions.sort_values("score").iloc[0]

    @property
    def multi_year(self) -> bool:
        return self.yoy["survey_year"].nunique() >= 2


def column_px(texts: pd.Series, size: int = 14) -> int:
    """一列文字在表格里最宽的一个（像素，向上取整；表格字号 14）。"""
    return math.ceil(widest(texts.tolist(), size))


def count_or_na(values: pd.Series) -> pd.Series:
    """份数列：整数；汇总表未填样本量的显示为空。"""
    return values.astype("Int64")


def sample_text(r) -> str:
    """“12份问卷” / 汇总表单位 “样本120份，来自汇总表” / “未填样本量，来自汇总表”。"""
    if r.get("source") != "汇总表":
        return f"{int(r['respondents'])}份问卷"
    return ("未填样本量" if pd.isna(r["respondents"]) else f"样本{int(r['respondents'])}份") + "，来自汇总表"


def yoy_change(v: float) -> str:
    """较上年变化（已保留一位小数）→ “+2.1”“-0.6”；0.0 显示“持平”。"""
    return "持平" if v == 0 else f"{v:+.1f}"


def unit_state(rankable, respondents, is_low) -> str:
    if not rankable:
        return "样本不足" if not pd.isna(respondents) else "未填样本量"
    return "满意度低" if is_low else "正常"


def ranking_table(rank: pd.DataFrame) -> pd.DataFrame:
    def col(c: str) -> list:      # 逐个取值先转成 list：逐个迭代 Arrow 字符串列很慢
        return rank[c].tolist()

    return pd.DataFrame({
        "排名": ["—" if pd.isna(v) else str(int(v)) for v in col("rank")],
        "单位": rank["unit_name"],
        "满意度得分": rank["score"].round(1),
        "95%置信区间": [("—" if pd.isna(lo) else f"{lo:.1f}～{hi:.1f}")
                     for lo, hi in zip(col("ci_low"), col("ci_high"), strict=True)],
        "问卷份数": count_or_na(rank["respondents"]),
        "状态": [unit_state(*r) for r in zip(col("rankable"), col("respondents"), col("is_low"), strict=True)],
        "说明": ["；".join(t for t in (note, reason) if isinstance(t, str) and t) or "—"
               for note, reason in zip(col("source_note"), col("low_reason"), strict=True)],
    })


def ranking_layout(table: pd.DataFrame) -> RankTableLayout:
    widths = {"排名": 44, "单位": min(240, column_px(table["单位"]) + 16), "满意度得分": 80,
              "95%置信区间": 96, "问卷份数": 72, "状态": 72}
    reason_avail = max(240, TABLE_PX - sum(widths.values()))
    reason_px = column_px(table["说明"]) + 16
    wrap = reason_px > reason_avail
    row_h = 70 if wrap else 35
    return RankTableLayout(widths=widths, reason_width=min(reason_px, reason_avail), wrap=wrap, row_height=row_h,
                           height=min(800, len(table) * row_h + 38) if wrap else "auto")


def change_table(yoy: pd.DataFrame, year: int) -> pd.DataFrame | None:
    """该年度有上一次测评的单位：上年得分、本年得分、变化（降得最多的在前）。"""
    cur = yoy[(yoy["survey_year"] == year) & yoy["prev_score"].notna()]
    if cur.empty:
        return None
    cur = cur.assign(_chg=cur["change"].round(1)).sort_values(["_chg", "sort_order"])
    return pd.DataFrame({
        "单位": cur["unit_name"],
        "对比年度": [f"{int(p)}年 → {year}年" for p in cur["prev_year"].tolist()],
        "上年得分": [f"{v:.1f}" for v in cur["prev_score"].tolist()],
        f"{year}年得分": [f"{v:.1f}" for v in cur["score"].tolist()],
        "变化（分）": [yoy_change(v) for v in cur["_chg"].tolist()],
        f"{year}年问卷份数": count_or_na(cur["respondents"]),
    })


def dimension_order(campaign_id: str) -> list[str]:
    try:
        from etl.config import load_campaign

        return list(load_campaign(campaign_id).survey.dimensions)
    except Exception:  # noqa: BLE001 — config missing: alphabetical order is fine
        return []


def survey_years(run: Run, f: PageFilters) -> SurveyYears:
    years = run("satisfaction_years", **f.params())
    opts = [int(y) for y in years["survey_year"]]
    return SurveyYears(opts, dict(zip(opts, (int(n) for n in years["responses"]), strict=True)))


def satisfaction_data(run: Run, f: PageFilters, year: int) -> SatisfactionData | None:
    """所选年度的满意度数据；所选单位该年度没有排名数据时 None。"""
    camp = f.campaign
    rank = run("satisfaction_ranking", campaign_id=f.campaign_id, survey_year=year, units=list(f.units))
    overall = run("satisfaction_overview", **f.params())
    if rank.empty:
        return None
    low_below = camp.get("survey_low_score_below")
    insufficient = rank[~rank["rankable"]]
    # 单位很多时（全省推广）图只画得分最低的一批：它们才是约谈对象；完整排名在表格和下载里。
    charted = rank
    if len(rank) > MAX_CHART_UNITS:
        lowest = set(rank.nsmallest(MAX_CHART_UNITS, "score")["unit_id"])
        charted = rank[rank["unit_id"].isin(lowest)]
    table = ranking_table(rank)
    return SatisfactionData(
        year=year, low_below=low_below, low_bottom=int(camp.get("survey_low_rank_bottom")),
        min_responses=int(camp.get("survey_min_responses")),
        ranking=rank, overall=overall[overall["survey_year"] == year],
        low=rank[rank["is_low"].fillna(False)], insufficient=insufficient,
        weak_small=insufficient[insufficient["score"] < low_below],
        from_summary=rank[rank["source"] == "汇总表"], respondents=int(rank["respondents"].sum()),
        charted=charted, table=table, layout=ranking_layout(table), run=run, filters=f)
