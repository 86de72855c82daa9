"""性能基准：生成大规模报送文件，比较本项目的读取/导入与 pandas.read_excel(openpyxl) 的速度与峰值内存。

python -m bench.import_speed [--units 3000] [--leads 1000000] [--repeat 3] [--work build/bench]
Each measurement runs in a fresh child process so peak memory (ru_maxrss) is its own.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


LEDGER_FILES_COMPARED = 500


def _xlsx_files(source: Path) -> list[Path]:
    """The files both readers are timed on: every large register workbook plus the first
    LEDGER_FILES_COMPARED small ledger workbooks (all 24,000 would take openpyxl many minutes a round)."""
    xlsx = sorted(source.rglob("*.xlsx"))
    registers = [p for p in xlsx if "线索" in p.name]
    ledgers = [p for p in xlsx if "线索" not in p.name][:LEDGER_FILES_COMPARED]
    return registers + ledgers


def _worker(variant: str, source: Path, campaign_file: Path | None, db: Path) -> dict:
    started = time.perf_counter()
    if variant == "etl-read-xlsx":
        from etl.read import read_file

        rows = sum(len(s.rows) for p in _xlsx_files(source) for s in read_file(p))
    elif variant == "pandas-openpyxl-xlsx":
        import pandas as pd

        rows = 0
        for p in _xlsx_files(source):
            for frame in pd.read_excel(p, sheet_name=None, engine="openpyxl").values():
                rows += len(frame)
    elif variant == "etl-build-all":
        from etl.build import CampaignSources, build
        from etl.config import load_campaign

        campaign = load_campaign(campaign_file.stem, campaign_file.parent)
        result = build([CampaignSources(campaign, [source])], db)
        rows = sum(s.rows_read for s in result.submissions)
    else:
        raise SystemExit(f"unknown variant {variant}")
    return {"variant": variant, "rows": rows, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def _measure(variant: str, source: Path, campaign_file: Path, db: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.import_speed", "--worker", variant, "--source", str(source),
                          "--campaign-file", str(campaign_file), "--db", str(db)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _find_campaign_file(source: Path) -> Path:
    found = sorted(source.rglob("*.toml"))
    if not found:
        raise SystemExit(f"{source} 下没有生成的专项整治配置（*.toml）")
    return found[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.import_speed")
    ap.add_argument("--units", type=int, default=3000)
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", default="build/bench")
    ap.add_argument("--worker")
    ap.add_argument("--source")
    ap.add_argument("--campaign-file")
    ap.add_argument("--db")
    args = ap.parse_args(argv)

    if args.worker:
        cf = Path(args.campaign_file) if args.campaign_file else None
        print(json.dumps(_worker(args.worker, Path(args.source), cf, Path(args.db))))
        return 0

    work = Path(args.work)
    source = work / f"src-u{args.units}-l{args.leads}"
    if not source.exists():
        print(f"生成基准数据：{args.units} 个单位，{args.leads} 条线索 → {source}", flush=True)
        t = time.perf_counter()
        from samplegen import main as sample_main

        sample_main(["--campaign", "fuyang-2023", "--out", str(source),
                     "--units", str(args.units), "--leads", str(args.leads)])
        print(f"  生成用时 {time.perf_counter() - t:.1f} 秒", flush=True)
    campaign_file = _find_campaign_file(source)
    db = work / "bench.duckdb"

    variants = ["etl-read-xlsx", "pandas-openpyxl-xlsx", "etl-build-all"]
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    for i in range(args.repeat):
        for v in variants:  # interleaved so machine noise hits every variant alike
            r = _measure(v, source, campaign_file, db)
            runs[v].append(r)
            print(f"  第{i + 1}轮 {v}: {r['rows']} 行 {r['seconds']:.2f} 秒 峰值 {r['peak_mb']:.0f} MB", flush=True)

    compared = _xlsx_files(source)
    print(f"\n中位数（{args.repeat} 轮）。读取对比：同样的 {len(compared)} 个 .xlsx 文件"
          f"（大登记表 + 前 {LEDGER_FILES_COMPARED} 个台账）；全量导入：{source} 下全部文件")
    print(f"{'方式':<24}{'行数':>10}{'秒':>10}{'行/秒':>12}{'峰值内存MB':>12}")
    for v in variants:
        secs = statistics.median(r["seconds"] for r in runs[v])
        peak = statistics.median(r["peak_mb"] for r in runs[v])
        rows = runs[v][0]["rows"]
        print(f"{v:<24}{rows:>10}{secs:>10.2f}{rows / secs:>12.0f}{peak:>12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
