"""总览指标卡的样式（dashboard/ui.py 的 equal_kpi_height、big_font_css 以只有 <style> 的 st.html 加上）在 Chromium 里生效：
十张指标卡等高、不低于 9.2rem；投影大字号时数值 2.6rem（卡片不低于 9.2rem）。页面不再为这两段 CSS 加载 Streamlit 的 HTML 解析模块（rehype-raw）。
截图：build/screenshots/overview_kpi_<宽>x<高>.png 与 overview_kpi_big_<宽>x<高>.png。"""
from __future__ import annotations

import pytest
from playwright import sync_api  # noqa: F401 — 没有 playwright 时 test_browser 已跳过整个模块

from tests.test_browser import (  # noqa: F401 — browser、sample_db、server 是 pytest fixture
    OFFICE_USER,
    SHOTS,
    _wait_idle,
    browser,
    sample_db,
    server,
    sign_in,
)

METRICS_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')].map(m => {
    const v = m.querySelector('[data-testid="stMetricValue"]');
    return [m.getBoundingClientRect().height, parseFloat(getComputedStyle(v).fontSize)];
})"""
REM_JS = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
HTML_MODULE_JS = "() => performance.getEntriesByType('resource').some(r => /\\/rehype-raw\\./.test(r.name))"


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview_kpi_cards_equal_height_and_big_font(server, browser, size):  # noqa: F811
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    page = ctx.new_page()
    try:
        sign_in(page, server, OFFICE_USER)
        page.goto(server + "/", wait_until="domcontentloaded")
        page.locator('[data-testid="stMetric"]').nth(9).wait_for(timeout=30_000)
        _wait_idle(page)
        rem = page.evaluate(REM_JS)
        cards = page.evaluate(METRICS_JS)
        assert len(cards) == 10, cards
        heights = {round(h) for h, _ in cards}
        assert len(heights) == 1 and min(heights) >= round(9.2 * rem), cards
        assert all(abs(fs - 1.75 * rem) < 0.5 for _, fs in cards), cards
        assert not page.evaluate(HTML_MODULE_JS)
        page.screenshot(path=str(SHOTS / f"overview_kpi_{size[0]}x{size[1]}.png"))

        page.goto(server + "/?big=1", wait_until="domcontentloaded")
        page.locator('[data-testid="stMetric"]').nth(9).wait_for(timeout=30_000)
        _wait_idle(page)
        big = page.evaluate(METRICS_JS)
        assert len(big) == 10 and all(abs(fs - 2.6 * rem) < 0.5 for _, fs in big), big
        assert all(h >= 9.2 * rem - 1 for h, _ in big), big  # 大字号时标签换行更多，卡片可能高过 9.2rem
        assert max(h for h, _ in big[:5]) - min(h for h, _ in big[:5]) <= 1, big   # 但同一排的仍一样高
        assert max(h for h, _ in big[5:]) - min(h for h, _ in big[5:]) <= 1, big
        page.screenshot(path=str(SHOTS / f"overview_kpi_big_{size[0]}x{size[1]}.png"))
    finally:
        ctx.close()
