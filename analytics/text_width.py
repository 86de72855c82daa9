"""文字宽度的估计（像素），图和表共用：图的边距与图例（dashboard/charts/margins.py、legend.py）、满意度排名表的列宽
（analytics/page_data/satisfaction.py）。放在 analytics 下：analytics 不引用 dashboard，dashboard 可以引用 analytics
（同 analytics/palette.py 的颜色）。"""
from __future__ import annotations

import re

import numpy as np

# Noto Sans CJK SC（浏览器测试与服务器上的字体）里 ASCII 字符的宽度（字号的倍数，向上取两位）；
# 汉字、全角符号和其他字符按一个字号。Microsoft YaHei 的数字、字母宽度与之相近。
_ASCII_EM = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
    [0.23, 0.32, 0.47, 0.56, 0.56, 0.92, 0.68, 0.28, 0.34, 0.34, 0.47, 0.56, 0.28, 0.35, 0.28, 0.39]
    + [0.56] * 10
    + [0.28, 0.28, 0.56, 0.56, 0.56, 0.47, 0.95, 0.61, 0.66, 0.64, 0.69, 0.59, 0.55, 0.69, 0.73, 0.29, 0.53,
       0.65, 0.54, 0.81, 0.72, 0.74, 0.63, 0.74, 0.63, 0.60, 0.60, 0.72, 0.57, 0.88, 0.57, 0.53, 0.60,
       0.34, 0.39, 0.34, 0.56, 0.56, 0.61, 0.56, 0.62, 0.51, 0.62, 0.55, 0.32, 0.56, 0.61, 0.27, 0.27,
       0.55, 0.28, 0.93, 0.61, 0.61, 0.62, 0.62, 0.39, 0.47, 0.38, 0.61, 0.52, 0.80, 0.50, 0.52, 0.47,
       0.34, 0.27, 0.34, 0.56], strict=True))
_TAG = re.compile(r"<[^>]*>")
_CODE_EM = np.array([0.0] + [_ASCII_EM.get(chr(c), 1.0) for c in range(1, 128)])   # 码位 → 宽（字号的倍数）


def text_width(text, size: float) -> float:
    """一行文字的宽度（像素）；HTML 标签（<b>、<br>）不计，多行取最宽的一行。"""
    lines = _TAG.sub("\n", str(text)).split("\n") if "<" in str(text) else [str(text)]
    return max(sum(_ASCII_EM.get(ch, 1.0) for ch in line) for line in lines) * size


def widest(texts, size: float) -> float:
    """一组文字里最宽的一个（像素），同 max(text_width(t, size) for t in texts)；空值按 str(值)。全国 3000 个单位
    逐个算要几十毫秒：整列转成码位矩阵，查表求和。"""
    labels = [str(t) for t in texts]
    if not labels:
        return 0.0
    if any("<" in t for t in labels):
        return max(text_width(t, size) for t in labels)
    codes = np.array(labels, dtype=str)
    codes = codes.view(np.uint32).reshape(len(labels), -1)      # 补齐的位置是码位 0，宽 0
    return float(np.where(codes < 128, _CODE_EM[np.minimum(codes, 127)], 1.0).sum(axis=1).max()) * size
