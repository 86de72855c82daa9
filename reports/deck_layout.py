"""幻灯片排版（python-pptx）：16:9 版面、中文字体、页眉页脚、文字框与表格。

文字不溢出：每个文字框、表格格子都先按字宽估算要占几行（汉字一个字宽，数字、字母约 0.6 个字宽），
放不下的截断加“…”；表格只放得下的行数，其余在表下注明“另有 N 个，见简报”。
行距固定为 1.3 倍字号（不随字体的行高而变：Noto Sans CJK 的单倍行距约 1.48 倍、微软雅黑约 1.32 倍），
估算高度时按 1.35 倍留一点余量。
"""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

# 字体：Noto Sans CJK SC（看板、图表同一字体）。打开幻灯片的电脑没有该字体时，PowerPoint/WPS 按文件里的
# PANOSE、charset=GB2312、无衬线（pitchFamily 34）替换为系统的中文无衬线字体（Windows 上即微软雅黑）。
FONT = "Noto Sans CJK SC"
FONT_PANOSE = "020B0500000000000000"   # NotoSansCJKsc-Regular.otf 的 OS/2 PANOSE
FONT_CHARSET = "-122"                  # GB2312
FONT_PITCH_FAMILY = "34"               # variable pitch, swiss (sans-serif)

SLIDE_W, SLIDE_H = 13.333, 7.5          # 英寸，16:9
MARGIN = 0.45
HEADER_H = 0.95
FOOTER_H = 0.42
BODY_TOP = HEADER_H + 0.15
BODY_BOTTOM = SLIDE_H - FOOTER_H - 0.1
BODY_W = SLIDE_W - 2 * MARGIN
LINE_EXACT = 1.3                         # 段落的固定行距 / 字号
LINE = 1.35                              # 估算高度用的行高 / 字号
PAD = 0.05                               # 文字框、格子的内边距（英寸）

NAVY = "1F3864"
GREY = "595959"
LIGHT = "F2F2F2"
HEADER_FILL = "DCE6F1"
STATE_FILL = {"红": "F4CCCC", "黄": "FFF2CC", "绿": "D9EAD3", "蓝": "DDEBF7"}
GOOD, BAD = "2E7D32", "C00000"
# 台账里粘贴来的控制字符（如 Excel 的竖向制表符）XML 存不下，去掉，不让整份幻灯片失败
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def new_presentation() -> Presentation:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    return prs


def blank_slide(prs):
    return prs.slides.add_slide(prs.slide_layouts[6])


# ------------------------------------------------------------------ 字宽估算
def char_em(c: str) -> float:
    if c in "%@MW":  # 比数字宽
        return 0.9
    return 1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.6


def text_em(s: str) -> float:
    return sum(char_em(c) for c in s)


def wrap_lines(s: str, width_in: float, size: float) -> int:
    """按字逐个排，估算 s 在 width_in 宽、size 磅时占几行。"""
    per_line = max(1.0, (width_in - 2 * PAD) * 72 / size * 0.94)
    lines = 0
    for para in s.split("\n"):
        n, used = 1, 0.0
        for c in para:
            w = char_em(c)
            if used + w > per_line:
                n, used = n + 1, 0.0
            used += w
        lines += n
    return lines


def clip(s: str, width_in: float, size: float, max_lines: int) -> str:
    """放不下 max_lines 行时截断，末尾加“…”。"""
    s = s.replace("\r", "")
    if wrap_lines(s, width_in, size) <= max_lines:
        return s
    lo, hi = 0, len(s)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if wrap_lines(s[:mid] + "…", width_in, size) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    return s[:lo].rstrip() + "…"


def text_height(lines: int, size: float) -> float:
    return lines * size * LINE / 72 + 2 * PAD


# ------------------------------------------------------------------ 文字
def _font(run, size: float, bold: bool = False, color: str = "000000") -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", FONT)
        if tag != "a:cs":
            el.set("panose", FONT_PANOSE)
            el.set("charset", FONT_CHARSET)
            el.set("pitchFamily", FONT_PITCH_FAMILY)
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")


@dataclass
class Run:
    text: str
    size: float
    bold: bool = False
    color: str = "000000"


def _frame(tf, anchor=MSO_ANCHOR.TOP) -> None:
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = Inches(PAD)


def _paragraphs(tf, paras: list[list[Run]], align) -> None:
    for i, runs in enumerate(paras):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        p.line_spacing = Pt(max(r.size for r in runs) * LINE_EXACT)
        p.space_before = p.space_after = Pt(0)
        for r in runs:
            run = p.add_run()
            run.text = _XML_ILLEGAL.sub("", r.text.replace("\r", ""))
            _font(run, r.size, r.bold, r.color)


def textbox(slide, left, top, width, height, paras, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP, name=None,
            fill: str | None = None):
    """paras: 段落列表，每段是 Run 列表（或一个字符串 + 默认字号由调用方给 Run）。"""
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        box.name = name
    if fill:
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor.from_string(fill)
    _frame(box.text_frame, anchor)
    _paragraphs(box.text_frame, paras, align)
    return box


def paragraph_box(slide, left, top, width, text: str, size: float, max_lines: int, color: str = "000000",
                  bold: bool = False, name=None) -> float:
    """一段文字，按宽度估算高度，超过 max_lines 行截断；返回下一元素的 top。"""
    text = clip(text, width, size, max_lines)
    h = text_height(wrap_lines(text, width, size), size)
    textbox(slide, left, top, width, h, [[Run(text, size, bold, color)]], name=name)
    return top + h


# ------------------------------------------------------------------ 页眉页脚
def header(slide, title: str, aside: str = "") -> None:
    bar = slide.shapes.add_shape(1, 0, 0, Inches(SLIDE_W), Inches(HEADER_H))  # 1 = rectangle
    bar.fill.solid()
    bar.fill.fore_color.rgb = RGBColor.from_string(NAVY)
    bar.line.fill.background()
    textbox(slide, MARGIN, 0.1, 7.6, HEADER_H - 0.2, [[Run(title, 30, True, "FFFFFF")]],
            anchor=MSO_ANCHOR.MIDDLE, name="标题")
    if aside:
        aside = clip(aside, 4.6, 16, 2)
        textbox(slide, SLIDE_W - MARGIN - 4.6, 0.1, 4.6, HEADER_H - 0.2, [[Run(aside, 16, False, "FFFFFF")]],
                align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE, name="阶段")


def footer(slide, scope: str, stamp: str, page: str) -> None:
    top = SLIDE_H - FOOTER_H
    line = slide.shapes.add_connector(1, Inches(MARGIN), Inches(top), Inches(SLIDE_W - MARGIN), Inches(top))
    line.line.color.rgb = RGBColor.from_string("BFBFBF")
    scope = clip(scope, 8.9, 12, 1)
    textbox(slide, MARGIN, top + 0.04, 8.9, FOOTER_H - 0.08, [[Run(scope, 12, False, GREY)]],
            anchor=MSO_ANCHOR.MIDDLE, name="范围")
    textbox(slide, SLIDE_W - MARGIN - 3.4, top + 0.04, 3.4, FOOTER_H - 0.08,
            [[Run(stamp, 13, True, NAVY), Run(f"　{page}", 12, False, GREY)]],
            align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE, name="数据截至")


# ------------------------------------------------------------------ 图片
def picture(slide, png: bytes, left, top, width, height) -> float:
    """按比例放进 width×height 的框，水平居中；返回图片底边。"""
    w, h = Image.open(io.BytesIO(png)).size
    scale = min(width / w, height / h)
    pw, ph = w * scale, h * scale
    slide.shapes.add_picture(io.BytesIO(png), Inches(left + (width - pw) / 2), Inches(top), Inches(pw), Inches(ph))
    return top + ph


# ------------------------------------------------------------------ 表格
@dataclass
class Col:
    header: str
    width: float            # 英寸
    max_lines: int = 1
    align: str = "left"     # left / center


def _cell(cell, text: str, size: float, bold=False, fill: str | None = None, align="left") -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = RGBColor.from_string(fill or "FFFFFF")
    cell.margin_left = cell.margin_right = Inches(PAD)
    cell.margin_top = cell.margin_bottom = Inches(PAD / 2)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    tf = cell.text_frame
    tf.word_wrap = True
    _paragraphs(tf, [[Run(text, size, bold)]], PP_ALIGN.CENTER if align == "center" else PP_ALIGN.LEFT)


def _row_height(texts: list[str], cols: list[Col], size: float) -> float:
    lines = max(wrap_lines(t, c.width, size) for t, c in zip(texts, cols, strict=True))
    return lines * size * LINE / 72 + PAD + 0.04


def table(slide, cols: list[Col], rows: list[list[str]], left, top, max_height, size: float = 15,
          fills: list[list[str | None]] | None = None, name: str = "表格") -> tuple[float, int]:
    """画表：格子文字按列宽截断到 max_lines 行，只放 max_height 放得下的行。返回 (表底边, 放下的行数)。"""
    cells = [[clip(str(t), c.width, size, c.max_lines) for t, c in zip(r, cols, strict=True)] for r in rows]
    heads = [c.header for c in cols]
    heights = [_row_height(heads, cols, size)]
    for r in cells:
        h = _row_height(r, cols, size)
        if sum(heights) + h > max_height:
            break
        heights.append(h)
    n = len(heights) - 1
    if n == 0:  # 一行也放不下：不画只有表头的空表
        return top, 0
    shape = slide.shapes.add_table(n + 1, len(cols), Inches(left), Inches(top),
                                   Inches(sum(c.width for c in cols)), Inches(sum(heights)))
    shape.name = name
    t = shape.table
    t.first_row = True
    t.horz_banding = False
    for j, c in enumerate(cols):
        t.columns[j].width = Inches(c.width)
    for i, h in enumerate(heights):
        t.rows[i].height = Emu(int(Inches(h)))
    for j, c in enumerate(cols):
        _cell(t.cell(0, j), c.header, size, bold=True, fill=HEADER_FILL, align="center")
    for i in range(n):
        for j, c in enumerate(cols):
            fill = fills[i][j] if fills else None
            _cell(t.cell(i + 1, j), cells[i][j], size, fill=fill, align=c.align)
    return top + sum(heights), n
