"""命令行入口，供 etl/__main__.py 一行分派：

    python -m etl brief --campaign fuyang-2023 --as-of 2023-09-21 --out brief.docx [--db PATH] [--xlsx brief.xlsx]
    python -m etl export-ledger --campaign fuyang-2023 --as-of 2023-09-21 [--units 临泉,太和] --out x.xlsx
    python -m etl template --campaign fuyang-2023 --unit 临泉 --out DIR_or_file.xlsx [--date 2023-09-21]
"""
from __future__ import annotations

import argparse

from reports.ledger_export import main as export_ledger_main
from reports.templates import main as template_main

__all__ = ["brief_main", "export_ledger_main", "template_main"]


def brief_main(argv: list[str] | None = None) -> int:
    from reports.brief_data import collect
    from reports.brief_docx import write_docx
    from reports.brief_xlsx import write_xlsx
    from reports.cli_common import add_common, parse_day

    ap = argparse.ArgumentParser(prog="python -m etl brief", description="生成工作简报（.docx，可另出 .xlsx 表格）")
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
