"""浏览器测试：从数字到清单（无头 Chromium，示例库）。

在真实页面上点：总览的指标卡“查看清单”、滞后单位的横条、县区进度整改率的柱、问题热点的格子、线索漏斗的一层；
显示的清单件数（和下载的 CSV 里的编号）等于另写的 SQL；复制当时的链接在新的浏览器上下文（重新登录）打开，
显示同一份清单。截图（1366×768、1920×1080）保存到 build/screenshots/drill_*.png。
"""
from __future__ import annotations

import csv
import io
import re
import time
from datetime import date
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.browser_session import COOKIE
from tests.signed_in import PASSWORD
from tests.test_browser import (  # noqa: F401 — browser、sample_db 是 pytest fixture
    SHOTS,
    _wait_idle,
    browser,
    sample_db,
    start_server,
)

VIEWPORTS = [(1366, 768), (1920, 1080)]
SLOW = 120_000  # ms: the shared 2-core machine is often far behind; a rerun may take long


def sign_in(page, server: str) -> None:
    """tests/test_browser.sign_in with longer waits (same form, same account)."""
    from tests.test_browser import OFFICE_USER

    page.goto(server + "/", wait_until="domcontentloaded")
    page.get_by_label("用户名").wait_for(timeout=SLOW)
    page.get_by_label("用户名").fill(OFFICE_USER)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=SLOW)


def idle(page) -> None:
    _wait_idle(page, timeout=SLOW / 1000)


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory, request) -> str:  # noqa: F811
    return start_server({"DASHBOARD_DB": str(sample_db)}, tmp_path_factory.mktemp("drill") / "streamlit.log",
                        request)


@pytest.fixture
def page(browser):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", device_scale_factor=1,
                              accept_downloads=True)
    p = ctx.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    ctx.close()
    assert not errors, errors


# ------------------------------------------------------------------ truth (independent SQL)
LATEST = ("SELECT * FROM ledger_snapshots WHERE campaign_id = ? AND as_of_date <= ? QUALIFY row_number() OVER "
          "(PARTITION BY problem_id ORDER BY as_of_date DESC, submission_id DESC) = 1")


def sql(db, query: str, *args) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, list(args)).fetchall()


def problem_ids(db, cid: str, as_of: date, where: str, *args) -> set[str]:
    return {r[0] for r in sql(db, f"SELECT problem_id FROM ({LATEST}) WHERE {where}", cid, as_of, *args)}


def lead_ids(db, cid: str, as_of: date, where: str, *args) -> set[str]:
    return {r[0] for r in sql(db, "SELECT lead_id FROM leads WHERE campaign_id = ? "
                                  f"AND coalesce(received_date, assigned_date) <= ? AND {where}", cid, as_of, *args)}


# ------------------------------------------------------------------ page helpers
def url_state(page) -> tuple[str, date]:
    qs = parse_qs(urlparse(page.url).query)
    return qs["campaign"][0], date.fromisoformat(qs["as_of"][0])


def open_signed_in(page, server: str, path: str = "/") -> None:
    sign_in(page, server)
    if path != "/":
        page.goto(server + path, wait_until="domcontentloaded")
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=SLOW)
    idle(page)


def shown_list(page, key: str, title: str = "") -> tuple[str, int]:
    """清单块（dashboard/drill_view.py 的 st-key-drill_<key>）的标题行和其中“共 N 个/件”的 N；
    title：等到标题行含这段文字（点击后的重跑做完）。"""
    box = page.locator(f".st-key-drill_{key}")
    box.filter(has_text=title).first.wait_for(timeout=SLOW)
    head = box.locator('[data-testid="stMarkdown"]').first.inner_text()
    m = re.search(r"共 (\d+) [个件]", head)
    assert m, head
    n = int(m.group(1))
    if n:   # 表格：表头 + n 行（表格可能比标题行晚一点更新：等它）
        grid = box.locator('[role="grid"][aria-rowcount]').first
        grid.wait_for(state="attached", timeout=SLOW)   # glide 的无障碍表格是隐藏的
        rows = None
        for _ in range(200):
            rows = int(grid.get_attribute("aria-rowcount"))
            if rows == n + 1:
                break
            page.wait_for_timeout(250)
        assert rows == n + 1, (head, rows)
    return head, n


# 按钮可不可点、与服务器是否连着（断开时 Streamlit 显示 stConnectionStatus，并把所有控件设为不可用，直到 websocket 重连）
BUTTON_STATE_JS = """b => { const c = document.querySelector('[data-testid="stConnectionStatus"]');
  return {enabled: !b.disabled && b.getAttribute('aria-disabled') !== 'true', offline: !!c,
          status: c ? (c.innerText || c.textContent || '').trim() : ''}; }"""


def wait_clickable(page, button, what: str, timeout_ms: int = SLOW) -> None:
    """等按钮可点、页面与服务器连着；一直不行时说明是哪一种（断线未重连，还是按钮仍禁用）。"""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        state = button.evaluate(BUTTON_STATE_JS)
        if state["enabled"] and not state["offline"]:
            return
        if time.monotonic() > deadline:
            why = f"与服务器的连接断开、没有重连（{state['status'] or '连接中'}）" if state["offline"] else "按钮一直禁用"
            raise AssertionError(f"“{what}”在 {timeout_ms / 1000:.0f} 秒内没有变为可点：{why}")
        page.wait_for_timeout(250)


def downloaded_ids(page, key: str, column: str) -> set[str]:
    idle(page)
    # 点击若正赶上一次重跑（按钮的文件地址被新一轮替换），浏览器拿不到文件：等页面空闲后再点，至多三次。
    # websocket 重连期间 Streamlit 禁用所有控件（CI 上曾持续约 90 秒）：每次点之前等按钮可点。
    # 点了而文件一直没来时，按钮停在转圈（禁用）且不再恢复（CI 上见过 120 秒）：像用户一样刷新页面（清单的状态在网址里）再点。
    for attempt in range(3):
        button = page.locator(f".st-key-drill_{key}").get_by_role("button", name=re.compile("下载数据")).first
        button.scroll_into_view_if_needed(timeout=SLOW)
        wait_clickable(page, button, f"清单 {key} 的下载数据按钮")
        try:
            with page.expect_download(timeout=SLOW // 3) as dl:
                button.click()
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.reload(wait_until="domcontentloaded")
            page.locator(f".st-key-drill_{key}").first.wait_for(timeout=SLOW)
            idle(page)
    text = open(dl.value.path(), encoding="utf-8-sig").read()
    return {r[column] for r in csv.DictReader(io.StringIO(text))}


def click_point(page, chart_key: str, trace: int, match: str, value) -> None:
    """点图上的一个点：trace 的第几个点由 gd.data[trace][match]（x / y / customdata 的第一列）等于 value 找到；
    点它在 SVG 里的图形（柱、漏斗层、方块）的中心。"""
    box = page.evaluate(
        """([key, trace, match, value]) => {
            const gd = document.querySelector(`.st-key-chart_${key} .js-plotly-plot`);
            const d = gd.data[trace];
            const vals = match === 'custom' ? d.customdata.map(c => c[0] + '~' + c[1]) : d[match];
            const i = Array.from(vals).findIndex(v => String(v) === String(value));
            if (i < 0) return null;
            const layer = gd.querySelectorAll('.trace')[trace];
            const pts = layer.querySelectorAll('.point');
            const shape = pts[i].tagName === 'path' ? pts[i] : pts[i].querySelector('path');  // 柱的 g.point 还含文字
            const r = shape.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2, i};
        }""", [chart_key, trace, match, value])
    assert box, (chart_key, match, value)
    page.mouse.move(box["x"] - 3, box["y"])
    page.mouse.move(box["x"], box["y"])      # plotly picks the clicked point from its hover data: hover first
    page.wait_for_timeout(300)
    page.mouse.click(box["x"], box["y"])
    page.wait_for_timeout(300)
    idle(page)


def scroll_chart(page, chart_key: str) -> None:
    page.locator(f".st-key-chart_{chart_key}").first.wait_for(timeout=SLOW)
    page.locator(f".st-key-chart_{chart_key}").first.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.locator(f".st-key-chart_{chart_key} .js-plotly-plot .trace").first.wait_for(timeout=SLOW)
    page.wait_for_timeout(300)


def same_in_fresh_context(browser, server: str, url: str, key: str, n: int, shot: str) -> None:  # noqa: F811
    """复制的链接在新的上下文（新会话，重新登录）打开：同一份清单、同样件数；两种分辨率截图。"""
    for width, height in VIEWPORTS:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  device_scale_factor=1)
        p = ctx.new_page()
        try:
            sign_in(p, server)
            idle(p)   # the sign-in cookie is written by the run after signing in
            for _ in range(50):
                if any(c["name"] == COOKIE and c["value"] for c in ctx.cookies()):
                    break
                p.wait_for_timeout(100)
            p.goto(url, wait_until="domcontentloaded")
            p.locator('[data-testid="stMain"] h1').first.wait_for(timeout=SLOW)
            idle(p)
            assert shown_list(p, key)[1] == n, (url, width)
            assert parse_qs(urlparse(p.url).query) == parse_qs(urlparse(url).query), (p.url, url)
            SHOTS.mkdir(parents=True, exist_ok=True)
            p.locator(f".st-key-drill_{key}").first.evaluate("e => e.scrollIntoView({block: 'start'})")
            p.wait_for_timeout(400)
            p.screenshot(path=str(SHOTS / f"drill_{shot}_{width}x{height}.png"))
        finally:
            ctx.close()


# ------------------------------------------------------------------ tests
FAKE_RECONNECT = """<div data-testid="stConnectionStatus">Connecting</div><button id="dl" disabled>下载数据</button>
<script>setTimeout(() => { document.querySelector('[data-testid="stConnectionStatus"]').remove();
  document.getElementById('dl').disabled = false; }, %d);</script>"""


def test_download_waits_for_reconnect_and_says_why_it_gave_up(browser):  # noqa: F811
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.set_content(FAKE_RECONNECT % 1500)          # 断线 1.5 秒后重连、按钮恢复可点
        started = time.monotonic()
        wait_clickable(page, page.locator("#dl"), "下载数据", timeout_ms=10_000)
        assert 1.4 < time.monotonic() - started < 8
        page.set_content(FAKE_RECONNECT % 60_000)        # 一直没有重连
        with pytest.raises(AssertionError, match="“下载数据”在 1 秒内没有变为可点：与服务器的连接断开、没有重连（Connecting）"):
            wait_clickable(page, page.locator("#dl"), "下载数据", timeout_ms=1000)
        page.set_content('<button id="dl" disabled>下载数据</button>')
        with pytest.raises(AssertionError, match="按钮一直禁用"):
            wait_clickable(page, page.locator("#dl"), "下载数据", timeout_ms=500)
    finally:
        ctx.close()


def test_kpi_card_lists_the_rows_it_counts(page, server, browser, sample_db):  # noqa: F811
    open_signed_in(page, server)
    cid, as_of = url_state(page)
    page.locator(".st-key-drill_btn_ov_overdue button").first.click()
    idle(page)
    head, n = shown_list(page, "ov_kpi", "逾期问题")
    truth = problem_ids(sample_db, cid, as_of, "deadline_kind = 'date' AND deadline < ? "
                                              "AND status IN ('未整改', '整改中')", as_of)
    assert n == len(truth) > 0, head
    assert downloaded_ids(page, "ov_kpi", "问题内部编号") == truth
    assert parse_qs(urlparse(page.url).query)["ov"] == ["kpi.overdue"]
    # 比率卡：清单为分母，标题行写出分子
    page.locator(".st-key-drill_btn_ov_ontime button").first.click()
    idle(page)
    head, n = shown_list(page, "ov_kpi", "按时办结率的分母")
    den = lead_ids(sample_db, cid, as_of, "((concluded_date <= ?) OR (due_date < ?))", as_of, as_of)
    assert n == len(den), head
    # the address bar is written after the list is drawn: copy the link only once it names this card
    page.wait_for_url(re.compile(r"ov=kpi\.ontime"), timeout=SLOW)
    same_in_fresh_context(browser, server, page.url, "ov_kpi", n, "overview_kpi")


def test_lagging_bar_lists_the_units_open_problems(page, server, browser, sample_db):  # noqa: F811
    open_signed_in(page, server)
    cid, as_of = url_state(page)
    scroll_chart(page, "lagging")
    names = page.evaluate("() => document.querySelector('.st-key-chart_lagging .js-plotly-plot').data[0].y")
    unit_name = names[0]
    (unit_id,) = sql(sample_db, "SELECT unit_id FROM units WHERE campaign_id = ? AND name = ?", cid, unit_name)[0]
    click_point(page, "lagging", 0, "y", unit_name)
    head, n = shown_list(page, "ov_unit_0")
    truth = problem_ids(sample_db, cid, as_of, "unit_id = ? AND status IN ('未整改', '整改中')", unit_id)
    assert n == len(truth), (unit_name, head)
    assert parse_qs(urlparse(page.url).query)["ov"] == [f"unit.{unit_id}"]
    same_in_fresh_context(browser, server, page.url, "ov_unit_0", n, "overview_bar")


def test_unit_rate_bar_lists_the_units_problems(page, server, browser, sample_db):  # noqa: F811
    open_signed_in(page, server, "/unit_progress")
    cid, as_of = url_state(page)
    scroll_chart(page, "unit_rates")
    # 横条：单位名称在纵轴（y）
    names = page.evaluate("() => document.querySelector('.st-key-chart_unit_rates .js-plotly-plot').data[0].y")
    unit_name = names[len(names) // 2]
    (unit_id,) = sql(sample_db, "SELECT unit_id FROM units WHERE campaign_id = ? AND name = ?", cid, unit_name)[0]
    click_point(page, "unit_rates", 0, "y", unit_name)
    head, n = shown_list(page, "up_bar")
    all_ids = problem_ids(sample_db, cid, as_of, "unit_id = ?", unit_id)
    done = problem_ids(sample_db, cid, as_of, "unit_id = ? AND status IN ('已整改', '已销号')", unit_id)
    assert n == len(all_ids) > 0 and f"其中计入整改率 {len(done)} 个" in head, head
    page.wait_for_url(re.compile(r"[?&]up="), timeout=SLOW)  # the list shows before the URL is rewritten
    assert parse_qs(urlparse(page.url).query)["up"] == [f"done.{unit_id}"]
    same_in_fresh_context(browser, server, page.url, "up_bar", n, "unit_progress_bar")


def test_heatmap_cell_lists_its_problems(page, server, browser, sample_db):  # noqa: F811
    open_signed_in(page, server, "/hotspots")
    cid, as_of = url_state(page)
    scroll_chart(page, "heatmap")
    cells = page.evaluate("() => document.querySelector('.st-key-chart_heatmap .js-plotly-plot').data[0].customdata")
    unit_id, category, count = max(cells, key=lambda c: c[2])   # the hottest cell
    click_point(page, "heatmap", 0, "custom", f"{unit_id}~{category}")
    head, n = shown_list(page, "hs_list")
    truth = problem_ids(sample_db, cid, as_of, "unit_id = ? AND coalesce(category, '未分类') = ?", unit_id, category)
    assert n == len(truth) == count > 0, head
    assert downloaded_ids(page, "hs_list", "问题内部编号") == truth
    qs = parse_qs(urlparse(page.url).query)
    assert qs["hs"] == [f"unit={unit_id}~category={category}"], qs
    # 显示方式也在链接里
    page.locator(".st-key-hs_mode").get_by_text("占该单位比例").click()
    page.wait_for_url(re.compile(r"mode=share"), timeout=SLOW)
    idle(page)
    assert parse_qs(urlparse(page.url).query)["hs"] == [f"unit={unit_id}~category={category}"]
    same_in_fresh_context(browser, server, page.url, "hs_list", n, "hotspots_cell")


def test_funnel_stage_lists_its_leads(page, server, browser, sample_db):  # noqa: F811
    open_signed_in(page, server, "/leads")
    cid, as_of = url_state(page)
    scroll_chart(page, "leads_funnel")
    click_point(page, "leads_funnel", 0, "y", "办结")
    head, n = shown_list(page, "ld_stage")
    concluded = lead_ids(sample_db, cid, as_of, "concluded_date <= ?", as_of)
    assert n == len(concluded) > 0, head
    assert parse_qs(urlparse(page.url).query)["stage"] == ["concluded"]
    # 只看超期办结：办结日晚于办理期限
    page.locator(".st-key-ld_only_late").get_by_text("只看超期办结").click()
    idle(page)
    head, n = shown_list(page, "ld_stage", "只看超期办结")
    late = lead_ids(sample_db, cid, as_of, "concluded_date <= ? AND concluded_date > due_date", as_of)
    assert n == len(late), head
    assert downloaded_ids(page, "ld_stage", "线索编号") == late
    assert parse_qs(urlparse(page.url).query)["only"] == ["late"]
    same_in_fresh_context(browser, server, page.url, "ld_stage", n, "leads_funnel")


def test_bad_date_and_unit_in_a_link_are_explained(page, server):
    open_signed_in(page, server)
    cid, _ = url_state(page)
    page.goto(f"{server}/?campaign={cid}&as_of=2023-02-30&unit=nowhere", wait_until="domcontentloaded")
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=SLOW)
    idle(page)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("“2023-02-30”" in a and "已改用" in a for a in alerts), alerts
    assert any("“nowhere”" in a and "全部单位" in a for a in alerts), alerts
