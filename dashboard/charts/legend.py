"""横排图例放在哪里（style() 调用）：放得下时在图标题右侧（与标题共用上边距）；放不下时单独占标题下面的一条，
上边距加高这一条，按图例在窄屏上折成几行算。

Trap: plotly 的横排图例钉在绘图区上沿（y=1，yanchor=bottom），比绘图区宽时折行、向上长，压住标题（反弹问题页半行宽的
“各单位反弹问题数”，投影大字号时）。图的宽度 Python 里不知道：按最窄的屏幕（1366 宽）上这张图所在的行宽估计，
图表函数用 base.row_share() 标明它只占一行的几分之几（如左右两栏的一栏）。"""
from __future__ import annotations

import math

from analytics.text_width import text_width
from dashboard.charts.margins import ROW_FIGURE

ENTRY_EXTRA = 46        # 每个图例项除文字外：图标 40 与项间距（在 Chromium 里量的，大小字号相同）
LINE_BOX = 1.45         # 一行图例的高：字号 × 此数（Noto Sans CJK 的行框）
LEGEND_PAD = 12         # 图例框上下的留白合计
TITLE_GAP = 24          # 标题与同一行的图例之间至少留的空


def entries(layout: dict, data: list[dict]) -> list[str]:
    """图例里显示的项：plotly 只在两个以上图层（或 showlegend=True）时显示图例。"""
    if layout.get("showlegend") is False:
        return []
    names = [str(t.get("name") or "") for t in data if t.get("showlegend") is not False]
    return names if len(names) >= 2 or layout.get("showlegend") is True else []


def rows(widths: list[float], room: float) -> int:
    """图例项依次排成几行（一行放不下时折行，同 plotly）。"""
    n, used = 1, 0.0
    for w in widths:
        if used and used + w > room:
            n, used = n + 1, 0.0
        used += w
    return n


def band(layout: dict, data: list[dict], base: int, margin: dict, title: str) -> int:
    """图例单独占的高度（像素）；0 = 图例放在标题右侧。margin 是算好的左右边距。"""
    names = entries(layout, data)
    if not names or (layout.get("legend") or {}).get("orientation") == "v":
        return 0
    share = (layout.get("meta") or {}).get("row_share", 1) if isinstance(layout.get("meta"), dict) else 1
    figure = ROW_FIGURE * share
    plot = figure - margin["l"] - margin["r"]
    widths = [text_width(n, base) + ENTRY_EXTRA for n in names]
    beside = text_width(title, base + 6) + TITLE_GAP + sum(widths) <= figure - margin["r"]
    if beside and sum(widths) <= plot:
        return 0
    return rows(widths, plot) * math.ceil(base * LINE_BOX) + LEGEND_PAD
