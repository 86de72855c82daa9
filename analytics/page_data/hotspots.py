"""问题热点页的数据：问题方面 × 单位矩阵、表现形式帕累托、来源渠道构成、下钻选择框的选项；按选择列出问题。"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.page_data import PageFilters, Run


@dataclass
class HotspotsData:
    matrix: pd.DataFrame            # hotspot_matrix
    pareto: pd.DataFrame            # manifestation_pareto
    channels: pd.DataFrame          # channel_mix
    unit_ids_by_name: dict[str, str]
    # 下钻选择框的选项，"" = 不限
    unit_options: list[str]
    category_options: list[str]
    manifestation_options: list[str]
    manifestation_names: dict[str, str]   # 表现形式编码 → 名称
    channel_options: list[str]


def hotspots_data(run: Run, f: PageFilters) -> HotspotsData:
    matrix = run("hotspot_matrix", **f.params())
    par = run("manifestation_pareto", **f.params())
    mix = run("channel_mix", **f.params())
    return HotspotsData(
        matrix=matrix, pareto=par, channels=mix,
        # .tolist() first: iterating the Arrow columns element by element costs ~30 ms at 3000 units × 6 方面
        unit_ids_by_name=dict(zip(matrix["unit_name"].tolist(), matrix["unit_id"].tolist(), strict=False)),
        unit_options=[""] + [u for u in f.unit_names if not f.units or u in f.units],
        category_options=[""] + matrix.sort_values("category_no")["category"].drop_duplicates().tolist(),
        manifestation_options=[""] + (par["manifestation_code"].tolist() if not par.empty else []),
        manifestation_names=dict(zip(par["manifestation_code"], par["manifestation"], strict=False)),
        channel_options=[""] + sorted(mix["channel"].unique().tolist()) if not mix.empty else [""])


def hotspot_problems(run: Run, f: PageFilters, unit: str = "", category: str = "", manifestation: str = "",
                     channel: str = "") -> pd.DataFrame:
    """problems_list：按下钻选择（"" = 不限）列出问题。"""
    return run("problems_list", **f.params(sel_unit=unit, sel_category=category,
                                          sel_manifestation=manifestation, sel_channel=channel))
