"""Leads register rows (问题线索登记表, 12345 工单导出) → leads records. Clear names and phones stop here."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from etl.normalize import categories, channels, findings, privacy, status, workdays
from etl.normalize.errors import NormalizeError
from etl.validate.context import WARNING, RowContext, RowRejected, checked_date, raw_text, row_unit
from etl.validate.row_identity import content_digest, occurrence

DATE_COLUMNS = ("received_date", "assigned_date", "concluded_date", "feedback_date")
_PHONE_COLUMN = re.compile(r"^phone(?:_(\d+))?$")


def _dates(ctx: RowContext, row: int, values: dict, year: int) -> dict:
    parsed = {}
    for column in DATE_COLUMNS:
        value = values.get(column)
        if raw_text(value) is None:
            parsed[column] = None
            continue
        try:
            parsed[column] = checked_date(ctx, value, year)
        except NormalizeError as exc:
            ctx.add_error(row, column, value, f"{exc}，本行未导入")
            raise RowRejected from exc
    if parsed["assigned_date"] is None:
        parsed["assigned_date"] = parsed["received_date"]
    if parsed["assigned_date"] is None:
        ctx.add_error(row, "assigned_date", None, "缺少交办日期和受理日期，无法计算办理时限，本行未导入")
        raise RowRejected
    if parsed["concluded_date"] and parsed["concluded_date"] < parsed["assigned_date"]:
        ctx.add_error(row, "concluded_date", values.get("concluded_date"),
                      f"办结日期早于交办日期（{parsed['assigned_date']:%Y-%m-%d}），本行未导入")
        raise RowRejected
    return parsed


def _given_due_date(ctx: RowContext, row: int, values: dict, year: int, due: date, working_days: int) -> date | None:
    """The hotline's own 承诺完成时间/办理时限, kept beside our working-day rule (which stays the rule)."""
    value = values.get("given_due_date")
    if raw_text(value) is None:
        return None
    try:
        given = checked_date(ctx, value, year)
    except NormalizeError as exc:
        ctx.add_error(row, "given_due_date", value,
                      f"{exc}；热线系统给出的承诺完成时间留空，办理期限按{working_days}个工作日计算", WARNING)
        return None
    if given != due:
        ctx.add_error(row, "given_due_date", value,
                      f"热线系统给出的承诺完成时间 {given:%Y-%m-%d} 与按{working_days}个工作日计算的办理期限 "
                      f"{due:%Y-%m-%d} 不同，已保留两者，按时办结率按后者计算", WARNING)
    return given


def _handling_status(ctx: RowContext, row: int, values: dict, concluded: date | None) -> str | None:
    """工单状态 as written; the 办结 date is never inferred from it."""
    text = privacy.scrub_phones(raw_text(values.get("handling_status")))
    if text is None:
        return None
    says_concluded = status.lead_concluded(text)
    if says_concluded and concluded is None:
        ctx.add_error(row, "handling_status", text,
                      f"工单状态为“{text}”，但没有办结日期：未推定办结日期，本线索按未办结统计；请补填办结日期",
                      WARNING)
    elif says_concluded is False and concluded is not None:
        ctx.add_error(row, "handling_status", text,
                      f"工单状态为“{text}”，但填有办结日期 {concluded:%Y-%m-%d}：按办结日期统计为已办结", WARNING)
    return text


def phone_columns(values: dict) -> tuple[str, ...]:
    """phone, phone_2, phone_3 … in that order."""
    return _phone_columns(tuple(values))


@lru_cache(maxsize=256)  # every row of a sheet has the same columns
def _phone_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    found = [(int(m[1] or 1), key) for key in columns if (m := _PHONE_COLUMN.match(key))]
    return tuple(key for _, key in sorted(found))


def first_phone(values: dict) -> str | None:
    """The first non-empty phone column: the one masked and keyed. None of them is stored in clear."""
    return next((text for key in phone_columns(values) if (text := raw_text(values.get(key)))), None)


def fallback_lead_id(ctx: RowContext, row: int, values: dict, salt: str) -> str:
    """An identity for a row without 线索编号/工单编号.

    - Basis: every mapped value of the row as written (date-times with their time of day, phones and
      names included), blanks left out — see row_identity.content_digest. Two rows differing in any
      mapped value never share an id, so they are never merged as 线索编号重复.
    - The digest is keyed with the complainant salt (HMAC), so the stored id cannot be reversed
      to a phone number or a name by trying candidates.
    - Row position: the n-th row with this content in the sheet gets "-n" from the 2nd on. Within one
      sheet, identical rows are therefore counted separately (with a 警告 naming the first: without an
      id one cannot tell a double entry from two identical calls, and a header with few recognised
      columns would otherwise merge distinct leads); across files the n-th occurrence matches the
      n-th occurrence, so a register sent again (a later export, a copy) is reported as duplicate
      and counted once, the kept row named by dedupe.
    """
    digest = content_digest(values, salt)
    first_row, n = occurrence(ctx, "lead", digest, row)
    if n > 1:
        ctx.add_error(row, None, None,
                      f"本行与第{first_row}行各项内容完全相同；表中没有线索编号，无法判断是否同一线索，"
                      "已分别计入；如为重复录入，请删除其中一行", WARNING)
    return f"无编号-{digest}" + (f"-{n}" if n > 1 else "")


def validate_lead_row(ctx: RowContext, row: int, values: dict, salt: str) -> dict:
    """Trap: a register's plain rows do not come here but are made in etl/validate/lead_columns.py, which
    sends back (None) every row this function would record an error or a warning for: a new check here
    needs its condition there too (tests/test_validate_lead_columns.py, with a cell that trips it)."""
    sub, campaign = ctx.submission, ctx.campaign
    year = sub.as_of_date.year if sub.as_of_date else campaign.start_date.year

    unit_id = row_unit(ctx, row, values, "缺少承办单位，且无法从填报单位或文件名确定，本行未导入")

    d = _dates(ctx, row, values, year)
    due, provisional = workdays.add_working_days(d["assigned_date"], campaign.lead_working_days)
    given_due = _given_due_date(ctx, row, values, year, due, campaign.lead_working_days)

    channel_text = raw_text(values.get("channel"))
    channel = None
    if channel_text:
        try:
            channel = ctx.normalize(channels.normalize_channel, channel_text)
        except NormalizeError as exc:
            ctx.add_error(row, "channel", channel_text, f"{exc}，线索来源留空", WARNING)

    category_text = raw_text(values.get("category"))
    category = None
    if category_text:
        try:
            category = ctx.normalize(categories.match_category, category_text, campaign)
        except NormalizeError as exc:
            ctx.add_error(row, "category", category_text, f"{exc}，问题类别留空", WARNING)

    finding = None
    finding_text = raw_text(values.get("finding"))
    if finding_text:
        try:
            finding = ctx.normalize(findings.parse_finding, finding_text)
        except NormalizeError as exc:
            ctx.add_error(row, "finding", finding_text, f"{exc}，调查结论留空", WARNING)

    summary = privacy.scrub_phones(raw_text(values.get("summary")))
    lead_id = raw_text(values.get("lead_id")) or fallback_lead_id(ctx, row, values, salt)

    name, phone = raw_text(values.get("complainant")), first_phone(values)
    concluded = d["concluded_date"]
    return {
        "campaign_id": campaign.id,
        "lead_id": lead_id,
        "unit_id": unit_id,
        "channel": channel,
        "received_date": d["received_date"],
        "assigned_date": d["assigned_date"],
        "due_date": due,
        "due_date_provisional": provisional,
        "concluded_date": concluded,
        "on_time": None if concluded is None else concluded <= due,
        "feedback_date": d["feedback_date"],
        "finding": finding,
        "category": category,
        "summary": summary,
        "complainant_masked": privacy.mask_name(name) if name else None,
        "phone_masked": privacy.mask_phone(phone) or None,
        "complainant_key": privacy.complainant_key(name, phone, salt),
        "handling_status": _handling_status(ctx, row, values, concluded),
        "given_due_date": given_due,
        "visit_satisfaction": privacy.scrub_phones(raw_text(values.get("visit_satisfaction"))),
        "submission_id": sub.submission_id,
        "source_row": row,
    }
