"""满意度排名表的“状态”列逐列计算（原来逐行 iterrows：3000 个单位要 0.1 秒以上）：与逐行的写法结果相同，
三种状态和“满意度低”都出现。"""
from __future__ import annotations

import pandas as pd

from analytics.page_data import satisfaction


def _state_by_row(r) -> str:
    """改动前的写法（逐行取 Series）。"""
    if not r["rankable"]:
        return "样本不足" if not pd.isna(r["respondents"]) else "未填样本量"
    return "满意度低" if r["is_low"] else "正常"


def test_states_as_row_by_row():
    rank = pd.DataFrame({
        "rank": [1, 2, None, None, 3], "unit_name": ["甲", "乙", "丙", "丁", "戊"],
        "score": [90.0, 70.0, 60.0, 88.0, 85.0], "ci_low": [88.0, 66.0, None, None, 80.0],
        "ci_high": [92.0, 74.0, None, None, 90.0], "respondents": [40, 35, 5, None, 31],
        "rankable": [True, True, False, False, True], "is_low": [False, True, None, None, False],
        "source_note": [None, None, None, "来自汇总表", None], "low_reason": [None, "得分低于75分", None, None, None]})
    table = satisfaction.ranking_table(rank)
    assert table["状态"].tolist() == [_state_by_row(r) for _, r in rank.iterrows()] \
        == ["正常", "满意度低", "样本不足", "未填样本量", "正常"]
