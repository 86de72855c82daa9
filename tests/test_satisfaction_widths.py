"""满意度排名表的列宽整列算（column_px，即 analytics/text_width.py 的 widest 向上取整）：与逐个计算的 text_width
取最大值相同，含全角符号、破折号、emoji、空串与 None；排名表其余各列与逐行的写法相同。"""
from __future__ import annotations

import math
import random

import pandas as pd

from analytics.page_data import satisfaction
from analytics.text_width import text_width


def test_column_px_is_the_widest_text_width():
    rng = random.Random(5)
    alphabet = ["a", "Z", "1", " ", "—", "～", "；", "（", "\u2e80", "\u2e81", "一", "县", "😀", "é", "\u3000"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for size in (14, 15, 20):
        for chunk in (texts, texts[:1], ["—"], ["\u2e80"], ["\u2e81"], ["阜阳市颍州区交通运输局", "abc"]):
            assert satisfaction.column_px(pd.Series(chunk), size) == \
                math.ceil(max(text_width(t, size) for t in chunk))
    assert satisfaction.column_px(pd.Series(["阜阳市", "ab"])) == 42           # 3 个汉字 × 14
    assert satisfaction.column_px(pd.Series(["—", "ab"])) == 17                # 破折号按一个字号：“ab” 宽 16.5
    assert satisfaction.column_px(pd.Series(["", None], dtype=object)) == 35   # None 按 "None"：2.49 × 14 = 34.9


def test_ranking_table_columns_as_row_by_row():
    rank = pd.DataFrame({
        "rank": [1.0, None, 2.0], "unit_name": pd.Series(["甲", "乙", "丙"], dtype="string[pyarrow]"),
        "score": [90.04, 60.0, 74.95], "ci_low": [88.01, None, 70.0], "ci_high": [92.06, None, 79.9],
        "respondents": pd.Series([40, None, 31], dtype="Int64"), "rankable": [True, False, True],
        "is_low": [False, None, True],
        "source_note": pd.Series([None, "来自汇总表", None], dtype="string[pyarrow]"),
        "low_reason": pd.Series([None, None, "得分低于75分"], dtype="string[pyarrow]")})
    table = satisfaction.ranking_table(rank)
    assert table["排名"].tolist() == ["1", "—", "2"]
    assert table["95%置信区间"].tolist() == ["88.0～92.1", "—", "70.0～79.9"]
    assert table["状态"].tolist() == ["正常", "未填样本量", "满意度低"]
    assert table["说明"].tolist() == ["—", "来自汇总表", "得分低于75分"]
    layout = satisfaction.ranking_layout(table)
    # 得分低于…分 5 个汉字、75 两个数字（各 0.56 个字号）：70 + 15.7 → 86
    assert layout.widths["单位"] == 14 + 16 and layout.reason_width == 86 + 16
