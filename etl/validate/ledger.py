"""Ledger rows (整改工作台账) → ledger_snapshots records."""
from __future__ import annotations

import hashlib
import re

from etl.normalize import categories, channels, dates, deadlines, privacy, status
from etl.normalize.errors import NormalizeError
from etl.validate.context import WARNING, RowContext, RowRejected, checked_date, raw_text, row_unit
from etl.validate.row_identity import content_digest, occurrence

RELAPSE_WORDS = ("死灰复燃", "重复反弹", "问题反弹", "反弹", "复发")
_NUMERIC = re.compile(r"^\d+(\.0)?$")
# What describes a problem rather than its progress: a later ledger that changes only the progress,
# completion date or remark still names the same problem.
DESCRIBING_FIELDS = ("unit", "category", "manifestation", "case_text", "source_channel", "measure",
                     "deadline", "responsible")


def problem_id(unit_id: str, code: str | None, serial_no: str | None, case_text: str | None,
               content: str | None = None) -> str:
    """The unit's own 编号 where it is a real code, else a fingerprint of unit, 序号 and case text,
    else (neither 序号 nor case text) ``content``: see _identity_without_serial."""
    if code:
        return f"{unit_id}:{code}"
    return f"{unit_id}:#{content if content is not None else _text_fingerprint(unit_id, serial_no, case_text)}"


def _text_fingerprint(unit_id: str, serial_no: str | None, case_text: str | None) -> str:
    basis = "|".join([unit_id, serial_no or "", re.sub(r"\s+", "", case_text or "")])
    return hashlib.sha1(basis.encode()).hexdigest()[:10]


def _phones_scrubbed(values: dict) -> dict:
    return {k: privacy.scrub_phones(v) if isinstance(v, str) else v for k, v in values.items()}


def _identity_without_serial(ctx: RowContext, row: int, unit_id: str, values: dict,
                             case_text: str | None) -> str:
    """problem_id of a row with no 编号 and no 序号, so that two rows of a sheet never collide.

    - With case text: unit + case text (as before, so successive ledgers link by the text), and the
      n-th row with the same text in the sheet gets "-n" from the 2nd on.
    - Without case text: every mapped value that describes the problem (DESCRIBING_FIELDS, not the
      progress), and the same "-n" by position. A later ledger with the same description and order
      links to the same problem; rows differing in any of these values never share an id.
    Identical rows within one sheet are counted separately, with a 警告 naming the first.
    """
    if case_text:
        base = _text_fingerprint(unit_id, None, case_text)
        what = "问题描述"
    else:
        # Digest of the values as stored (phones masked): keyed with the unit id, which is public.
        base = content_digest(_phones_scrubbed(values), unit_id, DESCRIBING_FIELDS)
        what = "问题方面、表现形式、整改措施、整改时限、责任单位等各项"
    first_row, n = occurrence(ctx, "ledger", base, row)
    if n == 1:
        return problem_id(unit_id, None, None, None, base)
    ctx.add_error(row, None, None,
                  f"本行与第{first_row}行{what}相同；表中没有序号或编号，无法判断是否同一问题，已分别计入；"
                  "如为重复填报，请删除其中一行", WARNING)
    return problem_id(unit_id, None, None, None, f"{base}-{n}")


def _serial_and_code(values: dict) -> tuple[str | None, str | None]:
    serial = raw_text(values.get("serial_no"))
    if serial and _NUMERIC.match(serial):
        serial = str(int(float(serial)))
    code = raw_text(values.get("problem_code"))
    if code is None and serial and not serial.isdigit():
        code = serial
    return serial, code


def _classify(ctx: RowContext, row: int, values: dict):
    """Category and manifestation. Without a usable category the manifestation gives it (when it
    matches exactly one); when neither can be told the row is loaded with the category blank."""
    campaign = ctx.campaign
    cat_text, man_text = raw_text(values.get("category")), raw_text(values.get("manifestation"))
    category, category_problem = None, None
    if cat_text:
        try:
            category = ctx.normalize(categories.match_category, cat_text, campaign)
        except NormalizeError as exc:
            category_problem = str(exc)
    manifestation, manifestation_problem = None, None
    if man_text:
        try:
            manifestation = ctx.normalize(categories.match_manifestation, man_text, campaign, category)
        except NormalizeError as exc:
            manifestation_problem = str(exc)
    if manifestation is not None:
        if category_problem:
            ctx.add_error(row, "category", cat_text,
                          f"{category_problem}；已按表现形式归入“{manifestation.category}”", WARNING)
        return manifestation.category, manifestation
    if category is None:
        reason = category_problem or "缺少问题方面（问题类别）"
        if man_text:
            reason += f"，表现形式也无法对应（{manifestation_problem}）"
        elif not cat_text:
            reason += "和表现形式"
        column = "category" if cat_text or not man_text else "manifestation"
        if column not in ctx.columns:
            column = "问题方面"
        ctx.add_error(row, column, cat_text or man_text, reason + "；已导入，问题方面留空（统计中列为“未分类”）",
                      WARNING)
        return None, None
    if manifestation_problem:
        ctx.add_error(row, "manifestation", man_text,
                      f"{manifestation_problem}；已按问题方面“{category}”导入", WARNING)
    return category, None


def validate_ledger_row(ctx: RowContext, row: int, values: dict) -> dict:
    sub, campaign = ctx.submission, ctx.campaign
    year = sub.as_of_date.year if sub.as_of_date else campaign.start_date.year
    unit_id = row_unit(ctx, row, values, "缺少单位：本行单位为空，表头上方也没有可识别的填报单位，本行未导入")
    category, manifestation = _classify(ctx, row, values)
    case_text = privacy.scrub_phones(raw_text(values.get("case_text")))
    serial, code = _serial_and_code(values)

    raw_deadline = values.get("deadline")
    deadline, deadline_kind = None, None
    if raw_text(raw_deadline) is not None:
        try:
            deadline, deadline_kind = ctx.normalize(deadlines.parse_deadline, raw_deadline, year)
            if deadline is not None:
                dates.check_plausible(deadline, campaign.end_date)
        except NormalizeError as exc:
            ctx.add_error(row, "deadline", raw_deadline, f"{exc}，本行未导入")
            raise RowRejected from exc

    progress = privacy.scrub_phones(raw_text(values.get("progress")))
    # 首次报送时整改进度常为空：按“未整改”计，这是台账的通行填法，不视为错误。
    problem_status = "未整改"
    if progress:
        try:
            problem_status = ctx.normalize(status.parse_status, progress)
        except NormalizeError as exc:
            ctx.add_error(row, "progress", progress, f"{exc}，本行未导入")
            raise RowRejected from exc

    completed = None
    raw_completed = values.get("completed_date")
    if raw_text(raw_completed) is not None:
        try:
            completed = checked_date(ctx, raw_completed, year)
        except NormalizeError as exc:
            ctx.add_error(row, "completed_date", raw_completed, f"{exc}，完成时间留空", WARNING)

    source_text = raw_text(values.get("source_channel"))
    source_channel, earlier_round = None, False
    if source_text:
        earlier_round = channels.is_earlier_round_source(source_text)
        try:
            source_channel = ctx.normalize(channels.normalize_channel, source_text)
        except NormalizeError as exc:
            ctx.add_error(row, "source_channel", source_text, f"{exc}，问题来源留空", WARNING)

    relapse_basis = None
    if manifestation is not None and manifestation.code == campaign.relapse_manifestation:
        relapse_basis = "台账标注"
    elif case_text and any(w in case_text for w in RELAPSE_WORDS):
        relapse_basis = "文字"
    elif earlier_round:
        relapse_basis = "前期来源"

    if code is None and serial is None:
        pid = _identity_without_serial(ctx, row, unit_id, values, case_text)
    else:
        pid = problem_id(unit_id, code, serial, case_text)
    return {
        "campaign_id": campaign.id,
        "unit_id": unit_id,
        "problem_id": pid,
        "as_of_date": sub.as_of_date,
        "serial_no": code or serial,
        "category": category,
        "manifestation_code": manifestation.code if manifestation else None,
        "manifestation": manifestation.name if manifestation else None,
        "case_text": case_text,
        "source_channel": source_channel,
        "measure": privacy.scrub_phones(raw_text(values.get("measure"))),
        "deadline": deadline,
        "deadline_kind": deadline_kind,
        "responsible": privacy.scrub_phones(raw_text(values.get("responsible"))),
        "status": problem_status,
        "progress_text": progress,
        "completed_date": completed,
        "is_relapse": relapse_basis is not None,
        "relapse_basis": relapse_basis,
        "relapse_of": None,
        "submission_id": sub.submission_id,
        "source_row": row,
    }
