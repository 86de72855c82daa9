"""浏览器测试：`streamlit run app.py` + 无头 Chromium（Playwright，Debian 的 /usr/bin/chromium）。

在临时目录用示例数据生成数据库，启动看板，经侧栏导航逐页打开八个页面：页面跑完、没有异常框、
中文标题可见，整页截图保存到 build/screenshots/<页面>.png（`make screenshots` 时为 docs/screenshots）；总览的“查摆问题数”等于 SQL 真值。

`make test` 会先安装 chromium 与 fonts-noto-cjk（Makefile 的 sysdeps）。只有在没有 chromium
且不是 root（无法安装）时才跳过。
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "build" / "screenshots")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
VIEWPORT = {"width": 1440, "height": 900}

# （截图文件名 / st.Page 推断的 url 路径, 侧栏导航标签, 页面标题 st.title）
PAGES = [
    ("overview", "总览", "专项整治总览"),
    ("unit_progress", "县区进度", "县区进度"),
    ("county_map", "县区地图", "县区地图"),
    ("hotspots", "问题热点", "问题热点"),
    ("relapse", "反弹问题", "反弹问题（死灰复燃、重复反弹）"),
    ("satisfaction", "满意度", "执法满意度测评"),
    ("leads", "线索办理", "问题线索办理"),
    ("explore", "数据探索", "数据探索（SQL）"),
    ("data_admin", "数据管理", "数据管理"),
]

if not CHROMIUM.exists() and os.geteuid() != 0:
    pytest.skip("没有 /usr/bin/chromium，且不是 root 无法安装（运行 make sysdeps）", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit 退出（{proc.returncode}）：\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit 在 {timeout:g} 秒内没有响应：\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    from etl.build import build, sample_sources

    db = tmp_path_factory.mktemp("browser") / "dashboard.duckdb"
    build(sample_sources(), db)
    return db


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory, request) -> str:
    return start_server({"DASHBOARD_DB": str(sample_db)}, tmp_path_factory.mktemp("streamlit") / "streamlit.log",
                        request)


OFFICE_USER = "browser-office"  # a 专班 account start_server creates when the caller brings no state store


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate a dashboard server, killing it if it does not stop within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def start_server(env_extra: dict[str, str], log: Path, request, script: Path | None = None,
                 cwd: Path = ROOT, extra_args: tuple[str, ...] = ()) -> str:
    """The dashboard as `make run` starts it (or `streamlit run <script>`) on a free loopback port with these
    environment variables; stopped at the end of the requesting fixture's scope. Returns the base URL once
    /_stcore/health answers. Without DASHBOARD_STATE_URL a fresh state store beside the log holds one 专班
    account, OFFICE_USER."""
    if script is None and "DASHBOARD_STATE_URL" not in env_extra:
        from state import accounts
        from state.store import open_store
        from tests.signed_in import PASSWORD

        url = f"sqlite:///{log.parent / 'state.db'}"
        accounts.add_account(open_store(url), OFFICE_USER, "office", password=PASSWORD, actor="测试")
        env_extra = {**env_extra, "DASHBOARD_STATE_URL": url}
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", **env_extra)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *(("streamlit", "run", str(script)) if script else ("dashboard.serve",)),
             "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    request.addfinalizer(lambda: stop_server(proc))
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, proc, log)
    return url


@pytest.fixture(scope="module")
def browser():
    exe = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if exe is None:
        pytest.fail("没有找到 chromium（make test 应已通过 sysdeps 安装）")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(exe), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def sign_in(page, server: str, username: str = OFFICE_USER, password: str | None = None) -> None:
    """Open the app and sign in through the form (each page load is a new Streamlit session)."""
    from tests.signed_in import PASSWORD

    page.goto(server + "/", wait_until="domcontentloaded")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password or PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=30_000)


def _wait_idle(page, timeout: float = 30) -> None:
    """等脚本跑完：状态组件不再显示“Running”，连续一小段时间保持空闲。"""
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        running = page.evaluate(
            """() => {
                const w = document.querySelector('[data-testid="stStatusWidget"]');
                const busy = !!w && w.offsetParent !== null && /Running|运行/.test(w.innerText || '');
                const skel = document.querySelector('[data-testid="stSkeleton"]');
                return busy || (!!skel && skel.offsetParent !== null);
            }""")
        if running:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > 0.8:
            return
        time.sleep(0.15)
    raise AssertionError("页面在限定时间内没有运行完")


@contextmanager
def signed_in_page(browser, server: str, width: int = 1366, height: int = 768, username: str = OFFICE_USER):
    """A page of a new browser context at this viewport, signed in (closed on exit)."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    try:
        page = ctx.new_page()
        sign_in(page, server, username)
        yield page
    finally:
        ctx.close()


def each_page(page, server: str, pages: list[tuple[str, str]], ready: str, big: bool = False):
    """Open each (label, path) in turn (projector size with big=True); yields (label, path) once the first element
    matching the ready selector is shown and the script has finished."""
    for label, path in pages:
        page.goto(server + path + ("?big=1" if big else ""), wait_until="domcontentloaded")
        page.locator(ready).first.wait_for(timeout=30_000)
        _wait_idle(page)
        yield label, path


def _full_page_screenshot(page, path: Path) -> None:
    """Streamlit 的主区域在自己的滚动容器里：把视口拉高到内容高度再截整页。"""
    height = page.evaluate(
        """() => {
            const els = [document.documentElement, document.body,
                         document.querySelector('[data-testid="stMain"]'),
                         document.querySelector('[data-testid="stAppScrollToBottomContainer"]'),
                         document.querySelector('[data-testid="stMainBlockContainer"]')];
            return Math.max(...els.filter(Boolean).map(e => e.scrollHeight));
        }""")
    height = int(min(max(height, VIEWPORT["height"]), 12000))
    if height > VIEWPORT["height"]:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.wait_for_timeout(400)
        _wait_idle(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)


def _overview_truth(db: Path, campaign_id: str, as_of: date) -> int:
    from dashboard.db import QueryRunner

    r = QueryRunner(db)
    try:
        df = r.run("kpi_overview", campaign_id=campaign_id, as_of=as_of, units=[], categories=[],
                   channels=[])
        return int(df.iloc[0]["problems"])
    finally:
        r.close()


def _metric_value(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_every_page_in_chromium(server, browser, sample_db):
    started = time.monotonic()
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", device_scale_factor=1)
    page = ctx.new_page()
    console_errors: list[str] = []
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    try:
        sign_in(page, server)
        page.get_by_role("heading", name=PAGES[0][2]).first.wait_for(timeout=30_000)
        _wait_idle(page)

        # 总览：查摆问题数 = 同一数据库上 kpi_overview.sql 的结果（统计日取 URL 中的默认值，即最近一期）
        qs = parse_qs(urlparse(page.url).query)
        assert "campaign" in qs and "as_of" in qs, page.url
        truth = _overview_truth(sample_db, qs["campaign"][0], date.fromisoformat(qs["as_of"][0]))
        assert truth > 0
        assert _metric_value(page, "查摆问题数") == str(truth)

        nav = page.locator('[data-testid="stSidebarNav"]')
        for slug, label, title in PAGES:
            if slug != PAGES[0][0]:
                nav.get_by_role("link", name=label, exact=True).click()
                page.wait_for_url(f"**/{slug}*", timeout=15_000)
            heading = page.get_by_role("heading", name=title).first
            heading.wait_for(timeout=30_000)
            _wait_idle(page)
            assert heading.is_visible(), slug
            exc = page.locator('[data-testid="stException"]')
            assert exc.count() == 0, (slug, exc.first.inner_text()[:2000])
            # 侧栏筛选跨页面保留，并写在 URL 里
            assert "as_of=" in page.url, (slug, page.url)
            _full_page_screenshot(page, SHOTS / f"{slug}.png")
        assert not console_errors, console_errors
    finally:
        ctx.close()
    assert time.monotonic() - started < 120
