"""在 Chromium 里核对 dashboard/charts/margins.py 算的边距：每个有图的页面（普通与投影大字号），每张图每条坐标轴
量出的所需边距（plotly 的 automargin 推出的 _pushmargin）都不大于给定的边距，即 plotly 不会因边距不够再把图整张重画一遍，
刻度文字和标题也不会被截掉。截图：build/screenshots/margin_<页面>_<宽>[_big].png。"""
from __future__ import annotations

import pytest
from playwright import sync_api  # noqa: F401 — 没有 playwright 时 test_browser 已跳过整个模块

from tests.test_browser import (  # noqa: F401 — browser、sample_db、server 是 pytest fixture
    SHOTS,
    _full_page_screenshot,
    browser,
    each_page,
    sample_db,
    server,
    signed_in_page,
)

CHART_PAGES = [("总览", "/"), ("县区进度", "/unit_progress"), ("县区地图", "/county_map"), ("问题热点", "/hotspots"),
               ("反弹问题", "/relapse"), ("满意度", "/satisfaction"), ("线索办理", "/leads"), ("数据管理", "/data_admin")]

# 每张图：标题、给定边距、各坐标轴推出的边距（plotly 在最后一次排版后留下的 _pushmargin，“x.automargin” 等）
MARGINS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const fl = gd._fullLayout, push = {};
  for (const [k, v] of Object.entries(fl._pushmargin || {}))
    if (k.endsWith('.automargin')) push[k] = {l: v.l.size, r: v.r.size, t: v.t.size, b: v.b.size};
  return {title: (fl.title.text || '').replace(/<[^>]+>/g, ''), margin: {l: fl.margin.l, r: fl.margin.r, t: fl.margin.t,
          b: fl.margin.b}, push};
})"""


@pytest.mark.parametrize("big", [False, True], ids=["normal", "big"])
def test_computed_margins_hold_every_axis_so_plotly_lays_out_once(server, browser, big):  # noqa: F811
    with signed_in_page(browser, server) as page:
        seen, short = 0, []
        for label, path in each_page(page, server, CHART_PAGES, ".js-plotly-plot", big):
            charts = page.evaluate(MARGINS_JS)
            assert charts, label
            for c in charts:
                seen += 1
                for axis, need in c["push"].items():
                    # plotly 把边距取整后比较：差不到半个像素不重画
                    over = {s: round(need[s] - c["margin"][s], 1) for s in "lrtb" if need[s] >= c["margin"][s] + 0.5}
                    if over:
                        short.append((label, c["title"], axis, over))
            _full_page_screenshot(page, SHOTS / f"margin_{path.strip('/') or 'overview'}_1366{'_big' if big else ''}.png")
        assert seen >= 18
        assert not short, short
