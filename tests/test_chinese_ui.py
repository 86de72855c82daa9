"""浏览器测试：界面上没有英文（Streamlit 自带的菜单、表格工具栏、图表工具栏、上传框说明等）。

专班账号登录（能看到全部页面），逐个打开侧栏导航里的每一页；在有图表的页面把鼠标移到图表上（plotly 的工具栏
只在悬停时出现），在总览打开右上角的主菜单（若有）。每一步收集可见的文字：元素的 innerText 所含文字节点
（字号为 0 或不可见的除外），以及可见元素的 title、aria-label、placeholder、data-title（plotly 工具栏提示）属性；
数据（图中的坐标轴刻度、图例、表格单元格）与 SQL（查询框、表名列名）里的拉丁字母词不算。
任何其余的拉丁字母词（如 Download、Zoom、Show/hide columns、Print、Drag and drop、Browse files）都使测试失败。
截图（1366×768、1920×1080）保存到 build/screenshots/chrome_*.png。
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright import sync_api  # noqa: F401 — 没有 playwright 时 test_browser 已跳过整个模块

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

VIEWPORTS = [(1366, 768), (1920, 1080)]

# 允许的拉丁字母词：文件格式、单位、缩写与产品名（界面里本来就这样写）
ALLOWED = {"B", "CSV", "Excel", "SQL", "ID", "PNG", "PDF", "Word", "xlsx", "xls", "xlsm", "csv", "docx", "pptx",
           "MB", "KB", "GB", "URL", "DuckDB", "SSO", "OIDC", "TOML", "toml", "make", "db", "md", "docs",
           "data", "model", "uploads", "queries", "LIMIT", "SELECT", "WITH", "DESCRIBE", "SHOW", "SUMMARIZE",
           "EXPLAIN", "FROM", "VALUES", "GROUP", "BY", "ALL", "ORDER", "COUNT", "AS", "SET", "RESET", "PRAGMA",
           "Ctrl", "Enter"}

# 扫描时排除的区域：数据（表格单元格、图里的刻度/图例/数据文字）与 SQL 编辑框
DATA_AREAS = ("[data-testid='stDataFrameResizable']", "[data-testid='stTable']", ".main-svg", "textarea",
              "[data-testid='stCode']", "[data-testid='stDataFrameGlideDataEditor']")

SCAN_JS = """(dataAreas) => {
  const out = [];
  const inData = (el) => dataAreas.some(sel => el.closest(sel));
  // 图标（Material Symbols 连字，如 "dashboard"）显示为图形，不是文字
  const shown = (el) => el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})
                        && parseFloat(getComputedStyle(el).fontSize) > 0
                        && !/Material/.test(getComputedStyle(el).fontFamily);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    const t = n.textContent.trim();
    if (!t || !/[A-Za-z]/.test(t) || inData(el) || !shown(el)) continue;
    out.push(['text', t, el.closest('[data-testid]')?.dataset.testid || el.tagName]);
  }
  for (const el of document.body.querySelectorAll('[title],[aria-label],[placeholder],[data-title]')) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (inData(el) && !el.closest('.modebar')) continue;
    for (const a of ['title', 'aria-label', 'placeholder', 'data-title']) {
      const v = (el.getAttribute(a) || '').trim();
      if (v && /[A-Za-z]/.test(v)) out.push([a, v, el.closest('[data-testid]')?.dataset.testid || el.tagName]);
    }
  }
  return out;
}"""


def _sql_names(db: Path) -> set[str]:
    """数据库里的表名、列名与 queries/ 下的查询名：数据探索页上显示它们不算英文界面。"""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
        ids = con.execute("SELECT campaign_id FROM campaigns UNION SELECT unit_id FROM units").fetchall()
    names = {n for row in rows for n in row}
    names |= {w for (i,) in ids for w in re.findall(r"[A-Za-z]+", i)}  # 专项整治、单位的编号（如 haixi-2023）
    names |= set(re.findall(r"[A-Za-z]+", OFFICE_USER))                 # 登录的用户名
    return names | {p.stem for p in (ROOT / "queries").glob("*.sql")}


def english_words(found: list[list[str]], allowed: set[str]) -> list[tuple[str, str, str]]:
    """(来源, 原文, 所在元素) 中含有不在 allowed 里的拉丁字母词的项。"""
    bad = []
    for kind, text, where in found:
        text = re.sub(r"\$\w+|[\w\u4e00-\u9fff-]+\.[A-Za-z]{2,4}\b", " ", text)   # $参数、文件名（说明.txt）
        words = re.findall(r"[A-Za-z][A-Za-z_0-9]*", text)
        words = [w for w in words if not re.search(r"\d", w)]  # 带数字的是数据里的编号（G105 国道、A1 代码）
        if any(w not in allowed for w in words):
            bad.append((kind, text[:120], where))
    return bad


def test_english_words_flags_toolbar_text():
    allowed = ALLOWED | {"unit_id"}
    found = [["title", "Download plot as a PNG", "x"], ["text", "下载 CSV", "x"], ["text", "unit_id 单位", "x"],
             ["aria-label", "Show/hide columns", "x"], ["text", "见 docs/data-model.md", "x"]]
    assert english_words(found, allowed) == [("title", "Download plot as a PNG", "x"),
                                             ("aria-label", "Show/hide columns", "x")]


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory, request) -> str:  # noqa: F811
    work = tmp_path_factory.mktemp("chinese-ui")
    return start_server({"DASHBOARD_DB": str(sample_db), "DASHBOARD_UPLOADS": str(work / "uploads"),
                         "DASHBOARD_STAGING": str(work / "staging"), "DASHBOARD_PROFILES": str(work / "profiles")},
                        work / "streamlit.log", request)


def _nav_links(page) -> list[tuple[str, str]]:
    """侧栏导航里每个可见链接的 (标签, 地址)；标签取最后一行（前面是图标名）。"""
    links = page.locator('[data-testid="stSidebarNav"] a:visible')
    return [(a.inner_text().strip().splitlines()[-1], a.get_attribute("href")) for a in links.all()]


def _scan(page, allowed: set[str], where: str, problems: dict) -> None:
    bad = english_words(page.evaluate(SCAN_JS, list(DATA_AREAS)), allowed)
    if bad:
        problems.setdefault(where, [])
        problems[where] += [b for b in bad if b not in problems[where]]


def _hover_chart(page) -> bool:
    chart = page.locator(".js-plotly-plot").first
    if chart.count() == 0:
        return False
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(400)
    btn = page.locator(".modebar-btn").first   # 有工具栏时把鼠标移到第一个按钮上，显示其提示
    if btn.count() and btn.is_visible():
        btn.hover()
        page.wait_for_timeout(300)
    return True


def _hover_table(page) -> bool:
    """鼠标移到第一张可见的表格上（表格工具栏只在悬停时出现）。"""
    table = page.locator('[data-testid="stDataFrame"]:visible').first
    if table.count() == 0:
        return False
    table.scroll_into_view_if_needed()
    table.hover()
    page.wait_for_timeout(300)
    return True


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_english_on_any_page(server, browser, sample_db, size, tmp_path):  # noqa: F811
    allowed = ALLOWED | _sql_names(sample_db)
    bad_file = tmp_path / "说明.txt"
    bad_file.write_text("不是报送文件", encoding="utf-8")
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN",
                              device_scale_factor=1)
    page = ctx.new_page()
    problems: dict[str, list] = {}
    hovered = 0
    try:
        sign_in(page, server, OFFICE_USER)
        _wait_idle(page)
        links = _nav_links(page)
        labels = [label for label, _ in links]
        assert {"总览", "数据探索", "数据管理", "用户管理"} <= set(labels), labels
        for label, href in links:  # 每页一个新会话（登录 cookie 保持登录）；会议模式等页面没有侧栏
            page.goto(href, wait_until="domcontentloaded")
            page.wait_for_timeout(800)
            _wait_idle(page, timeout=60)
            assert page.locator('[data-testid="stException"]').count() == 0, label
            if label == "总览":
                page.screenshot(path=str(SHOTS / f"chrome_overview_{size[0]}x{size[1]}.png"))
            _scan(page, allowed, label, problems)
            if _hover_chart(page):
                hovered += 1
                _scan(page, allowed, f"{label}（悬停图表）", problems)
            if _hover_table(page):
                _scan(page, allowed, f"{label}（悬停表格）", problems)
            if label == "总览":
                menu = page.locator('[data-testid="stMainMenu"] button')
                if menu.count() and menu.first.is_visible():
                    menu.first.click()
                    page.wait_for_timeout(400)
                    _scan(page, allowed, "主菜单", problems)
                    page.keyboard.press("Escape")
            if label == "数据管理":   # 上传一个不接受的文件：拒收的提示也是中文；上限用中文写在上传框旁
                uploader = page.locator('[data-testid="stFileUploader"]').first
                uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad_file))
                page.locator('[data-testid="stFileChip"]').first.wait_for(timeout=10_000)
                page.locator('[data-testid="stFileChip"]').first.hover()
                page.wait_for_timeout(500)
                _scan(page, allowed, "数据管理（拒收文件）", problems)
                assert "单个文件不超过 50MB" in page.locator('[data-testid="stMain"]').inner_text().replace(" MB", "MB")
                uploader.scroll_into_view_if_needed()
                page.screenshot(path=str(SHOTS / f"chrome_upload_{size[0]}x{size[1]}.png"))
        assert hovered >= 5, hovered
    except Exception:
        page.screenshot(path=str(SHOTS / f"chrome_failure_{size[0]}x{size[1]}.png"))
        raise
    finally:
        ctx.close()
    assert not problems, "\n".join(f"{where}: {bad}" for where, bad in problems.items())


LEGEND_SCROLLS_JS = """(chart) => [...chart.querySelectorAll('.legend .scrollbar')]
    .some(r => parseFloat(r.getAttribute('height') || '0') > 0)"""
XTICKS_JS = """(chart) => [...chart.querySelectorAll('.xaxislayer-above .xtick text')]
    .map(t => [t.textContent, t.getAttribute('transform') || ''])"""


def _chart_titled(page, title: str):
    chart = page.locator(".js-plotly-plot").filter(has=page.locator(".gtitle", has_text=title)).first
    chart.wait_for(timeout=30_000)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    return chart


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trend_ticks_and_big_font_legend_in_chromium(server, browser, size):  # noqa: F811
    """总览的趋势图：日期刻度不多于 8 个、水平；投影大字号的县区进度：10 个单位的图例不出滚动条。"""
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", device_scale_factor=1)
    page = ctx.new_page()
    try:
        sign_in(page, server, OFFICE_USER)
        _wait_idle(page)
        trend = _chart_titled(page, "整改率、销号率随时间变化")
        ticks = trend.evaluate(XTICKS_JS)
        assert 2 <= len(ticks) <= 8, ticks
        assert not any("rotate" in t for _, t in ticks), ticks
        assert all(re.fullmatch(r"\d\d-\d\d", label) for label, _ in ticks), ticks
        page.screenshot(path=str(SHOTS / f"chrome_trend_{size[0]}x{size[1]}.png"))

        page.goto(server + "/unit_progress?big=1", wait_until="domcontentloaded")
        page.wait_for_timeout(800)
        _wait_idle(page, timeout=60)
        unit_trend = _chart_titled(page, "各单位整改率趋势")
        names = unit_trend.locator(".legend .traces").count()
        assert names >= 8, names
        assert not unit_trend.evaluate(LEGEND_SCROLLS_JS)
        page.screenshot(path=str(SHOTS / f"chrome_unit_trend_big_{size[0]}x{size[1]}.png"))
    finally:
        ctx.close()
