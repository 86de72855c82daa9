"""图的边距在 Python 里按刻度文字、坐标轴标题的宽度（analytics/text_width.py）算好（style() 调用）。

Trap: plotly.js 的 automargin 先按给定边距把整张图画一遍，量出刻度文字的大小，边距不够时再整张重画一遍
（满意度页三张图约多 350–450 ms）。给定的边距已经放得下刻度文字和标题时，量出的结果不改变边距，就不重画。
所以这里的估计宁大勿小；automargin 仍然开着，估小了（例如 Windows 上的字体比估计的宽）只是多画一遍，文字不会被截掉。
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from analytics.text_width import text_width, widest


def _axis_ids(layout: dict, letter: str) -> list[str]:
    """"x"、"x2"…：第一条轴（布局里没写也有）和布局里写了的其他轴。"""
    more = [letter + k[5:] for k in layout if re.fullmatch(letter + r"axis[2-9]\d*|" + letter + r"axis1\d+", k)]
    return [letter] + more


def _values(data: list[dict], axis_id: str) -> list:
    """画在这条轴上的每个图层及其在这个方向上的取值：[(图层, 取值)]。"""
    letter = axis_id[0]
    out = []
    for t in data:
        if t.get("type") in ("choroplethmap", "scattermap", "choropleth", "scattergeo", "pie"):
            continue
        if (t.get(letter + "axis") or letter) != axis_id:
            continue
        v = t.get(letter)
        if v is not None:
            out.append((t, v))
    return out


def _kind(axis: dict, values: list) -> str:
    kind = axis.get("type")
    if kind in ("category", "date", "linear", "log", "multicategory"):
        return kind
    for _t, v in values:
        arr = np.asarray(v)
        if arr.size == 0:
            continue
        if np.issubdtype(arr.dtype, np.datetime64) or isinstance(arr.flat[0], (pd.Timestamp, np.datetime64)):
            return "date"
        if arr.dtype.kind in "OUS" and any(isinstance(x, str) for x in arr.flat[:50]):
            return "category"
    return "linear"


# 在 Streamlit 里实测的 plotly.js automargin 推出的边距（字号 14 与投影大字号 20 两点，之间按直线），
# 已含 plotly 的 10 像素留白与坐标轴标题；再各加 2～5 像素余量。字号为图的基础字号（刻度文字小 1 号）。
Y_EXTRA = (57, 62)          # 纵轴：刻度文字最宽者 + 此数（左侧或右侧）
X_LEVEL = (70, 81)          # 横轴在下方、文字水平
HEATMAP = (7, 9)            # go.Heatmap 的坐标轴，刻度文字离绘图区远一些
X_SLANT = (68, 79)          # 横轴文字斜 30°：最宽文字 × sin30° + 此数
X_SLANT_TOP = (80, 92)      # 横轴在上方、文字斜 30°
X_SLANT_END = (18, 23)      # 斜 30° 时最后（在上方时为最前）一个文字伸出绘图区：宽 × cos30° + 此数 − 半格
X_VERTICAL = (55, 61)       # 横轴文字竖排（90°）：最宽文字 + 此数
PAD = 10                    # plotly 在伸出绘图区的文字外加的留白
# 绘图区宽度未知（图在整行或半行里，屏幕 1366～1920）：按此宽度判断横轴文字水平放不放得下（放不下就固定斜 30°，
# 不让 plotly 按屏幕宽度自行决定，否则边距算不准），并估计斜排时最后一个文字伸出多少。
SLANT_IF_WIDER_THAN = 560
NARROW_PLOT = 180
ROW_FIGURE = 900            # 1366 宽屏（会议投影）上占满一行的图的宽度（侧栏展开）
BIG = 20                    # 投影大字号的基础字号（style(big=True) 用它）


def projector_plot_width(share: float, y_labels: list) -> float:
    """1366 宽屏投影大字号时横条图的绘图区宽度（估计）：占一行的 share，减去纵轴的单位名称等。"""
    return ROW_FIGURE * share - (widest(y_labels, BIG - 1) + Y_EXTRA[1]) - PAD


def outside_text_range(values: list, texts: list, plot: float) -> float:
    """横条右端外写文字（数字、比率）时横轴画到多大：绘图区宽 plot（projector_plot_width）、投影大字号时每根条连同
    它的文字都在绘图区里（文字太长时条至少占绘图区的四分之一）。"""
    need = [v * plot / max(plot - text_width(t, BIG) - 2 * PAD, plot / 4) for v, t in zip(values, texts, strict=True)]
    return max(need, default=1.0) or 1.0


def _at(pair: tuple[int, int], base: int) -> float:
    return pair[0] + (base - 14) * (pair[1] - pair[0]) / 6


def title_room(top: int, base: int) -> int:
    """图标题占的高度（标题钉在图顶时）：标题在普通的上边距里居中，到它的下沿为止，再留 4 像素。"""
    return top // 2 + (base + 6) // 2 + 4


def _flat(values: list) -> np.ndarray:
    arrays = [np.asarray(v, dtype=object).ravel() for _t, v in values]
    return np.concatenate(arrays) if arrays else np.array([], dtype=object)


def _number_text(v: float, fmt: str | None) -> str:
    if fmt and fmt.endswith("%"):
        digits = int(fmt[1:-1] or 0) if fmt[1:-1].isdigit() else 0
        return f"{v * 100:.{digits}f}%"
    if fmt == "d" or (fmt is None and float(v).is_integer()):
        return f"{v / 1000:.0f}k" if fmt is None and abs(v) >= 10_000 else f"{v:.0f}"
    return f"{v:.1f}"


def _number_labels(axis: dict, values: list, layout: dict) -> list[str]:
    """数值轴最长的几个刻度文字（估计）：有 tickvals 用它们，否则按量程上端（没有量程按数据最大值，堆积柱按合计）。"""
    fmt = axis.get("tickformat")
    if axis.get("tickvals") is not None:
        return [_number_text(float(v), fmt) for v in axis["tickvals"]]
    if axis.get("range") is not None:
        top = max(abs(float(v)) for v in axis["range"] if v is not None)
    else:
        nums = pd.to_numeric(pd.Series(_flat(values)), errors="coerce")
        top = float(nums.abs().max()) if nums.notna().any() else 1.0
        if layout.get("barmode") in ("stack", "relative") and len(values) > 1:
            top = max(top, float(nums.clip(lower=0).sum()))
        top *= 1.1                                      # plotly 的自动量程在数据外留一点
    labels = [_number_text(top, fmt if fmt else ("d" if top >= 10 else None)), _number_text(0.5, fmt)]
    return labels if top < 10 and not fmt else labels[:1]


def _date_labels(axis: dict) -> list[str]:
    fmt = axis.get("tickformat")
    return [pd.Timestamp("2028-12-28").strftime(fmt)] if fmt else ["2028-12-28"]


def tick_labels(axis: dict, values: list, layout: dict) -> list[str]:
    """这条轴的刻度文字（文字轴为全部类别；数值、日期轴为估计的最长者）；不显示刻度文字时为空。"""
    if axis.get("visible") is False or axis.get("showticklabels") is False or not values:
        return []
    if axis.get("ticktext") is not None:
        return [str(t) for t in axis["ticktext"]]
    kind = _kind(axis, values)
    if kind in ("category", "multicategory"):
        return [v for v in pd.unique(_flat(values)) if v is not None and v == v]     # 空值（None、NaN）不是类别
    if kind == "date":
        return _date_labels(axis)
    return _number_labels(axis, values, layout)


def _slant_angle(axis: dict, labels: list[str], width: float) -> float:
    """横轴文字的角度：图里给定的，或文字水平放不下时固定为 30°（见 SLANT_IF_WIDER_THAN）。"""
    angle = axis.get("tickangle")
    if isinstance(angle, (int, float)):
        return float(angle)
    return 30.0 if len(labels) * (width + 8) > SLANT_IF_WIDER_THAN else 0.0


def compute(layout: dict, data: list[dict], base: int, top: int) -> tuple[dict, dict]:
    """(边距 l/r/t/b, 需要固定角度的横轴 {轴名: 角度})：放得下每条坐标轴的刻度文字和标题，不小于 style 的基本边距；
    top 是图标题占的上边距。"""
    size = base - 1                                     # 刻度文字的字号
    m = dict(l=10.0, r=10.0, t=float(top), b=10.0)
    angles = {}
    for letter in "xy":
        for aid in _axis_ids(layout, letter):
            name = letter + "axis" + aid[1:]
            axis = layout.get(name) or {}
            values = _values(data, aid)
            if not values or (letter == "x" and all(t.get("type") == "funnel" for t, _v in values)):
                continue                                # 漏斗图的数值轴不显示
            labels = tick_labels(axis, values, layout)
            w = widest(labels, size) if labels else 0.0
            extra = _at(HEATMAP, base) if any(t.get("type") == "heatmap" for t, _v in values) else 0.0
            if letter == "y":
                side = "r" if axis.get("side") == "right" else "l"
                m[side] = max(m[side], w + _at(Y_EXTRA, base) + extra)
                continue
            side = "t" if axis.get("side") == "top" else "b"
            if not labels:
                continue
            kind = _kind(axis, values)
            angle = _slant_angle(axis, labels, w) if kind in ("category", "multicategory") else \
                float(axis.get("tickangle")) if isinstance(axis.get("tickangle"), (int, float)) else 0.0
            if angle != axis.get("tickangle") and angle:
                angles[name] = angle
            if abs(angle) >= 60:
                need = w + _at(X_VERTICAL, base)
            elif angle:
                rad = math.radians(abs(angle))
                need = w * math.sin(rad) + _at(X_SLANT_TOP if side == "t" else X_SLANT, base)
                end = labels[0] if side == "t" else labels[-1]
                over = text_width(end, size) * math.cos(rad) + _at(X_SLANT_END, base) - NARROW_PLOT / (2 * len(labels))
                end_side = "l" if side == "t" else "r"
                m[end_side] = max(m[end_side], over)
            else:
                # 折成几行（<br>）的文字：每多一行加高约 1.2 个字号（实测 14 号 14.8、20 号 22.7 像素），宁大勿小
                extra_lines = max(str(t).count("<br>") for t in labels)
                need = _at(X_LEVEL, base) + extra_lines * math.ceil(1.25 * size)
                if side == "t":
                    need += 2
                if kind not in ("category", "multicategory"):     # 量程两端的刻度文字各伸出半个
                    m["r"] = max(m["r"], w / 2 + PAD + 2)
            # 横轴在上方：文字放在标题下面（标题钉在图顶，见 base.style），不与标题共用上边距
            m[side] = max(m[side], need + extra + (title_room(top, base) if side == "t" else 0))
    return {k: math.ceil(v) for k, v in m.items()}, angles
