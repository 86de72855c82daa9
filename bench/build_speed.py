"""重建基准：冷启动重建与增量重建（新增一份台账、改动一份台账、改专项整治配置、保存导入方案）的用时与峰值内存，并排打印。

    python -m bench.build_speed [--units 300] [--leads 100000] [--repeat 3] [--work build/bench] [--workers N]
                                [--before-code DIR]

全国规模（3000 个单位、100 万条线索、约 2.4 万个文件）：--units 3000 --leads 1000000（生成约需数分钟，
冷启动重建约 1–2 分钟一次）。数据由 samplegen 生成在 <work>/src-u<units>-l<leads>/（已有则直接用），
每轮在其硬链接副本上依次重建：冷启动（不用缓存、单进程读取 = 以前唯一的做法）、冷启动（多进程读取并写缓存）、
新增一份台账、改动一份台账、改配置（线索办理时限：只影响线索登记表的读取结果）、改配置（滞后阈值：不影响读取）、
改节假日安排（data/calendar.toml 换成加了一年放假日的副本：也只影响线索登记表）、新增一份表头认不出的台账、为它保存导入方案（数据管理页“保存为导入方案”：只重读这份文件）。
每次重建在新的子进程中运行：峰值内存为该进程的 ru_maxrss，另列读取子进程中最大的一个。
--before-code DIR：另一份代码（如 `git archive <commit> | tar -x -C DIR`）在同一轮里、同样的文件上依次做同样的
用缓存的步骤（另用一个库和缓存），列为“改动前”，与本版本的数字同轮对比。
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

STEPS = [  # (name, label, use the cache, reading processes: None = one per core)
    ("cold-serial", "冷启动：单进程、不用缓存（--no-cache --workers 1）", False, 1),
    ("cold", "冷启动：多进程读取（每核一个）、写缓存", True, os.cpu_count() or 1),
    ("add-ledger", "增量：新增一份台账", True, None),
    ("change-ledger", "增量：改动一份台账", True, None),
    ("config-leads", "增量：改配置（线索办理时限，影响线索登记表）", True, None),
    ("config-lagging", "增量：改配置（滞后阈值，不影响读取）", True, None),
    ("calendar", "增量：改节假日安排（影响线索登记表）", True, None),
    ("odd-layout", "增量：新增一份表头认不出的台账", True, None),
    ("save-profile", "增量：为它保存导入方案", True, None),
]
ODD_HEADER = ["甲栏", "乙栏", "丙栏", "丁栏", "戊栏", "己栏"]
ODD_FIELDS = {0: "serial_no", 1: "category", 2: "manifestation", 3: "measure", 4: "deadline", 5: "progress"}


def _worker(source: Path, campaign_file: Path, db: Path, cache: bool, workers: int | None,
            calendar: Path | None = None) -> dict:
    import threading

    from etl.build import CampaignSources, build
    from etl.config import load_campaign
    from etl.normalize import workdays

    if calendar is not None:
        workdays.use_schedule_files(calendar, workdays.schedule_files()["campaigns_dir"])
    started = time.perf_counter()  # after the imports: a running server has them loaded
    campaign = load_campaign(campaign_file.stem, campaign_file.parent)
    # as the data page does: the build returns once the new database is in place, the pack is written after
    result = build([CampaignSources(campaign, [source])], db, cache=cache, workers=workers, pack_in_background=cache)
    seconds = time.perf_counter() - started
    for thread in threading.enumerate():
        if thread.name == "build-cache-pack":
            thread.join()
    return {"seconds": seconds, "pack_seconds": time.perf_counter() - started,
            "files": result.files, "from_cache": result.files_from_cache,
            "records": result.record_count(), "in_place": result.updated_in_place, "not_in_place": result.not_in_place,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "reader_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


# The build of another checkout of this project (--before-code DIR: e.g. `git archive <commit> | tar -x -C DIR`),
# cold, with that version's defaults: the figures before a change, measured in the same run.
BEFORE = """
import json, resource, sys, time
from pathlib import Path
from etl.build import CampaignSources, build
from etl.config import load_campaign
source, campaign_file, db = map(Path, sys.argv[1:4])
started = time.perf_counter()
result = build([CampaignSources(load_campaign(campaign_file.stem, campaign_file.parent), [source])], db)
print(json.dumps({"seconds": time.perf_counter() - started, "pack_seconds": 0, "files": result.files, "from_cache": 0,
                  "records": result.record_count(),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "reader_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def _measure_before(code: Path, source: Path, campaign_file: Path, db: Path) -> dict:
    env = {**os.environ, "DASHBOARD_SALT": "bench", "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, "-c", BEFORE, str(source), str(campaign_file), str(db)], check=True,
                         capture_output=True, text=True, env=env, cwd=code)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(source: Path, campaign_file: Path, db: Path, cache: bool, workers: int | None, profiles: Path,
             code: Path | None = None, calendar: Path | None = None) -> dict:
    """One build in a new process, by this code or by another checkout's (its bench has the same --worker)."""
    cmd = [sys.executable, "-m", "bench.build_speed", "--worker", "--source", str(source.resolve()),
           "--campaign-file", str(campaign_file.resolve()), "--db", str(db.resolve())]
    cmd += ["--cache"] if cache else []
    cmd += ["--workers", str(workers)] if workers else []
    cmd += ["--calendar-file", str(calendar.resolve())] if calendar else []
    env = {**os.environ, "DASHBOARD_SALT": "bench", "DASHBOARD_PROFILES": str(profiles.resolve())}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=code)
    return json.loads(out.stdout.strip().splitlines()[-1])


def generate(work: Path, units: int, leads: int) -> Path:
    source = work / f"src-u{units}-l{leads}"
    if not source.exists():
        print(f"生成基准数据：{units} 个单位，{leads} 条线索 → {source}", flush=True)
        t = time.perf_counter()
        from samplegen import main as sample_main

        sample_main(["--campaign", "fuyang-2023", "--out", str(source), "--units", str(units), "--leads", str(leads)])
        print(f"  生成用时 {time.perf_counter() - t:.1f} 秒", flush=True)
    return source


def campaign_file_of(source: Path) -> Path:
    found = sorted(source.rglob("*.toml"))
    if not found:
        raise SystemExit(f"{source} 下没有生成的专项整治配置（*.toml）")
    return found[0]


def _ledgers(src: Path) -> list[Path]:
    return sorted(p for p in src.glob("*.xlsx") if "整改台账" in p.name)


def _save_replacing(wb, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)  # a new file: the hard-linked original stays as generated


def add_ledger(src: Path) -> None:
    """The last ledger of the first unit, re-dated one month later, one problem marked done."""
    import openpyxl

    ledgers = _ledgers(src)
    unit = ledgers[0].name.split("_")[0]
    last = [p for p in ledgers if p.name.startswith(unit)][-1]  # (one listing: 24,000 files at national scale)
    wb = openpyxl.load_workbook(last)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=1, max_row=3):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("填报时间"):
                cell.value = "填报时间：2023-11-28"
    ws.cell(5, 9).value = "已完成整改"
    wb.save(src / last.name.replace(last.name.rsplit("_", 1)[1], "20231128.xlsx"))


def change_ledger(src: Path) -> None:
    import openpyxl

    ledgers = _ledgers(src)
    path = ledgers[len(ledgers) // 2]
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.cell(5, 9).value = "已完成整改" if ws.cell(5, 9).value != "已完成整改" else "正在整改"
    _save_replacing(wb, path)


def _odd_ledger_name(src: Path) -> str:
    return f"{_ledgers(src)[0].name.split('_')[0]}_自制台账_20231128.xlsx"


def add_odd_layout(src: Path) -> None:
    """A ledger of the first unit whose header the vocabulary does not know (nothing of it is loaded)."""
    import openpyxl

    name = _odd_ledger_name(src)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"填报单位：{name.split('_')[0]}    填报时间：2023-11-28"])
    ws.append(ODD_HEADER)
    for i in range(1, 13):
        ws.append([f"ZZ-{i:02d}", "逐利执法", "乱罚款", "立即纠正", "2023年12月31日前", "正在整改"])
    wb.save(src / name)


def save_odd_profile(profiles: Path) -> None:
    """As the data page's “保存为导入方案” does, for that ledger's header."""
    from etl.read.profiles import save_profile

    save_profile("自制台账", "ledger", ODD_HEADER, ODD_FIELDS, folder=profiles)


def office_calendar(folder: Path) -> Path:
    """data/calendar.toml with a year of holidays added (a year the library does not cover)."""
    from etl.normalize import workdays

    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "calendar.toml"
    now = workdays.schedule_files()["calendar_file"]
    text = now.read_text(encoding="utf-8") if now is not None and now.is_file() else ""
    out.write_text(text + "\n[2031]\nholidays = [2031-01-01, 2031-01-02]\nworkdays = [2031-01-04]\n", encoding="utf-8")
    return out


def edited_config(campaign_file: Path, folder: Path, old: str, new: str) -> Path:
    text = campaign_file.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{campaign_file} 中没有“{old}”")
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / campaign_file.name
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def one_round(source: Path, campaign_file: Path, work: Path, workers: int | None,
              before: Path | None = None, steps: set[str] | None = None) -> dict[str, dict]:
    """Every step once, on a fresh hard-linked copy of the generated files; with before, each step with the cache
    also by that code (its own database and cache), right after this code's."""
    round_dir = work / "round"
    shutil.rmtree(round_dir, ignore_errors=True)
    src = round_dir / "src"
    shutil.copytree(source, src, copy_function=os.link)
    db = round_dir / "db" / "bench.duckdb"
    profiles = round_dir / "profiles"
    profiles.mkdir()
    out = {}
    if before:
        out["cold-before"] = _measure_before(before, src.resolve(), campaign_file.resolve(),
                                             (round_dir / "db-before" / "bench.duckdb").resolve())
    leads_config = edited_config(campaign_file, round_dir / "config-leads", "working_days_limit = 5",
                                 "working_days_limit = 6")
    # relative to the step before it: after config-leads, only the lagging threshold changes
    lagging_base = leads_config if not steps or "config-leads" in steps else campaign_file
    lagging_config = edited_config(lagging_base, round_dir / "config-lagging", "red = 6", "red = 7")
    config, calendar = campaign_file, None  # each step changes one thing: the settings stay as the step before left them
    for name, _, cache, step_workers in STEPS:
        if steps and name not in steps:
            continue
        if name == "add-ledger":
            add_ledger(src)
        elif name == "change-ledger":
            change_ledger(src)
        elif name == "config-leads":
            config = leads_config
        elif name == "config-lagging":
            config = lagging_config
        elif name == "calendar":
            calendar = office_calendar(round_dir / "calendar")
        elif name == "odd-layout":
            add_odd_layout(src)
        elif name == "save-profile":
            save_odd_profile(profiles)
        step_db = round_dir / "db-serial" / "bench.duckdb" if name == "cold-serial" else db
        out[name] = r = _measure(src, config, step_db, cache, step_workers or workers, profiles, calendar=calendar)
        _report(name, r)
        if before and cache:
            out[f"before:{name}"] = r = _measure(src, config, round_dir / "db-before-cache" / "bench.duckdb", cache,
                                                 step_workers or workers, profiles, before, calendar)
            _report(f"before:{name}", r)
    return out


def _report(name: str, r: dict) -> None:
    print(f"  {name}: {r['seconds']:.2f} 秒（缓存写完 {r['pack_seconds']:.2f} 秒） 峰值 {r['peak_mb']:.0f} MB（读取进程 {r['reader_peak_mb']:.0f} MB），"
          f"沿用缓存 {r['from_cache']}/{r['files']} 个文件" + ("，库就地更新" if r.get("in_place") else "")
          + (f"，未就地更新：{r['not_in_place']}" if r.get("not_in_place") else ""), flush=True)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


COLUMNS = [("秒", 8), ("缓存写完秒", 12), ("峰值MB", 9), ("读取进程MB", 12), ("文件", 8), ("沿用缓存", 10), ("记录", 10),
           ("就地更新", 10)]


def print_table(runs: dict[str, list[dict]], repeat: int) -> None:
    print(f"\n中位数（{repeat} 轮；秒：到新库换上、页面可以显示新数字为止；缓存写完秒：到后台写完重建缓存为止；峰值MB：重建进程的 ru_maxrss，读取进程MB：读取子进程中最大的一个，0 = 未另起进程；"
          "就地更新：只移出、加入改动文件的数据（etl/db_increment.py），否则整库重写；记录：读到的记录数，含因重复未导入的行）")
    print(_left("步骤", 44) + "".join(_right(h, w) for h, w in COLUMNS))
    steps = ([("cold-before", "冷启动：改动前的代码（--before-code）", False, 1)] if runs.get("cold-before") else []) + STEPS
    steps += [(f"before:{name}", f"改动前 {label}", cache, w) for name, label, cache, w in STEPS if runs.get(f"before:{name}")]
    for name, label, _, _ in steps:
        rs = runs.get(name)
        if not rs:
            continue
        med = {k: statistics.median(r[k] for r in rs) for k in ("seconds", "pack_seconds", "peak_mb", "reader_peak_mb")}
        first = rs[0]
        cells = [f"{med['seconds']:.2f}", f"{med['pack_seconds']:.2f}" if med["pack_seconds"] else "—", f"{med['peak_mb']:.0f}", f"{med['reader_peak_mb']:.0f}", str(first["files"]),
                 str(first["from_cache"]), str(first["records"]), "是" if first.get("in_place") else "否"]
        print(_left(label, 44) + "".join(_right(c, w) for c, (_, w) in zip(cells, COLUMNS, strict=True)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.build_speed", description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", default="build/bench")
    ap.add_argument("--workers", type=int, help="增量与改配置步骤读取文件的进程数（默认由重建自定：CPU 空闲时每核一个）")
    ap.add_argument("--before-code", metavar="DIR", help="另测一份旧版本代码的冷启动重建（改动前后对比）")
    ap.add_argument("--steps", help="只测这些步骤（逗号分隔，如 cold,add-ledger,change-ledger,config-lagging："
                                    "全国规模时省去两次额外的冷启动）；默认全部：" + ",".join(s[0] for s in STEPS))
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--source", help=argparse.SUPPRESS)
    ap.add_argument("--campaign-file", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--cache", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--calendar-file", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        calendar = Path(args.calendar_file) if args.calendar_file else None
        print(json.dumps(_worker(Path(args.source), Path(args.campaign_file), Path(args.db), args.cache, args.workers,
                                 calendar)))
        return 0

    work = Path(args.work)
    source = generate(work, args.units, args.leads)
    campaign_file = campaign_file_of(source)
    runs: dict[str, list[dict]] = {}
    before = Path(args.before_code).resolve() if args.before_code else None
    for i in range(args.repeat):
        print(f"第{i + 1}轮", flush=True)
        steps = set(args.steps.split(",")) if args.steps else None
        for name, r in one_round(source, campaign_file, work, args.workers, before, steps).items():
            runs.setdefault(name, []).append(r)
    print(f"重建基准：{source}（{args.units} 个单位，{args.leads} 条线索），CPU 核 {os.cpu_count()}")
    print_table(runs, args.repeat)
    shutil.rmtree(work / "round", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
