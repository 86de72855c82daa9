"""在 Chromium 里量两张宽表（1366×768 会议投影，普通与投影大字号）：县区进度表、数据管理的导入问题记录。
每种列的组合（县区进度的三组列（评分与整改 / 问题整改 / 线索与报送），导入问题记录的“显示工作表、行号、列、原值”开关）都整张放得下：
表格不伸出右边、表内没有要左右滚动才看得到的列（滚动条只在悬停时出现，会议上没人看得见）；各组合合起来显示表的每一列。
截图：build/screenshots/wide_<页面>_<宽>[_big].png。"""
from __future__ import annotations

import pytest
from playwright import sync_api  # noqa: F401 — 没有 playwright 时 test_browser 已跳过整个模块

from tests.test_browser import (  # noqa: F401 — browser、sample_db、server 是 pytest fixture
    SHOTS,
    _wait_idle,
    browser,
    each_page,
    sample_db,
    server,
    signed_in_page,
)
from tests.test_chart_overlap_browser import _page_screenshot

UNIT_COLUMNS = {"单位", "状态", "滞后评分", "扣分项", "整改率", "逾期问题", "台账报送", "线索按时办结率", "反馈率",
                "查摆问题数", "销号率", "反弹问题", "超期未办结线索", "备注"}
ERROR_COLUMNS = {"级别", "单位", "文件", "工作表", "行号", "列", "原值", "说明"}

# 有某个列名的那张表：外框、表内滚动区的内容宽与可见宽、表头里的列名（表格只为看得见的列生成表头）
TABLE_JS = """(header) => {
  const frame = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .find(t => [...t.querySelectorAll('th')].some(th => th.textContent.trim() === header));
  if (!frame) return null;
  const r = frame.getBoundingClientRect(), scroller = frame.querySelector('.dvn-scroller');
  return {left: r.left, right: r.right, viewport: innerWidth,
          content: scroller.scrollWidth, visible: scroller.clientWidth,
          headers: [...frame.querySelectorAll('th')].map(th => th.textContent.trim())};
}"""


def table_problems(t: dict | None, what: str) -> list:
    if t is None:
        return [(what, "没有找到表格")]
    out = []
    if t["right"] > t["viewport"] + 0.5:
        out.append((what, "表格伸出屏幕右边", t["right"], t["viewport"]))
    if t["content"] > t["visible"] + 1:
        out.append((what, "有列在右边要左右滚动才看得到", t["content"], t["visible"], t["headers"]))
    return out


def test_table_problems_on_hand_made_boxes():
    fits = dict(left=380, right=1286, viewport=1366, content=904, visible=904, headers=["单位"])
    assert table_problems(fits, "甲") == []
    assert [p[1] for p in table_problems(fits | dict(content=1810), "甲")] == ["有列在右边要左右滚动才看得到"]
    assert [p[1] for p in table_problems(fits | dict(right=1400), "甲")] == ["表格伸出屏幕右边"]
    assert table_problems(None, "甲") == [("甲", "没有找到表格")]


@pytest.mark.parametrize("width,height,big", [(1366, 768, False), (1366, 768, True), (1920, 1080, False)],
                         ids=["1366", "1366-big", "1920"])
def test_unit_progress_table_fits_in_each_column_view(server, browser, width, height, big):  # noqa: F811
    with signed_in_page(browser, server, width, height) as page:
        for _ in each_page(page, server, [("县区进度", "/unit_progress")], '[data-testid="stDataFrame"]', big):
            pass
        suffix = f"{width}{'_big' if big else ''}"
        first = page.evaluate(TABLE_JS, "单位")
        assert not (problems := table_problems(first, "县区进度表")), problems
        _page_screenshot(page, f"wide_unit_progress_{suffix}.png", width, height)
        seen = set(first["headers"])
        views = page.locator('[data-testid="stButtonGroup"]', has_text="表格显示的列").locator('button[role="radio"]')
        names = [n.strip() for n in views.all_inner_texts()]
        assert len(names) == 3, names
        shown = first["headers"]
        for i, name in enumerate(names[1:], start=1):
            views.nth(i).click()
            page.wait_for_function(f"(before) => {{ const t = ({TABLE_JS})('单位'); "
                                   "return t && t.headers.join() !== before.join(); }", arg=shown)   # 换了一组列
            _wait_idle(page)
            t = page.evaluate(TABLE_JS, "单位")
            assert not (problems := table_problems(t, f"县区进度表（{name}）")), problems
            seen |= set(shown := t["headers"])
            _page_screenshot(page, f"wide_unit_progress_{i}_{suffix}.png", width, height)
        assert seen == UNIT_COLUMNS


@pytest.mark.parametrize("width,height,big", [(1366, 768, False), (1366, 768, True), (1920, 1080, False)],
                         ids=["1366", "1366-big", "1920"])
def test_load_error_table_fits_with_and_without_the_detail_columns(server, browser, width, height, big):  # noqa: F811
    with signed_in_page(browser, server, width, height) as page:
        for _ in each_page(page, server, [("数据管理", "/data_admin")], '[data-testid="stDataFrame"]', big):
            pass
        plain = page.evaluate(TABLE_JS, "说明")
        assert not (problems := table_problems(plain, "导入问题记录")), problems
        suffix = f"{width}{'_big' if big else ''}"
        _page_screenshot(page, f"wide_data_admin_{suffix}.png", width, height)
        page.get_by_text("显示工作表、行号、列、原值").click()
        page.wait_for_function(f"() => ({TABLE_JS})('原值') !== null")
        _wait_idle(page)
        detail = page.evaluate(TABLE_JS, "原值")
        _page_screenshot(page, f"wide_data_admin_detail_{suffix}.png", width, height)
        assert not (problems := table_problems(detail, "导入问题记录（含工作表、行号、列、原值）")), problems
        assert set(plain["headers"]) | set(detail["headers"]) == ERROR_COLUMNS
