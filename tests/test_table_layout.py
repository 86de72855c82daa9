"""analytics/page_data/table_layout.py：正文表格的列宽合计不超过 1366 宽投影下的表宽，长文字换行、行高够放下。
宽度按字号 14 手算：一个汉字 14 像素，单元格内边距 18，表头内边距 22。"""
from __future__ import annotations

import pandas as pd

from analytics.page_data.data_admin import ERROR_DETAIL_VIEW, ERROR_VIEW, error_table_view
from analytics.page_data.table_layout import TABLE_PX, Col, fit, lines_needed
from analytics.page_data.unit_progress import UNIT_TABLE_VIEWS, unit_table_view


def test_columns_that_fit_keep_their_content_width_in_one_line():
    df = pd.DataFrame({"单位": ["临泉县交通运输局", "太和县"], "说明": ["短", "十个字的一句说明文字"]})
    lay = fit(df, [Col("单位"), Col("说明", wrap=True)])
    assert lay.widths == {"单位": 8 * 14 + 18, "说明": 10 * 14 + 18}
    assert (lay.lines, lay.row_height, lay.height) == (1, 35, "auto")


def test_a_long_text_column_takes_the_rest_and_wraps():
    note = "汉" * 100                                    # 1400 像素
    df = pd.DataFrame({"单位": ["临泉县交通运输局"], "文件": ["阜阳_整改台账.xlsx"], "说明": [note]})
    lay = fit(df, [Col("单位", wrap=True), Col("文件", wrap=True), Col("说明", min_px=300, wrap=True)])
    assert lay.widths["单位"] == 130                     # 内容窄的先拿够，不换行
    assert sum(lay.widths.values()) == TABLE_PX
    room = lay.widths["说明"] - 18 - 14                  # 每行至少排满“列宽 − 一个字”
    assert lay.lines == -(-1400 // room) == lines_needed(1400, lay.widths["说明"])
    assert lay.row_height == lay.lines * 21 + 12 and lay.row_height > 64   # 行高 > 4rem 表格才换行
    assert lay.height == 1 * lay.row_height + 38


def test_wrapping_is_capped_and_blank_cells_count_as_empty():
    df = pd.DataFrame({"说明": ["汉" * 1000, None], "行号": pd.array([3, None], dtype="Int64")})
    lay = fit(df, [Col("行号"), Col("说明", wrap=True)], max_lines=6)
    assert lay.widths["行号"] == 2 * 14 + 22             # 表头“行号”比数字宽
    assert (lay.lines, lay.row_height) == (6, 6 * 21 + 12)


def test_every_unit_table_column_is_in_some_view_and_each_view_fits():
    row = {"单位": "州交通运输综合行政执法监督局", "状态": "红色", "滞后评分": 10,
           "扣分项": "整改率低2分、逾期问题3分、报送不及时4分、未反馈1分、线索超期2分", "整改率": "100.0%（999/999）",
           "逾期问题": 999, "台账报送": "按时10/12，未按时2次，待报1", "线索按时办结率": "100.0%（999/999）",
           "反馈率": "100.0%（999/999）", "查摆问题数": 999, "销号率": "100.0%（999/999）", "反弹问题": 999,
           "超期未办结线索": 999, "备注": "问题少于5个，不参与整改率排名"}   # 一个单位各列最宽的样子
    cols = list(row)
    table = pd.DataFrame([row] * 12)
    assert {c.name for v in UNIT_TABLE_VIEWS.values() for c in v} == set(cols)
    for view in UNIT_TABLE_VIEWS:
        assert sum(unit_table_view(table, view).widths.values()) <= TABLE_PX, view


def test_both_error_views_fit_and_together_show_every_column():
    errors = pd.DataFrame([{"级别": "错误", "单位": "都兰县交通运输局", "文件": "都兰_问题线索登记表.xlsx", "工作表": "Sheet1",
                            "行号": 10, "列": "承办单位", "原值": "某某县交通运输局", "说明": "未知单位" * 30}])
    for detail in (False, True):
        assert sum(error_table_view(errors, detail).widths.values()) <= TABLE_PX
    assert {c.name for c in ERROR_VIEW + ERROR_DETAIL_VIEW} == set(errors.columns)
