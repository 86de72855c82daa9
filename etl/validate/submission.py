"""Who reported and as of when: 填报单位 / 填报时间 above the header, else the file name."""
from __future__ import annotations

import re
from datetime import date
from pathlib import PurePath

from etl.config import Campaign
from etl.normalize.dates import parse_date
from etl.normalize.errors import NormalizeError
from etl.normalize.units import resolve_unit

_DATE_IN_NAME = re.compile(r"(20\d{2})[-_.年]?(\d{2})[-_.月]?(\d{2})")


def unit_from_file_name(file_name: str, campaign: Campaign) -> str | None:
    stem = PurePath(file_name).stem
    for part in re.split(r"[_\-\s—]+", stem):
        try:
            return resolve_unit(part, campaign)
        except NormalizeError:
            continue
    return None


def date_from_file_name(file_name: str) -> date | None:
    m = _DATE_IN_NAME.search(PurePath(file_name).stem)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def resolve_reporter(meta_unit: str | None, file_name: str, campaign: Campaign) -> tuple[str | None, str | None]:
    """Returns (unit_id, problem) — problem is a Chinese message when 填报单位 is given but unknown."""
    if meta_unit:
        try:
            return resolve_unit(meta_unit, campaign), None
        except NormalizeError as exc:
            fallback = unit_from_file_name(file_name, campaign)
            return fallback, f"填报单位无法识别：{exc}" + ("" if fallback is None else "，已按文件名确定单位")
    return unit_from_file_name(file_name, campaign), None


def resolve_as_of(meta_date: object, file_name: str) -> tuple[date | None, str]:
    """Returns (as_of_date, source) where source is 表头 / 文件名 / 无."""
    if meta_date not in (None, ""):
        try:
            return parse_date(meta_date), "表头"
        except NormalizeError:
            pass
    from_name = date_from_file_name(file_name)
    if from_name is not None:
        return from_name, "文件名"
    return None, "无"
