"""浏览器测试：经 Streamlit 的 st.login 走一遍真实的 OIDC 授权码流程（离线，不 mock Streamlit）。

tests/oidc_provider.py 在本机线程里充当身份提供方；tests/fixtures/oidc_app.py 以真实的 `streamlit run`
子进程运行，secrets.toml 在临时目录，经环境变量 STREAMLIT_SECRETS_FILES 指给 Streamlit，
redirect_uri 用 Streamlit 自己替换的 `{port}` 占位符。无头 Chromium 点击登录按钮，经
/auth/login → 提供方 /authorize → /oauth2callback → 首页，页面显示测试用户的邮箱；客户端密钥错误时
提供方在 /token 拒绝（invalid_client），页面不显示邮箱。截图在 build/screenshots/oidc_*.png。
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.oidc_provider import OidcProvider
from tests.test_browser import (  # noqa: F401 — browser 是 pytest fixture
    ROOT,
    SHOTS,
    VIEWPORT,
    _full_page_screenshot,
    _wait_idle,
    browser,
    start_server,
)

APP = ROOT / "tests" / "fixtures" / "oidc_app.py"
CLIENT_SECRET = "oidc-test-client-secret-7f3a"
LOGIN_BUTTON = "使用统一身份认证登录"
ZHANG = {"sub": "zs-0001", "email": "zhang.san@jtj.example.gov.cn", "name": "张三"}
LI = {"sub": "ls-0002", "email": "li.si@jtj.example.gov.cn", "name": "李四"}


@pytest.fixture(scope="module")
def idp():
    with OidcProvider(client_id="dashboard", client_secret=CLIENT_SECRET) as provider:
        yield provider


def _start_oidc_app(idp: OidcProvider, workdir: Path, request, client_secret: str) -> str:
    """`streamlit run oidc_app.py` on a free port, its secrets.toml in workdir; returns the base URL."""
    secrets = workdir / "secrets.toml"
    # Streamlit replaces {port} with server.port in redirect_uri (auth_util.get_redirect_uri).
    secrets.write_text(idp.secrets_toml("http://127.0.0.1:{port}/oauth2callback", client_secret=client_secret),
                       encoding="utf-8")
    url = start_server({"STREAMLIT_SECRETS_FILES": str(secrets)}, workdir / "streamlit.log", request, script=APP,
                       cwd=workdir, extra_args=("--client.toolbarMode", "viewer"))
    # The provider only redirects to registered URIs; the browser must use the same host (127.0.0.1,
    # not localhost), or the session cookie holding the OAuth state is not sent to /oauth2callback.
    idp.redirect_uris.add(url + "/oauth2callback")
    return url


def _open(browser, url: str):  # noqa: F811 — browser fixture
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", device_scale_factor=1)
    page = ctx.new_page()
    page.goto(url + "/", wait_until="domcontentloaded")
    page.get_by_role("heading", name="统一身份认证测试").wait_for(timeout=30_000)
    _wait_idle(page)
    return ctx, page


def _sign_in(page) -> None:
    # /auth/login → provider /authorize → /oauth2callback → / are all server redirects of one navigation.
    with page.expect_response("**/oauth2callback?*", timeout=30_000):
        page.get_by_role("button", name=LOGIN_BUTTON).click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_role("heading", name="统一身份认证测试").wait_for(timeout=30_000)
    _wait_idle(page)


def _auth_cookies(ctx) -> set[str]:
    return {c["name"] for c in ctx.cookies() if c["name"].startswith("_streamlit_user")}


def test_st_login_shows_provider_user_and_logout_clears_it(idp, browser, tmp_path, request):  # noqa: F811
    url = _start_oidc_app(idp, tmp_path, request, CLIENT_SECRET)
    idp.events.clear()
    idp.next_user = ZHANG
    ctx, page = _open(browser, url)
    try:
        assert page.get_by_text("未登录").is_visible()
        _full_page_screenshot(page, SHOTS / "oidc_signed_out.png")

        _sign_in(page)
        page.locator("code", has_text=ZHANG["email"]).wait_for(timeout=30_000)
        assert page.get_by_text(f"已登录：{ZHANG['email']}").is_visible()
        assert page.get_by_text(f"sub：{ZHANG['sub']}；签发于").is_visible()
        assert idp.events == ["authorize:ok", "token:ok"]
        asked = idp.authorize_requests[-1]
        assert asked["scope"].split() == ["openid", "email", "profile"]
        assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
        assert _auth_cookies(ctx) == {"_streamlit_user", "_streamlit_user_tokens"}
        _full_page_screenshot(page, SHOTS / "oidc_signed_in.png")

        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name=LOGIN_BUTTON).wait_for(timeout=30_000)
        _wait_idle(page)
        assert _auth_cookies(ctx) == set()
        assert page.get_by_text(ZHANG["email"]).count() == 0

        # A second sign-in in the same browser shows whoever the provider vouches for now.
        idp.next_user = LI
        _sign_in(page)
        page.locator("code", has_text=LI["email"]).wait_for(timeout=30_000)
        assert page.get_by_text(ZHANG["email"]).count() == 0
        assert idp.events == ["authorize:ok", "token:ok", "authorize:ok", "token:ok"]
    finally:
        ctx.close()


def test_wrong_client_secret_is_refused(idp, browser, tmp_path, request):  # noqa: F811
    url = _start_oidc_app(idp, tmp_path, request, "not-the-registered-secret")
    idp.events.clear()
    idp.next_user = ZHANG
    ctx, page = _open(browser, url)
    try:
        _sign_in(page)
        page.get_by_role("button", name=LOGIN_BUTTON).wait_for(timeout=30_000)
        assert idp.events == ["authorize:ok", "token:invalid_client"]
        assert page.get_by_text("未登录").is_visible()
        assert page.get_by_text(ZHANG["email"]).count() == 0
        assert _auth_cookies(ctx) == set()
        _full_page_screenshot(page, SHOTS / "oidc_wrong_secret.png")
    finally:
        ctx.close()
