"""命令行：python -m etl build|build-sample|sample|bench …"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from etl.config import CAMPAIGNS_DIR, load_campaign

DEFAULT_DB = Path("data/db/dashboard.duckdb")
# Sub-commands whose own module parses the rest of the command line.
DELEGATED = {
    "sample": ("samplegen:main", "生成示例报送文件（可放大规模用于性能测试）"),
    "bench": ("bench.import_speed:main", "性能基准：导入大规模生成数据并与 pandas 对比"),
}
# Meeting documents moved to their own command (reports/ depends on etl/, not the other way round).
MOVED_TO_REPORTS = ("brief", "export-ledger", "template")


def _print_progress(i: int, n: int, message: str) -> None:
    print(f"[{i}/{n}] {message}", flush=True)


def _report(result) -> None:
    print(result.summary_text())


def _profiles(args):
    """data/profiles/*.toml plus any --profile files named on the command line."""
    from etl.read.profiles import load_profiles

    try:
        return load_profiles(extra=[Path(p) for p in args.profile or ()])
    except ValueError as exc:
        raise SystemExit(f"错误：{exc}") from exc


def cmd_profiles(args) -> int:
    from etl.read.profiles import PROFILES_DIR, load_profiles
    from etl.read.vocabulary import load_vocabulary

    profiles = load_profiles(Path(args.dir) if args.dir else None)
    if not profiles:
        print(f"没有导入方案（{args.dir or PROFILES_DIR}）。在“数据管理”页上传文件、逐列指定字段后可保存为导入方案。")
        return 0
    vocab = load_vocabulary()
    for pr in profiles:
        mapped = sum(1 for v in pr.columns.values() if v)
        print(f"{pr.name}\t{vocab.kinds[pr.kind].label}\t表头指纹 {pr.fingerprint}\t"
              f"{mapped} 列导入、{len(pr.columns) - mapped} 列不导入\t{pr.path.name if pr.path else ''}")
    return 0


REFUSED_EXIT = 2


def _run_build(sources, args) -> int:
    """build() with the command line's options; a refused build prints why and exits 2."""
    from etl.build import BuildRefused, build

    try:
        result = build(sources, Path(args.db), progress=None if args.quiet else _print_progress,
                       profiles=_profiles(args), allow_empty=args.allow_empty, lock_timeout=args.wait,
                       cache=not args.no_cache, workers=args.workers)
    except BuildRefused as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return REFUSED_EXIT
    _report(result)
    print(f"数据库已生成：{args.db}")
    return 0


def cmd_build(args) -> int:
    from etl.build import CampaignSources

    if args.campaign_file:
        campaign = load_campaign(Path(args.campaign_file).stem, Path(args.campaign_file).parent)
    else:
        campaign = load_campaign(args.campaign, Path(args.campaigns_dir))
    return _run_build([CampaignSources(campaign, [Path(args.source_dir)])], args)


def cmd_build_sample(args) -> int:
    from etl.build import sample_sources

    return _run_build(sample_sources(), args)


def _build_options(p: argparse.ArgumentParser) -> None:
    from etl.build import LOCK_WAIT_SECONDS

    p.add_argument("--db", default=str(DEFAULT_DB))
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--profile", action="append", metavar="FILE",
                   help="另外套用的导入方案文件（.toml，可多次指定；data/profiles/ 下的总会套用）")
    p.add_argument("--allow-empty", action="store_true",
                   help="允许生成空数据库（源文件夹中没有文件，或一条记录也没读到时仍替换现有数据库）")
    p.add_argument("--wait", type=float, default=LOCK_WAIT_SECONDS, metavar="SECONDS",
                   help=f"另一个重建正在进行时最多等待的秒数（默认 {LOCK_WAIT_SECONDS:g}）")
    p.add_argument("--no-cache", action="store_true",
                   help="不用重建缓存，重新读取全部文件（默认只重新读取新增或改动过的文件，缓存在数据库旁的 cache/ 下，"
                        "可用环境变量 DASHBOARD_BUILD_CACHE 另指文件夹）")
    p.add_argument("--workers", type=int, metavar="N",
                   help="读取文件的进程数（默认：CPU 空闲时每个核一个，已繁忙时 1；1 = 不另起进程）")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="专项整治数据看板：数据导入工具")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="从一个目录的报送文件生成数据库")
    p.add_argument("source_dir")
    p.add_argument("--campaign", help="专项整治编号，如 fuyang-2023")
    p.add_argument("--campaign-file", help="直接指定配置文件（.toml）")
    p.add_argument("--campaigns-dir", default=str(CAMPAIGNS_DIR))
    _build_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("build-sample", help="用 data/sample 与 data/uploads 下全部专项整治的文件生成看板数据库")
    _build_options(p)
    p.set_defaults(func=cmd_build_sample)

    p = sub.add_parser("profiles", help="列出导入方案（data/profiles/*.toml）")
    p.add_argument("--dir", help="方案目录，默认 data/profiles")
    p.set_defaults(func=cmd_profiles)

    for name, (_, text) in DELEGATED.items():
        sub.add_parser(name, help=text, add_help=False)

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in MOVED_TO_REPORTS:
        print(f"错误：会议材料已改由 python -m reports 生成，请用：python -m reports {argv[0]} …（参数不变）",
              file=sys.stderr)
        return 2
    if argv and argv[0] in DELEGATED:
        module_name, func_name = DELEGATED[argv[0]][0].split(":")
        return getattr(importlib.import_module(module_name), func_name)(argv[1:]) or 0
    args = parser.parse_args(argv)
    if args.command == "build" and not (args.campaign or args.campaign_file):
        parser.error("请用 --campaign 或 --campaign-file 指定专项整治")
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
