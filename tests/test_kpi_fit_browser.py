"""在 Chromium 里看指标卡（1366×768 投影机，普通与投影大字号）：卡里的文字——标签、数值、与上期的变化——
都完整显示，没有一处被截成“…”或伸出卡外（量每个有文字的元素：内容宽度不超过它的显示宽度）；
比率卡的数值只有百分比，一行放得下（“73.0%（623/854）”在大字号下曾从数字中间断行）。"""
from __future__ import annotations

import pytest
from playwright import sync_api  # noqa: F401 — 没有 playwright 时 test_browser 已跳过整个模块

from tests.test_browser import (  # noqa: F401 — browser、sample_db、server 是 pytest fixture
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
