"""在 Chromium 里量每个有图页面的每张图（1366×768，普通与投影大字号）：横轴刻度文字（单位名称、维度、日期）
占的高度不超过整张图高的 NAME_SHARE——单位名称多而长时，竖柱图下面斜排的名称曾占去图的近一半；
横轴刻度文字两两不相碰（折行的名称不挤在一起）；满意度逐年对比（横条）每根条上都写着得分。
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
TICKS_JS = r"""() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const fig = gd.getBoundingClientRect();
  const boxes = [...gd.querySelectorAll('.xaxislayer-above .xtick text, .xaxislayer-below .xtick text')]
    .filter(t => t.textContent).map(t => t.getBoundingClientRect()).filter(r => r.height > 0);
  // 水平的刻度文字两两相碰（斜排文字的外接框本来就交叠，不比）
  const level = [...gd.querySelectorAll('.xaxislayer-above .xtick text')]
    .filter(t => t.textContent && !/rotate\((?!0[,)])/.test(t.getAttribute('transform') || ''))
    .map(t => t.getBoundingClientRect()).filter(r => r.height > 0);
  const touching = level.flatMap((a, i) => level.slice(i + 1).filter(b => Math.min(a.right, b.right) > Math.max(a.left, b.left)
    && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top)).map(() => i));
  const bars = gd.data.filter(t => t.type === 'bar' && t.text).reduce((n, t) => n + t.text.length, 0);
  const written = [...gd.querySelectorAll('.barlayer .bartext')]
    .filter(t => t.textContent && getComputedStyle(t).display !== 'none' && t.getBoundingClientRect().width > 0).length;
  return {title: (gd._fullLayout.title.text || '').replace(/<[^>]+>/g, ''), height: fig.height, bars, written,
          ticks: boxes.length ? Math.max(...boxes.map(r => r.bottom)) - Math.min(...boxes.map(r => r.top)) : 0,
          touching: touching.length};
})"""


def tick_problems(charts: list[dict]) -> list[tuple]:
    """横轴刻度文字占图高超过 NAME_SHARE 的图：(标题, 文字高, 图高)；刻度文字相碰的图：(标题, "相碰", 几对)。"""
    return [(c["title"], round(c["ticks"]), round(c["height"])) for c in charts
            if c["ticks"] > NAME_SHARE * c["height"]] + [(c["title"], "相碰", c["touching"]) for c in charts
                                                         if c["touching"]]


def test_tick_problems_on_hand_made_boxes():
    charts = [dict(title="甲", height=450, ticks=26, touching=0), dict(title="乙", height=450, ticks=180.4, touching=0),
              dict(title="丙", height=650, ticks=69, touching=3)]
    assert tick_problems(charts) == [("乙", 180, 450), ("丙", "相碰", 3)]


@pytest.mark.parametrize("big", [True, False], ids=["1366-big", "1366"])
def test_unit_names_do_not_take_half_the_chart(server, browser, big):  # noqa: F811
    with signed_in_page(browser, server) as page:
        seen, yoy_seen, problems = 0, 0, []
        for label, path in each_page(page, server, CHART_PAGES, ".js-plotly-plot", big):
            charts = page.evaluate(TICKS_JS)
            seen += len(charts)
            problems += [(label, *p) for p in tick_problems(charts)]
            _page_screenshot(page, f"names_{path.strip('/') or 'overview'}_1366{'_big' if big else ''}.png", 1366, 768)
            # 逐年对比画成横条后条要够粗，得分才写得进去（plotly 放不下就不写）
            yoy = [c for c in charts if c["title"] == "各单位满意度逐年对比"]
            yoy_seen += len(yoy)
            problems += [(label, c["title"], "条上的得分没写全", c["written"], c["bars"]) for c in yoy
                         if c["written"] < c["bars"]]
        assert seen >= 18 and yoy_seen == 1
        assert not problems, problems
