"""dashboard/charts/margins.py：图的边距按刻度文字、坐标轴标题算好（普通字号 14、投影大字号 20）。数字按手算。"""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts import margins
from dashboard.charts.base import style

LONG = "州交通运输局运输管理科"            # 11 个汉字
UNITS = ["德令哈市交通运输局", "乌兰县交通运输局", LONG]


def test_text_width_chinese_one_size_digits_and_percent_by_font():
    assert margins.text_width(LONG, 13) == 11 * 13 == 143
    assert round(margins.text_width("100%", 13), 2) == round((3 * 0.56 + 0.92) * 13, 2) == 33.8
    assert margins.text_width("（第1名）", 19) == (4 + 0.56) * 19
    assert margins.widest(UNITS, 19) == 11 * 19 == 209
    assert margins.text_width("<b>甲乙</b><br>甲", 10) == 20          # 标签不计，两行取宽的一行


def test_horizontal_bar_left_margin_is_longest_unit_name_plus_axis_allowance():
    fig = go.Figure(go.Bar(x=[3, 5, 8], y=UNITS, orientation="h"))
    fig.update_layout(xaxis_title="问题数（个）", yaxis_title="")
    normal = style(go.Figure(fig)).layout.margin
    # 刻度文字字号 13：143 + 57；横轴在下方、文字水平：70；横轴右端的数字伸出半个：
    # 量程估到 8 × 1.1 = 8.8（不到 10，可能有小数），“8.8” 宽 (2 × 0.56 + 0.28) × 13 = 18.2，一半 + 12 = 21.1
    assert (normal.l, normal.b, normal.t) == (143 + 57, 70, 60)
    assert normal.r == 22
    big = style(go.Figure(fig), big=True).layout.margin
    assert (big.l, big.b, big.t) == (209 + 62, 81, 70)                    # 字号 19：209 + 62
    assert style(go.Figure(fig)).layout.yaxis.automargin is True       # 估小了时 plotly 仍会补上


def test_many_unit_names_on_x_axis_slant_30_degrees_with_bottom_and_right_margin():
    names = [f"{i}号" + "交通运输局" for i in range(10)]                # 每个 “0号交通运输局”：0.56×13 + 6×13 = 85.3
    fig = style(go.Figure(go.Bar(x=names, y=list(range(10)))))
    assert fig.layout.xaxis.tickangle == 30                             # 10 × (85.3 + 8) > 560：水平放不下
    w = 0.56 * 13 + 6 * 13
    assert fig.layout.margin.b == round(w / 2 + 68 + 0.5)               # 宽 × sin30° + 68 = 110.6 → 111
    # 最后一个文字斜伸出绘图区右边：宽 × cos30° + 18 − 180 / (2 × 10) = 82.9 → 83
    assert fig.layout.margin.r == 83
    few = style(go.Figure(go.Bar(x=names[:3], y=[1, 2, 3])))
    assert few.layout.xaxis.tickangle is None and few.layout.margin.b == 70   # 3 个放得下：不固定角度


def test_percent_axis_title_heatmap_and_funnel():
    pct = go.Figure(go.Scatter(x=[1, 2], y=[0.2, 0.9]))
    pct.update_layout(yaxis=dict(title="比率", tickformat=".0%", range=[0, 1.05]))
    assert style(pct).layout.margin.l == 91                 # “105%”：(3 × 0.56 + 0.92) × 13 = 33.8，+ 57 → 90.8 → 91
    heat = style(go.Figure(go.Heatmap(z=[[1, 2]], x=["执法规范", "服务态度"], y=[LONG])))
    assert (heat.layout.margin.l, heat.layout.margin.b) == (143 + 57 + 7, 70 + 7)   # 热力图的轴多 7
    funnel = style(go.Figure(go.Funnel(y=["受理", "办结"], x=[10, 8])))
    assert (funnel.layout.margin.l, funnel.layout.margin.b) == (26 + 57, 10)          # 漏斗的数值轴不显示


def test_side_by_side_right_axis_and_top_axis():
    two = go.Figure([go.Bar(x=["a", "b"], y=[1, 2]), go.Scatter(x=["a", "b"], y=[0.5, 1], yaxis="y2")])
    two.update_layout(yaxis2=dict(overlaying="y", side="right", tickformat=".0%", range=[0, 1.05]))
    assert style(two).layout.margin.r == 91                                 # 右侧的纵轴同左侧
    # 左侧的纵轴在布局里没写（只写了 yaxis2）也算：量程估到 2 × 1.1，“2.2” 宽 (2 × 0.56 + 0.28) × 13 = 18.2，+ 57
    assert style(go.Figure(two)).layout.margin.l == 76
    top = go.Figure(go.Heatmap(z=[[1, 2]], x=["2023-06-25", "2023-07-25"], y=["甲"]))
    top.update_xaxes(type="category", side="top")
    m = style(top).layout.margin
    # 横轴在上方：标题占 30 + 10 + 4 = 44，文字与轴标题 70 + 2 + 7；下边距不变；图加高 44
    assert (m.t, m.b, style(top).layout.height) == (44 + 79, 10, 450 + 44)
    assert style(top).layout.title.yanchor == "top" and style(top).layout.title.pad.t == 30 - 10   # 标题钉在图顶


def test_widest_whole_column_equals_label_by_label():
    labels = [f"某某县{i}交通运输局（第{i}名）" for i in range(300)] + ["ABCDEFGHIJKLMNOPQRSTUVWXYZ@@", "a b%", "", "甲"]
    by_label = max(margins.text_width(t, 13) for t in labels)
    assert abs(margins.widest(labels, 13) - by_label) < 1e-9
    # 最宽的是大写字母那一个：A…Z 共 16.51 个字号 + 两个 @（0.95）= 18.41，比 “某某县299交通运输局（第299名）”
    # （12 个汉字 + 6 个数字 × 0.56 = 15.36）宽
    assert round(by_label, 2) == round(18.41 * 13, 2)
    assert margins.widest([], 13) == 0.0


def test_wrapped_level_tick_text_adds_a_line_height_per_extra_line():
    cats = ["逐利执法", "执法不规范", "执法方式简单僵化"]
    one = go.Figure(go.Scatter(x=cats, y=[1, 2, 3]), layout=dict(xaxis=dict(tickangle=0)))
    three = go.Figure(go.Scatter(x=cats, y=[1, 2, 3]), layout=dict(xaxis=dict(
        tickangle=0, tickmode="array", tickvals=cats, ticktext=["逐利<br>执法", "执法不<br>规范", "执法方<br>式简单<br>僵化"])))
    assert style(one).layout.margin.b == 70                                  # X_LEVEL（字号 14）
    assert style(three).layout.margin.b == 70 + 2 * 17                      # 两行多出：各 ⌈1.25 × 13⌉ = 17
    assert style(go.Figure(three), big=True).layout.margin.b == 81 + 2 * 24  # 投影大字号：⌈1.25 × 19⌉ = 24
