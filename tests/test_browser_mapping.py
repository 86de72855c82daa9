"""浏览器测试：数据管理页的对应关系确认步骤，无头 Chromium（Playwright，/usr/bin/chromium）。

上传一份 12345 热线导出样式的 CSV（“来电摘录”一列词表不认识）→ 预览（3 行将导入，1 行单位不明未导入、红色）
→ 把该列改为“问题摘要” → 保存为导入方案 → 确认导入（重新生成数据库）→ 线索办理页的“受理线索”多 3 件；
再上传一份表头相同的文件：预览显示已套用导入方案，无需调整 → 放弃。
看板在临时目录里运行：数据库、上传、暂存、导入方案目录都由环境变量指到 tmp，不在仓库里留下文件。
截图（1366×768、1920×1080）保存到 build/screenshots/mapping_*.png。
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.test_browser import (  # noqa: F401 — browser 是 pytest fixture
    CHROMIUM_ARGS,
    ROOT,
    SHOTS,
    _metric_value,
    _wait_idle,
    browser,
    sign_in,
    start_server,
)

VIEWPORTS = [(1366, 768), (1920, 1080)]
HEADER = "工单编号,受理时间,来源渠道,诉求人,联系电话,来电摘录,办理单位X,交办日期,办结日期,核查结论,回访日期"
SUMMARIES = ["出租车拒载", "货车超载执法态度差", "网约车乱收费"]


def _hotline_csv(units: list[str], prefix: str) -> str:
    """三行本专项整治单位的工单 + 一行单位不明（将被拒绝）。"""
    rows = [
        f"{prefix}001,2023-06-01 09:12:00,12345热线,张三,13912345678,{SUMMARIES[0]},{units[0]},2023-06-02,2023-06-08,属实,2023-06-09",
        f"{prefix}002,2023-06-03 10:00:00,12345热线,李四,13812345678,{SUMMARIES[1]},{units[1]},2023-06-05,2023-06-09,部分属实,2023-06-12",
        f"{prefix}003,2023-06-05 15:30:00,12345热线,王五,13712345678,{SUMMARIES[2]},{units[2]},2023-06-06,,,",
        f"{prefix}004,2023-06-07 08:00:00,12345热线,赵六,13612345678,渣土车抛洒,某某物流公司,2023-06-08,,,",
    ]
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture(scope="module")
def dirs(tmp_path_factory) -> dict[str, Path]:
    from etl.build import build, sample_sources

    root = tmp_path_factory.mktemp("mapping")
    d = {k: root / k for k in ("uploads", "staging", "profiles", "files")}
    d["files"].mkdir()
    d["db"] = root / "dashboard.duckdb"
    build(sample_sources(), d["db"], profiles=[])
    return d


@pytest.fixture(scope="module")
def server(dirs, request) -> str:
    return start_server({"DASHBOARD_DB": str(dirs["db"]), "DASHBOARD_UPLOADS": str(dirs["uploads"]),
                         "DASHBOARD_STAGING": str(dirs["staging"]), "DASHBOARD_PROFILES": str(dirs["profiles"])},
                        dirs["files"] / "streamlit.log", request)


def _shot(page, name: str) -> None:
    """两种屏幕宽度各截一张整页图（主区域在自己的滚动容器里：把视口拉高到内容高度）。"""
    original = page.viewport_size
    for w, h in VIEWPORTS:
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(300)
        height = page.evaluate(
            """() => Math.max(...[document.documentElement, document.body,
                   document.querySelector('[data-testid="stMain"]'),
                   document.querySelector('[data-testid="stMainBlockContainer"]')]
                   .filter(Boolean).map(e => e.scrollHeight))""")
        page.set_viewport_size({"width": w, "height": int(min(max(height, h), 12000))})
        page.wait_for_timeout(400)
        _wait_idle(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"mapping_{name}_{w}.png"), full_page=True)
    page.set_viewport_size(original)
    page.wait_for_timeout(300)


def _goto(page, label: str, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    _wait_idle(page)


def _upload(page, path: Path) -> None:
    page.locator("[class*='st-key-adm_files_'] input[type=file]").set_input_files(str(path))
    button = page.get_by_role("button", name="上传并预览")
    button.and_(page.locator(":enabled")).wait_for(timeout=15_000)
    button.click()
    page.get_by_text(f"待确认：{path.name}").wait_for(timeout=30_000)
    _wait_idle(page)


def _set_field(page, row: int, label: str) -> None:
    """第一张表的“导入为”列（第 3 列）第 row 行选为 label：点左上单元格，方向键移过去，回车打开下拉框。"""
    grid = page.locator("[class*='_0_cols'] [data-testid='stDataFrameResizable']").first
    option = page.get_by_role("option", name=label, exact=True)
    for attempt in range(3):  # on a loaded machine a key can land before the grid has taken the focus: again
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
        for _ in range(2):
            page.keyboard.press("ArrowRight")
        for _ in range(row):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            _wait_idle(page)
    option.click()
    page.keyboard.press("Escape")


def _cell(page, key_part: str, col: int, row: int) -> str:
    """表格单元格的文字（glide 表格为无障碍访问保留的隐藏单元格）。"""
    return page.locator(f"[class*='{key_part}'] #glide-cell-{col}-{row}").first.inner_text()


def _texts(page, key_part: str) -> list[str]:
    return page.locator(f"[class*='{key_part}'] [id^='glide-cell']").all_text_contents()


def _leads_received(page) -> int:
    _goto(page, "线索办理", "问题线索办理")
    return int(_metric_value(page, "受理线索").rstrip("件"))


def test_mapping_flow_in_chromium(server, browser, dirs):  # noqa: F811 — browser fixture
    from etl.config import load_campaign

    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", device_scale_factor=1)
    page = ctx.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        sign_in(page, server)
        page.get_by_role("heading", name="专项整治总览").first.wait_for(timeout=30_000)
        _wait_idle(page)
        campaign_id = parse_qs(urlparse(page.url).query)["campaign"][0]
        units = [u.name for u in load_campaign(campaign_id).units[:3]]
        before = _leads_received(page)

        # 1. 上传 → 暂存、预览：F 列认不出；3 行将导入，单位不明的 1 行未导入（红色）
        first = dirs["files"] / "热线工单_20230610.csv"
        first.write_text(_hotline_csv(units, "GD20230610"), encoding="utf-8")
        _goto(page, "数据管理", "数据管理")
        _upload(page, first)
        assert (dirs["staging"] / campaign_id / first.name).is_file()
        assert not (dirs["uploads"] / campaign_id / first.name).exists()
        assert [_cell(page, "_0_cols", c, 5) for c in range(4)] == ["F", "来电摘录", "不导入", "未识别"]
        page.get_by_text("将导入 3 行，").wait_for()
        assert page.get_by_text("未导入 1 行").first.is_visible()
        bad = page.locator('[data-testid="stAlert"]', has_text="以下 1 条问题使相应的行")
        assert bad.count() == 1
        assert _cell(page, "_0_badbox", 2, 0) == "某某物流公司"
        _shot(page, "1_preview")

        # 2. 把 F 列改为“问题摘要”：预览重新计算，将导入的行有了摘要，提示确认时会保存为导入方案
        _set_field(page, 5, "问题摘要")
        page.get_by_text("对应关系已手工调整").wait_for(timeout=30_000)
        _wait_idle(page)
        assert _cell(page, "_0_cols", 2, 5) == "问题摘要"
        assert _cell(page, "_0_cols", 3, 5) == "手工指定"
        recs = _texts(page, "_0_recsbox")
        assert [t for t in recs if t in SUMMARIES] == SUMMARIES, recs
        assert "张三" not in recs and "13912345678" not in recs
        _shot(page, "2_changed")

        # 3. 保存为导入方案 → 预览改由方案套用
        name_box = page.locator("[class*='_0_pname'] input")
        name_box.fill("热线工单导出")
        name_box.press("Enter")
        _wait_idle(page)
        page.get_by_role("button", name="保存为导入方案").click()
        page.get_by_text("已套用导入方案“热线工单导出”").wait_for(timeout=30_000)
        _wait_idle(page)
        saved = list(dirs["profiles"].glob("热线工单导出-*.toml"))
        assert len(saved) == 1 and '"来电摘录" = "summary"' in saved[0].read_text(encoding="utf-8")
        assert page.get_by_text("对应关系已手工调整").count() == 0

        # 4. 确认导入 → 文件移入上传目录、重新生成数据库；结果先列未导入的内容（红色），再列计数
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("数据库已重新生成").first.wait_for(timeout=90_000)
        _wait_idle(page)
        assert (dirs["uploads"] / campaign_id / first.name).is_file()
        assert not (dirs["staging"] / campaign_id / first.name).exists()
        assert page.get_by_text(f"“{first.name}”：导入 3 行，未导入 1 行").count() == 1
        assert page.get_by_text(f"“{first.name}”已导入").count() == 0
        lost = page.locator('[data-testid="stAlert"]', has_text="未导入的内容")
        assert lost.count() == 1
        assert _cell(page, "adm_build_rejected_box", 0, 0) == first.name  # 刚导入的文件排在最前
        assert _cell(page, "adm_build_rejected_box", 4, 0) == "某某物流公司"
        y_lost = lost.bounding_box()["y"]
        y_ok = page.locator('[data-testid="stAlert"]', has_text="数据库已重新生成").bounding_box()["y"]
        assert y_lost < y_ok
        _shot(page, "3_imported")

        con = duckdb.connect(str(dirs["db"]), read_only=True)
        try:
            got = con.execute("SELECT lead_id, summary FROM leads WHERE lead_id LIKE 'GD20230610%' ORDER BY 1").fetchall()
        finally:
            con.close()
        assert got == [("GD20230610001", SUMMARIES[0]), ("GD20230610002", SUMMARIES[1]),
                       ("GD20230610003", SUMMARIES[2])]
        assert _leads_received(page) == before + 3

        # 5. 表头相同的第二个文件：自动套用导入方案，无需调整 → 放弃
        second = dirs["files"] / "热线工单_20230620.csv"
        second.write_text(_hotline_csv(units, "GD20230620"), encoding="utf-8")
        _goto(page, "数据管理", "数据管理")
        _upload(page, second)
        assert page.get_by_text("已套用导入方案“热线工单导出”").first.is_visible()
        assert page.get_by_text("对应关系已手工调整").count() == 0
        assert [_cell(page, "_0_cols", c, 5) for c in range(4)] == \
            ["F", "来电摘录", "问题摘要", "导入方案“热线工单导出”"]
        _shot(page, "4_second_upload")
        page.get_by_role("button", name="放弃").click()
        page.get_by_text(f"已放弃“{second.name}”").wait_for(timeout=30_000)
        assert not (dirs["staging"] / campaign_id / second.name).exists()
        assert not (dirs["uploads"] / campaign_id / second.name).exists()

        exc = page.locator('[data-testid="stException"]')
        assert exc.count() == 0, exc.first.inner_text()[:2000]
        assert not page_errors, page_errors
        _audit_trail(dirs, first, second)
    finally:
        ctx.close()


def _audit_trail(dirs, first, second) -> None:
    """操作日志（状态库）记下了这一趟：谁上传了什么（大小、sha256）、保存了哪个导入方案、重建的结果；不含电话。"""
    import hashlib
    import json

    from state import audit
    from state.store import open_store
    from tests.test_browser import OFFICE_USER

    events = audit.list_events(open_store(f"sqlite:///{dirs['files'] / 'state.db'}"), actor=OFFICE_USER)
    uploads = events[events["action"] == "upload"]
    details = {r["target"]: json.loads(r["detail"]) for _, r in uploads.iterrows()}
    for f in (first, second):
        assert details[f.name]["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
        assert details[f.name]["大小"] == f.stat().st_size
    assert list(events.loc[events["action"] == "mapping_saved", "target"]) == ["热线工单导出"]
    rebuilds = events[events["action"] == "rebuild"]
    assert len(rebuilds) == 1 and bool(rebuilds.iloc[0]["ok"])
    assert json.loads(rebuilds.iloc[0]["detail"])["文件"] == [first.name]
    assert "13912345678" not in events.to_string()
