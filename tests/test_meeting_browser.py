"""浏览器测试：会议模式（无头 Chromium，/usr/bin/chromium）。

两个专项整治、1366×768 与 1920×1080：逐页（键盘 →/PageDown 翻页）检查标题、页码“t/N”、URL 的 topic、
“数据截至”小字；整页不滚动（document 与 Streamlit 主区域的高度都不超过视口）、没有被截断的文字
（有文字的元素 scrollWidth > clientWidth）；←/PageUp 往回翻、按钮翻页；复制的链接（?topic=4）在新的浏览器
环境里打开同一页。截图保存到 build/screenshots/meeting_<专项整治>_<页>_<宽>.png。
“县区分布”一页：地图在断网的浏览器里画出来（每个浏览器环境拦截并记下非本机请求，测试断言一个也没有），
地图画布上红、黄、绿的像素与 analytics.county_map 里各状态的县区数一致，县区名称（近黑色像素）画出来了。
状态库里预先放了几项督办事项（逾期、临近期限、已反馈、已销号），“督办事项”一页才有内容可看。
"""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlparse

import pytest

from analytics.page_data.meeting import TOPICS
from tests.test_browser import (  # noqa: F401 — browser、sample_db 是 pytest fixture
    SHOTS,
    _wait_idle,
    browser,
    sample_db,
    sign_in,
    start_server,
)
from tests.test_county_map_browser import LOCAL_HOSTS, _dark_pixels, _pixels

VIEWPORTS = [(1366, 768), (1920, 1080)]
USER = "meeting-office"
N = len(TOPICS)
MAP_TOPIC = TOPICS.index("县区分布") + 1
OUTSIDE: list[str] = []   # 浏览器请求过的非本机地址（_open 拦截并记下；会议模式一个也不许有）

FIT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return {doc: document.documentElement.scrollHeight, view: window.innerHeight,
          main: main.scrollHeight, mainView: main.clientHeight,
          docWide: document.documentElement.scrollWidth, viewWide: window.innerWidth};
}"""

# 有直接文字的可见元素：内容比自身宽（截断、省略号或压到旁边），或在不显示溢出的元素里比自身高（被裁掉）；
# 行内元素 clientWidth 为 0，不计。overflow 可见的元素高出几像素是中文字体的字形高于行高，不遮挡什么。
CLIPPED_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (!el.getClientRects().length || el.clientWidth === 0) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const cut = getComputedStyle(el).overflowY !== "visible";
    if (el.scrollWidth > el.clientWidth + 1 || (cut && el.scrollHeight > el.clientHeight + 1))
      out.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${el.scrollWidth}x${el.scrollHeight}`
               + ` > ${el.clientWidth}x${el.clientHeight}`);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def campaigns(sample_db) -> dict[str, dict]:  # noqa: F811
    """campaign_id → 默认统计日（最近的台账快照）、单位、地图上各滞后状态的县区数（与页面同一函数）。"""
    from analytics.county_map import county_map_data
    from analytics.filters import Filters
    from analytics.queries import QueryRunner

    r = QueryRunner(sample_db)
    try:
        out = {}
        for cid in r.run("campaigns")["campaign_id"]:
            snaps = r.run("snapshot_dates", campaign_id=cid)["as_of_date"]
            units = r.run("units", campaign_id=cid)["unit_id"].tolist()
            as_of = max(snaps).date()
            camp = r.run("campaigns").set_index("campaign_id").loc[cid].to_dict()
            states = county_map_data(r.run, Filters(cid, as_of, None, campaign=camp)).mapped["lagging_state"]
            out[cid] = {"as_of": as_of, "units": units, "map_states": states.value_counts().to_dict()}
        return out
    finally:
        r.close()


@pytest.fixture(scope="module")
def server(sample_db, campaigns, tmp_path_factory, request) -> str:  # noqa: F811
    from etl.normalize.workdays import add_working_days
    from state import accounts, supervision
    from state.store import open_store
    from tests.signed_in import PASSWORD

    work = tmp_path_factory.mktemp("meeting-server")
    store = open_store(f"sqlite:///{work / 'state.db'}")
    accounts.add_account(store, USER, "office", password=PASSWORD, actor="测试")
    today = date.today()
    for cid, c in campaigns.items():
        u = c["units"]
        made = []
        for i, (deadline, title) in enumerate([
                (today - timedelta(days=12), "约谈主要负责人并报送逾期问题整改方案"),
                (add_working_days(today, 1)[0], "报送超期未办结线索的核查结论"),
                (add_working_days(today, 3)[0], "对反弹问题组织回头看，形成书面报告"),
                (today + timedelta(days=40), "满意度测评靠后单位制定提升措施"),
                (today - timedelta(days=3), "补报第8次台账"),
                (today - timedelta(days=30), "已办结的事项")]):
            made.append(supervision.create_item(
                store, campaign_id=cid, unit_id=u[i % len(u)], source="周例会", title=title, requirement="按期办结",
                owner="", deadline=deadline, actor="测试"))
        supervision.add_feedback(store, made[4], "已补报", [], actor="测试")
        supervision.add_feedback(store, made[5], "已办结", [], actor="测试")
        supervision.verify(store, made[5], "属实", actor="测试")
        supervision.close(store, made[5], "销号", actor="测试")
    return start_server({"DASHBOARD_DB": str(sample_db), "DASHBOARD_STATE_URL": store.url},
                        work / "streamlit.log", request)


def _offline(route) -> None:
    host = urlparse(route.request.url).hostname or ""
    if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
        route.continue_()
    else:
        OUTSIDE.append(route.request.url)
        route.abort()


def _open(browser, size):  # noqa: F811
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", device_scale_factor=1)
    ctx.route("**/*", _offline)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page, errors


def _title(page) -> str:
    return page.locator(".st-key-mt_bar h1").first.inner_text().strip()


def _wait_topic(page, t: int) -> None:
    page.locator(".st-key-mt_bar h1", has_text=TOPICS[t - 1]).first.wait_for(timeout=60_000)
    _wait_idle(page, timeout=60)
    page.wait_for_function("() => typeof window.__meetingKeys === 'function'", timeout=30_000)  # 翻页脚本已装上
    page.wait_for_timeout(300)


def _check_slide(page, cid: str, c: dict, t: int, width: int) -> None:
    as_of = c["as_of"]
    assert _title(page) == TOPICS[t - 1], (cid, t)
    assert page.locator(".mt-page").inner_text().strip() == f"{t}/{N}"
    assert f"topic={t}" in page.url, page.url
    assert f"数据截至 {as_of:%Y-%m-%d}" in page.locator(".mt-stamp").inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]')\
        .first.inner_text()[:1000]
    assert not page.locator('[data-testid="stSidebar"]').is_visible()      # 侧栏、页眉让出位置
    assert not page.locator('[data-testid="stHeader"]').is_visible()
    if t == MAP_TOPIC:
        _check_map(page, cid, c["map_states"])
    page.screenshot(path=str(SHOTS / f"meeting_{cid}_{t}_{width}.png"))
    fit = page.evaluate(FIT_JS)
    assert fit["doc"] <= fit["view"] + 1 and fit["main"] <= fit["mainView"] + 1, (cid, t, width, fit)
    assert fit["docWide"] <= fit["viewWide"] + 1, (cid, t, width, fit)
    assert page.evaluate(CLIPPED_JS) == [], (cid, t, width)


def _check_map(page, cid: str, truth: dict[str, int]) -> None:
    """truth：地图上各滞后状态的县区数（campaigns 夹具按 analytics.county_map 算）。"""
    from analytics.palette import STATE_COLORS
    from dashboard.meeting_chrome import ROOT_FONT_1920
    from dashboard.meeting_map import MAP_HEIGHT, MAP_WIDTH

    canvas = page.locator('.st-key-mt_map [data-testid="stPlotlyChart"] canvas.maplibregl-canvas')
    canvas.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)   # MapLibre 画完第一帧
    png = canvas.screenshot()
    # 地图随根字号缩放（1920×1080 时原大，1366×768 时约 0.71 倍），与文字同比例
    root = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    box = canvas.bounding_box()
    assert abs(box["width"] - MAP_WIDTH * root / ROOT_FONT_1920) < 10, (cid, box, root)
    assert abs(box["height"] - MAP_HEIGHT * root / ROOT_FONT_1920) < 10, (cid, box, root)
    assert _dark_pixels(png) > 100, ("县区名称没有画出来", cid)
    pixels = _pixels(png, STATE_COLORS)
    for state in ("红", "黄", "绿"):
        assert (pixels[state] > 200) == (truth.get(state, 0) > 0), (cid, pixels, truth)
    side = page.locator(".st-key-mt_map").inner_text()
    assert "不在地图上的单位" in side and "评分规则" in side


@pytest.mark.parametrize("size", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_every_topic_fits_and_keys_page(server, browser, campaigns, size):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx, page, errors = _open(browser, size)
    try:
        sign_in(page, server, USER)
        for cid, c in campaigns.items():
            page.goto(f"{server}/meeting?campaign={cid}&topic=1", wait_until="domcontentloaded")
            _wait_topic(page, 1)
            for t in range(1, N + 1):
                _check_slide(page, cid, c, t, size[0])
                if t < N:
                    page.keyboard.press("ArrowRight" if t % 2 else "PageDown")
                    _wait_topic(page, t + 1)
            # 最后一页：“下一页”不可用，→ 不动
            assert page.locator(".st-key-mt_next button").is_disabled()
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(800)
            assert _title(page) == TOPICS[N - 1]
            # 往回：← 与 PageUp，再用按钮
            page.keyboard.press("ArrowLeft")
            _wait_topic(page, N - 1)
            page.keyboard.press("PageUp")
            _wait_topic(page, N - 2)
            page.locator(".st-key-mt_prev button").click()
            _wait_topic(page, N - 3)
            page.locator(".st-key-mt_next button").click()
            _wait_topic(page, N - 2)
            assert f"topic={N - 2}" in page.url
        assert not errors, errors
        assert not OUTSIDE, f"会议模式请求了外部地址：{sorted(set(OUTSIDE))[:10]}"
    finally:
        ctx.close()


def test_link_reopens_the_topic(server, browser, campaigns):  # noqa: F811
    cid = sorted(campaigns)[-1]
    ctx, page, errors = _open(browser, VIEWPORTS[0])
    try:
        sign_in(page, server, USER)
        page.goto(f"{server}/meeting?campaign={cid}&topic=4", wait_until="domcontentloaded")
        _wait_topic(page, 4)
        link = page.url
        assert "topic=4" in link and f"campaign={cid}" in link
    finally:
        ctx.close()
    ctx, page, errors = _open(browser, VIEWPORTS[0])   # 新的浏览器环境（另一台电脑）
    try:
        sign_in(page, server, USER)
        page.goto(link, wait_until="domcontentloaded")
        _wait_topic(page, 4)
        assert f"campaign={cid}" in page.url and "topic=4" in page.url
        assert f"数据截至 {campaigns[cid]['as_of']:%Y-%m-%d}" in page.locator(".mt-stamp").inner_text()
        # 输入框里的方向键不翻页：打开筛选，在“单位”选择框里按 →
        page.locator(".st-key-mt_filters button").click()
        page.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=15_000)
        _wait_idle(page)
        page.screenshot(path=str(SHOTS / "meeting_filters_open_1366.png"))
        box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').first
        box.click()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(800)
        assert _title(page) == TOPICS[3]
        assert not errors, errors
    finally:
        ctx.close()


def test_keyboard_listener_is_installed_once(server, browser, campaigns):  # noqa: F811
    """翻页多次后只有一个监听：按一次 → 只前进一页。"""
    cid = sorted(campaigns)[0]
    ctx, page, errors = _open(browser, VIEWPORTS[0])
    try:
        sign_in(page, server, USER)
        page.goto(f"{server}/meeting?campaign={cid}&topic=1", wait_until="domcontentloaded")
        _wait_topic(page, 1)
        for t in (2, 3):
            page.locator(".st-key-mt_next button").click()
            _wait_topic(page, t)
        page.keyboard.press("ArrowRight")
        _wait_topic(page, 4)
        page.wait_for_timeout(1500)
        assert _title(page) == TOPICS[3] and "topic=4" in page.url
        assert not errors, errors
    finally:
        ctx.close()



def test_filtered_view_still_fits(server, browser, campaigns):  # noqa: F811
    """筛选了多个单位和问题方面时，筛选说明变长，一屏仍放得下、不截断。"""
    cid = sorted(campaigns)[0]
    c = campaigns[cid]
    units = "&".join(f"unit={u}" for u in c["units"][:5])
    cats = "&".join(f"category={x}" for x in ("逐利执法", "执法不规范", "执法方式简单僵化"))
    ctx, page, errors = _open(browser, VIEWPORTS[0])
    try:
        sign_in(page, server, USER)
        page.goto(f"{server}/meeting?campaign={cid}&topic=1&{units}&{cats}", wait_until="domcontentloaded")
        _wait_topic(page, 1)
        stamp = page.locator(".mt-stamp").inner_text()
        assert "问题方面：逐利执法、执法不规范、执法方式简单僵化" in stamp and "等5个" in stamp, stamp
        for t in (1, 2, 3):
            if t > 1:
                page.keyboard.press("ArrowRight")
                _wait_topic(page, t)
            fit = page.evaluate(FIT_JS)
            assert fit["doc"] <= fit["view"] + 1 and fit["main"] <= fit["mainView"] + 1, (t, fit)
            assert page.evaluate(CLIPPED_JS) == [], t
        page.screenshot(path=str(SHOTS / "meeting_filtered_1366.png"))
        assert not errors, errors
    finally:
        ctx.close()
