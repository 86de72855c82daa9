"""Unit-level survey summary rows (满意率/得分/样本量, one row per unit) → survey_unit_scores records.

Offices that ran the survey elsewhere often keep only this table; the satisfaction page and the brief
use it for a unit and year that have no respondent rows."""
from __future__ import annotations

import math
import re

from etl.normalize._text import clean, shown
from etl.normalize.errors import NormalizeError
from etl.validate.context import WARNING, RowContext, RowRejected, raw_text, row_unit
from etl.validate.survey import survey_year

_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(%|分|份|人|个)?$")


def _number(value: object) -> tuple[float, str | None] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else (float(value), None)
    m = _NUMBER.match(clean(value))
    return (float(m[1]), m[2]) if m else None


def parse_rate(value: object) -> float:
    """满意率 as percent: "92.5%" → 92.5, 92.5 → 92.5, 0.925 → 92.5 (a number up to 1 is a fraction,
    as Excel stores a cell formatted as percent)."""
    parsed = _number(value)
    if parsed is None:
        raise NormalizeError(f"无法识别的满意率“{shown(value)}”：应为百分数（如 92.5%）或小数（如 0.925）")
    number, unit = parsed
    percent = number if unit == "%" or number > 1 else number * 100
    if not 0 <= percent <= 100:
        raise NormalizeError(f"满意率“{shown(value)}”超出 0–100% 的范围")
    return round(percent, 6)


def parse_unit_score(value: object) -> float:
    """得分 on the 100-point scale. A number from 1 to 5 is a mean on the 1–5 answer scale and is
    multiplied by 20 (4.6 → 92), as the satisfaction page scores respondent rows; above 5 up to 100 it
    is already 百分制. Anything else (0, below 1, above 100) is refused."""
    parsed = _number(value)
    if parsed is None or parsed[1] not in (None, "分"):
        raise NormalizeError(f"无法识别的得分“{shown(value)}”：应为百分制得分（如 91.5）或 1–5 的平均分")
    number = parsed[0]
    if 1 <= number <= 5:
        return round(number * 20, 6)
    if 5 < number <= 100:
        return number
    raise NormalizeError(f"得分“{shown(value)}”超出范围：应为百分制得分（5–100）或 1–5 的平均分")


def parse_sample_size(value: object) -> int:
    """样本量：a positive whole number ("120", 120.0, "120份")."""
    parsed = _number(value)
    if parsed is None or parsed[1] not in (None, "份", "人", "个") or not parsed[0].is_integer() or parsed[0] < 1:
        raise NormalizeError(f"样本量“{shown(value)}”应为正整数（问卷份数）")
    return int(parsed[0])


def _optional(ctx: RowContext, row: int, values: dict, column: str, parse, what: str):
    value = values.get(column)
    if raw_text(value) is None:
        return None
    try:
        return ctx.normalize(parse, value)
    except NormalizeError as exc:
        ctx.add_error(row, column, value, f"{exc}，{what}留空", WARNING)
        return None


def validate_survey_score_row(ctx: RowContext, row: int, values: dict) -> dict:
    """One unit's summary; rejected (错误) without a unit, or without a usable 满意率 or 得分."""
    unit_id = row_unit(ctx, row, values, "缺少被测评单位，本行未导入")
    year = survey_year(ctx, row, values)
    rate = _optional(ctx, row, values, "satisfaction_rate", parse_rate, "满意率")
    score = _optional(ctx, row, values, "score", parse_unit_score, "得分")
    if rate is None and score is None:
        ctx.add_error(row, None, None, "本行没有可用的满意率或得分，未导入")
        raise RowRejected
    return {
        "campaign_id": ctx.campaign.id,
        "survey_year": year,
        "unit_id": unit_id,
        "satisfaction_rate": rate,
        "score": score,
        "sample_size": _optional(ctx, row, values, "sample_size", parse_sample_size, "样本量"),
        "submission_id": ctx.submission.submission_id,
        "source_row": row,
    }
