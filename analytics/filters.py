"""The view's filters as data: campaign, 统计日 (and 上期, analytics/comparison.py), units, categories, channels.

The sidebar (dashboard/filters.py) builds one from widgets and the URL; the meeting documents build one
for the whole campaign (no filter); page-data functions (analytics/page_data) take either.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Filters:
    campaign_id: str
    as_of: date
    prev_as_of: date | None              # 上期（< as_of，analytics.comparison 的规则），无则 None
    units: tuple[str, ...] = ()           # 空 = 全部单位
    categories: tuple[str, ...] = ()      # 空 = 全部问题方面
    channels: tuple[str, ...] = ()        # 空 = 全部来源渠道
    big: bool = False                     # 投影大字号
    campaign: dict = field(default_factory=dict, compare=False, hash=False)  # campaigns 表一行
    unit_names: dict = field(default_factory=dict, compare=False, hash=False)  # unit_id → 名称
    snapshot_dates: tuple[date, ...] = ()

    @property
    def min_items(self) -> int:
        return int(self.campaign.get("min_items") or 0)

    def params(self, **extra) -> dict:
        """查询参数：campaign_id, as_of, units, categories, channels，再加 extra。"""
        p = {"campaign_id": self.campaign_id, "as_of": self.as_of, "units": list(self.units),
             "categories": list(self.categories), "channels": list(self.channels)}
        p.update(extra)
        return p

    def prev_params(self, **extra) -> dict | None:
        """同样的筛选、统计日换成上期；没有上期时 None。"""
        if self.prev_as_of is None:
            return None
        return self.params(**extra) | {"as_of": self.prev_as_of}

    def describe(self) -> str:
        """一行中文说明当前筛选（页面副标题用）。"""
        parts = [f"统计日 {self.as_of:%Y-%m-%d}"]
        if self.prev_as_of:
            parts.append(f"对比上期 {self.prev_as_of:%Y-%m-%d}")
        if self.units:
            names = [self.unit_names.get(u, u) for u in self.units]
            parts.append("单位：" + "、".join(names[:4]) + (f"等{len(names)}个" if len(names) > 4 else ""))
        if self.categories:
            parts.append("问题方面：" + "、".join(self.categories))
        if self.channels:
            parts.append("来源：" + "、".join(self.channels))
        return "　|　".join(parts)
