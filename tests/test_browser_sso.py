"""浏览器测试：真实看板（app.py）经统一身份认证（st.login，OIDC）登录，无头 Chromium。

tests/oidc_provider.py 在本机线程里充当身份提供方；看板以 `streamlit run app.py` 子进程运行，状态库是临时
SQLite（DASHBOARD_STATE_URL），数据库由示例数据生成，secrets.toml 在临时目录（STREAMLIT_SECRETS_FILES）。
账号事先在状态库里开通并绑定身份提供方的邮箱（sso_subject）。检查：已绑定的启用账号登录后到总览、导航
符合角色、审计有 sign_in（method sso）；未开通的身份和已停用的账号被拒（中文提示、看不到数据、审计
sign_in_failed）；退出登录清除身份 cookie，刷新也不会悄悄再登录；签发超过 session_max_hours 的身份、退出登录前
的身份 cookie 都不能在新会话里登录。截图（1366×768）在 build/screenshots/sso_*.png。
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import oidc_provider
from tests.oidc_provider import OidcProvider
from tests.test_browser import (  # noqa: F401 — browser 是 pytest fixture
    SHOTS,
    _wait_idle,
    browser,
    start_server,
)

VIEWPORT = {"width": 1366, "height": 768}
SSO_BUTTON = "使用统一身份认证登录"
SIGN_IN_TITLE = "专项整治工作专班看板"
OVERVIEW_TITLE = "专项整治总览"
CLIENT_SECRET = "sso-test-client-secret-41c9"
# 领导：查看各页面、下载简报；没有数据探索、数据管理、用户管理、操作日志（data/roles.toml）
LEADER_NAV = ["总览", "会议模式", "县区进度", "县区地图", "问题热点", "反弹问题", "满意度", "线索办理", "督办"]  # SSO-only: no password of ours to change

ZHAO = {"sub": "zl-0001", "email": "zhao.ling@jtj.example.gov.cn", "name": "赵领导"}     # 领导，已开通
QIAN = {"sub": "qw-0002", "email": "qian.wai@jtj.example.gov.cn", "name": "钱某"}       # 未开通
SUN = {"sub": "sz-0003", "email": "sun.zhuan@jtj.example.gov.cn", "name": "孙某"}      # 已开通但停用
ZHOU = {"sub": "zz-0004", "email": "Zhou.Zhuan@JTJ.example.gov.cn", "name": "周专班"}  # 专班，退出登录用
WU = {"sub": "wf-0005", "email": "wu.fen@jtj.example.gov.cn", "name": "吴分析"}         # 分析员，会话过期用


@dataclass
class App:
    url: str
    store: object  # state.store.StateStore
    log: Path      # the server's stdout/stderr


@pytest.fixture(scope="module")
def idp():
    with OidcProvider(client_id="dashboard", client_secret=CLIENT_SECRET) as provider:
        yield provider


@pytest.fixture(scope="module")
def app(idp, tmp_path_factory, request) -> App:
    from etl.build import build, sample_sources
    from state import accounts
    from state.store import open_store

    root = tmp_path_factory.mktemp("sso")
    db = root / "dashboard.duckdb"
    build(sample_sources(), db)
    state_url = f"sqlite:///{root / 'state.db'}"
    store = open_store(state_url)
    accounts.add_account(store, "zhaoling", "leader", display_name="赵领导", sso_subject=ZHAO["email"], actor="admin")
    # 邮箱不区分大小写：开通时写小写，身份提供方返回大小写混合
    accounts.add_account(store, "zhouzhuan", "office", display_name="周专班", sso_subject=ZHOU["email"].lower(),
                         actor="admin")
    accounts.add_account(store, "sunzhuan", "office", sso_subject=SUN["email"], actor="admin")
    accounts.set_active(store, "sunzhuan", False, actor="zhouzhuan")  # 最后一个可用的专班账号不能停用
    accounts.add_account(store, "wufen", "analyst", sso_subject=WU["email"], actor="zhouzhuan")

    secrets = root / "secrets.toml"
    # Streamlit 把 redirect_uri 里的 {port} 换成实际端口；浏览器一律用 127.0.0.1（OAuth state 的 cookie 按主机名发送）
    secrets.write_text(idp.secrets_toml("http://127.0.0.1:{port}/oauth2callback"), encoding="utf-8")
    log = root / "streamlit.log"
    url = start_server({"DASHBOARD_DB": str(db), "DASHBOARD_STATE_URL": state_url,
                        "STREAMLIT_SECRETS_FILES": str(secrets)}, log, request)
    idp.redirect_uris.add(url + "/oauth2callback")
    return App(url, store, log)


@pytest.fixture
def page(browser):  # noqa: F811 — browser fixture
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", device_scale_factor=1)
    p = ctx.new_page()
    yield p
    ctx.close()


def _open_sign_in(page, url: str) -> None:
    page.goto(url + "/", wait_until="domcontentloaded")
    page.get_by_role("button", name=SSO_BUTTON).wait_for(timeout=30_000)
    _wait_idle(page)


def _sso_sign_in(page) -> None:
    # /auth/login → 提供方 /authorize → /oauth2callback → / 是同一次导航里的服务器重定向
    with page.expect_response("**/oauth2callback?*", timeout=30_000):
        page.get_by_role("button", name=SSO_BUTTON).click()
    page.wait_for_load_state("domcontentloaded")


def _landed(page) -> None:
    """等重定向后的页面跑完：落在登录页（统一身份认证按钮）或总览。页面可能再跳转一次（st.logout →
    /auth/logout → /，新会话）：稍等后再等一遍，断言看的是最后停下的页面。"""
    landing = page.get_by_role("button", name=SSO_BUTTON).or_(page.get_by_role("heading", name=OVERVIEW_TITLE))
    landing.first.wait_for(timeout=30_000)
    _wait_idle(page)
    page.wait_for_timeout(1500)
    landing.first.wait_for(timeout=30_000)
    _wait_idle(page)


def _identity_cookies(page) -> set[str]:
    return {c["name"] for c in page.context.cookies() if c["name"].startswith("_streamlit_user")}


def _nav_labels(page) -> list[str]:
    # 每个链接的文字是“图标名\n\n标题”（Material 图标以连字显示）：取最后一行
    return [t.strip().splitlines()[-1] for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def _events(app: App, action: str):
    from state.audit import list_events

    return list_events(app.store, action=action)


def _assert_sign_in_page_without_data(page) -> None:
    # 侧栏也有同名的小标题（h3）：登录页的是主区域的 h1
    assert page.locator('[data-testid="stMain"] h1', has_text=SIGN_IN_TITLE).is_visible()
    assert page.get_by_role("heading", name=OVERVIEW_TITLE).count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"] a').count() == 0
    assert page.get_by_role("button", name="退出登录").count() == 0


def test_bound_user_signs_in_with_role_navigation(app, idp, page):
    idp.next_user = ZHAO
    idp.events.clear()
    _open_sign_in(page, app.url)
    assert page.get_by_role("heading", name=SIGN_IN_TITLE).is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "sso_sign_in.png"))

    _sso_sign_in(page)
    page.get_by_role("heading", name=OVERVIEW_TITLE).first.wait_for(timeout=30_000)
    _wait_idle(page)
    assert idp.events == ["authorize:ok", "token:ok"]
    assert _nav_labels(page) == LEADER_NAV
    assert page.locator('[data-testid="stSidebar"]').get_by_text("赵领导（领导）").is_visible()
    page.locator('[data-testid="stMetric"]').nth(4).wait_for(timeout=30_000)  # 数据读出来了：至少五个指标卡
    page.screenshot(path=str(SHOTS / "sso_signed_in.png"))

    ev = _events(app, "sign_in")
    mine = ev[ev["actor"] == "zhaoling"]
    assert len(mine) == 1
    row = mine.iloc[0]
    assert (row["role"], row["target"], bool(row["ok"])) == ("leader", "zhaoling", True)
    assert json.loads(row["detail"]) == {"method": "sso"}


def test_unbound_identity_is_refused(app, idp, page):
    idp.next_user = QIAN
    _open_sign_in(page, app.url)
    _sso_sign_in(page)
    _landed(page)
    page.screenshot(path=str(SHOTS / "sso_refused.png"))
    assert page.get_by_text(f"该单点登录账号尚未在看板开通，请联系专班（{QIAN['email']}）").is_visible()
    _assert_sign_in_page_without_data(page)

    ev = _events(app, "sign_in_failed")
    mine = ev[ev["target"] == QIAN["email"]]
    assert len(mine) == 1
    row = mine.iloc[0]
    assert (row["actor"], bool(row["ok"])) == ("匿名", False)
    assert json.loads(row["detail"]) == {"method": "sso", "reason": "unbound"}
    assert (_events(app, "sign_in")["target"] == QIAN["email"]).sum() == 0


def test_disabled_account_is_refused(app, idp, page):
    idp.next_user = SUN
    _open_sign_in(page, app.url)
    _sso_sign_in(page)
    _landed(page)
    assert page.get_by_text(f"账号已停用（{SUN['email']}）").is_visible()
    _assert_sign_in_page_without_data(page)

    ev = _events(app, "sign_in_failed")
    mine = ev[ev["actor"] == "sunzhuan"]
    assert len(mine) == 1
    assert (mine.iloc[0]["role"], bool(mine.iloc[0]["ok"])) == ("office", False)
    assert json.loads(mine.iloc[0]["detail"]) == {"method": "sso", "reason": "disabled"}
    assert (_events(app, "sign_in")["actor"] == "sunzhuan").sum() == 0


def test_sign_out_clears_identity_and_reload_stays_signed_out(app, idp, page):
    idp.next_user = ZHOU
    _open_sign_in(page, app.url)
    _sso_sign_in(page)
    page.get_by_role("heading", name=OVERVIEW_TITLE).first.wait_for(timeout=30_000)
    _wait_idle(page)
    assert "数据探索" in _nav_labels(page) and "操作日志" in _nav_labels(page)
    assert _identity_cookies(page) == {"_streamlit_user", "_streamlit_user_tokens"}

    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name=SSO_BUTTON).wait_for(timeout=30_000)
    _wait_idle(page)
    assert _identity_cookies(page) == set()
    _assert_sign_in_page_without_data(page)

    page.reload(wait_until="domcontentloaded")
    page.get_by_role("button", name=SSO_BUTTON).wait_for(timeout=30_000)
    _wait_idle(page)
    _assert_sign_in_page_without_data(page)

    assert (_events(app, "sign_out")["actor"] == "zhouzhuan").sum() == 1
    assert (_events(app, "sign_in")["actor"] == "zhouzhuan").sum() == 1


def _assert_refused_stale_identity(page) -> None:
    _landed(page)
    _assert_sign_in_page_without_data(page)
    assert page.get_by_text("请重新登录").count() == 1



def test_identity_older_than_session_max_hours_does_not_sign_in(app, idp, page, monkeypatch):
    """身份提供方 13 小时前签发的身份（iat），相当于 13 小时前登录后一直保存的 cookie：超过 session_max_hours（12）。"""
    from state.security import load_security

    hours = load_security().session_max_hours + 1
    encode = oidc_provider.jwt.encode

    def issued_earlier(header, claims, key):
        return encode(header, {**claims, "iat": claims["iat"] - hours * 3600}, key)

    monkeypatch.setattr(oidc_provider.jwt, "encode", issued_earlier)
    idp.next_user = WU
    _open_sign_in(page, app.url)
    _sso_sign_in(page)
    _assert_refused_stale_identity(page)


def test_identity_from_before_sign_out_does_not_sign_in_again(app, idp, page):
    """退出登录前的身份 cookie（复制保存的，或会话超时后仍留在浏览器里的）不能在新会话里重新登录。"""
    idp.next_user = WU
    _open_sign_in(page, app.url)
    _sso_sign_in(page)
    page.get_by_role("heading", name=OVERVIEW_TITLE).first.wait_for(timeout=30_000)
    _wait_idle(page)
    saved = [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    assert len(saved) == 2

    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name=SSO_BUTTON).wait_for(timeout=30_000)
    _wait_idle(page)
    assert _identity_cookies(page) == set()

    page.context.add_cookies(saved)
    page.goto(app.url + "/", wait_until="domcontentloaded")
    _assert_refused_stale_identity(page)


def test_server_logged_no_uncaught_exception(app):
    """放在最后：上面各流程（登录、被拒、退出登录）都没有让脚本抛出异常。"""
    log = app.log.read_text(encoding="utf-8", errors="replace")
    assert "Uncaught app execution" not in log, log[log.find("Uncaught app execution"):][:1500]
