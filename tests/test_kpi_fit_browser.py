"""在 Chromium 里看指标卡（1366×768 投影机，普通与投影大字号）：卡里的文字——标签、数值、与上期的变化——
都完整显示，没有一处被截成“…”或伸出卡外（量每个有文字的元素：内容宽度不超过它的显示宽度）；
比率卡的数值只有百分比，一行放得下（“73.0%（623/854）”在大字号下曾从数字中间断行）；
同一排的指标卡一样高（大字号下标签换行的多少不同，卡片曾高矮不齐）。截图：build/screenshots/kpi_rows_<页面>_1366[_big].png。"""
from __future__ import annotations

import pytest
from playwright import sync_api  # noqa: F401 — 没有 playwright 时 test_browser 已跳过整个模块

from tests.test_browser import (  # noqa: F401 — browser、sample_db、server 是 pytest fixture
    SHOTS,
    browser,
    each_page,
    sample_db,
    server,
    signed_in_page,
)

KPI_PAGES = [("总览", "/"), ("县区进度", "/unit_progress"), ("反弹问题", "/relapse"), ("满意度", "/satisfaction"),
             ("线索办理", "/leads")]

# 每张指标卡里有文字、内容比显示宽的元素（被截断或溢出）；以及每张卡数值的行数
CARDS_JS = """() => [...document.querySelectorAll('[data-testid="stMetric"]')].map(card => {
  const value = card.querySelector('[data-testid="stMetricValue"]');
  // the lines of the value's text: one client rect per line box of each text node
  const tops = [], walker = document.createTreeWalker(value, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0 && !tops.some(t => Math.abs(t - r.top) < 4)) tops.push(r.top);
  }
  return {
    label: card.querySelector('[data-testid="stMetricLabel"]').textContent.trim(),
    value: value.textContent.trim(),
    value_lines: tops.length,
    cut: [...card.querySelectorAll('*')].filter(e => e.textContent.trim() && e.scrollWidth > e.clientWidth + 1)
      .map(e => e.textContent.trim()),
  };
})"""


@pytest.mark.parametrize("big", [True, False], ids=["big", "normal"])
def test_every_kpi_card_shows_its_whole_text_at_1366(server, browser, big):  # noqa: F811
    with signed_in_page(browser, server) as page:
        cards, problems = 0, []
        for label, _path in each_page(page, server, KPI_PAGES, '[data-testid="stMetric"]', big):
            for card in page.evaluate(CARDS_JS):
                cards += 1
                if card["cut"]:
                    problems.append((label, card["label"], "截断", card["cut"]))
                if "%" in card["value"] and card["value_lines"] > 1:
                    problems.append((label, card["label"], "比率数值换行", card["value"]))
        assert cards >= 20  # 总览 10、县区进度 4、反弹 4、满意度 5、线索 6 张上下
        assert not problems, problems


# 每张指标卡的上沿与高度（像素）
CARD_BOXES_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')].map(m => {
  const r = m.getBoundingClientRect();
  return {label: m.querySelector('[data-testid="stMetricLabel"]').textContent.trim(), top: r.top, height: r.height};
})"""


def uneven_rows(cards: list[dict]) -> list[list[tuple[str, float]]]:
    """上沿相同（相差不到 2 像素）的卡片为一排；返回高矮不齐（相差 1 像素以上）的排：[(标签, 高度)]。"""
    rows: list[list[dict]] = []
    for card in sorted(cards, key=lambda c: c["top"]):
        if rows and abs(rows[-1][0]["top"] - card["top"]) < 2:
            rows[-1].append(card)
        else:
            rows.append([card])
    return [[(c["label"], round(c["height"], 1)) for c in row] for row in rows
            if max(c["height"] for c in row) - min(c["height"] for c in row) > 1]


def test_uneven_rows_on_hand_made_boxes():
    cards = [dict(label="甲", top=100, height=150), dict(label="乙", top=100.5, height=182),
             dict(label="丙", top=300, height=150), dict(label="丁", top=301, height=150.6)]
    assert uneven_rows(cards) == [[("甲", 150), ("乙", 182)]]


@pytest.mark.parametrize("big", [True, False], ids=["big", "normal"])
def test_kpi_cards_in_a_row_are_equally_tall_at_1366(server, browser, big):  # noqa: F811
    with signed_in_page(browser, server) as page:
        cards, problems = 0, []
        for label, path in each_page(page, server, KPI_PAGES, '[data-testid="stMetric"]', big):
            boxes = page.evaluate(CARD_BOXES_JS)
            cards += len(boxes)
            problems += [(label, row) for row in uneven_rows(boxes)]
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"kpi_rows_{path.strip('/') or 'overview'}_1366{'_big' if big else ''}.png"))
        assert cards >= 20
        assert not problems, problems
