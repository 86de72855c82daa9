"""看板各页面的数据（view model）：每页一个函数，执行该页的查询并做完页面要的计算，返回一个数据类；
不调用 streamlit。页面（pages/*.py）只读控件、调用这些函数、把结果交给图表和表格；页面基准
（bench/page_speed.py）和会议材料调用同一批函数。

每个函数的头两个参数：``run(name, **params) -> DataFrame`` 执行 queries/<name>.sql（看板用
dashboard.db.run_query，带缓存；基准、简报、测试用 analytics.queries.QueryRunner(path).run），
``f`` 为当前筛选（dashboard.filters.Filters 或任何有同样属性的对象，见 PageFilters）。
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

import pandas as pd

Run = Callable[..., pd.DataFrame]


class PageFilters(Protocol):
    """页面数据函数用到的筛选属性（dashboard.filters.Filters 满足）。"""
    campaign_id: str
    as_of: date
    prev_as_of: date | None
    units: tuple[str, ...]
    campaign: dict
    unit_names: dict

    @property
    def min_items(self) -> int: ...

    def params(self, **extra: Any) -> dict: ...

    def prev_params(self, **extra: Any) -> dict | None: ...
