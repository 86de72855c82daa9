"""页面基准：每个页面执行的查询 + 构造 Plotly 图表的耗时（不经过 streamlit，也不经过查询缓存）。

每页调用该页的数据函数（analytics/page_data/，与页面同一批函数，查询经 QueryRunner、不经缓存），
再构造该页的 dashboard/charts/ 图表；每页重复 N 次取中位数，示例库和大规模库并排打印。目标（含侧栏）：示例库每页 < 300 ms，
3000 个单位、100 万条线索的库每页 < 300 ms。

    .venv/bin/python -m bench.page_speed [--repeat 7] [--sample DB] [--large DB] [--detail] [--before-after]

--before-after 把每个库复制两份（不用 / 用预计算表），同一次运行里并排打印前后；--before-rev REV 另让“前”
用 git 版本 REV 的 views.sql 与 queries/（预计算之前的代码，例如 a78b631~1），即真正的改动前后。

--detail 另外列出每页中每个查询、数据计算（py:）、图表的中位耗时，用来找出慢的查询。
大规模库由 `python -m bench.import_speed` 生成（build/bench/bench.duckdb）。
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics import comparison  # noqa: E402
from analytics.page_data import data_admin, drill, overview, unit_progress  # noqa: E402
from analytics.page_data import hotspots as hotspot_data  # noqa: E402
from analytics.page_data import leads as leads_data  # noqa: E402
from analytics.page_data import relapse as relapse_data  # noqa: E402
from analytics.page_data import satisfaction as satisfaction_data  # noqa: E402
from dashboard import db, filters, sql_console, upload  # noqa: E402
from dashboard.charts import hotspots, leads, progress, relapse, satisfaction, submissions  # noqa: E402
from dashboard.charts.base import style  # noqa: E402
from dashboard.db import QueryRunner  # noqa: E402

SAMPLE_DB = ROOT / "data" / "db" / "dashboard.duckdb"
LARGE_DB = ROOT / "build" / "bench" / "bench.duckdb"
SAMPLE_BUDGET_MS = 300
LARGE_BUDGET_MS = 300     # issue 13: every page under 300 ms at national scale, sidebar included


# 计时用的钟：默认墙钟；--cpu 改用本进程的 CPU 时间（含 DuckDB 的线程），机器被别的进程占满时更能反映本页的服务器工作量。
clock = time.perf_counter


class Ctx:
    """一次页面运行的上下文：执行查询、页面数据函数、构造图表，并按步骤记录耗时。"""

    def __init__(self, runner: QueryRunner, f: filters.Filters):
        self.runner, self.f = runner, f
        self.steps: dict[str, float] = {}
        self._query_time = 0.0

    def _record(self, label: str, dt: float) -> None:
        while label in self.steps:
            label += "′"
        self.steps[label] = dt

    def _timed(self, label: str, fn: Callable):
        t0 = clock()
        out = fn()
        self._record(label, clock() - t0)
        return out

    def q(self, name: str, **params):
        """页面数据函数的 run：执行查询并记下耗时。"""
        t0 = clock()
        out = self.runner.run(name, **params)
        dt = clock() - t0
        self._query_time += dt
        self._record(name, dt)
        return out

    def data(self, fn: Callable, *args, **kw):
        """调用页面数据函数 fn(run, f, *args, **kw)；查询各记一步，其余（pandas 计算）记为 py:<函数名>。"""
        q0, t0 = self._query_time, clock()
        out = fn(self.q, self.f, *args, **kw)
        self._record("py:" + fn.__name__, clock() - t0 - (self._query_time - q0))
        return out

    def fig(self, label: str, fn: Callable, data=None):
        """ui.chart 的做法：数据为空时不画图；否则构造图表并套用 charts.base.style。"""
        if data is not None and data.empty:
            return None
        return self._timed("图:" + label, lambda: style(fn(), big=self.f.big))

    def py(self, label: str, fn: Callable):
        return self._timed("py:" + label, fn)


# ------------------------------------------------------------------ pages: page data (analytics/page_data) + charts
def page_sidebar(c: Ctx) -> None:
    """app.py 的侧栏筛选（每个页面都会先跑一遍）。"""
    cid = c.f.campaign_id
    c.q("campaigns")
    c.q("snapshot_dates", campaign_id=cid)
    c.q("units", campaign_id=cid)
    c.q("category_options", campaign_id=cid)
    c.q("channel_options", campaign_id=cid)


def page_overview(c: Ctx) -> None:
    f, d = c.f, c.data(overview.overview_data)
    c.fig("stage_timeline", lambda: progress.stage_timeline(d.stages, f.as_of, d.next_due), d.stages)
    c.fig("completion_trend", lambda: progress.completion_trend(d.trend), d.trend)
    if d.show_lagging_chart:
        c.fig("lagging_bar", lambda: progress.lagging_bar(d.lagging, top=overview.LAGGING_TOP), d.lagging)


def page_unit_progress(c: Ctx) -> None:
    d = c.data(unit_progress.unit_progress_data)
    if d.units.empty:
        return
    c.fig("unit_rates", lambda: progress.unit_rates(d.units), d.with_problems)
    c.fig("unit_trend", lambda: progress.unit_trend(d.trend, d.trend_note), d.trend)
    if not d.detail_unit_ids:
        return
    detail = c.data(unit_progress.unit_detail, d.detail_unit_ids[0])   # 选择框默认第一个单位
    c.fig("status_history", lambda: progress.status_history(detail.history), detail.history)


def page_hotspots(c: Ctx) -> None:
    d = c.data(hotspot_data.hotspots_data)
    c.fig("category_unit_heatmap", lambda: hotspots.category_unit_heatmap(d.matrix, share=False), d.matrix)
    c.fig("pareto", lambda: hotspots.pareto(d.pareto), d.pareto)
    c.fig("channel_mix", lambda: hotspots.channel_mix(d.channels), d.channels)
    # 问题清单：页面（pages/hotspots.py）用下钻清单 drill_problems，选择框默认“不限”即全部问题，显示前 SHOW_ROWS 行
    c.data(drill.drill_list, drill.Measure("problems", "problems", "热点问题清单（全部）"), limit=drill.SHOW_ROWS)


def page_relapse(c: Ctx) -> None:
    d = c.data(relapse_data.relapse_data)
    c.fig("relapse_by_unit", lambda: relapse.relapse_by_unit(d.counts), d.counts)
    c.fig("relapse_by_category", lambda: relapse.relapse_by_category(d.counts), d.counts)
    c.fig("relapse_trend", lambda: relapse.relapse_trend(d.trend), d.trend_shown)


def page_satisfaction(c: Ctx) -> None:
    years = c.data(satisfaction_data.survey_years)
    if not years.years:
        return
    d = c.data(satisfaction_data.satisfaction_data, years.years[0])   # 默认最近一次测评
    if d is None:
        return
    c.fig("satisfaction_ranking", lambda: satisfaction.satisfaction_ranking(d.charted, d.low_below), d.ranking)
    c.fig("satisfaction_heatmap",
          lambda: satisfaction.satisfaction_heatmap(d.dimensions_charted, d.dimension_order), d.dimensions)
    if d.multi_year:
        c.fig("satisfaction_yoy", lambda: satisfaction.satisfaction_yoy(d.yoy_charted), d.yoy)


def page_leads(c: Ctx) -> None:
    f, d = c.f, c.data(leads_data.leads_data)
    if d.empty:
        return
    c.fig("leads_funnel", lambda: leads.leads_funnel(d.funnel), d.funnel)
    c.fig("channel_mix", lambda: leads.channel_mix(d.channels), d.channels)
    c.fig("ontime_by_unit", lambda: leads.ontime_by_unit(d.by_unit, f.min_items, top=leads_data.ONTIME_TOP_UNITS),
          d.ontime_shown)
    if d.overdue is not None:
        c.fig("overdue_age", lambda: leads.overdue_age(d.overdue.by_unit, top=leads_data.OD_TOP_UNITS),
              d.overdue.by_unit)


def page_explore(c: Ctx) -> None:
    c.py("schema", lambda: sql_console.schema(c.runner.path))
    c.py("saved_queries", lambda: [sql_console.saved_query_title(n) for n in sql_console.saved_queries()])


def page_data_admin(c: Ctx) -> None:
    c.py("list_uploads", lambda: upload.list_uploads(c.f.campaign_id))
    c.q("load_errors_list", campaign_id=c.f.campaign_id)               # 已上传文件的读取问题
    d = c.data(data_admin.data_admin_data)
    c.fig("ledger_report_grid", lambda: submissions.report_grid(d.grid), d.grid)


PAGES: list[tuple[str, str, Callable[[Ctx], None]]] = [
    ("sidebar", "侧栏筛选（每页都跑）", page_sidebar),
    ("overview", "总览", page_overview),
    ("unit_progress", "县区进度", page_unit_progress),
    ("hotspots", "问题热点", page_hotspots),
    ("relapse", "反弹问题", page_relapse),
    ("satisfaction", "满意度", page_satisfaction),
    ("leads", "线索办理", page_leads),
    ("explore", "数据探索", page_explore),
    ("data_admin", "数据管理", page_data_admin),
]


# ------------------------------------------------------------------ driver
def default_filters(runner: QueryRunner, campaign_id: str | None = None) -> filters.Filters:
    """与 filters.sidebar() 的默认值相同：第一个专项整治、最近一期统计日、不筛选。"""
    camps = runner.run("campaigns")
    if camps.empty:
        raise SystemExit(f"{runner.path} 中没有专项整治数据")
    cid = campaign_id or camps["campaign_id"].iloc[0]
    camp = camps[camps["campaign_id"] == cid].iloc[0].to_dict()
    snaps = [db.to_date(v) for v in runner.run("snapshot_dates", campaign_id=cid)["as_of_date"]]
    snaps = [d for d in snaps if d is not None]
    if not snaps:
        raise SystemExit(f"{runner.path} 中专项整治 {cid} 没有台账快照")
    as_of = snaps[-1]
    units = runner.run("units", campaign_id=cid)
    return filters.Filters(
        campaign_id=cid, as_of=as_of, prev_as_of=comparison.previous_date(camp, as_of, snaps),
        campaign=camp, unit_names=dict(zip(units["unit_id"], units["name"], strict=True)),
        snapshot_dates=tuple(snaps))


def bench_dbs(paths: list[Path], repeat: int,
              queries_dirs: list[Path | None] | None = None) -> list[tuple[filters.Filters, dict, dict]]:
    """每个库 → (筛选, {页面: 中位毫秒}, {页面: {步骤: 中位毫秒}})。各库轮流跑（每轮每库一遍），
    机器忙闲的起伏落在每个库上都一样，前后对比才公平。queries_dirs：各库用的 queries/ 目录（None = 本仓库的）。"""
    dirs = queries_dirs or [None] * len(paths)
    runners = [QueryRunner(p, queries_dir=d) if d else QueryRunner(p) for p, d in zip(paths, dirs, strict=True)]
    try:
        fs = [default_filters(r) for r in runners]      # 也打开了根连接（页面里由 st.cache_resource 缓存）
        totals = [defaultdict(list) for _ in paths]
        steps = [defaultdict(lambda: defaultdict(list)) for _ in paths]
        for _ in range(repeat):
            for i, (runner, f) in enumerate(zip(runners, fs, strict=True)):
                for key, _label, fn in PAGES:
                    c = Ctx(runner, f)
                    t0 = clock()
                    fn(c)
                    totals[i][key].append((clock() - t0) * 1000)
                    for s, dt in c.steps.items():
                        steps[i][key][s].append(dt * 1000)
        return [(f, {k: statistics.median(v) for k, v in tot.items()},
                 {k: {s: statistics.median(v) for s, v in d.items()} for k, d in st.items()})
                for f, tot, st in zip(fs, totals, steps, strict=True)]
    finally:
        for r in runners:
            r.close()


def bench_db(path: Path, repeat: int) -> tuple[filters.Filters, dict, dict]:
    """→ (筛选, {页面: 中位毫秒}, {页面: {步骤: 中位毫秒}})"""
    return bench_dbs([path], repeat)[0]


# ------------------------------------------------------------------ with / without the precomputed tables
SQL_DIR = ROOT / "etl" / "sql"
SCHEMA_SQL = ROOT / "etl" / "schema.sql"
PRECOMPUTED_TABLES = ("problem_periods", "repeat_complainant_keys", "repeat_complainant_leads", "survey_response_scores",
                      "survey_unit_year_scores", "survey_dimension_scores", "lead_unit_periods",
                      "lead_overdue_spans")


def _precomputed_tables_sql() -> str:
    """schema.sql's CREATE TABLE statements of the precomputed tables, as IF NOT EXISTS (older databases)."""
    statements = (SCHEMA_SQL.read_text(encoding="utf-8")).split(";")
    return ";\n".join(re.sub(r"CREATE TABLE (\w+)", r"CREATE TABLE IF NOT EXISTS \1", st) for st in statements
                       if re.search(r"CREATE TABLE (" + "|".join(PRECOMPUTED_TABLES) + r")\b", st))


def _or_replace(sql: str) -> str:
    """views.sql again over an existing database: its macros and views replace the ones there."""
    return re.sub(r"^CREATE (MACRO|VIEW) ", r"CREATE OR REPLACE \1 ", sql, flags=re.M)


def db_variant(source: Path, target: Path, precomputed: bool, views_sql: str | None = None) -> Path:
    """A copy of source with this tree's views.sql and precompute.sql applied (what a build writes now), or
    for the "before" side the as-of macros as views.sql (or views_sql, an earlier revision's) defines them —
    windows over all snapshots — and no rows in the precomputed tables (the queries then count from the base tables). Lets one run time both on the same data, also on
    a database built before precompute.sql existed."""
    import duckdb

    target.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    con = duckdb.connect(str(target))
    try:
        con.execute(_precomputed_tables_sql())
        con.execute(_or_replace((SQL_DIR / "views.sql").read_text(encoding="utf-8")))
        con.execute((SQL_DIR / "precompute.sql").read_text(encoding="utf-8"))
        if not precomputed:     # the macros back to computing from the base tables (the tables stay, unread)
            con.execute(_or_replace(views_sql or (SQL_DIR / "views.sql").read_text(encoding="utf-8")))
            for table in PRECOMPUTED_TABLES:   # queries count from the base tables when these are empty
                con.execute(f"DELETE FROM {table}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return target


def files_at(rev: str, folder: str) -> dict[str, str]:
    """{file name: text} of a folder at a git revision (the "before" side of --before-rev)."""
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{rev}:{folder}"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    return {n: subprocess.run(["git", "show", f"{rev}:{folder}/{n}"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout for n in names}


def queries_at(rev: str, target: Path) -> Path:
    """This tree's queries/ with every file that existed at rev replaced by its text there."""
    shutil.copytree(ROOT / "queries", target)
    for name, text in files_at(rev, "queries").items():
        (target / name).write_text(text, encoding="utf-8")
    return target


def pad(text: str, width: int, right: bool = False) -> str:
    """按显示宽度（汉字算 2）补空格，让中英文混排的表格对齐。"""
    w = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    fill = " " * max(0, width - w)
    return fill + text if right else text + fill


def db_size(path: Path) -> str:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        n_units = con.execute("SELECT count(*) FROM units").fetchone()[0]
        n_leads = con.execute("SELECT count(*) FROM leads").fetchone()[0]
        n_snap = con.execute("SELECT count(*) FROM ledger_snapshots").fetchone()[0]
    finally:
        con.close()
    return f"{n_units:,} 个单位、{n_leads:,} 条线索、{n_snap:,} 条台账快照行"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="看板各页面的查询 + 图表构造耗时（中位数，毫秒）")
    ap.add_argument("--repeat", "-n", type=int, default=7, help="每页重复次数（默认 7）")
    ap.add_argument("--sample", type=Path, default=SAMPLE_DB, help="示例库（默认 data/db/dashboard.duckdb）")
    ap.add_argument("--large", type=Path, default=LARGE_DB, help="大规模库（默认 build/bench/bench.duckdb）")
    ap.add_argument("--detail", action="store_true", help="列出每个查询/图表的中位耗时")
    ap.add_argument("--strict", action="store_true", help="有页面超出目标时退出码为 1")
    ap.add_argument("--before-after", action="store_true",
                    help="每个库测两遍并排打印：不用预计算表（views.sql 的窗口定义）与用预计算表（precompute.sql）")
    ap.add_argument("--before-rev", metavar="REV",
                    help="同 --before-after，且“前”用 git 版本 REV 的 views.sql 与 queries/（例如预计算之前的提交）")
    ap.add_argument("--cpu", action="store_true", help="按本进程 CPU 时间计（机器繁忙时用；DuckDB 多线程时可能大于墙钟）")
    args = ap.parse_args(argv)
    global clock
    clock = time.process_time if args.cpu else time.perf_counter

    if not args.sample.exists():
        print(f"示例库 {args.sample} 不存在：先运行 .venv/bin/python -m etl build-sample --db {args.sample}")
        return 2
    dbs = [("示例库", args.sample, SAMPLE_BUDGET_MS)]
    if args.large.exists():
        dbs.append(("大规模库", args.large, LARGE_BUDGET_MS))
    else:
        print(f"大规模库 {args.large} 不存在，只测示例库。生成方法：.venv/bin/python -m bench.import_speed"
              "（生成 3000 个单位、100 万条线索并导入到 build/bench/bench.duckdb）。\n")

    with tempfile.TemporaryDirectory(prefix="page_speed-", dir=ROOT / "build") as tmp:
        dirs: list[Path | None] = [None] * len(dbs)
        if args.before_after or args.before_rev:   # same data, timed without and with the precomputed tables
            views_before = files_at(args.before_rev, "etl/sql")["views.sql"] if args.before_rev else None
            before_dir = queries_at(args.before_rev, Path(tmp) / "queries-before") if args.before_rev else None
            dbs = [(f"{label}{tag}", db_variant(path, Path(tmp) / f"{i}-{tag}.duckdb", pre,
                                                None if pre else views_before), budget)
                   for i, (label, path, budget) in enumerate(dbs)
                   for tag, pre in (("·前", False), ("·后", True))]
            dirs = [None if tag.endswith("后") else before_dir for tag, *_ in dbs]
        results = []
        for (label, path, budget), (f, med, med_steps) in zip(
                dbs, bench_dbs([p for _, p, _ in dbs], args.repeat, dirs), strict=True):
            print(f"{label}：{path}（{db_size(path)}）\n  专项整治 {f.campaign_id}，统计日 {f.as_of}，"
                  f"上期 {f.prev_as_of}，每页重复 {args.repeat} 次")
            results.append((label, budget, med, med_steps))
    print()
    if args.before_after or args.before_rev:
        print("·前 = 不用预计算表（problems_as_of 等宏对全部台账快照开窗）"
              + (f"，views.sql 与 queries/ 用 {args.before_rev} 版" if args.before_rev else "")
              + "；·后 = 本仓库现在的 views.sql、queries/ 与 problem_periods（etl/sql/precompute.sql）。")

    head = pad("页面", 22) + "".join(pad(f"{lb}（ms）", 16, right=True) for lb, *_ in results)
    print(head)
    over = []
    for key, label, _fn in PAGES:
        cells = ""
        for lb, budget, med, _ in results:
            ms = med[key]
            total = ms + (med["sidebar"] if key != "sidebar" else 0)
            flag = " " if key == "sidebar" or total < budget else "!"
            if flag == "!":
                over.append((lb, label, total, budget))
            cells += f"{ms:>15.1f}{flag}"
        print(pad(label, 22) + cells)
    print("\n计时：" + ("本进程 CPU 时间（--cpu）" if args.cpu else "墙钟") + "。页面耗时不含侧栏；目标按“页面 + 侧栏”判断：示例库 < "
          f"{SAMPLE_BUDGET_MS} ms，大规模库 < {LARGE_BUDGET_MS} ms。带 ! 的超出目标。")
    for lb, label, total, budget in over:
        print(f"  超标：{lb} {label} {total:.0f} ms（目标 {budget} ms）")

    if args.detail:
        for lb, _budget, _med, med_steps in results:
            print(f"\n== {lb}：各步骤中位耗时（ms）")
            for key, label, _fn in PAGES:
                items = sorted(med_steps.get(key, {}).items(), key=lambda kv: -kv[1])
                print(f"  {label}：" + "，".join(f"{s} {ms:.1f}" for s, ms in items))
    return 1 if over and args.strict else 0


if __name__ == "__main__":
    raise SystemExit(main())
