"""正文表格在 1366×768 会议投影下整张放得下：各列宽度（像素）合计不超过 TABLE_PX，长文字的列换行、加高行。

Streamlit 的表格在列宽合计超过表宽时只在悬停时显示左右滚动条——会议上右边几列就看不到了。宽度按内容
（analytics/text_width.py）算；屏幕更宽时表格把多出的宽度平分给各列。行高大于 4rem（64 像素）时表格才换行。"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analytics.text_width import text_width, widest

TABLE_PX = 880      # 1366 宽、带侧栏时正文表格的宽约 904 像素，留出竖向滚动条
FONT_PX = 14        # 表格字号
CELL_PAD = 18       # 单元格左右内边距合计
HEADER_PAD = 22     # 表头文字两侧的内边距（排序后的箭头压在文字右边的空白上）
LINE_PX = 21        # 换行后每行的高度
ROW_PAD = 12        # 换行时行的上下内边距合计
ONE_LINE_ROW = 35   # 不换行时的行高（Streamlit 默认）
WRAP_MIN_ROW = 65   # 换行至少这么高（> 4rem 即 64 像素才换行）
MAX_HEIGHT = 720    # 表格最高（像素），行多时表内上下滚动


@dataclass(frozen=True)
class Col:
    """一列的宽度规则：min_px ≤ 宽 ≤ max_px（None = 按内容）；wrap=True 的列放不下时换行，分剩下的宽度。"""
    name: str
    min_px: int = 48
    max_px: int | None = None
    wrap: bool = False


@dataclass
class TableLayout:
    widths: dict[str, int]      # 列名 → 像素，顺序即显示顺序
    lines: int                  # 最高的一行有几行字（1 = 不换行）
    row_height: int
    height: int | str           # st.dataframe 的 height："auto" 或像素

    @property
    def columns(self) -> list[str]:
        return list(self.widths)


def text_px(values: pd.Series) -> float:
    """一列里最宽的一格文字（像素）；空值（None、NaN、NA）显示为空白。只量不同的值（全国的导入问题记录有几万行，
    说明、文件、单位多有重复）。"""
    shown = values.dropna().astype(str).unique().tolist()
    return widest(shown, FONT_PX) if shown else 0.0


def natural_px(cell_px: float, header: str) -> int:
    """不换行时这一列要多宽：最宽的值（cell_px 加内边距）与表头（加内边距）中大的一个。"""
    return math.ceil(max(cell_px + CELL_PAD if cell_px else 0, text_width(header, FONT_PX) + HEADER_PAD))


def lines_needed(cell_px: float, px: int) -> int:
    """最宽 cell_px 的一格在 px 宽的列里换成几行。表格逐字换行（英文按词）：每行至少排满“列宽 − 一个字”，
    按这个下限估计，只会多估、不会少估。"""
    room = px - CELL_PAD - FONT_PX
    return max(1, math.ceil(cell_px / max(room, 1)))


def fit(df: pd.DataFrame, cols: list[Col], total: int = TABLE_PX, max_lines: int = 6) -> TableLayout:
    """按 cols 的顺序排出 df 的这些列：不换行的列按内容宽（在 min/max 之间）；换行的列分剩下的宽度（内容窄的
    先拿够，不少于 min_px）；行高够放下最长的一格（最多 max_lines 行，更长的点开单元格看全文）。"""
    cell_px = {c.name: text_px(df[c.name]) for c in cols}
    want = {c.name: max(c.min_px, min(c.max_px or 10**6, natural_px(cell_px[c.name], c.name))) for c in cols}
    widths = {c.name: want[c.name] for c in cols}
    wrapping = [c for c in cols if c.wrap]
    room = total - sum(w for n, w in widths.items() if n not in {c.name for c in wrapping})
    need = sum(want[c.name] for c in wrapping)
    if wrapping and need > room:
        # 先满足想要的宽度少的列（如单位名称），让它们不换行；最宽的（如说明）分剩下的，换行
        order = sorted(wrapping, key=lambda c: want[c.name])
        for i, c in enumerate(order):
            rest_min = sum(o.min_px for o in order[i + 1:])
            widths[c.name] = max(c.min_px, min(want[c.name], room - rest_min))
            room -= widths[c.name]
    lines = min(max_lines, max([lines_needed(cell_px[c.name], widths[c.name]) for c in wrapping
                                if widths[c.name] < want[c.name]], default=1))
    row_h = ONE_LINE_ROW if lines == 1 else max(WRAP_MIN_ROW, lines * LINE_PX + ROW_PAD)
    height: int | str = "auto" if lines == 1 and len(df) <= 10 else min(MAX_HEIGHT, len(df) * row_h + 38)
    return TableLayout(widths=widths, lines=lines, row_height=row_h, height=height)
