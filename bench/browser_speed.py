"""浏览器首图时间：无头 Chromium 里每个页面从导航开始（page.goto 该页地址）到第一个图表画出来的时间。

像浏览器测试那样启动看板（`python -m dashboard.serve`，临时状态库里建一个专班账号，Debian 的 /usr/bin/chromium，
启动参数同 tests/test_browser.py），经登录表单登录一次（cookie 里的令牌让之后每次打开地址仍是登录状态），
然后逐页打开导航里的每个页面 N 次。时间在页面里量：标记第一次出现时的 performance.now()，
即从这次导航开始（新文档的 timeOrigin）算起的毫秒数，每个动画帧检查一次（polling="raf"）。
每页的标记（MARKERS）：图表 = 第一个 Plotly 图（.js-plotly-plot / stPlotlyChart）里有了有尺寸的 svg 或 canvas；
表格 = 第一个 st.dataframe 的 canvas；
结构列表 = 数据探索左栏的数据库结构（每表一个折叠框，表格收在里面，要点开才画）；幻灯片 = 会议模式第一页的版面（st.html 里的 .mt）。
每页第一次打开时服务器的查询缓存是冷的，单独列为“首次”；中位数、最小、最大取全部 N 次。目标：示例库中位数 ≤ 1.5 秒。
“站内切换”另量 N 次：已在看板里（另一页已画好），点侧栏导航里这一页的链接到标记出现的毫秒数。这是开会时逐页翻看的情形：
浏览器不重新加载 Streamlit 和 plotly 的脚本，只等服务器跑这一页的脚本、送来元素、画图。出发页选标记种类不同的一页
（ORIGIN），等它画好、且目标页的标记不在页面上，才点链接。

    .venv/bin/python -m bench.browser_speed [--db PATH] [--runs 5] [--pages 总览,县区进度] [--json OUT] [--before DIR]

不给 --db 时用 `python -m etl build-sample` 在临时目录生成示例数据库。
--before DIR：同一次运行里并排量改动前后。DIR 是旧版本的项目副本（如 `git archive <rev> | tar -x -C DIR`），
从它再启动一个看板（同一个数据库、本项目的 .venv）；两个看板在同一个浏览器里逐次交替打开同一页，机器上别的负载
对前后两边的影响相同（这台 2 核机器上同一版本两次运行的中位数可差几百毫秒，分开两次运行比不出前后）。
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, _free_port, _wait_healthy, sign_in  # noqa: E402
from tests.test_browser import stop_server as stop  # noqa: E402

GOAL_MS = 1500
IN_APP = ":站内"
USER, PASSWORD = "bench-office", "Bench-browser-2026"

# （导航标签, 地址, 标记）— 与 app.py 的导航同序；用户管理、操作日志不在 issue 13 的范围内
PAGES = [
    ("总览", "/", "图表"), ("会议模式", "/meeting", "幻灯片"), ("县区进度", "/unit_progress", "图表"),
    ("县区地图", "/county_map", "图表"), ("问题热点", "/hotspots", "图表"), ("反弹问题", "/relapse", "图表"),
    ("满意度", "/satisfaction", "图表"), ("线索办理", "/leads", "图表"), ("督办", "/supervision", "表格"),
    ("数据探索", "/explore", "结构列表"), ("数据管理", "/data_admin", "图表"),
]

_SIZED = "const sized = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };"
MARKERS = {
    "图表": _SIZED + """return [...document.querySelectorAll('.js-plotly-plot, [data-testid="stPlotlyChart"]')]
        .some(p => [...p.querySelectorAll('svg.main-svg, canvas')].some(sized));""",
    "表格": _SIZED + """return [...document.querySelectorAll('[data-testid="stDataFrame"] canvas, [data-testid="stTable"] table')]
        .some(sized);""",
    "结构列表": _SIZED + """return [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stExpander"]')]
        .some(sized);""",
    "幻灯片": _SIZED + """return [...document.querySelectorAll('[data-testid="stHtml"] .mt')].some(sized);""",
}


# 站内切换的出发页：标记种类不同，目标页的标记才不会是出发页留下的
ORIGIN = {"图表": "督办", "表格": "会议模式", "幻灯片": "督办", "结构列表": "会议模式"}


def sample_db(tmp: Path) -> Path:
    db = tmp / "dashboard.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build-sample", "--db", str(db), "--quiet"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return db


def start_server(db: Path, tmp: Path, root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """root 目录里的看板（同 tests/test_browser.start_server）：空闲端口、tmp 里的临时状态库里一个专班账号。"""
    from state import accounts
    from state.store import open_store

    state_url = f"sqlite:///{tmp / 'state.db'}"
    accounts.add_account(open_store(state_url), USER, "office", password=PASSWORD, actor="基准")
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", DASHBOARD_DB=str(db), DASHBOARD_STATE_URL=state_url)
    log = tmp / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard.serve", "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
    except Exception:
        stop(proc)
        raise
    return proc, url


class NoMarker(Exception):
    """这一页没有出现标记（页面出错，或这份数据下没有图表，例如没有配置县区地图）。"""


def _seen(marker: str) -> str:
    return "() => { " + MARKERS[marker] + " }"


def _marker_time(marker: str) -> str:
    """JS: performance.now() once the marker is seen, -1 when the page shows an exception, else null (wait on)."""
    return ("() => { if (document.querySelector('[data-testid=\"stException\"]')) return -1;"
            f" return ({_seen(marker)})() ? performance.now() : null; }}")


def first_marker_ms(page, url: str, marker: str, timeout_ms: int = 30_000) -> float:
    """打开 url，返回标记第一次出现时页面的 performance.now()（从这次导航开始算的毫秒）。"""
    page.goto("about:blank")  # the previous page's Streamlit session closes before the timed navigation
    page.goto(url, wait_until="commit")
    try:
        ms = float(page.wait_for_function(_marker_time(marker), polling="raf", timeout=timeout_ms).json_value())
        if ms >= 0:
            return ms
        raise NoMarker("页面出错（异常见下面的看板日志）")
    except PlaywrightTimeout:
        shot = ROOT / "build" / "screenshots" / f"browser_speed_{url.rsplit('/', 1)[-1] or 'overview'}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        raise NoMarker(f"{timeout_ms / 1000:g} 秒内没有出现{marker}（截图 {shot.relative_to(ROOT)}）") from None


def _nav_link(page, label: str):
    """侧栏导航里这一页的链接（链接文字前还有图标名，按结尾匹配）。"""
    return page.locator('[data-testid="stSidebarNav"] a').filter(has_text=re.compile(re.escape(label) + r"\s*$")).first


def in_app_ms(page, label: str, marker: str, timeout_ms: int = 30_000) -> float:
    """从出发页点侧栏链接切到这一页，到标记出现的毫秒数（同一文档里的 performance.now() 之差）。"""
    origin = ORIGIN[marker]
    origin_marker = next(m for lab, _, m in PAGES if lab == origin)
    # dispatch_event: Playwright's click waited in vain for these links to count as visible (30 s timeouts)
    _nav_link(page, origin).dispatch_event("click")
    try:
        page.wait_for_function(f"() => ({_seen(origin_marker)})() && !({_seen(marker)})()", polling="raf",
                               timeout=timeout_ms)
        start = float(page.evaluate("() => performance.now()"))
        _nav_link(page, label).dispatch_event("click")
        end = float(page.wait_for_function(_marker_time(marker), polling="raf", timeout=timeout_ms).json_value())
    except PlaywrightTimeout:
        raise NoMarker(f"站内切换：从“{origin}”切到这一页，{timeout_ms / 1000:g} 秒内没有出现{marker}") from None
    if end < 0:
        raise NoMarker("站内切换：页面出错（异常见下面的看板日志）")
    return end - start


def measure(servers: dict[str, str], runs: int, only: list[str] | None = None
            ) -> tuple[dict[str, dict[str, list[float]]], dict[str, str]]:
    """每个看板（名称 → 地址）每页 runs 次打开的毫秒数，键为导航标签；站内切换的毫秒数键为“标签:站内”。
    几个看板时每次轮流、先后次序逐次交替。没有出现标记的页面不再重复，原因记在第二个字典里。"""
    from playwright.sync_api import sync_playwright

    times: dict[str, dict[str, list[float]]] = {name: {} for name in servers}
    missing: dict[str, str] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pages = {}
            for name, server in servers.items():
                page = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
                sign_in(page, server, USER, PASSWORD)
                # the sign-in token reaches the cookie on the run after signing in; every timed page load needs it
                page.wait_for_function("() => document.cookie.includes('dashboard_session=')", timeout=30_000)
                pages[name] = page
            for label, path, marker in PAGES:
                if only and label not in only:
                    continue
                try:
                    for name in servers:
                        times[name][label] = []
                        times[name][label + IN_APP] = []
                    for run in range(runs):
                        for name in (list(servers) if run % 2 == 0 else list(servers)[::-1]):
                            times[name][label].append(first_marker_ms(pages[name], servers[name] + path, marker))
                    for run in range(runs):
                        for name in (list(servers) if run % 2 == 0 else list(servers)[::-1]):
                            times[name][label + IN_APP].append(in_app_ms(pages[name], label, marker))
                    for name in servers:
                        print(f"  {label}{'（' + name + '）' if len(servers) > 1 else ''}："
                              + "、".join(f"{t:.0f}" for t in times[name][label]) + " ms；站内切换 "
                              + "、".join(f"{t:.0f}" for t in times[name][label + IN_APP]) + " ms", file=sys.stderr)
                except NoMarker as e:
                    missing[label] = str(e)
                    for name in servers:
                        times[name].pop(label, None)
                        times[name].pop(label + IN_APP, None)
                    print(f"  {label}：{e}", file=sys.stderr)
        finally:
            browser.close()
    return times, missing


def summary(times: dict[str, list[float]], missing: dict[str, str]) -> list[dict]:
    """每页一行，导航顺序：首次、中位数、最小、最大（毫秒），或没有出现标记的原因。"""
    rows = []
    for label, _, marker in PAGES:
        ts = times.get(label)
        if not ts and label not in missing:
            continue
        if not ts:
            rows.append({"page": label, "marker": marker, "missing": missing[label]})
            continue
        nav = times[label + IN_APP]
        rows.append({"page": label, "marker": marker, "first_ms": round(ts[0]), "median_ms": round(statistics.median(ts)),
                     "min_ms": round(min(ts)), "max_ms": round(max(ts)), "runs_ms": [round(t) for t in ts],
                     "in_app_median_ms": round(statistics.median(nav)), "in_app_runs_ms": [round(t) for t in nav]})
    return rows


def _pad(text: str, width: int) -> str:
    """左对齐到 width 个显示列（汉字占两列）。"""
    return text + " " * max(0, width - sum(2 if ord(c) > 0x2E80 else 1 for c in text))


def print_table(rows: list[dict], db_label: str, runs: int) -> None:
    print(f"\n浏览器首图时间（无头 Chromium，每页 {runs} 次，毫秒，数据库：{db_label}；目标中位数 ≤ {GOAL_MS} ms）")
    print(_pad("页面", 10) + _pad("标记", 10) + "".join(f"{h:>8}" for h in ("首次", "中位数", "最小", "最大", "站内切换")))
    for r in rows:
        if "missing" in r:
            print(_pad(r["page"], 10) + _pad(r["marker"], 10) + "  —  " + r["missing"])
            continue
        flag = "" if r["median_ms"] <= GOAL_MS else "  超过目标"
        print(_pad(r["page"], 10) + _pad(r["marker"], 10)
              + "".join(f"{r[k]:>10}" for k in ("first_ms", "median_ms", "min_ms", "max_ms", "in_app_median_ms")) + flag)


def print_before_after(before: list[dict], after: list[dict], db_label: str, runs: int, before_dir: Path) -> None:
    print(f"\n浏览器首图时间，改动前后（无头 Chromium，每页每边 {runs} 次、交替打开，毫秒，数据库：{db_label}；"
          f"前 = {before_dir}，后 = {ROOT}；目标中位数 ≤ {GOAL_MS} ms）")
    print(_pad("页面", 10) + "".join(f"{h:>10}" for h in ("前中位数", "后中位数", "变化", "前站内", "后站内"))
          + "   后：最小–最大")
    old = {r["page"]: r for r in before}
    for r in after:
        b = old.get(r["page"], {})
        if "missing" in r or "median_ms" not in b:
            print(_pad(r["page"], 10) + "  —  " + (r.get("missing") or b.get("missing") or "前一版没有这一页"))
            continue
        flag = "" if r["median_ms"] <= GOAL_MS else "  超过目标"
        print(_pad(r["page"], 10) + f"{b['median_ms']:>12}{r['median_ms']:>12}{r['median_ms'] - b['median_ms']:>+10}"
              + f"{b['in_app_median_ms']:>12}{r['in_app_median_ms']:>12}   {r['min_ms']}–{r['max_ms']}" + flag)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="浏览器首图时间（无头 Chromium）")
    ap.add_argument("--db", type=Path, help="看板数据库（默认：临时目录里生成的示例数据库）")
    ap.add_argument("--runs", type=int, default=5, help="每页打开次数（默认 5）")
    ap.add_argument("--pages", type=lambda v: v.split(","), help="只量这些页面（导航标签，逗号分隔）")
    ap.add_argument("--json", type=Path, metavar="OUT", help="另把结果写成 JSON")
    ap.add_argument("--before", type=Path, metavar="DIR", help="旧版本的项目副本：同一次运行里并排量改动前后")
    args = ap.parse_args(argv)
    if args.db is not None and not args.db.exists():
        print(f"错误：没有数据库 {args.db}", file=sys.stderr)
        return 2
    if args.before is not None and not (args.before / "app.py").exists():
        print(f"错误：{args.before} 里没有 app.py（应是旧版本的项目副本）", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="browser_speed_") as tmp_name:
        tmp = Path(tmp_name)
        db = args.db.resolve() if args.db else sample_db(tmp)
        roots = {"后": ROOT, "前": args.before.resolve()} if args.before else {"": ROOT}
        procs, servers = [], {}
        try:
            for name, root in roots.items():
                (tmp / (name or "dash")).mkdir()
                proc, servers[name] = start_server(db, tmp / (name or "dash"), root)
                procs.append(proc)
            times, missing = measure(servers, args.runs, args.pages)
            rows = {name: summary(times[name], missing) for name in servers}
            if any(why.startswith("页面出错") for why in missing.values()):  # the page shows a redacted message
                print("看板日志里的异常：\n" + "\n".join(sorted({line for log in tmp.glob("*/streamlit.log") for line
                      in log.read_text(errors="replace").splitlines()
                      if re.match(r"^[\w.]+(Error|Exception)\b", line)})), file=sys.stderr)
        except Exception:
            for log in tmp.glob("*/streamlit.log"):
                print(f"看板日志（{log.parent.name}，末尾）：\n" + "\n".join(log.read_text(errors="replace")
                                                                      .splitlines()[-25:]), file=sys.stderr)
            raise
        finally:
            for proc in procs:
                stop(proc)
    label = str(args.db) if args.db else "示例（etl build-sample）"
    if args.before:
        print_before_after(rows["前"], rows["后"], label, args.runs, args.before)
    else:
        print_table(rows[""], label, args.runs)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = {"db": label, "runs": args.runs, "goal_ms": GOAL_MS, "pages": rows["后" if args.before else ""]}
        if args.before:
            out["before"] = {"dir": str(args.before), "pages": rows["前"]}
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
