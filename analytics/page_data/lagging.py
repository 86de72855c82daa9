"""各单位进度加滞后评分：总览和县区进度两页共用（口径在 analytics.metrics）。"""
from __future__ import annotations

import pandas as pd

from analytics import metrics
from analytics.page_data import PageFilters, Run


def units_with_lagging(run: Run, f: PageFilters, params: dict | None = None) -> pd.DataFrame:
    """unit_progress.sql（默认按当前筛选）+ 滞后评分、红黄绿状态、扣分项。"""
    return metrics.add_lagging(run("unit_progress", **(params or f.params())), f.min_items)


def count_state(units: pd.DataFrame, state: str) -> int:
    return int((units["lagging_state"] == state).sum())


def rules_text() -> list[str]:
    """滞后评分规则（红 / 黄 / 绿），逐条。"""
    return list(metrics.LAGGING_RULES_TEXT)
