"""浏览器测试：县区地图在断网的 Chromium 里画出来（两个专项整治，1366×768 与 1920×1080）。

看板（示例数据库）经一个测试用的 app 脚本启动：app.py 原样，只在导航里加上县区地图页（导航由负责人
并入 app.py；已并入时不再重复加）。浏览器上下文拦截每个请求：非本机地址一律中止并记下，测试断言
一个也没有——地图不取瓦片、字体或 CDN 上的世界地图。地图画布上按 data/maps 的配置着色的县区确实
有像素（滞后状态的红、黄、绿各自出现在该有的县区数目上），县区名称（本机字体就地画的汉字）也画出来了，
截图保存为
build/screenshots/county_map_<campaign>_<宽>.png。
"""
from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.test_browser import (  # noqa: F401 — browser、sample_db 是 pytest fixture
    OFFICE_USER,
    ROOT,
    SHOTS,
    _wait_idle,
    browser,
    sample_db,
    sign_in,
    start_server,
)

Image = pytest.importorskip("PIL.Image")

NAV_LINE = '        ("view", st.Page("pages/county_map.py", title="县区地图", icon=":material/map:")),\n'
ANCHOR = '        ("view", st.Page("pages/unit_progress.py", title="县区进度", icon=":material/leaderboard:")),\n'
VIEWPORTS = [(1366, 768), (1920, 1080)]
CAMPAIGNS = ["fuyang-2023", "haixi-2023"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _test_app(folder: Path) -> Path:
    """app.py with absolute page paths (the script lives outside the project) and the county map page in
    the navigation (the nav line the lead adds to app.py)."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    if "pages/county_map.py" not in source:
        assert ANCHOR in source, "app.py 的县区进度导航行变了，更新本测试的 ANCHOR"
        source = source.replace(ANCHOR, ANCHOR + NAV_LINE)
    source = source.replace('st.Page("pages/', f'st.Page("{ROOT}/pages/')
    path = folder / "county_map_app.py"
    path.write_text(source, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def map_server(sample_db, tmp_path_factory, request) -> str:  # noqa: F811
    from state import accounts
    from state.store import open_store
    from tests.signed_in import PASSWORD

    folder = tmp_path_factory.mktemp("county_map")
    url = f"sqlite:///{folder / 'state.db'}"
    accounts.add_account(open_store(url), OFFICE_USER, "office", password=PASSWORD, actor="测试")
    return start_server({"DASHBOARD_DB": str(sample_db), "DASHBOARD_STATE_URL": url},
                        folder / "streamlit.log", request, script=_test_app(folder))


def _truth(sample_db: Path, campaign_id: str) -> dict[str, int]:  # noqa: F811
    """默认统计日（最近一期台账）上，地图上各滞后状态的县区数：与页面同一函数、同一数据库。"""
    from analytics.county_map import county_map_data
    from analytics.filters import Filters
    from analytics.queries import QueryRunner
    from dashboard.db import to_date

    r = QueryRunner(sample_db)
    try:
        camps = r.run("campaigns")
        camp = camps[camps["campaign_id"] == campaign_id].iloc[0].to_dict()
        as_of = max(to_date(v) for v in r.run("snapshot_dates", campaign_id=campaign_id)["as_of_date"])
        d = county_map_data(r.run, Filters(campaign_id, as_of, None, campaign=camp))
    finally:
        r.close()
    return d.mapped["lagging_state"].value_counts().to_dict()


def _pixels(png: bytes, colors: dict[str, str]) -> dict[str, int]:
    """截图里每种颜色（#rrggbb，容差 12）各有多少像素。"""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    want = {k: tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for k, c in colors.items()}
    counts = dict.fromkeys(want, 0)
    for n, (r, g, b) in img.getcolors(img.width * img.height):
        for k, (wr, wg, wb) in want.items():
            if abs(r - wr) + abs(g - wg) + abs(b - wb) <= 12:
                counts[k] += n
    return counts


def _dark_pixels(png: bytes) -> int:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(n for n, (r, g, b) in img.getcolors(img.width * img.height) if max(r, g, b) < 90)


def _map_canvas(page):
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(timeout=30_000)
    canvas = chart.locator("canvas.maplibregl-canvas")
    canvas.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)   # MapLibre 画完第一帧
    chart.scroll_into_view_if_needed()
    return canvas


def test_county_map_renders_offline(map_server, browser, sample_db):  # noqa: F811
    from analytics.palette import STATE_COLORS
    from dashboard.charts.county_map import SCALES

    outside: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    errors: list[str] = []
    for width, height in VIEWPORTS:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  device_scale_factor=1)
        ctx.route("**/*", guard)
        ctx.on("request", lambda req: None if (urlparse(req.url).hostname or "") in LOCAL_HOSTS
               or req.url.startswith(("data:", "blob:")) else outside.append(req.url))
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            sign_in(page, map_server)
            for campaign_id in CAMPAIGNS:
                page.goto(f"{map_server}/county_map?campaign={campaign_id}", wait_until="domcontentloaded")
                page.get_by_role("heading", name="县区地图").first.wait_for(timeout=30_000)
                _wait_idle(page)
                exc = page.locator('[data-testid="stException"]')
                assert exc.count() == 0, exc.first.inner_text()[:2000]
                png = _map_canvas(page).screenshot()
                # 县区名称：近黑色的像素（色标里最深的填充色也有一个通道 ≥ 120）
                assert _dark_pixels(png) > 100, ("县区名称没有画出来", campaign_id, width, _dark_pixels(png))
                pixels = _pixels(png, STATE_COLORS)
                truth = _truth(sample_db, campaign_id)
                for state in ("红", "黄", "绿"):
                    # 着色的县区确实画出来了：有该状态的县区就有该颜色的像素，没有就没有
                    assert (pixels[state] > 200) == (truth.get(state, 0) > 0), (campaign_id, width, pixels, truth)
                # 不在地图上的单位列在旁边
                side = page.get_by_text("不在地图上的单位").first
                assert side.is_visible()
                if width == VIEWPORTS[0][0]:
                    # 换成逾期问题数：地图重建，红黄绿消失，逾期最多的县区是色标最深的颜色
                    page.get_by_text("逾期问题数", exact=True).click()
                    _wait_idle(page)
                    darkest = SCALES["overdue"][-1][1]
                    pixels = _pixels(_map_canvas(page).screenshot(), {**STATE_COLORS, "最深": darkest})
                    assert pixels["最深"] > 200 and max(pixels[s] for s in STATE_COLORS) < 50, (campaign_id, pixels)
                    page.get_by_text("滞后状态（红黄绿）", exact=True).click()
                    _wait_idle(page)
                    _map_canvas(page)
                page.evaluate("() => document.querySelectorAll('[data-testid=stMain], [data-testid=stAppScrollToBottomContainer]')"
                              ".forEach(e => e.scrollTo(0, 0))")
                page.wait_for_timeout(300)
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"county_map_{campaign_id}_{width}.png"))
        finally:
            ctx.close()
    assert not outside, f"地图请求了外部地址：{sorted(set(outside))[:10]}"
    # “Map error.”：Streamlit 第二次渲染同一张图时 map.style 少了 sources（见 dashboard/charts/county_map.py），
    # 不影响已画的地图；上面的像素核对证明地图画出且换指标后着色正确。其他页面错误一律不许有。
    assert not errors, errors
