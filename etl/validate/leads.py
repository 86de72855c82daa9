"""Leads register rows (问题线索登记表) → leads records. Clear names and phones stop here."""
from __future__ import annotations

import hashlib

from etl.normalize import categories, channels, dates, findings, privacy, workdays
from etl.normalize.errors import NormalizeError
from etl.validate.context import WARNING, RowContext, RowRejected, raw_text, row_unit

DATE_COLUMNS = ("received_date", "assigned_date", "concluded_date", "feedback_date")


def _dates(ctx: RowContext, row: int, values: dict, year: int) -> dict:
    parsed = {}
    for column in DATE_COLUMNS:
        value = values.get(column)
        if raw_text(value) is None:
            parsed[column] = None
            continue
        try:
            parsed[column] = ctx.normalize(dates.parse_date, value, year)
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


def validate_lead_row(ctx: RowContext, row: int, values: dict, salt: str) -> dict:
    sub, campaign = ctx.submission, ctx.campaign
    year = sub.as_of_date.year if sub.as_of_date else campaign.start_date.year

    unit_id = row_unit(ctx, row, values, "缺少承办单位，且无法从填报单位或文件名确定，本行未导入")

    d = _dates(ctx, row, values, year)
    due, provisional = workdays.add_working_days(d["assigned_date"], campaign.lead_working_days)

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
    lead_id = raw_text(values.get("lead_id"))
    if lead_id is None:
        basis = f"{unit_id}|{d['received_date']}|{summary or ''}"
        lead_id = "无编号-" + hashlib.sha1(basis.encode()).hexdigest()[:10]

    name, phone = raw_text(values.get("complainant")), raw_text(values.get("phone"))
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
        "phone_masked": privacy.mask_phone(phone) if phone else None,
        "complainant_key": privacy.complainant_key(name, phone, salt),
        "submission_id": sub.submission_id,
        "source_row": row,
    }
