"""Who reported and as of when: 填报单位 / 填报时间 above the header, else the file name."""
from __future__ import annotations

import re
from datetime import date
from pathlib import PurePath

from etl.config import Campaign
from etl.normalize.dates import check_plausible, parse_date
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


def resolve_as_of_checked(meta_date: object, file_name: str, campaign: Campaign,
                          today: date | None = None) -> tuple[date | None, str, str | None]:
    """(as_of_date, source 表头/文件名/无, problem) — problem is a sheet-level Chinese message or None.

    - 填报时间 that cannot be read, or is implausible (before 2000, more than a year after the campaign
      ends: a typo such as 2203): not used; the date in the file name is used instead when there is one.
    - 填报时间 after today: kept as written (it is what the unit declared) and reported; the default
      统计日 ignores it (queries/snapshot_dates.sql), so it never moves the dashboard into the future.
    The build reports problem as a 警告 on the sheet (column 填报时间); a ledger left without any
    as_of is still rejected as before.
    """
    today = today or date.today()
    problems = []
    if meta_date not in (None, ""):
        try:
            given = parse_date(meta_date)
            check_plausible(given, campaign.end_date)
        except NormalizeError as exc:
            problems.append(f"填报时间“{str(meta_date).strip()}”无法使用：{exc}")
        else:
            if given > today:
                return given, "表头", _future(given, today)
            return given, "表头", None
    from_name = date_from_file_name(file_name)
    if from_name is not None:
        try:
            check_plausible(from_name, campaign.end_date)
        except NormalizeError as exc:
            problems.append(f"文件名中的日期无法用作填报时间：{exc}")
        else:
            if problems:
                problems.append(f"已按文件名中的日期 {from_name:%Y-%m-%d} 作为填报时间")
            if from_name > today:
                problems.append(_future(from_name, today))
            return from_name, "文件名", "；".join(problems) or None
    return None, "无", "；".join(problems) or None


# The one message whose text depends on the day a file is read: a result holding it holds on that day only
# (etl/file_cache.still_valid; etl/db_increment.files_in_place finds such files by this mark).
FUTURE_MARK = "晚于今天（"


def _future(d: date, today: date) -> str:
    return (f"填报时间 {d:%Y-%m-%d} {FUTURE_MARK}{today:%Y-%m-%d}）：已按此日期导入，但默认统计日不取此日期；"
            "如为笔误，请更正后重新报送")


def missing_ledger_context(columns: dict, unit_id: str | None, as_of: date | None) -> str | None:
    """What a ledger sheet lacks to be loaded at all: "填报单位" / "填报时间", or None.

    A ledger with a per-row unit column (单位/责任单位 on each row) needs no 填报单位 above the header:
    each row gets its own unit (etl.validate.context.row_unit) and a row whose unit is blank is
    rejected on its own.
    """
    if unit_id is None and "unit" not in columns:
        return "填报单位"
    if as_of is None:
        return "填报时间"
    return None
