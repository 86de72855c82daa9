"""命令行：python -m reports brief|deck|export-ledger|template …

    python -m reports brief --campaign fuyang-2023 --as-of 2023-09-21 --out brief.docx [--db PATH] [--xlsx brief.xlsx]
    python -m reports deck --campaign fuyang-2023 --as-of 2023-11-06 --out deck.pptx [--unit 临泉] [--db PATH]
    python -m reports export-ledger --campaign fuyang-2023 --as-of 2023-09-21 [--units 临泉,太和] --out x.xlsx
    python -m reports template --campaign fuyang-2023 --unit 临泉 --out DIR_or_file.xlsx [--date 2023-09-21]
    python -m reports notice --campaign fuyang-2023 --as-of 2023-09-21 (--unit 临泉 | --red) --out DIR [--db PATH]
"""
from __future__ import annotations

import argparse
import sys


def brief_main(argv: list[str] | None = None) -> int:
    from reports.brief_data import collect
    from reports.brief_docx import write_docx
    from reports.brief_xlsx import write_xlsx
    from reports.cli_common import add_common, parse_day

    ap = argparse.ArgumentParser(prog="python -m reports brief", description="生成工作简报（.docx，可另出 .xlsx 表格）")
    add_common(ap)
    ap.add_argument("--prev", type=parse_day, default=None,
                    help="上期统计日（默认：统计日之前最近的周报日，即上一期简报）")
    ap.add_argument("--out", required=True, help="输出 .docx 文件")
    ap.add_argument("--xlsx", default=None, help="同时输出表格 .xlsx 文件")
    a = ap.parse_args(argv)
    data = collect(a.db, a.campaign, a.as_of, prev_as_of=a.prev)
    print(f"简报已生成：{write_docx(data, a.out)}")
    if a.xlsx:
        print(f"简报表格已生成：{write_xlsx(data, a.xlsx)}")
    return 0


def deck_main(argv: list[str] | None = None) -> int:
    from etl.config import load_campaign
    from reports.brief_data import collect
    from reports.cli_common import add_common, parse_day, resolve_unit_id
    from reports.deck import write_deck

    ap = argparse.ArgumentParser(prog="python -m reports deck",
                                 description="生成会议幻灯片（.pptx，16:9，一页一个议题，与工作简报同一份数据）")
    add_common(ap)
    ap.add_argument("--prev", type=parse_day, default=None, help="上期统计日（默认与工作简报相同）")
    ap.add_argument("--unit", default=None, help="只含这个单位（单位编号或名称，可为简称），同单位账号所见")
    ap.add_argument("--out", required=True, help="输出 .pptx 文件")
    a = ap.parse_args(argv)
    scope = resolve_unit_id(load_campaign(a.campaign), a.unit) if a.unit else None
    data = collect(a.db, a.campaign, a.as_of, prev_as_of=a.prev, scope_unit=scope)
    print(f"会议幻灯片已生成：{write_deck(data, a.out)}")
    return 0


def export_ledger_main(argv: list[str] | None = None) -> int:
    from reports.ledger_export import main

    return main(argv)


def template_main(argv: list[str] | None = None) -> int:
    from reports.templates import main

    return main(argv)


def notice_main(argv: list[str] | None = None) -> int:
    import getpass

    from analytics.queries import QueryRunner
    from etl.config import load_campaign
    from reports.cli_common import add_common, resolve_unit_id
    from reports.notice import issue_notice, red_units
    from state.store import open_store

    ap = argparse.ArgumentParser(prog="python -m reports notice",
                                 description="生成督办通知单（.docx，一个单位一份），并在督办事项和审计日志中记录下发")
    add_common(ap)
    who = ap.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", help="单位编号或名称（可为简称）")
    who.add_argument("--red", action="store_true", help="统计日滞后评分为红色的全部单位")
    ap.add_argument("--out", required=True, help="输出文件夹")
    a = ap.parse_args(argv)
    runner = QueryRunner(a.db)
    try:
        units = [resolve_unit_id(load_campaign(a.campaign), a.unit)] if a.unit else red_units(runner, a.campaign,
                                                                                            a.as_of)
        if not units:
            print(f"{a.as_of:%Y-%m-%d} 没有滞后评分为红色的单位，未生成督办通知单。")
            return 0
        store, actor = open_store(), f"命令行:{getpass.getuser()}"
        for unit_id in units:
            d, path = issue_notice(runner, store, a.campaign, unit_id, a.as_of, actor, out_dir=a.out)
            print(f"督办通知单已生成：{path}（{d.number}，{d.unit_name}：逾期问题{len(d.problems)}个、"
                  f"超期线索{len(d.leads)}件、督办事项{len(d.items)}项）")
    finally:
        runner.close()
    return 0


# Each sub-command parses the rest of the command line itself.
COMMANDS = {
    "brief": (brief_main, "生成工作简报（.docx，另可输出 .xlsx）"),
    "deck": (deck_main, "生成会议幻灯片（.pptx，一页一个议题）"),
    "export-ledger": (export_ledger_main, "按方案样表导出汇总整改台账（.xlsx）"),
    "template": (template_main, "生成各单位填报模板（台账、线索登记表）"),
    "notice": (notice_main, "生成督办通知单（.docx，指定单位或全部红色单位）并记录下发"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]][0](argv[1:]) or 0
    parser = argparse.ArgumentParser(prog="python -m reports", description="专项整治数据看板：会议材料与导出")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, text) in COMMANDS.items():
        sub.add_parser(name, help=text, add_help=False)
    parser.parse_args(argv)  # no known command: prints usage and exits 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
