"""浏览器测试：数据探索的查询在换页面后保留、写在链接里，复制的链接在新的浏览器里打开即是同一条查询；
查询没按专项整治筛选时，结果下说明包含两个专项整治的数据。示例库（阜阳、海西两个专项整治），专班账号。
截图 build/screenshots/chrome_console_<宽>x<高>.png。
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

from tests.test_browser import (  # noqa: F401 — browser、sample_db 是 pytest fixture
    OFFICE_USER,
    SHOTS,
    _wait_idle,
    browser,
    sample_db,
    sign_in,
    start_server,
)

QUERY = "SELECT unit_id, count(*) AS 问题数 FROM problems GROUP BY ALL ORDER BY 2 DESC"
VIEWPORTS = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory, request) -> str:  # noqa: F811
    work = tmp_path_factory.mktemp("console-browser")
    return start_server({"DASHBOARD_DB": str(sample_db)}, work / "streamlit.log", request)


def _sql_box(page):
    return page.locator('[data-testid="stTextArea"] textarea').first


def _goto_nav(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a:visible', has_text=label).first.click()
    page.wait_for_timeout(600)
    _wait_idle(page, timeout=60)


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_console_query_kept_shared_and_scoped(server, browser, sample_db, size):  # noqa: F811
    with duckdb.connect(str(sample_db), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT short_name FROM campaigns ORDER BY start_date DESC, campaign_id")
                 .fetchall()]
    assert len(names) == 2
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", device_scale_factor=1)
    page = ctx.new_page()
    try:
        sign_in(page, server, OFFICE_USER)
        _wait_idle(page)
        _goto_nav(page, "数据探索")
        box = _sql_box(page)
        box.fill(QUERY)
        box.press("Control+Enter")          # 提交查询框（失去焦点也会提交）
        _wait_idle(page)
        page.get_by_role("button", name="执行查询").click()
        _wait_idle(page, timeout=60)
        note = f"本查询未按专项整治筛选：结果包含 {'、'.join(names)} 两个专项整治的数据。"
        page.get_by_text(note).wait_for(timeout=30_000)
        assert parse_qs(urlparse(page.url).query)["sql"] == [QUERY]
        page.screenshot(path=str(SHOTS / f"chrome_console_{size[0]}x{size[1]}.png"))
        link = page.url

        _goto_nav(page, "总览")
        _goto_nav(page, "数据探索")
        assert _sql_box(page).input_value() == QUERY       # 换页面回来，查询还在
        assert parse_qs(urlparse(page.url).query)["sql"] == [QUERY]
    finally:
        ctx.close()

    other = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    page = other.new_page()
    try:
        sign_in(page, server, OFFICE_USER)               # 登录后打开复制的链接：同一条查询（不自动执行）
        page.goto(link, wait_until="domcontentloaded")
        _sql_box(page).wait_for(timeout=30_000)
        _wait_idle(page)
        assert _sql_box(page).input_value() == QUERY
        assert page.get_by_text(note).count() == 0
    finally:
        other.close()
