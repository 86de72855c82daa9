"""图表卫生（issue 11）：12 条线颜色互不相同、件数坐标轴只有整数刻度、每日快照的趋势图横轴不挤、
颜色表示它所显示的状态（绿色单位的条是绿色）、投影大字号时右侧图例不出滚动条。直接检查 go.Figure 对象。"""
from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

import pandas as pd
import pytest
from plotly.colors import hex_to_rgb

from analytics.palette import GREEN, PALETTE, RED, STATE_COLORS, YELLOW
from dashboard.charts import leads as lead_charts
from dashboard.charts import progress, relapse
from dashboard.charts.base import PLOTLY_CONFIG, UNIT_BARS_ACROSS, count_axis, style, time_axis, wrap_name


def _lab(hex_colour: str) -> tuple[float, float, float]:
    """sRGB → CIE L*a*b*（D65）。"""
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in hex_to_rgb(hex_colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v):
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _unit_trend_frame(units: int, dates: int = 3) -> pd.DataFrame:
    rows = [{"unit_name": f"单位{u:02d}", "snap_date": date(2023, 6, 1) + timedelta(days=7 * k),
             "completion": 0.1 * k, "done": k, "problems": 10, "overdue": 0}
            for u in range(units) for k in range(dates)]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ colours for series
def test_palette_has_twelve_clearly_different_colours():
    assert len(PALETTE) == 12 and len(set(PALETTE)) == 12
    closest = min(math.dist(_lab(a), _lab(b)) for a, b in itertools.combinations(PALETTE, 2))
    assert closest >= 30, closest   # CIE76 ΔE：30 以上一眼可分


def test_twelve_unit_lines_never_share_a_colour():
    fig = progress.unit_trend(_unit_trend_frame(12))
    colours = [t.line.color for t in fig.data]
    assert len(colours) == 12 and len(set(colours)) == 12


# ------------------------------------------------------------------ integer ticks on counts
@pytest.mark.parametrize(("vmax", "step"), [(0, 1), (3, 1), (6, 1), (7, 2), (12, 2), (13, 5), (30, 5), (31, 10),
                                            (61, 20), (140, 50)])
def test_count_axis_steps_are_whole_numbers(vmax, step):
    axis = count_axis(vmax)
    assert axis["dtick"] == step and axis["tickformat"] == "d" and axis["tick0"] == 0


def test_relapse_counts_have_no_half_ticks():
    counts = pd.DataFrame({"unit_name": ["甲县", "乙县", "乙县"], "sort_order": [1, 2, 2],
                           "category": ["逐利执法", "逐利执法", "粗暴执法"], "relapses": [1, 2, 1],
                           "relapses_done": [0, 1, 0]})
    fig = relapse.relapse_by_unit(counts)
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"   # 横条；最多 3 个：0、1、2、3
    cat = relapse.relapse_by_category(counts)
    assert cat.layout.xaxis.dtick == 1 and cat.layout.xaxis.tickformat == "d"     # 逐利执法 3 个
    trend = relapse.relapse_trend(pd.DataFrame({"snap_date": [date(2023, 6, 1), date(2023, 6, 8)],
                                                "relapses": [1, 3], "new_relapses": [1, 2]}))
    assert trend.layout.yaxis.dtick == 1 and trend.layout.yaxis.tickformat == "d"


def test_overdue_counts_on_trend_and_leads_are_integers():
    trend = progress.completion_trend(_completion_frame(5, overdue_max=3))
    assert trend.layout.yaxis2.dtick == 1 and trend.layout.yaxis2.tickformat == "d"
    od = lead_charts.overdue_age(pd.DataFrame({"unit_name": ["甲县", "乙县"], "leads": [14, 2], "max_age": [9, 3]}))
    assert od.layout.xaxis.dtick == 5 and od.layout.xaxis.tickformat == "d"   # 14 件：0、5、10、15


# ------------------------------------------------------------------ date ticks
def _completion_frame(n: int, overdue_max: int = 3) -> pd.DataFrame:
    days = [date(2023, 9, 25) + timedelta(days=k) for k in range(n)]
    return pd.DataFrame({"snap_date": days, "overdue": [k % (overdue_max + 1) for k in range(n)],
                         "completion": [0.5] * n, "closure": [0.3] * n, "done": [5] * n, "closed": [3] * n,
                         "problems": [10] * n})


def test_daily_trend_has_a_date_axis_with_few_flat_ticks():
    fig = progress.completion_trend(_completion_frame(37))   # 09-25 … 10-31，每日一期
    ax = fig.layout.xaxis
    assert ax.type == "date" and ax.tickangle == 0 and ax.tickformat == "%m-%d"
    assert ax.nticks == 8 and ax.tickmode == "auto"           # plotly 按日期取整选刻度，最多 8 个
    assert ax.hoverformat == "%Y-%m-%d"


def test_few_snapshots_are_each_labelled_and_years_kept_across_new_year():
    ax = time_axis([date(2023, 6, 1), date(2023, 6, 8)])
    assert ax["tickmode"] == "array" and ax["ticktext"] == ["06-01", "06-08"]
    ax = time_axis([date(2023, 12, 28), date(2024, 1, 4)])
    assert ax["ticktext"] == ["2023-12-28", "2024-01-04"] and ax["tickformat"] == "%Y-%m-%d"
    unit = progress.unit_trend(_unit_trend_frame(3, dates=3))
    assert unit.layout.xaxis.type == "date" and list(unit.layout.xaxis.ticktext) == ["06-01", "06-08", "06-15"]


# ------------------------------------------------------------------ colours mean the state
def test_lagging_bar_colour_is_the_units_state():
    d = pd.DataFrame({"unit_name": ["红县", "黄县", "绿县"], "lagging_score": [7, 4, 1], "overdue": [5, 2, 0],
                      "lagging_state": ["红", "黄", "绿"], "lagging_reasons": ["逾期5个", "逾期2个", "—"]})
    fig = progress.lagging_bar(d)
    colour = dict(zip(fig.data[0].y, fig.data[0].marker.color, strict=True))
    assert colour == {"红县": RED, "黄县": YELLOW, "绿县": GREEN}
    assert STATE_COLORS["绿"] == GREEN


def test_ontime_bars_do_not_use_traffic_light_colours():
    """按时办结率低的单位可能是绿色单位：这张图不用红黄绿（那是滞后状态的颜色）。"""
    df = pd.DataFrame({"unit_name": ["甲县", "乙县", "丙县"], "leads_ontime": [3, 9, 1],
                       "leads_ontime_den": [10, 10, 2], "open_overdue": [2, 0, 0]})
    fig = lead_charts.ontime_by_unit(df, min_items=5)
    assert not set(fig.data[0].marker.color) & {RED, YELLOW, GREEN}


# ------------------------------------------------------------------ legends and the toolbar
def test_big_font_side_legend_fits_ten_units():
    fig = style(progress.unit_trend(_unit_trend_frame(10)), big=True)
    # 上边距 70 + 下边距 10 + 90 + 每项 35 像素（20 号字）× 10
    assert fig.layout.height == 520
    normal = style(progress.unit_trend(_unit_trend_frame(10)), big=False)
    assert normal.layout.height == 420


def test_plotly_toolbar_is_off():
    assert PLOTLY_CONFIG["displayModeBar"] is False and PLOTLY_CONFIG["displaylogo"] is False


def test_long_unit_names_wrap_into_even_lines():
    assert wrap_name("大柴旦行委建设和交通运输局", 7) == "大柴旦行委建设<br>和交通运输局"    # 13 字 → 7 + 6
    assert wrap_name("州交通运输综合行政执法监督局", 7) == "州交通运输综合<br>行政执法监督局"
    assert wrap_name("格尔木市交通运输局", 9) == "格尔木市交通运输局"                    # 放得下：不折
    assert wrap_name("执法“寻租”", 4) == "执法<br>“寻租”"                               # 左引号不留在行尾
    assert wrap_name("执法“寻租”", 3) == "执法“<br>寻租”"                               # 除非下一行就放不下了
    assert wrap_name("阜阳市交通运输综合行政执法支队直属大队", 7) == "阜阳市交通运输<br>综合行政执法支<br>队直属大队"


def test_unit_bar_charts_lie_across_unless_there_are_many_units():
    def units(n):
        return pd.DataFrame({"unit_name": [f"单位{i}" for i in range(n)], "sort_order": range(n),
                             "category": "逐利执法", "relapses": 1, "relapses_done": 0,
                             "problems": 4, "done": 2, "closed": 1})
    few, many = units(UNIT_BARS_ACROSS), units(UNIT_BARS_ACROSS + 1)
    for fig in (progress.unit_rates(few), relapse.relapse_by_unit(few)):
        assert fig.data[0].orientation == "h" and list(fig.data[0].y[:2]) == ["单位0", "单位1"]
        assert fig.layout.yaxis.autorange == "reversed"           # 第一个单位在最上面
    assert progress.unit_rates(few).layout.height == 150 + UNIT_BARS_ACROSS * 40
    for fig in (progress.unit_rates(many), relapse.relapse_by_unit(many)):
        assert fig.data[0].orientation is None and list(fig.data[0].x[:2]) == ["单位0", "单位1"]
    long = units(3).assign(unit_name=["大柴旦行委建设和交通运输局", "乙县", "丙县"])
    fig = relapse.relapse_by_unit(long)
    assert list(fig.layout.yaxis.ticktext) == ["大柴旦行委建设<br>和交通运输局", "乙县", "丙县"]
    assert list(fig.layout.yaxis.tickvals) == list(long["unit_name"])     # 悬停、点选仍是全名
    assert fig.layout.height == 150 + 3 * (34 + 22)                # 名称两行：每个单位加高一行
