"""浏览器测试：一项督办从交办到销号（无头 Chromium，1366×768）。

一个看板进程（示例数据库 + 临时状态库：一个专班账号、最滞后红色单位的单位账号、另一单位的单位账号）：
1. 专班在总览“对滞后单位发起督办”选最新统计日最滞后的红色单位 → 督办页表单已预填 → 交办 → 列表里为“督办中”；
2. 退出；该单位账号登录，只看到这一项，填写反馈、上传一张 PNG 佐证 → 状态库为“已反馈”，佐证的 SHA-256 与上传的一致；
3. 退出；专班核查通过、销号 → “已销号”，历史依次为 交办、反馈、核查、销号，操作人正确。
另一单位的账号看不到任何事项。截图（1366×768 与 1920×1080）保存到 build/screenshots/supervision_*.png。
AppTest 版的同一流程见 tests/test_supervision_page.py。
"""
from __future__ import annotations

import hashlib
import struct
import time
import zlib
from pathlib import Path

import pandas as pd
import pytest
from playwright import sync_api

from tests.test_browser import (  # noqa: F401 — browser、sample_db 是 pytest fixture
    SHOTS,
    _wait_idle,
    browser,
    sample_db,
    sign_in,
    start_server,
)

VIEWPORTS = [(1366, 768), (1920, 1080)]
PASSWORD = "Supervise-test-2026"
OFFICE, UNIT, OTHER = "zhuanban", "danwei", "qita"
FEEDBACK = "已约谈责任人，逐项说明逾期原因；已完成整改的问题附现场照片。"


def _png() -> bytes:
    """A real 8×8 grey PNG (the evidence check reads the file's signature)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def target(sample_db) -> dict:  # noqa: F811
    """默认专项整治（侧栏第一项）最新统计日（最近一期台账快照）滞后评分最高的红色单位，和另一个单位。"""
    from analytics.filters import Filters
    from analytics.page_data.unit_progress import units_with_lagging
    from analytics.queries import QueryRunner

    r = QueryRunner(sample_db)
    try:
        camp = r.run("campaigns").iloc[0].to_dict()
        as_of = pd.Timestamp(r.run("snapshot_dates", campaign_id=camp["campaign_id"])["as_of_date"].max()).date()
        units = units_with_lagging(r.run, Filters(camp["campaign_id"], as_of, None, campaign=camp))
    finally:
        r.close()
    red = units[units["lagging_state"] == "红"].sort_values("lagging_score", ascending=False)
    assert len(red) >= 1 and (len(red) == 1 or red.iloc[0]["lagging_score"] > red.iloc[1]["lagging_score"]), red
    top = red.iloc[0]
    other = units[units["unit_id"] != top["unit_id"]].iloc[0]
    return {"campaign": camp["campaign_id"], "as_of": as_of, "unit": top["unit_id"], "name": top["unit_name"],
            "score": int(top["lagging_score"]), "other": other["unit_id"]}


@pytest.fixture(scope="module")
def app(sample_db, target, tmp_path_factory, request):  # noqa: F811
    from state import accounts
    from state.store import open_store

    folder = tmp_path_factory.mktemp("supervision")
    url = f"sqlite:///{folder / 'state.db'}"
    store = open_store(url)
    accounts.add_account(store, OFFICE, "office", display_name="专班管理员", password=PASSWORD, actor="测试")
    for username, unit in ((UNIT, target["unit"]), (OTHER, target["other"])):
        accounts.add_account(store, username, "unit", unit_id=unit, campaign_id=target["campaign"],
                             password=PASSWORD, actor="测试")
    server = start_server({"DASHBOARD_DB": str(sample_db), "DASHBOARD_STATE_URL": url,
                           "DASHBOARD_EVIDENCE": str(folder / "evidence")}, folder / "streamlit.log", request)
    return server, store


# ------------------------------------------------------------------ helpers
def _main(page):
    return page.locator('[data-testid="stMainBlockContainer"]')


def _open_list(page, label: str):
    """点开主区域里标签为 label 的下拉框，返回其选项。刚登录时页面可能再跑一遍（写登录 cookie），
    把刚打开的下拉框关上：没看到选项就再点一次。"""
    box = _main(page).locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.scroll_into_view_if_needed()
    options = page.get_by_role("option")
    for attempt in range(3):
        box.locator("input").click()
        try:
            options.first.wait_for(timeout=3_000)
            return options
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            _wait_idle(page)
    return options


def _choose(page, label: str, option: str) -> None:
    """主区域里标签为 label 的下拉框选 option。"""
    _open_list(page, label).filter(has_text=option).first.click()
    _wait_idle(page)


def _options(page, label: str) -> list[str]:
    """主区域里标签为 label 的下拉框的全部选项（点开读，按 Esc 关上）。"""
    texts = [t.strip() for t in _open_list(page, label).all_inner_texts()]
    page.keyboard.press("Escape")
    return texts


def _open_supervision(page) -> None:
    """侧栏导航到“督办”（同一会话里换页，不必等总览画完）。"""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="督办", exact=True).click()
    page.wait_for_url("**/supervision*", timeout=15_000)
    page.get_by_role("heading", name="督办事项").first.wait_for(timeout=30_000)
    _wait_idle(page)
    _no_exception(page)


def _sign_in_again(page, username: str) -> None:
    """退出后停在登录页：直接填表登录，再到督办页。"""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=30_000)
    _open_supervision(page)


def _sign_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=30_000)
    _wait_idle(page)


def _no_exception(page) -> None:
    exc = page.locator('[data-testid="stException"]')
    assert exc.count() == 0, exc.first.inner_text()[:2000]


def _shots(page, name: str, anchor) -> None:
    """anchor 滚到视口顶部（让出 Streamlit 顶栏），在两个尺寸下各截一张视口图。"""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for w, h in VIEWPORTS:
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(400)  # a new width re-lays out the grids; no script runs
        anchor.evaluate("""e => { e.scrollIntoView({block: 'start'});
            const m = document.querySelector('[data-testid="stMain"]');
            if (m) m.scrollBy(0, -70); window.scrollBy(0, -70); }""")
        page.wait_for_timeout(250)
        page.screenshot(path=str(SHOTS / f"supervision_{name}_{w}x{h}.png"))
    page.set_viewport_size({"width": VIEWPORTS[0][0], "height": VIEWPORTS[0][1]})
    page.wait_for_timeout(300)


def _new_page(browser):  # noqa: F811
    ctx = browser.new_context(viewport={"width": VIEWPORTS[0][0], "height": VIEWPORTS[0][1]}, locale="zh-CN",
                              device_scale_factor=1, accept_downloads=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page, errors


# ------------------------------------------------------------------ the walk
def test_one_item_from_overview_to_closed(app, target, browser):  # noqa: F811
    from state import supervision

    server, store = app
    started = time.monotonic()
    ctx, page, errors = _new_page(browser)
    timings: dict[str, float] = {}
    try:
        # 1. 专班：总览 → 发起督办 → 预填表单 → 交办
        sign_in(page, server, OFFICE, PASSWORD)
        page.get_by_role("heading", name="专项整治总览").first.wait_for(timeout=30_000)
        _wait_idle(page)
        assert f"as_of={target['as_of']:%Y-%m-%d}" in page.url and f"campaign={target['campaign']}" in page.url
        _choose(page, "对滞后单位发起督办", f"{target['name']}（红色，{target['score']}分）")
        page.get_by_role("button", name="发起督办").click()
        page.wait_for_url("**/supervision*", timeout=15_000)
        title = page.get_by_role("textbox", name="督办事项", exact=True)
        title.wait_for(timeout=30_000)
        _wait_idle(page)
        _no_exception(page)
        assert title.input_value() == f"{target['name']}整改滞后（红色，{target['score']}分）"
        requirement = page.get_by_role("textbox", name="督办要求", exact=True).input_value()
        as_of = target["as_of"]
        assert requirement.startswith(f"截至{as_of.year}年{as_of.month}月{as_of.day}日，{target['name']}滞后评分"
                                      f"{target['score']}分"), requirement
        _shots(page, "form", _main(page).locator('[data-testid="stExpander"]').first)
        page.get_by_role("button", name="交办").click()
        page.get_by_text("已交办第").first.wait_for(timeout=30_000)
        _wait_idle(page)
        _no_exception(page)
        items = supervision.list_items(store, campaign_id=target["campaign"])
        assert len(items) == 1
        item = items.iloc[0]
        item_id = int(item["id"])
        assert (item["unit_id"], item["source"], item["status"], item["created_by"]) == \
            (target["unit"], "挂牌督办", "督办中", OFFICE)
        assert target["name"] in item["title"] and "整改滞后" in item["title"]
        label = f"第{item_id}号 {target['name']}：{item['title']}"
        _shots(page, "list", _main(page).locator('[data-testid="stMultiSelect"]').filter(has_text="状态").first)
        # the list (a canvas grid) keeps an accessible copy of its visible cells: 编号, 等级 (none yet), 状态, 单位, 事项
        cells = _main(page).locator('[data-testid="stDataFrame"]').first.locator("[id^='glide-cell']")
        cells.first.wait_for(state="attached", timeout=10_000)
        texts = cells.all_inner_texts()
        assert [str(item_id), "督办中", target["name"], item["title"]] == [t for t in texts if t][:4], texts
        assert [o[:len(label)] for o in _options(page, "查看、反馈或核查一项")] == [label]
        _sign_out(page)

        timings["交办"] = time.monotonic() - started
        # 另一单位：没有任何事项
        _sign_in_again(page, OTHER)
        assert "还没有督办事项" in _main(page).inner_text()
        assert _main(page).locator('[data-testid="stSelectbox"]').filter(has_text="查看、反馈或核查一项").count() == 0
        _sign_out(page)

        # 2. 单位：只看到本单位这一项，反馈并上传佐证
        _sign_in_again(page, UNIT)
        assert page.get_by_role("button", name="交办").count() == 0  # no new-item form for a unit
        assert [o[:len(label)] for o in _options(page, "查看、反馈或核查一项")] == [label]  # only its own item
        _choose(page, "查看、反馈或核查一项", label)
        fb = _main(page).locator('[data-testid="stForm"]').filter(has_text="提交反馈").first
        fb.wait_for(timeout=30_000)
        fb.get_by_label("反馈办理情况").fill(FEEDBACK)
        png = _png()
        fb.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files=[{"name": "整改现场照片.png", "mimeType": "image/png", "buffer": png}])
        fb.get_by_text("整改现场照片.png").first.wait_for(timeout=15_000)
        _wait_idle(page)
        _shots(page, "feedback", _main(page).locator('[class*="st-key-sup_detail"]').first)
        fb.get_by_role("button", name="提交反馈").click()
        page.get_by_text(f"第{item_id}号已反馈").first.wait_for(timeout=30_000)
        _wait_idle(page)
        _no_exception(page)
        answered = supervision.get_item(store, item_id)
        assert answered["status"] == "已反馈"
        assert [(e["file_name"], e["size"], e["sha256"], e["actor"]) for e in answered["evidence"]] == \
            [("整改现场照片.png", len(png), hashlib.sha256(png).hexdigest(), UNIT)]
        assert answered["events"][-1]["note"] == FEEDBACK
        _sign_out(page)

        timings["单位反馈"] = time.monotonic() - started
        # 3. 专班：看到反馈与佐证，核查通过，销号
        _sign_in_again(page, OFFICE)
        _choose(page, "查看、反馈或核查一项", label)
        detail = _main(page).locator('[class*="st-key-sup_detail"]').first
        detail.wait_for(timeout=30_000)
        with page.expect_download(timeout=30_000) as got:
            detail.get_by_role("button", name="佐证：整改现场照片.png").click()
        assert got.value.suggested_filename == "整改现场照片.png"
        assert Path(got.value.path()).read_bytes() == png
        _wait_idle(page)
        history = detail.locator('[data-testid="stDataFrame"] [id^="glide-cell"]')
        history.first.wait_for(state="attached", timeout=10_000)
        assert FEEDBACK in history.all_inner_texts()
        page.get_by_label("核查意见 / 退回理由 / 销号说明").fill("核查属实")
        page.get_by_role("button", name="核查通过").click()
        page.get_by_text(f"第{item_id}号已核查").first.wait_for(timeout=30_000)
        _wait_idle(page)
        _no_exception(page)
        assert supervision.get_item(store, item_id)["status"] == "已核查"
        page.get_by_role("button", name="销号", exact=True).click()
        _wait_idle(page)
        # a click that only reruns the page (the pick lost, nothing closed) is what the user would see
        swallowed = supervision.get_item(store, item_id)["status"] != "已销号"
        if swallowed:
            _choose(page, "查看、反馈或核查一项", label)
            page.get_by_role("button", name="销号", exact=True).click()
        page.get_by_text(f"第{item_id}号已销号").first.wait_for(timeout=30_000)
        _wait_idle(page)
        _no_exception(page)
        done = supervision.get_item(store, item_id)
        assert done["status"] == "已销号" and done["closed_at"] is not None
        assert [(e["action"], e["actor"], e["from_status"], e["to_status"]) for e in done["events"]] == [
            ("created", OFFICE, None, "督办中"), ("feedback", UNIT, "督办中", "已反馈"),
            ("verified", OFFICE, "已反馈", "已核查"), ("closed", OFFICE, "已核查", "已销号")]
        assert [e["note"] for e in done["events"][1:3]] == [FEEDBACK, "核查属实"]
        timings["销号"] = time.monotonic() - started

        # the closed item's detail and history: the list hides 已销号 by default, so the pick is cleared
        detail_kept = page.locator('[class*="st-key-sup_detail"]').count() == 1
        if not detail_kept:
            status = _main(page).locator('[data-testid="stMultiSelect"]').filter(has_text="状态").first
            status.locator("input").click()
            page.get_by_role("option", name="已销号").click()
            page.keyboard.press("Escape")
            _wait_idle(page)
            _choose(page, "查看、反馈或核查一项", label)
        detail = _main(page).locator('[class*="st-key-sup_detail"]').first
        detail.wait_for(timeout=30_000)
        assert "状态 已销号" in detail.inner_text()
        _shots(page, "closed", detail)
        assert "已销号 1" in _main(page).inner_text().replace("**", "")
        _shots(page, "warning", page.get_by_role("heading", name="到期预警").first)
        _shots(page, "roll", page.get_by_role("heading", name="红黑榜").first)
        assert not errors, errors
    except Exception:
        page.screenshot(path=str(SHOTS / "supervision_failure.png"))
        raise
    finally:
        ctx.close()
        print("督办浏览器测试用时（秒）：", {k: round(v, 1) for k, v in timings.items()},
              "销号后详情仍在：", locals().get("detail_kept"))
    assert time.monotonic() - started < 120
    assert not swallowed, ("核查通过后第一次点“销号”没有销号：下拉框“查看、反馈或核查一项”的选项文字含状态，状态一变，"
                           "前端回传的旧文字对不上新选项，选择被清空（dashboard/supervision_panel.py item_label）")
