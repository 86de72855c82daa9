"""本地账号的登录在浏览器里保持（headless Chromium）：刷新、新标签页打开复制的链接都不必重新登录，且是同一视图；
退出后刷新回到登录页，旧令牌在另一个浏览器里也登录不了；cookie 里只有随机令牌，状态库只有它的摘要。"""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from state.schema import sign_in_sessions
from state.store import open_store
from tests.test_browser import (  # noqa: F401 — browser is a pytest fixture
    CHROMIUM_ARGS,
    OFFICE_USER,
    _wait_idle,
    browser,
    sample_db,
    sign_in,
    start_server,
)

COOKIE = "dashboard_session"


@pytest.fixture(scope="module")
def app(sample_db, tmp_path_factory, request):  # noqa: F811
    folder = tmp_path_factory.mktemp("session")
    url = start_server({"DASHBOARD_DB": str(sample_db)}, folder / "streamlit.log", request)
    return url, open_store(f"sqlite:///{folder / 'state.db'}")


def _signed_in(page) -> bool:
    _wait_idle(page)
    return page.get_by_role("button", name="退出登录").count() == 1


def test_sign_in_survives_reload_and_a_copied_link(app, browser):  # noqa: F811
    server, store = app
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = ctx.new_page()
        sign_in(page, server)
        _wait_idle(page)
        token = next(c["value"] for c in ctx.cookies() if c["name"] == COOKIE)
        with store.engine.connect() as conn:
            stored = conn.execute(select(sign_in_sessions.c.token_hash, sign_in_sessions.c.username)
                                  .where(sign_in_sessions.c.ended_at.is_(None))).all()
        assert [tuple(r) for r in stored] == [(hashlib.sha256(token.encode()).hexdigest(), OFFICE_USER)]
        assert OFFICE_USER not in token

        page.reload()
        page.get_by_role("heading", name="专项整治总览").first.wait_for(timeout=30_000)
        assert _signed_in(page)

        page.get_by_role("link", name="线索办理").click()
        page.get_by_role("heading", name="问题线索办理").first.wait_for(timeout=30_000)
        _wait_idle(page)
        copied = page.url
        assert "/leads" in copied and "as_of=" in copied
        other = ctx.new_page()
        other.goto(copied, wait_until="domcontentloaded")
        other.get_by_role("heading", name="问题线索办理").first.wait_for(timeout=30_000)
        assert _signed_in(other) and other.url == copied

        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").wait_for(timeout=30_000)
        _wait_idle(page)
        assert COOKIE not in {c["name"] for c in ctx.cookies() if c["value"]}
        page.reload()
        page.get_by_label("用户名").wait_for(timeout=30_000)
        assert not _signed_in(page)

        # the old token, replayed from another browser, signs nobody in
        thief = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        try:
            thief.add_cookies([{"name": COOKIE, "value": token, "url": server}])
            stolen = thief.new_page()
            stolen.goto(server + "/", wait_until="domcontentloaded")
            stolen.get_by_label("用户名").wait_for(timeout=30_000)
            assert not _signed_in(stolen)
        finally:
            thief.close()
    finally:
        ctx.close()
