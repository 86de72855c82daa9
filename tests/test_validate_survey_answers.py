"""Questionnaire answers (etl/validate/survey.py): each configured dimension's answer read through the scale,
with a sheet's recurring answers looked up once. Expected records and messages are worked out by hand from
fuyang-2023's scale (非常满意 5 … 非常不满意 1) and dimensions; the bool trap (True == 1) is covered."""
from __future__ import annotations

from datetime import date

import pytest

from etl.config import load_campaign
from etl.read.model import OPTION_NUMBER
from etl.validate.context import RowContext, RowRejected, Submission
from etl.validate.survey import validate_survey_row


@pytest.fixture(scope="module")
def campaign():
    return load_campaign("fuyang-2023")


def validate(campaign, rows: list[dict], answer_format=None):
    sub = Submission("sub-s", campaign.id, "满意度测评_2023.xlsx", "Sheet1", "survey", "linquan", date(2023, 10, 20),
                     "表头", "sha")
    ctx = RowContext(campaign, sub, {}, memo={}, answer_format=answer_format)
    out = []
    for n, values in enumerate(rows, start=2):
        try:
            out.append([(r["dimension"], r["score"]) for r in validate_survey_row(ctx, n, values)])
        except RowRejected:
            out.append(None)
    return out, [(e.source_row, e.column_name, e.message) for e in ctx.errors]


def test_answers_words_numbers_and_blanks(campaign):
    rows = [
        {"response_id": "A1", "dim:执法规范": "满意", "dim:执法态度": 5, "dim:执法效率": 4.0, "dim:廉洁执法": "3分",
         "dim:便民服务": "  ", "dim:服务环境": "非常满意"},  # blank answer skipped, unconfigured dimension ignored
        {"response_id": "A2", "dim:执法规范": "满意", "dim:执法态度": 1, "dim:执法效率": "非常不满意"},
        {"response_id": "A3", "dim:执法规范": None, "dim:执法态度": "   "},
    ]
    records, errors = validate(campaign, rows)
    assert records == [
        [("执法规范", 4), ("执法态度", 5), ("执法效率", 4), ("廉洁执法", 3)],
        [("执法规范", 4), ("执法态度", 1), ("执法效率", 1)],
        None,
    ]
    assert errors == [(4, None, "该份问卷没有任何测评维度的有效答案，未导入")]


def test_a_bool_is_not_the_number_one_and_a_bad_answer_is_told_each_time(campaign):
    rows = [
        {"response_id": "B1", "dim:执法规范": 1},
        {"response_id": "B2", "dim:执法规范": True},  # True == 1, but a tick is no score
        {"response_id": "B3", "dim:执法规范": "还行"},
        {"response_id": "B4", "dim:执法规范": "还行"},
        {"response_id": "B5", "dim:执法规范": 7},
        {"response_id": "B6", "dim:执法规范": 2},
    ]
    records, errors = validate(campaign, rows)
    assert records == [[("执法规范", 1)], None, None, None, None, [("执法规范", 2)]]
    assert [(row, column) for row, column, _ in errors] == [(3, "dim:执法规范"), (4, "dim:执法规范"),
                                                             (5, "dim:执法规范"), (6, "dim:执法规范")]
    assert errors[0][2].startswith("无法识别的评分“True”") and errors[0][2].endswith("，该份问卷未导入")
    assert errors[1][2] == errors[2][2] and "还行" in errors[1][2]
    assert "7" in errors[3][2]


def test_option_numbers_and_scores_are_not_mixed_up_in_one_memo(campaign):
    """The same cell means a score in one sheet and an option number in another (问卷星 按序号): 1 is the
    first option, 非常满意 = 5."""
    sub = Submission("sub-s", campaign.id, "满意度测评_2023.xlsx", "Sheet1", "survey", "linquan",
                     date(2023, 10, 20), "表头", "sha")
    memo: dict = {}
    plain = RowContext(campaign, sub, {}, memo=memo)
    numbered = RowContext(campaign, sub, {}, memo=memo, answer_format=OPTION_NUMBER)
    row = {"response_id": "C1", "dim:执法规范": 1, "dim:执法态度": "1"}
    assert [r["score"] for r in validate_survey_row(plain, 2, row)] == [1, 1]
    assert [r["score"] for r in validate_survey_row(numbered, 2, row)] == [5, 5]
    assert [r["score"] for r in validate_survey_row(plain, 3, row)] == [1, 1]
