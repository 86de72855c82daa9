"""“上期”：看板的变化箭头和简报的“较上期”都用这里的同一条规则，并印出同一句对比说明。

规则由专项整治配置 [reporting] compare_with 选定（campaigns 表的 compare_with 列）：
- weekly：统计日之前（不含当日）最近的周报日（weekly_report_weekday，1=周一 … 7=周日）；
- report_period：统计日之前（不含当日）最近的一期（queries/snapshot_dates.sql 的统计日选项：
  每个台账报送节点加宽限天数截止为一期）。
snapshot_dates 即那张查询的日期（看板侧栏的统计日选项）。上期那天及以前还没有一期台账时不比较（None）：
只有部分单位报了首份台账时比较，“较上期”全是新增，没有意义。
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

WEEKLY, REPORT_PERIOD = "weekly", "report_period"
RULE_NAMES = {WEEKLY: "上一个周报日", REPORT_PERIOD: "上一个台账报送期"}
DEFAULT_WEEKDAY = 4  # 周四


def rule_of(campaign: Mapping) -> str:
    """campaigns 表一行的 compare_with；旧库没有该列或为空时按 report_period（看板原来的规则）。"""
    rule = campaign.get("compare_with") or REPORT_PERIOD
    return rule if rule in RULE_NAMES else REPORT_PERIOD


def weekday_of(campaign: Mapping) -> int:
    return int(campaign.get("weekly_report_weekday") or DEFAULT_WEEKDAY)


def previous_weekday(as_of: date, weekday: int) -> date:
    """统计日之前（不含当日）最近的周报日；weekday 1=周一 … 7=周日。"""
    return as_of - timedelta(days=(as_of.isoweekday() - weekday) % 7 or 7)


def previous_date(campaign: Mapping, as_of: date, snapshot_dates: Iterable[date]) -> date | None:
    """与统计日 as_of 比较的“上期”日期；没有上期数据时 None。snapshot_dates：该专项整治各期的统计日。"""
    snaps = [d for d in snapshot_dates if d is not None]
    if rule_of(campaign) == WEEKLY:
        prev = previous_weekday(as_of, weekday_of(campaign))
        return prev if any(d <= prev for d in snaps) else None  # 上个周报日及以前还没有一期台账：不比较
    earlier = [d for d in snaps if d < as_of]
    return max(earlier) if earlier else None


def sentence(campaign: Mapping, as_of: date, prev: date | None, given: bool = False) -> str:
    """印在看板和简报上的对比说明：“与上期（2023-11-02，上一个周报日）相比”；
    没有上期时说明原因。given：上期日期由使用者指定（简报命令行 --prev），不按规则。"""
    rule = rule_of(campaign)
    if prev is None:
        if rule == WEEKLY:
            wanted = previous_weekday(as_of, weekday_of(campaign))
            return f"上一个周报日（{wanted:%Y-%m-%d}）及以前还没有一期台账，不与上期比较"
        return "统计日之前没有更早的一期台账，不与上期比较"
    return f"与上期（{prev:%Y-%m-%d}，{'指定的对比日' if given else RULE_NAMES[rule]}）相比"
