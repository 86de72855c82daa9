"""简报 .docx：A4、页脚页码（PAGE 域）、表格行不跨页断开（cantSplit）、表头行跨页重复（tblHeader）。"""
from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports import brief_supervision as bs
from reports import brief_tables as bt
from reports import brief_text as tx
from reports.charts_png import brief_charts
from reports.output import save_document

BODY_FONT = "仿宋"
HEAD_FONT = "黑体"
TITLE_FONT = "宋体"
STATE_SHADE = {"红": "F4CCCC", "黄": "FFF2CC", "绿": "D9EAD3", "蓝": "DDEBF7"}  # 蓝：督办等级
HEADER_SHADE = "DCE6F1"
TEXT_WIDTH_CM = 16.0


def _set_run_font(run, name: str, size: float | None = None, bold: bool | None = None, color=None):
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _run(paragraph, text: str):
    """A text run; control characters that Word's XML cannot hold (a vertical tab pasted from
    Excel in 责任人, say) are dropped instead of failing the whole brief."""
    return paragraph.add_run(_XML_ILLEGAL.sub("", text))


def para(doc_or_cell, text: str = "", font: str = BODY_FONT, size: float = 14, bold: bool = False,
          align=None, indent: bool = False, space_after: float = 4, color=None):
    p = doc_or_cell.add_paragraph()
    if text:
        _set_run_font(_run(p, text), font, size, bold, color)
    if align is not None:
        p.alignment = align
    pf = p.paragraph_format
    pf.space_after = Pt(space_after)
    pf.space_before = Pt(0)
    pf.line_spacing = 1.25
    if indent:
        pf.first_line_indent = Pt(size * 2)
    return p


def heading(doc, text: str) -> None:
    p = para(doc, text, HEAD_FONT, 15, False, space_after=6)
    p.paragraph_format.space_before = Pt(10)
    p.paragraph_format.keep_with_next = True


def _page_number_footer(section) -> None:
    """页脚居中“第 X 页”：PAGE 域。"""
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_run_font(p.add_run("第 "), BODY_FONT, 10.5)
    run = p.add_run()
    _set_run_font(run, BODY_FONT, 10.5)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._element.append(fc)
        elif text.strip() == "PAGE":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._element.append(it)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._element.append(t)
    _set_run_font(p.add_run(" 页"), BODY_FONT, 10.5)


def _row_props(row, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    cs = OxmlElement("w:cantSplit")
    trpr.append(cs)
    if header:
        th = OxmlElement("w:tblHeader")
        trpr.append(th)


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _cell_text(cell, text: str, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT, size: float = 9) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    _set_run_font(_run(p, text), "宋体", size, bold)


def _fixed_layout(t, widths) -> None:
    """固定列宽：tblLayout=fixed + tblGrid 的 gridCol 宽度（LibreOffice/WPS 按 gridCol 排版）。"""
    tblpr = t._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    for col, w in zip(t.columns, widths, strict=True):
        col.width = w


def add_table(doc, table: bt.Table) -> None:
    para(doc, table.title, HEAD_FONT, 12, space_after=3).paragraph_format.keep_with_next = True
    if not table.rows:
        para(doc, table.empty_text, size=12, indent=True)
        return
    ncol = len(table.columns)
    t = doc.add_table(rows=1, cols=ncol)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    total = sum(c.width for c in table.columns)
    widths = [Cm(c.width * TEXT_WIDTH_CM / total) for c in table.columns]
    _fixed_layout(t, widths)
    hdr = t.rows[0]
    _row_props(hdr, header=True)
    for i, c in enumerate(table.columns):
        cell = hdr.cells[i]
        cell.width = widths[i]
        _shade(cell, HEADER_SHADE)
        _cell_text(cell, c.header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in table.rows:
        r = t.add_row()
        _row_props(r)
        for i in range(ncol):
            kind, value = bt.cell_kind(table, row, i)
            cell = r.cells[i]
            cell.width = widths[i]
            text = bt.display(value, kind)
            align = (WD_ALIGN_PARAGRAPH.LEFT if kind == "text" and table.columns[i].width >= 2.5
                     else WD_ALIGN_PARAGRAPH.CENTER)
            if kind == "rate":
                text = text.replace("（", "\n（")
            if kind == "state" and value in STATE_SHADE:
                _shade(cell, STATE_SHADE[value])
            _cell_text(cell, text, align=align)
    if table.note:
        para(doc, "注：" + table.note, size=9, space_after=6)


def new_document():
    """A4 纵向、公文页边距、页脚页码、正文仿宋的空文档（简报、督办通知单共用）。"""
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.5)
    _page_number_footer(sec)
    style = doc.styles["Normal"]
    style.font.name = BODY_FONT
    style.element.get_or_add_rPr()
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        style.element.rPr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    return doc


def red_rule(paragraph) -> None:
    """段落下的红色分隔线（版头下横线）。"""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def build_document(data):
    doc = new_document()
    tb = tx.title_block(data)
    para(doc, tb["title"], TITLE_FONT, 20, True, WD_ALIGN_PARAGRAPH.CENTER, space_after=6, color="C00000")
    para(doc, tb["issue"], BODY_FONT, 14, False, WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
    red_rule(para(doc, f"{tb['office']}　　　　{tb['date']}", BODY_FONT, 12, False, WD_ALIGN_PARAGRAPH.CENTER,
                   space_after=2))
    para(doc, f"{tb['period']}　{tb['compared']}", BODY_FONT, 11, False, WD_ALIGN_PARAGRAPH.CENTER, space_after=2)
    para(doc, tb["doc"], BODY_FONT, 10, False, WD_ALIGN_PARAGRAPH.CENTER, space_after=8)
    number = iter(range(1, 100))

    def section(title: str) -> None:
        heading(doc, f"{_cn(next(number))}、{title}")

    section("督办事项跟踪")
    para(doc, bs.supervision_summary(data), size=12, indent=True)
    for t in bs.opening_tables(data):
        add_table(doc, t)

    section("总体情况")
    para(doc, tx.opening_paragraph(data), size=14, indent=True)
    add_table(doc, bt.kpi_table(data))
    charts = brief_charts(data)

    section("各单位整改进度")
    add_table(doc, bt.unit_table(data))
    for title, png in charts[:2]:
        _add_picture(doc, title, png)

    section("滞后单位及原因")
    para(doc, tx.lagging_summary(data), size=12, indent=True)
    add_table(doc, bt.lagging_table(data))
    for title, png in charts[2:]:
        _add_picture(doc, title, png)

    section("逾期问题")
    para(doc, f"截至{tx.md(data.as_of)}，逾期未整改问题共{len(data.overdue)}个，清单如下。", size=12, indent=True)
    add_table(doc, bt.overdue_table(data))

    section("超期未办结线索")
    para(doc, f"超过办理时限仍未办结的线索共{len(data.leads_overdue)}件，清单如下，请承办单位抓紧办结并反馈投诉人。",
          size=12, indent=True)
    add_table(doc, bt.leads_overdue_table(data))

    if data.warning is not None:
        section("即将到期")
        para(doc, bs.due_soon_summary(data), size=12, indent=True)
        for t in bs.due_soon_tables(data):
            add_table(doc, t)

    section("反弹问题")
    para(doc, f"截至{tx.md(data.as_of)}，发现“死灰复燃”“重复反弹”问题{len(data.relapses)}个。", size=12,
          indent=True)
    add_table(doc, bt.relapse_table(data))

    sat = bt.satisfaction_table(data)
    if sat is not None:
        section("执法满意度")
        add_table(doc, sat)
    section("上期通报事项跟踪")
    para(doc, tx.followup_summary(data), size=12, indent=True)
    for t in (bt.followup_units_table(data), bt.followup_problems_table(data)):
        if t is not None:
            add_table(doc, t)
    return doc


def _cn(n: int) -> str:
    return "零一二三四五六七八九十"[n] if n <= 10 else str(n)


def _add_picture(doc, title: str, png: bytes) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(png), width=Cm(TEXT_WIDTH_CM))
    para(doc, title, BODY_FONT, 10.5, False, WD_ALIGN_PARAGRAPH.CENTER, space_after=8)


def write_docx(data, out: str | Path | None = None) -> bytes | Path:
    doc = build_document(data)
    return save_document(doc, out)
