import pytest

from etl.config import load_campaign
from etl.normalize.errors import NormalizeError
from etl.normalize.survey_scale import parse_score

SCALE = load_campaign("haixi-2023").survey.scale


@pytest.mark.parametrize(
    "value, expected",
    [
        (5, 5),
        (1, 1),
        (4.0, 4),
        ("4", 4),
        ("4.0", 4),
        ("４", 4),
        ("3分", 3),
        ("非常满意", 5),
        ("满意", 4),
        ("基本满意", 3),
        ("一般", 3),
        ("不满意", 2),
        ("非常不满意", 1),
        (" 满 意 ", 4),
    ],
)
def test_parse_score(value, expected):
    assert parse_score(value, SCALE) == expected


@pytest.mark.parametrize("value", ["7", 7, 0, 6.0, "0"])
def test_out_of_range(value):
    with pytest.raises(NormalizeError, match="超出范围"):
        parse_score(value, SCALE)


@pytest.mark.parametrize("value", [None, "", 4.5, True, "好"])
def test_unrecognized_score(value):
    with pytest.raises(NormalizeError):
        parse_score(value, SCALE)
