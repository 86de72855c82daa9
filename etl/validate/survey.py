"""Survey rows (满意度测评, one respondent per row) → survey_responses records (one per dimension)."""
from __future__ import annotations

import re

from etl.normalize import survey_scale
from etl.normalize.dates import parse_date
from etl.normalize.errors import NormalizeError
from etl.read.model import OPTION_NUMBER
from etl.validate.context import WARNING, RowContext, RowRejected, raw_text, row_unit

DIMENSION_PREFIX = "dim:"
_YEAR = re.compile(r"(20\d{2})")


def _date_year(ctx: RowContext, row: int, values: dict) -> int | None:
    value = values.get("survey_date")
    if raw_text(value) is None:
        return None
    try:
        return ctx.normalize(parse_date, value).year
    except NormalizeError as exc:
        ctx.add_error(row, "survey_date", value, f"{exc}，测评年度改按文件名或报送日期确定", WARNING)
        return None


def survey_year(ctx: RowContext, row: int, values: dict) -> int:
    """测评年度 column, else the year of 提交答卷时间, else a year in the file name, else the
    submission's date (填报时间), else the campaign's start."""
    sub = ctx.submission
    if m := _YEAR.search(raw_text(values.get("survey_year")) or ""):
        return int(m[1])
    if (year := _date_year(ctx, row, values)) is not None:
        return year
    if m := _YEAR.search(sub.file_name):
        return int(m[1])
    return sub.as_of_date.year if sub.as_of_date else ctx.campaign.start_date.year


def response_id(ctx: RowContext, row: int, values: dict) -> str:
    # 问卷星's 序号 (1, 2, 3 …) restarts in every export: qualified by the sheet, two exports of the
    # same year cannot merge their questionnaires. Our own 问卷编号 (2023-LQ-001) is kept as is.
    value = values.get("response_id")
    text = raw_text(int(value) if isinstance(value, float) and value.is_integer() else value)
    sub_id = ctx.submission.submission_id
    if text is None:
        return f"{sub_id}-{row}"
    return f"{sub_id}-序号{text}" if text.isdigit() else text


def _answers() -> None:
    """(The key of the answers read so far in the memo.)"""


def _dimension_columns(memo: dict, columns: tuple, dimensions: tuple) -> list[tuple[str, str]]:
    """(column, dimension) of the columns that are configured dimensions, in column order (the same for each
    row of a sheet: worked out once)."""
    key = (_dimension_columns, columns, dimensions)
    found = memo.get(key)
    if found is None:
        found = memo[key] = [(c, c[len(DIMENSION_PREFIX):]) for c in columns
                             if c.startswith(DIMENSION_PREFIX) and c[len(DIMENSION_PREFIX):] in dimensions]
    return found


def validate_survey_row(ctx: RowContext, row: int, values: dict) -> list[dict]:
    sub, campaign = ctx.submission, ctx.campaign
    unit_id = row_unit(ctx, row, values, "缺少被测评单位，本行未导入")
    year = survey_year(ctx, row, values)
    respondent_type = raw_text(values.get("respondent_type"))
    # ctx.answer_format is the sheet's: option numbers (问卷星 "按序号") or, by default, the number is the score
    parse = (survey_scale.parse_option_number if ctx.answer_format == OPTION_NUMBER else survey_scale.parse_score)

    scale = campaign.survey.scale
    # a sheet's answers are a handful of words or numbers: each read once (ctx.normalize's memo, without
    # building its key for each of a million answers); a str or int is its own key (a bool is neither)
    known = ctx.memo.setdefault((_answers, parse, id(scale)), {})
    scores = []
    for column, dimension in _dimension_columns(ctx.memo, tuple(values), campaign.survey.dimensions):
        value = values[column]
        cls = value.__class__
        if (not value.strip()) if cls is str else (cls is not int and raw_text(value) is None):
            continue  # (blank: not answered)
        hit = known.get(value) if cls is str or cls is int else None
        if hit is None:
            try:
                hit = (True, ctx.normalize(parse, value, scale))
            except NormalizeError as exc:
                hit = (False, exc)
            if cls is str or cls is int:
                known[value] = hit
        if not hit[0]:
            ctx.add_error(row, column, value, f"{hit[1]}，该份问卷未导入")
            raise RowRejected from hit[1]
        scores.append((dimension, hit[1]))
    if not scores:
        ctx.add_error(row, None, None, "该份问卷没有任何测评维度的有效答案，未导入")
        raise RowRejected
    rid = response_id(ctx, row, values)
    return [
        {
            "campaign_id": campaign.id,
            "survey_year": year,
            "unit_id": unit_id,
            "response_id": rid,
            "respondent_type": respondent_type,
            "dimension": dimension,
            "score": score,
            "submission_id": sub.submission_id,
            "source_row": row,
        }
        for dimension, score in scores
    ]
