"""从看板上的一个数字一键发起督办：滞后单位、逾期问题、满意度低的单位 → 预填好的督办事项草稿。

只用页面已经有的那一行数据（各页的 view model），不另查库；文字以方案的说法写成，专班可在表单里改。
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from state.supervision import SOURCES  # noqa: F401 — one home for the sources; re-exported for pages


@dataclass(frozen=True)
class ItemDraft:
    campaign_id: str
    unit_id: str
    unit_name: str
    source: str
    title: str
    requirement: str
    owner: str = ""
    links: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)  # (kind, ref, label)


def _day(d) -> str:
    d = d.date() if isinstance(d, pd.Timestamp) else d
    return f"{d.year}年{d.month}月{d.day}日" if isinstance(d, date) else "—"


def _n(v) -> int:
    return 0 if v is None or pd.isna(v) else int(v)


def from_lagging_unit(row: Mapping, campaign_id: str, as_of: date) -> ItemDraft:
    """滞后单位：红色 → 挂牌督办，黄色 → 周例会交办；要求写明截至统计日的各项数字和扣分项。"""
    name, state = row["unit_name"], row["lagging_state"]
    reasons = row.get("lagging_reasons") or "无扣分项"
    requirement = (
        f"截至{_day(as_of)}，{name}滞后评分{_n(row['lagging_score'])}分（{reasons}）："
        f"查摆问题{_n(row['problems'])}个，已完成整改{_n(row['done'])}个，逾期问题{_n(row['overdue'])}个，"
        f"超期未办结线索{_n(row['leads_open_overdue'])}件。请在期限内报送整改进展，逾期问题逐项说明原因和完成时限，"
        "超期线索办结后反馈。")
    return ItemDraft(campaign_id, row["unit_id"], name, "挂牌督办" if state == "红" else "周例会",
                     f"{name}整改滞后（{state}色，{_n(row['lagging_score'])}分）", requirement,
                     links=(("unit", row["unit_id"], name),))


def from_overdue_problem(row: Mapping, unit_id: str, unit_name: str, campaign_id: str, as_of: date) -> ItemDraft:
    """逾期问题：专班交办，要求写明问题、原定期限和截至统计日的状态。"""
    serial = row.get("serial_no")
    label = f"{row['manifestation']}（台账序号{serial}）" if serial else str(row["manifestation"])
    requirement = (
        f"{unit_name}台账问题“{row['case_text']}”（{row['category']}／{row['manifestation']}），"
        f"整改期限{_day(row['deadline'])}，截至{_day(as_of)}仍为“{row['status']}”。"
        "请说明逾期原因，明确整改完成时限，完成后附佐证材料反馈。")
    return ItemDraft(campaign_id, unit_id, unit_name, "专班交办", f"{unit_name}逾期问题：{label}", requirement,
                     owner=str(row.get("responsible") or ""), links=(("problem", row["problem_id"], label),))


def from_low_satisfaction(row: Mapping, campaign_id: str, year: int) -> ItemDraft:
    """满意度低的单位：方案规定约谈；要求写明得分和理由。"""
    name = row["unit_name"]
    requirement = (f"{year}年执法满意度测评中，{name}{row['low_reason']}。请分析群众不满意的主要方面，"
                   "制定改进措施并报送，专班将视情约谈。")
    return ItemDraft(campaign_id, row["unit_id"], name, "约谈", f"{name}满意度偏低（{year}年，{row['score']:.1f}分）",
                     requirement, links=(("unit", row["unit_id"], name),))
