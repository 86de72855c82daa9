"""analytics/text_width.py：图的边距、图例与满意度排名表的列宽共用的文字宽度。数字按手算。"""
from __future__ import annotations

import pandas as pd

from analytics.page_data import satisfaction
from analytics.text_width import text_width, widest
from dashboard.charts import margins


def test_chinese_one_size_ascii_by_font_table():
    assert text_width("阜阳市", 14) == 42                                   # 3 个汉字 × 14
    assert round(text_width("ab", 14), 2) == round((0.56 + 0.62) * 14, 2)  # 字母按 Noto Sans CJK 的宽
    assert text_width("—", 14) == 14                                        # 破折号、全角符号按一个字号
    assert widest(["", None], 14) == text_width("None", 14)                 # 空值按 str(值)，同逐个计算


def test_chart_margins_use_the_same_function():
    assert margins.text_width is text_width and margins.widest is widest


def test_rank_table_columns_sized_with_it():
    table = pd.DataFrame({"单位": ["德令哈市交通运输局", "乌兰县交通运输局"],
                          "说明": ["—", "得分60.2分，低于80分；排名倒数第2位（共8个可排名单位）"]})
    # 单位：9 个汉字 × 14 = 126，+ 16 的内边距
    assert satisfaction.column_px(table["单位"]) == 126
    # 说明：23 个汉字和全角符号，数字 6、0、2、8、0、2、8 与小数点：(23 + 7 × 0.56 + 0.28) × 14 = 380.8 → 381
    # （原来数字按半个字号：23 × 14 + 8 × 7 = 378）
    assert satisfaction.column_px(table["说明"]) == 381
    layout = satisfaction.ranking_layout(table)
    assert layout.widths["单位"] == 142
    # 1366 宽屏的表宽 880 − 其他各列 506 = 374，放不下 397：“说明”换行，行加高
    assert (layout.reason_width, layout.wrap, layout.row_height, layout.height) == (374, True, 70, 2 * 70 + 38)
