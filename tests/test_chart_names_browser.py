"""在 Chromium 里量每个有图页面的每张图（1366×768，普通与投影大字号）：横轴刻度文字（单位名称、维度、日期）
占的高度不超过整张图高的 NAME_SHARE——单位名称多而长时，竖柱图下面斜排的名称曾占去图的近一半。
截图：build/screenshots/names_<页面>_1366[_big].png。"""
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
from tests.test_chart_margin_browser import CHART_PAGES
from tests.test_chart_overlap_browser import _page_screenshot

NAME_SHARE = 0.15

# 每张图：标题、整张图的高度、横轴刻度文字所占的竖直范围（像素）
TICKS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const fig = gd.getBoundingClientRect();
  const boxes = [...gd.querySelectorAll('.xaxislayer-above .xtick text, .xaxislayer-below .xtick text')]
    .filter(t => t.textContent).map(t => t.getBoundingClientRect()).filter(r => r.height > 0);
  return {title: (gd._fullLayout.title.text || '').replace(/<[^>]+>/g, ''), height: fig.height,
          ticks: boxes.length ? Math.max(...boxes.map(r => r.bottom)) - Math.min(...boxes.map(r => r.top)) : 0};
})"""


def tall_tick_bands(charts: list[dict]) -> list[tuple[str, int, int]]:
    """横轴刻度文字占图高超过 NAME_SHARE 的图：[(标题, 文字高, 图高)]。"""
    return [(c["title"], round(c["ticks"]), round(c["height"])) for c in charts
            if c["ticks"] > NAME_SHARE * c["height"]]


def test_tall_tick_bands_on_hand_made_boxes():
    charts = [dict(title="甲", height=450, ticks=26), dict(title="乙", height=450, ticks=180.4)]
    assert tall_tick_bands(charts) == [("乙", 180, 450)]


@pytest.mark.parametrize("big", [True, False], ids=["1366-big", "1366"])
def test_unit_names_do_not_take_half_the_chart(server, browser, big):  # noqa: F811
    with signed_in_page(browser, server) as page:
        seen, problems = 0, []
        for label, path in each_page(page, server, CHART_PAGES, ".js-plotly-plot", big):
            charts = page.evaluate(TICKS_JS)
            seen += len(charts)
            problems += [(label, *p) for p in tall_tick_bands(charts)]
            _page_screenshot(page, f"names_{path.strip('/') or 'overview'}_1366{'_big' if big else ''}.png", 1366, 768)
        assert seen >= 18
        assert not problems, problems
