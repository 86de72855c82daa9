import pytest

from etl.normalize.errors import NormalizeError
from etl.normalize.findings import parse_finding


@pytest.mark.parametrize(
    "text, expected",
    [
        ("属实", "属实"),
        ("经查属实", "属实"),
        ("部分属实", "部分属实"),
        ("基本属实", "部分属实"),
        ("不属实", "不属实"),
        ("情况不属实", "不属实"),
        ("经核查，反映问题不属实", "不属实"),
        ("查无实据", "不属实"),
        ("", None),
        (None, None),
        ("核查中", None),
        ("正在调查", None),
    ],
)
def test_parse_finding(text, expected):
    assert parse_finding(text) == expected


def test_unrecognized_finding():
    with pytest.raises(NormalizeError, match="调查结论"):
        parse_finding("已反馈")
