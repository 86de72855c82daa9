"""命令行共用参数：--campaign --as-of --db；单位名称解析。"""
from __future__ import annotations

import argparse
from datetime import date

from analytics.queries import db_path


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def add_common(ap: argparse.ArgumentParser, as_of: bool = True) -> None:
    ap.add_argument("--campaign", required=True, help="专项整治编号，如 fuyang-2023")
    if as_of:
        ap.add_argument("--as-of", required=True, type=parse_day, help="统计日 YYYY-MM-DD")
    ap.add_argument("--db", default=str(db_path()), help="数据库文件（默认 DASHBOARD_DB 或 data/db/dashboard.duckdb）")


def resolve_unit_id(campaign, text: str) -> str:
    """单位编号或名称（可为简称）→ unit_id；无法识别时 SystemExit（中文）。"""
    from etl.normalize.errors import NormalizeError
    from etl.normalize.units import resolve_unit

    text = text.strip()
    if any(u.id == text for u in campaign.units):
        return text
    try:
        return resolve_unit(text, campaign)
    except NormalizeError as exc:
        raise SystemExit(f"无法识别的单位：{text}（{exc}）") from exc


def resolve_units(campaign, text: str) -> list[str]:
    return [resolve_unit_id(campaign, t) for t in text.replace("，", ",").split(",") if t.strip()]
