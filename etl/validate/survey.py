"""Survey rows (满意度测评, one respondent per row) → survey_responses records (one per dimension)."""
from __future__ import annotations

import re

from etl.normalize import survey_scale
from etl.normalize.errors import NormalizeError
from etl.validate.context import RowContext, RowRejected, raw_text, row_unit

DIMENSION_PREFIX = "dim:"


def survey_year(values: dict, file_name: str, fallback: int) -> int:
    text = raw_text(values.get("survey_year"))
    m = re.search(r"(20\d{2})", text or "") or re.search(r"(20\d{2})", file_name)
    return int(m[1]) if m else fallback


def validate_survey_row(ctx: RowContext, row: int, values: dict) -> list[dict]:
    sub, campaign = ctx.submission, ctx.campaign
    unit_id = row_unit(ctx, row, values, "缺少被测评单位，本行未导入")

    fallback_year = sub.as_of_date.year if sub.as_of_date else campaign.start_date.year
    year = survey_year(values, sub.file_name, fallback_year)
    response_id = raw_text(values.get("response_id")) or f"{sub.submission_id}-{row}"
    respondent_type = raw_text(values.get("respondent_type"))

    scores = []
    for column, value in values.items():
        if not column.startswith(DIMENSION_PREFIX):
            continue
        dimension = column[len(DIMENSION_PREFIX):]
        if dimension not in campaign.survey.dimensions or raw_text(value) is None:
            continue
        try:
            score = ctx.normalize(survey_scale.parse_score, value, campaign.survey.scale)
        except NormalizeError as exc:
            ctx.add_error(row, column, value, f"{exc}，该份问卷未导入")
            raise RowRejected from exc
        scores.append((dimension, score))
    if not scores:
        ctx.add_error(row, None, None, "该份问卷没有任何测评维度的有效答案，未导入")
        raise RowRejected
    return [
        {
            "campaign_id": campaign.id,
            "survey_year": year,
            "unit_id": unit_id,
            "response_id": response_id,
            "respondent_type": respondent_type,
            "dimension": dimension,
            "score": score,
            "submission_id": sub.submission_id,
            "source_row": row,
        }
        for dimension, score in scores
    ]
