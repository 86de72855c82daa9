"""幻灯片上的指标卡：数值、上期值和变化都取自简报的“关键指标”表（reports.brief_tables.kpi_table），
与简报同一行数字、同一写法（“+0.7个百分点”“-1”“持平”）。"""
from __future__ import annotations

from reports import brief_tables as bt
from reports import deck_layout as L
from reports.deck_layout import Run

# 变化的好坏（定颜色）：这些指标增加是坏事；NEUTRAL 不着色
WORSE_WHEN_UP = {"逾期问题", "长期推进", "反弹问题", "超期未办结线索"}
NEUTRAL = {"查摆问题数", "受理线索"}
GAP = 0.15
LABEL_PT, VALUE_PT, SMALL_PT = 15, 28, 13


def _change_colour(label: str, change) -> str:
    if change is None or change == 0 or label in NEUTRAL:
        return L.GREY
    up = change > 0
    return L.BAD if up == (label in WORSE_WHEN_UP) else L.GOOD


def _card_paras(row, width: float) -> list[list[Run]]:
    (_, label), (kind, cur), (_, prev), (ckind, change) = row
    value = bt.display(cur, kind)
    frac = ""
    if kind == "rate":
        value, frac = value.split("（", 1)
        frac = "（" + frac
    paras = [[Run(L.clip(label, width, LABEL_PT, 2), LABEL_PT, False, L.GREY)]]
    big = [Run(value, VALUE_PT, True, L.NAVY)]
    # 大号粗体数字比估算的宽：同一行放分子分母时多留余量
    if frac and L.text_em(value) * VALUE_PT * 1.1 + L.text_em(frac) * SMALL_PT < (width - 2 * L.PAD) * 72 * 0.9:
        big.append(Run(frac, SMALL_PT, False, L.GREY))
        frac = ""
    paras.append(big)
    if frac:
        paras.append([Run(frac, SMALL_PT, False, L.GREY)])
    if prev is None and change is None:
        paras.append([Run("无上期数据", SMALL_PT, False, L.GREY)])
        return paras
    prev_text = "上期 " + bt.display(prev, kind).split("（")[0]
    change_text = "较上期 " + bt.display(change, ckind)
    colour = _change_colour(label, change)
    if L.text_em(prev_text + "，" + change_text) * SMALL_PT < (width - 2 * L.PAD) * 72 * 0.94:
        paras.append([Run(prev_text + "，", SMALL_PT, False, L.GREY), Run(change_text, SMALL_PT, True, colour)])
    else:
        paras.append([Run(prev_text, SMALL_PT, False, L.GREY)])
        paras.append([Run(change_text, SMALL_PT, True, colour)])
    return paras


def _height(paras: list[list[Run]], width: float) -> float:
    h = 0.0
    for runs in paras:
        size = max(r.size for r in runs)
        h += L.wrap_lines("".join(r.text for r in runs), width, size) * size * L.LINE / 72
    return h + 2 * L.PAD + 0.1


def kpi_cards(slide, data, labels: list[str], top: float, per_row: int) -> float:
    """按 labels 的顺序画指标卡，每行 per_row 张；返回卡片下边。"""
    rows = {r[0][1]: r for r in bt.kpi_table(data).rows}
    width = (L.BODY_W - GAP * (per_row - 1)) / per_row
    cards = [_card_paras(rows[label], width) for label in labels]
    for start in range(0, len(cards), per_row):
        line = cards[start:start + per_row]
        h = max(_height(p, width) for p in line)
        for i, paras in enumerate(line):
            L.textbox(slide, L.MARGIN + i * (width + GAP), top, width, h, paras, name=f"指标卡：{labels[start + i]}",
                      fill=L.LIGHT, anchor=L.MSO_ANCHOR.MIDDLE)
        top += h + GAP
    return top - GAP
