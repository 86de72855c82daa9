"""反弹问题页的数据：反弹数（按单位、问题方面）、当期新发现、随时间变化、反弹与前期问题对照清单。"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.page_data import PageFilters, Run
from analytics.queries import to_date


@dataclass
class RelapseData:
    counts: pd.DataFrame        # relapse_counts：单位 × 问题方面
    trend: pd.DataFrame         # relapse_trend
    trend_shown: pd.DataFrame   # 有反弹的时点（图下的下载数据）
    relapses: pd.DataFrame      # relapse_list：每条反弹与它重复的前期问题
    total: int                  # 反弹问题数
    new_this_period: int        # 当期新发现
    units: int                  # 涉及单位
    done: int                   # 其中已整改或销号


def new_this_period(first_reported, as_of: date, prev_as_of: date | None) -> int:
    """当期新发现：首次报送日期在（上期快照日, 统计日] 之间的反弹问题；没有上期时为截至统计日的全部。"""
    lo = prev_as_of or date.min
    days = (to_date(v) for v in first_reported)
    return sum(1 for d in days if d is not None and lo < d <= as_of)


def relapse_data(run: Run, f: PageFilters) -> RelapseData:
    counts = run("relapse_counts", **f.params())
    trend = run("relapse_trend", **f.params())
    lst = run("relapse_list", **f.params())
    has = not counts.empty
    return RelapseData(
        counts=counts, trend=trend, trend_shown=trend[trend["relapses"] > 0] if not trend.empty else trend,
        relapses=lst,
        total=int(counts["relapses"].sum()) if has else 0,
        new_this_period=new_this_period(lst["first_reported"], f.as_of, f.prev_as_of) if not lst.empty else 0,
        units=int(counts["unit_id"].nunique()) if has else 0,
        done=int(counts["relapses_done"].sum()) if has else 0)
