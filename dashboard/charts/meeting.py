"""会议模式的图表与版块（HTML + CSS，不用 plotly）：大数字卡片、横向条形（逾期、满意度）、红黄蓝色块、表格。

尺寸全部用 rem，页面把根字号设为视口的一个比例（dashboard/meeting_chrome.py），所以 1366×768 与 1920×1080
投影出来版面相同、字同样大；文字一律允许换行，不截断。数据里的文字（单位名、事项标题）都经 html.escape。
"""
from __future__ import annotations

import re
from html import escape

from analytics.palette import BLUE, GREEN, ORANGE, RED, YELLOW

CHIP_CLASS = {"红": "red", "黄": "yellow", "蓝": "blue", "绿": "green"}
_SHORT_UNIT = re.compile(r"^(.+?(?:市|县|区|旗|行委))(?:建设和)?交通运输局$")

CSS = f"""
.mt{{color:#1a1a1a;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;display:flex;flex-direction:column;
  gap:1.1rem;line-height:1.35;}}
.mt *{{box-sizing:border-box;}}
.mt .head{{font-size:2.1rem;font-weight:700;margin:0;}}
.mt .line{{font-size:1.55rem;margin:0;}}
.mt .small{{font-size:1.1rem;color:#444;margin:0;}}
.mt .good{{color:{GREEN};}} .mt .bad{{color:{RED};}} .mt .flat{{color:#555;}}
.mt .cards{{display:flex;gap:1.2rem;}}
.mt .card{{flex:1 1 0;min-width:0;border:0.15rem solid #cfd6df;border-radius:0.8rem;padding:0.9rem 1.3rem;}}
.mt .card .lab{{font-size:1.6rem;}}
.mt .card .val{{font-size:4.6rem;font-weight:700;color:{BLUE};line-height:1.15;}}
.mt .cards.big .val{{font-size:5.8rem;}}
.mt .card .note{{font-size:1.3rem;color:#444;}}
.mt .cards.compact .card{{padding:0.5rem 1rem;}}
.mt .cards.compact .lab{{font-size:1.35rem;}}
.mt .cards.compact .val{{font-size:3.2rem;}}
.mt .cards.compact .note{{font-size:1.1rem;}}
.mt .cards.compact .delta{{font-size:1.4rem;}}
.mt .stages{{display:flex;gap:0.5rem;}}
.mt .step{{flex:1 1 0;min-width:0;border:0.15rem solid #b8c4d3;border-radius:0.5rem;padding:0.45rem 0.7rem;
  font-size:1.35rem;color:#333;}}
.mt .step .when{{font-size:1.05rem;}}
.mt .step.past{{background:#eef1f5;color:#666;border-color:#dde3ea;}}
.mt .step.now{{background:{BLUE};color:#fff;border-color:{BLUE};font-weight:700;}}
.mt .card .delta{{font-size:1.7rem;font-weight:700;}}
.mt .chip{{display:inline-block;min-width:2.1em;text-align:center;border-radius:0.35rem;padding:0 0.3em;
  font-weight:700;}}
.mt .chip.red{{background:{RED};color:#fff;}} .mt .chip.yellow{{background:{YELLOW};color:#1a1a1a;}}
.mt .chip.blue{{background:{BLUE};color:#fff;}} .mt .chip.green{{background:{GREEN};color:#fff;}}
.mt table{{border-collapse:collapse;width:100%;font-size:1.5rem;}}
.mt th{{font-size:1.15rem;color:#444;font-weight:600;text-align:left;border-bottom:0.15rem solid #bbb;
  padding:0.25rem 0.6rem;}}
.mt td{{padding:0.4rem 0.6rem;border-bottom:0.07rem solid #ddd;vertical-align:middle;}}
.mt td.num,.mt th.num{{text-align:right;white-space:nowrap;}}
.mt td.why{{font-size:1.3rem;}}
.mt .bars{{display:flex;flex-direction:column;gap:0.4rem;}}
.mt .bar{{display:grid;grid-template-columns:22rem 1fr 15rem;align-items:center;gap:0.9rem;font-size:1.5rem;}}
.mt .track{{position:relative;height:1.8rem;background:#eef1f5;display:flex;}}
.mt .seg{{height:100%;}}
.mt .mark{{position:absolute;top:-0.35rem;bottom:-0.35rem;border-left:0.2rem dashed #222;}}
.mt .legend{{font-size:1.15rem;color:#333;display:flex;gap:1.6rem;}}
.mt .legend .aside{{margin-left:auto;}}
.mt .legend.big{{font-size:1.5rem;flex-wrap:wrap;gap:0.6rem 1.6rem;}}
.mt .key{{display:inline-block;width:1.1rem;height:1.1rem;margin-right:0.4rem;vertical-align:-0.1rem;}}
.mt .empty{{font-size:1.8rem;color:#333;padding:2rem 0;}}
"""


def short_unit(name: str) -> str:
    """幻灯片上的单位简称：“乌兰县建设和交通运输局”→“乌兰县”，“格尔木市交通运输局”→“格尔木市”；
    局属单位、科室、支队名称照写（它们没有更短而不致误解的叫法）。"""
    m = _SHORT_UNIT.match(str(name))
    return m.group(1) if m else str(name)


def chip(state: str | None) -> str:
    if not state:
        return ""
    return f'<span class="chip {CHIP_CLASS.get(state, "")}">{escape(state)}</span>'


def delta_html(delta: str | None, good: bool | None, prefix: str = "较上期 ") -> str:
    """较上期变化：好事绿、坏事红、持平或增减无好坏时灰；持平不加箭头。"""
    if delta is None:
        return ""
    cls = "flat" if good is None else ("good" if good else "bad")
    arrow = "" if delta == "持平" else ("↑" if delta.startswith("+") else "↓")
    return f'<span class="{cls}">{escape(prefix)}{arrow}{escape(delta)}</span>'


def cards(figures, big: bool = False, compact: bool = False) -> str:
    """大数字卡片一行：名称、数值、说明、较上期变化。big 更大的数；compact 矮一些（下面还有图表）。"""
    out = []
    for fig in figures:
        d = delta_html(fig.delta, fig.good)
        out.append(f'<div class="card"><div class="lab">{escape(fig.label)}</div>'
                   f'<div class="val">{escape(fig.value)}</div>'
                   + (f'<div class="note">{escape(fig.note)}</div>' if fig.note else "")
                   + (f'<div class="delta">{d}</div>' if d else "") + "</div>")
    size = " big" if big else (" compact" if compact else "")
    return f'<div class="cards{size}">{"".join(out)}</div>'


STEP_CLASS = {"已过": "past", "当前": "now", "未到": ""}


def stage_strip(steps) -> str:
    """方案的工作阶段一行：已过的灰、所处阶段深蓝、未到的白；每格写起止日期（长期阶段写“起，长期”）。"""
    out = []
    for s in steps:
        start = f"{s.start:%m-%d}" if s.start else ""
        when = f"{start}～{s.end:%m-%d}" if s.end else f"{start}起，长期"
        tag = "（当前）" if s.state == "当前" else ""
        out.append(f'<div class="step {STEP_CLASS[s.state]}"><div>{escape(s.name)}{tag}</div>'
                   f'<div class="when">{escape(when)}</div></div>')
    return f'<div class="stages">{"".join(out)}</div>' if out else ""


def table(headers: list[tuple[str, str]], rows: list[list[tuple[str, str]]]) -> str:
    """headers：[(文字, class)]；rows：每格 (已转义的 HTML, class)。"""
    head = "".join(f'<th class="{c}">{escape(h)}</th>' for h, c in headers)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{v}</td>' for v, c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def stacked_bars(rows: list[tuple[str, list[int], str]], colours: list[str], names: list[str],
                 note: str = "") -> str:
    """横向堆积条形：rows 为 (单位, [各段数值], 右侧文字)；条长按最大合计缩放；note 写在图例同一行右侧。"""
    top = max((sum(v) for _, v, _ in rows), default=0) or 1
    out = []
    for label, values, text in rows:
        segs = "".join(f'<div class="seg" style="width:{100 * v / top:.2f}%;background:{c}"></div>'
                       for v, c in zip(values, colours, strict=True) if v)
        out.append(f'<div class="bar"><div>{escape(label)}</div><div class="track">{segs}</div>'
                   f"<div>{escape(text)}</div></div>")
    keys = "".join(f'<span><span class="key" style="background:{c}"></span>{escape(n)}</span>'
                   for c, n in zip(colours, names, strict=True))
    if note:
        keys += f'<span class="aside">{escape(note)}</span>'
    return f'<div class="bars">{"".join(out)}</div><div class="legend">{keys}</div>'


def score_bars(rows: list[tuple[str, float, bool, str]], low_below: float | None) -> str:
    """满意度得分条（0–100 分）：rows 为 (单位, 得分, 是否满意度低, 右侧文字)；满意度低的红色，其余蓝色；
    虚线为“低于 N 分”的界限。"""
    mark = (f'<div class="mark" style="left:{low_below:.2f}%"></div>'
            if low_below is not None and 0 < low_below < 100 else "")
    out = []
    for label, score, low, text in rows:
        width = max(0.0, min(100.0, float(score)))
        out.append(f'<div class="bar"><div>{escape(label)}</div><div class="track">'
                   f'<div class="seg" style="width:{width:.2f}%;background:{RED if low else BLUE}"></div>{mark}</div>'
                   f"<div>{escape(text)}</div></div>")
    keys = (f'<span><span class="key" style="background:{RED}"></span>满意度低</span>'
            f'<span><span class="key" style="background:{BLUE}"></span>其他单位</span>')
    if mark:
        keys += f'<span>虚线：{low_below:g}分</span>'
    return f'<div class="bars">{"".join(out)}</div><div class="legend">{keys}</div>'


OVERDUE_COLOURS = [RED, ORANGE]   # 逾期问题、超期未办结线索
