"""在 Chromium 里量每个有图页面的每张图（1366×768 与 1920×1080，普通与投影大字号）：
图例框不压图标题、不压绘图区，注释不压标题；柱和点旁的数值标签两两不相碰（至少隔开 1 像素）、不伸出图外（被截掉）。
截图：build/screenshots/proj_<页面>_<宽>[_big].png。"""
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
from tests.test_chart_margin_browser import CHART_PAGES

# 每张图：标题、图例、注释、绘图区（每个子图的拖动框）、柱和点旁的数值标签的框（页面坐标，像素）
BOXES_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
    const title = gd.querySelector('.gtitle'), legend = gd.querySelector('.legend');
    const labels = [...gd.querySelectorAll('.barlayer .bartext, .scatterlayer .textpoint text')]
      .filter(t => t.textContent && getComputedStyle(t).display !== 'none')
      .map(t => ({text: t.textContent, box: box(t)}))
      .filter(t => t.box[2] > t.box[0]);
    return {title: (gd._fullLayout.title.text || '').replace(/<[^>]+>/g, ''), figure: box(gd),
            notes: [...gd.querySelectorAll('.annotation')].filter(a => a.textContent).map(a => ({text: a.textContent, box: box(a)})),
            title_box: title && title.textContent ? box(title) : null,
            legend_box: legend ? box(legend) : null,
            plots: [...gd.querySelectorAll('.draglayer .nsewdrag')].map(box),
            labels};
  });
}"""


def overlap(a, b, gap: float = 0) -> bool:
    """两个框 [左, 上, 右, 下] 相交（gap > 0：相距不到 gap 像素也算）。"""
    return min(a[2], b[2]) - max(a[0], b[0]) > -gap and min(a[3], b[3]) - max(a[1], b[1]) > -gap


def chart_problems(chart: dict) -> list:
    """一张图里压在一起的文字：[(问题, 细节)]。"""
    out = []
    legend, title = chart["legend_box"], chart["title_box"]
    if legend and title and overlap(legend, title):
        out.append(("图例压住标题", legend, title))
    out += [("图例压住绘图区", legend, p) for p in chart["plots"] if legend and overlap(legend, p)]
    out += [("注释压住标题", n["text"]) for n in chart.get("notes", []) if title and overlap(n["box"], title)]
    labels = chart["labels"]
    fig = chart.get("figure")
    out += [("数值标签伸出图外", t["text"]) for t in labels
            if fig and (t["box"][0] < fig[0] - 1 or t["box"][2] > fig[2] + 1)]
    out += [("数值标签相碰", a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if overlap(a["box"], b["box"], gap=1)]
    return out


def test_overlap_rules_on_hand_made_boxes():
    assert overlap([0, 0, 10, 10], [5, 5, 20, 20])
    assert not overlap([0, 0, 10, 10], [10, 0, 20, 10])                 # 贴边不算相交
    assert overlap([0, 0, 10, 10], [10, 0, 20, 10], gap=1)               # 但数值标签要隔开
    chart = dict(title="甲", title_box=[0, 0, 100, 30], legend_box=[90, 20, 200, 50], plots=[[0, 60, 200, 300]],
                 labels=[dict(text="90.2", box=[0, 100, 20, 120]), dict(text="90.2", box=[20, 100, 40, 120]),
                         dict(text="8", box=[100, 100, 105, 110])])
    assert [p[0] for p in chart_problems(chart)] == ["图例压住标题", "数值标签相碰"]
    chart["legend_box"] = [90, 40, 200, 70]                              # 图例挪到标题下面，但压住绘图区上沿
    assert [p[0] for p in chart_problems(chart)] == ["图例压住绘图区", "数值标签相碰"]
    chart |= dict(figure=[0, 0, 100, 400], notes=[dict(text="低于80分", box=[50, 10, 90, 25])])
    assert [p[0] for p in chart_problems(chart)] == ["图例压住绘图区", "注释压住标题", "数值标签伸出图外",
                                                     "数值标签相碰"]


SIZES = [(1366, 768, True), (1366, 768, False), (1920, 1080, True), (1920, 1080, False)]


@pytest.mark.parametrize("width,height,big", SIZES, ids=["1366-big", "1366", "1920-big", "1920"])
def test_no_legend_or_value_label_overlaps_on_any_chart(server, browser, width, height, big):  # noqa: F811
    with signed_in_page(browser, server, width, height) as page:
        seen, problems = 0, []
        for label, path in each_page(page, server, CHART_PAGES, ".js-plotly-plot", big):
            for chart in page.evaluate(BOXES_JS):
                seen += 1
                problems += [(label, chart["title"], *p) for p in chart_problems(chart)]
            _page_screenshot(page, f"proj_{path.strip('/') or 'overview'}_{width}{'_big' if big else ''}.png",
                             width, height)
        assert seen >= 18
        assert not problems, problems


def _page_screenshot(page, name: str, width: int, height: int) -> None:
    """整页截图（Streamlit 的主区域在自己的滚动容器里：视口拉高到内容高度再截），截完恢复视口。"""
    full = page.evaluate("""() => Math.max(...[document.documentElement, document.body,
        document.querySelector('[data-testid="stMain"]'),
        document.querySelector('[data-testid="stMainBlockContainer"]')].filter(Boolean).map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": width, "height": int(min(max(full, height), 12000))})
    page.wait_for_timeout(400)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    page.set_viewport_size({"width": width, "height": height})
